//! Projection "statistics": counts per library and network-time-zone day of
//! each event's `occurred_at`, declines by reason, and the exact durations
//! the medians are taken over. Definitions: `contract/schema.graphql`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use domain::{Calendar, LibraryId, RequestEvent, UnfilledReason};
use uuid::Uuid;

use super::{is_new, FastMap, RequestRecord, Target};
use crate::changes::Change;
use store::backend::{micros, Tx};
use store::log::StoredEvent;
use store::StoreError;

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
    add_network_day: &'static str,
    add_network_decline: &'static str,
    add_block: &'static str,
    add_network_days: &'static str,
    add_network_declines: &'static str,
    add_blocks: &'static str,
}

/// A count's update on conflict: it adds the new row's.
macro_rules! add_to {
    ($table:literal, $column:literal) => {
        concat!(
            $column,
            " = ",
            $table,
            ".",
            $column,
            " + excluded.",
            $column
        )
    };
}

/// The day counts' update on conflict: each column adds the new row's.
macro_rules! add_counts {
    ($days:literal) => {
        concat!(
            add_to!($days, "placed"),
            ", ",
            add_to!($days, "filled"),
            ", ",
            add_to!($days, "unfilled"),
            ", ",
            add_to!($days, "cancelled"),
            ", ",
            add_to!($days, "received"),
            ", ",
            add_to!($days, "shipped"),
            ", ",
            add_to!($days, "declined"),
            ", ",
            add_to!($days, "timed_out")
        )
    };
}

