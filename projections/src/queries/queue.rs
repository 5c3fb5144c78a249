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
use store::backend::{on_tx, Tx};
use store::Database;
use store::StoreError;

/// A side's queue statements: the two sides differ only by the column that
/// names the library.
struct Statements {
    page: String,
    page_by_respond_by: String,
    count: String,
}

impl Statements {
    fn new(side_column: &str) -> Statements {
        let expand = |sql: &str| sql.replace("{side_column}", side_column);
        Statements {
            page: expand(include_str!("sql/queue_page.sql")),
            page_by_respond_by: expand(include_str!("sql/queue_page_respond_by.sql")),
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
    pub order: QueueOrder,
    pub first: u32,
    /// A cursor from an earlier page: the page starts after it.
    pub after: Option<String>,
}

/// The order of a queue's pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueOrder {
    /// Oldest change first, by `(updated_at, id)`.
    #[default]
    Updated,
    /// What must be answered first: by `respond_by` (requests without one
    /// after), then as `Updated`.
    RespondBy,
}

/// A row's place in its order: the respond-by key (only in `RespondBy`
/// order), then `(updated_at, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SortKey {
    respond_key: Option<i64>,
    updated_at_us: i64,
    id: Uuid,
}

/// In the order the query asked for.
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
    respond_key: Option<i64>,
    view: Json<RequestView>,
}

#[derive(sqlx::FromRow)]
struct CountRow {
    status: String,
    n: i64,
}

/// One page of a library's queue.
pub async fn queue(db: &Database, q: &QueueQuery) -> Result<QueuePage, QueryError> {
    let after = match &q.after {
        Some(cursor) => decode_cursor(cursor, q.order).ok_or(QueryError::BadCursor)?,
        None => SortKey {
            respond_key: (q.order == QueueOrder::RespondBy).then_some(i64::MIN),
            updated_at_us: i64::MIN,
            id: Uuid::nil(),
        },
    };
    let slots = status_slots(q.statuses.as_deref());
    let statements = Statements::of(q.side);
    let sql = match q.order {
        QueueOrder::Updated => &statements.page,
        QueueOrder::RespondBy => &statements.page_by_respond_by,
    };
    let first = q.first as usize;
    // The page and its counts from one snapshot, so that they agree.
    let mut tx = super::snapshot(db).await?;
    let rows: Vec<PageRow> = on_tx!(&mut tx, c => {
        let mut query = sqlx::query_as(sql).bind(q.library.as_str());
        for slot in slots {
            query = query.bind(slot);
        }
        if let Some(respond_key) = after.respond_key {
            query = query.bind(respond_key);
        }
        query
            .bind(after.updated_at_us)
            .bind(after.id)
            .bind(i64::from(q.first) + 1)
            .fetch_all(&mut **c)
            .await
    })
    .map_err(StoreError::from)?;
    let counts = count(&mut tx, &statements.count, &q.library, slots).await?;
    Ok(QueuePage {
        has_next_page: rows.len() > first,
        edges: rows
            .into_iter()
            .take(first)
            .map(|row| {
                let key = SortKey {
                    respond_key: row.respond_key,
                    updated_at_us: row.updated_at_us,
                    id: row.id,
                };
                (encode_cursor(&key), row.view.0)
            })
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
    let mut tx = super::snapshot(db).await?;
    count(
        &mut tx,
        &Statements::of(side).count,
        library,
        status_slots(None),
    )
    .await
}

async fn count(
    tx: &mut Tx<'_>,
    sql: &'static str,
    library: &LibraryId,
    slots: StatusSlots,
) -> Result<Vec<(RequestStatus, i64)>, StoreError> {
    let rows: Vec<CountRow> = on_tx!(tx, c => {
        let mut query = sqlx::query_as(sql).bind(library.as_str());
        for slot in slots {
            query = query.bind(slot);
        }
        query.fetch_all(&mut **c).await
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

/// A cursor is the row's sort key as hex digits, each number with its sign
/// bit flipped (so the digits sort like the numbers): the respond-by key (in
/// `RespondBy` order only), the update time, then the id.
fn encode_cursor(key: &SortKey) -> String {
    key.respond_key
        .into_iter()
        .chain([key.updated_at_us])
        .flat_map(|n| (n as u64 ^ (1 << 63)).to_be_bytes())
        .chain(*key.id.as_bytes())
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A cursor of a page in `order`; one of the other order does not decode.
fn decode_cursor(cursor: &str, order: QueueOrder) -> Option<SortKey> {
    let numbers = match order {
        QueueOrder::Updated => 1,
        QueueOrder::RespondBy => 2,
    };
    if cursor.len() != 2 * (8 * numbers + 16) || !cursor.is_ascii() {
        return None;
    }
    let bytes = (0..cursor.len() / 2)
        .map(|i| u8::from_str_radix(&cursor[2 * i..2 * i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let (numbers, id) = bytes.split_at(8 * numbers);
    let mut numbers = numbers
        .chunks(8)
        .map(|n| Some((u64::from_be_bytes(n.try_into().ok()?) ^ (1 << 63)) as i64));
    let respond_key = match order {
        QueueOrder::Updated => None,
        QueueOrder::RespondBy => Some(numbers.next()??),
    };
    Some(SortKey {
        respond_key,
        updated_at_us: numbers.next()??,
        id: Uuid::from_slice(id).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let key = |respond_key, updated_at_us| SortKey {
            respond_key,
            updated_at_us,
            id: Uuid::nil(),
        };
        for time in [i64::MIN, -1, 0, 1_772_000_000_000_000, i64::MAX] {
            let updated = SortKey {
                id: Uuid::new_v4(),
                ..key(None, time)
            };
            let cursor = encode_cursor(&updated);
            assert_eq!(decode_cursor(&cursor, QueueOrder::Updated), Some(updated));
            assert_eq!(decode_cursor(&cursor, QueueOrder::RespondBy), None);
            let by_respond_by = key(Some(time / -3), time);
            let cursor = encode_cursor(&by_respond_by);
            assert_eq!(
                decode_cursor(&cursor, QueueOrder::RespondBy),
                Some(by_respond_by)
            );
            assert_eq!(decode_cursor(&cursor, QueueOrder::Updated), None);
        }
        assert!(encode_cursor(&key(None, -5)) < encode_cursor(&key(None, 3)));
        assert!(encode_cursor(&key(Some(-1), 9)) < encode_cursor(&key(Some(2), -9)));
        for bad in ["", "zz", &"g".repeat(48), &"é".repeat(24), &"0".repeat(47)] {
            assert_eq!(decode_cursor(bad, QueueOrder::Updated), None, "{bad:?}");
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
