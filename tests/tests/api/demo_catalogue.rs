//! `--demo` gives the network a catalogue: every member's holdings imported
//! through the catalogue's importer, and the generated requests placed from
//! its records. Each request's `catalogRecordId` resolves with
//! `catalogRecord`, its lenders (reroutes too) hold the record, and the
//! automatically routed ones carry each lender's selection under
//! `event_version` "1.1"; staff find the records by search.

use std::collections::{BTreeMap, BTreeSet};

use domain::{RequestEvent, Role};
use ill_tests::{spawn_app_with, Backend, TestApp};
use serde_json::{json, Value};
use simulation::COORDINATING_LIBRARY;
use store::accounts::Account;
use store::{on_both_backends, Position};

/// Requests in the test's demo year (the real demo has many more).
const DEMO_REQUESTS: usize = 600;

const IMPORTS: &str = "{ holdingsImports { library { id } holdings rejected } }";
const HOLDERS: &str =
    "query($id: ID!) { catalogRecord(id: $id) { id holdings { library { id } } } }";

/// A server started with `--demo` on an empty store, and a coordinator's
/// token (the demo prints its own accounts' tokens only once).
async fn demo(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(backend, |settings| {
        settings.demo = Some(DEMO_REQUESTS);
        settings.bootstrap_admin_token = None;
    })
    .await;
    let (token, hash) = api::auth::new_token();
    let account = Account {
        library: COORDINATING_LIBRARY.into(),
        name: "reader".into(),
        role: Role::Coordinator,
    };
    store::accounts::add_token(app.server.state.database(), &account, &hash)
        .await
        .unwrap();
    (app, token)
}

/// The record's holders, by `catalogRecord`; `None` when it does not resolve.
async fn holders(app: &TestApp, token: &str, record: &str) -> Option<BTreeSet<String>> {
    let found = app.ok(token, HOLDERS, json!({ "id": record })).await["catalogRecord"].clone();
    if found.is_null() {
        return None;
    }
    assert_eq!(found["id"], record, "a demo record id is its current id");
    Some(
        found["holdings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["library"]["id"].as_str().unwrap().to_owned())
            .collect(),
    )
}

async fn demo_requests_are_placed_from_the_catalogue(backend: Backend) {
    let (app, token) = demo(backend).await;
    let db = app.server.state.database();

    let imports = app.ok(&token, IMPORTS, json!({})).await["holdingsImports"].clone();
    let imports = imports.as_array().unwrap();
    let libraries = app.server.state.libraries.all().len();
    assert_eq!(imports.len(), libraries, "one import per library");
    let holdings: i64 = imports
        .iter()
        .map(|i| i["holdings"].as_i64().unwrap())
        .sum();
    assert!(
        holdings > 1_000,
        "the demo store has a catalogue: {holdings}"
    );
    assert!(imports.iter().all(|i| i["rejected"] == 0), "{imports:?}");

    let log = store::log::read_after(db, Position::START, 1_000_000)
        .await
        .unwrap();
    let mut records: BTreeMap<String, String> = BTreeMap::new();
    let mut known: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let (mut placed, mut automatic, mut rerouted) = (0, 0, 0);
    let routing = |e: &&store::log::StoredEvent| {
        e.event_type == "RequestPlaced" || e.event_type == "Rerouted"
    };
    for stored in log.iter().filter(routing) {
        let event: RequestEvent = serde_json::from_value(stored.payload.clone()).unwrap();
        let (record, rota) = match event {
            RequestEvent::RequestPlaced { item, rota, .. } => {
                placed += 1;
                let record = item
                    .catalog_record_id
                    .expect("every demo request names its record");
                records.insert(stored.aggregate_id.clone(), record.clone());
                (record, rota)
            }
            RequestEvent::Rerouted { rota } => {
                rerouted += 1;
                (records[&stored.aggregate_id].clone(), rota)
            }
            _ => continue,
        };
        let selected = rota.iter().filter(|e| e.selection.is_some()).count();
        assert!(
            selected == 0 || selected == rota.len(),
            "a rota is automatic or not: {rota:?}"
        );
        if selected > 0 {
            // A plain rota may be "1.1" too (a COPY's copyright compliance).
            assert_eq!(stored.event_version, "1.1", "{}", stored.event_type);
            automatic += 1;
            for entry in &rota {
                let selection = entry.selection.as_deref().unwrap();
                assert!(
                    selection.starts_with("lent ") && selection.contains(" waiting"),
                    "{selection}"
                );
            }
        }
        if !known.contains_key(&record) {
            let found = holders(&app, &token, &record).await;
            let found = found.unwrap_or_else(|| panic!("{record} resolves"));
            known.insert(record.clone(), found);
        }
        for entry in &rota {
            assert!(
                known[&record].contains(entry.lender.as_str()),
                "{} holds {record}: {:?}",
                entry.lender,
                known[&record]
            );
        }
    }
    assert_eq!(placed, DEMO_REQUESTS);
    assert!(automatic > DEMO_REQUESTS / 5, "{automatic} automatic rotas");
    assert!(automatic < placed, "and the rest chosen by staff");
    assert!(rerouted > 0, "reroutes too");
    assert!(known.len() > 50, "{} records requested", known.len());

    // Staff find the records as they would: the most wanted title by its
    // OCLC number.
    let found = app
        .ok(
            &token,
            "{ catalogSearch(query: \"70000000\") { edges { node { id lendableBy } } } }",
            json!({}),
        )
        .await;
    let edges: &Value = &found["catalogSearch"]["edges"];
    assert_eq!(edges[0]["node"]["id"], "ocolc:70000000", "{found}");
    assert!(
        edges[0]["node"]["lendableBy"].as_i64().unwrap() >= 2,
        "{found}"
    );
}
on_both_backends!(demo_requests_are_placed_from_the_catalogue);
