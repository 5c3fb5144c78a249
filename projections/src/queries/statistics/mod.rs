//! Statistics over a date range, summed from the per-day tables. Definitions
//! are the contract's (`schema.graphql`): every count is of events whose
//! `occurred_at` falls on a network-time-zone date in `[from, to]`.

mod lender_load;
mod medians;

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use domain::library::LibraryRecord;
use domain::{LibraryId, UnfilledReason};

use crate::read_models::statistics::{RECEIVE, SHIP};
use medians::{network_receive_median, series_median};
use store::backend::on_tx;
use store::Database;
use store::StoreError;

pub use lender_load::{lender_load, LenderLoad};

/// The per-library sums, for every library or for one: the two differ only
/// by the filter on the library.
struct Statements {
    library_sums: String,
    library_declines: String,
}

impl Statements {
    fn new(library_filter: &str) -> Statements {
        let expand = |sql: &str| sql.replace("{library_filter}", library_filter);
        Statements {
            library_sums: expand(include_str!("../sql/statistics/library_sums.sql")),
            library_declines: expand(include_str!("../sql/statistics/library_declines.sql")),
        }
    }
}

static EVERY_LIBRARY: LazyLock<Statements> = LazyLock::new(|| Statements::new(""));
static ONE_LIBRARY: LazyLock<Statements> = LazyLock::new(|| Statements::new("library = $3 AND"));

const NETWORK_DAYS: &str = include_str!("../sql/statistics/network_days.sql");
const NETWORK_DECLINES: &str = include_str!("../sql/statistics/network_declines.sql");
/// The directory inside the statistics' snapshot (one library, or all when
/// `$1` is empty): on the transaction's own connection, so concurrent
/// statistics calls never wait on the pool for a second one.
const DIRECTORY: &str =
    "SELECT id, name, lends, suspended FROM library_directory WHERE $1 = '' OR id = $1";
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

/// Whose rows besides the network's a statistics read computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryRows<'a> {
    /// None: the network's figures alone, a few rows of the network tables
    /// whatever the number of libraries.
    None,
    Every,
    One(&'a LibraryId),
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
    let rows = library.map_or(LibraryRows::Every, LibraryRows::One);
    statistics_of(db, from, to, rows).await
}

/// [`statistics`] with `libraries` for `rows` only: empty for
/// [`LibraryRows::None`], which reads no per-library table.
pub async fn statistics_of(
    db: &Database,
    from: NaiveDate,
    to: NaiveDate,
    rows: LibraryRows<'_>,
) -> Result<Statistics, StoreError> {
    let mut tx = super::snapshot(db).await?;
    let tx = &mut tx;
    let network_only = rows == LibraryRows::None;
    let library = match rows {
        LibraryRows::One(library) => Some(library),
        LibraryRows::None | LibraryRows::Every => None,
    };
    let wanted = library.map(LibraryId::as_str).unwrap_or_default();
    let statements: &Statements = if library.is_some() {
        &ONE_LIBRARY
    } else {
        &EVERY_LIBRARY
    };
    let per_library: Vec<LibraryRow> = if network_only {
        Vec::new()
    } else {
        on_tx!(&mut *tx, c => sqlx::query_as(&statements.library_sums)
            .bind(from)
            .bind(to)
            .bind(wanted)
            .fetch_all(&mut **c)
            .await)?
    };
    let per_day: Vec<DayRow> = on_tx!(&mut *tx, c => sqlx::query_as(NETWORK_DAYS)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?;
    let network_declines_rows: Vec<NetworkDeclineRow> = on_tx!(&mut *tx, c => sqlx::query_as(NETWORK_DECLINES)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?;
    let receive_median = network_receive_median(tx, from, to).await?;
    let (declines, directory_rows): (Vec<DeclineRow>, Vec<DirectoryRow>) = if network_only {
        (Vec::new(), Vec::new())
    } else {
        let declines = on_tx!(&mut *tx, c => sqlx::query_as(&statements.library_declines)
            .bind(from)
            .bind(to)
            .bind(wanted)
            .fetch_all(&mut **c)
            .await)?;
        let directory = on_tx!(&mut *tx, c => sqlx::query_as(DIRECTORY)
            .bind(wanted)
            .fetch_all(&mut **c)
            .await)?;
        (declines, directory)
    };
    let directory: HashMap<LibraryId, LibraryRecord> = directory_rows
        .into_iter()
        .map(|r| {
            let id = LibraryId::from(r.id);
            let record = LibraryRecord {
                id: id.clone(),
                name: r.name,
                lends: r.lends,
                suspended: r.suspended,
                closures: Vec::new(),
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
                closures: Vec::new(),
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
