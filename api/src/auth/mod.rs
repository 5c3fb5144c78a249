//! API tokens and session cookies: 256 random bits, shown once, stored only
//! as a SHA-256 hash; and who is calling, from either.

pub mod cache;
pub mod passwords;
pub mod throttle;

use axum::http::{header, HeaderMap};
use rand::RngCore;
use sha2::{Digest, Sha256};
use store::accounts::Account;

use cache::CredentialKey;

const TOKEN_PREFIX: &str = "ill_";
/// The name of the session cookie.
pub const COOKIE: &str = "ill_session";
/// A session ends after this long without a request.
pub const SESSION_IDLE: chrono::Duration = chrono::Duration::hours(8);

/// A new API token and the hash to store for it.
pub fn new_token() -> (String, String) {
    new_token_with_prefix(TOKEN_PREFIX)
}

/// A new secret starting with `prefix` (which says what it is when it turns
/// up in a log), and the hash to store for it.
pub fn new_token_with_prefix(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{prefix}{}", hex(&bytes));
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The token of an `Authorization: Bearer …` header or a
/// graphql-transport-ws `connection_init` payload value.
pub fn bearer(value: &str) -> Option<&str> {
    let token = value
        .strip_prefix("Bearer ")
        .or(value.strip_prefix("bearer "))?
        .trim();
    (!token.is_empty()).then_some(token)
}

pub fn bearer_from_headers(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(bearer)
}

/// Who is calling: the account behind a valid credential, and that
/// credential (a socket checks it again for every operation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub account: Account,
    pub credential: CredentialKey,
}

/// What a request presents: a bearer token (machines, scripts) or a
/// browser's session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    Token(&'a str),
    Session(&'a str),
}

impl<'a> Credential<'a> {
    /// The bearer token if there is one, else the session cookie.
    pub fn from_headers(headers: &'a HeaderMap) -> Option<Credential<'a>> {
        bearer_from_headers(headers)
            .map(Credential::Token)
            .or_else(|| session_cookie(headers).map(Credential::Session))
    }

    /// What the store knows it by.
    pub fn key(&self) -> CredentialKey {
        match self {
            Credential::Token(token) => CredentialKey::Token(token_hash(token)),
            Credential::Session(token) => CredentialKey::Session(token_hash(token)),
        }
    }
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

/// A browser sends the session cookie with any request to this host; a page
/// of another site must not be able to use it. SameSite=Strict already keeps
/// it from cross-site requests; this also refuses what a browser would send
/// without a CORS preflight (form posts), and WebSocket upgrades whose
/// Origin is another host.
pub fn same_origin_browser(headers: &HeaderMap, needs_json: bool) -> bool {
    if needs_json {
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        if !json {
            return false;
        }
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match headers.get(header::ORIGIN).map(|v| v.to_str()) {
        None => true,
        Some(Ok(origin)) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            origin_host.is_some() && origin_host == host
        }
        Some(Err(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

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
