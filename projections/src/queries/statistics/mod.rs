//! Statistics over a date range, summed from the per-day tables. Definitions
//! are the contract's (`schema.graphql`): every count is of events whose
//! `occurred_at` falls on a network-time-zone date in `[from, to]`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use domain::library::LibraryRecord;
use domain::{LibraryId, UnfilledReason};

use crate::read_models::statistics::{blocks_covering, BUCKET_MICROS, RECEIVE, SHIP};
use store::backend::{on_tx, Tx};
use store::Database;
use store::StoreError;

const MICROS_PER_DAY: f64 = 86_400_000_000.0;

const PER_LIBRARY: &str = "
SELECT library,
       CAST(sum(placed) AS BIGINT) AS placed, CAST(sum(filled) AS BIGINT) AS filled,
       CAST(sum(unfilled) AS BIGINT) AS unfilled, CAST(sum(cancelled) AS BIGINT) AS cancelled,
       CAST(sum(received) AS BIGINT) AS received, CAST(sum(shipped) AS BIGINT) AS shipped,
       CAST(sum(declined) AS BIGINT) AS declined, CAST(sum(timed_out) AS BIGINT) AS timed_out
  FROM stats_library_day
 WHERE day BETWEEN $1 AND $2
 GROUP BY library";
const ONE_LIBRARY: &str = "
SELECT library,
       CAST(sum(placed) AS BIGINT) AS placed, CAST(sum(filled) AS BIGINT) AS filled,
       CAST(sum(unfilled) AS BIGINT) AS unfilled, CAST(sum(cancelled) AS BIGINT) AS cancelled,
       CAST(sum(received) AS BIGINT) AS received, CAST(sum(shipped) AS BIGINT) AS shipped,
       CAST(sum(declined) AS BIGINT) AS declined, CAST(sum(timed_out) AS BIGINT) AS timed_out
  FROM stats_library_day
 WHERE library = $3 AND day BETWEEN $1 AND $2
 GROUP BY library";
/// The network's days (migration 0006): totals and months.
const PER_DAY: &str = "
SELECT day, placed, filled, unfilled, cancelled, shipped
  FROM stats_network_day
 WHERE day BETWEEN $1 AND $2";
const NETWORK_DECLINES: &str = "
SELECT reason, CAST(sum(declined) AS BIGINT) AS declined
  FROM stats_network_declines_day
 WHERE day BETWEEN $1 AND $2
 GROUP BY reason";
const DECLINES: &str = "
SELECT library, reason, CAST(sum(declined) AS BIGINT) AS declined
  FROM stats_declines_day
 WHERE day BETWEEN $1 AND $2
 GROUP BY library, reason";
const ONE_LIBRARY_DECLINES: &str = "
SELECT library, reason, CAST(sum(declined) AS BIGINT) AS declined
  FROM stats_declines_day
 WHERE library = $3 AND day BETWEEN $1 AND $2
 GROUP BY library, reason";
/// One series' durations in value order: `$6` of them from the `$5`th
/// (0-based), of `library`'s `kind` on the period's days.
const SERIES_RANKS: &str = "
SELECT micros FROM stats_durations
 WHERE library = $1 AND kind = $2 AND day BETWEEN $3 AND $4
 ORDER BY micros LIMIT $6 OFFSET $5";
/// The network's 'receive' durations in a range of buckets, from the
/// `$5`th (0-based) on, at most `$6`.
const RECEIVE_BETWEEN: &str = "
SELECT micros FROM stats_durations
 WHERE kind = 'receive' AND micros >= $1 AND micros < $2 AND day BETWEEN $3 AND $4
 ORDER BY micros LIMIT $6 OFFSET $5";
