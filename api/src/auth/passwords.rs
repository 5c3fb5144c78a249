//! Staff passwords: argon2id (OWASP's parameters, the crate's defaults) at
//! rest as PHC strings, hashed and checked on the blocking pool so a
//! sign-in never stalls the request threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

use domain::validation::Lines;

use crate::error::ApiError;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// Refuses passwords too short to resist guessing, or long enough to make
/// hashing a denial of service.
pub fn check_policy(password: &str) -> Result<(), ApiError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(ApiError::bad_input(format!(
            "password: use at least {MIN_LENGTH} characters"
        )));
    }
    if length > MAX_LENGTH {
        return Err(ApiError::bad_input(format!(
            "password: use at most {MAX_LENGTH} characters"
        )));
    }
    domain::validation::no_control_characters("password", password, Lines::Refused)?;
    Ok(())
}

/// The PHC string to store for a password that passed `check_policy`.
pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(ApiError::internal)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Whether `password` matches the stored hash. Without a stored hash it
/// still spends one hashing's time, so timing does not tell which accounts
/// exist or have a password.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let argon2 = Argon2::default();
        match stored.as_deref().map(PasswordHash::new) {
            Some(Ok(hash)) => argon2.verify_password(password.as_bytes(), &hash).is_ok(),
            _ => {
                let salt = SaltString::encode_b64(&[0u8; 16]).expect("a fixed salt encodes");
                let _ = argon2.hash_password(password.as_bytes(), &salt);
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("correct horse battery!".into(), Some(stored)).await);
        assert!(!verify("anything".into(), None).await);
        assert!(!verify("anything".into(), Some("not a hash".into())).await);
    }

    #[test]
    fn the_policy_bounds_the_length() {
        assert!(check_policy("short").is_err());
        assert!(check_policy(&"x".repeat(MAX_LENGTH + 1)).is_err());
        assert!(check_policy("ten chars!").is_ok());
    }
}
