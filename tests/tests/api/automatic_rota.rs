//! The automatic rota end to end (DESIGN.md, "The union catalogue and the
//! automatic rota"): who may be a candidate, the order by score with a
//! queue penalty on a history checked by hand, ties by the hash, the cut
//! after ordering, `placeRequest` and `reroute` with `lenders: []`, and each
//! entry's selection through replay, export/import and `ill-replay audit`.

use std::io::Cursor;
use std::process::Command;

use catalogue::formats::Format;
use catalogue::import::ImportRequest;
use chrono::Duration;
use domain::testing::{BOR, L1, L2, L3};
use domain::{IllRequest, RequestView};
use ill_tests::{nodes, test_epoch, Backend, Network, REQUEST_FIELDS};
use serde_json::{json, Value};
use store::testing::fresh_database;
use store::{on_both_backends, Database, EventStore};
use uuid::Uuid;

const RECORD: &str = "ocolc:12345";
const NO_LENDER: &str = "no library can lend this item now";

const SUGGEST: &str = "query($record: ID!, $service: ServiceType) {
    suggestRota(record: $record, serviceType: $service) { library { id } score reason } }";

/// The network's store, opened beside its server.
async fn database(net: &Network) -> Database {
    Database::connect_existing(&net.app.database_url)
        .await
        .unwrap()
}

/// Replaces `library`'s holdings with one copy of the record (lendable or
/// not) through the catalogue's import.
async fn holds(net: &Network, library: &str, lendable: bool) {
    let db = database(net).await;
    let csv = format!(
        "title,oclc,lendable\nThe Long Winter,{},{lendable}\n",
        "12345"
    );
    let request = ImportRequest {
        library: library.to_owned(),
        by: "test".into(),
        format: Format::Csv,
        items: Default::default(),
        at: test_epoch(),
        lending: true,
    };
    let summary = catalogue::import::import(&db, request, Cursor::new(csv.into_bytes()))
        .await
        .unwrap();
    assert_eq!(summary.holdings, 1, "{summary:?}");
}

