//! A queue as it stood at an instant. The requests projection's own code
//! runs over the events whose `occurred_at` is not after the instant, into a
//! scratch SQLite store on disk (memory stays bounded whatever the log's
//! size), and the queue query reads it there: no second implementation of
//! the queue. The events are the streams of the requests that can have been
//! in the queue (`candidates.rs`), or, when asked, the whole log.

mod candidates;

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use domain::{Calendar, IllRequest, LibraryId};
use serde_json::Value;
use sqlx::SqlitePool;
use uuid::Uuid;

use crate::changes::QueueSide;
use crate::queries::{self, QueryError, QueueOrder, QueueQuery};
use crate::read_models::{self, Projection, Target};
use domain::RequestView;
use store::backend::Tx;
use store::log::{Position, StoredEvent};
use store::{log, Database, StoreError};

/// Events read per batch when the whole log is replayed.
const BATCH: i64 = 1_000;
/// Request streams read and applied together.
const STREAMS: usize = 200;

/// Which events a queue's past is replayed from. Both give the same queue
/// (on PostgreSQL, while no open transaction holds the log's read horizon
/// back: the log is read below it, a stream's events are read whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// The streams of the requests that can have been in the queue, read by
    /// primary key: found through the stored request views and the log
    /// after the requests projection's checkpoint.
    Streams,
    /// Every event of the log in global order: reads the whole log, and
    /// does not rely on the stored request views (a damaged view cannot
    /// hide a request).
    WholeLog,
}

/// The not-yet-ended requests of `library`'s `side` queue as of `at`,
/// ordered as the live queue orders them.
pub async fn queue_as_of(
    source: &Database,
    calendar: Calendar,
    at: DateTime<Utc>,
    library: &LibraryId,
    side: QueueSide,
    replay: Replay,
) -> Result<Vec<RequestView>, StoreError> {
    let path = std::env::temp_dir().join(format!("ill-as-of-{}.sqlite", Uuid::new_v4().simple()));
    let scratch = Database::connect(&format!("sqlite://{}", path.display())).await?;
    let result = replay_into(source, &scratch, calendar, at, library, side, replay).await;
    scratch.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result
}

/// Fills `scratch` with what `replay` names, up to `at`, and reads the
/// queue there.
async fn replay_into(
    source: &Database,
    scratch: &Database,
    calendar: Calendar,
    at: DateTime<Utc>,
    library: &LibraryId,
    side: QueueSide,
    replay: Replay,
) -> Result<Vec<RequestView>, StoreError> {
    let Database::Sqlite(pool) = scratch else {
        return Err(StoreError::Malformed(
            "the scratch store is not SQLite".into(),
        ));
    };
    let into = Scratch { pool, calendar, at };
    match replay {
        Replay::Streams => replay_streams(source, &into, library, side).await?,
        Replay::WholeLog => replay_log(source, &into).await?,
    }
    read_queue(scratch, library, side).await
}

/// The scratch store and what goes into it: the events up to `at`.
struct Scratch<'a> {
    pool: &'a SqlitePool,
    calendar: Calendar,
    at: DateTime<Utc>,
}

impl Scratch<'_> {
    /// Applies those of `events` that occurred by `at`, in one transaction.
    async fn apply(&self, events: Vec<StoredEvent>) -> Result<(), StoreError> {
        let mut upto = Vec::with_capacity(events.len());
        for event in events {
            if occurred_at(&event)? <= self.at {
                upto.push(event);
            }
        }
        let mut tx = Tx::Sqlite(self.pool.begin().await?);
        read_models::apply(
            Projection::Requests,
            &mut tx,
            Target::Live,
            &self.calendar,
            &upto,
        )
        .await?;
        tx.commit().await
    }
}

/// The candidates' streams, a few at a time. Requests are folded each on
/// its own row, so the streams need not interleave as in the log.
async fn replay_streams(
    source: &Database,
    scratch: &Scratch<'_>,
    library: &LibraryId,
    side: QueueSide,
) -> Result<(), StoreError> {
    let ids: Vec<String> = candidates::candidates(source, library, side, scratch.at)
        .await?
        .iter()
        .map(Uuid::to_string)
        .collect();
    for chunk in ids.chunks(STREAMS) {
        scratch
            .apply(log::events_of(source, IllRequest::TYPE, chunk).await?)
            .await?;
    }
    Ok(())
}

/// Every event of the log, in global order.
async fn replay_log(source: &Database, scratch: &Scratch<'_>) -> Result<(), StoreError> {
    let mut after = Position::START;
    loop {
        let batch = store::log::read_after(source, after, BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = last.position;
        scratch.apply(batch).await?;
    }
}

/// The whole queue, page by page, as the live queue query reads it.
async fn read_queue(
    scratch: &Database,
    library: &LibraryId,
    side: QueueSide,
) -> Result<Vec<RequestView>, StoreError> {
    let mut views = Vec::new();
    let mut cursor = None;
    loop {
        let query = QueueQuery {
            library: library.clone(),
            side,
            statuses: None,
            order: QueueOrder::Updated,
            first: 200,
            after: cursor,
        };
        let page = queries::queue(scratch, &query).await.map_err(|e| match e {
            QueryError::Store(e) => e,
            QueryError::BadCursor => {
                StoreError::Malformed("a cursor of our own was refused".into())
            }
        })?;
        cursor = page.edges.last().map(|(c, _)| c.clone());
        views.extend(page.edges.into_iter().map(|(_, view)| view));
        if !page.has_next_page {
            return Ok(views);
        }
    }
}

fn occurred_at(event: &StoredEvent) -> Result<DateTime<Utc>, StoreError> {
    event
        .metadata
        .get("occurred_at")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            StoreError::Malformed(format!(
                "{} {} #{} has no occurred_at",
                event.aggregate_type, event.aggregate_id, event.sequence
            ))
        })
}
