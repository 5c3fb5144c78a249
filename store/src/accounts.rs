//! Staff accounts and the hashes of their API tokens.

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
}

// The same statements serve both backends: `$n` placeholders are valid SQLite.
const UPSERT_ACCOUNT: &str = "
INSERT INTO accounts (library, name, role) VALUES ($1, $2, $3)
ON CONFLICT (library, name) DO UPDATE SET role = excluded.role";

const INSERT_TOKEN: &str = "
INSERT INTO account_tokens (token_hash, library, name) VALUES ($1, $2, $3)";

const ACCOUNT_BY_TOKEN: &str = "
SELECT a.library, a.name, a.role
  FROM account_tokens t JOIN accounts a ON a.library = t.library AND a.name = t.name
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL";

const REVOKE_POSTGRES: &str = "
UPDATE account_tokens SET revoked_at = now()
 WHERE library = $1 AND name = $2 AND revoked_at IS NULL";

const REVOKE_SQLITE: &str = "
UPDATE account_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE library = $1 AND name = $2 AND revoked_at IS NULL";

const LIST: &str = "
SELECT a.library, a.name, a.role,
       (SELECT count(*) FROM account_tokens t
         WHERE t.library = a.library AND t.name = a.name AND t.revoked_at IS NULL) AS tokens
  FROM accounts a
 WHERE $1 IS NULL OR a.library = $1
 ORDER BY a.library, a.name";

const ADMIN_EXISTS: &str = "SELECT count(*) AS admins FROM accounts WHERE role = 'ADMIN'";

/// Creates the account if new (an existing one takes `role`), and adds a
/// token, given as its hash, in one transaction.
pub async fn add_token(
    db: &Database,
    account: &Account,
    token_hash: &str,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(UPSERT_ACCOUNT)
            .bind(account.library.as_str())
            .bind(&account.name)
            .bind(account.role.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(INSERT_TOKEN)
            .bind(token_hash)
            .bind(account.library.as_str())
            .bind(&account.name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    });
    Ok(())
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
    let revoked = match db {
        Database::Postgres(pool) => sqlx::query(REVOKE_POSTGRES)
            .bind(library.as_str())
            .bind(name)
            .execute(pool)
            .await?
            .rows_affected(),
        Database::Sqlite(pool) => sqlx::query(REVOKE_SQLITE)
            .bind(library.as_str())
            .bind(name)
            .execute(pool)
            .await?
            .rows_affected(),
    };
    Ok(revoked)
}

/// The accounts (of `library`, when given) with their live tokens.
pub async fn list(
    db: &Database,
    library: Option<&LibraryId>,
) -> Result<Vec<AccountSummary>, StoreError> {
    let library = library.map(LibraryId::as_str);
    on_db!(db, pool => {
        sqlx::query(LIST)
            .bind(library)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AccountSummary {
                    account: account_of(row)?,
                    tokens: row.try_get("tokens")?,
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
