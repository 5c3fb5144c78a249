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

const UPSERT_ACCOUNT: &str = include_str!("sql/upsert_account.sql");
const INSERT_TOKEN: &str = include_str!("sql/insert_token.sql");
const ACCOUNT_BY_TOKEN: &str = include_str!("sql/account_by_token.sql");
const POSTGRES_REVOKE_TOKENS: &str = include_str!("sql/postgres/revoke_tokens.sql");
const SQLITE_REVOKE_TOKENS: &str = include_str!("sql/sqlite/revoke_tokens.sql");
const LIST: &str = include_str!("sql/list.sql");
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
    let sql = match db {
        Database::Postgres(_) => POSTGRES_REVOKE_TOKENS,
        Database::Sqlite(_) => SQLITE_REVOKE_TOKENS,
    };
    let revoked = on_db!(db, pool => sqlx::query(sql)
        .bind(library.as_str())
        .bind(name)
        .execute(pool)
        .await?
        .rows_affected());
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
