//! The read side: queues, request views and histories, the library
//! directory, and statistics, all from the projected tables.

mod copyright;
mod libraries;
pub mod period;
mod queue;
mod request;
mod scheduling;
mod statistics;

use thiserror::Error;

use store::StoreError;

pub use crate::changes::QueueSide;
pub use copyright::{copyright_report, CopyrightCount};
pub use libraries::libraries;
pub use queue::{queue, queue_counts, QueueOrder, QueuePage, QueueQuery};
pub use request::{history, request};
pub use scheduling::{expiring, unanswered, waiting_at};
pub use statistics::{
    statistics, BorrowingStats, LendingStats, LibraryStats, MonthStats, Statistics,
};

#[derive(Debug, Error)]
pub enum QueryError {
    #[error("malformed cursor")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}