/// The directory inside the statistics' snapshot (one library, or all when
/// `$1` is empty): on the transaction's own connection, so concurrent
/// statistics calls never wait on the pool for a second one.
const DIRECTORY: &str = "
SELECT id, name, lends, suspended FROM library_directory WHERE $1 = '' OR id = $1";
/// One snapshot for all the statistics' reads (PostgreSQL; SQLite's read
/// transaction is one already).
const SNAPSHOT: &str = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Borrowing over every request of the network.
    pub network: BorrowingStats,
    /// Every decline in the network, by reason (reasons with none left out).
    pub declined_by_reason: Vec<(UnfilledReason, i64)>,
    /// One row per library with a counted event in the period (only the
    /// asked-for one when a library is given), ordered by id.
    pub libraries: Vec<LibraryStats>,
    /// Every month of the period, empty ones included.
    pub monthly: Vec<MonthStats>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BorrowingStats {
    pub placed: i64,
    pub filled: i64,
    pub unfilled: i64,
    pub cancelled: i64,
    pub fill_rate: Option<f64>,
    pub median_days_to_receive: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LendingStats {
    pub received: i64,
    pub shipped: i64,
    pub declined: i64,
    pub declined_by_reason: Vec<(UnfilledReason, i64)>,
    pub timed_out: i64,
    pub fill_rate: Option<f64>,
    pub median_days_to_ship: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LibraryStats {
    /// From the directory; a library it lacks shows its id as its name.
    pub library: LibraryRecord,
    pub borrowing: BorrowingStats,
    pub lending: LendingStats,
    pub lend_borrow_ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthStats {
    /// `YYYY-MM`.
    pub month: String,
    pub placed: i64,
    pub filled: i64,
    pub unfilled: i64,
    pub shipped: i64,
}

#[derive(sqlx::FromRow)]
struct LibraryRow {
    library: String,
    placed: i64,
    filled: i64,
    unfilled: i64,
    cancelled: i64,
    received: i64,
    shipped: i64,
    declined: i64,
    timed_out: i64,
}

#[derive(sqlx::FromRow)]
struct DayRow {
    day: NaiveDate,
    placed: i64,
    filled: i64,
    unfilled: i64,
    cancelled: i64,
    shipped: i64,
}

#[derive(sqlx::FromRow)]
struct NetworkDeclineRow {
    reason: String,
    declined: i64,
}

#[derive(sqlx::FromRow)]
struct DirectoryRow {
    id: String,
    name: String,
    lends: bool,
    suspended: bool,
}

#[derive(sqlx::FromRow)]
struct DeclineRow {
    library: String,
    reason: String,
    declined: i64,
}

/// The statistics of `from..=to`, for every library or only `library`.
/// Every read sees one snapshot. With `library`, nothing is read per other
/// library: the network's figures come from the per-day network tables and
/// its median from the duration blocks (`network_receive_median`). Medians
/// read only each series' middle durations.
pub async fn statistics(
    db: &Database,
    from: NaiveDate,
    to: NaiveDate,
    library: Option<&LibraryId>,
) -> Result<Statistics, StoreError> {
    let mut tx = match db {
        Database::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query(SNAPSHOT).execute(&mut *tx).await?;
            Tx::Postgres(tx)
        }
        Database::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
    };
    let tx = &mut tx;
    let wanted = library.map(LibraryId::as_str).unwrap_or_default();
    let (per_library_sql, declines_sql) = if library.is_some() {
        (ONE_LIBRARY, ONE_LIBRARY_DECLINES)
    } else {
        (PER_LIBRARY, DECLINES)
    };
    let per_library: Vec<LibraryRow> = on_tx!(&mut *tx, c => sqlx::query_as(per_library_sql)
        .bind(from)
        .bind(to)
        .bind(wanted)
        .fetch_all(&mut **c)
        .await)?;
    let per_day: Vec<DayRow> = on_tx!(&mut *tx, c => sqlx::query_as(PER_DAY)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?;
    let network_declines_rows: Vec<NetworkDeclineRow> = on_tx!(&mut *tx, c => sqlx::query_as(NETWORK_DECLINES)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?;
    let declines: Vec<DeclineRow> = on_tx!(&mut *tx, c => sqlx::query_as(declines_sql)
        .bind(from)
        .bind(to)
        .bind(wanted)
        .fetch_all(&mut **c)
        .await)?;
    let receive_median = network_receive_median(tx, from, to).await?;
    let directory_rows: Vec<DirectoryRow> = on_tx!(&mut *tx, c => sqlx::query_as(DIRECTORY)
        .bind(wanted)
        .fetch_all(&mut **c)
        .await)?;
    let directory: HashMap<LibraryId, LibraryRecord> = directory_rows
        .into_iter()
        .map(|r| {
            let id = LibraryId::from(r.id);
            let record = LibraryRecord {
                id: id.clone(),
                name: r.name,
                lends: r.lends,
                suspended: r.suspended,
            };
            (id, record)
        })
        .collect();

    let mut network_declines: BTreeMap<UnfilledReason, i64> = BTreeMap::new();
    for row in network_declines_rows {
        let reason = UnfilledReason::parse(&row.reason)
            .ok_or_else(|| StoreError::Malformed(format!("decline reason {}", row.reason)))?;
        *network_declines.entry(reason).or_default() += row.declined;
    }
    let mut library_declines: HashMap<String, BTreeMap<UnfilledReason, i64>> = HashMap::new();
    for row in declines {
        let reason = UnfilledReason::parse(&row.reason)
            .ok_or_else(|| StoreError::Malformed(format!("decline reason {}", row.reason)))?;
        *library_declines
            .entry(row.library)
            .or_default()
            .entry(reason)
            .or_default() += row.declined;
    }

    let mut network = BorrowingStats::default();
    for row in &per_day {
        network.placed += row.placed;
        network.filled += row.filled;
        network.unfilled += row.unfilled;
        network.cancelled += row.cancelled;
    }
    network.fill_rate = rate(network.filled, network.filled + network.unfilled);
    network.median_days_to_receive = receive_median;
    let mut library_stats = Vec::new();
    for row in per_library {
        let id = LibraryId::from(row.library.as_str());
        if library.is_some_and(|wanted| wanted != &id) {
            continue;
        }
        let borrowing = BorrowingStats {
            placed: row.placed,
            filled: row.filled,
            unfilled: row.unfilled,
            cancelled: row.cancelled,
            fill_rate: rate(row.filled, row.filled + row.unfilled),
            // Each filled request has one 'receive' duration.
            median_days_to_receive: series_median(
                tx,
                &row.library,
                RECEIVE,
                row.filled,
                (from, to),
            )
            .await?,
        };
        let lending = LendingStats {
            received: row.received,
            shipped: row.shipped,
            declined: row.declined,
            declined_by_reason: library_declines
                .remove(&row.library)
                .unwrap_or_default()
                .into_iter()
                .collect(),
            timed_out: row.timed_out,
            fill_rate: rate(row.shipped, row.shipped + row.declined + row.timed_out),
            // Each shipment (after routing, as always) has one 'ship'.
            median_days_to_ship: series_median(tx, &row.library, SHIP, row.shipped, (from, to))
                .await?,
        };
        library_stats.push(LibraryStats {
            library: directory.get(&id).cloned().unwrap_or(LibraryRecord {
                name: id.to_string(),
                id,
                lends: true,
                suspended: false,
            }),
            lend_borrow_ratio: rate(lending.shipped, borrowing.filled),
            borrowing,
            lending,
        });
    }
    library_stats.sort_by(|a, b| a.library.id.cmp(&b.library.id));

    Ok(Statistics {
        from,
        to,
        network,
        declined_by_reason: network_declines.into_iter().collect(),
        libraries: library_stats,
        monthly: monthly(from, to, &per_day),
    })
}

/// Every month from `from`'s to `to`'s, summed from the days in range.
fn monthly(from: NaiveDate, to: NaiveDate, days: &[DayRow]) -> Vec<MonthStats> {
    let mut months = Vec::new();
    let (mut year, mut month) = (from.year(), from.month());
    while from <= to && (year, month) <= (to.year(), to.month()) {
        let mut stats = MonthStats {
            month: format!("{year:04}-{month:02}"),
            placed: 0,
            filled: 0,
            unfilled: 0,
            shipped: 0,
        };
        for day in days
            .iter()
            .filter(|d| (d.day.year(), d.day.month()) == (year, month))
        {
            stats.placed += day.placed;
            stats.filled += day.filled;
            stats.unfilled += day.unfilled;
            stats.shipped += day.shipped;
        }
        months.push(stats);
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    months
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The 0-based ranks of the middle one or two of `n` values.
fn middle_ranks(n: i64) -> [i64; 2] {
    if n % 2 == 1 {
        [n / 2, n / 2]
    } else {
        [n / 2 - 1, n / 2]
    }
}

/// The mean of the middle values read, in days; `None` unless `wanted` were.
fn middle_days(values: &[i64], wanted: i64) -> Option<f64> {
    match values {
        [a] if wanted == 1 => Some(*a as f64 / MICROS_PER_DAY),
        [a, b] if wanted == 2 => Some((*a as f64 + *b as f64) / 2.0 / MICROS_PER_DAY),
        _ => None,
    }
}

/// The exact median of one library's `kind` durations in the period,
/// reading only the middle one or two, in value order from the index. The
/// per-day counts say how many there are (`n`): the fold writes a duration
/// with every fill and with every shipment, which always follows a routing.
async fn series_median(
    tx: &mut Tx<'_>,
    library: &str,
    kind: &str,
    n: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Option<f64>, StoreError> {
    if n <= 0 {
        return Ok(None);
    }
    let ranks = middle_ranks(n);
    let wanted = ranks[1] - ranks[0] + 1;
    let values: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(SERIES_RANKS)
        .bind(library)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(ranks[0])
        .bind(wanted)
        .fetch_all(&mut **c)
        .await)?;
    middle_days(&values, wanted).map(Some).ok_or_else(|| {
        StoreError::Malformed(format!(
            "{library}'s {kind} durations and day counts out of step"
        ))
    })
}

/// The exact median of the network's 'receive' durations counted on days
/// `from..=to`, without reading them all: the bucket counts of the few
/// day blocks that cover the range give the buckets of the middle ranks;
/// only those buckets' durations are read.
async fn network_receive_median(
    tx: &mut Tx<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<f64>, StoreError> {
    let blocks = blocks_covering(from, to);
    if blocks.is_empty() {
        return Ok(None);
    }
    let placeholders: Vec<String> = (1..=blocks.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT bucket, CAST(sum(n) AS BIGINT) FROM stats_receive_blocks
          WHERE block IN ({}) GROUP BY bucket",
        placeholders.join(", ")
    );
    let mut counts: Vec<(i64, i64)> = on_tx!(&mut *tx, c => {
        let mut query = sqlx::query_as(&sql);
        for block in &blocks {
            query = query.bind(*block);
        }
        query.fetch_all(&mut **c).await
    })?;
    counts.retain(|(_, n)| *n > 0);
    counts.sort_unstable();
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return Ok(None);
    }
    // The middle ranks, and the buckets holding them.
    let ranks = middle_ranks(total);
    let mut below = 0;
    let (mut first, mut last) = (None, None);
    for (bucket, n) in &counts {
        if first.is_none() && ranks[0] < below + n {
            first = Some((*bucket, below));
        }
        if ranks[1] < below + n {
            last = Some(*bucket);
            break;
        }
        below += n;
    }
    let (Some((first, skipped)), Some(last)) = (first, last) else {
        return Err(StoreError::Malformed("duration blocks out of step".into()));
    };
    // Only the middle ranks' values, counted from the first bucket's start.
    let wanted = ranks[1] - ranks[0] + 1;
    let values: Vec<i64> = on_tx!(&mut *tx, c => sqlx::query_scalar(RECEIVE_BETWEEN)
        .bind(first * BUCKET_MICROS)
        .bind((last + 1) * BUCKET_MICROS)
        .bind(from)
        .bind(to)
        .bind(ranks[0] - skipped)
        .bind(wanted)
        .fetch_all(&mut **c)
        .await)?;
    middle_days(&values, wanted)
        .map(Some)
        .ok_or_else(|| StoreError::Malformed("duration blocks out of step".into()))
}
