//! The read side: queues, request views and histories, the library
//! directory, and statistics, all from the projected tables.

mod statistics;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use domain::library::LibraryRecord;
use domain::{HistoryEntry, IllRequest, LibraryId, RequestStatus, RequestView};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use thiserror::Error;
use uuid::Uuid;

pub use statistics::{
    statistics, BorrowingStats, LendingStats, LibraryStats, MonthStats, Statistics,
};

use crate::database::Database;
use crate::error::StoreError;
use crate::sql::{micros, on_db};
use crate::store::EventStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QueueSide {
    /// Requests the library placed.
    Borrowing,
    /// Requests where the library is the current lender.
    Lending,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub library: LibraryId,
    pub side: QueueSide,
    /// `None`: the requests not yet ended; `Some`: exactly these statuses.
    pub statuses: Option<Vec<RequestStatus>>,
    pub first: u32,
    /// A cursor from an earlier page: the page starts after it.
    pub after: Option<String>,
}

/// Oldest first by `(updated_at, id)`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage {
    pub edges: Vec<(String, RequestView)>,
    pub has_next_page: bool,
    pub total_count: i64,
}

#[derive(Debug, Error)]
pub enum QueryError {
    #[error("malformed cursor")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

// Statuses are bound into thirteen `IN` slots (one per status, unused ones
// NULL, which matches nothing): a fixed statement that uses the
// (library, status, updated_at_us, id) indexes on both backends.
const BORROWING_PAGE: &str = "
SELECT id, updated_at_us, view FROM request_views
 WHERE borrower = $1
   AND status IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
   AND (updated_at_us, id) > ($15, $16)
 ORDER BY updated_at_us, id
 LIMIT $17";
const LENDING_PAGE: &str = "
SELECT id, updated_at_us, view FROM request_views
 WHERE lender = $1
   AND status IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
   AND (updated_at_us, id) > ($15, $16)
 ORDER BY updated_at_us, id
 LIMIT $17";
const BORROWING_COUNT: &str = "
SELECT status, count(*) AS n FROM request_views
 WHERE borrower = $1
   AND status IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
 GROUP BY status";
const LENDING_COUNT: &str = "
SELECT status, count(*) AS n FROM request_views
 WHERE lender = $1
   AND status IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
 GROUP BY status";
const REQUEST: &str = "SELECT view FROM request_views WHERE id = $1";
const LIBRARIES: &str = "SELECT id, name, lends, suspended FROM library_directory";
const UNANSWERED: &str = "
SELECT id FROM request_views
 WHERE respond_by_us <= $1 AND status IN ('REQUESTED', 'CONDITIONAL')
 ORDER BY respond_by_us, id";
const WAITING_AT: &str = "
SELECT id FROM request_views
 WHERE lender = $1 AND status = 'REQUESTED'
 ORDER BY updated_at_us, id";

type StatusSlots = [Option<&'static str>; RequestStatus::ALL.len()];

#[derive(sqlx::FromRow)]
struct PageRow {
    id: Uuid,
    updated_at_us: i64,
    view: Json<RequestView>,
}

#[derive(sqlx::FromRow)]
struct CountRow {
    status: String,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct LibraryRow {
    id: String,
    name: String,
    lends: bool,
    suspended: bool,
}

/// One page of a library's queue.
pub async fn queue(db: &Database, q: &QueueQuery) -> Result<QueuePage, QueryError> {
    let (updated_at_us, id) = match &q.after {
        Some(cursor) => decode_cursor(cursor).ok_or(QueryError::BadCursor)?,
        None => (i64::MIN, Uuid::nil()),
    };
    let slots = status_slots(q.statuses.as_deref());
    let (page_sql, count_sql) = match q.side {
        QueueSide::Borrowing => (BORROWING_PAGE, BORROWING_COUNT),
        QueueSide::Lending => (LENDING_PAGE, LENDING_COUNT),
    };
    let first = q.first as usize;
    let rows: Vec<PageRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as(page_sql).bind(q.library.as_str());
        for slot in slots {
            query = query.bind(slot);
        }
        query
            .bind(updated_at_us)
            .bind(id)
            .bind(i64::from(q.first) + 1)
            .fetch_all(pool)
            .await
    })
    .map_err(StoreError::from)?;
    let counts = count(db, count_sql, &q.library, slots).await?;
    Ok(QueuePage {
        has_next_page: rows.len() > first,
        edges: rows
            .into_iter()
            .take(first)
            .map(|row| (encode_cursor(row.updated_at_us, row.id), row.view.0))
            .collect(),
        total_count: counts.iter().map(|(_, n)| n).sum(),
    })
}

/// How many requests of each status a library's queue (not yet ended) holds;
/// only statuses it holds, in the state machine's order.
pub async fn queue_counts(
    db: &Database,
    library: &LibraryId,
    side: QueueSide,
) -> Result<Vec<(RequestStatus, i64)>, StoreError> {
    let sql = match side {
        QueueSide::Borrowing => BORROWING_COUNT,
        QueueSide::Lending => LENDING_COUNT,
    };
    count(db, sql, library, status_slots(None)).await
}

async fn count(
    db: &Database,
    sql: &'static str,
    library: &LibraryId,
    slots: StatusSlots,
) -> Result<Vec<(RequestStatus, i64)>, StoreError> {
    let rows: Vec<CountRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as(sql).bind(library.as_str());
        for slot in slots {
            query = query.bind(slot);
        }
        query.fetch_all(pool).await
    })?;
    let mut counts = rows
        .into_iter()
        .map(|row| {
            RequestStatus::parse(&row.status)
                .map(|status| (status, row.n))
                .ok_or_else(|| StoreError::Malformed(format!("request status {}", row.status)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    counts.sort();
    Ok(counts)
}

/// The projected view of a request, `None` when the projector has not seen it.
pub async fn request(db: &Database, id: Uuid) -> Result<Option<RequestView>, StoreError> {
    let view: Option<Json<RequestView>> =
        on_db!(db, pool => sqlx::query_scalar(REQUEST).bind(id).fetch_optional(pool).await)?;
    Ok(view.map(|v| v.0))
}

/// A request's events as people read them, in order. The history is the
/// request's stream in the log, read by primary key: no copy is projected.
pub async fn history(db: &Database, id: Uuid) -> Result<Vec<HistoryEntry>, StoreError> {
    EventStore::new(db.clone())
        .history::<IllRequest>(&id.to_string())
        .await?
        .iter()
        .map(HistoryEntry::from_envelope)
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
}

/// Every registered library, ordered by id.
pub async fn libraries(db: &Database) -> Result<Vec<LibraryRecord>, StoreError> {
    let rows: Vec<LibraryRow> =
        on_db!(db, pool => sqlx::query_as(LIBRARIES).fetch_all(pool).await)?;
    let mut libraries: Vec<LibraryRecord> = rows
        .into_iter()
        .map(|row| LibraryRecord {
            id: LibraryId::from(row.id),
            name: row.name,
            lends: row.lends,
            suspended: row.suspended,
        })
        .collect();
    // In Rust: PostgreSQL's text order follows the database's collation.
    libraries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(libraries)
}

/// Requests whose lender (or whose borrower, asked about conditions) has
/// not answered by `now`: the scheduler times them out. As projected, so a
/// request answered meanwhile may be among them (the command then refuses).
pub async fn unanswered(db: &Database, now: DateTime<Utc>) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(UNANSWERED)
        .bind(micros(now))
        .fetch_all(pool)
        .await)?)
}

