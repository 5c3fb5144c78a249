//! Browser sign-in: `POST /session` checks a library, account name and
//! password and answers with an HttpOnly, SameSite=Strict session cookie
//! that the GraphQL API accepts in place of a bearer token until it has been
//! idle for `SESSION_IDLE` or older than `--session-max-age-days`;
//! `DELETE /session` signs out. Failed attempts slow further ones down per
//! account and client address together (so nobody locks an account out from
//! elsewhere), and per client address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::LibraryId;
use serde::Deserialize;
use serde_json::json;

use crate::auth::throttle::{FREE_FAILURES_PER_ACCOUNT, FREE_FAILURES_PER_ADDRESS};
use crate::auth::{self, passwords, session_cookie, COOKIE, SESSION_IDLE};
use crate::http::client_address::client_address;
use crate::state::AppState;

const SESSION_PREFIX: &str = "ills_";

#[derive(Deserialize)]
pub struct SignIn {
    library: String,
    name: String,
    password: String,
}

fn refusal(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let address = client_address(peer.ip(), &headers, &state.security.trusted_proxies);
    let Ok(Json(form)) = body else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "send JSON with library, name and password",
        );
    };
    let name = form.name.trim().to_owned();
    let library = match LibraryId::parse("library", form.library.trim()) {
        Ok(library) if !name.is_empty() && form.password.len() <= passwords::MAX_LENGTH * 4 => {
            state.libraries.registered_spelling(library)
        }
        _ => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "give a library, an account name and a password",
            )
        }
    };
    let account_key = format!("account {library}/{} from {address}", name.to_lowercase());
    let keys = [
        (account_key.clone(), FREE_FAILURES_PER_ACCOUNT),
        (address_key(address), FREE_FAILURES_PER_ADDRESS),
    ];
    if let Some(wait) = state.throttle.wait(&keys, Instant::now()) {
        let seconds = wait.as_secs().max(1);
        let mut response = refusal(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("too many failed sign-ins: try again in {seconds} s"),
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&seconds.to_string()).expect("digits"),
        );
        return response;
    }
    let credentials = match store::sessions::credentials(state.database(), &library, &name).await {
        Ok(credentials) => credentials,
        Err(error) => {
            tracing::error!(%error, "reading credentials failed");
            return refusal(StatusCode::SERVICE_UNAVAILABLE, "the store does not answer");
        }
    };
    let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
    let matches = passwords::verify(form.password, stored).await;
    let account = match credentials {
        Some(credentials) if matches && !credentials.disabled => credentials.account,
        _ => {
            state.throttle.failed(&keys, Instant::now());
            tracing::info!(%library, account = %name, %address, "a sign-in failed");
            return refusal(
                StatusCode::UNAUTHORIZED,
                "the library, account name or password is wrong",
            );
        }
    };
    state.throttle.succeeded(&account_key);
    let (token, hash) = auth::new_token_with_prefix(SESSION_PREFIX);
    let now = state.commands.services.now();
    if let Err(error) = store::sessions::create(state.database(), &hash, &account, now).await {
        tracing::error!(%error, "storing a session failed");
        return refusal(StatusCode::SERVICE_UNAVAILABLE, "the store does not answer");
    }
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_IDLE.num_seconds(),
        secure(&state)
    );
    (
        [(header::SET_COOKIE, cookie)],
        Json(json!({
            "library": account.library.as_str(),
            "name": account.name,
            "role": account.role.as_str(),
        })),
    )
        .into_response()
}

pub async fn sign_out(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(token) = session_cookie(&headers) {
        if let Err(error) = store::sessions::end(state.database(), &auth::token_hash(token)).await {
            tracing::error!(%error, "ending a session failed");
            return refusal(StatusCode::SERVICE_UNAVAILABLE, "the store does not answer");
        }
        state.credentials_ended();
    }
    let expired = format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure(&state)
    );
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response()
}

/// The cookie's `Secure` attribute when the public URL is https.
fn secure(state: &AppState) -> &'static str {
    if state.security.secure_cookie {
        "; Secure"
    } else {
        ""
    }
}

fn address_key(ip: IpAddr) -> String {
    format!("address {ip}")
}
