//! The read side's benchmark (issue 3): small in CI, large on request, e.g.
//!
//!     ILL_BENCH_REQUESTS=100000 cargo test --release -p projections --test projections \
//!         -- --nocapture benchmark::postgres
//!
//! It generates a history (`simulation`: `ILL_BENCH_LIBRARIES`
//! libraries, default 200, and `ILL_BENCH_REQUESTS` requests, default 300),
//! then reports ratios against baselines measured in the same run on the
//! same store, because the machines are shared and noisy:
//! - catch-up: time per event projected (all projections) ÷ time per raw
//!   single-row insert (500 to a transaction, as the projector's batches);
//! - rebuild of every projection ÷ the incremental catch-up, and (PostgreSQL)
//!   its rate in events/s ÷ the rate of a raw `COPY (SELECT … FROM events
//!   ORDER BY global_position) TO STDOUT` of the same rows, and its peak RSS;
//! - a queue page (the first, and one ten pages deep), queue counts and a
//!   year of statistics ÷ a `SELECT 1` round trip (medians);
//! - (PostgreSQL) queue page and statistics latency p50/p99 over
//!   `ILL_BENCH_QUERIES` random libraries (default 50; the issue asks 1000);
//! - (PostgreSQL) projector lag, commit to visible (the queue change heard),
//!   p50/p99 under `ILL_BENCH_WRITERS` concurrent writers (default 4; the
//!   issue asks 16) running `ILL_BENCH_LIFECYCLES` loans each (default 2).
//!
//! `ILL_BENCH_DATABASE_URL` (PostgreSQL, an existing database) keeps the
//! history between runs: it is generated only when the store is empty, so
//! the replay tool's benchmark can run on the same log.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::testing::staff;
use domain::{
    Action, Calendar, EventMetadata, IllRequest, InMemoryDirectory, Item, LibraryId, LibraryStatus,
    ManualClock, Origin, PatronInput, PlaceRequest, RequestCommand, RequestServices, RequestStatus,
    ServiceType,
};
use projections::queries::{self, QueueOrder, QueueQuery};
use projections::{rebuild, Projector, QueueSide};
use projections::{Change, ChangeFeed};
use rand::{Rng, SeedableRng};
use simulation::{generate, network, Member, Shape};
use store::testing::bench::{copy_events, env_or, ms, percentile};
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, Database, EventStore};
use uuid::Uuid;

/// Requests in the CI-sized run.
const SMALL: usize = 300;

const CREATE_RAW: &str = "CREATE TABLE bench_raw (id bigint PRIMARY KEY, body text NOT NULL)";
const DROP_RAW: &str = "DROP TABLE IF EXISTS bench_raw";
const INSERT_RAW: &str = "INSERT INTO bench_raw (id, body) VALUES ($1, $2)";
const COUNT_EVENTS: &str = "SELECT count(*) FROM events";

async fn median<T, F: Future<Output = T>>(runs: usize, mut run: impl FnMut() -> F) -> Duration {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        run().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[runs / 2]
}

