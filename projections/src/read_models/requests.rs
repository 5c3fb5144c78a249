//! Projection "requests": one row per request (the columns queues filter and
//! sort on, beside the serialized `RequestView`). The view comes from
//! `RequestView::fold`, the domain's one fold. A request's history is its
//! event stream, read by primary key from the log (`queries::history`): a
//! copy of it here would double what the projector and a rebuild write.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use domain::{LibraryId, RequestStatus, RequestView};
use sqlx::types::Json;
use uuid::Uuid;

use super::waiting::{self, Changes};
use super::{is_new, RequestRecord, Target};
use crate::changes::QueueSide;
use crate::changes::{Change, QueueChange};
use store::backend::{micros, Tx};
use store::log::StoredEvent;
use store::StoreError;

/// One backend's statements on the view table.
struct Dialect {
    load: String,
    upsert: String,
}

/// The view table's statements, for the live table or its rebuild twin:
/// PostgreSQL's take a batch's rows in one statement, SQLite's one row.
struct Statements {
    postgres: Dialect,
    sqlite: Dialect,
}

impl Statements {
    fn new(target: Target) -> Statements {
        let views = target.table("request_views");
        let expand = |text: &str| text.replace("{views}", &views);
        Statements {
            postgres: Dialect {
                load: expand(include_str!("sql/requests/postgres/load.sql")),
                upsert: expand(include_str!("sql/requests/postgres/upsert.sql")),
            },
            sqlite: Dialect {
                load: expand(include_str!("sql/requests/sqlite/load.sql")),
                upsert: expand(include_str!("sql/requests/sqlite/upsert.sql")),
            },
        }
    }

    fn of(target: Target) -> &'static Statements {
        match target {
            Target::Live => &LIVE,
            Target::Scratch => &SCRATCH,
        }
    }
}

static LIVE: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Live));
static SCRATCH: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Scratch));

#[derive(sqlx::FromRow)]
struct Row {
    view: Json<RequestView>,
    ended_at_us: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct KeyedRow {
    id: Uuid,
    view: Json<RequestView>,
    ended_at_us: Option<i64>,
}

/// Where a request sits in the queues.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    borrower: LibraryId,
    lender: Option<LibraryId>,
    status: RequestStatus,
}

impl Place {
    fn of(view: &RequestView) -> Place {
        Place {
            borrower: view.state.borrower.clone(),
            lender: view.state.lender().cloned(),
            status: view.state.status,
        }
    }

    fn waiting_at(&self) -> Option<&LibraryId> {
        waiting::waiting_at(self.lender.as_ref(), self.status)
    }
}

/// A request's row as this projection keeps it: the view, and when it last
/// reached an ended status. The incremental projector loads it from the
/// table; the bulk rebuild keeps it in memory. Both fold events into it with
/// [`fold`], the projection's one implementation.
#[derive(Debug, Default)]
pub(crate) struct RequestRow {
    pub view: Option<RequestView>,
    pub ended_at_us: Option<i64>,
}

/// Applies one event to `row`; false when the row already holds it.
pub(crate) fn fold(row: &mut RequestRow, record: RequestRecord) -> Result<bool, StoreError> {
    let id = record.id;
    let version = row.view.as_ref().map_or(0, |v| v.version as i64);
    if !is_new(&format_args!("request {id}"), version, record.sequence)? {
        return Ok(false);
    }
    let occurred_at = record.occurred_at();
    let was = row.view.as_ref().map(|v| v.state.status);
    RequestView::fold(&mut row.view, id, record.event, occurred_at);
    let Some(view) = &row.view else {
        return Err(StoreError::Malformed(format!(
            "request {id} does not begin with RequestPlaced"
        )));
    };
    let status = view.state.status;
    if !status.is_ended() {
        row.ended_at_us = None;
    } else if was != Some(status) {
        row.ended_at_us = Some(micros(occurred_at));
    }
    Ok(true)
}

/// The columns of a `request_views` row beside its view.
pub(crate) struct ViewColumns<'a> {
    pub id: Uuid,
    pub version: i64,
    pub borrower: &'a str,
    pub lender: Option<&'a str>,
    pub status: &'static str,
    pub updated_at_us: i64,
    pub ended_at_us: Option<i64>,
    pub respond_by_us: Option<i64>,
    /// `YYYY-MM-DD`: the scheduler's expiry reads it through an index.
    pub needed_by: Option<String>,
}

