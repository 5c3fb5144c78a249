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

use store::backend::Tx;
use store::{Database, StoreError};

pub use crate::changes::QueueSide;
pub use copyright::{copyright_report, CopyrightCount};
pub use libraries::libraries;
pub use queue::{queue, queue_counts, QueueOrder, QueuePage, QueueQuery};
pub use request::{history, request};
pub use scheduling::{expiring, unanswered, waiting_at, Unanswered};
pub use statistics::{
    lender_load, statistics, statistics_of, BorrowingStats, LenderLoad, LendingStats, LibraryRows,
    LibraryStats, MonthStats, Statistics,
};

#[derive(Debug, Error)]
pub enum QueryError {
    #[error("malformed cursor")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A read-only transaction in which several statements see one state of the
/// read models (PostgreSQL's REPEATABLE READ; a SQLite read transaction
/// already reads one snapshot), so that, say, a page and its counts agree.
pub(crate) async fn snapshot(db: &Database) -> Result<Tx<'static>, StoreError> {
    Ok(match db {
        Database::Postgres(pool) => Tx::Postgres(
            pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?,
        ),
        Database::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
    })
}
