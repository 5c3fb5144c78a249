//! Projection "statistics": counts per library and network-time-zone day of
//! each event's `occurred_at`, declines by reason, and the exact durations
//! the medians are taken over. Definitions: `contract/schema.graphql`.

use std::collections::{hash_map, BTreeMap, HashMap};

use chrono::NaiveDate;
use domain::{Calendar, LibraryId, RequestEvent, UnfilledReason};
use uuid::Uuid;

use super::{is_new, RequestRecord, Target};
use crate::changes::Change;
use crate::error::StoreError;
use crate::log_reader::StoredEvent;
use crate::sql::{micros, on_tx, Tx};

/// `stats_durations.kind` of a borrower's placed → received/delivered.
pub(crate) const RECEIVE: &str = "receive";
/// `stats_durations.kind` of a lender's routed → shipped/delivered.
pub(crate) const SHIP: &str = "ship";

struct Sql {
    load: &'static str,
    upsert_request: &'static str,
    add_day: &'static str,
    add_decline: &'static str,
    add_duration: &'static str,
}

macro_rules! sql {
    ($requests:literal, $days:literal, $declines:literal, $durations:literal) => {
        Sql {
            load: concat!(
                "SELECT version, borrower, placed_at_us, routed_at_us FROM ",
                $requests,
                " WHERE request_id = $1"
            ),
            upsert_request: concat!(
                "INSERT INTO ",
                $requests,
                " (request_id, version, borrower, placed_at_us, routed_at_us)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (request_id) DO UPDATE SET
                     version = excluded.version, routed_at_us = excluded.routed_at_us"
            ),
            add_day: concat!(
                "INSERT INTO ",
                $days,
                " (library, day, placed, filled, unfilled, cancelled, received, shipped,
                   declined, timed_out)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (library, day) DO UPDATE SET
                     placed = ",
                $days,
                ".placed + excluded.placed, filled = ",
                $days,
                ".filled + excluded.filled, unfilled = ",
                $days,
                ".unfilled + excluded.unfilled, cancelled = ",
                $days,
                ".cancelled + excluded.cancelled, received = ",
                $days,
                ".received + excluded.received, shipped = ",
                $days,
                ".shipped + excluded.shipped, declined = ",
                $days,
                ".declined + excluded.declined, timed_out = ",
                $days,
                ".timed_out + excluded.timed_out"
            ),
            add_decline: concat!(
                "INSERT INTO ",
                $declines,
                " (library, day, reason, declined) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (library, day, reason) DO UPDATE SET
                     declined = ",
                $declines,
                ".declined + excluded.declined"
            ),
            add_duration: concat!(
                "INSERT INTO ",
                $durations,
                " (request_id, sequence, kind, library, day, micros)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (request_id, sequence, kind) DO NOTHING"
            ),
        }
    };
}

const LIVE: Sql = sql!(
    "stats_requests",
    "stats_library_day",
    "stats_declines_day",
    "stats_durations"
);
const SCRATCH: Sql = sql!(
    "stats_requests_rebuild",
    "stats_library_day_rebuild",
    "stats_declines_day_rebuild",
    "stats_durations_rebuild"
);

#[derive(sqlx::FromRow)]
struct Row {
    version: i64,
    borrower: String,
    placed_at_us: i64,
    routed_at_us: Option<i64>,
}

/// What the statistics remember of a request: whom to credit, and when the
/// clocks of its turnaround started.
struct Tracked {
    version: i64,
    borrower: LibraryId,
    placed_at_us: i64,
    routed_at_us: Option<i64>,
    changed: bool,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    placed: i64,
    filled: i64,
    unfilled: i64,
    cancelled: i64,
    received: i64,
    shipped: i64,
    declined: i64,
    timed_out: i64,
}

struct Duration {
    request_id: Uuid,
    sequence: i64,
    kind: &'static str,
    library: LibraryId,
    day: NaiveDate,
    micros: i64,
}

#[derive(Default)]
struct Batch {
    counts: BTreeMap<(LibraryId, NaiveDate), Counts>,
    declines: BTreeMap<(LibraryId, NaiveDate, UnfilledReason), i64>,
    durations: Vec<Duration>,
}