/// How long `rows` single-row inserts take, 500 to a transaction.
async fn raw_inserts(db: &Database, rows: u64) -> Duration {
    let body = "x".repeat(300);
    let started = Instant::now();
    match db {
        Database::Postgres(pool) => {
            sqlx::query(DROP_RAW).execute(pool).await.unwrap();
            sqlx::query(CREATE_RAW).execute(pool).await.unwrap();
            for chunk in (0..rows as i64).collect::<Vec<_>>().chunks(500) {
                let mut tx = pool.begin().await.unwrap();
                for id in chunk {
                    sqlx::query(INSERT_RAW)
                        .bind(id)
                        .bind(&body)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
            }
        }
        Database::Sqlite(pool) => {
            sqlx::query(DROP_RAW).execute(pool).await.unwrap();
            sqlx::query(CREATE_RAW).execute(pool).await.unwrap();
            for chunk in (0..rows as i64).collect::<Vec<_>>().chunks(500) {
                let mut tx = pool.begin().await.unwrap();
                for id in chunk {
                    sqlx::query(INSERT_RAW)
                        .bind(id)
                        .bind(&body)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
            }
        }
    }
    let elapsed = started.elapsed();
    match db {
        Database::Postgres(pool) => sqlx::query(DROP_RAW).execute(pool).await.map(drop),
        Database::Sqlite(pool) => sqlx::query(DROP_RAW).execute(pool).await.map(drop),
    }
    .unwrap();
    elapsed
}

async fn select_one(db: &Database) {
    match db {
        Database::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        Database::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
    }
    .unwrap();
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// Resets this process's peak RSS (Linux: `clear_refs` 5), so that
/// [`peak_rss_mib`] reports the peak since.
fn reset_peak_rss() {
    drop(std::fs::write("/proc/self/clear_refs", "5"));
}

/// This process's peak RSS (`VmHWM`) in MiB; 0 where /proc has none.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time this process has used (user + system), from /proc/self/stat.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|t| t.parse::<u64>().ok()))
        .sum();
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

async fn store(backend: Backend) -> (Database, bool) {
    match (backend, std::env::var("ILL_BENCH_DATABASE_URL")) {
        (Backend::Postgres, Ok(url)) => (
            Database::connect(&url)
                .await
                .expect("connect to ILL_BENCH_DATABASE_URL"),
            true,
        ),
        _ => (fresh_database(backend).await, false),
    }
}

async fn count_events(db: &Database) -> i64 {
    match db {
        Database::Postgres(pool) => sqlx::query_scalar(COUNT_EVENTS).fetch_one(pool).await,
        Database::Sqlite(pool) => sqlx::query_scalar(COUNT_EVENTS).fetch_one(pool).await,
    }
    .unwrap()
}

async fn benchmark(backend: Backend) {
    let requests = env_or("ILL_BENCH_REQUESTS", SMALL);
    let (db, kept) = store(backend).await;
    let shape = Shape {
        requests,
        libraries: env_or("ILL_BENCH_LIBRARIES", 200),
        ..Shape::default()
    };
    let calendar = Calendar::default();
    let members = network(&shape);
    let libraries: Vec<LibraryId> = members.iter().map(|m| m.id.clone()).collect();
    let events = if kept && count_events(&db).await > 0 {
        println!("benchmark {backend:?}: reusing the history in ILL_BENCH_DATABASE_URL");
        count_events(&db).await as u64
    } else {
        let started = Instant::now();
        let generated = generate(&db, &shape).await.expect("generate a history");
        println!(
            "benchmark {backend:?}: generated {} events of {requests} requests and {} libraries in {:.1?}",
            generated.events,
            shape.libraries,
            started.elapsed()
        );
        if let Database::Postgres(pool) = &db {
            // As autovacuum would soon after a bulk load: without statistics
            // the log reader's plan sorts the rest of the log for every batch.
            sqlx::query("ANALYZE events").execute(pool).await.unwrap();
        }
        generated.events
    };
    if std::env::var("ILL_BENCH_GENERATE_ONLY").is_ok_and(|v| v == "1") {
        println!("benchmark {backend:?}: ILL_BENCH_GENERATE_ONLY=1, stopping after generation");
        return;
    }

    // `ILL_BENCH_CATCH_UP=0` skips the raw-insert baseline and the
    // incremental catch-up (hours at a million requests); the rebuild then
    // swaps in over empty live tables.
    let catch_up = std::env::var("ILL_BENCH_CATCH_UP").map_or(true, |v| v != "0");
    let mut catch_up_line = String::from("catch-up: skipped (ILL_BENCH_CATCH_UP=0)");
    let mut caught_up = None;
    if catch_up {
        let raw = raw_inserts(&db, events).await;
        let projector = Projector::new(db.clone(), calendar);
        let started = Instant::now();
        let applied = projector.catch_up().await.expect("catch up");
        let elapsed = started.elapsed();
        if !kept {
            assert_eq!(applied as u64, events);
        }
        catch_up_line = format!(
            "catch-up: {elapsed:.2?} ({:.0} events/s), {:.1} raw inserts' time per event",
            events as f64 / elapsed.as_secs_f64(),
            ratio(elapsed, raw),
        );
        caught_up = Some(elapsed);
    }
    let copied = match &db {
        Database::Postgres(pool) => Some(copy_events(pool).await),
        Database::Sqlite(_) => None,
    };
    reset_peak_rss();
    let rss_before = peak_rss_mib();
    let (started, cpu_started) = (Instant::now(), cpu_time());
    rebuild::rebuild(&db, calendar, None)
        .await
        .expect("rebuild");
    let rebuilt = started.elapsed();
    let rebuild_cpu = cpu_time().saturating_sub(cpu_started);
    let rss_rebuild = peak_rss_mib();

    let round_trip = median(21, || select_one(&db)).await;
    let mut busiest = (libraries[0].clone(), 0);
    for library in &libraries {
        let counts = queries::queue_counts(&db, library, QueueSide::Borrowing)
            .await
            .unwrap();
        let open: i64 = counts.iter().map(|(_, n)| n).sum();
        if open > busiest.1 {
            busiest = (library.clone(), open);
        }
    }
    let library = busiest.0;
    let first = QueueQuery {
        library: library.clone(),
        side: QueueSide::Borrowing,
        statuses: None,
        order: QueueOrder::Updated,
        first: 20,
        after: None,
    };
    let first_page = median(21, || queries::queue(&db, &first)).await;
    let mut deep = first.clone();
    for _ in 0..10 {
        let page = queries::queue(&db, &deep).await.unwrap();
        match page.edges.last() {
            Some((cursor, _)) if page.has_next_page => deep.after = Some(cursor.clone()),
            _ => break,
        }
    }
    let deep_page = median(21, || queries::queue(&db, &deep)).await;
    let counts = median(21, || {
        queries::queue_counts(&db, &library, QueueSide::Borrowing)
    })
    .await;
    let (from, to) = (
        shape.start.date_naive(),
        shape.start.date_naive() + chrono::Duration::days(364),
    );
    let statistics = median(5, || queries::statistics(&db, from, to, None)).await;

    println!(
        "benchmark {backend:?}: {events} events of {requests} requests\n\
         \x20 {catch_up_line}\n\
         \x20 rebuild: {rebuilt:.2?} ({:.0} events/s){}; \
         peak RSS {rss_rebuild:.0} MiB (at its start {rss_before:.0} MiB), \
         CPU in this process {rebuild_cpu:.2?}\n\
         \x20 SELECT 1: {round_trip:.2?}; queue page of {} open: first {:.1} × SELECT 1, \
         ten pages deep {:.1} ×; counts {:.1} ×\n\
         \x20 a year of statistics (network): {statistics:.2?}, {:.1} × SELECT 1",
        events as f64 / rebuilt.as_secs_f64(),
        caught_up.map_or(String::new(), |c| format!(
            ", {:.2} × the catch-up",
            ratio(rebuilt, c)
        )),
        busiest.1,
        ratio(first_page, round_trip),
        ratio(deep_page, round_trip),
        ratio(counts, round_trip),
        ratio(statistics, round_trip),
    );
    if let Some((copy, bytes)) = copied {
        let copy_rate = events as f64 / copy.as_secs_f64();
        let rebuild_rate = events as f64 / rebuilt.as_secs_f64();
        println!(
            "  raw COPY of the log: {copy:.2?} ({copy_rate:.0} events/s, {:.0} MiB); \
             rebuild rate ÷ COPY rate = {:.3} (target ≥ 0.3)",
            bytes as f64 / 1048576.0,
            rebuild_rate / copy_rate,
        );
        let end = shape.end();
        query_latencies(&db, &libraries, end, round_trip).await;
        projector_lag(&db, calendar, &members, end).await;
    }
    if requests <= SMALL && !kept {
        let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
        assert!(differences.is_empty(), "{differences:#?}");
    }
}
on_both_backends!(benchmark);

/// Queue pages (first 20 open requests, borrowing or lending) and statistics
/// for one library (the last 30 days, and the default year) over random
/// libraries.
async fn query_latencies(
    db: &Database,
    libraries: &[LibraryId],
    end: DateTime<Utc>,
    round_trip: Duration,
) {
    let samples = env_or("ILL_BENCH_QUERIES", 50usize);
    let mut random = rand::rngs::StdRng::seed_from_u64(7);
    let to = end.date_naive();
    let month_from = to - chrono::Duration::days(29);
    let year_from = to - chrono::Duration::days(364);
    let (mut queue, mut month, mut year) = (Vec::new(), Vec::new(), Vec::new());
    let (mut network_month, mut network_year) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let library = &libraries[random.random_range(0..libraries.len())];
        let side = if i % 2 == 0 {
            QueueSide::Borrowing
        } else {
            QueueSide::Lending
        };
        let q = QueueQuery {
            library: library.clone(),
            side,
            statuses: None,
            order: QueueOrder::Updated,
            first: 20,
            after: None,
        };
        let started = Instant::now();
        queries::queue(db, &q).await.unwrap();
        queue.push(started.elapsed());
        let started = Instant::now();
        queries::statistics(db, month_from, to, Some(library))
            .await
            .unwrap();
        month.push(started.elapsed());
        // The default period is a year.
        let started = Instant::now();
        queries::statistics(db, year_from, to, Some(library))
            .await
            .unwrap();
        year.push(started.elapsed());
        // The whole network (every library's row): fewer samples.
        if i < samples.div_ceil(50) {
            let started = Instant::now();
            queries::statistics(db, month_from, to, None).await.unwrap();
            network_month.push(started.elapsed());
            let started = Instant::now();
            queries::statistics(db, year_from, to, None).await.unwrap();
            network_year.push(started.elapsed());
        }
    }
    let line = |name: &str, times: &mut Vec<Duration>| {
        let n = times.len();
        let (p50, p99) = (percentile(times, 50.0), percentile(times, 99.0));
        println!(
            "  {name} over {n} random libraries: p50 {:.2} ms, p99 {:.2} ms \
             ({:.1} × / {:.1} × SELECT 1)",
            ms(p50),
            ms(p99),
            ratio(p50, round_trip),
            ratio(p99, round_trip),
        );
    };
    line("queue page (first 20)", &mut queue);
    line("statistics, one library, 30 days", &mut month);
    line("statistics, one library, a year", &mut year);
    line("statistics, whole network, 30 days", &mut network_month);
    line("statistics, whole network, a year", &mut network_year);
}

/// Commit-to-visible lag under concurrent writers: each writer runs whole
/// loans through the event store while the projector runs; a change is
/// visible when the projector's NOTIFY (sent in its batch transaction, so
/// heard only once committed) arrives.
async fn projector_lag(db: &Database, calendar: Calendar, members: &[Member], end: DateTime<Utc>) {
    let writers = env_or("ILL_BENCH_WRITERS", 4usize);
    let lifecycles = env_or("ILL_BENCH_LIFECYCLES", 2usize);
    let feed = ChangeFeed::start(db);
    feed.ready().await;
    let mut changes = feed.subscribe();
    type Seen = Arc<Mutex<HashMap<(Uuid, RequestStatus), Instant>>>;
    let heard: Seen = Arc::default();
    let committed: Seen = Arc::default();
    let listening = {
        let heard = heard.clone();
        tokio::spawn(async move {
            let mut lagged = 0u64;
            loop {
                match changes.recv().await {
                    Ok(Change::Queue(change)) => {
                        let now = Instant::now();
                        heard
                            .lock()
                            .unwrap()
                            .entry((change.request_id, change.status))
                            .or_insert(now);
                    }
                    Ok(Change::Library(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => lagged += n,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return lagged,
                }
            }
        })
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = Projector::new(db.clone(), calendar).spawn(stopped);

    // The loans go between libraries that lend and are not suspended.
    let directory = Arc::new(InMemoryDirectory::new());
    let mut lenders = Vec::new();
    for member in members {
        let suspended = member.suspended.is_some_and(|(_, until)| until.is_none());
        let status = LibraryStatus {
            lends: member.lends,
            suspended,
        };
        directory.set(member.id.clone(), status);
        if member.lends && !suspended {
            lenders.push(member.id.clone());
        }
    }
    let libraries: Vec<LibraryId> = members.iter().map(|m| m.id.clone()).collect();
    let services = Arc::new(RequestServices {
        clock: Arc::new(ManualClock::new(end)),
        calendar,
        response_window: chrono::Duration::days(5),
        directory,
    });
    let store = EventStore::new(db.clone());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let (store, services, committed) = (store.clone(), services.clone(), committed.clone());
        let borrower = libraries[writer % libraries.len()].clone();
        let lenders = lenders.clone();
        tasks.push(tokio::spawn(async move {
            let mut commands = 0;
            for n in 0..lifecycles {
                let mut lender = lenders[(writer * 7 + n) % lenders.len()].clone();
                if lender == borrower {
                    lender = lenders[(writer * 7 + n + 1) % lenders.len()].clone();
                }
                let id = Uuid::new_v4();
                for (origin, action) in loan(&borrower, &lender, &services) {
                    let metadata = EventMetadata::new(&origin, services.now(), Uuid::new_v4());
                    let command = RequestCommand {
                        origin,
                        expected_version: None,
                        action,
                    };
                    let done = store
                        .execute::<IllRequest>(&id.to_string(), command, &*services, &metadata)
                        .await
                        .expect("a loan step");
                    let status = done.aggregate.state.expect("a request").status;
                    committed
                        .lock()
                        .unwrap()
                        .insert((id, status), Instant::now());
                    commands += 1;
                }
            }
            commands
        }));
    }
    let mut commands = 0;
    for task in tasks {
        commands += task.await.unwrap();
    }
    let writing = started.elapsed();
    let expected = committed.lock().unwrap().len();
    // A change is visible once the projection shows that status or a later
    // one (a batch holding several steps of a request reports only the last).
    let visible = |heard: &HashMap<(Uuid, RequestStatus), Instant>,
                   (id, status): (Uuid, RequestStatus)| {
        let step = LOAN_STATUSES.iter().position(|s| *s == status)?;
        LOAN_STATUSES[step..]
            .iter()
            .filter_map(|s| heard.get(&(id, *s)).copied())
            .min()
    };
    let give_up = Instant::now() + Duration::from_secs(30);
    while Instant::now() < give_up {
        let all_visible = {
            let heard = heard.lock().unwrap();
            let committed = committed.lock().unwrap();
            committed.keys().all(|k| visible(&heard, *k).is_some())
        };
        if all_visible {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    running.await.unwrap();
    drop(feed);
    let lagged = listening.await.unwrap_or(0);
    let (heard, committed) = (heard.lock().unwrap(), committed.lock().unwrap());
    let mut lags: Vec<Duration> = committed
        .iter()
        .filter_map(|(key, at)| visible(&heard, *key).map(|h| h.saturating_duration_since(*at)))
        .collect();
    let missing = expected - lags.len();
    println!(
        "  projector lag, {writers} writers × {lifecycles} loans ({commands} commands in \
         {writing:.2?}, {:.0} commands/s): commit to visible p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms (target p99 ≤ 250 ms); {missing} not heard, {lagged} dropped by the feed",
        commands as f64 / writing.as_secs_f64(),
        ms(percentile(&mut lags, 50.0)),
        ms(percentile(&mut lags, 99.0)),
        ms(percentile(&mut lags, 100.0)),
    );
}

/// The statuses a LOAN passes through, in order.
const LOAN_STATUSES: [RequestStatus; 8] = [
    RequestStatus::Requested,
    RequestStatus::WillSupply,
    RequestStatus::Shipped,
    RequestStatus::Received,
    RequestStatus::CheckedOut,
    RequestStatus::ReturnedByPatron,
    RequestStatus::ReturnShipped,
    RequestStatus::Completed,
];

/// A whole LOAN: place, willSupply, ship, receive, checkOutToPatron,
/// returnFromPatron, shipReturn, checkIn.
fn loan(
    borrower: &LibraryId,
    lender: &LibraryId,
    services: &RequestServices,
) -> Vec<(Origin, Action)> {
    let (b, l) = (staff(borrower.as_str()), staff(lender.as_str()));
    let place = Action::Place(PlaceRequest {
        patron_ref: Uuid::new_v4(),
        patron: PatronInput {
            barcode: "2100012345".into(),
            name: None,
            email: None,
        },
        item: Item::titled("The Long Winter"),
        service_type: ServiceType::Loan,
        lenders: vec![lender.clone().into()],
        needed_by: None,
        note: None,
    });
    let due_date = services.today() + chrono::Duration::days(28);
    vec![
        (b.clone(), place),
        (l.clone(), Action::WillSupply { note: None }),
        (
            l.clone(),
            Action::Ship {
                due_date,
                note: None,
            },
        ),
        (b.clone(), Action::Receive),
        (b.clone(), Action::CheckOutToPatron),
        (b.clone(), Action::ReturnFromPatron),
        (b, Action::ShipReturn),
        (l, Action::CheckIn),
    ]
}
