//! The HTTP routes: the staff web client and its sign-in, GraphQL (POST,
//! GraphiQL on GET, subscriptions over graphql-transport-ws), the statistics
//! dashboard, health and metrics.

pub mod sign_in;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{BatchRequest, BatchResponse, Data};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
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
    Router::new()
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
        .route("/metrics", get(metrics))
        .merge(stats)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state, record_metrics))
        .with_state(routes)
}

/// Serves until `shutdown` turns true, then finishes in-flight requests.
pub fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let app = router(state);
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
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
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
    let state = routes.state.clone();
    // A browser's session, when the page that opens the socket is ours.
    let session = auth::session_cookie(&headers)
        .filter(|_| auth::same_origin_browser(&headers, false))
        .map(str::to_owned);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, routes.schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("authorization")
                        .or_else(|| payload.get("Authorization"))
                        .and_then(|v| v.as_str())
                        .and_then(auth::bearer);
                    let credential = token
                        .map(Credential::Token)
                        .or(session.as_deref().map(Credential::Session));
                    let viewer = state
                        .authenticate(credential)
                        .await
                        .map_err(async_graphql::Error::from)?;
                    let mut data = Data::default();
                    data.insert(RequestContext {
                        viewer,
                        correlation_id: Uuid::new_v4(),
                    });
                    Ok(data)
                })
                .serve()
        })
}

async fn healthz(State(routes): State<Routes>) -> impl IntoResponse {
    if routes.state.database().is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "the store does not answer")
    }
}

async fn metrics(State(routes): State<Routes>) -> impl IntoResponse {
    let body = routes.state.metrics.render(&routes.state.projector);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
