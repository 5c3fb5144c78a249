//! The scheduler's pass at scale (issue 20): small in CI, large on request.
//! One store per run (the pass changes it), e.g.
//!
//!     createdb -h 127.0.0.1 -U postgres ill_bench_scheduler
//!     ILL_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ill_bench_scheduler \
//!     ILL_BENCH_REQUESTS=1000000 cargo test --release -p ill-tests --test reliability \
//!         -- --nocapture scheduler_pass::postgres
//!     ILL_BENCH_SQLITE_URL=sqlite:///tmp/ill-bench-scheduler.sqlite \
//!     ILL_BENCH_REQUESTS=1000000 cargo test --release -p ill-tests --test reliability \
//!         -- --nocapture scheduler_pass::sqlite
//!
//! On an empty store it generates a year of `ILL_BENCH_REQUESTS` requests
//! (`simulation`, 200 libraries, default 300 requests) ending at the test
//! epoch and rebuilds the read models; then it starts the real server there,
//! closes the `ILL_BENCH_CLOSED` lenders (default 10) with the most requests
//! whose answer falls due in the next day, and places `ILL_BENCH_NEEDED_BY`
//! requests (default 100) needed by today. It times, against the median
//! `SELECT count(*) FROM request_views` of the same run:
//! - an idle pass (median of 5): nothing due, what every pass costs;
//! - a day later, one pass with that day's work: timeouts, the closed
//!   lenders' requests whose windows the closures extend (left, not
//!   moved), and the needed-by expiries;
//! - the next passes (median of 5), the closures still in force: the
//!   closed lenders' requests are still overdue as the views record them.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::{
    Action, Actor, Clock, Closure, Item, LibraryChange, LibraryId, Origin, PatronInput,
    PlaceRequest, Role, ServiceType,
};
use ill_tests::history::{count_views, generated_history};
use ill_tests::{spawn_app_on, test_epoch, Backend, TestApp};
use projections::queries;
use simulation::{network, Shape};
use store::backend::{micros, on_db};
use store::on_both_backends;
use store::testing::bench::env_or;
use uuid::Uuid;

const SMALL: usize = 300;
/// The lenders with the most requests waiting for an answer due by $1.
const BUSIEST_DUE: &str = "SELECT lender FROM request_views
 WHERE status = 'REQUESTED' AND respond_by_us <= $1
 GROUP BY lender ORDER BY count(*) DESC, lender LIMIT $2";

async fn median_of_5<F: std::future::Future>(mut run: impl FnMut() -> F) -> (Duration, F::Output) {
    let mut times = Vec::with_capacity(5);
    let mut last = None;
    for _ in 0..5 {
        let started = Instant::now();
        last = Some(run().await);
        times.push(started.elapsed());
    }
    times.sort();
    (times[2], last.expect("five runs"))
}

fn staff_of(library: &LibraryId) -> Actor {
    Actor::new("bench-staff", library.clone(), Role::Staff)
}

/// Closes `n` lenders from today to the day after tomorrow: their
/// requests due tomorrow are extended, not timed out.
async fn close_busiest(app: &TestApp, n: i64) -> Vec<LibraryId> {
    let state = &app.server.state;
    let tomorrow = micros(app.clock.now() + chrono::Duration::days(1));
    let lenders: Vec<String> = on_db!(state.database(), pool => sqlx::query_scalar(BUSIEST_DUE)
        .bind(tomorrow)
        .bind(n)
        .fetch_all(pool)
        .await)
    .unwrap();
    let today = state.today();
    let mut closed = Vec::new();
    for lender in lenders {
        let id = LibraryId::from(lender.as_str());
        let closure = Closure {
            from: today,
            to: today + chrono::Duration::days(2),
            reason: Some("inventory".into()),
        };
        let change = LibraryChange::SetClosures {
            closures: vec![closure],
            today,
        };
        state
            .commands
            .library(staff_of(&id), &id, change, Uuid::new_v4())
            .await
            .unwrap_or_else(|e| panic!("close {lender}: {}", e.message()));
        closed.push(id);
    }
    closed
}

