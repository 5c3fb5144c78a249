//! The full stack's command throughput (issue 4): small in CI, large on
//! request, e.g.
//!
//!     ILL_BENCH_LOANS=40 cargo test --release -p ill-tests --test throughput -- --nocapture
//!
//! The real server on PostgreSQL; 1 and 16 concurrent HTTP clients each run
//! `ILL_BENCH_LOANS` whole LOAN lifecycles (default 2), 8 mutations each
//! (placeRequest, willSupply, ship, receive, checkOutToPatron,
//! returnFromPatron, shipReturn, checkIn). Reported: commands/s, latency
//! p50/p99, and the ratio to a raw single-row-insert transaction rate (the
//! same number of `BEGIN; INSERT …; COMMIT` through sqlx at the same
//! concurrency, on the same database) measured in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ill_tests::{spawn_app, Backend, TestApp};
use serde_json::json;
use store::testing::bench::{env_or, ms, percentile};

const CREATE_RAW: &str =
    "CREATE TABLE IF NOT EXISTS bench_raw (id uuid PRIMARY KEY, body text NOT NULL)";
const INSERT_RAW: &str = "INSERT INTO bench_raw (id, body) VALUES ($1, $2)";

const PLACE: &str =
    "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id status version } }";

/// One client's loans: the latency of every mutation.
async fn loans(
    app: &TestApp,
    borrower: &str,
    lender: &str,
    lender_id: &str,
    n: usize,
) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(n * 8);
    for _ in 0..n {
        let input = json!({
            "patron": { "barcode": "2100012345", "name": "Ada Reader" },
            "item": { "title": "The Long Winter", "author": "Wilder, Laura Ingalls" },
            "lenders": [lender_id],
        });
        let started = Instant::now();
        let placed = app.ok(borrower, PLACE, json!({ "input": input })).await;
        latencies.push(started.elapsed());
        let id = placed["placeRequest"]["id"].clone();
        assert_eq!(placed["placeRequest"]["status"], "REQUESTED", "{placed}");
        let steps = [
            (lender, "willSupply(id: $id)"),
            (lender, "ship(id: $id, dueDate: \"2026-04-15\")"),
            (borrower, "receive(id: $id)"),
            (borrower, "checkOutToPatron(id: $id)"),
            (borrower, "returnFromPatron(id: $id)"),
            (borrower, "shipReturn(id: $id)"),
            (lender, "checkIn(id: $id)"),
        ];
        for (token, mutation) in steps {
            let query = format!("mutation($id: UUID!) {{ {mutation} {{ id status version }} }}");
            let started = Instant::now();
            app.ok(token, &query, json!({ "id": id })).await;
            latencies.push(started.elapsed());
        }
    }
    latencies
}

