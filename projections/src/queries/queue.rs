//! A library's queue: one page of it after a cursor, and how many requests
//! of each status it holds.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use domain::{LibraryId, RequestStatus};
use sqlx::types::Json;
use uuid::Uuid;

use super::QueryError;
use crate::changes::QueueSide;
use domain::RequestView;
use store::backend::on_db;
use store::Database;
use store::StoreError;

/// A side's queue statements: the two sides differ only by the column that
/// names the library.
struct Statements {
    page: String,
    count: String,
}

impl Statements {
    fn new(side_column: &str) -> Statements {
        let expand = |sql: &str| sql.replace("{side_column}", side_column);
        Statements {
            page: expand(include_str!("sql/queue_page.sql")),
            count: expand(include_str!("sql/queue_count.sql")),
        }
    }

    fn of(side: QueueSide) -> &'static Statements {
        match side {
            QueueSide::Borrowing => &BORROWING,
            QueueSide::Lending => &LENDING,
        }
    }
}

static BORROWING: LazyLock<Statements> = LazyLock::new(|| Statements::new("borrower"));
static LENDING: LazyLock<Statements> = LazyLock::new(|| Statements::new("lender"));

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

/// One page of a library's queue.
pub async fn queue(db: &Database, q: &QueueQuery) -> Result<QueuePage, QueryError> {
    let (updated_at_us, id) = match &q.after {
        Some(cursor) => decode_cursor(cursor).ok_or(QueryError::BadCursor)?,
        None => (i64::MIN, Uuid::nil()),
    };
    let slots = status_slots(q.statuses.as_deref());
    let statements = Statements::of(q.side);
    let first = q.first as usize;
    let rows: Vec<PageRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as(&statements.page).bind(q.library.as_str());
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
    let counts = count(db, &statements.count, &q.library, slots).await?;
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
    count(db, &Statements::of(side).count, library, status_slots(None)).await
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

    #[test]
    fn the_sides_differ_only_by_the_library_column() {
        let borrowing = Statements::of(QueueSide::Borrowing);
        let lending = Statements::of(QueueSide::Lending);
        assert!(borrowing.page.contains("WHERE borrower = $1"));
        assert!(lending.count.contains("WHERE lender = $1"));
        assert_eq!(borrowing.count.replace("borrower", "lender"), lending.count);
    }
}
