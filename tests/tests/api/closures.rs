//! Closures end to end: `setClosures` by the library's own staff, a closed
//! library skipped in a new rota (LenderSkipped `closed`), the window of a
//! request waiting at a library paused across a weekend closure, and a
//! closure ending on its last day.

use chrono::Duration;
use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const SET: &str = "mutation($library: ID!, $closures: [ClosureInput!]!) {
    setClosures(library: $library, closures: $closures) { id closures { from to reason } } }";

const READ: &str = "query($id: UUID!) { request(id: $id) { status lender { id }
    rota { outcome } history { type data } } }";

const CLOSURES: &str = "{ libraries { id closures { from to reason } } }";

async fn read(net: &Network, id: &Value) -> Value {
    net.app.ok(&net.bor, READ, json!({ "id": id })).await["request"].clone()
}

async fn set(net: &Network, token: &str, library: &str, closures: Value) -> Value {
    net.app
        .post(
            Some(token),
            SET,
            json!({ "library": library, "closures": closures }),
        )
        .await
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

async fn sweep(net: &Network) {
    api::scheduler::sweep(&net.app.server.state)
        .await
        .unwrap_or_else(|e| panic!("a sweep: {}", e.message()));
}

async fn closures_skip_pause_and_end(backend: Backend) {
    let net = Network::new(backend).await;
    // Today is Monday 2026-03-02, 14:00 UTC. L3 is asked first, and its
    // window (5 days) would end on Saturday 14:00.
    let waiting = net.place(&["L3", "L2"]).await["id"].clone();

    // Refusals: another library's staff, `to` before `from`, before today.
    let closed_l1 = json!([{ "from": "2026-03-02", "to": "2026-03-03", "reason": "inventory" }]);
    assert_eq!(
        code(&set(&net, &net.l2, "L1", closed_l1.clone()).await),
        "FORBIDDEN"
    );
    let backwards = json!([{ "from": "2026-03-05", "to": "2026-03-04" }]);
    assert_eq!(
        code(&set(&net, &net.l1, "L1", backwards).await),
        "BAD_INPUT"
    );
    let past = json!([{ "from": "2026-02-20", "to": "2026-03-01" }]);
    assert_eq!(code(&set(&net, &net.l1, "L1", past).await), "BAD_INPUT");
    assert_eq!(
        code(&set(&net, &net.l1, "NOWHERE", json!([])).await),
        "NOT_FOUND"
    );

    // L1 closes today and tomorrow, overlapping ranges merged.
    let set_l1 = set(
        &net,
        &net.l1,
        "L1",
        json!([
            { "from": "2026-03-02", "to": "2026-03-02", "reason": "inventory" },
            { "from": "2026-03-02", "to": "2026-03-03" },
        ]),
    )
    .await;
    assert_eq!(
        set_l1["data"]["setClosures"]["closures"],
        json!([{ "from": "2026-03-02", "to": "2026-03-03", "reason": "inventory" }]),
        "{set_l1}"
    );
    // L3 closes for the weekend, after the request was routed to it.
    let weekend = json!([{ "from": "2026-03-07", "to": "2026-03-08", "reason": "weekend" }]);
    assert!(set(&net, &net.l3, "L3", weekend).await["errors"].is_null());
    let listed = net.app.ok(&net.bor, CLOSURES, json!({})).await;
    let of = |listed: &Value, id: &str| {
        listed["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()["closures"]
            .clone()
    };
    assert_eq!(of(&listed, "L3")[0]["from"], "2026-03-07");

    // A new rota skips the closed library.
    let skipping = net.place(&["L1", "L2"]).await;
    assert_eq!(skipping["lender"]["id"], "L2");
    assert_eq!(skipping["rota"][0]["outcome"], "SKIPPED");
    let skipped = read(&net, &skipping["id"]).await;
    let event = skipped["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "LenderSkipped")
        .unwrap()
        .clone();
    assert_eq!(event["data"]["why"], "closed");

    // Wednesday: L1's closure ended on its last day (Tuesday); it is asked
    // again and no longer lists the closure.
    net.app.clock.advance(Duration::days(2));
    let open_again = net.place(&["L1"]).await;
    assert_eq!(open_again["lender"]["id"], "L1");
    assert_eq!(open_again["rota"][0]["outcome"], "WAITING");
    let listed = net.app.ok(&net.bor, CLOSURES, json!({})).await;
    assert_eq!(of(&listed, "L1"), json!([]));

    // Saturday 14:01: the window would be over, but L3 is closed Saturday
    // and Sunday: the window runs to Monday 14:00.
    net.app
        .clock
        .advance(Duration::days(3) + Duration::minutes(1));
    sweep(&net).await;
    assert_eq!(read(&net, &waiting).await["lender"]["id"], "L3");
    net.app
        .clock
        .advance(Duration::days(2) - Duration::minutes(2));
    sweep(&net).await;
    let still = read(&net, &waiting).await;
    assert_eq!(still["lender"]["id"], "L3");
    assert_eq!(still["status"], "REQUESTED");

    // Monday 14:01: timed out, the next lender asked.
    net.app.clock.advance(Duration::minutes(2));
    let moved = net
        .app
        .eventually(&net.bor, READ, json!({ "id": waiting }), |d| {
            d["request"]["lender"]["id"] == "L2"
        })
        .await["request"]
        .clone();
    assert_eq!(moved["rota"][0]["outcome"], "TIMED_OUT");
}
on_both_backends!(closures_skip_pause_and_end);