/// `total` single-row insert transactions by `clients` concurrent tasks.
async fn raw_inserts(pool: &sqlx::PgPool, clients: usize, total: usize) -> Duration {
    let body = "x".repeat(400);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (pool, body) = (pool.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..total / clients {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query(INSERT_RAW)
                    .bind(uuid::Uuid::new_v4())
                    .bind(&body)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_throughput_against_raw_inserts() {
    let per_client = env_or("ILL_BENCH_LOANS", 2usize);
    let app = Arc::new(spawn_app(Backend::Postgres).await);
    let clients_max = 16;
    let mut tokens = Vec::new();
    for i in 0..clients_max {
        let (b, l) = (format!("BOR{i:02}"), format!("LEN{i:02}"));
        app.register_library(&b, true).await;
        app.register_library(&l, true).await;
        let bt = app.token(&b, "staff", "STAFF").await;
        let lt = app.token(&l, "staff", "STAFF").await;
        tokens.push((bt, lt, l));
    }
    // The same pool settings as the server's store.
    let pool = match store::Database::connect(&app.database_url).await.unwrap() {
        store::Database::Postgres(pool) => pool,
        store::Database::Sqlite(_) => unreachable!(),
    };
    sqlx::query(CREATE_RAW).execute(&pool).await.unwrap();
    // Warm up: connections, statement caches.
    loans(&app, &tokens[0].0, &tokens[0].1, &tokens[0].2, 1).await;
    raw_inserts(&pool, clients_max, clients_max).await;

    for clients in [1, clients_max] {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (b, l, lid) in &tokens[..clients] {
            let (app, b, l, lid) = (app.clone(), b.clone(), l.clone(), lid.clone());
            tasks.push(tokio::spawn(async move {
                loans(&app, &b, &l, &lid, per_client).await
            }));
        }
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.unwrap());
        }
        let elapsed = started.elapsed();
        let commands = latencies.len();
        let rate = commands as f64 / elapsed.as_secs_f64();

        let raw = raw_inserts(&pool, clients, commands).await;
        let raw_rate = (commands / clients * clients) as f64 / raw.as_secs_f64();
        println!(
            "throughput, {clients} HTTP client(s) × {per_client} loans: {commands} commands in \
             {elapsed:.2?} = {rate:.0} commands/s, latency p50 {:.1} ms, p99 {:.1} ms; \
             raw insert transactions at the same concurrency: {raw_rate:.0}/s; \
             ratio {:.3} (target ≥ 0.5 at 16)",
            ms(percentile(&mut latencies, 50.0)),
            ms(percentile(&mut latencies, 99.0)),
            rate / raw_rate,
        );
    }
    drop(pool);
    if let Ok(app) = Arc::try_unwrap(app) {
        app.server.stop().await;
    }
}

/// Notes per request in the addNote benchmark.
const NOTES_PER_REQUEST: usize = 10;
const ADD_NOTE: &str =
    "mutation($id: UUID!, $text: String!) { addNote(id: $id, text: $text) { id version } }";

/// `addNote` through GraphQL, 1 and 16 clients, each on requests of its own
/// (one event and one note row per command, `NOTES_PER_REQUEST` per run on
/// a request, so streams stay as short as real ones): the command path
/// alone, to set beside `pgbench`'s single-row inserts on the same
/// PostgreSQL (`benchmarks/add_note.sh` runs both). `ILL_BENCH_NOTES` per
/// client (default 20).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_note_throughput() {
    let per_client = env_or("ILL_BENCH_NOTES", 20usize);
    let app = Arc::new(spawn_app(Backend::Postgres).await);
    let clients_max = 16;
    let mut requests = Vec::new();
    for i in 0..clients_max {
        let (b, l) = (format!("BOR{i:02}"), format!("LEN{i:02}"));
        app.register_library(&b, true).await;
        app.register_library(&l, true).await;
        let token = app.token(&b, "staff", "STAFF").await;
        let mut ids = Vec::new();
        for _ in 0..per_client.div_ceil(NOTES_PER_REQUEST) + 1 {
            let input = json!({
                "patron": { "barcode": "2100012345" },
                "item": { "title": "The Long Winter" },
                "lenders": [l],
            });
            let placed = app.ok(&token, PLACE, json!({ "input": input })).await;
            ids.push(placed["placeRequest"]["id"].clone());
        }
        requests.push((token, ids));
    }
    // Warm up (connections, statement caches) on the spare request.
    app.ok(
        &requests[0].0,
        ADD_NOTE,
        json!({ "id": requests[0].1.last(), "text": "warm up" }),
    )
    .await;

    for clients in [1, clients_max] {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (token, ids) in &requests[..clients] {
            let (app, token, ids) = (app.clone(), token.clone(), ids.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_client);
                for n in 0..per_client {
                    let id = &ids[n / NOTES_PER_REQUEST];
                    let started = Instant::now();
                    let text = format!("note {n}: the patron called");
                    app.ok(&token, ADD_NOTE, json!({ "id": id, "text": text }))
                        .await;
                    latencies.push(started.elapsed());
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.unwrap());
        }
        let elapsed = started.elapsed();
        let commands = latencies.len();
        println!(
            "addNote, {clients} HTTP client(s): {commands} commands in {elapsed:.2?} = {:.0} \
             commands/s, latency p50 {:.1} ms, p99 {:.1} ms",
            commands as f64 / elapsed.as_secs_f64(),
            ms(percentile(&mut latencies, 50.0)),
            ms(percentile(&mut latencies, 99.0)),
        );
    }
    if let Ok(app) = Arc::try_unwrap(app) {
        app.server.stop().await;
    }
}