macro_rules! sql {
    ($requests:literal, $days:literal, $declines:literal, $durations:literal,
     $network_days:literal, $network_declines:literal, $blocks:literal) => {
        Sql {
            add_network_day: concat!(
                "INSERT INTO ",
                $network_days,
                " (day, placed, filled, unfilled, cancelled, received, shipped, declined,
                   timed_out)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (day) DO UPDATE SET ",
                add_counts!($network_days)
            ),
            add_network_decline: concat!(
                "INSERT INTO ",
                $network_declines,
                " (day, reason, declined) VALUES ($1, $2, $3)
                 ON CONFLICT (day, reason) DO UPDATE SET ",
                add_to!($network_declines, "declined")
            ),
            add_block: concat!(
                "INSERT INTO ",
                $blocks,
                " (block, bucket, n) VALUES ($1, $2, $3)
                 ON CONFLICT (block, bucket) DO UPDATE SET ",
                add_to!($blocks, "n")
            ),
            add_network_days: concat!(
                "INSERT INTO ",
                $network_days,
                " (day, placed, filled, unfilled, cancelled, received, shipped, declined,
                   timed_out)
                 SELECT * FROM UNNEST($1::date[], $2::bigint[], $3::bigint[], $4::bigint[],
                                      $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
                                      $9::bigint[])
                 ON CONFLICT (day) DO UPDATE SET ",
                add_counts!($network_days)
            ),
            add_network_declines: concat!(
                "INSERT INTO ",
                $network_declines,
                " (day, reason, declined)
                 SELECT * FROM UNNEST($1::date[], $2::text[], $3::bigint[])
                 ON CONFLICT (day, reason) DO UPDATE SET ",
                add_to!($network_declines, "declined")
            ),
            add_blocks: concat!(
                "INSERT INTO ",
                $blocks,
                " (block, bucket, n)
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[])
                 ON CONFLICT (block, bucket) DO UPDATE SET ",
                add_to!($blocks, "n")
            ),
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
                 ON CONFLICT (library, day) DO UPDATE SET ",
                add_counts!($days)
            ),
            add_decline: concat!(
                "INSERT INTO ",
                $declines,
                " (library, day, reason, declined) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (library, day, reason) DO UPDATE SET ",
                add_to!($declines, "declined")
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
                 ON CONFLICT (library, day) DO UPDATE SET ",
                add_counts!($days)
            ),
            add_declines: concat!(
                "INSERT INTO ",
                $declines,
                " (library, day, reason, declined)
                 SELECT * FROM UNNEST($1::text[], $2::date[], $3::text[], $4::bigint[])
                 ON CONFLICT (library, day, reason) DO UPDATE SET ",
                add_to!($declines, "declined")
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
    "stats_durations",
    "stats_network_day",
    "stats_network_declines_day",
    "stats_receive_blocks"
);
const SCRATCH: Sql = sql!(
    "stats_requests_rebuild",
    "stats_library_day_rebuild",
    "stats_declines_day_rebuild",
    "stats_durations_rebuild",
    "stats_network_day_rebuild",
    "stats_network_declines_day_rebuild",
    "stats_receive_blocks_rebuild"
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
pub(crate) struct Tracked {
    pub version: i64,
    pub borrower: LibraryId,
    pub placed_at_us: i64,
    pub routed_at_us: Option<i64>,
    pub changed: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub placed: i64,
    pub filled: i64,
    pub unfilled: i64,
    pub cancelled: i64,
    pub received: i64,
    pub shipped: i64,
    pub declined: i64,
    pub timed_out: i64,
}

pub(crate) struct Duration {
    pub request_id: Uuid,
    pub sequence: i64,
    pub kind: &'static str,
    pub library: LibraryId,
    pub day: NaiveDate,
    pub micros: i64,
}

/// What events add to the statistics tables: counts to add per library and
/// day, declines per library, day and reason, and new durations. The
/// incremental projector writes one per batch; the bulk rebuild sums the
/// whole log's counts in one and drains the durations as it goes.
#[derive(Default)]
pub(crate) struct Batch {
    pub counts: FastMap<(LibraryId, NaiveDate), Counts>,
    pub declines: FastMap<(LibraryId, NaiveDate, UnfilledReason), i64>,
    pub durations: Vec<Duration>,
    /// 'receive' durations counted per day and bucket; the blocks are
    /// summed from these once per write (`receive_blocks`).
    receive_buckets: FastMap<(NaiveDate, i64), i64>,
}

/// Durations are counted per bucket of this many microseconds (two hours)
/// in `stats_receive_blocks` (migration 0006).
pub(crate) const BUCKET_MICROS: i64 = 7_200_000_000;
/// Blocks of 1, 2, 4, … 512 days.
pub(crate) const LEVELS: u32 = 10;
/// `block` = level × this + the block's first day (days since 1970-01-01).
const LEVEL_KEY: i64 = 1_000_000_000;

/// A duration's bucket: `micros` floor-divided by [`BUCKET_MICROS`].
pub(crate) fn bucket(micros: i64) -> i64 {
    micros.div_euclid(BUCKET_MICROS)
}

fn epoch_day(day: NaiveDate) -> i64 {
    (day - NaiveDate::default()).num_days()
}

fn block(level: u32, first: i64) -> i64 {
    i64::from(level) * LEVEL_KEY + first
}

/// The blocks a day counts in, one per level.
pub(crate) fn blocks_of(day: NaiveDate) -> impl Iterator<Item = i64> {
    let d = epoch_day(day);
    (0..LEVELS).map(move |level| block(level, d - d.rem_euclid(1 << level)))
}

/// The fewest blocks that cover `from..=to` exactly (none when empty).
pub(crate) fn blocks_covering(from: NaiveDate, to: NaiveDate) -> Vec<i64> {
    let (mut day, last) = (epoch_day(from), epoch_day(to));
    let mut blocks = Vec::new();
    while day <= last {
        let mut level = LEVELS - 1;
        while level > 0 && (day.rem_euclid(1 << level) != 0 || day + (1 << level) - 1 > last) {
            level -= 1;
        }
        blocks.push(block(level, day));
        day += 1 << level;
    }
    blocks
}

impl Batch {
    /// The counts summed over the libraries, per day.
    pub(crate) fn network_counts(&self) -> BTreeMap<NaiveDate, Counts> {
        let mut network: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
        for ((_, day), n) in &self.counts {
            let sum = network.entry(*day).or_default();
            sum.placed += n.placed;
            sum.filled += n.filled;
            sum.unfilled += n.unfilled;
            sum.cancelled += n.cancelled;
            sum.received += n.received;
            sum.shipped += n.shipped;
            sum.declined += n.declined;
            sum.timed_out += n.timed_out;
        }
        network
    }

    /// The declines summed over the libraries, per day and reason.
    pub(crate) fn network_declines(&self) -> BTreeMap<(NaiveDate, UnfilledReason), i64> {
        let mut network = BTreeMap::new();
        for ((_, day, reason), n) in &self.declines {
            *network.entry((*day, *reason)).or_default() += n;
        }
        network
    }

    /// The 'receive' durations counted so far, per block and bucket.
    pub(crate) fn receive_blocks(&self) -> BTreeMap<(i64, i64), i64> {
        let mut blocks = BTreeMap::new();
        for ((day, bucket), n) in &self.receive_buckets {
            for block in blocks_of(*day) {
                *blocks.entry((block, *bucket)).or_default() += n;
            }
        }
        blocks
    }

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
    for record in &records {
        let entry = tracked.entry(record.id).or_default();
        fold(entry, record, calendar, &mut batch)?;
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

/// Applies one event of a request to what the statistics track of it
/// (`None` before its first event), adding its counts and durations to
/// `batch`. The projection's one implementation, for the incremental
/// projector and the bulk rebuild alike.
pub(crate) fn fold(
    entry: &mut Option<Tracked>,
    record: &RequestRecord,
    calendar: &Calendar,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    let id = record.id;
    let version = entry.as_ref().map_or(0, |t| t.version);
    if !is_new(&format_args!("request {id}"), version, record.sequence)? {
        return Ok(());
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
            return Ok(());
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
            if kind == RECEIVE {
                *batch
                    .receive_buckets
                    .entry((day, bucket(at - since)))
                    .or_default() += 1;
            }
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
    Ok(())
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
    let network = batch.network_counts();
    if !network.is_empty() {
        let column = |f: fn(&Counts) -> i64| network.values().map(f).collect::<Vec<_>>();
        sqlx::query(sql.add_network_days)
            .bind(network.keys().copied().collect::<Vec<_>>())
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
    let declines = batch.network_declines();
    if !declines.is_empty() {
        sqlx::query(sql.add_network_declines)
            .bind(declines.keys().map(|(d, _)| *d).collect::<Vec<_>>())
            .bind(declines.keys().map(|(_, r)| r.as_str()).collect::<Vec<_>>())
            .bind(declines.values().copied().collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    let blocks = batch.receive_blocks();
    if !blocks.is_empty() {
        sqlx::query(sql.add_blocks)
            .bind(blocks.keys().map(|(b, _)| *b).collect::<Vec<_>>())
            .bind(blocks.keys().map(|(_, b)| *b).collect::<Vec<_>>())
            .bind(blocks.values().copied().collect::<Vec<_>>())
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
    for (day, n) in batch.network_counts() {
        sqlx::query(sql.add_network_day)
            .bind(day)
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
    for ((day, reason), n) in batch.network_declines() {
        sqlx::query(sql.add_network_decline)
            .bind(day)
            .bind(reason.as_str())
            .bind(n)
            .execute(&mut *c)
            .await?;
    }
    for ((block, bucket), n) in batch.receive_blocks() {
        sqlx::query(sql.add_block)
            .bind(block)
            .bind(bucket)
            .bind(n)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}
