//! Browser sign-in: `POST /session` checks a library, account name and
//! password and answers with an HttpOnly, SameSite=Strict session cookie
//! that the GraphQL API accepts in place of a bearer token until it has been
//! idle for `SESSION_IDLE`; `DELETE /session` signs out. Failed attempts
//! slow further ones down, per account and per client address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::LibraryId;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::{auth, passwords};

pub const COOKIE: &str = "ill_session";
/// A session ends after this long without a request.
pub const SESSION_IDLE: chrono::Duration = chrono::Duration::hours(8);
const SESSION_PREFIX: &str = "ills_";

/// Failures allowed before each further attempt must wait; the wait doubles
/// with every failure up to `MAX_WAIT`.
const FREE_FAILURES_PER_ACCOUNT: u32 = 3;
const FREE_FAILURES_PER_ADDRESS: u32 = 20;
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Entries kept before forgetting those that no longer slow anyone.
const REMEMBERED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// No attempt is heard before this.
    until: Instant,
}

/// Failed sign-ins by key ("account LIB/name" or "address IP"), in memory:
/// each node slows the attempts it sees.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Failures>>,
}

impl Throttle {
    /// How long the caller must still wait, if any key is held back.
    fn wait(&self, keys: &[(String, u32)], now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().expect("throttle lock");
        keys.iter()
            .filter_map(|(key, _)| failures.get(key))
            .map(|f| f.until.saturating_duration_since(now))
            .filter(|wait| !wait.is_zero())
            .max()
    }

    fn failed(&self, keys: &[(String, u32)], now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() >= REMEMBERED {
            failures.retain(|_, f| f.until > now);
        }
        for (key, free) in keys {
            let entry = failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                until: now,
            });
            entry.count += 1;
            if entry.count >= *free {
                let doublings = (entry.count - free).min(20);
                let wait = Duration::from_secs(1u64 << doublings).min(MAX_WAIT);
                entry.until = now + wait;
            }
        }
    }

    fn succeeded(&self, account_key: &str) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(account_key);
    }
}

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
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(form)) = body else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "send JSON with library, name and password",
        );
    };
    let name = form.name.trim().to_owned();
    let library = match LibraryId::parse("library", form.library.trim()) {
        Ok(library) if !name.is_empty() && form.password.len() <= passwords::MAX_LENGTH * 4 => {
            library
        }
        _ => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "give a library, an account name and a password",
            )
        }
    };
    let account_key = format!("account {library}/{}", name.to_lowercase());
    let keys = [
        (account_key.clone(), FREE_FAILURES_PER_ACCOUNT),
        (address_key(peer.ip()), FREE_FAILURES_PER_ADDRESS),
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
        Some(credentials) if matches => credentials.account,
        _ => {
            state.throttle.failed(&keys, Instant::now());
            tracing::info!(%library, account = %name, address = %peer.ip(), "a sign-in failed");
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
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        SESSION_IDLE.num_seconds()
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
    }
    let expired = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response()
}

fn address_key(ip: IpAddr) -> String {
    format!("address {ip}")
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_beyond_the_free_ones_wait_longer_each_time() {
        let throttle = Throttle::default();
        let keys = [("account A/x".to_owned(), 3)];
        let start = Instant::now();
        throttle.failed(&keys, start);
        throttle.failed(&keys, start);
        assert_eq!(throttle.wait(&keys, start), None);
        throttle.failed(&keys, start);
        assert_eq!(throttle.wait(&keys, start), Some(Duration::from_secs(1)));
        throttle.failed(&keys, start);
        assert_eq!(throttle.wait(&keys, start), Some(Duration::from_secs(2)));
        assert_eq!(throttle.wait(&keys, start + Duration::from_secs(2)), None);
        throttle.succeeded("account A/x");
        assert_eq!(throttle.wait(&keys, start), None);
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; ill_session=ills_abc; x=1"),
        );
        assert_eq!(session_cookie(&headers), Some("ills_abc"));
        headers.insert(header::COOKIE, HeaderValue::from_static("ill_session="));
        assert_eq!(session_cookie(&headers), None);
    }
}
