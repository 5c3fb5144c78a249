//! Projection "statistics": counts per library and network-time-zone day of
//! each event's `occurred_at`, declines by reason, and the exact durations
//! the medians are taken over. Definitions: `contract/schema.graphql`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use domain::{Calendar, LibraryId, RequestEvent, UnfilledReason};
use uuid::Uuid;

use super::{is_new, RequestRecord, Target};
use crate::changes::Change;
use crate::error::StoreError;
use crate::log_reader::StoredEvent;
use crate::sql::{micros, Tx};

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
    /// PostgreSQL: a batch's rows in one statement each.
    load_many: &'static str,
    upsert_requests: &'static str,
    add_days: &'static str,
    add_declines: &'static str,
    add_durations: &'static str,
}

macro_rules! sql {
    ($requests:literal, $days:literal, $declines:literal, $durations:literal) => {
        Sql {
            load: concat!(
                "SELECT request_id, version, borrower, placed_at_us, routed_at_us FROM ",
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
            load_many: concat!(
                "SELECT request_id, version, borrower, placed_at_us, routed_at_us FROM ",
                $requests,
                " WHERE request_id = ANY($1)"
            ),
            upsert_requests: concat!(
                "INSERT INTO ",
                $requests,
                " (request_id, version, borrower, placed_at_us, routed_at_us)
                 SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::bigint[],
                                      $5::bigint[])
                 ON CONFLICT (request_id) DO UPDATE SET
                     version = excluded.version, routed_at_us = excluded.routed_at_us"
            ),
            add_days: concat!(
                "INSERT INTO ",
                $days,
                " (library, day, placed, filled, unfilled, cancelled, received, shipped,
                   declined, timed_out)
                 SELECT * FROM UNNEST($1::text[], $2::date[], $3::bigint[], $4::bigint[],
                                      $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
                                      $9::bigint[], $10::bigint[])
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
            add_declines: concat!(
                "INSERT INTO ",
                $declines,
                " (library, day, reason, declined)
                 SELECT * FROM UNNEST($1::text[], $2::date[], $3::text[], $4::bigint[])
                 ON CONFLICT (library, day, reason) DO UPDATE SET
                     declined = ",
                $declines,
                ".declined + excluded.declined"
            ),
            add_durations: concat!(
                "INSERT INTO ",
                $durations,
                " (request_id, sequence, kind, library, day, micros)
                 SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::text[],
                                      $5::date[], $6::bigint[])
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
    request_id: Uuid,
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
    let mut records = Vec::new();
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
    let mut tracked = load(tx, sql, &touched).await?;
    let mut batch = Batch::default();
    for record in records {
        let id = record.id;
        let entry = tracked.entry(id).or_default();
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

    let requests: Vec<(Uuid, &Tracked)> = touched
        .iter()
        .filter_map(|id| match tracked.get(id) {
            Some(Some(request)) if request.changed => Some((*id, request)),
            _ => None,
        })
        .collect();
    match tx {
        Tx::Postgres(c) => write_postgres(c, sql, &requests, &batch).await?,
        Tx::Sqlite(c) => write_sqlite(c, sql, &requests, &batch).await?,
    }
    Ok(Vec::new())
}

/// The tracked requests of `ids` (PostgreSQL: in one statement); absent ones
/// are left out.
async fn load(
    tx: &mut Tx<'_>,
    sql: &Sql,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Option<Tracked>>, StoreError> {
    let rows: Vec<Row> = match tx {
        Tx::Postgres(c) => {
            sqlx::query_as(sql.load_many)
                .bind(ids)
                .fetch_all(&mut **c)
                .await?
        }
        Tx::Sqlite(c) => {
            let mut rows = Vec::new();
            for id in ids {
                let row: Option<Row> = sqlx::query_as(sql.load)
                    .bind(id)
                    .fetch_optional(&mut **c)
                    .await?;
                rows.extend(row);
            }
            rows
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let tracked = Tracked {
                version: r.version,
                borrower: LibraryId::from(r.borrower),
                placed_at_us: r.placed_at_us,
                routed_at_us: r.routed_at_us,
                changed: false,
            };
            (r.request_id, Some(tracked))
        })
        .collect())
}

async fn write_postgres(
    c: &mut sqlx::PgConnection,
    sql: &Sql,
    requests: &[(Uuid, &Tracked)],
    batch: &Batch,
) -> Result<(), StoreError> {
    if !requests.is_empty() {
        sqlx::query(sql.upsert_requests)
            .bind(requests.iter().map(|(id, _)| *id).collect::<Vec<_>>())
            .bind(requests.iter().map(|(_, r)| r.version).collect::<Vec<_>>())
            .bind(
                requests
                    .iter()
                    .map(|(_, r)| r.borrower.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                requests
                    .iter()
                    .map(|(_, r)| r.placed_at_us)
                    .collect::<Vec<_>>(),
            )
            .bind(
                requests
                    .iter()
                    .map(|(_, r)| r.routed_at_us)
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *c)
            .await?;
    }
    if !batch.counts.is_empty() {
        let counts = &batch.counts;
        let column = |f: fn(&Counts) -> i64| counts.values().map(f).collect::<Vec<_>>();
        sqlx::query(sql.add_days)
            .bind(counts.keys().map(|(l, _)| l.as_str()).collect::<Vec<_>>())
            .bind(counts.keys().map(|(_, d)| *d).collect::<Vec<_>>())
            .bind(column(|n| n.placed))
            .bind(column(|n| n.filled))
            .bind(column(|n| n.unfilled))
            .bind(column(|n| n.cancelled))
            .bind(column(|n| n.received))
            .bind(column(|n| n.shipped))
            .bind(column(|n| n.declined))
            .bind(column(|n| n.timed_out))
            .execute(&mut *c)
            .await?;
    }
    if !batch.declines.is_empty() {
        let declines = &batch.declines;
        sqlx::query(sql.add_declines)
            .bind(
                declines
                    .keys()
                    .map(|(l, _, _)| l.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(declines.keys().map(|(_, d, _)| *d).collect::<Vec<_>>())
            .bind(
                declines
                    .keys()
                    .map(|(_, _, r)| r.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(declines.values().copied().collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    if !batch.durations.is_empty() {
        let durations = &batch.durations;
        sqlx::query(sql.add_durations)
            .bind(durations.iter().map(|d| d.request_id).collect::<Vec<_>>())
            .bind(durations.iter().map(|d| d.sequence).collect::<Vec<_>>())
            .bind(durations.iter().map(|d| d.kind).collect::<Vec<_>>())
            .bind(
                durations
                    .iter()
                    .map(|d| d.library.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(durations.iter().map(|d| d.day).collect::<Vec<_>>())
            .bind(durations.iter().map(|d| d.micros).collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

async fn write_sqlite(
    c: &mut sqlx::SqliteConnection,
    sql: &Sql,
    requests: &[(Uuid, &Tracked)],
    batch: &Batch,
) -> Result<(), StoreError> {
    for (id, request) in requests {
        sqlx::query(sql.upsert_request)
            .bind(*id)
            .bind(request.version)
            .bind(request.borrower.as_str())
            .bind(request.placed_at_us)
            .bind(request.routed_at_us)
            .execute(&mut *c)
            .await?;
    }
    for ((library, day), n) in &batch.counts {
        sqlx::query(sql.add_day)
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
            .execute(&mut *c)
            .await?;
    }
    for ((library, day, reason), n) in &batch.declines {
        sqlx::query(sql.add_decline)
            .bind(library.as_str())
            .bind(*day)
            .bind(reason.as_str())
            .bind(*n)
            .execute(&mut *c)
            .await?;
    }
    for d in &batch.durations {
        sqlx::query(sql.add_duration)
            .bind(d.request_id)
            .bind(d.sequence)
            .bind(d.kind)
            .bind(d.library.as_str())
            .bind(d.day)
            .bind(d.micros)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}
