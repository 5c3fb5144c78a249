//! Whole request lifecycles through the GraphQL API, on both backends.

use ill_tests::{event_types as types, Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

/// The outcome of every rota entry, in order.
fn outcomes(request: &Value) -> Vec<&str> {
    request["rota"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect()
}

/// The history entry of the last event of `kind`.
fn last_event<'a>(request: &'a Value, kind: &str) -> &'a Value {
    request["history"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {}", request["history"]))
}

/// Places a LOAN to `lenders`, has the first lender ship it due `due` and
/// the borrower receive it.
async fn received(net: &Network, lenders: &[&str], due: &str) -> Value {
    let id = net.place(lenders).await["id"].clone();
    let lender = net.token_of(lenders[0]);
    net.act(lender, &id, &format!(r#"ship(id: $id, dueDate: "{due}")"#))
        .await;
    let received = net.act(&net.bor, &id, "receive(id: $id)").await;
    assert_eq!(received["status"], "RECEIVED");
    id
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

async fn copy_to_delivered(backend: Backend) {
    let net = Network::new(backend).await;
    let placed = net
        .place_with(
            &["L1"],
            json!({
                "serviceType": "COPY",
                "item": { "title": "Journal of Examples", "articleTitle": "On tests", "pages": "1-12" },
            }),
        )
        .await;
    assert_eq!(placed["serviceType"], "COPY");
    let id = &placed["id"];
    net.act(&net.l1, id, "willSupply(id: $id)").await;
    let delivered = net.act(&net.l1, id, "deliverCopy(id: $id)").await;
    assert_eq!(delivered["status"], "DELIVERED");
    assert_eq!(delivered["rota"][0]["outcome"], "SUPPLYING");
    assert_eq!(delivered["dueDate"], Value::Null);
    assert_eq!(
        types(&delivered),
        [
            "RequestPlaced",
            "RequestRouted",
            "LenderWillSupply",
            "CopyDelivered"
        ]
    );

    // A copy may also be delivered straight from REQUESTED.
    let id = net
        .place_with(&["L2"], json!({ "serviceType": "COPY" }))
        .await["id"]
        .clone();
    let delivered = net.act(&net.l2, &id, "deliverCopy(id: $id)").await;
    assert_eq!(delivered["status"], "DELIVERED");
    assert_eq!(delivered["version"], 3);
}
on_both_backends!(copy_to_delivered);

async fn conditions_accepted_and_rejected(backend: Backend) {
    let net = Network::new(backend).await;

    // Accepted: the lender will supply under its condition.
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    let proposed = net
        .act(
            &net.l1,
            &id,
            r#"proposeConditions(id: $id, condition: LIBRARY_USE_ONLY, note: "in the reading room")"#,
        )
        .await;
    assert_eq!(proposed["status"], "CONDITIONAL");
    assert_eq!(proposed["condition"], "LIBRARY_USE_ONLY");
    assert_eq!(
        last_event(&proposed, "ConditionsProposed")["data"]["note"],
        "in the reading room"
    );
    let accepted = net.act(&net.bor, &id, "acceptConditions(id: $id)").await;
    assert_eq!(accepted["status"], "WILL_SUPPLY");
    assert_eq!(accepted["lender"]["id"], "L1");
    assert_eq!(accepted["condition"], "LIBRARY_USE_ONLY");
    assert_eq!(outcomes(&accepted), ["SUPPLYING", "PENDING"]);
    let shipped = net
        .act(&net.l1, &id, r#"ship(id: $id, dueDate: "2026-04-01")"#)
        .await;
    assert_eq!(shipped["status"], "SHIPPED");

    // Rejected: the next lender is asked.
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    net.act(
        &net.l1,
        &id,
        "proposeConditions(id: $id, condition: SIGNATURE_REQUIRED)",
    )
    .await;
    let rejected = net
        .act(
            &net.bor,
            &id,
            r#"rejectConditions(id: $id, note: "the patron cannot sign")"#,
        )
        .await;
    assert_eq!(rejected["status"], "REQUESTED");
    assert_eq!(rejected["lender"]["id"], "L2");
    assert_eq!(rejected["condition"], Value::Null);
    assert_eq!(outcomes(&rejected), ["REJECTED", "WAITING"]);
    assert_eq!(
        types(&rejected)[3..],
        ["ConditionsRejected", "NoteAdded", "RequestRouted"]
    );
    assert_eq!(
        last_event(&rejected, "ConditionsRejected")["data"]["lender"],
        "L1"
    );
    assert_eq!(
        last_event(&rejected, "NoteAdded")["data"]["note"],
        "the patron cannot sign"
    );
    // The last lender's conditions rejected: unfilled.
    net.act(
        &net.l2,
        &id,
        "proposeConditions(id: $id, condition: NO_REPRODUCTION)",
    )
    .await;
    let unfilled = net.act(&net.bor, &id, "rejectConditions(id: $id)").await;
    assert_eq!(unfilled["status"], "UNFILLED");
    assert_eq!(unfilled["lender"], Value::Null);
    assert_eq!(outcomes(&unfilled), ["REJECTED", "REJECTED"]);
}
on_both_backends!(conditions_accepted_and_rejected);

async fn declines_to_unfilled_then_reroute(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1", "L2", "L3"]).await["id"].clone();
    let next = net
        .act(&net.l1, &id, "decline(id: $id, reason: NOT_HELD)")
        .await;
    assert_eq!(next["status"], "REQUESTED");
    assert_eq!(next["lender"]["id"], "L2");
    assert_eq!(next["rota"][0]["reason"], "NOT_HELD");
    let next = net
        .act(
            &net.l2,
            &id,
            r#"decline(id: $id, reason: NOT_ON_SHELF, note: "missing since May")"#,
        )
        .await;
    assert_eq!(next["lender"]["id"], "L3");
    assert_eq!(
        last_event(&next, "LenderDeclined")["data"]["note"],
        "missing since May"
    );
    // A lender that will supply may still decline.
    net.act(&net.l3, &id, "willSupply(id: $id)").await;
    let unfilled = net
        .act(&net.l3, &id, "decline(id: $id, reason: POOR_CONDITION)")
        .await;
    assert_eq!(unfilled["status"], "UNFILLED");
    assert_eq!(unfilled["lender"], Value::Null);
    assert_eq!(outcomes(&unfilled), ["DECLINED", "DECLINED", "DECLINED"]);
    let reasons: Vec<&Value> = unfilled["rota"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["reason"])
        .collect();
    assert_eq!(
        reasons,
        [
            &json!("NOT_HELD"),
            &json!("NOT_ON_SHELF"),
            &json!("POOR_CONDITION")
        ]
    );
    assert_eq!(types(&unfilled).last().unwrap(), "RequestUnfilled");

    // Rerouted to a new rota: asked afresh.
    let rerouted = net
        .act(&net.bor, &id, r#"reroute(id: $id, lenders: ["L2", "L1"])"#)
        .await;
    assert_eq!(rerouted["status"], "REQUESTED");
    assert_eq!(rerouted["lender"]["id"], "L2");
    assert_eq!(outcomes(&rerouted), ["WAITING", "PENDING"]);
    assert_eq!(
        last_event(&rerouted, "Rerouted")["data"]["rota"],
        json!(["L2", "L1"])
    );
    // L3, asked before the reroute, still reads the request.
    assert_eq!(net.request(&net.l3, &id).await["status"], "REQUESTED");
    let shipped = net
        .act(&net.l2, &id, r#"ship(id: $id, dueDate: "2026-04-01")"#)
        .await;
    assert_eq!(shipped["status"], "SHIPPED");
}
on_both_backends!(declines_to_unfilled_then_reroute);

async fn suspended_and_non_lending_lenders_are_skipped(backend: Backend) {
    let net = Network::new(backend).await;
    net.add_library("BORROW-ONLY", false).await;
    let suspended = net
        .app
        .ok(
            &net.coordinator,
            r#"mutation { setLendingSuspended(library: "L1", suspended: true) { id suspended } }"#,
            json!({}),
        )
        .await;
    assert_eq!(suspended["setLendingSuspended"]["suspended"], true);

    let placed = net.place(&["L1", "BORROW-ONLY", "L2"]).await;
    assert_eq!(placed["status"], "REQUESTED");
    assert_eq!(placed["lender"]["id"], "L2");
    assert_eq!(outcomes(&placed), ["SKIPPED", "SKIPPED", "WAITING"]);
    assert_eq!(
        types(&placed),
        [
            "RequestPlaced",
            "LenderSkipped",
            "LenderSkipped",
            "RequestRouted"
        ]
    );
    assert_eq!(placed["history"][1]["data"]["why"], "suspended");
    assert_eq!(placed["history"][1]["data"]["lender"], "L1");
    assert_eq!(placed["history"][2]["data"]["why"], "not_lending");

    // Nobody eligible: unfilled at once.
    let unfilled = net.place(&["L1", "BORROW-ONLY"]).await;
    assert_eq!(unfilled["status"], "UNFILLED");
    assert_eq!(unfilled["lender"], Value::Null);
    assert_eq!(types(&unfilled).last().unwrap(), "RequestUnfilled");

    // Resumed: asked again.
    net.app
        .ok(
            &net.coordinator,
            r#"mutation { setLendingSuspended(library: "L1", suspended: false) { id } }"#,
            json!({}),
        )
        .await;
    let placed = net.place(&["L1"]).await;
    assert_eq!(placed["lender"]["id"], "L1");
}
on_both_backends!(suspended_and_non_lending_lenders_are_skipped);

/// A request waiting at a library whose lending is then suspended moves on
/// (the scheduler does it, as the system).
async fn suspension_moves_a_waiting_request_on(backend: Backend) {
    let net = Network::new(backend).await;
    let waiting = net.place(&["L1", "L2"]).await["id"].clone();
    let supplying = net.place(&["L1", "L2"]).await["id"].clone();
    net.act(&net.l1, &supplying, "willSupply(id: $id)").await;

    net.app
        .ok(
            &net.coordinator,
            r#"mutation { setLendingSuspended(library: "L1", suspended: true) { id } }"#,
            json!({}),
        )
        .await;
    let query = "query($id: UUID!) { request(id: $id) { status lender { id } rota { outcome }
        history { type actor library role data } } }";
    let moved = net
        .app
        .eventually(&net.bor, query, json!({ "id": waiting }), |d| {
            d["request"]["lender"]["id"] == "L2"
        })
        .await;
    let request = &moved["request"];
    assert_eq!(request["status"], "REQUESTED");
    assert_eq!(outcomes(request), ["SKIPPED", "WAITING"]);
    let skipped = last_event(request, "LenderSkipped");
    assert_eq!(skipped["actor"], "system");
    assert_eq!(skipped["role"], Value::Null);
    assert_eq!(skipped["library"], Value::Null);
    assert_eq!(skipped["data"]["why"], "suspended");
    assert_eq!(types(request).last().unwrap(), "RequestRouted");

    // A request the suspended library already said it will supply stays.
    let kept = net.request(&net.bor, &supplying).await;
    assert_eq!(kept["status"], "WILL_SUPPLY");
    assert_eq!(kept["lender"]["id"], "L1");

    // The admin may suspend too; the last eligible lender gone: unfilled.
    let last = net.place(&["L3"]).await["id"].clone();
    net.app
        .ok(
            &net.app.admin,
            r#"mutation { setLendingSuspended(library: "L3", suspended: true) { id } }"#,
            json!({}),
        )
        .await;
    net.app
        .eventually(&net.bor, query, json!({ "id": last }), |d| {
            d["request"]["status"] == "UNFILLED"
        })
        .await;
}
on_both_backends!(suspension_moves_a_waiting_request_on);

async fn renewal_granted_and_denied(backend: Backend) {
    let net = Network::new(backend).await;
    let id = received(&net, &["L1"], "2026-04-01").await;

    // Granted with the date the borrower asked for.
    let asked = net
        .act(
            &net.bor,
            &id,
            r#"requestRenewal(id: $id, until: "2026-04-20")"#,
        )
        .await;
    assert!(asked["renewalPending"].as_bool().unwrap());
    assert_eq!(asked["dueDate"], "2026-04-01");
    assert_eq!(
        last_event(&asked, "RenewalRequested")["data"]["until"],
        "2026-04-20"
    );
    let granted = net
        .act(&net.l1, &id, "answerRenewal(id: $id, approve: true)")
        .await;
    assert_eq!(granted["renewalPending"], false);
    assert_eq!(granted["dueDate"], "2026-04-20");
    assert_eq!(
        last_event(&granted, "RenewalGranted")["data"]["due_date"],
        "2026-04-20"
    );

    // Granted with the lender's own date, while checked out.
    net.act(&net.bor, &id, "checkOutToPatron(id: $id)").await;
    net.act(&net.bor, &id, "requestRenewal(id: $id)").await;
    let granted = net
        .act(
            &net.l1,
            &id,
            r#"answerRenewal(id: $id, approve: true, newDueDate: "2026-05-10")"#,
        )
        .await;
    assert_eq!(granted["dueDate"], "2026-05-10");
    assert_eq!(granted["status"], "CHECKED_OUT");

    // Denied: the due date stays.
    net.act(
        &net.bor,
        &id,
        r#"requestRenewal(id: $id, until: "2026-06-01")"#,
    )
    .await;
    let denied = net
        .act(&net.l1, &id, "answerRenewal(id: $id, approve: false)")
        .await;
    assert_eq!(denied["renewalPending"], false);
    assert_eq!(denied["dueDate"], "2026-05-10");
    assert_eq!(types(&denied).last().unwrap(), "RenewalDenied");

    // The item goes back as usual.
    net.act(&net.bor, &id, "returnFromPatron(id: $id)").await;
    net.act(&net.bor, &id, "shipReturn(id: $id)").await;
    let done = net.act(&net.l1, &id, "checkIn(id: $id)").await;
    assert_eq!(done["status"], "COMPLETED");
}
on_both_backends!(renewal_granted_and_denied);

async fn recall_with_a_pending_renewal(backend: Backend) {
    let net = Network::new(backend).await;
    let id = received(&net, &["L1"], "2026-04-01").await;
    net.act(&net.bor, &id, "checkOutToPatron(id: $id)").await;
    net.act(
        &net.bor,
        &id,
        r#"requestRenewal(id: $id, until: "2026-05-01")"#,
    )
    .await;
    let recalled = net
        .act(
            &net.l1,
            &id,
            r#"recall(id: $id, dueDate: "2026-03-20", note: "needed for a class")"#,
        )
        .await;
    assert_eq!(recalled["recalled"], true);
    assert_eq!(recalled["renewalPending"], false);
    assert_eq!(recalled["dueDate"], "2026-03-20");
    assert_eq!(recalled["status"], "CHECKED_OUT");
    let history = types(&recalled);
    let recall_at = history.iter().position(|t| t == "ItemRecalled").unwrap();
    assert_eq!(history[recall_at + 1], "RenewalDenied");
    assert_eq!(
        last_event(&recalled, "NoteAdded")["data"]["note"],
        "needed for a class"
    );

    // No renewal of a recalled item.
    net.assert_refused(
        Some(&net.bor),
        &id,
        "requestRenewal(id: $id)",
        "INVALID_TRANSITION",
    )
    .await;
    net.act(&net.bor, &id, "returnFromPatron(id: $id)").await;
    let back = net.act(&net.bor, &id, "shipReturn(id: $id)").await;
    assert_eq!(
        back["recalled"], false,
        "a recall ends when the item ships back"
    );
    let done = net.act(&net.l1, &id, "checkIn(id: $id)").await;
    assert_eq!(done["status"], "COMPLETED");
}
on_both_backends!(recall_with_a_pending_renewal);

async fn cancel_before_and_after_will_supply(backend: Backend) {
    let net = Network::new(backend).await;

    // Before the lender answered: cancelled at once.
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    let cancelled = net
        .act(
            &net.bor,
            &id,
            r#"cancel(id: $id, note: "patron moved away")"#,
        )
        .await;
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(types(&cancelled)[2..], ["RequestCancelled", "NoteAdded"]);

    // While conditional: cancelled at once.
    let id = net.place(&["L1"]).await["id"].clone();
    net.act(
        &net.l1,
        &id,
        "proposeConditions(id: $id, condition: LIBRARY_USE_ONLY)",
    )
    .await;
    let cancelled = net.act(&net.bor, &id, "cancel(id: $id)").await;
    assert_eq!(cancelled["status"], "CANCELLED");

    // After willSupply: the lender is asked; it approves.
    let id = net.place(&["L1"]).await["id"].clone();
    net.act(&net.l1, &id, "willSupply(id: $id)").await;
    let pending = net.act(&net.bor, &id, "cancel(id: $id)").await;
    assert_eq!(pending["status"], "WILL_SUPPLY");
    assert_eq!(pending["cancelPending"], true);
    assert_eq!(types(&pending).last().unwrap(), "CancelRequested");
    net.assert_refused(
        Some(&net.l1),
        &id,
        r#"ship(id: $id, dueDate: "2026-04-01")"#,
        "INVALID_TRANSITION",
    )
    .await;
    let approved = net
        .act(&net.l1, &id, "answerCancel(id: $id, approve: true)")
        .await;
    assert_eq!(approved["status"], "CANCELLED");
    assert_eq!(approved["cancelPending"], false);
    assert_eq!(types(&approved).last().unwrap(), "RequestCancelled");

    // After willSupply: the lender refuses (it shipped already) and ships.
    let id = net.place(&["L1"]).await["id"].clone();
    net.act(&net.l1, &id, "willSupply(id: $id)").await;
    net.act(&net.bor, &id, "cancel(id: $id)").await;
    let refused = net
        .act(
            &net.l1,
            &id,
            r#"answerCancel(id: $id, approve: false, note: "already in the van")"#,
        )
        .await;
    assert_eq!(refused["status"], "WILL_SUPPLY");
    assert_eq!(refused["cancelPending"], false);
    assert_eq!(types(&refused)[4..], ["CancelRefused", "NoteAdded"]);
    let shipped = net
        .act(&net.l1, &id, r#"ship(id: $id, dueDate: "2026-04-01")"#)
        .await;
    assert_eq!(shipped["status"], "SHIPPED");

    // A lender that declines while a cancel is pending: the cancel stands.
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    net.act(&net.l1, &id, "willSupply(id: $id)").await;
    net.act(&net.bor, &id, "cancel(id: $id)").await;
    let cancelled = net
        .act(&net.l1, &id, "decline(id: $id, reason: NOT_ON_SHELF)")
        .await;
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(outcomes(&cancelled), ["DECLINED", "PENDING"]);
}
on_both_backends!(cancel_before_and_after_will_supply);

async fn declare_lost_by_either_side_then_check_in(backend: Backend) {
    let net = Network::new(backend).await;

    // By the borrower, while the item is out; found again later.
    let id = received(&net, &["L1"], "2026-04-01").await;
    let lost = net.act(&net.bor, &id, "declareLost(id: $id)").await;
    assert_eq!(lost["status"], "LOST");
    assert_eq!(
        last_event(&lost, "ItemDeclaredLost")["data"]["by"],
        "borrower"
    );
    let found = net.act(&net.l1, &id, "checkIn(id: $id)").await;
    assert_eq!(found["status"], "COMPLETED");

    // By the lender: not before the item is overdue.
    let id = received(&net, &["L2"], "2026-03-10").await;
    net.act(&net.bor, &id, "checkOutToPatron(id: $id)").await;
    assert_eq!(net.request(&net.l2, &id).await["overdue"], false);
    net.assert_refused(
        Some(&net.l2),
        &id,
        "declareLost(id: $id)",
        "INVALID_TRANSITION",
    )
    .await;
    // Past the due date (the clock moves; nothing else in this network waits).
    net.app.clock.advance(chrono::Duration::days(9));
    assert_eq!(net.request(&net.l2, &id).await["overdue"], true);
    let lost = net
        .act(
            &net.l2,
            &id,
            r#"declareLost(id: $id, note: "three reminders sent")"#,
        )
        .await;
    assert_eq!(lost["status"], "LOST");
    assert_eq!(lost["overdue"], false, "overdue ends with the loan");
    assert_eq!(
        last_event(&lost, "ItemDeclaredLost")["data"]["by"],
        "lender"
    );
    assert_eq!(last_event(&lost, "ItemDeclaredLost")["library"], "L2");
    let found = net.act(&net.l2, &id, "checkIn(id: $id)").await;
    assert_eq!(found["status"], "COMPLETED");
    assert_eq!(types(&found).last().unwrap(), "ItemCheckedIn");

    // By the lender once the item was shipped back and never arrived.
    let id = received(&net, &["L3"], "2026-04-30").await;
    net.act(&net.bor, &id, "returnFromPatron(id: $id)").await;
    net.act(&net.bor, &id, "shipReturn(id: $id)").await;
    let lost = net.act(&net.l3, &id, "declareLost(id: $id)").await;
    assert_eq!(lost["status"], "LOST");
}
on_both_backends!(declare_lost_by_either_side_then_check_in);

async fn notes_once_per_note_id(backend: Backend) {
    let net = Network::new(backend).await;
    let placed = net
        .place_with(&["L1", "L2"], json!({ "note": "for Ms. Reader, thesis" }))
        .await;
    let id = &placed["id"];
    assert_eq!(
        placed["history"][0]["data"]["note"],
        "for Ms. Reader, thesis"
    );
    let note_id = uuid::Uuid::new_v4().to_string();
    let add = "mutation($id: UUID!, $note: UUID!, $text: String!) {
        addNote(id: $id, noteId: $note, text: $text) { version history { type data } } }";
    let vars = json!({ "id": id, "note": note_id, "text": "the patron called" });
    let first = net.app.ok(&net.bor, add, vars.clone()).await["addNote"].clone();
    let again = net.app.ok(&net.bor, add, vars).await["addNote"].clone();
    assert_eq!(
        first["version"], again["version"],
        "the same note id: one note"
    );
    let notes: Vec<&Value> = again["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "NoteAdded")
        .collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["data"]["note"], "the patron called");
    assert_eq!(notes[0]["data"]["note_id"], note_id.as_str());

    // The current lender may add notes; a rota library not yet asked may not.
    let by_lender = net
        .act(
            &net.l1,
            id,
            r#"addNote(id: $id, text: "checking the stacks")"#,
        )
        .await;
    let last = by_lender["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["type"], "NoteAdded");
    assert_eq!(last["library"], "L1");
    assert_eq!(last["data"]["note"], "checking the stacks");
    net.assert_refused(
        Some(&net.l2),
        id,
        r#"addNote(id: $id, text: "hello")"#,
        "FORBIDDEN",
    )
    .await;
    // Once asked, it may, and L1 still may after it declined.
    net.act(&net.l1, id, "decline(id: $id, reason: NOT_HELD)")
        .await;
    net.act(&net.l2, id, r#"addNote(id: $id, text: "on it")"#)
        .await;
    net.act(&net.l1, id, r#"addNote(id: $id, text: "sorry")"#)
        .await;
    // Notes are welcome in any status, ended ones included.
    net.act(&net.bor, id, "cancel(id: $id)").await;
    let read = net
        .act(&net.bor, id, r#"addNote(id: $id, text: "closed")"#)
        .await;
    assert_eq!(read["status"], "CANCELLED");
    assert_eq!(
        read["history"].as_array().unwrap().last().unwrap()["data"]["note"],
        "closed"
    );
}
on_both_backends!(notes_once_per_note_id);
