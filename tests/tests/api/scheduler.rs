//! The scheduler moves unanswered requests on once the response window (5
//! days here) has passed on the injected clock, acting as the system.

use chrono::Duration;
use ill_tests::{event_types, Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const READ: &str = "query($id: UUID!) { request(id: $id) { version status lender { id }
    rota { outcome } condition history { type actor library role data } } }";

/// What L1 will supply: once the last write is projected, the sweep below
/// sees every request.
const QUEUE: &str =
    r#"{ queue(library: "L1", side: LENDING, status: [WILL_SUPPLY]) { totalCount } }"#;

async fn read(net: &Network, id: &Value) -> Value {
    net.app.ok(&net.bor, READ, json!({ "id": id })).await["request"].clone()
}

/// The last history entry of `kind`.
fn last<'a>(request: &'a Value, kind: &str) -> &'a Value {
    request["history"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {request}"))
}

fn assert_by_system(event: &Value) {
    assert_eq!(event["actor"], "system", "{event}");
    assert_eq!(event["role"], Value::Null, "{event}");
    assert_eq!(event["library"], Value::Null, "{event}");
}

async fn unanswered_requests_move_on(backend: Backend) {
    let net = Network::new(backend).await;
    let requested = net.place(&["L1", "L2", "L3"]).await["id"].clone();
    let conditional = net.place(&["L2", "L3"]).await["id"].clone();
    net.act(
        &net.l2,
        &conditional,
        "proposeConditions(id: $id, condition: LIBRARY_USE_ONLY)",
    )
    .await;
    let answered = net.place(&["L1"]).await["id"].clone();
    net.act(&net.l1, &answered, "willSupply(id: $id)").await;

    // Inside the window nothing moves: a pass of the scheduler (run here
    // directly, beside the one in the background) finds nothing due.
    net.app
        .clock
        .advance(Duration::days(5) - Duration::minutes(1));
    let before = net.version(&requested).await;
    net.app
        .eventually(&net.l1, QUEUE, json!({}), |d| d["queue"]["totalCount"] == 1)
        .await;
    let moved = api::scheduler::sweep(&net.app.server.state)
        .await
        .unwrap_or_else(|e| panic!("a sweep: {}", e.message()));
    assert_eq!(moved, 0);
    assert_eq!(net.version(&requested).await, before);
    assert_eq!(read(&net, &conditional).await["status"], "CONDITIONAL");

    // Past it: the lender timed out, the next one is asked.
    net.app.clock.advance(Duration::minutes(2));
    let moved = net
        .app
        .eventually(&net.bor, READ, json!({ "id": requested }), |d| {
            d["request"]["lender"]["id"] == "L2"
        })
        .await["request"]
        .clone();
    assert_eq!(moved["status"], "REQUESTED");
    assert_eq!(moved["rota"][0]["outcome"], "TIMED_OUT");
    assert_eq!(moved["rota"][1]["outcome"], "WAITING");
    let timed_out = last(&moved, "LenderTimedOut");
    assert_by_system(timed_out);
    assert_eq!(timed_out["data"]["lender"], "L1");
    assert_by_system(last(&moved, "RequestRouted"));

    // Conditions nobody answered count as rejected, by the system.
    let moved = net
        .app
        .eventually(&net.bor, READ, json!({ "id": conditional }), |d| {
            d["request"]["lender"]["id"] == "L3"
        })
        .await["request"]
        .clone();
    assert_eq!(moved["status"], "REQUESTED");
    assert_eq!(moved["condition"], Value::Null);
    assert_eq!(moved["rota"][0]["outcome"], "REJECTED");
    let rejected = last(&moved, "ConditionsRejected");
    assert_by_system(rejected);
    assert_eq!(rejected["data"]["lender"], "L2");

    // An answered request never times out.
    let kept = read(&net, &answered).await;
    assert_eq!(kept["status"], "WILL_SUPPLY");
    assert!(!event_types(&kept).contains(&"LenderTimedOut".to_owned()));

    // The newly asked lenders get a fresh window; past it, the last lender
    // out means unfilled.
    net.app
        .clock
        .advance(Duration::days(5) + Duration::minutes(1));
    let unfilled = net
        .app
        .eventually(&net.bor, READ, json!({ "id": conditional }), |d| {
            d["request"]["status"] == "UNFILLED"
        })
        .await["request"]
        .clone();
    assert_eq!(unfilled["lender"], Value::Null);
    assert_by_system(last(&unfilled, "RequestUnfilled"));
    let moved = net
        .app
        .eventually(&net.bor, READ, json!({ "id": requested }), |d| {
            d["request"]["lender"]["id"] == "L3"
        })
        .await["request"]
        .clone();
    assert_eq!(
        moved["rota"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["outcome"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["TIMED_OUT", "TIMED_OUT", "WAITING"]
    );
}
on_both_backends!(unanswered_requests_move_on);
