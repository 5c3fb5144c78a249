//! The queue page right after `--demo` (issue 17: p99 ≤ 20 ms): the web
//! client's own queue query (`api/web/app.js`, `QUEUE_QUERY`: the counts and
//! the first 50 rows, answer due first) over HTTP, for the libraries of a
//! `--demo` store of `ILL_BENCH_REQUESTS` requests (default: the demo's own
//! 24,000), each side in turn, `ILL_BENCH_QUERIES` times (default 2,000),
//! beginning as soon as the server says the demo is ready: no warm-up, as
//! staff would meet it. Each page is timed against `{ __typename }` from
//! the same client with the same token just before it.
//!
//! Ignored: run it in release (BENCHMARKS.md, "The queue page right after
//! `--demo`"), e.g.
//!
//!     cargo test --release -p ill-tests --test api -- --ignored --nocapture \
//!         queue_page_benchmark
//!
//! `ILL_BENCH_DATABASE_URL` / `ILL_BENCH_SQLITE_URL` name the store (a
//! store that is not empty is used as it is, which is then not "right
//! after").

use std::time::Instant;

use domain::LibraryId;
use ill_tests::history::{demo_server, staff_tokens};
use ill_tests::latency::report;
use ill_tests::Backend;
use serde_json::json;
use store::testing::bench::env_or;

const QUEUE: &str = "query Queue($library: ID!, $side: QueueSide!, $status: [RequestStatus!], \
     $order: QueueOrder, $after: String, $borrowing: Boolean!) {
  queueCounts(library: $library, side: $side) { status count }
  queue(library: $library, side: $side, status: $status, orderBy: $order, first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id status serviceType placedAt updatedAt respondBy dueDate neededBy overdue recalled
      renewalPending cancelPending
      item { title author }
      borrower { id name }
      lender { id name }
      patron @include(if: $borrowing) { barcode }
    } }
  }
}";
const TYPENAME: &str = "{ __typename }";

async fn queue_page_benchmark(backend: Backend) {
    let requests: usize = env_or("ILL_BENCH_REQUESTS", api::config::DEMO_REQUESTS);
    let queries: usize = env_or("ILL_BENCH_QUERIES", 2_000);
    let app = demo_server(backend, requests, "queue page").await;
    let state = &app.server.state;
    let libraries: Vec<LibraryId> = state.libraries.all().into_iter().map(|l| l.id).collect();
    let tokens = staff_tokens(state.database(), &libraries, "queue-bench").await;
    let (mut pages, mut typenames) = (Vec::with_capacity(queries), Vec::with_capacity(queries));
    let mut empty = 0;
    for i in 0..queries {
        // Across the libraries (a stride coprime to their number), each
        // side in turn.
        let n = i * 31 % libraries.len();
        let borrowing = i % 2 == 0;
        let variables = json!({
            "library": libraries[n].as_str(),
            "side": if borrowing { "BORROWING" } else { "LENDING" },
            "status": null,
            "order": "RESPOND_BY",
            "after": null,
            "borrowing": borrowing,
        });
        let started = Instant::now();
        app.ok(&tokens[n], TYPENAME, json!({})).await;
        typenames.push(started.elapsed());
        let started = Instant::now();
        let page = app.ok(&tokens[n], QUEUE, variables).await;
        pages.push(started.elapsed());
        let rows = page["queue"]["edges"].as_array().expect("the page's rows");
        empty += usize::from(rows.is_empty());
    }
    // Most queues hold requests after a year of traffic: the pages did work.
    assert!(empty * 10 < queries, "{empty} of {queries} pages empty");
    report(
        &format!("queue page {backend:?}, right after --demo of {requests} requests"),
        "{ __typename }",
        &mut pages,
        &mut typenames,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored"]
async fn postgres() {
    queue_page_benchmark(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run in release with --ignored"]
async fn sqlite() {
    queue_page_benchmark(Backend::Sqlite).await;
}
