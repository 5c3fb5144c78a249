//! Which requests can have been in a library's queue at an instant, found
//! without reading the whole log: those the stored request views name on
//! that side, less those already ended for good by then, and those named by
//! the events the requests projection has not applied yet.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use domain::{IllRequest, LibraryId, RequestEvent};
use uuid::Uuid;

use crate::changes::QueueSide;
use crate::projector::checkpoint;
use crate::read_models::{payload, Projection};
use store::backend::micros;
use store::{on_db, Database, StoreError};

const BORROWED_BY: &str = "SELECT id, ended_at_us FROM request_views WHERE borrower = $1";
const POSTGRES_ASKED: &str = include_str!("sql/postgres/asked.sql");
const SQLITE_ASKED: &str = include_str!("sql/sqlite/asked.sql");

/// Events read per batch from the log after the projection's checkpoint.
const BATCH: i64 = 1_000;

/// Every request that was in `library`'s `side` queue at `at`, and maybe
/// others.
///
/// Borrowing: the requests it placed. Lending: the requests routed to it at
/// least once, since a request waits at a lender only after a
/// `RequestRouted` that names it, and a view's `asked` keeps every library it
/// was ever routed to. The stored views answer up to the requests
/// projection's checkpoint; the events after it are read from the log (all
/// of it when nothing is projected yet, e.g. after an import).
///
/// Left out: a request whose view reached its ended status before `at` and
/// which has no event after the checkpoint. Every later event kept that
/// status (any other would have moved or cleared `ended_at_us`), so it was
/// ended at `at`, and queues hold no ended request.
pub(super) async fn candidates(
    db: &Database,
    library: &LibraryId,
    side: QueueSide,
    at: DateTime<Utc>,
) -> Result<BTreeSet<Uuid>, StoreError> {
    // The checkpoint before the views: they stand at it or later.
    let mut after = checkpoint(db, Projection::Requests).await?;
    let projected: Vec<(Uuid, Option<i64>)> = match (side, db) {
        (QueueSide::Borrowing, _) => on_db!(db, pool => sqlx::query_as(BORROWED_BY)
            .bind(library.as_str())
            .fetch_all(pool)
            .await)?,
        (QueueSide::Lending, Database::Postgres(pool)) => {
            sqlx::query_as(POSTGRES_ASKED)
                .bind(library.as_str())
                .fetch_all(pool)
                .await?
        }
        (QueueSide::Lending, Database::Sqlite(pool)) => {
            sqlx::query_as(SQLITE_ASKED)
                .bind(library.as_str())
                .fetch_all(pool)
                .await?
        }
    };
    // Strictly before: an event within `at`'s microsecond may still be after it.
    let at_us = micros(at);
    let (ended, open): (Vec<_>, Vec<_>) = projected
        .into_iter()
        .partition(|(_, ended_at_us)| ended_at_us.is_some_and(|e| e < at_us));
    let mut ended: HashSet<Uuid> = ended.into_iter().map(|(id, _)| id).collect();
    let mut ids: BTreeSet<Uuid> = open.into_iter().map(|(id, _)| id).collect();
    loop {
        let batch = store::log::read_after(db, after, BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok(ids);
        };
        after = last.position;
        for stored in &batch {
            if stored.aggregate_type != IllRequest::TYPE {
                continue;
            }
            let id = Uuid::parse_str(&stored.aggregate_id).map_err(|_| {
                StoreError::Malformed(format!("request id {}", stored.aggregate_id))
            })?;
            let names = match (payload::<RequestEvent>(stored)?, side) {
                (RequestEvent::RequestPlaced { borrower, .. }, QueueSide::Borrowing) => {
                    &borrower == library
                }
                (RequestEvent::RequestRouted { lender, .. }, QueueSide::Lending) => {
                    &lender == library
                }
                _ => false,
            };
            // An ended view with later events may have been reopened by them.
            if names || ended.remove(&id) {
                ids.insert(id);
            }
        }
    }
}
