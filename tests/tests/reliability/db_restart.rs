//! The database restarts under load (RELIABILITY.md, "PostgreSQL
//! restarted"): on a throwaway cluster of its own (never the machine's
//! shared one), two nodes serve a mixed load while PostgreSQL is restarted
//! with `pg_ctl restart -m immediate` (every backend killed, crash recovery)
//! and later stopped the same way for a few seconds.
//!
//! Passes when every call during the outages fails with an error within the
//! request timeout (none hangs, none is a 5xx), both nodes serve again by
//! themselves once the database is back (queries, commands, the projector
//! and the change feed), a clean load afterwards sees no failure at all, no
//! acknowledged mutation is lost, and `ill-replay verify` passes.
//! `ILL_LONG=1`: a longer run with more restarts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ill_tests::nodes::{self, Node, NodeConfig, PgCluster};
use ill_tests::workload::{
    self, check_log, long_run, must, percentile, run_load, sample_lag, setup_network,
    wait_for_projections, LoadConfig, Targets,
};
use serde_json::json;
use uuid::Uuid;

/// The nodes' `--request-timeout-secs`.
const REQUEST_TIMEOUT: u64 = 10;
/// How long a node may take to serve again once the database is back.
const RECOVERY_LIMIT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy)]
enum Fault {
    /// `pg_ctl restart -m immediate`.
    Restart,
    /// `pg_ctl stop -m immediate`, this long down, `pg_ctl start`.
    Down(Duration),
}

