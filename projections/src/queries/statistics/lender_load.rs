//! What the automatic rota weighs for each candidate lender: what it lent
//! (`LendingStats.shipped`) and borrowed (`BorrowingStats.filled`) over a
//! range of days, and how many requests wait at it now. One statement for
//! all the candidates together, so one snapshot and one round trip.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::LibraryId;
use store::Database;
use store::StoreError;

/// One candidate's figures; zero where nothing was counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LenderLoad {
    pub lent: i64,
    pub borrowed: i64,
    pub waiting: i64,
}

/// A library's lent, borrowed and waiting (SQLite: its lent and borrowed,
/// or its waiting, the others zero).
type LoadRow = (String, i64, i64, i64);

/// The candidates are one parameter: an array on PostgreSQL, a JSON list on
/// SQLite.
const POSTGRES: &str = include_str!("../sql/lender_load/postgres.sql");
const SQLITE: &str = include_str!("../sql/lender_load/sqlite.sql");

/// The load of every library in `libraries`: lent and borrowed over the
/// days `from..=to` (network time zone, as the statistics count them), and
/// waiting now as the read models stand.
pub async fn lender_load(
    db: &Database,
    libraries: &[LibraryId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<LibraryId, LenderLoad>, StoreError> {
    let mut loads: HashMap<LibraryId, LenderLoad> = libraries
        .iter()
        .map(|l| (l.clone(), LenderLoad::default()))
        .collect();
    if libraries.is_empty() {
        return Ok(loads);
    }
    let ids: Vec<String> = libraries.iter().map(|l| l.as_str().to_owned()).collect();
    let rows: Vec<LoadRow> = match db {
        Database::Postgres(pool) => {
            sqlx::query_as(POSTGRES)
                .bind(from)
                .bind(to)
                .bind(&ids)
                .fetch_all(pool)
                .await?
        }
        Database::Sqlite(pool) => {
            let list =
                serde_json::to_string(&ids).map_err(|e| StoreError::Malformed(e.to_string()))?;
            sqlx::query_as(SQLITE)
                .bind(from)
                .bind(to)
                .bind(&list)
                .fetch_all(pool)
                .await?
        }
    };
    for (library, lent, borrowed, waiting) in rows {
        let load = loads.entry(LibraryId::from(library)).or_default();
        load.lent += lent;
        load.borrowed += borrowed;
        load.waiting += waiting;
    }
    Ok(loads)
}
