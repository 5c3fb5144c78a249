//! Operations refused before anything executes: too deep, too complex, too
//! many in a batch, too large a body, introspection without a token. And no
//! "Did you mean" hints that map the schema for a stranger.

use ill_tests::{Backend, Network, REQUEST_FIELDS};
use serde_json::{json, Value};
use store::on_both_backends;

/// An introspection selection nested `depth` fields deep.
fn introspection_of_depth(depth: usize) -> String {
    // __schema, types, fields, type: 4 levels; then ofType …; then name.
    let of_types = depth - 5;
    format!(
        "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(of_types),
        " }".repeat(of_types)
    )
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code, got {body}"))
}

async fn too_deep_or_too_complex(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1"]).await["id"].clone();

    // Depth 12 is served, 13 is not.
    net.app
        .ok(&net.l1, &introspection_of_depth(12), json!({}))
        .await;
    let body = net
        .app
        .post(Some(&net.l1), &introspection_of_depth(13), json!({}))
        .await;
    assert_eq!(code(&body), "BAD_INPUT", "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(body.to_string().to_lowercase().contains("deep"), "{body}");

    // A full queue page of 200 with every field selected fits…
    let page = format!(
        r#"{{ queue(library: "L1", side: LENDING, first: 200) {{ totalCount edges {{ cursor node {{ {REQUEST_FIELDS} }} }} }} }}"#
    );
    net.app.ok(&net.l1, &page, json!({})).await;
    // …three of them in one operation do not.
    let pages = format!(
        r#"{{ a: queue(library: "L1", side: LENDING, first: 200) {{ edges {{ node {{ {REQUEST_FIELDS} }} }} }}
             b: queue(library: "L1", side: LENDING, first: 200) {{ edges {{ node {{ {REQUEST_FIELDS} }} }} }}
             c: queue(library: "L1", side: LENDING, first: 200) {{ edges {{ node {{ {REQUEST_FIELDS} }} }} }} }}"#
    );
    let body = net.app.post(Some(&net.l1), &pages, json!({})).await;
    assert_eq!(code(&body), "BAD_INPUT", "{body}");
    assert!(body["data"].is_null());
    assert!(
        body.to_string().to_lowercase().contains("complex"),
        "{body}"
    );

    // Thousands of aliased mutations: refused whole, not one note stored.
    let before = net.version(&id).await;
    let mut bomb = String::from(
        "fragment F on IllRequest { id version status history { sequence type actor data } }\n\
         mutation($id: UUID!) {",
    );
    for i in 0..3000 {
        bomb.push_str(&format!(" n{i}: addNote(id: $id, text: \"x\") {{ ...F }}"));
    }
    bomb.push('}');
    assert!(bomb.len() < 200 * 1024, "under the body limit");
    let body = net
        .app
        .post(Some(&net.bor), &bomb, json!({ "id": id }))
        .await;
    assert_eq!(
        code(&body),
        "BAD_INPUT",
        "{}",
        &body.to_string()[..500.min(body.to_string().len())]
    );
    assert!(body["data"].is_null());
    assert_eq!(net.version(&id).await, before, "nothing executed");

    // Aliases of a cheap query, many thousands: refused too.
    let mut aliases = String::from("{");
    for i in 0..12_000 {
        aliases.push_str(&format!(" a{i}: me {{ name }}"));
    }
    aliases.push('}');
    let body = net.app.post(Some(&net.l1), &aliases, json!({})).await;
    assert_eq!(code(&body), "BAD_INPUT");
    assert!(body["data"].is_null());
}
on_both_backends!(too_deep_or_too_complex);

/// The server keeps a checked document by its text: the same text again
/// gets the same answer, its variables checked afresh every time.
async fn the_same_text_again(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1"]).await["id"].clone();
    let too_deep = introspection_of_depth(13);
    for _ in 0..2 {
        let body = net.app.post(Some(&net.l1), &too_deep, json!({})).await;
        assert_eq!(code(&body), "BAD_INPUT", "{body}");
    }

    let add_note =
        "mutation($id: UUID!, $text: String!) { addNote(id: $id, text: $text) { version } }";
    let before = net.version(&id).await;
    net.app
        .ok(&net.bor, add_note, json!({ "id": id, "text": "first" }))
        .await;
    let refused = [
        json!({ "id": id, "text": "a \u{0} in it" }),
        json!({ "id": "not a uuid", "text": "second" }),
        json!({ "id": id }),
    ];
    for variables in refused {
        let body = net.app.post(Some(&net.bor), add_note, variables).await;
        assert_eq!(code(&body), "BAD_INPUT", "{body}");
        assert!(body["data"].is_null(), "{body}");
    }
    net.app
        .ok(&net.bor, add_note, json!({ "id": id, "text": "third" }))
        .await;
    assert_eq!(
        net.version(&id).await,
        before + 2,
        "two notes, nothing else"
    );
}
on_both_backends!(the_same_text_again);