/// Waits until `me` answers on every node; how long that took.
async fn wait_until_served(client: &reqwest::Client, bases: &[String], admin: &str) -> Duration {
    let started = Instant::now();
    for base in bases {
        while !nodes::admin_answers(client, base, admin).await {
            assert!(
                started.elapsed() < RECOVERY_LIMIT,
                "{base} did not serve again within {RECOVERY_LIMIT:?} of the database's return"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    started.elapsed()
}

/// Registers `id` through `base` and waits until every node's directory
/// knows it: the projector and the other nodes' change feeds work again.
async fn register_and_spread(
    client: &reqwest::Client,
    bases: &[String],
    via: usize,
    admin: &str,
    id: &str,
) -> Duration {
    must(
        client,
        &bases[via],
        admin,
        "mutation($id: ID!) { registerLibrary(input: {id: $id, name: $id}) { id } }",
        json!({ "id": id }),
    )
    .await;
    let started = Instant::now();
    for base in bases {
        loop {
            let data = must(client, base, admin, "{ libraries { id } }", json!({})).await;
            if data["libraries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == id)
            {
                break;
            }
            assert!(
                started.elapsed() < RECOVERY_LIMIT,
                "{base} never heard of {id}: its change feed or the projector did not recover"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_ride_out_a_database_restart() {
    let long = long_run();
    let seed = workload::seed("db_restart");
    let cluster = Arc::new(PgCluster::start_async().await);
    let url = cluster.url();
    let admin = format!("ill_test_admin_{}", Uuid::new_v4().simple());
    let config = NodeConfig::new(&url, &admin).request_timeout(REQUEST_TIMEOUT);
    let mut cluster_nodes = vec![
        Node::start("db-node0", &config).await,
        Node::start("db-node1", &config).await,
    ];
    let bases: Vec<String> = cluster_nodes.iter().map(|n| n.base.clone()).collect();
    let client = reqwest::Client::new();
    let accounts = Arc::new(setup_network(&client, &bases[0], &admin, 3, 5, &[]).await);
    let libraries = 3 + 5 + 1;
    for base in &bases {
        let started = Instant::now();
        while must(&client, base, &admin, "{ libraries { id } }", json!({})).await["libraries"]
            .as_array()
            .unwrap()
            .len()
            < libraries
        {
            assert!(started.elapsed() < Duration::from_secs(20));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    let (agents, duration, faults) = if long {
        (
            24,
            Duration::from_secs(75),
            vec![
                (Duration::from_secs(8), Fault::Restart),
                (Duration::from_secs(20), Fault::Down(Duration::from_secs(8))),
                (Duration::from_secs(40), Fault::Restart),
                (Duration::from_secs(50), Fault::Restart),
                (Duration::from_secs(58), Fault::Down(Duration::from_secs(4))),
            ],
        )
    } else {
        (
            8,
            Duration::from_secs(22),
            vec![
                (Duration::from_secs(4), Fault::Restart),
                (Duration::from_secs(10), Fault::Down(Duration::from_secs(4))),
            ],
        )
    };
    let targets = Arc::new(Targets::new(bases.clone()));
    let load_config = LoadConfig {
        agents,
        duration,
        seed,
        read_share: 0.3,
        call_limit: Duration::from_secs(30),
    };
    let load = tokio::spawn(run_load(
        targets.clone(),
        accounts.clone(),
        load_config.clone(),
    ));

    let started = Instant::now();
    let mut recoveries = Vec::new();
    for (at, fault) in faults {
        tokio::time::sleep(at.saturating_sub(started.elapsed())).await;
        let from = started.elapsed();
        let pg = cluster.clone();
        tokio::task::spawn_blocking(move || match fault {
            Fault::Restart => {
                pg.restart_immediate();
            }
            Fault::Down(down) => {
                pg.stop_immediate();
                std::thread::sleep(down);
                pg.start_again();
            }
        })
        .await
        .expect("the fault");
        let back = started.elapsed();
        let served = wait_until_served(&client, &bases, &admin).await;
        eprintln!(
            "db_restart: {fault:?}: PostgreSQL away from {:.1} s to {:.1} s; both nodes served again {:.2} s later",
            from.as_secs_f64(),
            back.as_secs_f64(),
            served.as_secs_f64()
        );
        recoveries.push(served);
    }

    let result = load.await.expect("the load");
    let stats = &result.stats;
    let mut failures = stats.failures.clone();
    eprintln!(
        "db_restart: under faults: {}",
        stats.summary(result.elapsed)
    );
    eprintln!(
        "db_restart: failed calls took p50 {:.2} s, max {:.2} s (request timeout {REQUEST_TIMEOUT} s)",
        percentile(&mut failures, 0.5),
        percentile(&mut failures, 1.0),
    );
    assert_eq!(stats.http_5xx, 0, "5xx answers: {:?}", stats.examples);
    assert_eq!(
        stats.transport, 0,
        "calls without an answer (a hang or a dropped connection): {:?}",
        stats.examples
    );
    assert!(
        stats.slowest_failure() <= REQUEST_TIMEOUT as f64 + 1.0,
        "a call during the outage ran past the request timeout: {:.2} s",
        stats.slowest_failure()
    );
    assert!(stats.internal > 0, "the outages went unnoticed: {stats:?}");
    assert!(stats.mutations_ok > 50, "too little load: {stats:?}");

    // Both directions of the change feed, and the projector, work again.
    let spread_a = register_and_spread(&client, &bases, 0, &admin, "LNEW0").await;
    let spread_b = register_and_spread(&client, &bases, 1, &admin, "LNEW1").await;
    eprintln!(
        "db_restart: new libraries reached the other node's directory in {:.2} s and {:.2} s",
        spread_a.as_secs_f64(),
        spread_b.as_secs_f64()
    );

    // A clean load afterwards: not one failure.
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let lag = sample_lag(
        client.clone(),
        targets.clone(),
        Duration::from_millis(250),
        stop_sampling.clone(),
    );
    let after = run_load(
        targets,
        accounts,
        LoadConfig {
            duration: Duration::from_secs(if long { 15 } else { 6 }),
            seed: seed ^ 0xA5A5,
            ..load_config
        },
    )
    .await;
    stop_sampling.store(true, Ordering::SeqCst);
    let lag = lag.await.expect("the lag sampler");
    let per_projection = lag.per_projection();
    let mut lag = lag.worst;
    eprintln!(
        "db_restart: after the faults: {}; projector lag p99 {:.3} s ({per_projection})",
        after.stats.summary(after.elapsed),
        percentile(&mut lag, 0.99)
    );
    assert_eq!(
        after.stats.failed(),
        0,
        "failures after recovery: {:?}",
        after.stats.examples
    );
    for node in &mut cluster_nodes {
        assert!(node.is_running(), "{} died", node.name);
        assert!(
            node.panics().is_empty(),
            "{} panicked: {:?}",
            node.name,
            node.panics()
        );
    }

    wait_for_projections(&client, &bases, Duration::from_secs(30)).await;
    let mut acks = result.acks;
    acks.extend(after.acks);
    let report = check_log(&url, &acks, true).await;
    let verify = nodes::replay_verify(&url).await;
    eprintln!(
        "db_restart: log holds {} events of {} requests; all {} acknowledged mutations found; \
         no gap, no duplicate; ill-replay verify passed in {:.1} s; slowest recovery {:.2} s",
        report.events,
        report.requests,
        report.acks_checked,
        verify.as_secs_f64(),
        recoveries
            .iter()
            .max()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
    );
    for node in &mut cluster_nodes {
        node.terminate(Duration::from_secs(20));
    }
}
