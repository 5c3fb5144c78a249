//! Passwords and browser sessions of staff accounts. The caller hashes: a
//! password arrives here as its argon2id PHC string, a session as the
//! SHA-256 of its cookie value. Times are Unix seconds of the server's clock.

use chrono::{DateTime, Duration, Utc};
use domain::{LibraryId, Role};
use sqlx::Row;

use crate::accounts::{account_of, notify_credentials, Account};
use crate::backend::on_db;
use crate::database::Database;
use crate::error::StoreError;

/// A session's last use is written at most this often: a page that polls
/// does not write on every request.
const TOUCH_EVERY: Duration = Duration::seconds(60);

const SET_PASSWORD: &str = include_str!("sql/set_password.sql");
const END_SESSIONS_OF: &str = "DELETE FROM sessions WHERE library = $1 AND name = $2";
const CREDENTIALS: &str = include_str!("sql/credentials.sql");
const CREATE: &str = include_str!("sql/create.sql");
const ACCOUNT: &str = include_str!("sql/account.sql");
const TOUCH: &str = "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1";
const END_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
const END_IDLE: &str = "DELETE FROM sessions WHERE last_seen < $1";

/// An account with the stored hash of its password, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub account: Account,
    pub password_hash: Option<String>,
    pub disabled: bool,
}

/// Sets the account's password, creating the account (as `role`, or
/// STAFF) if new; an existing one takes `role` when given. Every session
/// of the account ends.
pub async fn set_password(
    db: &Database,
    library: &LibraryId,
    name: &str,
    role: Option<Role>,
    password_hash: &str,
) -> Result<Account, StoreError> {
    let notify = notify_credentials(db);
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let row = sqlx::query(SET_PASSWORD)
            .bind(library.as_str())
            .bind(name)
            .bind(role.map(Role::as_str))
            .bind(password_hash)
            .fetch_one(&mut *tx)
            .await?;
        let account = account_of(&row)?;
        sqlx::query(END_SESSIONS_OF)
            .bind(library.as_str())
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if let Some(notify) = notify {
            sqlx::query(notify).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(account)
    })
}

pub async fn credentials(
    db: &Database,
    library: &LibraryId,
    name: &str,
) -> Result<Option<Credentials>, StoreError> {
    on_db!(db, pool => {
        sqlx::query(CREDENTIALS)
            .bind(library.as_str())
            .bind(name)
            .fetch_optional(pool)
            .await?
            .map(|row| {
                Ok(Credentials {
                    account: account_of(&row)?,
                    password_hash: row.try_get("password_hash")?,
                    disabled: row.try_get("disabled")?,
                })
            })
            .transpose()
    })
}

/// Starts a session of `account`, used `now`.
pub async fn create(
    db: &Database,
    token_hash: &str,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(CREATE)
            .bind(token_hash)
            .bind(account.library.as_str())
            .bind(&account.name)
            .bind(now.timestamp())
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// How long a session lives: since its last use, and since it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub idle: Duration,
    pub max_age: Duration,
}

/// The account of a session used within `idle` and begun within
/// `max_age`, marking it used now; a session past either is ended.
pub async fn account(
    db: &Database,
    token_hash: &str,
    now: DateTime<Utc>,
    lifetime: Lifetime,
) -> Result<Option<Account>, StoreError> {
    let found = on_db!(db, pool => {
        sqlx::query(ACCOUNT)
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<_, StoreError> {
                Ok((
                    account_of(&row)?,
                    row.try_get::<i64, _>("created_at")?,
                    row.try_get::<i64, _>("last_seen")?,
                ))
            })
            .transpose()?
    });
    let Some((account, created_at, last_seen)) = found else {
        return Ok(None);
    };
    let since = now.timestamp() - last_seen;
    let age = now.timestamp() - created_at;
    if since > lifetime.idle.num_seconds() || age > lifetime.max_age.num_seconds() {
        end(db, token_hash).await?;
        return Ok(None);
    }
    if since >= TOUCH_EVERY.num_seconds() {
        on_db!(db, pool => {
            sqlx::query(TOUCH)
                .bind(token_hash)
                .bind(now.timestamp())
                .execute(pool)
                .await?;
        });
    }
    Ok(Some(account))
}

/// Ends one session (signing out, or past its lifetime).
pub async fn end(db: &Database, token_hash: &str) -> Result<(), StoreError> {
    let notify = notify_credentials(db);
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(END_SESSION).bind(token_hash).execute(&mut *tx).await?;
        if let Some(notify) = notify {
            sqlx::query(notify).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// Deletes sessions idle longer than `idle` (they no longer sign anyone
/// in; this only keeps the table small).
pub async fn end_idle(
    db: &Database,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<u64, StoreError> {
    let cutoff = (now - idle).timestamp();
    let ended = on_db!(db, pool => {
        sqlx::query(END_IDLE).bind(cutoff).execute(pool).await?.rows_affected()
    });
    Ok(ended)
}
