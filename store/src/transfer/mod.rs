//! The event log as NDJSON: one event per line in global order, with its
//! metadata and both timestamps, without positions or transaction ids. Any
//! store exports; an empty store of either backend imports, keeping every
//! field and the order.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::backend::on_db;
use crate::database::Database;
use crate::error::StoreError;
use crate::log::{self, recorded_at_text, EventRow, Position, StoredEvent};

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
            recorded_at: recorded_at_text(event.recorded_at),
        }
    }
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
        batch.push(EventRow {
            aggregate_type: event.aggregate_type,
            aggregate_id: event.aggregate_id,
            sequence: event.sequence,
            event_type: event.event_type,
            event_version: event.event_version,
            payload: event.payload.to_string(),
            metadata: event.metadata.to_string(),
            recorded_at: Some(recorded_at),
        });
        if batch.len() == BATCH as usize {
            count += append(database, &mut batch).await?;
        }
    }
    count += append(database, &mut batch).await?;
    database.settle_bulk_load().await?;
    Ok(count)
}

async fn append(database: &Database, batch: &mut Vec<EventRow>) -> Result<u64, StoreError> {
    log::append_rows(database, batch).await?;
    let count = batch.len() as u64;
    batch.clear();
    Ok(count)
}
