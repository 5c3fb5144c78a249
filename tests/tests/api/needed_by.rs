//! Needed-by expiry end to end, on the injected clock: the day after
//! `neededBy` the scheduler cancels REQUESTED and CONDITIONAL requests
//! (RequestExpired, counted as cancelled) and asks the lender of a
//! WILL_SUPPLY one (CancelRequested by `system`), once per date;
//! `updateNeededBy` moves or clears the date.

use chrono::Duration;
use ill_tests::{event_types, Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const READ: &str = "query($id: UUID!) { request(id: $id) { status neededBy cancelPending
    history { type actor role library } } }";

async fn read(net: &Network, id: &Value) -> Value {
    net.app.ok(&net.bor, READ, json!({ "id": id })).await["request"].clone()
}

async fn placed_needed_by(net: &Network, lenders: &[&str], date: &str) -> Value {
    net.place_with(lenders, json!({ "neededBy": date })).await["id"].clone()
}

fn count(request: &Value, kind: &str) -> usize {
    event_types(request).iter().filter(|t| *t == kind).count()
}

async fn requests_expire_the_day_after_needed_by(backend: Backend) {
    let net = Network::new(backend).await;
    // Today is 2026-03-02; every request is needed by tomorrow.
    let tomorrow = "2026-03-03";
    let requested = placed_needed_by(&net, &["L1"], tomorrow).await;
    let conditional = placed_needed_by(&net, &["L1"], tomorrow).await;
    net.act(
        &net.l1,
        &conditional,
        "proposeConditions(id: $id, condition: LIBRARY_USE_ONLY)",
    )
    .await;
    let will_supply = placed_needed_by(&net, &["L1"], tomorrow).await;
    net.act(&net.l1, &will_supply, "willSupply(id: $id)").await;
    let shipped = placed_needed_by(&net, &["L1"], tomorrow).await;
    net.act(&net.l1, &shipped, r#"ship(id: $id, dueDate: "2026-04-01")"#)
        .await;
    let moved = placed_needed_by(&net, &["L1"], tomorrow).await;
    let after = net
        .act(
            &net.bor,
            &moved,
            r#"updateNeededBy(id: $id, neededBy: "2026-03-10")"#,
        )
        .await;
    assert_eq!(event_types(&after).last().unwrap(), "NeededByChanged");
    let cleared = placed_needed_by(&net, &["L1"], tomorrow).await;
    net.act(
        &net.bor,
        &cleared,
        "updateNeededBy(id: $id, neededBy: null)",
    )
    .await;

    // A date before today, the lender, and an ended request are refused.
    net.assert_refused(
        Some(&net.bor),
        &moved,
        r#"updateNeededBy(id: $id, neededBy: "2026-03-01")"#,
        "BAD_INPUT",
    )
    .await;
    net.assert_refused(
        Some(&net.l1),
        &moved,
        r#"updateNeededBy(id: $id, neededBy: "2026-03-20")"#,
        "FORBIDDEN",
    )
    .await;

    // On the needed-by date itself (23:00, the tests' epoch being 09:00)
    // nothing expires.
    net.app.clock.advance(Duration::hours(38));
    net.app
        .eventually(&net.bor, READ, json!({ "id": cleared }), |d| {
            d["request"]["neededBy"].is_null()
        })
        .await;
    api::scheduler::sweep(&net.app.server.state)
        .await
        .unwrap_or_else(|e| panic!("a sweep: {}", e.message()));
    assert_eq!(read(&net, &requested).await["status"], "REQUESTED");

    // The day after: cancelled, or the lender asked.
    net.app.clock.advance(Duration::hours(2));
    for id in [&requested, &conditional] {
        let expired = net
            .app
            .eventually(&net.bor, READ, json!({ "id": id }), |d| {
                d["request"]["status"] == "CANCELLED"
            })
            .await["request"]
            .clone();
        let last = expired["history"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["type"], "RequestExpired");
        assert_eq!(last["actor"], "system");
        assert_eq!(last["role"], Value::Null);
    }
    let asked = net
        .app
        .eventually(&net.bor, READ, json!({ "id": will_supply }), |d| {
            d["request"]["cancelPending"] == true
        })
        .await["request"]
        .clone();
    assert_eq!(asked["status"], "WILL_SUPPLY");
    let last = asked["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "CancelRequested");
    assert_eq!(last["actor"], "system");
    for id in [&shipped, &moved, &cleared] {
        let kept = read(&net, id).await;
        assert!(
            !event_types(&kept).contains(&"RequestExpired".to_owned())
                && count(&kept, "CancelRequested") == 0,
            "{kept}"
        );
    }
    assert_eq!(read(&net, &shipped).await["status"], "SHIPPED");
    assert_eq!(read(&net, &moved).await["status"], "REQUESTED");

    // Refused: the system does not ask again for the same date.
    net.act(
        &net.l1,
        &will_supply,
        "answerCancel(id: $id, approve: false)",
    )
    .await;
    net.app
        .eventually(&net.bor, READ, json!({ "id": will_supply }), |d| {
            d["request"]["cancelPending"] == false
        })
        .await;
    api::scheduler::sweep(&net.app.server.state)
        .await
        .unwrap_or_else(|e| panic!("a sweep: {}", e.message()));
    assert_eq!(count(&read(&net, &will_supply).await, "CancelRequested"), 1);

    // Counted in statistics as cancelled.
    let stats = net
        .app
        .eventually(
            &net.coordinator,
            r#"{ statistics(library: "BOR") { network { cancelled } } }"#,
            json!({}),
            |d| d["statistics"]["network"]["cancelled"] == 2,
        )
        .await;
    assert_eq!(stats["statistics"]["network"]["cancelled"], 2);
}
on_both_backends!(requests_expire_the_day_after_needed_by);
