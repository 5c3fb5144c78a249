//! The event log in global order, read in batches after a position.
//!
//! PostgreSQL: positions are handed out when a row is inserted, not when its
//! transaction commits, so a plain `global_position > N` tail skips events
//! that commit late. We read only rows whose transaction is older than every
//! running one (`tx_id < pg_snapshot_xmin(...)`), in `(tx_id,
//! global_position)` order: nothing can commit below that line any more.
//! SQLite has one writer at a time, so positions commit in order.

mod append;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::database::Database;
use crate::error::StoreError;

pub use append::{append_rows, EventRow};

/// A place in the global order: `(tx, global)`. `tx` is PostgreSQL's
/// transaction id (always 0 on SQLite). Positions have gaps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub tx: i64,
    pub global: i64,
}

impl Position {
    pub const START: Position = Position { tx: 0, global: 0 };
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub position: Position,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
}

const POSTGRES_READ_AFTER: &str = include_str!("sql/postgres/read_after.sql");
const SQLITE_READ_AFTER: &str = include_str!("sql/sqlite/read_after.sql");
const POSTGRES_HEAD: &str = include_str!("sql/postgres/head.sql");
const SQLITE_HEAD: &str = include_str!("sql/sqlite/head.sql");
// The first committed event after a position, horizon or not: its age is
// the lag, which also shows a projector held back by a long transaction.
const POSTGRES_FIRST_RECORDED_AFTER: &str = include_str!("sql/postgres/first_recorded_after.sql");
const SQLITE_FIRST_RECORDED_AFTER: &str = include_str!("sql/sqlite/first_recorded_after.sql");
const POSTGRES_EVENTS_OF: &str = include_str!("sql/postgres/events_of.sql");
const SQLITE_EVENTS_OF: &str = include_str!("sql/sqlite/events_of.sql");

/// Up to `limit` events after `after`, in global order.
pub async fn read_after(
    db: &Database,
    after: Position,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    match db {
        Database::Postgres(pool) => sqlx::query(POSTGRES_READ_AFTER)
            .bind(after.tx.to_string())
            .bind(after.global)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(event_of)
            .collect(),
        Database::Sqlite(pool) => sqlx::query(SQLITE_READ_AFTER)
            .bind(after.global)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(event_of)
            .collect(),
    }
}

/// Every committed event of the streams `ids` of `aggregate_type`, in global
/// order (so each stream's in sequence order): what a question about a few
/// requests reads instead of the whole log (`as-of` of a queue). Unknown ids
/// add nothing.
pub async fn events_of(
    db: &Database,
    aggregate_type: &str,
    ids: &[String],
) -> Result<Vec<StoredEvent>, StoreError> {
    match db {
        Database::Postgres(pool) => sqlx::query(POSTGRES_EVENTS_OF)
            .bind(aggregate_type)
            .bind(ids)
            .fetch_all(pool)
            .await?
            .iter()
            .map(event_of)
            .collect(),
        Database::Sqlite(pool) => {
            let ids = serde_json::to_string(ids)
                .map_err(|e| StoreError::Malformed(format!("stream ids: {e}")))?;
            sqlx::query(SQLITE_EVENTS_OF)
                .bind(aggregate_type)
                .bind(ids)
                .fetch_all(pool)
                .await?
                .iter()
                .map(event_of)
                .collect()
        }
    }
}

/// The last committed event's position, `None` for an empty log.
pub async fn head(db: &Database) -> Result<Option<Position>, StoreError> {
    match db {
        Database::Postgres(pool) => sqlx::query(POSTGRES_HEAD)
            .fetch_optional(pool)
            .await?
            .map(|row| position_of(&row))
            .transpose(),
        Database::Sqlite(pool) => sqlx::query(SQLITE_HEAD)
            .fetch_optional(pool)
            .await?
            .map(|row| position_of(&row))
            .transpose(),
    }
}

/// When the first committed event after `position` was recorded.
pub async fn first_recorded_after(
    db: &Database,
    position: Position,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    match db {
        Database::Postgres(pool) => sqlx::query(POSTGRES_FIRST_RECORDED_AFTER)
            .bind(position.tx.to_string())
            .bind(position.global)
            .fetch_optional(pool)
            .await?
            .map(|row| row.recorded_at())
            .transpose(),
        Database::Sqlite(pool) => sqlx::query(SQLITE_FIRST_RECORDED_AFTER)
            .bind(position.global)
            .fetch_optional(pool)
            .await?
            .map(|row| row.recorded_at())
            .transpose(),
    }
}

/// What the backends keep differently in the log's rows: PostgreSQL reads
/// its transaction id as text and its timestamps natively; SQLite has no
/// transaction id and keeps timestamps as RFC 3339 text.
trait LogRow: Row {
    fn tx(&self) -> Result<i64, StoreError>;
    fn recorded_at(&self) -> Result<DateTime<Utc>, StoreError>;
}

impl LogRow for PgRow {
    fn tx(&self) -> Result<i64, StoreError> {
        let tx: String = self.try_get("tx")?;
        tx.parse()
            .map_err(|_| StoreError::Malformed(format!("transaction id {tx}")))
    }

    fn recorded_at(&self) -> Result<DateTime<Utc>, StoreError> {
        Ok(self.try_get("recorded_at")?)
    }
}

impl LogRow for SqliteRow {
    fn tx(&self) -> Result<i64, StoreError> {
        Ok(0)
    }

    fn recorded_at(&self) -> Result<DateTime<Utc>, StoreError> {
        let text: String = self.try_get("recorded_at")?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| StoreError::Malformed(format!("recorded_at {text}")))
    }
}

/// A commit time as SQLite keeps it, and as exports write it on both
/// backends: RFC 3339 in UTC, to the microsecond.
pub fn recorded_at_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn position_of<R: LogRow>(row: &R) -> Result<Position, StoreError>
where
    for<'r> &'r str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(Position {
        tx: row.tx()?,
        global: row.try_get("global_position")?,
    })
}

fn event_of<R: LogRow>(row: &R) -> Result<StoredEvent, StoreError>
where
    for<'r> &'r str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Value: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(StoredEvent {
        position: position_of(row)?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        recorded_at: row.recorded_at()?,
    })
}
