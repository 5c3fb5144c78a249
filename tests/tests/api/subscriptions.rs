//! `queueChanged` over graphql-transport-ws at /graphql/ws: a library hears
//! its own queue change within a second, and nothing of others' queues.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use ill_tests::{Backend, Network, TestApp};
use serde_json::{json, Value};
use store::on_both_backends;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a change may take to arrive.
pub(crate) const SECOND: Duration = Duration::from_secs(1);

pub(crate) async fn open(app: &TestApp) -> Socket {
    let url = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (socket, response) = connect_async(request).await.expect("a WebSocket");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
}

pub(crate) async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("send");
}

/// The next protocol message, or `None` when the server closed the socket.
#[track_caller]
pub(crate) fn receive(
    socket: &mut Socket,
    limit: Duration,
) -> impl std::future::Future<Output = Option<Value>> + '_ {
    let caller = std::panic::Location::caller();
    async move {
        loop {
            let frame = tokio::time::timeout(limit, socket.next())
                .await
                .unwrap_or_else(|_| {
                    panic!("nothing arrived within {limit:?} (awaited at {caller})")
                });
            match frame {
                Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }
}

/// A socket whose connection_init carried `token` and was acknowledged.
pub(crate) async fn connect(app: &TestApp, token: &str) -> Socket {
    let mut socket = open(app).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }),
    )
    .await;
    let ack = receive(&mut socket, SECOND * 5).await;
    assert_eq!(ack, Some(json!({ "type": "connection_ack" })));
    socket
}

/// Subscribes to a queue, then pings: the pong comes after the server took
/// the subscription in.
pub(crate) async fn subscribe(socket: &mut Socket, id: &str, library: &str, side: &str) {
    send(
        socket,
        json!({
            "id": id,
            "type": "subscribe",
            "payload": {
                "query": "subscription($l: ID!, $s: QueueSide!) { queueChanged(library: $l, side: $s) { requestId status side inQueue } }",
                "variables": { "l": library, "s": side },
            },
        }),
    )
    .await;
    send(socket, json!({ "type": "ping" })).await;
    loop {
        let message = receive(socket, SECOND * 5).await.expect("a pong");
        match message["type"].as_str() {
            Some("pong") => return,
            // An earlier, refused subscription ending.
            Some("complete") if message["id"] != id => continue,
            _ => panic!("expected a pong, got {message}"),
        }
    }
}

/// The next queue change heard on the socket, within a second.
#[track_caller]
pub(crate) fn change(socket: &mut Socket) -> impl std::future::Future<Output = Value> + '_ {
    let caller = std::panic::Location::caller();
    async move {
        let message = tokio::time::timeout(SECOND, receive(socket, SECOND * 10))
            .await
            .unwrap_or_else(|_| panic!("no change within a second (awaited at {caller})"))
            .expect("an open socket");
        assert_eq!(message["type"], "next", "{message}");
        assert!(message["payload"].get("errors").is_none(), "{message}");
        message["payload"]["data"]["queueChanged"].clone()
    }
}

/// The errors of the refused subscription `id` (skipping the completion
/// of earlier ones), then its completion.
pub(crate) async fn refusal(socket: &mut Socket, id: &str) -> Value {
    loop {
        let message = receive(socket, SECOND * 5).await.expect("an open socket");
        if message["type"] == "complete" && message["id"] != id {
            continue;
        }
        assert_eq!(message["id"], id, "{message}");
        let errors = match message["type"].as_str() {
            Some("error") => message["payload"].clone(),
            Some("next") => {
                assert!(message["payload"]["data"].is_null(), "{message}");
                message["payload"]["errors"].clone()
            }
            _ => panic!("expected a refusal, got {message}"),
        };
        assert!(errors.is_array(), "{message}");
        return errors;
    }
}

