//! A request body must arrive whole within the body timeout (408 after it)
//! and within [`MAX_BODY_BYTES`] (413 above): a client that trickles a
//! body a byte at a time no longer holds a connection and its handler open.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::MAX_BODY_BYTES;
use crate::metrics::Refusal;
use crate::state::AppState;

/// Reads the body within the time allowed, then hands it on.
pub async fn arrives_in_time(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(state.security.body_timeout, read_bounded(body)).await;
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(status)) => return status.into_response(),
        Err(_) => {
            state.metrics.refused(Refusal::BodyTimeout);
            return (
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive in time",
            )
                .into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

async fn read_bounded(body: Body) -> Result<Bytes, StatusCode> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.into())
}
