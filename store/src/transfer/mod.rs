//! The event log as NDJSON: one event per line in global order, with its
//! metadata and both timestamps, without positions or transaction ids. Any
//! store exports; an empty store of either backend imports, keeping every
//! field and the order.

use std::io::{BufRead, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::backend::on_db;
use crate::database::Database;
use crate::error::StoreError;
use crate::log::{self, Position, StoredEvent};

const BATCH: i64 = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedEvent {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    /// Business time, from the metadata (null when it has none).
    pub occurred_at: Option<String>,
    pub recorded_at: String,
}

impl ExportedEvent {
    fn from_stored(event: StoredEvent) -> ExportedEvent {
        let occurred_at = event
            .metadata
            .get("occurred_at")
            .and_then(Value::as_str)
            .map(str::to_owned);
        ExportedEvent {
            aggregate_type: event.aggregate_type,
            aggregate_id: event.aggregate_id,
            sequence: event.sequence,
            event_type: event.event_type,
            event_version: event.event_version,
            payload: event.payload,
            metadata: event.metadata,
            occurred_at,
            recorded_at: timestamp(event.recorded_at),
        }
    }
}

/// Both backends write commit times the same way, so exports compare byte
/// for byte.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[derive(Debug, Error)]
pub enum TransferError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {why}")]
    BadLine { line: usize, why: String },
    #[error("the store is not empty: import fills only an empty store")]
    NotEmpty,
}

/// Streams the whole log to `out`; how many events.
pub async fn export(database: &Database, out: &mut impl Write) -> Result<u64, TransferError> {
    let mut after = Position::START;
    let mut count = 0;
    loop {
        let batch = log::read_after(database, after, BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok(count);
        };
        after = last.position;
        for event in batch {
            let line = serde_json::to_string(&ExportedEvent::from_stored(event))
                .map_err(|e| StoreError::Malformed(e.to_string()))?;
            writeln!(out, "{line}")?;
            count += 1;
        }
    }
}

const INSERT_EVENT: &str = include_str!("sql/insert_event.sql");

const ANY_EVENT: &str = "SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1) AS any_event";

/// Fills an empty store from NDJSON in `input`, in the file's order, in
/// batches; how many events.
pub async fn import(database: &Database, input: impl BufRead) -> Result<u64, TransferError> {
    let existing: i64 = on_db!(database, pool => sqlx::query_scalar(ANY_EVENT)
        .fetch_one(pool)
        .await
        .map_err(StoreError::from)?);
    if existing > 0 {
        return Err(TransferError::NotEmpty);
    }
    let mut batch = Vec::with_capacity(BATCH as usize);
    let mut count = 0;
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let event: ExportedEvent =
            serde_json::from_str(&line).map_err(|e| TransferError::BadLine {
                line: index + 1,
                why: e.to_string(),
            })?;
        let recorded_at = DateTime::parse_from_rfc3339(&event.recorded_at)
            .map_err(|e| TransferError::BadLine {
                line: index + 1,
                why: format!("recorded_at: {e}"),
            })?
            .with_timezone(&Utc);
        batch.push((event, recorded_at));
        if batch.len() == BATCH as usize {
            count += insert(database, &mut batch).await?;
        }
    }
    count += insert(database, &mut batch).await?;
    database.settle_bulk_load().await?;
    Ok(count)
}

async fn insert(
    database: &Database,
    batch: &mut Vec<(ExportedEvent, DateTime<Utc>)>,
) -> Result<u64, StoreError> {
    let count = batch.len() as u64;
    match database {
        Database::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            for (event, recorded_at) in batch.drain(..) {
                sqlx::query(INSERT_EVENT)
                    .bind(event.aggregate_type)
                    .bind(event.aggregate_id)
                    .bind(event.sequence)
                    .bind(event.event_type)
                    .bind(event.event_version)
                    .bind(event.payload)
                    .bind(event.metadata)
                    .bind(recorded_at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Database::Sqlite(pool) => {
            let mut tx = pool.begin().await?;
            for (event, recorded_at) in batch.drain(..) {
                sqlx::query(INSERT_EVENT)
                    .bind(event.aggregate_type)
                    .bind(event.aggregate_id)
                    .bind(event.sequence)
                    .bind(event.event_type)
                    .bind(event.event_version)
                    .bind(event.payload)
                    .bind(event.metadata)
                    .bind(timestamp(recorded_at))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(count)
}
