//! Who reads what: a request is visible to its borrower, its rota and the
//! network's coordinators; queues are a library's own; patron data is the
//! borrower's. A refusal never comes with the data.

use ill_tests::{Backend, Network, REQUEST_FIELDS};
use serde_json::{json, Value};
use store::on_both_backends;

async fn who_reads_a_request(backend: Backend) {
    let net = Network::new(backend).await;
    let stranger = net.add_library("L4", true).await;
    let placed = net
        .place_with(&["L1", "L2"], json!({ "patron": { "barcode": "P-77", "name": "Ada Reader", "email": "ada@example.org" } }))
        .await;
    let id = &placed["id"];
    let query =
        "query($id: UUID!) { request(id: $id) { id status patron { barcode name email } } }";
    let read = |token: String| {
        let app = &net.app;
        async move { app.ok(&token, query, json!({ "id": id })).await["request"].clone() }
    };

    // Anyone outside sees nothing; an unknown id reads the same.
    assert_eq!(read(stranger.clone()).await, Value::Null);
    let unknown = net
        .app
        .ok(&net.l1, query, json!({ "id": uuid::Uuid::new_v4() }))
        .await;
    assert_eq!(unknown["request"], Value::Null);
    let body = net
        .app
        .post(
            Some(&stranger),
            &format!("query($id: UUID!) {{ request(id: $id) {{ {REQUEST_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body, json!({ "data": { "request": null } }));

    // The borrower and the coordinator see the patron, the lenders do not.
    let patron = json!({ "barcode": "P-77", "name": "Ada Reader", "email": "ada@example.org" });
    assert_eq!(read(net.bor.clone()).await["patron"], patron);
    assert_eq!(read(net.coordinator.clone()).await["patron"], patron);
    assert_eq!(read(net.app.admin.clone()).await["patron"], patron);
    for lender in [&net.l1, &net.l2] {
        let seen = read(lender.clone()).await;
        assert_eq!(seen["status"], "REQUESTED", "the rota reads the request");
        assert_eq!(
            seen["patron"],
            Value::Null,
            "the rota never sees the patron"
        );
    }
    // A lender's own mutation answers without the patron too.
    let declined = net
        .act(&net.l1, id, "decline(id: $id, reason: NOT_HELD)")
        .await;
    assert_eq!(declined["patron"], Value::Null);
    // L1, no longer the lender, still reads it; L3 never does.
    assert_eq!(read(net.l1.clone()).await["status"], "REQUESTED");
    assert_eq!(read(net.l3.clone()).await, Value::Null);
    // Lists carry no patron either.
    let lending = net
        .app
        .eventually(
            &net.l2,
            r#"{ queue(library: "L2", side: LENDING) { edges { node { id patron { barcode } } } } }"#,
            json!({}),
            |d| !d["queue"]["edges"].as_array().unwrap().is_empty(),
        )
        .await;
    assert_eq!(lending["queue"]["edges"][0]["node"]["patron"], Value::Null);
}
on_both_backends!(who_reads_a_request);

async fn queues_are_a_library_s_own(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1"]).await["id"].clone();
    let has = |d: &Value| {
        d["queue"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["id"] == id)
    };
    let queue = "query($l: ID!, $s: QueueSide!) { queue(library: $l, side: $s) {
        totalCount edges { node { id item { title } } } } }";
    let counts =
        "query($l: ID!, $s: QueueSide!) { queueCounts(library: $l, side: $s) { status count } }";
    // Its own queues, yes.
    net.app
        .eventually(&net.l1, queue, json!({ "l": "L1", "s": "LENDING" }), has)
        .await;
    net.app
        .eventually(
            &net.bor,
            queue,
            json!({ "l": "BOR", "s": "BORROWING" }),
            has,
        )
        .await;
    // Another library's: FORBIDDEN, and no data at all.
    for (token, library, side) in [
        (&net.l2, "L1", "LENDING"),
        (&net.l1, "BOR", "BORROWING"),
        (&net.bor, "L1", "LENDING"),
        (&net.l1, "BOR", "LENDING"),
    ] {
        for query in [queue, counts] {
            let body = net
                .app
                .post(Some(token), query, json!({ "l": library, "s": side }))
                .await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{body}"
            );
            assert_eq!(body["data"], Value::Null, "{body}");
            assert!(!body.to_string().contains("The Long Winter"));
        }
    }
    // An unknown library: NOT_FOUND (staff and coordinator alike).
    for token in [&net.l1, &net.coordinator] {
        let body = net
            .app
            .post(Some(token), counts, json!({ "l": "NOPE", "s": "LENDING" }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    // The coordinator reads every library's queues.
    net.app
        .eventually(
            &net.coordinator,
            queue,
            json!({ "l": "L1", "s": "LENDING" }),
            has,
        )
        .await;
    let data = net
        .app
        .ok(
            &net.coordinator,
            counts,
            json!({ "l": "BOR", "s": "BORROWING" }),
        )
        .await;
    assert_eq!(
        data["queueCounts"],
        json!([{ "status": "REQUESTED", "count": 1 }])
    );
}
on_both_backends!(queues_are_a_library_s_own);