/// A batch of `n` addNote operations, each with its own note id.
fn note_batch(id: &Value, n: usize) -> String {
    let operations: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "query": "mutation($id: UUID!, $n: UUID!, $t: String!) { addNote(id: $id, noteId: $n, text: $t) { version } }",
                "variables": { "id": id, "n": uuid::Uuid::new_v4(), "t": format!("note {i}") },
            })
        })
        .collect();
    Value::Array(operations).to_string()
}

async fn batches_and_bodies(backend: Backend) {
    let net = Network::new(backend).await;
    let id = net.place(&["L1"]).await["id"].clone();
    let before = net.version(&id).await;

    // Eleven operations: refused, none run.
    let (status, text) = net.app.post_raw(Some(&net.bor), note_batch(&id, 11)).await;
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(code(&body), "BAD_INPUT", "{body}");
    assert_eq!(net.version(&id).await, before);
    // Ten: each runs.
    let (status, text) = net.app.post_raw(Some(&net.bor), note_batch(&id, 10)).await;
    assert_eq!(status, 200, "{text}");
    let answers: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(answers.len(), 10);
    assert!(answers.iter().all(|a| a.get("errors").is_none()), "{text}");
    assert_eq!(net.version(&id).await, before + 10);

    // A body over 256 KiB: refused before it is read as GraphQL.
    let before = net.version(&id).await;
    let padding = "#".repeat(300 * 1024);
    let big = json!({
        "query": format!("mutation($id: UUID!) {{ addNote(id: $id, text: \"big\") {{ version }} }}\n{padding}"),
        "variables": { "id": id },
    })
    .to_string();
    for token in [Some(net.bor.as_str()), None] {
        let (status, text) = net.app.post_raw(token, big.clone()).await;
        if status == 200 {
            let body: Value = serde_json::from_str(&text).unwrap();
            assert!(
                body["errors"].is_array() && body["data"].is_null(),
                "{text}"
            );
        } else {
            assert_eq!(status, 413, "{text}");
        }
    }
    assert_eq!(net.version(&id).await, before, "nothing executed");
    // The same operation, small, runs.
    let small = json!({
        "query": "mutation($id: UUID!) { addNote(id: $id, text: \"small\") { version } }",
        "variables": { "id": id },
    });
    let (status, _) = net.app.post_raw(Some(&net.bor), small.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(net.version(&id).await, before + 1);

    // Not JSON, not GraphQL: BAD_INPUT (with a token).
    let (status, text) = net.app.post_raw(Some(&net.bor), "{ nope".into()).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(code(&body), "BAD_INPUT", "{text}");
}
on_both_backends!(batches_and_bodies);

async fn introspection_needs_a_token(backend: Backend) {
    let net = Network::new(backend).await;
    let introspect = "{ __schema { queryType { name } types { name } } }";
    for token in [None, Some("ill_not_a_token")] {
        let body = net.app.post(token, introspect, json!({})).await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
        assert!(body["data"].is_null());
        assert!(!body.to_string().contains("IllRequest"));
        let body = net.app.post(token, "{ __typename }", json!({})).await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    let data = net.app.ok(&net.l1, introspect, json!({})).await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    assert!(data.to_string().contains("IllRequest"));
    let data = net
        .app
        .ok(
            &net.l1,
            r#"{ __type(name: "IllRequest") { fields { name } } }"#,
            json!({}),
        )
        .await;
    assert!(data.to_string().contains("renewalPending"));
}
on_both_backends!(introspection_needs_a_token);

async fn no_suggestions(backend: Backend) {
    let net = Network::new(backend).await;
    for query in [
        "{ requst(id: \"00000000-0000-0000-0000-000000000000\") { id } }",
        "{ me { nme } }",
        "{ me { library { suspend } } }",
        r#"{ queue(library: "L1", side: LENDNG) { totalCount } }"#,
        r#"{ queue(library: "L1", sid: LENDING) { totalCount } }"#,
        r#"mutation { placeRequest(input: {patrn: {barcode: "1"}}) { id } }"#,
        "{ me { name } } fragment X on IllRequst { id }",
    ] {
        let body = net.app.post(Some(&net.l1), query, json!({})).await;
        assert_eq!(code(&body), "BAD_INPUT", "{query}: {body}");
        let text = body.to_string();
        assert!(!text.contains("Did you mean"), "{query}: {text}");
        assert!(
            !text.to_lowercase().contains("did you mean"),
            "{query}: {text}"
        );
    }
}
on_both_backends!(no_suggestions);
