//! `POST /holdings/LIBRARY` (CLI.md): a library's whole holdings file,
//! streamed into the catalogue's import as it arrives. No request timeout
//! and no body limit but `--max-import-bytes`; 408 after the body timeout
//! without a byte.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use catalogue::formats::{Format, ItemMapping};
use catalogue::import::{self, ImportRequest};
use catalogue::CatalogueError;
use domain::{LibraryId, Role};
use futures::{Stream, StreamExt};
use serde_json::json;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::Routes;
use crate::auth::Credential;
use crate::metrics::Refusal;
use crate::state::AppState;

/// The route's options: `items` is the command's `--items` mapping
/// (`?items=949:l=location,949:a=call_number`) for item tags other than
/// 852 and 952.
#[derive(Debug, serde::Deserialize)]
pub struct ImportOptions {
    items: Option<String>,
}

/// Why the body stream was cut: the answer then is this, not the reader's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    TooLarge,
    Stalled,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

pub async fn import_holdings(
    State(routes): State<Routes>,
    Path(library): Path<String>,
    options: Result<Query<ImportOptions>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let state = routes.state;
    let token = match Credential::from_headers(&headers) {
        Some(Credential::Token(token)) => Some(Credential::Token(token)),
        _ => None,
    };
    let viewer = match state.authenticate(token).await {
        Ok(viewer) => viewer,
        Err(_) => return refuse(StatusCode::UNAUTHORIZED, "send a valid bearer token"),
    };
    let Some(registered) = LibraryId::parse("library", &library)
        .ok()
        .and_then(|id| state.libraries.get(&id))
    else {
        return refuse(StatusCode::NOT_FOUND, format!("no library {library}"));
    };
    let account = &viewer.account;
    if account.role == Role::Staff && account.library != registered.id {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "staff of {} may import only its own holdings",
                account.library
            ),
        );
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(format) = Format::from_content_type(content_type) else {
        state.metrics.refused(Refusal::ImportContentType);
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/marc, application/marcxml+xml or text/csv",
        );
    };
    let items = match options.map(|Query(options)| options.items) {
        Ok(None) => ItemMapping::default(),
        Ok(Some(text)) => match ItemMapping::parse(&text) {
            Ok(items) => items,
            Err(malformed) => {
                return refuse(StatusCode::BAD_REQUEST, format!("items: {malformed}"))
            }
        },
        Err(rejection) => return refuse(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    let limit = state.security.max_import_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return too_large(&state, limit);
    }
    let cut = Arc::new(Mutex::new(None));
    let stream = guarded(body, limit, state.security.body_timeout, cut.clone());
    let request = ImportRequest {
        library: registered.id.to_string(),
        by: account.name.clone(),
        format,
        items,
        at: state.commands.services.now(),
        lending: registered.lends && !registered.suspended,
    };
    let database = state.database().clone();
    // Its own task: a client that goes away ends the body, and the import
    // then drops what it staged, instead of stopping halfway.
    let running = tokio::spawn(async move {
        let input = io::BufReader::with_capacity(
            64 * 1024,
            SyncIoBridge::new(StreamReader::new(Box::pin(stream))),
        );
        import::import(&database, request, input).await
    });
    let outcome = match running.await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(%error, "a holdings import task failed");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "the import failed");
        }
    };
    let cut = *cut.lock().expect("the cut flag");
    match (cut, outcome) {
        (_, Ok(summary)) => Json(summary).into_response(),
        (Some(Cut::TooLarge), Err(_)) => too_large(&state, limit),
        (Some(Cut::Stalled), Err(_)) => {
            state.metrics.refused(Refusal::ImportBodyTimeout);
            refuse(
                StatusCode::REQUEST_TIMEOUT,
                "the holdings file stopped arriving",
            )
        }
        (None, Err(CatalogueError::BrokenFile(broken))) => {
            state.metrics.refused(Refusal::ImportBrokenFile);
            refuse(StatusCode::BAD_REQUEST, broken.reason)
        }
        (None, Err(CatalogueError::ImportRunning(library))) => {
            state.metrics.refused(Refusal::ImportRunning);
            refuse(
                StatusCode::CONFLICT,
                format!("an import for {library} is running"),
            )
        }
        (None, Err(error @ CatalogueError::TakenOver(_))) => {
            refuse(StatusCode::CONFLICT, error.to_string())
        }
        (None, Err(error)) => {
            tracing::error!(%error, "a holdings import failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "the import failed")
        }
    }
}

fn too_large(state: &AppState, limit: u64) -> Response {
    state.metrics.refused(Refusal::ImportTooLarge);
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("a holdings file may have at most {limit} bytes"),
    )
}

/// The body's bytes, cut (with an error, and `cut` saying why) past `limit`
/// bytes or after `idle` without one.
fn guarded(
    body: Body,
    limit: u64,
    idle: Duration,
    cut: Arc<Mutex<Option<Cut>>>,
) -> impl Stream<Item = io::Result<axum::body::Bytes>> + Send {
    let chunks = body.into_data_stream();
    futures::stream::unfold((chunks, 0u64, false), move |(mut chunks, read, ended)| {
        let cut = cut.clone();
        async move {
            if ended {
                return None;
            }
            let stop = |why: Cut, message: &str| {
                *cut.lock().expect("the cut flag") = Some(why);
                Err(io::Error::other(message.to_owned()))
            };
            match tokio::time::timeout(idle, chunks.next()).await {
                Err(_) => Some((stop(Cut::Stalled, "no byte in time"), (chunks, read, true))),
                Ok(None) => None,
                Ok(Some(Err(error))) => Some((Err(io::Error::other(error)), (chunks, read, true))),
                Ok(Some(Ok(bytes))) => {
                    let read = read + bytes.len() as u64;
                    if read > limit {
                        Some((stop(Cut::TooLarge, "over the limit"), (chunks, read, true)))
                    } else {
                        Some((Ok(bytes), (chunks, read, false)))
                    }
                }
            }
        }
    })
}
