//! Limits on every way in (issue 16, items 2 and 4): the socket's message
//! size, document limits and subscription count, `connection_init` in
//! time, unanswered pings, and HTTP bodies that trickle in; each refusal
//! counted in `/metrics`.

use std::time::Duration;

use futures::StreamExt;
use ill_tests::{spawn_app_with, Backend, Network, TestApp};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

use crate::subscriptions::{connect, open, receive, refusal, send, subscribe, Socket, SECOND};

/// The refusals `/metrics` counts for `limit`.
async fn refusals(app: &TestApp, limit: &str) -> u64 {
    let (_, text) = app.get("/metrics").await;
    let prefix = format!("ill_refusals_total{{limit=\"{limit}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// The close code, once the server closes the socket within `limit`.
async fn close_code(socket: &mut Socket, limit: Duration) -> u16 {
    loop {
        let frame = tokio::time::timeout(limit, socket.next())
            .await
            .expect("the socket was not closed in time");
        match frame {
            Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
            Some(Ok(_)) => {}
            other => panic!("closed without a close frame: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_body_limit_is_refused_unread() {
    let net = Network::new(Backend::Sqlite).await;
    let mut socket = connect(&net.app, &net.l1).await;
    let padding = " ".repeat(api::http::MAX_BODY_BYTES);
    let query = format!("{{ me {{ name }} }}{padding}");
    send(
        &mut socket,
        json!({ "id": "big", "type": "subscribe", "payload": { "query": query } }),
    )
    .await;
    // Closed with 1009, or reset: the server does not read the rest.
    let end = tokio::time::timeout(SECOND * 5, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    })
    .await
    .expect("the socket was not closed in time");
    assert!(end.is_none_or(|code| code == 1009), "{end:?}");
    assert_eq!(refusals(&net.app, "socket_message_size").await, 1);
    assert_eq!(net.app.get("/healthz").await.0, 200);

    // Under the limit, the same socket protocol serves as before.
    let mut socket = connect(&net.app, &net.l1).await;
    send(
        &mut socket,
        json!({ "id": "me", "type": "subscribe", "payload": { "query": "{ me { name } }" } }),
    )
    .await;
    let answer = receive(&mut socket, SECOND * 5).await.unwrap();
    assert_eq!(
        answer["payload"]["data"]["me"]["name"], "l1-staff",
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_documents_meet_the_depth_complexity_and_alias_limits() {
    let net = Network::new(Backend::Sqlite).await;
    let mut socket = connect(&net.app, &net.coordinator).await;
    let aliases = (0..60)
        .map(|i| format!("a{i}: now"))
        .collect::<Vec<_>>()
        .join(" ");
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {} name {} }} }} }} }}",
        "{ ofType ".repeat(12),
        "}".repeat(12)
    );
    let nested = format!(
        "{{ me {{ name(x: {}1{}) }} }}",
        "[".repeat(100),
        "]".repeat(100)
    );
    for (id, query) in [
        ("aliases", format!("{{ {aliases} }}")),
        ("depth", deep),
        ("nesting", nested),
    ] {
        send(
            &mut socket,
            json!({ "id": id, "type": "subscribe", "payload": { "query": query } }),
        )
        .await;
        let errors = refusal(&mut socket, id).await;
        assert_eq!(
            errors[0]["extensions"]["code"], "BAD_INPUT",
            "{id}: {errors}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_a_hundred_subscriptions_on_one_socket() {
    let net = Network::new(Backend::Sqlite).await;
    let mut socket = connect(&net.app, &net.l1).await;
    for i in 0..100 {
        subscribe(&mut socket, &i.to_string(), "L1", "LENDING").await;
    }
    let query = "subscription { queueChanged(library: \"L1\", side: LENDING) { requestId } }";
    send(
        &mut socket,
        json!({ "id": "over", "type": "subscribe", "payload": { "query": query } }),
    )
    .await;
    let errors = refusal(&mut socket, "over").await;
    assert_eq!(errors[0]["extensions"]["code"], "BAD_INPUT", "{errors}");
    assert_eq!(refusals(&net.app, "socket_subscriptions").await, 1);

    // Completing one frees its place.
    send(&mut socket, json!({ "id": "7", "type": "complete" })).await;
    subscribe(&mut socket, "again", "L1", "LENDING").await;
    let id = net.place(&["L1"]).await["id"].clone();
    let heard = receive(&mut socket, SECOND * 5).await.unwrap();
    assert_eq!(heard["payload"]["data"]["queueChanged"]["requestId"], id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_must_initialise_in_time() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.security.socket.init_timeout = Duration::from_millis(300);
    })
    .await;
    let mut socket = open(&app).await;
    assert_eq!(close_code(&mut socket, SECOND * 5).await, 4408);
    assert_eq!(refusals(&app, "socket_init_timeout").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_whose_pings_go_unanswered_is_closed() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.security.socket.ping_every = Duration::from_millis(100);
        settings.security.socket.silence = Duration::from_millis(600);
    })
    .await;
    let mut quiet = connect(&app, &app.admin).await;
    let mut gone = connect(&app, &app.admin).await;

    // The quiet client sends nothing, but reading answers the pings.
    let until = tokio::time::Instant::now() + Duration::from_millis(1500);
    while let Ok(frame) = tokio::time::timeout_at(until, quiet.next()).await {
        match frame {
            Some(Ok(Message::Ping(_))) => {}
            other => panic!("the quiet socket got {other:?}"),
        }
    }
    send(&mut quiet, json!({ "type": "ping" })).await;
    loop {
        match quiet.next().await {
            Some(Ok(Message::Text(text))) if text.contains("pong") => break,
            Some(Ok(Message::Ping(_))) => {}
            other => panic!("the quiet socket got {other:?}"),
        }
    }

    // The other read nothing meanwhile, so it answered nothing.
    assert_eq!(close_code(&mut gone, SECOND).await, 1001);
    assert!(refusals(&app, "socket_unanswered_pings").await >= 1);
    let _ = quiet.close(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_body_must_arrive_in_time() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.security.body_timeout = Duration::from_millis(300);
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {}\r\nContent-Length: 100\r\n\r\n{{\"query\":",
        app.admin
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(SECOND * 5, stream.read_to_end(&mut answer))
        .await
        .expect("an answer, and the connection closed")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(refusals(&app, "body_timeout").await, 1);

    // A body that arrives in time is served as before.
    let me = app.ok(&app.admin, "{ me { name } }", json!({})).await;
    assert_eq!(me["me"]["name"], "admin");
}
