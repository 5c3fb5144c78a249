//! Request ids: every response carries an `x-request-id`, the client's own
//! when it sent one, a fresh one otherwise.

use ill_tests::{spawn_app, Backend};

const HEADER: &str = "x-request-id";

#[tokio::test]
async fn responses_carry_a_request_id_and_echo_the_clients() {
    let app = spawn_app(Backend::Sqlite).await;
    let id_of = |response: &reqwest::Response| {
        response
            .headers()
            .get(HEADER)
            .map(|v| v.to_str().unwrap().to_owned())
    };

    // None sent: a fresh one per request.
    let mut made = Vec::new();
    for path in ["/healthz", "/healthz", "/no-such-route"] {
        let response = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let id = id_of(&response).unwrap_or_else(|| panic!("no {HEADER} on {path}"));
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id} is not a UUID");
        made.push(id);
    }
    assert_ne!(made[0], made[1], "each request has its own id");

    // One sent: echoed as it was, on a GraphQL POST too.
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .header(HEADER, "client-chosen-42")
        .json(&serde_json::json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(id_of(&response).as_deref(), Some("client-chosen-42"));
    app.server.stop().await;
}
