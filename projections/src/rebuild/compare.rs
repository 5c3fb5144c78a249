//! Verify's comparison: the twins and the stored tables, brought to one
//! checkpoint inside one transaction (rolled back after), and the rows only
//! one side holds. PostgreSQL compares row by row only the hash buckets
//! whose counts or sums differ; SQLite, whole tables.

use std::sync::LazyLock;

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, TypeInfo, ValueRef};

use domain::Calendar;

use super::swap::{advance, begin, hold_live, hold_twins};
use crate::read_models::{Projection, Target};
use store::backend::Tx;
use store::log::Position;
use store::{Database, StoreError};

/// Rows shown per table and side when verification finds differences.
const SHOWN: usize = 20;

/// A row as the text compared on PostgreSQL (alias `t`).
const ROW: &str = "CAST(t AS text)";
/// A view is compared as `jsonb`: equal whatever its text's key order or
/// spacing (e.g. the text a migration from `jsonb` left).
const VIEW_ROW: &str = "CAST((t.id, t.version, t.borrower, t.lender, t.status, t.updated_at_us,
       t.ended_at_us, t.respond_by_us, t.needed_by, CAST(t.view AS jsonb)) AS text)";

/// A table and its twin, with the statements that compare them, expanded
/// once.
pub(super) struct Compared {
    table: &'static str,
    /// Statistics for the table once the twin's rows are copied in.
    pub analyze: String,
    /// The rows only the table holds, and only the twin, within the buckets
    /// bound as `$1` (`postgres/compare_rows.sql`).
    postgres_rows: [String; 2],
    /// The same, whole tables (`sqlite/compare_rows.sql`).
    sqlite_rows: [String; 2],
    /// The table's and the twin's counts and sums per hash bucket
    /// (`postgres/compare_buckets.sql`).
    postgres_buckets: [String; 2],
}

impl Compared {
    /// `table`, its rows compared on PostgreSQL as the text `row` gives.
    fn new(table: &'static str, row: &str) -> Compared {
        let twin = Target::Scratch.table(table);
        let shown = SHOWN.to_string();
        let rows = |sql: &str, from: &str, other: &str| {
            sql.replace("{row}", row)
                .replace("{from}", from)
                .replace("{other}", other)
                .replace("{shown}", &shown)
        };
        let postgres_rows = include_str!("postgres/compare_rows.sql");
        let sqlite_rows = include_str!("sqlite/compare_rows.sql");
        let buckets = |of: &str| {
            include_str!("postgres/compare_buckets.sql")
                .replace("{row}", row)
                .replace("{table}", of)
        };
        Compared {
            table,
            analyze: include_str!("sql/analyze_table.sql").replace("{table}", table),
            postgres_rows: [
                rows(postgres_rows, table, &twin),
                rows(postgres_rows, &twin, table),
            ],
            sqlite_rows: [
                rows(sqlite_rows, table, &twin),
                rows(sqlite_rows, &twin, table),
            ],
            postgres_buckets: [buckets(table), buckets(&twin)],
        }
    }
}

static REQUESTS: LazyLock<[Compared; 2]> = LazyLock::new(|| {
    [
        Compared::new("request_views", VIEW_ROW),
        Compared::new("lender_waiting", ROW),
    ]
});
static STATISTICS: LazyLock<[Compared; 7]> = LazyLock::new(|| {
    [
        "stats_requests",
        "stats_library_day",
        "stats_declines_day",
        "stats_durations",
        "stats_network_day",
        "stats_network_declines_day",
        "stats_receive_blocks",
    ]
    .map(|table| Compared::new(table, ROW))
});
static LIBRARIES: LazyLock<[Compared; 1]> =
    LazyLock::new(|| [Compared::new("library_directory", ROW)]);

/// The tables of `projection`, each compared with its twin.
pub(super) fn compared_tables(projection: Projection) -> &'static [Compared] {
    match projection {
        Projection::Requests => &*REQUESTS,
        Projection::Statistics => &*STATISTICS,
        Projection::Libraries => &*LIBRARIES,
    }
}

/// A row only one side holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub projection: Projection,
    pub table: &'static str,
    /// True: only the stored (live) table has the row; false: only the rebuild.
    pub only_stored: bool,
    pub row: String,
}

