//! The events of chosen streams, in the log's global order: what a question
//! about a few requests reads instead of the whole log (`as-of` of a queue).

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::database::Database;
use crate::error::StoreError;
use crate::log::{Position, StoredEvent};

const POSTGRES_EVENTS_OF: &str = include_str!("sql/postgres/events_of.sql");
const SQLITE_EVENTS_OF: &str = include_str!("sql/sqlite/events_of.sql");

/// Every committed event of the streams `ids` of `aggregate_type`, in global
/// order (so each stream's in sequence order). Unknown ids add nothing.
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
