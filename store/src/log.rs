//! The event log in global order, read in batches after a position.
//!
//! PostgreSQL: positions are handed out when a row is inserted, not when its
//! transaction commits, so a plain `global_position > N` tail skips events
//! that commit late. We read only rows whose transaction is older than every
//! running one (`tx_id < pg_snapshot_xmin(...)`), in `(tx_id,
//! global_position)` order: nothing can commit below that line any more.
//! SQLite has one writer at a time, so positions commit in order.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

use crate::database::Database;
use crate::error::StoreError;

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

const POSTGRES_AFTER: &str = "
SELECT tx_id::text AS tx, global_position, aggregate_type, aggregate_id, sequence,
       event_type, event_version, payload, metadata, recorded_at
  FROM events
 WHERE (tx_id, global_position) > ($1::text::xid8, $2)
   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY tx_id, global_position
 LIMIT $3";

const SQLITE_AFTER: &str = "
SELECT global_position, aggregate_type, aggregate_id, sequence,
       event_type, event_version, payload, metadata, recorded_at
  FROM events
 WHERE global_position > ?1
 ORDER BY global_position
 LIMIT ?2";

const POSTGRES_HEAD: &str = "
SELECT tx_id::text AS tx, global_position FROM events
 ORDER BY tx_id DESC, global_position DESC LIMIT 1";
const SQLITE_HEAD: &str = "
SELECT '0' AS tx, global_position FROM events
 WHERE global_position IS NOT NULL ORDER BY global_position DESC LIMIT 1";
// The first committed event after a position, horizon or not: its age is
// the lag, which also shows a projector held back by a long transaction.
const POSTGRES_FIRST_AFTER: &str = "
SELECT recorded_at FROM events
 WHERE (tx_id, global_position) > ($1::text::xid8, $2)
 ORDER BY tx_id, global_position LIMIT 1";
const SQLITE_FIRST_AFTER: &str = "
SELECT recorded_at FROM events WHERE global_position > $1
 ORDER BY global_position LIMIT 1";

impl Database {
    /// Up to `limit` events after `after`, in global order.
    pub async fn read_after(
        &self,
        after: Position,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        match self {
            Database::Postgres(pool) => {
                let rows = sqlx::query(POSTGRES_AFTER)
                    .bind(after.tx.to_string())
                    .bind(after.global)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(|row| {
                        let tx: String = row.try_get("tx")?;
                        let tx = tx
                            .parse()
                            .map_err(|_| StoreError::Malformed(format!("transaction id {tx}")))?;
                        Ok(StoredEvent {
                            position: Position {
                                tx,
                                global: row.try_get("global_position")?,
                            },
                            aggregate_type: row.try_get("aggregate_type")?,
                            aggregate_id: row.try_get("aggregate_id")?,
                            sequence: row.try_get("sequence")?,
                            event_type: row.try_get("event_type")?,
                            event_version: row.try_get("event_version")?,
                            payload: row.try_get("payload")?,
                            metadata: row.try_get("metadata")?,
                            recorded_at: row.try_get("recorded_at")?,
                        })
                    })
                    .collect()
            }
            Database::Sqlite(pool) => {
                let rows = sqlx::query(SQLITE_AFTER)
                    .bind(after.global)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(|row| {
                        let recorded_at: String = row.try_get("recorded_at")?;
                        Ok(StoredEvent {
                            position: Position {
                                tx: 0,
                                global: row.try_get("global_position")?,
                            },
                            aggregate_type: row.try_get("aggregate_type")?,
                            aggregate_id: row.try_get("aggregate_id")?,
                            sequence: row.try_get("sequence")?,
                            event_type: row.try_get("event_type")?,
                            event_version: row.try_get("event_version")?,
                            payload: row.try_get("payload")?,
                            metadata: row.try_get("metadata")?,
                            recorded_at: DateTime::parse_from_rfc3339(&recorded_at)
                                .map_err(|_| {
                                    StoreError::Malformed(format!("recorded_at {recorded_at}"))
                                })?
                                .with_timezone(&Utc),
                        })
                    })
                    .collect()
            }
        }
    }
    /// The last committed event's position, `None` for an empty log.
    pub async fn head(&self) -> Result<Option<Position>, StoreError> {
        let row: Option<(String, i64)> = match self {
            Database::Postgres(pool) => sqlx::query_as(POSTGRES_HEAD).fetch_optional(pool).await?,
            Database::Sqlite(pool) => sqlx::query_as(SQLITE_HEAD).fetch_optional(pool).await?,
        };
        row.map(|(tx, global)| {
            let tx = tx
                .parse()
                .map_err(|_| StoreError::Malformed(format!("transaction id {tx}")))?;
            Ok(Position { tx, global })
        })
        .transpose()
    }

    /// When the first committed event after `position` was recorded.
    pub async fn first_recorded_after(
        &self,
        position: Position,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self {
            Database::Postgres(pool) => Ok(sqlx::query(POSTGRES_FIRST_AFTER)
                .bind(position.tx.to_string())
                .bind(position.global)
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get("recorded_at"))
                .transpose()?),
            Database::Sqlite(pool) => {
                let recorded: Option<String> = sqlx::query_scalar(SQLITE_FIRST_AFTER)
                    .bind(position.global)
                    .fetch_optional(pool)
                    .await?;
                recorded
                    .map(|text| {
                        DateTime::parse_from_rfc3339(&text)
                            .map(|t| t.with_timezone(&Utc))
                            .map_err(|_| StoreError::Malformed(format!("recorded_at {text}")))
                    })
                    .transpose()
            }
        }
    }
}
