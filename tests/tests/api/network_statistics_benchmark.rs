//! The whole network's statistics for a year at the scale issue 17 asks for
//! (1,000,000 requests, 200 libraries): `statistics { network monthly
//! declinedByReason }` without `libraries`, for the year ending at the
//! history's end. On a generated store (`ILL_BENCH_REQUESTS`, default
//! 100,000) it times, each against a baseline timed just before it in the
//! same run:
//! - `ILL_BENCH_QUERIES` GraphQL queries over HTTP (default 1,000; 100 more
//!   first to warm up) against `{ __typename }` from the same client;
//! - the function, `queries::statistics_of` with no library rows, against
//!   `SELECT 1` on the same pool;
//! - `ILL_BENCH_FULL` (default 20) of the same query with `libraries` too,
//!   which is what every statistics query read before it was looked ahead.
//!
//! It checks that the answers agree and that the network's median is the
//! exact one, the middle of every 'receive' duration of the year in order.
//!
//! Ignored: run it in release (BENCHMARKS.md, "Network statistics"), e.g.
//!
//!     ILL_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ill_bench_stats \
//!     ILL_BENCH_REQUESTS=1000000 cargo test --release -p ill-tests --test api \
//!         -- --ignored --nocapture network_statistics_benchmark::postgres
//!
//! A store that is not empty is used as it is (the scheduler benchmark's
//! store, say).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use domain::Role;
use ill_tests::history::generated_history;
use ill_tests::latency::report;
use ill_tests::{spawn_app_on, test_epoch, Backend};
use projections::queries::period::Period;
use projections::queries::{self, LibraryRows};
use serde_json::{json, Value};
use simulation::Shape;
use store::accounts::Account;
use store::backend::on_db;
use store::testing::bench::env_or;
use store::Database;

const NETWORK: &str = "query($from: Date, $to: Date) { statistics(from: $from, to: $to) {
  network { placed filled unfilled cancelled fillRate medianDaysToReceive }
  declinedByReason { reason count }
  monthly { month placed filled unfilled shipped } } }";
const WITH_LIBRARIES: &str = "query($from: Date, $to: Date) { statistics(from: $from, to: $to) {
  network { placed filled unfilled cancelled fillRate medianDaysToReceive }
  declinedByReason { reason count }
  monthly { month placed filled unfilled shipped }
  libraries { library { id } lending { medianDaysToShip } } } }";
const TYPENAME: &str = "{ __typename }";
const WARM_UP: usize = 100;
const MICROS_PER_DAY: f64 = 86_400_000_000.0;
const RECEIVE_COUNT: &str =
    "SELECT count(*) FROM stats_durations WHERE kind = 'receive' AND day BETWEEN $1 AND $2";
const RECEIVE_MIDDLE: &str = "SELECT micros FROM stats_durations
 WHERE kind = 'receive' AND day BETWEEN $1 AND $2 ORDER BY micros LIMIT $4 OFFSET $3";

/// The median of every 'receive' duration counted on `from..=to`, in days,
/// from the durations themselves in value order.
async fn exact_receive_median(db: &Database, from: NaiveDate, to: NaiveDate) -> Option<f64> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(RECEIVE_COUNT)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await)
    .unwrap();
    if n == 0 {
        return None;
    }
    let (offset, wanted) = if n % 2 == 1 {
        (n / 2, 1)
    } else {
        (n / 2 - 1, 2)
    };
    let middle: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(RECEIVE_MIDDLE)
        .bind(from)
        .bind(to)
        .bind(offset)
        .bind(wanted)
        .fetch_all(pool)
        .await)
    .unwrap();
    Some(middle.iter().map(|m| *m as f64).sum::<f64>() / middle.len() as f64 / MICROS_PER_DAY)
}

