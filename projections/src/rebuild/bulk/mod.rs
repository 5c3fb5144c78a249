//! What a bulk pass does the same on both backends: each request's last
//! event (`Plan`), one log row decoded for the folds that read it
//! (`event.rs`), and the projections' own folds producing finished rows
//! (`fold.rs`). Reading the log and writing the rows are each backend's own
//! (`postgres/`, `sqlite/`).

mod event;
mod fold;

use futures::{Stream, StreamExt};
use uuid::Uuid;

use crate::read_models::FastMap;
use store::log::Position;
use store::StoreError;

pub(super) use event::{decode, Decoded, Event, Wanted};
pub(super) use fold::{Done, Folds};

/// Every stream's last sequence: `(aggregate_type, aggregate_id, last)`.
pub(super) const LAST_SEQUENCES: &str = include_str!("last_sequences.sql");

/// Events between progress reports.
pub(super) const REPORT_EVERY: u64 = 50_000;

/// How a pass knows when a request's rows are complete: each request's last
/// sequence, so its rows are written after that event and memory holds only
/// the requests still open at that point of the log.
pub(super) struct Plan {
    /// Each request's last sequence.
    pub lasts: FastMap<Uuid, i64>,
    /// Events the pass will read (for progress).
    pub total: u64,
    /// Where the pass stops when the last sequences are hints (PostgreSQL's
    /// live views), or `None`: counted from the log, read to its end.
    pub upto: Option<Position>,
}

impl Plan {
    /// Counted from the rows of [`LAST_SEQUENCES`]: the pass reads the log
    /// to its end.
    pub(super) async fn counted<S>(streams: S) -> Result<Plan, StoreError>
    where
        S: Stream<Item = Result<(String, String, i64), sqlx::Error>>,
    {
        let mut total = 0u64;
        let mut lasts = FastMap::default();
        let mut streams = std::pin::pin!(streams);
        while let Some((aggregate_type, id, last)) = streams.next().await.transpose()? {
            total += last.max(0) as u64;
            if aggregate_type == "IllRequest" {
                let id = Uuid::parse_str(&id)
                    .map_err(|_| StoreError::Malformed(format!("request id {id}")))?;
                lasts.insert(id, last);
            }
        }
        Ok(Plan {
            lasts,
            total,
            upto: None,
        })
    }

    pub(super) fn hinted(&self) -> bool {
        self.upto.is_some()
    }
}
