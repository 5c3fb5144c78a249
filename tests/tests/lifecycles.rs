//! Whole request lifecycles through the GraphQL API, on both backends.

use ill_tests::{Backend, Network};
use projections::on_both_backends;
use serde_json::Value;

fn types(request: &Value) -> Vec<String> {
    request["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn loan_to_completed(backend: Backend) {
    let net = Network::new(backend).await;
    let placed = net.place(&["L1", "L2"]).await;
    assert_eq!(placed["status"], "REQUESTED");
    assert_eq!(placed["lender"]["id"], "L1");
    assert_eq!(placed["rota"][0]["outcome"], "WAITING");
    assert_eq!(placed["rota"][1]["outcome"], "PENDING");
    assert_eq!(placed["patron"]["barcode"], "2100012345");
    let id = &placed["id"];

    let supplied = net.act(&net.l1, id, "willSupply(id: $id)").await;
    assert_eq!(supplied["status"], "WILL_SUPPLY");
    assert_eq!(
        supplied["patron"],
        Value::Null,
        "the lender never sees the patron"
    );
    let shipped = net
        .act(&net.l1, id, r#"ship(id: $id, dueDate: "2026-04-15")"#)
        .await;
    assert_eq!(shipped["status"], "SHIPPED");
    assert_eq!(shipped["dueDate"], "2026-04-15");
    assert_eq!(shipped["rota"][0]["outcome"], "SUPPLYING");
    for (mutation, status) in [
        ("receive(id: $id)", "RECEIVED"),
        ("checkOutToPatron(id: $id)", "CHECKED_OUT"),
        ("returnFromPatron(id: $id)", "RETURNED_BY_PATRON"),
        ("shipReturn(id: $id)", "RETURN_SHIPPED"),
    ] {
        assert_eq!(net.act(&net.bor, id, mutation).await["status"], status);
    }
    let done = net.act(&net.l1, id, "checkIn(id: $id)").await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["version"], 9);
    assert_eq!(
        types(&done),
        [
            "RequestPlaced",
            "RequestRouted",
            "LenderWillSupply",
            "ItemShipped",
            "ItemReceived",
            "CheckedOutToPatron",
            "ReturnedByPatron",
            "ReturnShipped",
            "ItemCheckedIn"
        ]
    );
    let shipped_event = &done["history"][3];
    assert_eq!(shipped_event["actor"], "l1-staff");
    assert_eq!(shipped_event["library"], "L1");
    assert_eq!(shipped_event["role"], "STAFF");
    assert_eq!(shipped_event["data"]["due_date"], "2026-04-15");

    // The borrower's read of the request is the same request.
    let read = net.request(&net.bor, id).await;
    assert_eq!(read["status"], "COMPLETED");
    assert_eq!(read["version"], 9);
}
on_both_backends!(loan_to_completed);
