//! One library's import: its whole file replaces its holdings (DESIGN.md,
//! "The union catalogue"). The file is read in a blocking task, one record
//! at a time, and staged in chunks of [`CHUNK_RECORDS`], each its own short
//! transaction (SQLite has one writer: commands keep flowing between
//! chunks); then the clusters it touches are computed again, also over
//! short transactions, and one short transaction switches the library to
//! the new batch with them. A broken file leaves nothing behind.
//! Each phase's time is logged at level debug ("import phase").

mod cluster;
pub mod history;
mod lock;
mod stage;
mod switch;

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde::Serialize;
use store::Database;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::error::CatalogueError;
use crate::formats::{self, BrokenFile, Entry, Format, ItemMapping};
use crate::record::SourceRecord;

pub use cluster::{cluster_id, clusters, Cluster, Member};
pub use lock::STALE_AFTER;
pub(crate) use switch::BUMP_GENERATION;
pub use switch::STAGED_TABLES;

/// Records per staged chunk (and per transaction).
pub const CHUNK_RECORDS: usize = 5_000;
/// Refusals an import keeps (and shows).
pub const KEPT_ERRORS: usize = 100;

/// What to import, for whom, by whom.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The library's id as registered.
    pub library: String,
    /// The account that imports it.
    pub by: String,
    pub format: Format,
    pub items: ItemMapping,
    pub at: DateTime<Utc>,
    /// The library lends and is not suspended (from its own stream).
    pub lending: bool,
}

/// A refused record: its 1-based position in the file, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportError {
    pub record: i64,
    pub reason: String,
}

/// The counts of an import so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub records: i64,
    pub holdings: i64,
    pub rejected: i64,
    pub errors: Vec<ImportError>,
}

/// An import's summary (CLI.md): what the route and the command print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub id: Uuid,
    pub library: String,
    pub format: &'static str,
    pub records: i64,
    pub holdings: i64,
    pub rejected: i64,
    pub errors: Vec<ImportError>,
}

/// Imports `input` as `request.library`'s whole holdings.
/// [`CatalogueError::BrokenFile`] (nothing kept) when its structure is
/// broken, [`CatalogueError::ImportRunning`] while another import of the
/// library runs.
pub async fn import<R: BufRead + Send + 'static>(
    db: &Database,
    request: ImportRequest,
    input: R,
) -> Result<Summary, CatalogueError> {
    let id = Uuid::new_v4();
    let batch = id.to_string();
    lock::take(
        db,
        &lock::Start {
            id: &batch,
            library: &request.library,
            by: &request.by,
            format: request.format.as_str(),
            at: request.at,
        },
    )
    .await?;
    match read_and_switch(db, &batch, &request, input).await {
        Ok(totals) => Ok(Summary {
            id,
            library: request.library,
            format: request.format.as_str(),
            records: totals.records,
            holdings: totals.holdings,
            rejected: totals.rejected,
            errors: totals.errors,
        }),
        Err(error) => {
            if let Err(cleanup) = lock::discard(db, &batch).await {
                tracing::warn!(%cleanup, import = %batch, "dropping a failed import's staging failed");
            }
            Err(error)
        }
    }
}

async fn read_and_switch<R: BufRead + Send + 'static>(
    db: &Database,
    batch: &str,
    request: &ImportRequest,
    input: R,
) -> Result<Totals, CatalogueError> {
    // One chunk in flight while the next is read: memory stays at two chunks.
    let (chunks, mut received) = mpsc::channel::<Vec<Entry>>(1);
    let format = request.format;
    let items = request.items.clone();
    let reader = tokio::task::spawn_blocking(move || -> Result<(), BrokenFile> {
        let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
        for entry in formats::read(format, input, &items)? {
            chunk.push(entry?);
            if chunk.len() == CHUNK_RECORDS {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_RECORDS));
                if chunks.blocking_send(full).is_err() {
                    return Ok(());
                }
            }
        }
        let _ = chunks.blocking_send(chunk);
        Ok(())
    });
    let mut totals = Totals::default();
    let started = std::time::Instant::now();
    let staged = async {
        while let Some(chunk) = received.recv().await {
            let records = totals.absorb(chunk);
            totals.holdings += stage::chunk(db, batch, &request.library, &records).await? as i64;
        }
        Ok::<(), CatalogueError>(())
    }
    .await;
    drop(received);
    let read = reader
        .await
        .map_err(|e| CatalogueError::Read(e.to_string()))?;
    read?;
    staged?;
    tracing::debug!(
        import = batch,
        phase = "read and stage",
        ms = started.elapsed().as_millis() as u64,
        "import phase"
    );
    if switch::switch(db, batch, &request.library, request.lending, &totals).await? {
        Ok(totals)
    } else {
        Err(CatalogueError::TakenOver(batch.to_owned()))
    }
}

impl Totals {
    /// Counts a chunk's entries; the records to stage, with their positions.
    fn absorb(&mut self, chunk: Vec<Entry>) -> Vec<(i64, SourceRecord)> {
        let mut records = Vec::with_capacity(chunk.len());
        for entry in chunk {
            self.records += 1;
            match entry {
                // A record whose every copy was dropped (withdrawn, lost)
                // is held by no one: nothing to stage.
                Entry::Record(record) if record.copies.is_empty() => {}
                Entry::Record(record) => records.push((self.records, record)),
                Entry::Rejected(reason) => {
                    self.rejected += 1;
                    if self.errors.len() < KEPT_ERRORS {
                        self.errors.push(ImportError {
                            record: self.records,
                            reason,
                        });
                    }
                }
            }
        }
        records
    }
}
