//! Statistics over a date range, summed from the per-day tables. Definitions
//! are the contract's (`schema.graphql`): every count is of events whose
//! `occurred_at` falls on a network-time-zone date in `[from, to]`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use domain::library::LibraryRecord;
use domain::{LibraryId, UnfilledReason};

use super::libraries;
use crate::database::Database;
use crate::error::StoreError;
use crate::read_models::statistics::{RECEIVE, SHIP};
use crate::sql::on_db;

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
const PER_DAY: &str = "
SELECT day,
       CAST(sum(placed) AS BIGINT) AS placed, CAST(sum(filled) AS BIGINT) AS filled,
       CAST(sum(unfilled) AS BIGINT) AS unfilled, CAST(sum(shipped) AS BIGINT) AS shipped
  FROM stats_library_day
 WHERE day BETWEEN $1 AND $2
 GROUP BY day";
const DECLINES: &str = "
SELECT library, reason, CAST(sum(declined) AS BIGINT) AS declined
  FROM stats_declines_day
 WHERE day BETWEEN $1 AND $2
 GROUP BY library, reason";
const DURATIONS: &str = "
SELECT kind, library, micros FROM stats_durations WHERE day BETWEEN $1 AND $2";

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
    shipped: i64,
}

#[derive(sqlx::FromRow)]
struct DeclineRow {
    library: String,
    reason: String,
    declined: i64,
}

#[derive(sqlx::FromRow)]
struct DurationRow {
    kind: String,
    library: String,
    micros: i64,
}

pub async fn statistics(
    db: &Database,
    from: NaiveDate,
    to: NaiveDate,
    library: Option<&LibraryId>,
) -> Result<Statistics, StoreError> {
    let per_library: Vec<LibraryRow> = on_db!(db, pool => sqlx::query_as(PER_LIBRARY)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let per_day: Vec<DayRow> = on_db!(db, pool => sqlx::query_as(PER_DAY)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let declines: Vec<DeclineRow> = on_db!(db, pool => sqlx::query_as(DECLINES)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let durations: Vec<DurationRow> = on_db!(db, pool => sqlx::query_as(DURATIONS)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;

    let mut network_declines: BTreeMap<UnfilledReason, i64> = BTreeMap::new();
    let mut library_declines: HashMap<String, BTreeMap<UnfilledReason, i64>> = HashMap::new();
    for row in declines {
        let reason = UnfilledReason::parse(&row.reason)
            .ok_or_else(|| StoreError::Malformed(format!("decline reason {}", row.reason)))?;
        *network_declines.entry(reason).or_default() += row.declined;
        *library_declines
            .entry(row.library)
            .or_default()
            .entry(reason)
            .or_default() += row.declined;
    }
    let mut network_receive = Vec::new();
    let mut library_durations: HashMap<(String, String), Vec<i64>> = HashMap::new();
    for row in durations {
        if row.kind == RECEIVE {
            network_receive.push(row.micros);
        }
        library_durations
            .entry((row.kind, row.library))
            .or_default()
            .push(row.micros);
    }
    let mut take_median = |kind: &str, library: &str| {
        library_durations
            .remove(&(kind.to_owned(), library.to_owned()))
            .and_then(median_days)
    };

    let mut network = BorrowingStats::default();
    for row in &per_library {
        network.placed += row.placed;
        network.filled += row.filled;
        network.unfilled += row.unfilled;
        network.cancelled += row.cancelled;
    }
    network.fill_rate = rate(network.filled, network.filled + network.unfilled);
    network.median_days_to_receive = median_days(network_receive);

    let directory: HashMap<LibraryId, LibraryRecord> = libraries(db)
        .await?
        .into_iter()
        .map(|record| (record.id.clone(), record))
        .collect();
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
            median_days_to_receive: take_median(RECEIVE, &row.library),
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
            median_days_to_ship: take_median(SHIP, &row.library),
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

/// The median of exact durations, in days.
fn median_days(mut micros: Vec<i64>) -> Option<f64> {
    micros.sort_unstable();
    let n = micros.len();
    let middle = match n {
        0 => return None,
        _ if n % 2 == 1 => micros[n / 2] as f64,
        _ => (micros[n / 2 - 1] as f64 + micros[n / 2] as f64) / 2.0,
    };
    Some(middle / MICROS_PER_DAY)
}
