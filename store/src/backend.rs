//! Running one statement on either backend. The read models use SQL that both
//! PostgreSQL and SQLite accept (`$n` parameters, `ON CONFLICT`, row values),
//! so a statement is written once and these macros expand its call for each
//! backend's connection type.

use chrono::{DateTime, Utc};

use crate::error::StoreError;

/// A transaction on either backend.
pub enum Tx<'c> {
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
}

impl Tx<'_> {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// `on_tx!(tx, c => expr)`: evaluates `expr` with `c` bound to the
/// `&mut sqlx::Transaction` of whichever backend `tx: &mut Tx` holds.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::backend::Tx::Postgres($c) => $body,
            $crate::backend::Tx::Sqlite($c) => $body,
        }
    };
}

/// `on_db!(db, pool => expr)`: the same for a `&Database`'s pool.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::database::Database::Postgres($p) => $body,
            $crate::database::Database::Sqlite($p) => $body,
        }
    };
}

pub use crate::{on_db, on_tx};

/// Timestamps are stored as integer microseconds on both backends: exact,
/// and ordered the same way everywhere.
pub fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}