async fn suggest(net: &Network, token: &str, service: &str) -> Vec<(String, f64, String)> {
    let data = net
        .app
        .ok(
            token,
            SUGGEST,
            json!({ "record": RECORD, "service": service }),
        )
        .await;
    data["suggestRota"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["library"]["id"].as_str().unwrap().to_owned(),
                c["score"].as_f64().unwrap(),
                c["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// L1, L2 and L3 each hold a lendable copy of the record.
async fn three_hold(net: &Network) {
    for library in [L1, L2, L3] {
        holds(net, library, true).await;
    }
}

/// Asks BOR's `suggestRota` until `expected` holds of it (the read models
/// follow the log), for up to 5 s; the last answer.
async fn suggest_until(
    net: &Network,
    expected: impl Fn(&[(String, f64, String)]) -> bool,
) -> Vec<(String, f64, String)> {
    let started = std::time::Instant::now();
    loop {
        let got = suggest(net, &net.bor, "LOAN").await;
        if expected(&got) {
            return got;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{got:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn ids(candidates: &[(String, f64, String)]) -> Vec<&str> {
    candidates.iter().map(|(id, _, _)| id.as_str()).collect()
}

fn quiet(lent: u32, borrowed: u32, waiting: u32) -> String {
    format!("lent {lent}, borrowed {borrowed} in 90 days; {waiting} waiting")
}

async fn candidates_exclude_who_cannot_lend(backend: Backend) {
    let net = Network::new(backend).await;
    let suspended = "SUSP";
    let closed = "CLOSED";
    let nolend = "NOLEND";
    let nocopy = "NOCOPY";
    net.add_library(suspended, true).await;
    let closed_token = net.add_library(closed, true).await;
    net.add_library(nolend, false).await;
    net.add_library(nocopy, true).await;
    for library in [BOR, L1, suspended, closed, nolend] {
        holds(&net, library, true).await;
    }
    holds(&net, nocopy, false).await;
    net.app
        .ok(
            &net.app.admin,
            "mutation { setLendingSuspended(library: \"SUSP\", suspended: true) { id } }",
            json!({}),
        )
        .await;
    let today = test_epoch().date_naive();
    net.app
        .ok(
            &closed_token,
            "mutation($closures: [ClosureInput!]!) { setClosures(library: \"CLOSED\", closures: $closures) { id } }",
            json!({ "closures": [{ "from": today.to_string(), "to": today.to_string() }] }),
        )
        .await;

    let loan = suggest(&net, &net.bor, "LOAN").await;
    assert_eq!(ids(&loan), [L1], "{loan:?}");
    assert_eq!(loan[0].2, quiet(0, 0, 0));
    assert_eq!(loan[0].1, 1.0);
    let copy = suggest(&net, &net.bor, "COPY").await;
    let mut copy_ids = ids(&copy);
    copy_ids.sort();
    assert_eq!(copy_ids, [L1, nocopy], "COPY takes a non-lendable copy");
    // L1 asks: BOR lends, L1 is the borrower and left out.
    assert_eq!(ids(&suggest(&net, &net.l1, "LOAN").await), [BOR]);
    // Tomorrow the closure is over.
    net.app.clock.advance(Duration::days(1));
    let mut tomorrow = ids(&suggest(&net, &net.bor, "LOAN").await)
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    tomorrow.sort();
    assert_eq!(tomorrow, [closed, L1]);

    let unknown = net
        .app
        .error_code(
            Some(&net.bor),
            SUGGEST,
            json!({ "record": "ocolc:999", "service": "LOAN" }),
        )
        .await;
    assert_eq!(unknown, "BAD_INPUT");
}
on_both_backends!(candidates_exclude_who_cannot_lend);

/// Moves `request` to SHIPPED at `lender` and, when `receive`, received.
async fn supplied(net: &Network, borrower: &str, lender: &str, receive: bool) {
    let query = format!(
        "mutation($input: PlaceRequestInput!) {{ placeRequest(input: $input) {{ {REQUEST_FIELDS} }} }}"
    );
    let input = json!({
        "patron": { "barcode": "2100012345" },
        "item": { "title": "Some other book" },
        "lenders": [lender],
    });
    let placed = net
        .app
        .ok(net.token_of(borrower), &query, json!({ "input": input }))
        .await["placeRequest"]
        .clone();
    let id = placed["id"].clone();
    net.act(net.token_of(lender), &id, "willSupply(id: $id)")
        .await;
    net.act(
        net.token_of(lender),
        &id,
        r#"ship(id: $id, dueDate: "2030-01-01")"#,
    )
    .await;
    if receive {
        net.act(net.token_of(borrower), &id, "receive(id: $id)")
            .await;
    }
}

/// L1 lent 3 (2 to BOR, 1 to L3), L3 borrowed 1, one request waits at L2;
/// then a day passes, so that those days are within D−90 … D−1.
async fn a_small_history(net: &Network) {
    three_hold(net).await;
    supplied(net, BOR, L1, true).await;
    supplied(net, BOR, L1, false).await;
    supplied(net, L3, L1, true).await;
    net.place(&[L2]).await;
    net.app.clock.advance(Duration::days(1));
}

async fn the_order_follows_the_score_and_a_queue_pushes_back(backend: Backend) {
    let net = Network::new(backend).await;
    a_small_history(&net).await;
    // L3: (0+1)/(1+1) = 0.5; L2: (0+1)/(0+1) + 1/10 = 1.1;
    // L1: (3+1)/(0+1) = 4.
    let expected = vec![
        (L3.to_owned(), 0.5, quiet(0, 1, 0)),
        (L2.to_owned(), 1.1, quiet(0, 0, 1)),
        (L1.to_owned(), 4.0, quiet(3, 0, 0)),
    ];
    suggest_until(&net, |got| got == expected).await;
}
on_both_backends!(the_order_follows_the_score_and_a_queue_pushes_back);

async fn the_cut_comes_after_ordering(backend: Backend) {
    let net = Network::new_with(backend, |s| s.max_rota = 2).await;
    a_small_history(&net).await;
    suggest_until(&net, |got| {
        ids(got) == [L3, L2] && got[1].2 == quiet(0, 0, 1)
    })
    .await;
}
on_both_backends!(the_cut_comes_after_ordering);

async fn ties_follow_the_hash_not_the_name(backend: Backend) {
    let net = Network::new(backend).await;
    three_hold(&net).await;
    // First 8 bytes of SHA-256("ocolc:12345\nBOR\nLn"): L2 2a7a08065400fabc,
    // L3 c547e924630320c8, L1 e51f65358d578d50.
    let got = suggest(&net, &net.bor, "LOAN").await;
    assert_eq!(ids(&got), [L2, L3, L1]);
    assert!(got.iter().all(|(_, score, _)| *score == 1.0));
}
on_both_backends!(ties_follow_the_hash_not_the_name);

fn place_query() -> String {
    format!("mutation($input: PlaceRequestInput!) {{ placeRequest(input: $input) {{ {REQUEST_FIELDS} item {{ catalogRecordId }} rota {{ library {{ id }} selection }} }} }}")
}

fn automatic_input(id: Uuid, record: Option<&str>) -> Value {
    json!({
        "id": id,
        "patron": { "barcode": "2100012345" },
        "item": { "title": "The Long Winter", "catalogRecordId": record },
        "lenders": [],
    })
}

/// BOR places request `id` for the record with `lenders: []`; the request.
async fn place_automatically(net: &Network, id: Uuid) -> Value {
    net.app
        .ok(
            &net.bor,
            &place_query(),
            json!({ "input": automatic_input(id, Some(RECORD)) }),
        )
        .await["placeRequest"]
        .clone()
}

async fn an_automatic_placement_records_each_selection(backend: Backend) {
    let net = Network::new(backend).await;
    // Refused, nothing stored: no record id, an unknown one, no candidate.
    for (record, why) in [
        (None, "no record"),
        (Some("ocolc:999"), "unknown"),
        (Some(RECORD), "no holder yet"),
    ] {
        let id = Uuid::new_v4();
        let body = net
            .app
            .post(
                Some(&net.bor),
                &place_query(),
                json!({ "input": automatic_input(id, record) }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_INPUT",
            "{why}: {body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(NO_LENDER),
            "{why}: {body}"
        );
        assert_eq!(net.version(&json!(id)).await, 0, "{why}: nothing stored");
    }

    three_hold(&net).await;
    let id = Uuid::new_v4();
    let placed = place_automatically(&net, id).await;
    assert_eq!(placed["item"]["catalogRecordId"], RECORD);
    let rota: Vec<Value> = placed["rota"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!({ "library": e["library"], "selection": e["selection"] }))
        .collect();
    assert_eq!(
        json!(rota),
        json!([
            { "library": { "id": L2 }, "selection": quiet(0, 0, 0) },
            { "library": { "id": L3 }, "selection": quiet(0, 0, 0) },
            { "library": { "id": L1 }, "selection": quiet(0, 0, 0) },
        ])
    );
    assert_eq!(placed["lender"]["id"], L2);
    assert_eq!(
        placed["history"][0]["data"]["rota"][0],
        json!({ "lender": L2, "selection": quiet(0, 0, 0) })
    );
    // The same placement again is the same request.
    let again = place_automatically(&net, id).await;
    assert_eq!(again["version"], placed["version"]);

    // A whole lifecycle after it.
    let id = placed["id"].clone();
    net.act(&net.l2, &id, "willSupply(id: $id)").await;
    net.act(&net.l2, &id, r#"ship(id: $id, dueDate: "2030-01-01")"#)
        .await;
    net.act(&net.bor, &id, "receive(id: $id)").await;
    net.act(&net.bor, &id, "checkOutToPatron(id: $id)").await;
    net.act(&net.bor, &id, "returnFromPatron(id: $id)").await;
    net.act(&net.bor, &id, "shipReturn(id: $id)").await;
    let done = net.act(&net.l2, &id, "checkIn(id: $id)").await;
    assert_eq!(done["status"], "COMPLETED");

    // Replay from the log, and the log through export and import.
    let db = database(&net).await;
    let mut exported = Vec::new();
    store::transfer::export(&db, &mut exported).await.unwrap();
    let copy = fresh_database(backend).await;
    store::transfer::import(&copy, Cursor::new(exported))
        .await
        .unwrap();
    let uuid: Uuid = serde_json::from_value(id.clone()).unwrap();
    audit_shows_the_selections(&net.app.database_url, uuid).await;
    for database in [db, copy] {
        let history = EventStore::new(database)
            .history::<IllRequest>(&uuid.to_string())
            .await
            .unwrap();
        let view = RequestView::from_history(uuid, &history).unwrap().unwrap();
        let selections: Vec<_> = view
            .state
            .rota
            .iter()
            .map(|slot| (slot.library.to_string(), slot.selection.clone()))
            .collect();
        assert_eq!(
            selections,
            [
                (L2.to_owned(), Some(quiet(0, 0, 0))),
                (L3.to_owned(), Some(quiet(0, 0, 0))),
                (L1.to_owned(), Some(quiet(0, 0, 0))),
            ]
        );
    }
}
on_both_backends!(an_automatic_placement_records_each_selection);

/// `ill-replay audit` of the served store shows each lender's selection
/// in the placement's data, as JSON and in the table.
async fn audit_shows_the_selections(database_url: &str, id: Uuid) {
    let url = database_url.to_owned();
    let audit = move |json: bool| {
        let mut args = vec!["--database-url".to_owned(), url.clone()];
        args.extend(["audit".to_owned(), id.to_string()]);
        if json {
            args.push("--json".into());
        }
        let output = Command::new(nodes::replay_binary())
            .args(args)
            .output()
            .expect("run ill-replay audit");
        assert!(
            output.status.success(),
            "ill-replay audit: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let (lines, table) = tokio::task::spawn_blocking(move || (audit(true), audit(false)))
        .await
        .unwrap();
    let placed: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(placed["event"], "RequestPlaced");
    assert_eq!(
        placed["data"]["rota"],
        json!([
            { "lender": L2, "selection": quiet(0, 0, 0) },
            { "lender": L3, "selection": quiet(0, 0, 0) },
            { "lender": L1, "selection": quiet(0, 0, 0) },
        ])
    );
    let placed_row = table.lines().nth(1).unwrap();
    assert!(
        placed_row.contains("RequestPlaced") && placed_row.contains(&quiet(0, 0, 0)),
        "{table}"
    );
}

async fn reroute_with_no_lenders_builds_a_fresh_rota(backend: Backend) {
    let net = Network::new_with(backend, |s| s.max_rota = 2).await;
    three_hold(&net).await;
    let placed = place_automatically(&net, Uuid::new_v4()).await;
    let id = placed["id"].clone();
    // L2 then L3 (the hash order); both decline.
    net.act(&net.l2, &id, "decline(id: $id, reason: NOT_ON_SHELF)")
        .await;
    let unfilled = net
        .act(&net.l3, &id, "decline(id: $id, reason: NOT_ON_SHELF)")
        .await;
    assert_eq!(unfilled["status"], "UNFILLED");

    let reroute = "mutation($id: UUID!) { reroute(id: $id, lenders: []) {
        status lender { id } rota { library { id } selection } } }";
    let rerouted = net.app.ok(&net.bor, reroute, json!({ "id": id })).await["reroute"].clone();
    assert_eq!(
        rerouted["rota"],
        json!([{ "library": { "id": L1 }, "selection": quiet(0, 0, 0) }])
    );
    assert_eq!(rerouted["lender"]["id"], L1);

    // Not UNFILLED: the status refuses first.
    net.assert_refused(
        Some(&net.bor),
        &id,
        "reroute(id: $id, lenders: [])",
        "INVALID_TRANSITION",
    )
    .await;
    net.act(&net.l1, &id, "decline(id: $id, reason: NOT_ON_SHELF)")
        .await;
    // Every holder has been asked: no candidate, nothing stored.
    net.assert_refused(
        Some(&net.bor),
        &id,
        "reroute(id: $id, lenders: [])",
        "BAD_INPUT",
    )
    .await;
    // Another library's staff cannot see it.
    net.add_library("STRANGER", true).await;
    let stranger = net.app.token("STRANGER", "s", "STAFF").await;
    net.assert_refused(
        Some(&stranger),
        &id,
        "reroute(id: $id, lenders: [])",
        "NOT_FOUND",
    )
    .await;
}
on_both_backends!(reroute_with_no_lenders_builds_a_fresh_rota);
