//! The HTTP routes: the staff web client and its sign-in, GraphQL (POST,
//! GraphiQL on GET, subscriptions over graphql-transport-ws), the statistics
//! dashboard, health and metrics (on its own address with
//! `--metrics-listen`).

mod body;
pub mod client_address;
mod holdings;
pub mod sign_in;
mod socket;
mod trace;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{BatchRequest, BatchResponse};
use async_graphql_axum::GraphQLProtocol;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::auth::{self, Credential};
use crate::dashboard;
use crate::error::ApiError;
use crate::graphql::{self, label_errors, AppSchema, RequestContext};
use crate::state::AppState;

/// Request bodies above this are refused before anything is parsed.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Operations in one batch.
pub const MAX_BATCH: usize = 10;

#[derive(Clone)]
struct Routes {
    state: Arc<AppState>,
    schema: AppSchema,
}

pub fn router(state: Arc<AppState>) -> Router {
    let routes = Routes {
        schema: graphql::schema(state.clone()),
        state: state.clone(),
    };
    let mut stats = Router::new()
        .route("/stats", dashboard::overview(state.clone()))
        .route("/stats.csv", dashboard::csv(state.clone()))
        .route("/stats/{library}", dashboard::library(state.clone()));
    if state.private_stats {
        stats = stats.route_layer(middleware::from_fn_with_state(
            state.clone(),
            signed_in_only,
        ));
    }
    let mut router = Router::new()
        .merge(web::routes(state.commands.services.calendar.time_zone))
        .route(
            "/session",
            post(sign_in::sign_in)
                .delete(sign_in::sign_out)
                .with_state(state.clone()),
        )
        .route("/graphql", get(web::graphiql).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .merge(stats);
    if state.security.metrics_listen.is_none() {
        router = router.route("/metrics", get(metrics).with_state(state.clone()));
    }
    let app = router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            body::arrives_in_time,
        ))
        // A holdings file streams, with its own limits (http/holdings.rs).
        .route("/holdings/{library}", post(holdings::import_holdings))
        .layer(middleware::from_fn_with_state(state, record_metrics));
    trace::with_request_ids(app).with_state(routes)
}

/// `/metrics` alone, for `--metrics-listen`.
pub fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Serves until `shutdown` turns true, then finishes in-flight requests.
pub fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    serve_router(listener, router(state), shutdown)
}

/// Serves `app` until `shutdown` turns true, then finishes in-flight requests.
pub fn serve_router(
    listener: tokio::net::TcpListener,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let stopped = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(%error, "the HTTP server failed");
        }
    })
}

async fn record_metrics(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let started = Instant::now();
    let mut response = next.run(request).await;
    if matches!(
        response.status(),
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT
    ) {
        // The rest of the body stays unread, so the connection closes: say
        // so, or a keep-alive client (or proxy) sends its next request into it.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    state
        .metrics
        .http(&route, response.status().as_u16(), started.elapsed());
    response
}

/// With `--private-stats`: the dashboard for signed-in staff only; others
/// go to the sign-in page, which brings them back.
async fn signed_in_only(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let credential = Credential::from_headers(request.headers());
    if state.authenticate(credential).await.is_ok() {
        return next.run(request).await;
    }
    let back = request
        .uri()
        .path_and_query()
        .map_or("/stats", |p| p.as_str());
    let target = format!("/#/sign-in?next={}", web::url_encode(back));
    Redirect::to(&target).into_response()
}

fn error_response(error: ApiError) -> Response {
    let error: async_graphql::Error = error.into();
    let body =
        async_graphql::Response::from_errors(vec![error.into_server_error(Default::default())]);
    Json(body).into_response()
}

async fn graphql_post(State(routes): State<Routes>, headers: HeaderMap, body: Bytes) -> Response {
    // Without a valid credential nothing else is looked at, introspection
    // included. A session cookie counts only on a same-origin JSON request.
    let credential = Credential::from_headers(&headers).filter(|c| match c {
        Credential::Token(_) => true,
        Credential::Session(_) => auth::same_origin_browser(&headers, true),
    });
    let viewer = match routes.state.authenticate(credential).await {
        Ok(viewer) => viewer,
        Err(error) => return error_response(error),
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(error) => {
            return error_response(ApiError::bad_input(format!(
                "not a GraphQL request: {error}"
            )))
        }
    };
    if let BatchRequest::Batch(requests) = &batch {
        if requests.len() > MAX_BATCH {
            return error_response(ApiError::bad_input(format!(
                "at most {MAX_BATCH} operations in a batch"
            )));
        }
    }
    let context = RequestContext {
        viewer,
        correlation_id: Uuid::new_v4(),
    };
    let execution = routes.schema.execute_batch(batch.data(context));
    let mut response = match tokio::time::timeout(routes.state.request_timeout, execution).await {
        Ok(response) => response,
        Err(_) => {
            return error_response(ApiError::internal(
                "the request took longer than the request timeout",
            ))
        }
    };
    match &mut response {
        BatchResponse::Single(single) => label_errors(&mut single.errors),
        BatchResponse::Batch(all) => all.iter_mut().for_each(|r| label_errors(&mut r.errors)),
    }
    Json(response).into_response()
}

async fn graphql_ws(
    State(routes): State<Routes>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    // A browser's session, when the page that opens the socket is ours.
    let session = auth::session_cookie(&headers)
        .filter(|_| auth::same_origin_browser(&headers, false))
        .map(str::to_owned);
    // The same bound as an HTTP body: tungstenite refuses a larger frame or
    // message from its header, before buffering it.
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES)
        .on_upgrade(move |socket| {
            socket::serve(socket, routes.schema, protocol, routes.state, session)
        })
}

async fn healthz(State(routes): State<Routes>) -> impl IntoResponse {
    if routes.state.database().is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "the store does not answer")
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let body = state.metrics.render(&state.projector);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
