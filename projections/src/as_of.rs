//! A queue as it stood at an instant. The requests projection's own code
//! runs over the events whose `occurred_at` is not after the instant, into a
//! scratch SQLite store on disk (memory stays bounded whatever the log's
//! size), and the queue query reads it there: no second implementation of
//! the queue.

use chrono::{DateTime, Utc};
use domain::{Calendar, LibraryId, RequestView};
use serde_json::Value;

use crate::changes::QueueSide;
use crate::queries::{self, QueryError, QueueQuery};
use crate::read_models::{self, Projection, Target};
use store::backend::Tx;
use store::log::{Position, StoredEvent};
use store::Database;
use store::StoreError;

const BATCH: i64 = 1_000;

/// The not-yet-ended requests of `library`'s `side` queue as of `at`,
/// ordered as the live queue orders them.
pub async fn queue_as_of(
    source: &Database,
    calendar: Calendar,
    at: DateTime<Utc>,
    library: &LibraryId,
    side: QueueSide,
) -> Result<Vec<RequestView>, StoreError> {
    let path = std::env::temp_dir().join(format!(
        "ill-as-of-{}.sqlite",
        uuid::Uuid::new_v4().simple()
    ));
    let scratch = Database::connect(&format!("sqlite://{}", path.display())).await?;
    let result = replay_into(source, &scratch, calendar, at, library, side).await;
    scratch.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result
}

async fn replay_into(
    source: &Database,
    scratch: &Database,
    calendar: Calendar,
    at: DateTime<Utc>,
    library: &LibraryId,
    side: QueueSide,
) -> Result<Vec<RequestView>, StoreError> {
    let Database::Sqlite(pool) = scratch else {
        return Err(StoreError::Malformed(
            "the scratch store is not SQLite".into(),
        ));
    };
    let mut after = Position::START;
    loop {
        let batch = store::log::read_after(source, after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.position;
        let mut upto = Vec::with_capacity(batch.len());
        for event in batch {
            if occurred_at(&event)? <= at {
                upto.push(event);
            }
        }
        let mut tx = Tx::Sqlite(pool.begin().await?);
        read_models::apply(
            Projection::Requests,
            &mut tx,
            Target::Live,
            &calendar,
            &upto,
        )
        .await?;
        tx.commit().await?;
    }
    let mut views = Vec::new();
    let mut cursor = None;
    loop {
        let query = QueueQuery {
            library: library.clone(),
            side,
            statuses: None,
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
