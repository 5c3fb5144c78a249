//! The read side's benchmark: small in CI, large on request, e.g.
//!
//!     ILL_BENCH_REQUESTS=125000 cargo test --release -p projections --test benchmark -- --nocapture
//!
//! (about a million events). It generates a history (`projections::generate`),
//! then reports ratios against baselines measured in the same run on the
//! same store, because the machines are shared and noisy:
//! - catch-up: time per event projected (all projections) ÷ time per raw
//!   single-row insert (500 to a transaction, as the projector's batches);
//! - rebuild of every projection ÷ the incremental catch-up;
//! - a queue page (the first, and one ten pages deep), queue counts and a
//!   year of statistics ÷ a `SELECT 1` round trip (medians).

use std::future::Future;
use std::time::{Duration, Instant};

use domain::Calendar;
use projections::generate::{generate, Shape};
use projections::queries::{self, QueueQuery};
use projections::testing::{fresh_database, Backend};
use projections::{on_both_backends, rebuild, Database, Projector, QueueSide};

/// Requests in the CI-sized run.
const SMALL: usize = 300;

const CREATE_RAW: &str = "CREATE TABLE bench_raw (id bigint PRIMARY KEY, body text NOT NULL)";
const INSERT_RAW: &str = "INSERT INTO bench_raw (id, body) VALUES ($1, $2)";

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
    started.elapsed()
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

async fn benchmark(backend: Backend) {
    let requests = std::env::var("ILL_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SMALL);
    let db = fresh_database(backend).await;
    let shape = Shape {
        requests,
        ..Shape::default()
    };
    let calendar = Calendar::default();
    let started = Instant::now();
    let generated = generate(&db, &shape).await.expect("generate a history");
    let generating = started.elapsed();
    let events = generated.events;

    let raw = raw_inserts(&db, events).await;
    let projector = Projector::new(db.clone(), calendar);
    let started = Instant::now();
    let applied = projector.catch_up().await.expect("catch up");
    let caught_up = started.elapsed();
    assert_eq!(applied as u64, events);
    let started = Instant::now();
    rebuild::rebuild(&db, calendar, None)
        .await
        .expect("rebuild");
    let rebuilt = started.elapsed();

    let round_trip = median(21, || select_one(&db)).await;
    let mut busiest = (generated.libraries[0].clone(), 0);
    for library in &generated.libraries {
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
        "benchmark {backend:?}: {events} events of {requests} requests, generated in {generating:.1?}\n\
         \x20 catch-up: {caught_up:.2?}, {:.1} raw inserts' time per event\n\
         \x20 rebuild: {rebuilt:.2?}, {:.2} × the catch-up\n\
         \x20 queue page of {} open: first {:.1} × SELECT 1, ten pages deep {:.1} ×; counts {:.1} ×\n\
         \x20 a year of statistics: {statistics:.2?}, {:.1} × SELECT 1",
        ratio(caught_up, raw),
        ratio(rebuilt, caught_up),
        busiest.1,
        ratio(first_page, round_trip),
        ratio(deep_page, round_trip),
        ratio(counts, round_trip),
        ratio(statistics, round_trip),
    );
    if requests <= SMALL {
        let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
        assert!(differences.is_empty(), "{differences:#?}");
    }
}
on_both_backends!(benchmark);