async fn network_statistics_benchmark(backend: Backend) {
    let requests: usize = env_or("ILL_BENCH_REQUESTS", 100_000);
    let queries_timed: usize = env_or("ILL_BENCH_QUERIES", 1_000);
    let full: usize = env_or("ILL_BENCH_FULL", 20);
    let shape = Shape::year_ending(test_epoch(), requests, 1);
    let url = generated_history(backend, &shape, "network statistics").await;
    let app = spawn_app_on(url, |settings| {
        settings.bootstrap_admin_token = None;
        settings.scheduler_interval = Duration::from_secs(24 * 60 * 60);
    })
    .await;
    let state = &app.server.state;
    let db = state.database();
    let period = Period::new(state.today(), None, None).unwrap();
    let (from, to) = (period.from, period.to);
    let variables = json!({ "from": from.to_string(), "to": to.to_string() });

    // The answers agree, and the median is the exact one.
    let network = queries::statistics_of(db, from, to, LibraryRows::None)
        .await
        .unwrap();
    let mut every = queries::statistics(db, from, to, None).await.unwrap();
    assert!(!every.libraries.is_empty());
    every.libraries.clear();
    assert_eq!(network, every);
    assert!(network.network.placed > 0, "a year of requests");
    assert_eq!(
        network.network.median_days_to_receive,
        exact_receive_median(db, from, to).await
    );
    let library = state.libraries.all()[0].id.clone();
    let (token, hash) = api::auth::new_token();
    let account = Account {
        library,
        name: "stats-bench".into(),
        role: Role::Staff,
    };
    store::accounts::add_token(db, &account, &hash)
        .await
        .unwrap();
    let answer: Value = app.ok(&token, NETWORK, variables.clone()).await;
    let with_libraries: Value = app.ok(&token, WITH_LIBRARIES, variables.clone()).await;
    for field in ["network", "declinedByReason", "monthly"] {
        assert_eq!(
            answer["statistics"][field], with_libraries["statistics"][field],
            "{field}"
        );
    }
    println!(
        "network statistics {backend:?}: {from}..={to}: {} placed, {} filled, median {} days \
         to receive, {} libraries with a counted event",
        network.network.placed,
        network.network.filled,
        network.network.median_days_to_receive.unwrap_or(f64::NAN),
        with_libraries["statistics"]["libraries"]
            .as_array()
            .map_or(0, Vec::len)
    );

    let (mut graphql, mut typenames) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + queries_timed {
        let started = Instant::now();
        app.ok(&token, TYPENAME, json!({})).await;
        let typename = started.elapsed();
        let started = Instant::now();
        app.ok(&token, NETWORK, variables.clone()).await;
        let statistics = started.elapsed();
        if i >= WARM_UP {
            graphql.push(statistics);
            typenames.push(typename);
        }
    }
    report(
        &format!("network statistics {backend:?} GraphQL over HTTP, without libraries"),
        "{ __typename }",
        &mut graphql,
        &mut typenames,
    );

    let (mut reads, mut selects) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + queries_timed {
        let started = Instant::now();
        let one: i32 =
            on_db!(db, pool => sqlx::query_scalar("SELECT 1").fetch_one(pool).await).unwrap();
        let select = started.elapsed();
        assert_eq!(one, 1);
        let started = Instant::now();
        queries::statistics_of(db, from, to, LibraryRows::None)
            .await
            .unwrap();
        let read = started.elapsed();
        if i >= WARM_UP {
            reads.push(read);
            selects.push(select);
        }
    }
    report(
        &format!("network statistics {backend:?} queries::statistics_of, no library rows"),
        "SELECT 1",
        &mut reads,
        &mut selects,
    );

    let (mut whole, mut typenames) = (Vec::new(), Vec::new());
    for _ in 0..full {
        let started = Instant::now();
        app.ok(&token, TYPENAME, json!({})).await;
        typenames.push(started.elapsed());
        let started = Instant::now();
        app.ok(&token, WITH_LIBRARIES, variables.clone()).await;
        whole.push(started.elapsed());
    }
    report(
        &format!("network statistics {backend:?} GraphQL over HTTP, with libraries (every library's rows and medians)"),
        "{ __typename }",
        &mut whole,
        &mut typenames,
    );
    app.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored"]
async fn postgres() {
    network_statistics_benchmark(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored"]
async fn sqlite() {
    network_statistics_benchmark(Backend::Sqlite).await;
}