/// Compares the twins of `projection`, built up to `built`, with the
/// stored tables; the rows only one side holds, at most [`SHOWN`] per table
/// and side.
pub(super) async fn compare(
    db: &Database,
    calendar: Calendar,
    projection: Projection,
    built: Position,
) -> Result<Vec<Difference>, StoreError> {
    let mut tx = begin(db).await?;
    let mut live = hold_live(&mut tx, projection).await?;
    hold_twins(&mut tx, projection, built).await?;
    let mut twins = built;
    // Both to the same checkpoint, whichever is behind; rolled back after.
    advance(
        &mut tx,
        db,
        &calendar,
        projection,
        Target::Scratch,
        &mut twins,
        live,
    )
    .await?;
    advance(
        &mut tx,
        db,
        &calendar,
        projection,
        Target::Live,
        &mut live,
        twins,
    )
    .await?;
    let mut differences = Vec::new();
    for compared in compared_tables(projection) {
        // PostgreSQL: only the rows of the hash buckets whose counts or sums
        // differ are compared row by row.
        let buckets = match &mut tx {
            Tx::Postgres(c) => Some(differing_buckets(c, compared).await?),
            Tx::Sqlite(_) => None,
        };
        if buckets.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        for (side, only_stored) in [(0, true), (1, false)] {
            let rows: Vec<String> = match &mut tx {
                Tx::Postgres(c) => {
                    sqlx::query_scalar(&compared.postgres_rows[side])
                        .bind(buckets.clone().unwrap_or_default())
                        .fetch_all(&mut **c)
                        .await?
                }
                Tx::Sqlite(c) => sqlx::query(&compared.sqlite_rows[side])
                    .fetch_all(&mut **c)
                    .await?
                    .iter()
                    .map(render)
                    .collect(),
            };
            differences.extend(rows.into_iter().take(SHOWN).map(|row| Difference {
                projection,
                table: compared.table,
                only_stored,
                row,
            }));
        }
    }
    Ok(differences)
}

/// The hash buckets (of a row's text) in which `table` and its twin differ
/// in row count or in the sum of a second hash of their rows: one
/// sequential scan of each, instead of sorting both whole tables. Equal
/// tables have no such bucket; a difference shows unless two different
/// sets of rows collide in both count and a 64-bit hash sum.
async fn differing_buckets(
    c: &mut sqlx::PgConnection,
    compared: &Compared,
) -> Result<Vec<i64>, StoreError> {
    let mut sums = Vec::new();
    for sql in &compared.postgres_buckets {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(sql).fetch_all(&mut *c).await?;
        sums.push(
            rows.into_iter()
                .map(|(bucket, n, sum)| (bucket, (n, sum)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        );
    }
    let mut differing: Vec<i64> = sums[0]
        .iter()
        .filter(|(bucket, value)| sums[1].get(bucket) != Some(value))
        .map(|(bucket, _)| *bucket)
        .chain(
            sums[1]
                .keys()
                .filter(|bucket| !sums[0].contains_key(bucket))
                .copied(),
        )
        .collect();
    differing.sort_unstable();
    Ok(differing)
}

/// An SQLite row as `(value, …)`: blobs in hex, text quoted.
fn render(row: &SqliteRow) -> String {
    let values: Vec<String> = (0..row.columns().len())
        .map(|i| {
            let Ok(raw) = row.try_get_raw(i) else {
                return "?".to_owned();
            };
            if raw.is_null() {
                return "NULL".to_owned();
            }
            let decoded = match raw.type_info().name() {
                "INTEGER" => row.try_get::<i64, _>(i).map(|v| v.to_string()),
                "REAL" => row.try_get::<f64, _>(i).map(|v| v.to_string()),
                "BLOB" => row
                    .try_get::<Vec<u8>, _>(i)
                    .map(|v| v.iter().map(|b| format!("{b:02x}")).collect()),
                _ => row.try_get::<String, _>(i).map(|v| format!("{v:?}")),
            };
            decoded.unwrap_or_else(|_| "?".to_owned())
        })
        .collect();
    format!("({})", values.join(", "))
}
