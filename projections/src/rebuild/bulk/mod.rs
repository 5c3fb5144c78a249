//! What a bulk pass does the same on both backends: each request's last
//! event (`Plan`), one log row decoded for the folds that read it
//! (`event.rs`), and the projections' own folds producing finished rows
//! (`fold.rs`). Reading the log and writing the rows are each backend's own
//! (`postgres/`, `sqlite/`).

mod event;
mod fold;

use uuid::Uuid;

use crate::read_models::FastMap;
use store::log::Position;

pub(super) use event::{decode, Decoded, Event, Wanted};
pub(super) use fold::{Done, Folds};

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
    pub(super) fn hinted(&self) -> bool {
        self.upto.is_some()
    }
}
