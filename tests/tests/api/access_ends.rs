//! Access that ends when it is taken away (issue 16, items 1 and 3): a
//! revoked token, a signed-out session, a new password and a disabled
//! account end the sockets opened with them (close 4403 within a second)
//! and every operation after, on every node.

use std::time::{Duration, Instant};

use futures::StreamExt;
use ill_tests::{Backend, Network, TestApp};
use serde_json::{json, Value};
use store::on_both_backends;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

use crate::sign_in::{code, sign_in, with_cookie, ME, PASSWORD};
use crate::subscriptions::{connect, receive, send, subscribe, Socket, SECOND};

const REVOKE: &str = "mutation($l: ID!, $n: String!) { revokeStaffTokens(library: $l, name: $n) }";
const DISABLE: &str = "mutation($l: ID!, $n: String!, $d: Boolean!) { setAccountDisabled(library: $l, name: $n, disabled: $d) { name disabled tokens library { id } } }";
const ACCOUNTS: &str = "query($l: ID) { accounts(library: $l) { name disabled tokens } }";

/// The code the server closes `socket` with, within a second; no data
/// arrives before it.
async fn closed_with(socket: &mut Socket) -> u16 {
    let deadline = Instant::now() + SECOND;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let frame = tokio::time::timeout(left, socket.next())
            .await
            .expect("the socket was not closed within a second");
        match frame {
            Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
            Some(Ok(Message::Text(text))) => {
                let message: Value = serde_json::from_str(&text).unwrap();
                assert!(
                    message["payload"]["data"].is_null(),
                    "data arrived after the credential ended: {message}"
                );
            }
            Some(Ok(_)) => {}
            other => panic!("closed without a close frame: {other:?}"),
        }
    }
}

/// A socket acknowledged for the browser session `cookie` (`name=value`).
async fn connect_with_cookie(app: &TestApp, cookie: &str) -> Socket {
    let url = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    headers.insert("Cookie", HeaderValue::from_str(cookie).unwrap());
    let (mut socket, _) = connect_async(request).await.expect("a WebSocket");
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    let ack = receive(&mut socket, SECOND * 5).await;
    assert_eq!(ack, Some(json!({ "type": "connection_ack" })));
    socket
}

/// The socket still answers a ping.
async fn answers(socket: &mut Socket) {
    send(socket, json!({ "type": "ping" })).await;
    loop {
        let message = receive(socket, SECOND * 5).await.expect("an open socket");
        if message["type"] == "pong" {
            return;
        }
    }
}

async fn me_code(app: &TestApp, token: &str) -> String {
    let body = app.post(Some(token), ME, json!({})).await;
    code(&body).to_owned()
}

async fn a_revoked_token_ends_its_sockets_and_their_operations(backend: Backend) {
    let net = Network::new(backend).await;
    let mut following = connect(&net.app, &net.l1).await;
    subscribe(&mut following, "queue", "L1", "LENDING").await;
    let id = net.place(&["L1"]).await["id"].clone();
    let heard = receive(&mut following, SECOND * 5)
        .await
        .expect("an open socket");
    assert_eq!(heard["payload"]["data"]["queueChanged"]["requestId"], id);
    let mut acting = connect(&net.app, &net.l1).await;
    let mut other = connect(&net.app, &net.l2).await;
    subscribe(&mut other, "queue", "L2", "LENDING").await;
    let before = net.version(&id).await;

    net.app
        .ok(
            &net.app.admin,
            REVOKE,
            json!({ "l": "L1", "n": "l1-staff" }),
        )
        .await;
    // An operation sent at once on a socket opened with the token: refused,
    // the socket closed, nothing written.
    send(
        &mut acting,
        json!({ "id": "w", "type": "subscribe", "payload": {
            "query": "mutation($id: UUID!) { willSupply(id: $id) { status } }",
            "variables": { "id": id } } }),
    )
    .await;
    assert_eq!(closed_with(&mut acting).await, 4403);
    assert_eq!(closed_with(&mut following).await, 4403);
    assert_eq!(net.version(&id).await, before, "willSupply ran");
    assert_eq!(me_code(&net.app, &net.l1).await, "UNAUTHENTICATED");

    // Another account's socket goes on.
    let next = net.place(&["L2"]).await["id"].clone();
    let heard = receive(&mut other, SECOND * 5)
        .await
        .expect("an open socket");
    assert_eq!(heard["payload"]["data"]["queueChanged"]["requestId"], next);
}
on_both_backends!(a_revoked_token_ends_its_sockets_and_their_operations);

/// CT-HFD's `ill-staff` with a password and a token; the token.
async fn staff_with_password_and_token(app: &TestApp) -> String {
    app.register_library("CT-HFD", true).await;
    app.set_password("CT-HFD", "ill-staff", PASSWORD, "STAFF")
        .await;
    app.token("CT-HFD", "ill-staff", "STAFF").await
}

