//! Staff accounts and the hashes of their API tokens. Every change that
//! ends a credential (revoking, disabling, a new password, signing out)
//! sends `NOTIFY ill_credentials` from its own transaction on PostgreSQL,
//! so every node drops what it remembers of credentials at once.

use domain::{LibraryId, Role};
use sqlx::Row;

use crate::backend::on_db;
use crate::database::Database;
use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub library: LibraryId,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub account: Account,
    /// Tokens not revoked.
    pub tokens: i64,
    /// Signs in with nothing until enabled again.
    pub disabled: bool,
}

/// The PostgreSQL channel that says "some credential ended".
pub const CREDENTIALS_CHANNEL: &str = "ill_credentials";
const NOTIFY_CREDENTIALS: &str = "SELECT pg_notify('ill_credentials', '')";

const UPSERT_ACCOUNT: &str = include_str!("sql/upsert_account.sql");
const INSERT_TOKEN: &str = include_str!("sql/insert_token.sql");
const ACCOUNT_BY_TOKEN: &str = include_str!("sql/account_by_token.sql");
const POSTGRES_REVOKE_TOKENS: &str = include_str!("sql/postgres/revoke_tokens.sql");
const SQLITE_REVOKE_TOKENS: &str = include_str!("sql/sqlite/revoke_tokens.sql");
const LIST: &str = include_str!("sql/list.sql");
const SET_DISABLED: &str = include_str!("sql/set_disabled.sql");
const END_SESSIONS_OF: &str = "DELETE FROM sessions WHERE library = $1 AND name = $2";
const ADMIN_EXISTS: &str = "SELECT count(*) AS admins FROM accounts WHERE role = 'ADMIN'";

/// The statement that tells every node a credential ended, on the
/// backends that have more than one node.
pub(crate) fn notify_credentials(db: &Database) -> Option<&'static str> {
    match db {
        Database::Postgres(_) => Some(NOTIFY_CREDENTIALS),
        Database::Sqlite(_) => None,
    }
}

/// Creates the account if new (an existing one takes `role`), and adds a
/// token, given as its hash, in one transaction. False, and nothing
/// changed, when the account is disabled.
pub async fn add_token(
    db: &Database,
    account: &Account,
    token_hash: &str,
) -> Result<bool, StoreError> {
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let disabled: bool = sqlx::query(UPSERT_ACCOUNT)
            .bind(account.library.as_str())
            .bind(&account.name)
            .bind(account.role.as_str())
            .fetch_one(&mut *tx)
            .await?
            .try_get("disabled")?;
        if disabled {
            return Ok(false);
        }
        sqlx::query(INSERT_TOKEN)
            .bind(token_hash)
            .bind(account.library.as_str())
            .bind(&account.name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    });
    Ok(true)
}

pub async fn account_by_token(
    db: &Database,
    token_hash: &str,
) -> Result<Option<Account>, StoreError> {
    let row = on_db!(db, pool => {
        sqlx::query(ACCOUNT_BY_TOKEN)
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
            .map(|row| account_of(&row))
            .transpose()?
    });
    Ok(row)
}

/// Revokes every live token of the account; how many there were.
pub async fn revoke_tokens(
    db: &Database,
    library: &LibraryId,
    name: &str,
) -> Result<u64, StoreError> {
    let sql = match db {
        Database::Postgres(_) => POSTGRES_REVOKE_TOKENS,
        Database::Sqlite(_) => SQLITE_REVOKE_TOKENS,
    };
    let notify = notify_credentials(db);
    let revoked = on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let revoked = sqlx::query(sql)
            .bind(library.as_str())
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if let Some(notify) = notify {
            sqlx::query(notify).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        revoked
    });
    Ok(revoked)
}

/// Disables or enables the account; `None` when there is no such account.
/// Disabling revokes its tokens and ends its sessions in the same
/// transaction; enabling gives none of them back.
pub async fn set_disabled(
    db: &Database,
    library: &LibraryId,
    name: &str,
    disabled: bool,
) -> Result<Option<AccountSummary>, StoreError> {
    let revoke = match db {
        Database::Postgres(_) => POSTGRES_REVOKE_TOKENS,
        Database::Sqlite(_) => SQLITE_REVOKE_TOKENS,
    };
    let notify = notify_credentials(db);
    let found = on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let found = sqlx::query(SET_DISABLED)
            .bind(library.as_str())
            .bind(name)
            .bind(disabled)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if found && disabled {
            for statement in [revoke, END_SESSIONS_OF] {
                sqlx::query(statement)
                    .bind(library.as_str())
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(notify) = notify {
                sqlx::query(notify).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        found
    });
    if !found {
        return Ok(None);
    }
    Ok(summaries(db, Some(library), Some(name)).await?.pop())
}

/// The accounts (of `library`, when given) with their live tokens.
pub async fn list(
    db: &Database,
    library: Option<&LibraryId>,
) -> Result<Vec<AccountSummary>, StoreError> {
    summaries(db, library, None).await
}

async fn summaries(
    db: &Database,
    library: Option<&LibraryId>,
    name: Option<&str>,
) -> Result<Vec<AccountSummary>, StoreError> {
    let library = library.map(LibraryId::as_str);
    on_db!(db, pool => {
        sqlx::query(LIST)
            .bind(library)
            .bind(name)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AccountSummary {
                    account: account_of(row)?,
                    tokens: row.try_get("tokens")?,
                    disabled: row.try_get("disabled")?,
                })
            })
            .collect()
    })
}

pub async fn has_admin(db: &Database) -> Result<bool, StoreError> {
    let admins: i64 = on_db!(db, pool => {
        sqlx::query(ADMIN_EXISTS).fetch_one(pool).await?.try_get("admins")?
    });
    Ok(admins > 0)
}
pub(crate) fn account_of<R: Row>(row: &R) -> Result<Account, StoreError>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let role: String = row.try_get("role")?;
    Ok(Account {
        library: LibraryId::from(row.try_get::<String, _>("library")?),
        name: row.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Malformed(format!("role {role}")))?,
    })
}
