//! Verify's comparison: the twins and the stored tables, brought to one
//! checkpoint inside one transaction (rolled back after), and the rows only
//! one side holds. PostgreSQL compares row by row only the hash buckets
//! whose counts or sums differ; SQLite, whole tables.

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

/// A table and its twin, and (SQLite) the statements that list the rows only
/// one of them holds, rendered here; PostgreSQL's are built in `compare`.
pub(super) struct Compared {
    table: &'static str,
    /// PostgreSQL: a row as the text compared (alias `t`).
    postgres_row: &'static str,
    sqlite: [&'static str; 2],
    /// Statistics for the twin before it is swapped in.
    pub analyze: &'static str,
}

macro_rules! compared {
    ($table:literal) => {
        compared!($table, "CAST(t AS text)")
    };
    ($table:literal, $postgres_row:literal) => {
        Compared {
            table: $table,
            postgres_row: $postgres_row,
            sqlite: [
                concat!(
                    "SELECT * FROM ",
                    $table,
                    " EXCEPT SELECT * FROM ",
                    $table,
                    "_rebuild LIMIT 20"
                ),
                concat!(
                    "SELECT * FROM ",
                    $table,
                    "_rebuild EXCEPT SELECT * FROM ",
                    $table,
                    " LIMIT 20"
                ),
            ],
            analyze: concat!("ANALYZE ", $table, "_rebuild"),
        }
    };
}

pub(super) fn compared_tables(projection: Projection) -> &'static [Compared] {
    // A view is compared as `jsonb`: equal whatever its text's key order
    // or spacing (e.g. the text a migration from `jsonb` left).
    const REQUESTS: [Compared; 1] = [compared!(
        "request_views",
        "CAST((t.id, t.version, t.borrower, t.lender, t.status, t.updated_at_us,
               t.ended_at_us, t.respond_by_us, CAST(t.view AS jsonb)) AS text)"
    )];
    const STATISTICS: [Compared; 7] = [
        compared!("stats_requests"),
        compared!("stats_library_day"),
        compared!("stats_declines_day"),
        compared!("stats_durations"),
        compared!("stats_network_day"),
        compared!("stats_network_declines_day"),
        compared!("stats_receive_blocks"),
    ];
    const LIBRARIES: [Compared; 1] = [compared!("library_directory")];
    match projection {
        Projection::Requests => &REQUESTS,
        Projection::Statistics => &STATISTICS,
        Projection::Libraries => &LIBRARIES,
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
                    let (table, twin) = (compared.table, format!("{}_rebuild", compared.table));
                    let (from, other) = if only_stored {
                        (table, twin.as_str())
                    } else {
                        (twin.as_str(), table)
                    };
                    let (row, bucket) = (compared.postgres_row, bucket_of(compared));
                    let sql = format!(
                        "SELECT {row} FROM {from} t WHERE {bucket} = ANY($1)
                         EXCEPT SELECT {row} FROM {other} t WHERE {bucket} = ANY($1)
                         LIMIT {SHOWN}"
                    );
                    sqlx::query_scalar(&sql)
                        .bind(buckets.clone().unwrap_or_default())
                        .fetch_all(&mut **c)
                        .await?
                }
                Tx::Sqlite(c) => sqlx::query(compared.sqlite[side])
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

/// A row's hash bucket (PostgreSQL), from its compared text.
fn bucket_of(compared: &Compared) -> String {
    format!("(hashtextextended({}, 0) & 1023)", compared.postgres_row)
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
    let (row, bucket) = (compared.postgres_row, bucket_of(compared));
    let mut sums = Vec::new();
    for name in [
        compared.table.to_owned(),
        format!("{}_rebuild", compared.table),
    ] {
        let sql = format!(
            "SELECT {bucket}, count(*), CAST(sum(CAST(hashtextextended({row}, 1)
                    AS numeric)) AS text)
               FROM {name} t GROUP BY 1"
        );
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(&sql).fetch_all(&mut *c).await?;
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
