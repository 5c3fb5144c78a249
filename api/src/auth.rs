//! API tokens: 256 random bits, shown once, stored only as a SHA-256 hash.

use axum::http::HeaderMap;
use projections::accounts::Account;
use rand::RngCore;
use sha2::{Digest, Sha256};

const TOKEN_PREFIX: &str = "ill_";

/// A new token and the hash to store for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex(&bytes));
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
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(bearer)
}

/// Who is calling: the account behind a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub account: Account,
}
