//! `/graphql/ws`: async-graphql's graphql-transport-ws server behind a
//! gate that holds the socket to its limits (RELIABILITY.md):
//!
//! - a message or frame over [`super::MAX_BODY_BYTES`] is refused before it is
//!   buffered (one 10 MB document took the server to a gigabyte);
//! - `connection_init` must come within `init_timeout`, else close 4408;
//! - a ping goes out every `ping_every`; nothing heard for `silence`
//!   closes the socket (a quiet client that answers pings stays);
//! - the credential is checked again for every operation, whenever this
//!   node hears that credentials ended, and every second: once it has
//!   ended the socket closes with 4403.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use tokio::time::{interval_at, sleep, Instant, MissedTickBehavior};
use uuid::Uuid;

use crate::auth::cache::CredentialKey;
use crate::auth::{self, Credential};
use crate::error::ApiError;
use crate::graphql::{AppSchema, RequestContext, SubscriptionSlots};
use crate::metrics::Refusal;
use crate::state::AppState;

/// How often an open socket's credential is checked without a reason to.
const RECHECK_EVERY: Duration = Duration::from_secs(1);

/// How long a closing socket waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// graphql-transport-ws's close codes.
const FORBIDDEN: u16 = 4403;
const INIT_TIMEOUT: u16 = 4408;
/// RFC 6455: going away; message too big.
const GOING_AWAY: u16 = 1001;
const TOO_BIG: u16 = 1009;

/// Runs one socket until either side closes it or a limit does. `session`
/// is the browser's session cookie, used when `connection_init` carries
/// no token.
pub async fn serve(
    socket: WebSocket,
    schema: AppSchema,
    protocol: GraphQLProtocol,
    state: Arc<AppState>,
    session: Option<String>,
) {
    let limits = state.security.socket.clone();
    let credential: Arc<OnceLock<CredentialKey>> = Arc::default();
    let (mut to_client, mut from_client) = socket.split();
    let (mut to_graphql, graphql_in) = mpsc::channel::<Result<Message, axum::Error>>(8);
    let (graphql_out, mut from_graphql) = mpsc::channel::<Message>(8);
    let graphql = GraphQLWebSocket::new_with_pair(graphql_out, graphql_in, schema, protocol)
        .on_connection_init({
            let state = state.clone();
            let credential = credential.clone();
            move |payload| connection_init(state, credential, session, payload)
        })
        .serve();
    tokio::pin!(graphql);

    let mut ended = state.credentials.ended();
    // The first ticks a period from now, not at once.
    let mut recheck = interval_at(Instant::now() + RECHECK_EVERY, RECHECK_EVERY);
    let mut ping = interval_at(Instant::now() + limits.ping_every, limits.ping_every);
    for timer in [&mut recheck, &mut ping] {
        timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
    }
    let init_deadline = sleep(limits.init_timeout);
    tokio::pin!(init_deadline);
    let mut acknowledged = false;
    let mut last_heard = Instant::now();

    let close = loop {
        tokio::select! {
            frame = from_client.next() => {
                last_heard = Instant::now();
                match frame {
                    Some(Ok(message @ (Message::Text(_) | Message::Binary(_)))) => {
                        if is_operation(&message) && !credential_live(&state, &credential).await {
                            break Some((FORBIDDEN, Refusal::SocketCredentialEnded));
                        }
                        if to_graphql.send(Ok(message)).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_))) | None => break None,
                    Some(Err(error)) => {
                        // tungstenite refuses an oversized frame or message
                        // from its header, before reading it.
                        tracing::debug!(%error, "a socket read failed");
                        break error
                            .to_string()
                            .contains("too long")
                            .then_some((TOO_BIG, Refusal::SocketMessageSize));
                    }
                }
            }
            message = from_graphql.next() => {
                let Some(message) = message else { break None };
                if let Message::Text(text) = &message {
                    acknowledged |= text.as_str().contains("\"connection_ack\"");
                }
                let closing = matches!(message, Message::Close(_));
                if to_client.send(message).await.is_err() || closing {
                    break None;
                }
            }
            () = &mut graphql => break None,
            () = &mut init_deadline, if !acknowledged => {
                break Some((INIT_TIMEOUT, Refusal::SocketInitTimeout));
            }
            _ = ping.tick() => {
                if last_heard.elapsed() >= limits.silence {
                    break Some((GOING_AWAY, Refusal::SocketUnansweredPings));
                }
                if to_client.send(Message::Ping(Default::default())).await.is_err() {
                    break None;
                }
            }
            _ = recheck.tick() => {
                if !credential_live(&state, &credential).await {
                    break Some((FORBIDDEN, Refusal::SocketCredentialEnded));
                }
            }
            changed = ended.changed() => {
                if changed.is_err() || !credential_live(&state, &credential).await {
                    break Some((FORBIDDEN, Refusal::SocketCredentialEnded));
                }
            }
        }
    };
    if let Some((code, refusal)) = close {
        state.metrics.refused(refusal);
        let reason = match refusal {
            Refusal::SocketCredentialEnded => "the credential ended",
            Refusal::SocketInitTimeout => "connection initialisation timeout",
            Refusal::SocketUnansweredPings => "pings unanswered",
            _ => "message too big",
        };
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = to_client.send(Message::Close(Some(frame))).await;
        // Wait for the client's own close (briefly): dropping the connection
        // with its frames unread resets it, and the client may lose ours.
        let answered = async { while let Some(Ok(_)) = from_client.next().await {} };
        let _ = tokio::time::timeout(CLOSE_WAIT, answered).await;
    }
}

/// Who the socket serves: the token in the payload, else the session.
async fn connection_init(
    state: Arc<AppState>,
    credential: Arc<OnceLock<CredentialKey>>,
    session: Option<String>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let token = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))
        .and_then(|v| v.as_str())
        .and_then(auth::bearer);
    let presented = token
        .map(Credential::Token)
        .or(session.as_deref().map(Credential::Session));
    let viewer = state
        .authenticate(presented)
        .await
        .map_err(async_graphql::Error::from)?;
    let _ = credential.set(viewer.credential.clone());
    let mut data = Data::default();
    data.insert(RequestContext {
        viewer,
        correlation_id: Uuid::new_v4(),
    });
    data.insert(SubscriptionSlots::new(state.security.socket.subscriptions));
    Ok(data)
}

/// False once the socket's credential has ended (not while the store is
/// unreachable: that is no reason to end anyone's socket).
async fn credential_live(state: &AppState, credential: &OnceLock<CredentialKey>) -> bool {
    let Some(key) = credential.get() else {
        return true;
    };
    !matches!(
        state.viewer_of(key.clone()).await,
        Err(ApiError::Unauthenticated)
    )
}

/// A message that starts an operation (`subscribe`; `start` in the older
/// protocol).
fn is_operation(message: &Message) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind {
        #[serde(rename = "type")]
        kind: String,
    }
    let bytes: &[u8] = match message {
        Message::Text(text) => text.as_bytes(),
        Message::Binary(bytes) => bytes,
        _ => return false,
    };
    serde_json::from_slice::<Kind>(bytes)
        .is_ok_and(|m| matches!(m.kind.as_str(), "subscribe" | "start"))
}