async fn lenders_hear_their_own_queue(backend: Backend) {
    let net = Network::new(backend).await;
    let mut l1 = connect(&net.app, &net.l1).await;
    let mut l2 = connect(&net.app, &net.l2).await;
    let mut l3 = connect(&net.app, &net.l3).await;
    let mut bor = connect(&net.app, &net.bor).await;
    subscribe(&mut l1, "1", "L1", "LENDING").await;
    subscribe(&mut l2, "2", "L2", "LENDING").await;
    subscribe(&mut l3, "3", "L3", "LENDING").await;
    subscribe(&mut bor, "b", "BOR", "BORROWING").await;

    // Placed with L1 then L2: L1 hears it, and the borrower.
    let a = net.place(&["L1", "L2"]).await["id"].clone();
    let heard = change(&mut l1).await;
    assert_eq!(
        heard,
        json!({ "requestId": a, "status": "REQUESTED", "side": "LENDING", "inQueue": true })
    );
    let heard = change(&mut bor).await;
    assert_eq!(heard["requestId"], a);
    assert_eq!(heard["side"], "BORROWING");

    // L2 is not asked yet: the first thing it hears is a request naming it.
    let b = net.place(&["L2"]).await["id"].clone();
    assert_eq!(change(&mut l2).await["requestId"], b);

    // L1 declines: out of its queue, into L2's.
    net.act(&net.l1, &a, "decline(id: $id, reason: NOT_HELD)")
        .await;
    let left = change(&mut l1).await;
    assert_eq!(left["requestId"], a);
    assert_eq!(left["inQueue"], false);
    let arrived = change(&mut l2).await;
    assert_eq!(
        arrived,
        json!({ "requestId": a, "status": "REQUESTED", "side": "LENDING", "inQueue": true })
    );

    // L3 heard nothing of all this: its first change is its own request.
    let c = net.place(&["L3"]).await["id"].clone();
    assert_eq!(change(&mut l3).await["requestId"], c);
    // L1 heard nothing of B or C: its next change is its own again.
    let d = net.place(&["L1"]).await["id"].clone();
    assert_eq!(change(&mut l1).await["requestId"], d);

    // Completing a subscription ends it.
    send(&mut l1, json!({ "id": "1", "type": "complete" })).await;
    send(&mut l1, json!({ "type": "ping" })).await;
    loop {
        let message = receive(&mut l1, SECOND).await.expect("an open socket");
        if message["type"] == "pong" {
            break;
        }
    }
}
on_both_backends!(lenders_hear_their_own_queue);

async fn other_libraries_queues_are_refused(backend: Backend) {
    let net = Network::new(backend).await;

    // STAFF following another library's queue: FORBIDDEN, nothing heard.
    let mut l2 = connect(&net.app, &net.l2).await;
    for (id, library, side) in [("x", "L1", "LENDING"), ("y", "BOR", "BORROWING")] {
        send(
            &mut l2,
            json!({
                "id": id,
                "type": "subscribe",
                "payload": { "query": format!("subscription {{ queueChanged(library: \"{library}\", side: {side}) {{ requestId }} }}") },
            }),
        )
        .await;
        let errors = refusal(&mut l2, id).await;
        assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{errors}");
    }
    // An unknown library: NOT_FOUND.
    send(
        &mut l2,
        json!({ "id": "z", "type": "subscribe",
                "payload": { "query": "subscription { queueChanged(library: \"NOPE\", side: LENDING) { requestId } }" } }),
    )
    .await;
    let errors = refusal(&mut l2, "z").await;
    assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND", "{errors}");

    // The coordinator follows any library's queue.
    let mut coordinator = connect(&net.app, &net.coordinator).await;
    subscribe(&mut coordinator, "c", "L1", "LENDING").await;
    // L2's own subscription works on the same connection as its refusals.
    subscribe(&mut l2, "own", "L2", "LENDING").await;
    let a = net.place(&["L1"]).await["id"].clone();
    assert_eq!(change(&mut coordinator).await["requestId"], a);
    let b = net.place(&["L2"]).await["id"].clone();
    let heard = receive(&mut l2, SECOND).await.expect("an open socket");
    assert!(
        heard["id"] == "own" && heard["payload"]["data"]["queueChanged"]["requestId"] == b,
        "L2 heard of L1's request, or missed its own: {heard}"
    );

    // No token, or an unknown one, in connection_init: no acknowledgement.
    for payload in [json!({}), json!({ "authorization": "Bearer ill_unknown" })] {
        let mut socket = open(&net.app).await;
        send(
            &mut socket,
            json!({ "type": "connection_init", "payload": payload }),
        )
        .await;
        let answer = receive(&mut socket, SECOND * 5).await;
        assert!(
            answer
                .as_ref()
                .is_none_or(|a| a["type"] != "connection_ack"),
            "{answer:?}"
        );
    }
    // Subscribing before connection_init: refused too.
    let mut socket = open(&net.app).await;
    send(
        &mut socket,
        json!({ "id": "early", "type": "subscribe",
                "payload": { "query": "subscription { queueChanged(library: \"L1\", side: LENDING) { requestId } }" } }),
    )
    .await;
    let answer = receive(&mut socket, SECOND * 5).await;
    assert!(answer.is_none_or(|a| a["type"] != "next"));
}
on_both_backends!(other_libraries_queues_are_refused);

async fn malformed_subscriptions_are_bad_input(backend: Backend) {
    let net = Network::new(backend).await;
    let mut socket = connect(&net.app, &net.l1).await;
    for (id, query) in [
        ("syntax", "subscription { queueChanged(library: \"L1\" "),
        (
            "field",
            "subscription { queueChanged(library: \"L1\", side: LENDING) { nope } }",
        ),
        (
            "enum",
            "subscription { queueChanged(library: \"L1\", side: SIDEWAYS) { requestId } }",
        ),
        (
            "symbol",
            "subscription { queueChanged(library: \"not a symbol\", side: LENDING) { requestId } }",
        ),
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
        assert!(!errors.to_string().contains("Did you mean"), "{errors}");
    }
}
on_both_backends!(malformed_subscriptions_are_bad_input);