/// Places `n` requests needed by today, each from one library to another.
async fn place_needed_by_today(app: &TestApp, shape: &Shape, closed: &[LibraryId], n: usize) {
    let state = &app.server.state;
    let members = network(shape);
    let lenders: Vec<&LibraryId> = members
        .iter()
        .filter(|m| m.lends && m.suspended.is_none() && !closed.contains(&m.id))
        .map(|m| &m.id)
        .collect();
    for i in 0..n {
        let borrower = &members[i % members.len()].id;
        let lender = lenders
            .iter()
            .cycle()
            .skip(i % lenders.len())
            .find(|l| **l != borrower)
            .expect("another lender");
        let place = PlaceRequest {
            patron_ref: Uuid::new_v4(),
            patron: PatronInput {
                barcode: "2100012345".into(),
                name: None,
                email: None,
            },
            item: Item::titled("The Long Winter"),
            service_type: ServiceType::Loan,
            lenders: vec![(*lender).clone().into()],
            needed_by: Some(state.today()),
            note: None,
        };
        state
            .commands
            .request(
                Origin::Person(staff_of(borrower)),
                Uuid::new_v4(),
                None,
                Action::Place(place),
                Uuid::new_v4(),
            )
            .await
            .unwrap_or_else(|e| panic!("place a request: {}", e.message()));
    }
}

async fn scheduler_pass(backend: Backend) {
    let requests = env_or("ILL_BENCH_REQUESTS", SMALL);
    let shape = Shape::year_ending(test_epoch(), requests, 1);
    let url = generated_history(backend, &shape, "scheduler pass").await;
    // The background scheduler sweeps once on taking the lead, then only
    // when nudged: the passes timed here run alone.
    let app = spawn_app_on(url, |settings| {
        settings.scheduler_interval = Duration::from_secs(24 * 60 * 60);
    })
    .await;
    let state = &app.server.state;
    let db = state.database().clone();
    let closed = close_busiest(&app, env_or("ILL_BENCH_CLOSED", 10)).await;
    let needed = env_or("ILL_BENCH_NEEDED_BY", 100usize);
    place_needed_by_today(&app, &shape, &closed, needed).await;
    let tomorrow = state.today() + chrono::Duration::days(1);
    let started = Instant::now();
    while queries::expiring(&db, tomorrow).await.unwrap().len() < needed {
        assert!(started.elapsed() < Duration::from_secs(60), "not projected");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Let the sweep that the closures nudged finish.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let views = count_views(&db).await;
    let (baseline, _) = median_of_5(|| count_views(&db)).await;
    let (idle, moved) = median_of_5(|| api::scheduler::sweep(state)).await;
    assert_eq!(moved.unwrap_or_else(|e| panic!("{}", e.message())), 0);

    app.clock.advance(chrono::Duration::days(1));
    let now: DateTime<Utc> = app.clock.now();
    let due = queries::unanswered(&db, now).await.unwrap().len();
    let expiring = queries::expiring(&db, state.today()).await.unwrap().len();
    assert_eq!(expiring, needed);
    let started = Instant::now();
    let moved = api::scheduler::sweep(state)
        .await
        .unwrap_or_else(|e| panic!("{}", e.message()));
    let busy = started.elapsed();
    // Every expiry is carried out; of the timeouts, those at the closed
    // lenders (the busiest with answers due) are left: their windows are
    // extended. A small history may have no timeout due that day.
    assert!(moved >= expiring, "{moved}");
    if due > 0 {
        assert!(moved < due + expiring, "{moved} of {due} timeouts moved");
    } else {
        assert_eq!(moved, expiring);
    }
    // Once the moves are projected, only the closed lenders' requests are
    // still overdue as the views record them; the next pass, the closures
    // still in force, moves nothing and loads none of them.
    let extended = due + expiring - moved;
    let started = Instant::now();
    while queries::unanswered(&db, now).await.unwrap().len() != extended {
        assert!(started.elapsed() < Duration::from_secs(60), "not projected");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (next, moved_next) = median_of_5(|| api::scheduler::sweep(state)).await;
    assert_eq!(moved_next.unwrap_or_else(|e| panic!("{}", e.message())), 0);
    let ratio = |d: Duration| d.as_secs_f64() / baseline.as_secs_f64().max(1e-9);
    println!(
        "scheduler pass {backend:?}: {views} request views; SELECT count(*) {baseline:.2?}\n\
         \x20 idle pass (nothing due): {idle:.2?}, {:.2} × the count\n\
         \x20 a day later: {busy:.2?}, {:.2} × the count: {due} timeouts due ({} closed \
         lenders), {expiring} needed-by expiries; {moved} moved, {extended} extended by \
         closures\n\
         \x20 the next pass (median of 5), the closures still in force: {next:.2?}, {:.2} × \
         the count",
        ratio(idle),
        ratio(busy),
        closed.len(),
        ratio(next),
    );
    app.server.stop().await;
}
on_both_backends!(scheduler_pass);
