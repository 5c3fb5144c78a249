//! Issue 16, item 6: control characters in text inputs, the all-zero
//! request id, and `/metrics` served on its own address.

use ill_tests::{spawn_app_with, Backend, Network};
use serde_json::json;
use store::on_both_backends;
use uuid::Uuid;

const PLACE: &str =
    "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id history { data } } }";
const REQUEST: &str = "query($id: UUID!) { request(id: $id) { id } }";

fn input(id: Uuid, title: &str, note: Option<&str>) -> serde_json::Value {
    json!({ "input": {
        "id": id,
        "patron": { "barcode": "2100012345" },
        "item": { "title": title },
        "lenders": ["L1"],
        "note": note,
    } })
}

async fn control_characters_are_bad_input_and_store_nothing(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    for (title, note) in [
        ("Bell\u{7}", None),
        ("Escape \u{1b}[31m", None),
        ("Delete\u{7f}", None),
        ("Tab\tin a title", None),
        ("A title", Some("escape \u{1b} in a note")),
        ("A title", Some("carriage\rreturn")),
    ] {
        let id = Uuid::new_v4();
        let code = app
            .error_code(Some(&net.bor), PLACE, input(id, title, note))
            .await;
        assert_eq!(code, "BAD_INPUT", "{title:?} {note:?}");
        let stored = app.ok(&net.coordinator, REQUEST, json!({ "id": id })).await;
        assert!(stored["request"].is_null(), "{title:?} was stored");
    }
    // A note keeps its tabs and line breaks.
    let note = "first line\n\tsecond line";
    app.ok(
        &net.bor,
        PLACE,
        input(Uuid::new_v4(), "A title", Some(note)),
    )
    .await;

    let register = "mutation { registerLibrary(input: {id: \"NEW\", name: \"New\\u0007\", lends: true}) { id } }";
    assert_eq!(
        app.error_code(Some(&app.admin), register, json!({})).await,
        "BAD_INPUT"
    );
    let token =
        "mutation { createStaffToken(library: \"L1\", name: \"bell\\u0007\", role: STAFF) }";
    assert_eq!(
        app.error_code(Some(&app.admin), token, json!({})).await,
        "BAD_INPUT"
    );
}
on_both_backends!(control_characters_are_bad_input_and_store_nothing);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_all_zero_uuid_is_no_request_id() {
    let net = Network::new(Backend::Sqlite).await;
    let code = net
        .app
        .error_code(Some(&net.bor), PLACE, input(Uuid::nil(), "A title", None))
        .await;
    assert_eq!(code, "BAD_INPUT");
    let stored = net
        .app
        .ok(&net.coordinator, REQUEST, json!({ "id": Uuid::nil() }))
        .await;
    assert!(stored["request"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_apart_when_asked() {
    let metrics_address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.security.metrics_listen = Some(metrics_address);
    })
    .await;
    assert_eq!(app.get("/healthz").await.0, 200);
    assert_eq!(app.get("/metrics").await.0, 404);
    let apart = app
        .client
        .get(format!("http://{metrics_address}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(apart.status().as_u16(), 200);
    assert!(apart
        .text()
        .await
        .unwrap()
        .contains("ill_http_requests_total"));
}

async fn library_ids_compare_case_insensitively(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let register =
        "mutation { registerLibrary(input: {id: \"l1\", name: \"Another\", lends: true}) { id } }";
    assert_eq!(
        app.error_code(Some(&app.admin), register, json!({})).await,
        "BAD_INPUT"
    );

    // Any case names the library; answers and events spell it as registered.
    let id = Uuid::new_v4();
    let mut place = input(id, "A title", None);
    place["input"]["lenders"] = json!(["l1"]);
    let placed = app
        .ok(&net.bor, "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { lender { id } rota { library { id } } history { library } } }", place)
        .await;
    assert_eq!(placed["placeRequest"]["lender"]["id"], "L1", "{placed}");
    assert_eq!(placed["placeRequest"]["rota"][0]["library"]["id"], "L1");
    let queue = "query { queue(library: \"l1\", side: LENDING) { totalCount edges { node { id lender { id } } } } }";
    let listed = app
        .eventually(&net.l1, queue, json!({}), |data| {
            data["queue"]["totalCount"] == 1
        })
        .await;
    assert_eq!(listed["queue"]["edges"][0]["node"]["id"], json!(id));
    let token = app.token("bor", "second", "STAFF").await;
    let me = app.ok(&token, "{ me { library { id } } }", json!({})).await;
    assert_eq!(me["me"]["library"]["id"], "BOR");
}
on_both_backends!(library_ids_compare_case_insensitively);
