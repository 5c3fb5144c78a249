//! Refused commands: each gets the contract's exact `extensions.code`, and
//! nothing is stored (the request's version is the same afterwards).

use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

/// The `extensions.code` of the first error, asserting there is no data.
fn code_without_data(body: &Value) -> String {
    assert!(body["data"].is_null(), "a refusal carries no data: {body}");
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code, got {body}"))
        .to_owned()
}

async fn unauthenticated(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1"]).await["id"].clone();
    let unknown = "ill_0000000000000000000000000000000000000000000000000000000000000000";
    for token in [None, Some(unknown), Some("")] {
        net.assert_refused(token, &id, "willSupply(id: $id)", "UNAUTHENTICATED")
            .await;
        net.assert_refused(
            token,
            &id,
            r#"addNote(id: $id, text: "hi")"#,
            "UNAUTHENTICATED",
        )
        .await;
        for (query, variables) in [
            (
                "query($id: UUID!) { request(id: $id) { id } }",
                json!({ "id": id }),
            ),
            ("{ me { name } }", json!({})),
            // Malformed, and a malformed variable: the token is looked at first.
            ("{ me { name ", json!({})),
            (
                "query($id: UUID!) { request(id: $id) { id } }",
                json!({ "id": "nope" }),
            ),
        ] {
            let body = net.app.post(token, query, variables).await;
            assert_eq!(code_without_data(&body), "UNAUTHENTICATED", "{query}");
        }
    }
    // A revoked token is an unknown one.
    let token = net.app.token("L2", "temp", "STAFF").await;
    net.app.ok(&token, "{ me { name } }", json!({})).await;
    let revoked = net
        .app
        .ok(
            &net.app.admin,
            r#"mutation { revokeStaffTokens(library: "L2", name: "temp") }"#,
            json!({}),
        )
        .await;
    assert_eq!(revoked["revokeStaffTokens"], 1);
    let body = net
        .app
        .post(Some(&token), "{ me { name } }", json!({}))
        .await;
    assert_eq!(code_without_data(&body), "UNAUTHENTICATED");
}
on_both_backends!(unauthenticated);

