//! Work queues follow the log through the projector: a mutation shows in
//! them within a second; pages walk with `first`/`after`; counts by status.

use std::collections::BTreeSet;
use std::time::Duration;

use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const QUEUE: &str =
    "query($l: ID!, $s: QueueSide!, $status: [RequestStatus!], $first: Int, $after: String) {
    queue(library: $l, side: $s, status: $status, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id status updatedAt lender { id } } } } }";
const COUNTS: &str =
    "query($l: ID!, $s: QueueSide!) { queueCounts(library: $l, side: $s) { status count } }";

/// The status of `id` in the queue page, if it is there.
fn status_in(data: &Value, id: &Value) -> Option<String> {
    data["queue"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| &e["node"]["id"] == id)
        .map(|e| e["node"]["status"].as_str().unwrap().to_owned())
}

/// Waits at most a second for the queue of `library`/`side` to hold `id`
/// with `status` (`None`: not to hold it).
async fn within_a_second(
    net: &Network,
    token: &str,
    library: &str,
    side: &str,
    id: &Value,
    status: Option<&str>,
) {
    net.app
        .eventually_within(
            Duration::from_secs(1),
            token,
            QUEUE,
            json!({ "l": library, "s": side }),
            |d| status_in(d, id).as_deref() == status,
        )
        .await;
}

async fn queues_follow_mutations(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    within_a_second(&net, &net.l1, "L1", "LENDING", &id, Some("REQUESTED")).await;
    within_a_second(&net, &net.bor, "BOR", "BORROWING", &id, Some("REQUESTED")).await;
    // L2 is not asked yet.
    within_a_second(&net, &net.l2, "L2", "LENDING", &id, None).await;

    net.act(&net.l1, &id, "willSupply(id: $id)").await;
    within_a_second(&net, &net.l1, "L1", "LENDING", &id, Some("WILL_SUPPLY")).await;
    within_a_second(&net, &net.bor, "BOR", "BORROWING", &id, Some("WILL_SUPPLY")).await;

    // Declined: out of L1's queue, into L2's.
    net.act(&net.l1, &id, "decline(id: $id, reason: NOT_ON_SHELF)")
        .await;
    within_a_second(&net, &net.l1, "L1", "LENDING", &id, None).await;
    within_a_second(&net, &net.l2, "L2", "LENDING", &id, Some("REQUESTED")).await;

    // Ended requests leave the default queue; a status filter finds them.
    net.act(&net.bor, &id, "cancel(id: $id)").await;
    within_a_second(&net, &net.bor, "BOR", "BORROWING", &id, None).await;
    within_a_second(&net, &net.l2, "L2", "LENDING", &id, None).await;
    let cancelled = net
        .app
        .ok(
            &net.bor,
            QUEUE,
            json!({ "l": "BOR", "s": "BORROWING", "status": ["CANCELLED"] }),
        )
        .await;
    assert_eq!(status_in(&cancelled, &id).as_deref(), Some("CANCELLED"));
    assert_eq!(cancelled["queue"]["totalCount"], 1);
}
on_both_backends!(queues_follow_mutations);

async fn pages_and_counts(backend: Backend) {
    let net = Network::new(backend).await;
    let mut placed = BTreeSet::new();
    for _ in 0..7 {
        placed.insert(net.place(&["L1"]).await["id"].as_str().unwrap().to_owned());
    }
    let supplied: Vec<String> = placed.iter().take(2).cloned().collect();
    for id in &supplied {
        net.act(&net.l1, &json!(id), "willSupply(id: $id)").await;
    }
    let declined = net.place(&["L2", "L1"]).await["id"].clone();
    net.act(&net.l2, &declined, "decline(id: $id, reason: NOT_HELD)")
        .await;
    placed.insert(declined.as_str().unwrap().to_owned());

    // Everything projected: the counts.
    let counts = net
        .app
        .eventually(&net.l1, COUNTS, json!({ "l": "L1", "s": "LENDING" }), |d| {
            d["queueCounts"]
                == json!([
                    { "status": "REQUESTED", "count": 6 },
                    { "status": "WILL_SUPPLY", "count": 2 },
                ])
        })
        .await;
    assert_eq!(counts["queueCounts"].as_array().unwrap().len(), 2);
    let borrowing = net
        .app
        .ok(&net.bor, COUNTS, json!({ "l": "BOR", "s": "BORROWING" }))
        .await;
    assert_eq!(
        borrowing["queueCounts"],
        json!([{ "status": "REQUESTED", "count": 6 }, { "status": "WILL_SUPPLY", "count": 2 }])
    );
    let l2 = net
        .app
        .ok(&net.l2, COUNTS, json!({ "l": "L2", "s": "LENDING" }))
        .await;
    assert_eq!(l2["queueCounts"], json!([]));

    // Pages of three: 3 + 3 + 2, each in (updatedAt, id) order, no repeats.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let page = net
            .app
            .ok(
                &net.l1,
                QUEUE,
                json!({ "l": "L1", "s": "LENDING", "first": 3, "after": after }),
            )
            .await["queue"]
            .clone();
        pages += 1;
        assert_eq!(page["totalCount"], 8);
        let edges = page["edges"].as_array().unwrap();
        assert!(edges.len() <= 3);
        for edge in edges {
            seen.push((
                edge["node"]["updatedAt"].as_str().unwrap().to_owned(),
                edge["node"]["id"].as_str().unwrap().to_owned(),
            ));
        }
        assert_eq!(
            page["pageInfo"]["endCursor"],
            edges.last().map_or(Value::Null, |e| e["cursor"].clone())
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert!(pages < 10, "the pages never end");
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ordered by (updatedAt, id)");
    let ids: BTreeSet<String> = seen.into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids, placed);

    // A status filter, and an empty page.
    let supplying = net
        .app
        .ok(
            &net.l1,
            QUEUE,
            json!({ "l": "L1", "s": "LENDING", "status": ["WILL_SUPPLY"] }),
        )
        .await;
    assert_eq!(supplying["queue"]["totalCount"], 2);
    let got: BTreeSet<String> = supplying["queue"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, supplied.into_iter().collect());
    let none = net
        .app
        .ok(
            &net.l1,
            QUEUE,
            json!({ "l": "L1", "s": "LENDING", "first": 0 }),
        )
        .await;
    assert_eq!(none["queue"]["edges"], json!([]));
    assert_eq!(none["queue"]["totalCount"], 8);
    assert_eq!(none["queue"]["pageInfo"]["hasNextPage"], true);
}
on_both_backends!(pages_and_counts);