/// Requests waiting for `library`'s answer (REQUESTED with it as the
/// current lender): moved on when its lending is suspended.
pub async fn waiting_at(db: &Database, library: &LibraryId) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(WAITING_AT)
        .bind(library.as_str())
        .fetch_all(pool)
        .await)?)
}

/// The `IN` slots: the given statuses, or those not yet ended.
fn status_slots(statuses: Option<&[RequestStatus]>) -> StatusSlots {
    let chosen: BTreeSet<RequestStatus> = match statuses {
        Some(statuses) => statuses.iter().copied().collect(),
        None => RequestStatus::ALL
            .into_iter()
            .filter(|s| !s.is_ended())
            .collect(),
    };
    let mut slots = [None; RequestStatus::ALL.len()];
    for (slot, status) in slots.iter_mut().zip(chosen) {
        *slot = Some(status.as_str());
    }
    slots
}

/// A cursor is the row's `(updated_at, id)` as 48 hex digits: the time with
/// its sign bit flipped (so the digits sort like the times), then the id.
fn encode_cursor(updated_at_us: i64, id: Uuid) -> String {
    let time = (updated_at_us as u64 ^ (1 << 63)).to_be_bytes();
    time.iter()
        .chain(id.as_bytes())
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn decode_cursor(cursor: &str) -> Option<(i64, Uuid)> {
    if cursor.len() != 48 || !cursor.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; 24];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&cursor[2 * i..2 * i + 2], 16).ok()?;
    }
    let (time, id) = bytes.split_at(8);
    let time = u64::from_be_bytes(time.try_into().ok()?) ^ (1 << 63);
    Some((time as i64, Uuid::from_slice(id).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        for time in [i64::MIN, -1, 0, 1_772_000_000_000_000, i64::MAX] {
            let id = Uuid::new_v4();
            assert_eq!(decode_cursor(&encode_cursor(time, id)), Some((time, id)));
        }
        assert!(encode_cursor(-5, Uuid::nil()) < encode_cursor(3, Uuid::nil()));
        for bad in ["", "zz", &"g".repeat(48), &"é".repeat(24), &"0".repeat(47)] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
    }
}