async fn strangers_and_the_wrong_side(backend: Backend) {
    let net = Network::new(backend).await;
    let stranger = net.add_library("L4", true).await;
    let id = net.place(&["L1", "L2"]).await["id"].clone();

    // A library outside the request does not learn it exists.
    for mutation in [
        "willSupply(id: $id)",
        "cancel(id: $id)",
        r#"addNote(id: $id, text: "hello")"#,
        "declareLost(id: $id)",
    ] {
        net.assert_refused(Some(&stranger), &id, mutation, "NOT_FOUND")
            .await;
    }
    // An unknown request: NOT_FOUND for anyone.
    let unknown = json!(uuid::Uuid::new_v4());
    net.assert_refused(Some(&net.l1), &unknown, "willSupply(id: $id)", "NOT_FOUND")
        .await;
    net.assert_refused(
        Some(&net.coordinator),
        &unknown,
        r#"willSupply(id: $id, coordinatorReason: "help")"#,
        "NOT_FOUND",
    )
    .await;

    // A library of the rota that is not the current lender.
    for mutation in [
        "willSupply(id: $id)",
        "decline(id: $id, reason: NOT_HELD)",
        r#"ship(id: $id, dueDate: "2026-04-01")"#,
        "cancel(id: $id)",
    ] {
        net.assert_refused(Some(&net.l2), &id, mutation, "FORBIDDEN")
            .await;
    }
    // The wrong side: the borrower answering for the lender, and back.
    for mutation in [
        "willSupply(id: $id)",
        "decline(id: $id, reason: NOT_HELD)",
        "proposeConditions(id: $id, condition: LIBRARY_USE_ONLY)",
        r#"ship(id: $id, dueDate: "2026-04-01")"#,
        "checkIn(id: $id)",
    ] {
        net.assert_refused(Some(&net.bor), &id, mutation, "FORBIDDEN")
            .await;
    }
    for mutation in [
        "cancel(id: $id)",
        r#"reroute(id: $id, lenders: ["L3"])"#,
        "receive(id: $id)",
        "acceptConditions(id: $id)",
    ] {
        net.assert_refused(Some(&net.l1), &id, mutation, "FORBIDDEN")
            .await;
    }
    // A STAFF account's coordinatorReason changes nothing.
    net.assert_refused(
        Some(&net.bor),
        &id,
        r#"willSupply(id: $id, coordinatorReason: "I am sure")"#,
        "FORBIDDEN",
    )
    .await;
    let supplied = net
        .act(
            &net.l1,
            &id,
            r#"willSupply(id: $id, coordinatorReason: "ignored")"#,
        )
        .await;
    let last = supplied["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["coordinatorReason"], Value::Null);
    assert_eq!(last["role"], "STAFF");
}
on_both_backends!(strangers_and_the_wrong_side);

const LIBRARIES: &str = "{ libraries { id name lends suspended } }";

async fn admin_mutations_need_an_admin(backend: Backend) {
    let net = Network::new(backend).await;
    let libraries = net.app.ok(&net.app.admin, LIBRARIES, json!({})).await;
    let accounts_query = "{ accounts { library { id } name role tokens } }";
    let accounts = net.app.ok(&net.app.admin, accounts_query, json!({})).await;

    let admin_only = [
        r#"mutation { registerLibrary(input: {id: "NEW", name: "New"}) { id } }"#,
        r#"mutation { createStaffToken(library: "L1", name: "intruder", role: ADMIN) }"#,
        r#"mutation { createStaffToken(library: "BOR", name: "bor-staff", role: STAFF) }"#,
        r#"mutation { revokeStaffTokens(library: "L2", name: "l2-staff") }"#,
    ];
    let coordinator_too = [
        r#"mutation { setLendingSuspended(library: "L1", suspended: true) { id } }"#,
        r#"mutation { updateLibrary(input: {id: "L1", name: "Renamed", lends: false}) { id } }"#,
    ];
    for token in [&net.bor, &net.l1] {
        for mutation in admin_only.iter().chain(&coordinator_too) {
            let body = net.app.post(Some(token), mutation, json!({})).await;
            assert_eq!(code_without_data(&body), "FORBIDDEN", "{mutation}");
        }
    }
    for mutation in admin_only {
        let body = net
            .app
            .post(Some(&net.coordinator), mutation, json!({}))
            .await;
        assert_eq!(code_without_data(&body), "FORBIDDEN", "{mutation}");
    }
    // Nothing changed: the directory, the accounts, and L2's token works.
    assert_eq!(
        net.app.ok(&net.app.admin, LIBRARIES, json!({})).await,
        libraries
    );
    assert_eq!(
        net.app.ok(&net.app.admin, accounts_query, json!({})).await,
        accounts
    );
    net.app.ok(&net.l2, "{ me { name } }", json!({})).await;
    // Staff may not list accounts either.
    let body = net.app.post(Some(&net.l1), accounts_query, json!({})).await;
    assert_eq!(code_without_data(&body), "FORBIDDEN");

    // What a coordinator may do, it does.
    let updated = net
        .app
        .ok(
            &net.coordinator,
            r#"mutation { updateLibrary(input: {id: "L3", name: "Third"}) { id name lends } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        updated["updateLibrary"],
        json!({"id": "L3", "name": "Third", "lends": true})
    );
    // Unknown libraries: NOT_FOUND.
    for mutation in [
        r#"mutation { updateLibrary(input: {id: "NOPE", name: "x"}) { id } }"#,
        r#"mutation { setLendingSuspended(library: "NOPE", suspended: true) { id } }"#,
        r#"mutation { createStaffToken(library: "NOPE", name: "x", role: STAFF) }"#,
    ] {
        let body = net
            .app
            .post(Some(&net.app.admin), mutation, json!({}))
            .await;
        assert_eq!(code_without_data(&body), "NOT_FOUND", "{mutation}");
    }
}
on_both_backends!(admin_mutations_need_an_admin);

async fn coordinators_give_a_reason(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1"]).await["id"].clone();
    for token in [&net.coordinator, &net.app.admin] {
        for mutation in [
            "willSupply(id: $id)",
            r#"willSupply(id: $id, coordinatorReason: "")"#,
            r#"willSupply(id: $id, coordinatorReason: "   ")"#,
            "cancel(id: $id)",
            r#"addNote(id: $id, text: "from the office")"#,
        ] {
            net.assert_refused(Some(token), &id, mutation, "FORBIDDEN")
                .await;
        }
    }
    // With a reason it acts, for either side, and the reason is audited.
    let supplied = net
        .act(
            &net.coordinator,
            &id,
            r#"willSupply(id: $id, coordinatorReason: "L1 phoned the office")"#,
        )
        .await;
    assert_eq!(supplied["status"], "WILL_SUPPLY");
    let event = supplied["history"].as_array().unwrap().last().unwrap();
    assert_eq!(event["type"], "LenderWillSupply");
    assert_eq!(event["actor"], "coordinator");
    assert_eq!(event["library"], "NETWORK");
    assert_eq!(event["role"], "COORDINATOR");
    assert_eq!(event["coordinatorReason"], "L1 phoned the office");
    let cancelling = net
        .act(
            &net.app.admin,
            &id,
            r#"cancel(id: $id, coordinatorReason: "duplicate request")"#,
        )
        .await;
    let event = cancelling["history"].as_array().unwrap().last().unwrap();
    assert_eq!(event["type"], "CancelRequested");
    assert_eq!(event["role"], "ADMIN");
    assert_eq!(event["coordinatorReason"], "duplicate request");
    // Status rules bind coordinators too.
    net.assert_refused(
        Some(&net.coordinator),
        &id,
        r#"receive(id: $id, coordinatorReason: "why not")"#,
        "INVALID_TRANSITION",
    )
    .await;
}
on_both_backends!(coordinators_give_a_reason);

async fn stale_expected_version(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1"]).await["id"].clone();
    assert_eq!(net.version(&id).await, 2);
    for stale in [0, 1, 3, 99] {
        net.assert_refused(
            Some(&net.l1),
            &id,
            &format!("willSupply(id: $id, expectedVersion: {stale})"),
            "CONFLICT",
        )
        .await;
    }
    let supplied = net
        .act(&net.l1, &id, "willSupply(id: $id, expectedVersion: 2)")
        .await;
    assert_eq!(supplied["version"], 3);
    // The borrower read version 2 before the lender's answer.
    net.assert_refused(
        Some(&net.bor),
        &id,
        "cancel(id: $id, expectedVersion: 2)",
        "CONFLICT",
    )
    .await;
    net.assert_refused(
        Some(&net.coordinator),
        &id,
        r#"cancel(id: $id, expectedVersion: 2, coordinatorReason: "r")"#,
        "CONFLICT",
    )
    .await;
}
on_both_backends!(stale_expected_version);

/// A change to a placeRequest input.
type Change = Box<dyn FnOnce(&mut Value)>;

/// A placeRequest input: valid, with `change` applied to it.
fn place_input(id: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut input = json!({
        "id": id,
        "patron": { "barcode": "2100012345", "name": "Ada Reader" },
        "item": { "title": "The Long Winter" },
        "lenders": ["L1", "L2"],
    });
    change(&mut input);
    input
}

async fn bad_input(backend: Backend) {
    let net = Network::new(backend).await;
    let place = "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id } }";
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(&str, Change)> = vec![
        ("an empty rota", Box::new(|i| i["lenders"] = json!([]))),
        (
            "a lender twice",
            Box::new(|i| i["lenders"] = json!(["L1", "L2", "L1"])),
        ),
        (
            "the borrower in its own rota",
            Box::new(|i| i["lenders"] = json!(["BOR", "L1"])),
        ),
        (
            "an unknown library",
            Box::new(|i| i["lenders"] = json!(["L1", "L9"])),
        ),
        (
            "a malformed symbol",
            Box::new(|i| i["lenders"] = json!(["not a symbol!"])),
        ),
        (
            "a blank title",
            Box::new(|i| i["item"]["title"] = json!("   ")),
        ),
        (
            "a title over 500",
            Box::new(move |i| i["item"]["title"] = json!(long(501))),
        ),
        (
            "a note over 2000",
            Box::new(move |i| i["note"] = json!(long(2001))),
        ),
        (
            "a blank barcode",
            Box::new(|i| i["patron"]["barcode"] = json!(" ")),
        ),
        (
            "needed before today",
            Box::new(|i| i["neededBy"] = json!("2026-03-01")),
        ),
        (
            "a malformed date",
            Box::new(|i| i["neededBy"] = json!("2026-02-30")),
        ),
        (
            "a date that is no date",
            Box::new(|i| i["neededBy"] = json!("soon")),
        ),
        (
            "an unknown service",
            Box::new(|i| i["serviceType"] = json!("BOOK")),
        ),
        (
            "no item",
            Box::new(|i| {
                i.as_object_mut().unwrap().remove("item");
            }),
        ),
    ];
    for (case, change) in cases {
        let id = uuid::Uuid::new_v4().to_string();
        let input = place_input(&id, change);
        let body = net
            .app
            .post(Some(&net.bor), place, json!({ "input": input }))
            .await;
        assert_eq!(code_without_data(&body), "BAD_INPUT", "{case}: {body}");
        assert_eq!(net.version(&json!(id)).await, 0, "{case}: stored");
    }
    let body = net
        .app
        .post(
            Some(&net.bor),
            place,
            json!({ "input": place_input("not-a-uuid", |_| {}) }),
        )
        .await;
    assert_eq!(code_without_data(&body), "BAD_INPUT", "a malformed id");
    // Just inside the limits: accepted.
    let id = uuid::Uuid::new_v4().to_string();
    let input = place_input(&id, |i| {
        i["item"]["title"] = json!("t".repeat(500));
        i["note"] = json!("n".repeat(2000));
        i["neededBy"] = json!("2026-03-02");
    });
    net.app.ok(&net.bor, place, json!({ "input": input })).await;
    let id = json!(id);

    // On a request: malformed arguments and values out of range.
    for (token, mutation) in [
        (&net.l1, r#"ship(id: $id, dueDate: "2026-03-01")"#),
        (&net.l1, r#"ship(id: $id, dueDate: "2026-04-31")"#),
        (&net.l1, r#"ship(id: $id, dueDate: "next week")"#),
        (&net.l1, "ship(id: $id)"),
        (&net.l1, "decline(id: $id, reason: BORED)"),
        (
            &net.l1,
            &format!(
                r#"decline(id: $id, reason: NOT_HELD, note: "{}")"#,
                long(2001)
            ),
        ),
        (
            &net.l1,
            &format!(r#"addNote(id: $id, text: "{}")"#, long(2001)),
        ),
        (&net.l1, r#"addNote(id: $id, text: "  ")"#),
        (
            &net.l1,
            r#"addNote(id: $id, text: "x", noteId: "not-a-uuid")"#,
        ),
        (&net.l1, "willSupply(id: $id, expectedVersion: -1)"),
        (&net.l1, "willSupply(id: $id, expectedVersion: 2.5)"),
        (&net.l1, r#"willSupply(id: $id, expectedVersion: "2")"#),
        (&net.l1, "willSupply(id: $id, unknownArgument: 1)"),
        (
            &net.coordinator,
            &format!(
                r#"willSupply(id: $id, coordinatorReason: "{}")"#,
                long(1001)
            ),
        ),
    ] {
        net.assert_refused(Some(token), &id, mutation, "BAD_INPUT")
            .await;
    }
    let body = net
        .app
        .post(
            Some(&net.l1),
            "mutation($id: UUID!) { willSupply(id: $id) { id } }",
            json!({ "id": "12345" }),
        )
        .await;
    assert_eq!(
        code_without_data(&body),
        "BAD_INPUT",
        "a malformed UUID variable"
    );
    let body = net
        .app
        .post(
            Some(&net.l1),
            "mutation($id: UUID!, $due: Date!) { ship(id: $id, dueDate: $due) { id } }",
            json!({ "id": id, "due": "2026-13-01" }),
        )
        .await;
    assert_eq!(
        code_without_data(&body),
        "BAD_INPUT",
        "a malformed Date variable"
    );

    // Values wrong for the request's state: due dates not after the current one.
    net.act(&net.l1, &id, r#"ship(id: $id, dueDate: "2026-04-01")"#)
        .await;
    net.act(&net.bor, &id, "receive(id: $id)").await;
    for until in ["2026-04-01", "2026-03-20"] {
        net.assert_refused(
            Some(&net.bor),
            &id,
            &format!(r#"requestRenewal(id: $id, until: "{until}")"#),
            "BAD_INPUT",
        )
        .await;
    }
    net.act(&net.bor, &id, "requestRenewal(id: $id)").await;
    for answer in [
        // Neither the borrower nor the lender named a date.
        "answerRenewal(id: $id, approve: true)",
        r#"answerRenewal(id: $id, approve: true, newDueDate: "2026-04-01")"#,
        r#"answerRenewal(id: $id, approve: true, newDueDate: "2026-03-30")"#,
        // Before today.
        r#"answerRenewal(id: $id, approve: true, newDueDate: "2026-01-01")"#,
    ] {
        net.assert_refused(Some(&net.l1), &id, answer, "BAD_INPUT")
            .await;
    }
    // A recall may bring the due date forward, never later.
    net.assert_refused(
        Some(&net.l1),
        &id,
        r#"recall(id: $id, dueDate: "2026-04-02")"#,
        "BAD_INPUT",
    )
    .await;

    // Rerouting an unfilled request: the rota's rules hold again.
    let unfilled = net.place(&["L2"]).await["id"].clone();
    net.act(&net.l2, &unfilled, "decline(id: $id, reason: NOT_HELD)")
        .await;
    for lenders in [
        r#"[]"#,
        r#"["L1", "L1"]"#,
        r#"["BOR"]"#,
        r#"["L9"]"#,
        r#"["bad symbol"]"#,
    ] {
        net.assert_refused(
            Some(&net.bor),
            &unfilled,
            &format!("reroute(id: $id, lenders: {lenders})"),
            "BAD_INPUT",
        )
        .await;
    }

    // Queries and administration.
    for (token, query) in [
        (
            &net.l1,
            r#"{ queue(library: "L1", side: LENDING, first: 201) { totalCount } }"#,
        ),
        (
            &net.l1,
            r#"{ queue(library: "L1", side: LENDING, first: -1) { totalCount } }"#,
        ),
        (
            &net.l1,
            r#"{ queue(library: "L1", side: LENDING, after: "garbage") { totalCount } }"#,
        ),
        (
            &net.l1,
            r#"{ queue(library: "L1", side: SIDEWAYS) { totalCount } }"#,
        ),
        (&net.l1, r#"{ request(id: "not-a-uuid") { id } }"#),
        (
            &net.app.admin,
            r#"mutation { registerLibrary(input: {id: "L1", name: "Again"}) { id } }"#,
        ),
        (
            &net.app.admin,
            r#"mutation { registerLibrary(input: {id: "NETWORK", name: "Again"}) { id } }"#,
        ),
        (
            &net.app.admin,
            r#"mutation { registerLibrary(input: {id: "no spaces", name: "x"}) { id } }"#,
        ),
        (
            &net.app.admin,
            r#"mutation { registerLibrary(input: {id: "NEW", name: " "}) { id } }"#,
        ),
        (
            &net.app.admin,
            r#"mutation { createStaffToken(library: "L1", name: " ", role: STAFF) }"#,
        ),
    ] {
        let body = net.app.post(Some(token), query, json!({})).await;
        assert_eq!(code_without_data(&body), "BAD_INPUT", "{query}");
    }
    let libraries = net.app.ok(&net.app.admin, LIBRARIES, json!({})).await;
    assert_eq!(libraries["libraries"].as_array().unwrap().len(), 5);
    assert!(libraries["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["name"] != "Again"));
}
on_both_backends!(bad_input);

/// UNAUTHENTICATED, BAD_INPUT (malformed), NOT_FOUND, FORBIDDEN, CONFLICT,
/// INVALID_TRANSITION, BAD_INPUT (wrong for the state): the first wins.
async fn the_first_failure_wins(backend: Backend) {
    let net = Network::new(backend).await;
    let stranger = net.add_library("L4", true).await;
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    let stale_and_early = r#"ship(id: $id, dueDate: "2026-03-01", expectedVersion: 1)"#;
    let cases = [
        (None, stale_and_early, "UNAUTHENTICATED"),
        (Some(&stranger), stale_and_early, "BAD_INPUT"),
        (
            Some(&stranger),
            r#"ship(id: $id, dueDate: "garbage")"#,
            "BAD_INPUT",
        ),
        (
            Some(&stranger),
            &format!(r#"addNote(id: $id, text: "{}")"#, "x".repeat(2001)),
            "BAD_INPUT",
        ),
        (
            Some(&stranger),
            r#"reroute(id: $id, lenders: ["not a symbol"])"#,
            "BAD_INPUT",
        ),
        // An empty list is well formed (an automatic rota): the stranger
        // cannot see the request.
        (
            Some(&stranger),
            r#"reroute(id: $id, lenders: [])"#,
            "NOT_FOUND",
        ),
        (
            Some(&stranger),
            "willSupply(id: $id, expectedVersion: 1)",
            "NOT_FOUND",
        ),
        (
            Some(&stranger),
            "receive(id: $id, expectedVersion: 1)",
            "NOT_FOUND",
        ),
        (
            Some(&net.l2),
            "willSupply(id: $id, expectedVersion: 1)",
            "FORBIDDEN",
        ),
        (
            Some(&net.bor),
            "willSupply(id: $id, expectedVersion: 1)",
            "FORBIDDEN",
        ),
        (
            Some(&net.coordinator),
            "willSupply(id: $id, expectedVersion: 1)",
            "FORBIDDEN",
        ),
        // Stale and not allowed in REQUESTED: the version is looked at first.
        (
            Some(&net.l1),
            "checkIn(id: $id, expectedVersion: 1)",
            "CONFLICT",
        ),
        (
            Some(&net.bor),
            "receive(id: $id, expectedVersion: 7)",
            "CONFLICT",
        ),
        // Not allowed in REQUESTED, with a value that would be wrong anyway.
        (
            Some(&net.l1),
            "answerRenewal(id: $id, approve: true)",
            "INVALID_TRANSITION",
        ),
        (
            Some(&net.l1),
            r#"recall(id: $id, dueDate: "2030-01-01")"#,
            "INVALID_TRANSITION",
        ),
    ];
    for (token, mutation, code) in cases {
        net.assert_refused(token.map(String::as_str), &id, mutation, code)
            .await;
    }
    // Shipped: renewal not allowed yet, though its date is also wrong.
    net.act(&net.l1, &id, r#"ship(id: $id, dueDate: "2026-04-01")"#)
        .await;
    net.assert_refused(
        Some(&net.bor),
        &id,
        r#"requestRenewal(id: $id, until: "2026-03-15")"#,
        "INVALID_TRANSITION",
    )
    .await;
    net.assert_refused(
        Some(&net.bor),
        &id,
        r#"requestRenewal(id: $id, until: "2026-03-15", expectedVersion: 2)"#,
        "CONFLICT",
    )
    .await;
}
on_both_backends!(the_first_failure_wins);
