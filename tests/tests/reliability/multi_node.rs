//! Several nodes on one PostgreSQL (RELIABILITY.md, "A node killed"): three
//! `ill-server` processes share one database; agents drive whole request
//! lifecycles across all three and log every acknowledged mutation; the node
//! that runs the projector and the scheduler is killed with SIGKILL
//! mid-load and the load goes on against the other two.
//!
//! Passes when every acknowledged mutation's event is in the log, no request
//! has a gap or a duplicate, the projector and the scheduler are running on
//! a survivor within 10 s of the kill, and `ill-replay verify` passes.
//! `ILL_LONG=1`: a longer, heavier run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ill_tests::nodes::{self, Node, NodeConfig};
use ill_tests::workload::{
    self, call, check_log, long_run, must, percentile, run_load, sample_lag, setup_network,
    wait_for_projections, LoadConfig, Reply, Targets,
};
use serde_json::{json, Value};
use store::testing::{fresh_url, Backend};
use uuid::Uuid;

/// The limit the issue sets for the projector and the scheduler to move.
const TAKEOVER_LIMIT: Duration = Duration::from_secs(10);
const PROJECTIONS: [&str; 3] = ["requests", "statistics", "libraries"];

/// Waits until every node's directory (the `libraries` query reads it)
/// satisfies `check`.
async fn wait_for_directories(
    client: &reqwest::Client,
    bases: &[String],
    token: &str,
    check: impl Fn(&Value) -> bool,
) {
    let started = Instant::now();
    for base in bases {
        loop {
            let data = must(
                client,
                base,
                token,
                "{ libraries { id suspended } }",
                json!({}),
            )
            .await;
            if check(&data["libraries"]) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{base}'s directory never got there: {data}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The nodes among `candidates` that run `projection`.
async fn leaders(
    client: &reqwest::Client,
    bases: &[String],
    candidates: &[usize],
    projection: &str,
) -> Vec<usize> {
    let mut found = Vec::new();
    for &i in candidates {
        if nodes::leads(client, &bases[i], projection).await == Some(true) {
            found.push(i);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_node_loses_nothing_and_its_duties_move() {
    let long = long_run();
    let seed = workload::seed("multi_node");
    let url = fresh_url(Backend::Postgres).await;
    let admin = format!("ill_test_admin_{}", Uuid::new_v4().simple());
    let config = NodeConfig::new(&url, &admin).request_timeout(10);

    // All three start at once on the empty database: migrations and the
    // bootstrap admin race, and every node must come up.
    let (a, b, c) = tokio::join!(
        Node::start("node0", &config),
        Node::start("node1", &config),
        Node::start("node2", &config),
    );
    let mut cluster = [a, b, c];
    let bases: Vec<String> = cluster.iter().map(|n| n.base.clone()).collect();
    let client = reqwest::Client::new();
    for base in &bases {
        assert!(nodes::admin_answers(&client, base, &admin).await);
    }

    let accounts = setup_network(&client, &bases[1], &admin, 4, 6, &["LS"]).await;
    let libraries = accounts.borrowers.len() + accounts.lenders.len() + 2; // LS, NETWORK
    wait_for_directories(&client, &bases, &admin, |l| {
        l.as_array().unwrap().len() == libraries
    })
    .await;

    // One node runs each projection; the scheduler goes with `requests`.
    let everyone = [0, 1, 2];
    let started = Instant::now();
    let leader = loop {
        let found = leaders(&client, &bases, &everyone, "requests").await;
        if found.len() == 1 {
            break found[0];
        }
        assert!(
            started.elapsed() < TAKEOVER_LIMIT,
            "no single leader: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let survivors: Vec<usize> = everyone.into_iter().filter(|&i| i != leader).collect();

    // Requests left waiting at LS: when LS's lending is suspended after the
    // kill, only a scheduler on a survivor can move them on.
    let parked_count = if long { 20 } else { 6 };
    let borrower = accounts.token("B1").to_owned();
    let mut parked = Vec::new();
    for i in 0..parked_count {
        let data = must(
            &client,
            &bases[i % 3],
            &borrower,
            "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id lender { id } } }",
            json!({ "input": {
                "patron": { "barcode": format!("PARK{i}") },
                "item": { "title": format!("Parked {i}") },
                "lenders": ["LS", "L1"],
            }}),
        )
        .await;
        assert_eq!(data["placeRequest"]["lender"]["id"], "LS");
        parked.push(data["placeRequest"]["id"].clone());
    }

    let (agents, duration, kill_after) = if long {
        (32, Duration::from_secs(60), Duration::from_secs(20))
    } else {
        (12, Duration::from_secs(16), Duration::from_secs(6))
    };
    let targets = Arc::new(Targets::new(bases.clone()));
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let lag = sample_lag(
        client.clone(),
        targets.clone(),
        Duration::from_millis(250),
        stop_sampling.clone(),
    );
    let load = tokio::spawn(run_load(
        targets.clone(),
        Arc::new(accounts.clone()),
        LoadConfig {
            agents,
            duration,
            seed,
            read_share: 0.3,
            call_limit: Duration::from_secs(30),
        },
    ));

    tokio::time::sleep(kill_after).await;
    targets.mark_dead(leader);
    cluster[leader].kill();
    let killed = Instant::now();
    eprintln!(
        "multi_node: killed {} (pid {}), which ran the projector and the scheduler",
        cluster[leader].name, cluster[leader].pid
    );
    // At once, through a survivor: suspend LS. The scheduler that moves the
    // parked requests on can only be a survivor's.
    let other = survivors[0];
    let suspended = call(
        &client,
        &bases[other],
        &accounts.coordinator,
        r#"mutation { setLendingSuspended(library: "LS", suspended: true) { suspended } }"#,
        json!({}),
        Duration::from_secs(10),
    )
    .await
    .0;
    assert!(matches!(suspended, Reply::Data(_)), "{suspended:?}");

    // The projector: every projection runs on exactly one survivor.
    let mut projector_moved = None;
    while projector_moved.is_none() {
        let mut all = true;
        for projection in PROJECTIONS {
            all &= leaders(&client, &bases, &survivors, projection).await.len() == 1;
        }
        if all {
            projector_moved = Some(killed.elapsed());
        } else {
            assert!(
                killed.elapsed() < TAKEOVER_LIMIT,
                "the projector did not move to a survivor within {TAKEOVER_LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let new_leader = leaders(&client, &bases, &survivors, "requests").await[0];

    // The scheduler: every parked request moved on from LS by `system`.
    let read = "query($id: UUID!) { request(id: $id) { lender { id } history { type actor } } }";
    let mut scheduler_moved = None;
    while scheduler_moved.is_none() {
        let mut all = true;
        for id in &parked {
            let data = must(&client, &bases[other], &borrower, read, json!({ "id": id })).await;
            all &= data["request"]["lender"]["id"] == "L1";
        }
        if all {
            scheduler_moved = Some(killed.elapsed());
        } else {
            assert!(
                killed.elapsed() < TAKEOVER_LIMIT,
                "the scheduler did not move the requests at the suspended LS within {TAKEOVER_LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    for id in &parked {
        let data = must(&client, &bases[other], &borrower, read, json!({ "id": id })).await;
        let skips: Vec<&Value> = data["request"]["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "LenderSkipped")
            .collect();
        assert_eq!(skips.len(), 1, "moved on exactly once: {data}");
        assert_eq!(skips[0]["actor"], "system");
    }

    let result = load.await.expect("the load");
    stop_sampling.store(true, Ordering::SeqCst);
    let lag = lag.await.expect("the lag sampler");
    let per_projection = lag.per_projection();
    let mut lag = lag.worst;
    let stats = &result.stats;
    eprintln!("multi_node: {}", stats.summary(result.elapsed));
    eprintln!(
        "multi_node: projector on a survivor ({}) after {:.2} s, parked requests moved after {:.2} s; \
         projector lag p99 {:.3} s max {:.3} s ({per_projection})",
        cluster[new_leader].name,
        projector_moved.unwrap().as_secs_f64(),
        scheduler_moved.unwrap().as_secs_f64(),
        percentile(&mut lag, 0.99),
        percentile(&mut lag, 1.0),
    );

    assert_eq!(stats.http_5xx, 0, "5xx answers: {:?}", stats.examples);
    assert_eq!(stats.internal, 0, "INTERNAL answers: {:?}", stats.examples);
    assert!(stats.mutations_ok > 50, "too little load: {stats:?}");
    assert!(
        stats.slowest_failure() < 11.0,
        "a call hung: {:?}",
        stats.examples
    );
    for &i in &survivors {
        assert!(cluster[i].is_running(), "{} died", cluster[i].name);
        assert!(
            cluster[i].panics().is_empty(),
            "{} panicked: {:?}",
            cluster[i].name,
            cluster[i].panics()
        );
    }

    let live: Vec<String> = survivors.iter().map(|&i| bases[i].clone()).collect();
    wait_for_projections(&client, &live, Duration::from_secs(30)).await;
    let report = check_log(&url, &result.acks, true).await;
    let verify = nodes::replay_verify(&url).await;
    eprintln!(
        "multi_node: log holds {} events of {} requests; all {} acknowledged mutations found; \
         no gap, no duplicate; ill-replay verify passed in {:.1} s",
        report.events,
        report.requests,
        report.acks_checked,
        verify.as_secs_f64()
    );
    for &i in &survivors {
        cluster[i].terminate(Duration::from_secs(20));
    }
}
