//! Appending events in bulk, bypassing the aggregates: the import of an
//! exported log and the simulator's bulk path. Rows are stored in the order
//! given, so their global positions follow it.

use chrono::{DateTime, Utc};

use super::recorded_at_text;
use crate::database::Database;
use crate::error::StoreError;

const POSTGRES_APPEND_ROWS: &str = include_str!("sql/postgres/append_rows.sql");
const SQLITE_APPEND_ROWS: &str = include_str!("sql/sqlite/append_rows.sql");

/// One event as the `events` table stores it, payload and metadata as JSON
/// text.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    /// The commit time to keep (an import's); `None`: the time of appending.
    pub recorded_at: Option<DateTime<Utc>>,
}

/// Appends `rows` in one transaction, in their order. PostgreSQL takes the
/// batch as one statement over arrays; SQLite a row at a time (its inserts
/// are cheap inside one transaction).
pub async fn append_rows(db: &Database, rows: &[EventRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    match db {
        Database::Postgres(pool) => {
            let text = |f: fn(&EventRow) -> &str| rows.iter().map(f).collect::<Vec<_>>();
            sqlx::query(POSTGRES_APPEND_ROWS)
                .bind(text(|r| &r.aggregate_type))
                .bind(text(|r| &r.aggregate_id))
                .bind(rows.iter().map(|r| r.sequence).collect::<Vec<_>>())
                .bind(text(|r| &r.event_type))
                .bind(text(|r| &r.event_version))
                .bind(text(|r| &r.payload))
                .bind(text(|r| &r.metadata))
                .bind(rows.iter().map(|r| r.recorded_at).collect::<Vec<_>>())
                .execute(pool)
                .await?;
        }
        Database::Sqlite(pool) => {
            let mut tx = pool.begin().await?;
            for r in rows {
                sqlx::query(SQLITE_APPEND_ROWS)
                    .bind(&r.aggregate_type)
                    .bind(&r.aggregate_id)
                    .bind(r.sequence)
                    .bind(&r.event_type)
                    .bind(&r.event_version)
                    .bind(&r.payload)
                    .bind(&r.metadata)
                    .bind(r.recorded_at.map(recorded_at_text))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