async fn signed_in(app: &TestApp) -> String {
    let (status, body, cookie) = sign_in(app, "CT-HFD", "ill-staff", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    cookie.expect("a session cookie")
}

async fn signing_out_or_a_new_password_ends_the_sessions_sockets(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let token = staff_with_password_and_token(app).await;

    let cookie = signed_in(app).await;
    let mut socket = connect_with_cookie(app, &cookie).await;
    subscribe(&mut socket, "queue", "CT-HFD", "LENDING").await;
    let response = app
        .client
        .delete(format!("{}/session", app.base))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(closed_with(&mut socket).await, 4403);

    // A new password ends the sessions and their sockets, not the tokens.
    let cookie = signed_in(app).await;
    let mut by_session = connect_with_cookie(app, &cookie).await;
    let mut by_token = connect(app, &token).await;
    app.set_password("CT-HFD", "ill-staff", "another good password", "STAFF")
        .await;
    assert_eq!(closed_with(&mut by_session).await, 4403);
    assert_eq!(
        code(&with_cookie(app, &cookie, ME).await),
        "UNAUTHENTICATED"
    );
    answers(&mut by_token).await;
    assert_eq!(me_code(app, &token).await, "none");
}
on_both_backends!(signing_out_or_a_new_password_ends_the_sessions_sockets);

async fn a_disabled_account_signs_in_with_nothing_until_enabled(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let token = staff_with_password_and_token(app).await;
    let cookie = signed_in(app).await;
    let mut by_session = connect_with_cookie(app, &cookie).await;
    let mut by_token = connect(app, &token).await;
    subscribe(&mut by_token, "queue", "CT-HFD", "LENDING").await;

    let disabled = app
        .ok(
            &app.admin,
            DISABLE,
            json!({ "l": "CT-HFD", "n": "ill-staff", "d": true }),
        )
        .await;
    assert_eq!(
        disabled["setAccountDisabled"],
        json!({ "name": "ill-staff", "disabled": true, "tokens": 0, "library": { "id": "CT-HFD" } })
    );
    assert_eq!(closed_with(&mut by_session).await, 4403);
    assert_eq!(closed_with(&mut by_token).await, 4403);
    assert_eq!(me_code(app, &token).await, "UNAUTHENTICATED");
    assert_eq!(
        code(&with_cookie(app, &cookie, ME).await),
        "UNAUTHENTICATED"
    );
    let (status, _, cookie_given) = sign_in(app, "CT-HFD", "ill-staff", PASSWORD).await;
    assert_eq!((status, cookie_given), (401, None));
    let listed = app.ok(&app.admin, ACCOUNTS, json!({ "l": "CT-HFD" })).await;
    assert_eq!(
        listed["accounts"],
        json!([{ "name": "ill-staff", "disabled": true, "tokens": 0 }])
    );

    // No new token for it; an admin cannot disable themselves; only an
    // admin disables; an unknown account is NOT_FOUND.
    let create =
        "mutation { createStaffToken(library: \"CT-HFD\", name: \"ill-staff\", role: STAFF) }";
    assert_eq!(
        app.error_code(Some(&app.admin), create, json!({})).await,
        "BAD_INPUT"
    );
    let own = json!({ "l": "NETWORK", "n": "admin", "d": true });
    assert_eq!(
        app.error_code(Some(&app.admin), DISABLE, own).await,
        "BAD_INPUT"
    );
    let other = json!({ "l": "L1", "n": "l1-staff", "d": true });
    assert_eq!(
        app.error_code(Some(&net.coordinator), DISABLE, other).await,
        "FORBIDDEN"
    );
    let unknown = json!({ "l": "L1", "n": "nobody", "d": true });
    assert_eq!(
        app.error_code(Some(&app.admin), DISABLE, unknown).await,
        "NOT_FOUND"
    );
    assert_eq!(me_code(app, &net.l1).await, "none");

    // Enabled again: the password signs in; the old token and session stay ended.
    let enabled = app
        .ok(
            &app.admin,
            DISABLE,
            json!({ "l": "CT-HFD", "n": "ill-staff", "d": false }),
        )
        .await;
    assert_eq!(enabled["setAccountDisabled"]["disabled"], false);
    assert_eq!(me_code(app, &token).await, "UNAUTHENTICATED");
    assert_eq!(
        code(&with_cookie(app, &cookie, ME).await),
        "UNAUTHENTICATED"
    );
    let cookie = signed_in(app).await;
    assert_eq!(code(&with_cookie(app, &cookie, ME).await), "none");
    let token = app.token("CT-HFD", "ill-staff", "STAFF").await;
    assert_eq!(me_code(app, &token).await, "none");
}
on_both_backends!(a_disabled_account_signs_in_with_nothing_until_enabled);

/// `token` is refused on `app` within a second.
async fn refused_within_a_second(app: &TestApp, token: &str) {
    let deadline = Instant::now() + SECOND;
    loop {
        if me_code(app, token).await == "UNAUTHENTICATED" {
            return;
        }
        assert!(Instant::now() < deadline, "still accepted after a second");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two nodes on one PostgreSQL store: what one node ends, the other ends
/// too, its sockets included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_end_on_every_node() {
    let net = Network::new(Backend::Postgres).await;
    let token = staff_with_password_and_token(&net.app).await;
    let other = net.app.another_node().await;
    let cookie = signed_in(&other).await;
    let mut session_socket = connect_with_cookie(&other, &cookie).await;
    let mut token_socket = connect(&other, &net.l1).await;
    subscribe(&mut token_socket, "queue", "L1", "LENDING").await;
    // Both credentials are in the other node's cache now.
    assert_eq!(me_code(&other, &net.l1).await, "none");
    assert_eq!(me_code(&other, &token).await, "none");

    net.app
        .ok(
            &net.app.admin,
            REVOKE,
            json!({ "l": "L1", "n": "l1-staff" }),
        )
        .await;
    assert_eq!(closed_with(&mut token_socket).await, 4403);
    refused_within_a_second(&other, &net.l1).await;

    net.app
        .ok(
            &net.app.admin,
            DISABLE,
            json!({ "l": "CT-HFD", "n": "ill-staff", "d": true }),
        )
        .await;
    assert_eq!(closed_with(&mut session_socket).await, 4403);
    refused_within_a_second(&other, &token).await;
    let (status, _, _) = sign_in(&other, "CT-HFD", "ill-staff", PASSWORD).await;
    assert_eq!(status, 401);
}
