//! Load (RELIABILITY.md, "Load"): concurrent clients drive whole request
//! lifecycles (with queue reads between steps) against one `ill-server`
//! process on PostgreSQL. Reports throughput, latency p50/p99, errors, the
//! projector's lag p99 (sampled from `/metrics`) and the server's peak
//! memory, and, as DESIGN.md asks of benchmarks, a ratio against a baseline
//! measured in the same run on the same machine: single-row INSERTs over
//! as many connections as the server's pool. Passes with no 5xx, no
//! INTERNAL, no unanswered call, every acknowledged mutation in the log and
//! `ill-replay verify`.
//!
//! CI: 16 clients for 6 s. `ILL_LONG=1`: 64 clients for 30 s (the figures
//! in RELIABILITY.md come from a release build; the command is there).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ill_tests::nodes::{self, Node, NodeConfig};
use ill_tests::workload::{
    self, check_log, long_run, percentile, run_load, sample_lag, setup_network, LoadConfig, Targets,
};
use store::testing::{fresh_url, Backend};
use uuid::Uuid;

/// The server's pool size (projections/src/database.rs): the baseline uses
/// as many connections.
const POOL: u32 = 20;

/// Single-row INSERTs per second over `POOL` connections from `clients`
/// tasks, for `duration`: what the database alone does on this machine now.
async fn baseline_inserts(url: &str, clients: usize, duration: Duration) -> f64 {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(POOL)
        .connect(url)
        .await
        .expect("connect for the baseline");
    sqlx::query("CREATE TABLE load_baseline (id bigserial PRIMARY KEY, payload json NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut inserted = 0u64;
                while Instant::now() < deadline {
                    sqlx::query("INSERT INTO load_baseline (payload) VALUES ($1::json)")
                        .bind(r#"{"RequestPlaced":{"borrower":"B1","item":{"title":"x"}}}"#)
                        .execute(&pool)
                        .await
                        .unwrap();
                    inserted += 1;
                }
                inserted
            })
        })
        .collect();
    let mut inserted = 0;
    for task in tasks {
        inserted += task.await.unwrap();
    }
    sqlx::query("DROP TABLE load_baseline")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    inserted as f64 / duration.as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_node_under_concurrent_clients() {
    let long = long_run();
    let (clients, duration) = if long {
        (64, Duration::from_secs(30))
    } else {
        (16, Duration::from_secs(6))
    };
    let seed = workload::seed("load");
    let url = fresh_url(Backend::Postgres).await;
    let admin = format!("ill_test_admin_{}", Uuid::new_v4().simple());
    let mut node = Node::start("loaded", &NodeConfig::new(&url, &admin)).await;
    let client = reqwest::Client::new();
    let accounts = Arc::new(setup_network(&client, &node.base, &admin, 8, 12, &[]).await);
    let idle_memory = node.memory_kib().unwrap_or(0);

    let baseline =
        baseline_inserts(&url, clients, Duration::from_secs(if long { 5 } else { 2 })).await;

    let targets = Arc::new(Targets::new(vec![node.base.clone()]));
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let lag = sample_lag(
        client.clone(),
        targets.clone(),
        Duration::from_millis(100),
        stop_sampling.clone(),
    );
    let result = run_load(
        targets,
        accounts,
        LoadConfig {
            agents: clients,
            duration,
            seed,
            read_share: 0.5,
            call_limit: Duration::from_secs(30),
        },
    )
    .await;
    stop_sampling.store(true, Ordering::SeqCst);
    let lag = lag.await.expect("the lag sampler");
    let per_projection = lag.per_projection();
    let mut lag = lag.worst;
    let peak_memory = node.peak_memory_kib().unwrap_or(0);

    let stats = &result.stats;
    let seconds = result.elapsed.as_secs_f64();
    let mut latencies = stats.latencies.clone();
    let mut mutations = stats.mutation_latencies.clone();
    let mutation_rate = stats.mutations_ok as f64 / seconds;
    eprintln!(
        "load: {clients} clients for {seconds:.1} s against one node ({} build): {} calls ({:.0}/s), \
         {} mutations acknowledged ({mutation_rate:.0}/s), {} reads; latency p50 {:.1} ms p99 {:.1} ms \
         (mutations p50 {:.1} ms p99 {:.1} ms); errors: 5xx {}, INTERNAL {}, no answer {}, refused {:?}; \
         {} lifecycles ended",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        stats.calls,
        stats.calls as f64 / seconds,
        stats.mutations_ok,
        stats.reads_ok,
        percentile(&mut latencies, 0.5) * 1e3,
        percentile(&mut latencies, 0.99) * 1e3,
        percentile(&mut mutations, 0.5) * 1e3,
        percentile(&mut mutations, 0.99) * 1e3,
        stats.http_5xx,
        stats.internal,
        stats.transport,
        stats.refused,
        stats.lifecycles_ended,
    );
    eprintln!(
        "load: projector lag p50 {:.3} s p99 {:.3} s max {:.3} s ({} samples; {per_projection}); server memory {:.1} MiB idle, \
         {:.1} MiB peak; baseline {baseline:.0} raw INSERTs/s, so mutations at {:.3}× the raw insert rate",
        percentile(&mut lag, 0.5),
        percentile(&mut lag, 0.99),
        percentile(&mut lag, 1.0),
        lag.len(),
        idle_memory as f64 / 1024.0,
        peak_memory as f64 / 1024.0,
        mutation_rate / baseline,
    );

    assert_eq!(stats.http_5xx, 0, "5xx answers: {:?}", stats.examples);
    assert_eq!(stats.internal, 0, "INTERNAL answers: {:?}", stats.examples);
    assert_eq!(stats.transport, 0, "unanswered calls: {:?}", stats.examples);
    assert!(stats.mutations_ok > 100, "too little load: {stats:?}");
    assert!(node.is_running());
    assert!(node.panics().is_empty(), "{:?}", node.panics());

    workload::wait_for_projections(
        &client,
        std::slice::from_ref(&node.base),
        Duration::from_secs(60),
    )
    .await;
    let report = check_log(&url, &result.acks, true).await;
    let verify = nodes::replay_verify(&url).await;
    eprintln!(
        "load: log holds {} events of {} requests; all {} acknowledged mutations found; \
         ill-replay verify passed in {:.1} s",
        report.events,
        report.requests,
        report.acks_checked,
        verify.as_secs_f64()
    );
    node.terminate(Duration::from_secs(30));
}