impl<'a> ViewColumns<'a> {
    pub(crate) fn of(view: &'a RequestView, ended_at_us: Option<i64>) -> ViewColumns<'a> {
        ViewColumns {
            id: view.id,
            version: view.version as i64,
            borrower: view.state.borrower.as_str(),
            lender: view.state.lender().map(LibraryId::as_str),
            status: view.state.status.as_str(),
            updated_at_us: micros(view.updated_at),
            ended_at_us,
            respond_by_us: view.state.respond_by.map(micros),
            needed_by: view.state.needed_by.map(|date| date.to_string()),
        }
    }
}

#[derive(Default)]
struct Loaded {
    row: RequestRow,
    before: Option<Place>,
    changed: bool,
}

impl Loaded {
    fn new(view: Option<RequestView>, ended_at_us: Option<i64>) -> Loaded {
        Loaded {
            before: view.as_ref().map(Place::of),
            row: RequestRow { view, ended_at_us },
            changed: false,
        }
    }
}

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    target: Target,
    events: &[StoredEvent],
) -> Result<Vec<Change>, StoreError> {
    let sql = Statements::of(target);
    let mut records = Vec::new();
    // Rows are written in first-touched order: deterministic, and the same
    // order on every run of the same batch.
    let mut touched = Vec::new();
    let mut seen = HashSet::new();
    for stored in events {
        let Some(record) = RequestRecord::decode(stored)? else {
            continue;
        };
        if seen.insert(record.id) {
            touched.push(record.id);
        }
        records.push(record);
    }
    let mut entries = load(tx, sql, &touched).await?;

    for record in records {
        let entry = entries.entry(record.id).or_default();
        if fold(&mut entry.row, record)? {
            entry.changed = true;
        }
    }

    let mut changes = Vec::new();
    let mut rows = Vec::new();
    let mut waiting_counts = Changes::default();
    for id in &touched {
        let Some(Loaded {
            row:
                RequestRow {
                    view: Some(view),
                    ended_at_us,
                },
            before,
            changed: true,
        }) = entries.get(id)
        else {
            continue;
        };
        let place = Place::of(view);
        waiting_counts.moved(
            before.as_ref().and_then(Place::waiting_at),
            place.waiting_at(),
        );
        if target == Target::Live {
            queue_changes(*id, before.as_ref(), &place, &mut changes);
        }
        rows.push((view, place, *ended_at_us));
    }
    match tx {
        Tx::Postgres(c) => {
            write_postgres(c, &sql.postgres, &rows).await?;
        }
        Tx::Sqlite(c) => {
            for (view, _, ended_at_us) in &rows {
                let columns = ViewColumns::of(view, *ended_at_us);
                sqlx::query(&sql.sqlite.upsert)
                    .bind(columns.id)
                    .bind(columns.version)
                    .bind(columns.borrower)
                    .bind(columns.lender)
                    .bind(columns.status)
                    .bind(columns.updated_at_us)
                    .bind(columns.ended_at_us)
                    .bind(columns.respond_by_us)
                    .bind(columns.needed_by)
                    .bind(Json(view))
                    .execute(&mut **c)
                    .await?;
            }
        }
    }
    waiting::write(tx, target, waiting_counts).await?;
    Ok(changes)
}

/// The stored rows of `ids` (PostgreSQL: in one statement); absent ones are
/// left out.
async fn load(
    tx: &mut Tx<'_>,
    sql: &Statements,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Loaded>, StoreError> {
    let mut loaded = HashMap::with_capacity(ids.len());
    match tx {
        Tx::Postgres(c) => {
            let rows: Vec<KeyedRow> = sqlx::query_as(&sql.postgres.load)
                .bind(ids)
                .fetch_all(&mut **c)
                .await?;
            for row in rows {
                loaded.insert(row.id, Loaded::new(Some(row.view.0), row.ended_at_us));
            }
        }
        Tx::Sqlite(c) => {
            for id in ids {
                let row: Option<Row> = sqlx::query_as(&sql.sqlite.load)
                    .bind(id)
                    .fetch_optional(&mut **c)
                    .await?;
                if let Some(row) = row {
                    loaded.insert(*id, Loaded::new(Some(row.view.0), row.ended_at_us));
                }
            }
        }
    }
    Ok(loaded)
}

/// PostgreSQL: the batch's views in one statement.
async fn write_postgres(
    c: &mut sqlx::PgConnection,
    sql: &Dialect,
    rows: &[(&RequestView, Place, Option<i64>)],
) -> Result<(), StoreError> {
    let json = |value: serde_json::Result<String>| {
        value.map_err(|e| StoreError::Malformed(format!("serializing a read model: {e}")))
    };
    if !rows.is_empty() {
        let n = rows.len();
        let (mut ids, mut versions, mut borrowers, mut lenders, mut statuses) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut updated, mut ended, mut respond_by, mut needed_by, mut views) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (view, _, ended_at_us) in rows {
            let columns = ViewColumns::of(view, *ended_at_us);
            ids.push(columns.id);
            versions.push(columns.version);
            borrowers.push(columns.borrower);
            lenders.push(columns.lender);
            statuses.push(columns.status);
            updated.push(columns.updated_at_us);
            ended.push(columns.ended_at_us);
            respond_by.push(columns.respond_by_us);
            needed_by.push(columns.needed_by);
            views.push(json(serde_json::to_string(view))?);
        }
        sqlx::query(&sql.upsert)
            .bind(ids)
            .bind(versions)
            .bind(borrowers)
            .bind(lenders)
            .bind(statuses)
            .bind(updated)
            .bind(ended)
            .bind(respond_by)
            .bind(needed_by)
            .bind(views)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// What the borrower's queue and the lenders' queues (the current one, and a
/// previous one the request left) should hear.
fn queue_changes(
    request_id: Uuid,
    before: Option<&Place>,
    after: &Place,
    changes: &mut Vec<Change>,
) {
    let in_queue = !after.status.is_ended();
    let change = |library: &LibraryId, side, in_queue| {
        Change::Queue(QueueChange {
            request_id,
            library: library.clone(),
            side,
            status: after.status,
            in_queue,
        })
    };
    changes.push(change(&after.borrower, QueueSide::Borrowing, in_queue));
    if let Some(lender) = &after.lender {
        changes.push(change(lender, QueueSide::Lending, in_queue));
    }
    if let Some(previous) = before.and_then(|b| b.lender.as_ref()) {
        if after.lender.as_ref() != Some(previous) {
            changes.push(change(previous, QueueSide::Lending, false));
        }
    }
}
