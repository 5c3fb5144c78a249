//! Projection "requests": one row per request (the columns queues filter and
//! sort on, beside the serialized `RequestView`) and one history row per
//! event. The view comes from `RequestView::fold`, the domain's one fold.

use std::collections::{hash_map, HashMap};

use domain::{LibraryId, RequestStatus};
use sqlx::types::Json;
use uuid::Uuid;

use super::{is_new, RequestRecord, Target};
use crate::changes::{Change, QueueChange};
use crate::error::StoreError;
use crate::log_reader::StoredEvent;
use crate::queries::QueueSide;
use crate::request_view::{HistoryEntry, RequestView};
use crate::sql::{micros, on_tx, Tx};

struct Sql {
    load: &'static str,
    upsert: &'static str,
    history: &'static str,
}

macro_rules! sql {
    ($views:literal, $history:literal) => {
        Sql {
            load: concat!("SELECT view, ended_at_us FROM ", $views, " WHERE id = $1"),
            upsert: concat!(
                "INSERT INTO ",
                $views,
                " (id, version, borrower, lender, status, updated_at_us, ended_at_us,
                    respond_by_us, view)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (id) DO UPDATE SET
                     version = excluded.version, borrower = excluded.borrower,
                     lender = excluded.lender, status = excluded.status,
                     updated_at_us = excluded.updated_at_us,
                     ended_at_us = excluded.ended_at_us,
                     respond_by_us = excluded.respond_by_us, view = excluded.view"
            ),
            history: concat!(
                "INSERT INTO ",
                $history,
                " (request_id, sequence, entry) VALUES ($1, $2, $3)
                 ON CONFLICT (request_id, sequence) DO NOTHING"
            ),
        }
    };
}

const LIVE: Sql = sql!("request_views", "request_history");
const SCRATCH: Sql = sql!("request_views_rebuild", "request_history_rebuild");

#[derive(sqlx::FromRow)]
struct Row {
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
}

struct Loaded {
    view: Option<RequestView>,
    ended_at_us: Option<i64>,
    before: Option<Place>,
    changed: bool,
}

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    target: Target,
    events: &[StoredEvent],
) -> Result<Vec<Change>, StoreError> {
    let sql = match target {
        Target::Live => &LIVE,
        Target::Scratch => &SCRATCH,
    };
    let mut entries: HashMap<Uuid, Loaded> = HashMap::new();
    // Rows are written in first-touched order: deterministic, and the same
    // order on every run of the same batch.
    let mut touched = Vec::new();
    let mut history = Vec::new();
    for stored in events {
        let Some(record) = RequestRecord::decode(stored)? else {
            continue;
        };
        let id = record.id;
        let entry = match entries.entry(id) {
            hash_map::Entry::Occupied(known) => known.into_mut(),
            hash_map::Entry::Vacant(new) => {
                let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sql.load)
                    .bind(id)
                    .fetch_optional(&mut **c)
                    .await)?;
                let (view, ended_at_us) =
                    row.map_or((None, None), |r| (Some(r.view.0), r.ended_at_us));
                touched.push(id);
                new.insert(Loaded {
                    before: view.as_ref().map(Place::of),
                    view,
                    ended_at_us,
                    changed: false,
                })
            }
        };
        let version = entry.view.as_ref().map_or(0, |v| v.version as i64);
        if !is_new(&format_args!("request {id}"), version, record.sequence)? {
            continue;
        }
        let occurred_at = record.occurred_at();
        let was = entry.view.as_ref().map(|v| v.state.status);
        history.push((
            id,
            record.sequence,
            HistoryEntry::new(record.sequence as u64, &record.event, record.metadata),
        ));
        RequestView::fold(&mut entry.view, id, record.event, occurred_at);
        let Some(view) = &entry.view else {
            return Err(StoreError::Malformed(format!(
                "request {id} does not begin with RequestPlaced"
            )));
        };
        let status = view.state.status;
        if !status.is_ended() {
            entry.ended_at_us = None;
        } else if was != Some(status) {
            entry.ended_at_us = Some(micros(occurred_at));
        }
        entry.changed = true;
    }

    let mut changes = Vec::new();
    for id in &touched {
        let Some(Loaded {
            view: Some(view),
            ended_at_us,
            before,
            changed: true,
        }) = entries.get(id)
        else {
            continue;
        };
        let place = Place::of(view);
        on_tx!(tx, c => sqlx::query(sql.upsert)
            .bind(view.id)
            .bind(view.version as i64)
            .bind(place.borrower.as_str())
            .bind(place.lender.as_ref().map(LibraryId::as_str))
            .bind(place.status.as_str())
            .bind(micros(view.updated_at))
            .bind(*ended_at_us)
            .bind(view.state.respond_by.map(micros))
            .bind(Json(view))
            .execute(&mut **c)
            .await
            .map(drop))?;
        if target == Target::Live {
            queue_changes(*id, before.as_ref(), &place, &mut changes);
        }
    }
    for (id, sequence, entry) in &history {
        on_tx!(tx, c => sqlx::query(sql.history)
            .bind(*id)
            .bind(*sequence)
            .bind(Json(entry))
            .execute(&mut **c)
            .await
            .map(drop))?;
    }
    Ok(changes)
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
