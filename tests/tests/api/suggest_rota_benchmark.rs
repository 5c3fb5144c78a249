//! `suggestRota` at the scale issue 19 asks for: 200 libraries and a year of
//! history, on a `--demo` store of `ILL_BENCH_REQUESTS` requests (default
//! 100,000) with the demo's catalogue. It times `ILL_BENCH_QUERIES` rotas
//! (default 2,000; 200 more first to warm up) for records of the demo
//! catalogue and borrowers across the network, two ways, each against a
//! baseline timed just before it in the same run:
//! - the function, `catalogue::rota::suggest`, against `SELECT 1` on the
//!   same pool;
//! - the GraphQL query over HTTP, against `{ __typename }` from the same
//!   client.
//!
//! Ignored: run it in release (BENCHMARKS.md, "suggestRota"), e.g.
//!
//!     cargo test --release -p ill-tests --test api -- --ignored --nocapture \
//!         suggest_rota_benchmark
//!
//! `ILL_BENCH_DATABASE_URL` / `ILL_BENCH_SQLITE_URL` keep the demo store
//! between runs (a store that is not empty is used as it is).

use std::collections::BTreeSet;
use std::time::Instant;

use catalogue::rota::{self, RotaFor};
use domain::{LibraryId, ServiceType};
use ill_tests::history::{demo_server, staff_tokens};
use ill_tests::latency::report;
use ill_tests::{test_epoch, Backend};
use serde_json::json;
use simulation::Shape;
use store::backend::on_db;
use store::testing::bench::env_or;

const SUGGEST: &str = "query($record: ID!) { suggestRota(record: $record) { library { id } } }";
const TYPENAME: &str = "{ __typename }";
/// Borrowers with a token for the GraphQL half.
const BORROWERS: usize = 20;
const WARM_UP: usize = 200;

async fn suggest_rota_benchmark(backend: Backend) {
    let requests: usize = env_or("ILL_BENCH_REQUESTS", 100_000);
    let queries: usize = env_or("ILL_BENCH_QUERIES", 2_000);
    let app = demo_server(backend, requests, "suggestRota").await;
    let state = &app.server.state;
    let db = state.database();
    let shape = Shape::year_ending(test_epoch(), requests, api::demo::DEMO_SEED);
    let catalogue = api::demo::catalogue(&shape);
    let records: Vec<&str> = catalogue
        .titles
        .iter()
        .filter_map(|t| t.record_id.as_deref())
        .collect();
    let libraries: Vec<LibraryId> = state.libraries.all().into_iter().map(|l| l.id).collect();
    let services = &state.commands.services;
    let today = services.calendar.date_of(services.clock.now());
    let excluded = BTreeSet::new();
    // Spread over the records and the borrowers (coprime strides).
    let pick = |i: usize| {
        (
            records[i * 7_919 % records.len()],
            &libraries[i * 31 % libraries.len()],
        )
    };

    let (mut rotas, mut selects) = (Vec::with_capacity(queries), Vec::with_capacity(queries));
    let mut empty = 0;
    for i in 0..WARM_UP + queries {
        let (record, borrower) = pick(i);
        let started = Instant::now();
        let one: i32 =
            on_db!(db, pool => sqlx::query_scalar("SELECT 1").fetch_one(pool).await).unwrap();
        let select = started.elapsed();
        assert_eq!(one, 1);
        let rota_for = RotaFor {
            record,
            borrower,
            service: ServiceType::Loan,
            today,
            excluded: &excluded,
            max: state.max_rota,
        };
        let started = Instant::now();
        let candidates = rota::suggest(db, services.directory.as_ref(), &rota_for)
            .await
            .unwrap();
        let rota = started.elapsed();
        if i >= WARM_UP {
            rotas.push(rota);
            selects.push(select);
            empty += usize::from(candidates.is_empty());
        }
    }
    // Most records have a lender for most borrowers: the rotas did work.
    assert!(empty * 10 < queries, "{empty} of {queries} rotas empty");
    report(
        &format!("suggestRota {backend:?} catalogue::rota::suggest"),
        "SELECT 1",
        &mut rotas,
        &mut selects,
    );

    let borrowers = &libraries[..BORROWERS.min(libraries.len())];
    let tokens = staff_tokens(db, borrowers, "rota-bench").await;
    let (mut graphql, mut typenames) = (Vec::with_capacity(queries), Vec::with_capacity(queries));
    for i in 0..WARM_UP + queries {
        let (record, _) = pick(i);
        let token = &tokens[i % tokens.len()];
        let started = Instant::now();
        app.ok(token, TYPENAME, json!({})).await;
        let typename = started.elapsed();
        let started = Instant::now();
        app.ok(token, SUGGEST, json!({ "record": record })).await;
        let suggest = started.elapsed();
        if i >= WARM_UP {
            graphql.push(suggest);
            typenames.push(typename);
        }
    }
    report(
        &format!("suggestRota {backend:?} GraphQL suggestRota over HTTP"),
        "{ __typename }",
        &mut graphql,
        &mut typenames,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored"]
async fn postgres() {
    suggest_rota_benchmark(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored"]
async fn sqlite() {
    suggest_rota_benchmark(Backend::Sqlite).await;
}
