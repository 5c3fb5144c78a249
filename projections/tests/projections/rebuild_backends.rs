//! SQLite's rebuild and verify against PostgreSQL's (issue 17): small in CI,
//! large on request, e.g. the 900,000-event history
//!
//!     ILL_BENCH_REQUESTS=100000 cargo test --release -p projections --test projections \
//!         -- --nocapture rebuild_backends
//!
//! The same history (`simulation` is deterministic for a shape:
//! `ILL_BENCH_LIBRARIES` libraries, default 200, `ILL_BENCH_REQUESTS`
//! requests, default 300) is generated into a fresh store of each backend;
//! then, in this order, PostgreSQL's rebuild, SQLite's, PostgreSQL's verify,
//! SQLite's, each timed. It reports each one's rate in events/s and
//! SQLite's rate ÷ PostgreSQL's, which the issue asks to be at least 0.4.
//! The rebuilds swap in over empty live tables; the verifies then find them
//! equal (asserted).

use std::time::{Duration, Instant};

use domain::Calendar;
use projections::rebuild;
use simulation::{generate, Shape};
use store::testing::bench::env_or;
use store::testing::{fresh_database, Backend};
use store::Database;

/// Requests in the CI-sized run.
const SMALL: usize = 300;

fn rate(events: u64, elapsed: Duration) -> f64 {
    events as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// A rebuild's time; it must have read the whole log (on PostgreSQL a long
/// transaction elsewhere on the server would hide it).
async fn timed_rebuild(db: &Database, calendar: Calendar, events: u64) -> Duration {
    let started = Instant::now();
    let summary = rebuild::rebuild(db, calendar, None).await.expect("rebuild");
    let elapsed = started.elapsed();
    assert!(summary.projections.iter().all(|p| p.events == events));
    elapsed
}

async fn timed_verify(db: &Database, calendar: Calendar) -> Duration {
    let started = Instant::now();
    let differences = rebuild::verify(db, calendar, drop).await.expect("verify");
    let elapsed = started.elapsed();
    assert!(differences.is_empty(), "{differences:#?}");
    elapsed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_against_postgres() {
    let shape = Shape {
        requests: env_or("ILL_BENCH_REQUESTS", SMALL),
        libraries: env_or("ILL_BENCH_LIBRARIES", 200),
        ..Shape::default()
    };
    let calendar = Calendar::default();
    let (postgres, sqlite) = (
        fresh_database(Backend::Postgres).await,
        fresh_database(Backend::Sqlite).await,
    );
    let started = Instant::now();
    let events = generate(&postgres, &shape).await.expect("generate").events;
    let generated = generate(&sqlite, &shape).await.expect("generate").events;
    assert_eq!(generated, events, "the same history on both");
    println!(
        "rebuild_backends: {events} events of {} requests on each backend, generated in {:.1?}",
        shape.requests,
        started.elapsed()
    );

    let postgres_rebuild = timed_rebuild(&postgres, calendar, events).await;
    let sqlite_rebuild = timed_rebuild(&sqlite, calendar, events).await;
    let postgres_verify = timed_verify(&postgres, calendar).await;
    let sqlite_verify = timed_verify(&sqlite, calendar).await;
    for (what, postgres, sqlite) in [
        ("rebuild", postgres_rebuild, sqlite_rebuild),
        ("verify", postgres_verify, sqlite_verify),
    ] {
        let (p, s) = (rate(events, postgres), rate(events, sqlite));
        println!(
            "  {what}: PostgreSQL {postgres:.2?} ({p:.0} events/s), SQLite {sqlite:.2?} \
             ({s:.0} events/s); SQLite ÷ PostgreSQL = {:.3} (target ≥ 0.4)",
            s / p
        );
    }
}
