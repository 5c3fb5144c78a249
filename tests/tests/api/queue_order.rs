//! `queue(orderBy: RESPOND_BY)` and `IllRequest.respondBy`: what must be
//! answered first is on top, with the date its answer is due.

use std::time::Duration;

use chrono::{DateTime, Utc};
use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const QUEUE: &str = "query($order: QueueOrder, $after: String) {
    queue(library: \"BOR\", side: BORROWING, orderBy: $order, first: 2, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { id status placedAt respondBy } } } }";

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

/// Every page of BOR's borrowing queue in `order`: the requests' ids.
async fn walk(net: &Network, order: Value) -> Vec<Value> {
    let mut ids = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = net
            .app
            .ok(&net.bor, QUEUE, json!({ "order": order, "after": after }))
            .await;
        let queue = &data["queue"];
        ids.extend(
            queue["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].clone()),
        );
        if queue["pageInfo"]["hasNextPage"] != json!(true) {
            return ids;
        }
        after = queue["pageInfo"]["endCursor"].clone();
    }
}

async fn the_answer_due_soonest_comes_first(backend: Backend) {
    let net = Network::new(backend).await;
    let supplied = net.place(&["L1"]).await["id"].clone();
    net.act(&net.l1, &supplied, "willSupply(id: $id)").await;
    net.app.clock.advance(chrono::Duration::hours(1));
    let older = net.place(&["L1"]).await["id"].clone();
    net.app.clock.advance(chrono::Duration::hours(1));
    let newer = net.place(&["L1"]).await["id"].clone();
    net.app.clock.advance(chrono::Duration::hours(1));
    // Changed last, still due first.
    net.act(&net.bor, &older, "addNote(id: $id, text: \"any news?\")")
        .await;
    net.app
        .eventually_within(
            Duration::from_secs(2),
            &net.bor,
            "{ queue(library: \"BOR\", side: BORROWING) { edges { node { id } } } }",
            json!({}),
            |d| d["queue"]["edges"][2]["node"]["id"] == older,
        )
        .await;

    assert_eq!(
        walk(&net, json!("UPDATED")).await,
        [supplied.clone(), newer.clone(), older.clone()]
    );
    assert_eq!(
        walk(&net, Value::Null).await,
        walk(&net, json!("UPDATED")).await
    );
    assert_eq!(
        walk(&net, json!("RESPOND_BY")).await,
        [older.clone(), newer, supplied.clone()]
    );

    // The lender's answer is due five days after routing; none once supplied.
    let first = net
        .app
        .ok(&net.bor, QUEUE, json!({ "order": "RESPOND_BY" }))
        .await;
    let node = &first["queue"]["edges"][0]["node"];
    assert_eq!(node["id"], older);
    assert_eq!(
        time(&node["respondBy"]) - time(&node["placedAt"]),
        chrono::Duration::days(5)
    );
    let request = net.request(&net.bor, &supplied).await;
    assert_eq!(request["status"], "WILL_SUPPLY");
    let respond_by = net
        .app
        .ok(
            &net.bor,
            "query($id: UUID!) { request(id: $id) { respondBy } }",
            json!({ "id": supplied }),
        )
        .await;
    assert_eq!(respond_by["request"]["respondBy"], Value::Null);

    // A cursor of one order is refused in the other.
    let cursor = first["queue"]["pageInfo"]["endCursor"].clone();
    let code = net
        .app
        .error_code(
            Some(&net.bor),
            QUEUE,
            json!({ "order": "UPDATED", "after": cursor }),
        )
        .await;
    assert_eq!(code, "BAD_INPUT");
}
on_both_backends!(the_answer_due_soonest_comes_first);