impl Batch {
    fn count(&mut self, library: &LibraryId, day: NaiveDate) -> &mut Counts {
        self.counts.entry((library.clone(), day)).or_default()
    }
}

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    target: Target,
    calendar: &Calendar,
    events: &[StoredEvent],
) -> Result<Vec<Change>, StoreError> {
    let sql = match target {
        Target::Live => &LIVE,
        Target::Scratch => &SCRATCH,
    };
    let mut tracked: HashMap<Uuid, Option<Tracked>> = HashMap::new();
    let mut touched = Vec::new();
    let mut batch = Batch::default();
    for stored in events {
        let Some(record) = RequestRecord::decode(stored)? else {
            continue;
        };
        let id = record.id;
        let entry = match tracked.entry(id) {
            hash_map::Entry::Occupied(known) => known.into_mut(),
            hash_map::Entry::Vacant(new) => {
                let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sql.load)
                    .bind(id)
                    .fetch_optional(&mut **c)
                    .await)?;
                touched.push(id);
                new.insert(row.map(|r| Tracked {
                    version: r.version,
                    borrower: LibraryId::from(r.borrower),
                    placed_at_us: r.placed_at_us,
                    routed_at_us: r.routed_at_us,
                    changed: false,
                }))
            }
        };
        let version = entry.as_ref().map_or(0, |t| t.version);
        if !is_new(&format_args!("request {id}"), version, record.sequence)? {
            continue;
        }
        let at = micros(record.occurred_at());
        let day = calendar.date_of(record.occurred_at());
        let request = match (entry.as_mut(), &record.event) {
            (None, RequestEvent::RequestPlaced { borrower, .. }) => {
                batch.count(borrower, day).placed += 1;
                *entry = Some(Tracked {
                    version: record.sequence,
                    borrower: borrower.clone(),
                    placed_at_us: at,
                    routed_at_us: None,
                    changed: true,
                });
                continue;
            }
            (None, _) => {
                return Err(StoreError::Malformed(format!(
                    "request {id} does not begin with RequestPlaced"
                )))
            }
            (Some(request), _) => request,
        };
        request.version = record.sequence;
        request.changed = true;
        let mut duration = |kind, library: &LibraryId, since: Option<i64>| {
            if let Some(since) = since {
                batch.durations.push(Duration {
                    request_id: id,
                    sequence: record.sequence,
                    kind,
                    library: library.clone(),
                    day,
                    micros: at - since,
                });
            }
        };
        match &record.event {
            RequestEvent::RequestRouted { lender, .. } => {
                request.routed_at_us = Some(at);
                batch.count(lender, day).received += 1;
            }
            RequestEvent::ItemShipped { lender, .. } => {
                duration(SHIP, lender, request.routed_at_us);
                batch.count(lender, day).shipped += 1;
            }
            RequestEvent::CopyDelivered { lender } => {
                duration(SHIP, lender, request.routed_at_us);
                duration(RECEIVE, &request.borrower, Some(request.placed_at_us));
                batch.count(lender, day).shipped += 1;
                batch.count(&request.borrower, day).filled += 1;
            }
            RequestEvent::ItemReceived {} => {
                duration(RECEIVE, &request.borrower, Some(request.placed_at_us));
                batch.count(&request.borrower, day).filled += 1;
            }
            RequestEvent::RequestUnfilled {} => batch.count(&request.borrower, day).unfilled += 1,
            RequestEvent::RequestCancelled {} => {
                batch.count(&request.borrower, day).cancelled += 1;
            }
            RequestEvent::LenderDeclined { lender, reason, .. } => {
                batch.count(lender, day).declined += 1;
                *batch
                    .declines
                    .entry((lender.clone(), day, *reason))
                    .or_default() += 1;
            }
            RequestEvent::LenderTimedOut { lender } => batch.count(lender, day).timed_out += 1,
            _ => {}
        }
    }

    for id in &touched {
        let Some(Some(request)) = tracked
            .get(id)
            .filter(|t| t.as_ref().is_some_and(|t| t.changed))
        else {
            continue;
        };
        on_tx!(tx, c => sqlx::query(sql.upsert_request)
            .bind(*id)
            .bind(request.version)
            .bind(request.borrower.as_str())
            .bind(request.placed_at_us)
            .bind(request.routed_at_us)
            .execute(&mut **c)
            .await
            .map(drop))?;
    }
    for ((library, day), n) in &batch.counts {
        on_tx!(tx, c => sqlx::query(sql.add_day)
            .bind(library.as_str())
            .bind(*day)
            .bind(n.placed)
            .bind(n.filled)
            .bind(n.unfilled)
            .bind(n.cancelled)
            .bind(n.received)
            .bind(n.shipped)
            .bind(n.declined)
            .bind(n.timed_out)
            .execute(&mut **c)
            .await
            .map(drop))?;
    }
    for ((library, day, reason), n) in &batch.declines {
        on_tx!(tx, c => sqlx::query(sql.add_decline)
            .bind(library.as_str())
            .bind(*day)
            .bind(reason.as_str())
            .bind(*n)
            .execute(&mut **c)
            .await
            .map(drop))?;
    }
    for d in &batch.durations {
        on_tx!(tx, c => sqlx::query(sql.add_duration)
            .bind(d.request_id)
            .bind(d.sequence)
            .bind(d.kind)
            .bind(d.library.as_str())
            .bind(d.day)
            .bind(d.micros)
            .execute(&mut **c)
            .await
            .map(drop))?;
    }
    Ok(Vec::new())
}
