//! Random histories, many requests interleaved, driven through the real
//! event store with a clock that runs over days and months: the tables the
//! projector keeps incrementally (in random batch sizes, caught up at random
//! moments) equal a rebuild from position 0, and equal a naive reference
//! computed straight from the events: request views and histories, the
//! directory, every queue page by page, queue counts, every statistic.

use crate::world::{all_events, assert_read_models, reset, Reference, Step, World};
use projections::{rebuild, Projector};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use store::testing::{fresh_database, Backend};
use store::Database;

/// Cases per backend (the issue asks for at least 200 in all).
const CASES: u32 = 100;

#[derive(Debug, Clone)]
struct Case {
    steps: Vec<Step>,
    /// After which steps the projector catches up, besides the end.
    catch_ups: Vec<usize>,
    batch_size: u32,
    /// Picks the statistics ranges.
    days: (u16, u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => (any::<u8>(), any::<u16>(), prop::bool::weighted(0.3))
            .prop_map(|(borrower, rota, copy)| Step::Place { borrower, rota, copy }),
        12 => (any::<u8>(), any::<u16>(), prop::bool::weighted(0.15))
            .prop_map(|(request, pick, coordinator)| Step::Act { request, pick, coordinator }),
        3 => prop_oneof![1..240u32, 600..3_000u32, 20_000..50_000u32]
            .prop_map(|minutes| Step::Advance { minutes }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(library, kind)| Step::Library { library, kind }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(step(), 5..70),
        prop::collection::vec(0..70usize, 0..4),
        1..12u32,
        any::<(u16, u16)>(),
    )
        .prop_map(|(steps, catch_ups, batch_size, days)| Case {
            steps,
            catch_ups,
            batch_size,
            days,
        })
}

async fn run_case(db: &Database, case: &Case) {
    reset(db).await;
    let mut world = World::new(db.clone()).await;
    let projector = Projector::new(db.clone(), world.calendar).with_batch_size(case.batch_size);
    for (i, step) in case.steps.iter().enumerate() {
        world.step(step).await;
        if case.catch_ups.contains(&i) {
            projector.catch_up().await.expect("catch up");
        }
    }
    projector.catch_up().await.expect("catch up");

    let reference = Reference::from_events(&all_events(db).await, &world.calendar);
    assert_read_models(db, &reference, case.days).await;
    // Verify's first look: the projected rows are byte for byte the rows a
    // rebuild writes.
    let matched = rebuild::fingerprints_match(db, world.calendar, drop)
        .await
        .expect("fingerprints");
    assert!(matched, "fingerprints differ");
    let differences = rebuild::verify(db, world.calendar, drop)
        .await
        .expect("verify");
    assert!(differences.is_empty(), "{differences:#?}");
    rebuild::rebuild(db, world.calendar, None)
        .await
        .expect("rebuild");
    assert_read_models(db, &reference, case.days).await;
}

fn property(backend: Backend) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(fresh_database(backend));
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    });
    let outcome = runner.run(&case(), |case| {
        runtime.block_on(run_case(&db, &case));
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[test]
fn postgres() {
    property(Backend::Postgres);
}

#[test]
fn sqlite() {
    property(Backend::Sqlite);
}
