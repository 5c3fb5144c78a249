//! What the automatic rota weighs for each candidate lender: what it lent
//! (`LendingStats.shipped`) and borrowed (`BorrowingStats.filled`) over a
//! range of days, and how many requests wait at it now. Two statements for
//! all the candidates together, in one snapshot.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use domain::LibraryId;
use store::backend::Tx;
use store::Database;
use store::StoreError;

/// One candidate's figures; zero where nothing was counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LenderLoad {
    pub lent: i64,
    pub borrowed: i64,
    pub waiting: i64,
}

/// A library's lent and borrowed; a library's waiting.
type SumRow = (String, i64, i64);
type WaitingRow = (String, i64);

/// Each statement for one backend: the candidates are one parameter, an
/// array on PostgreSQL and a JSON list on SQLite.
struct Statements {
    lent_borrowed: String,
    waiting: String,
}

impl Statements {
    fn new(libraries: impl Fn(u8) -> String) -> Statements {
        let expand = |sql: &str, n: u8| sql.replace("{libraries}", &libraries(n));
        Statements {
            lent_borrowed: expand(include_str!("../sql/lender_load/lent_borrowed.sql"), 3),
            waiting: expand(include_str!("../sql/lender_load/waiting.sql"), 1),
        }
    }
}

static POSTGRES: LazyLock<Statements> =
    LazyLock::new(|| Statements::new(|n| format!("= ANY(${n})")));
static SQLITE: LazyLock<Statements> =
    LazyLock::new(|| Statements::new(|n| format!("IN (SELECT value FROM json_each(${n}))")));

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
    let (sums, waiting): (Vec<SumRow>, Vec<WaitingRow>) = match crate::queries::snapshot(db).await?
    {
        Tx::Postgres(mut tx) => {
            let sums = sqlx::query_as(&POSTGRES.lent_borrowed)
                .bind(from)
                .bind(to)
                .bind(&ids)
                .fetch_all(&mut *tx)
                .await?;
            let waiting = sqlx::query_as(&POSTGRES.waiting)
                .bind(&ids)
                .fetch_all(&mut *tx)
                .await?;
            (sums, waiting)
        }
        Tx::Sqlite(mut tx) => {
            let list =
                serde_json::to_string(&ids).map_err(|e| StoreError::Malformed(e.to_string()))?;
            let sums = sqlx::query_as(&SQLITE.lent_borrowed)
                .bind(from)
                .bind(to)
                .bind(&list)
                .fetch_all(&mut *tx)
                .await?;
            let waiting = sqlx::query_as(&SQLITE.waiting)
                .bind(&list)
                .fetch_all(&mut *tx)
                .await?;
            (sums, waiting)
        }
    };
    for (library, lent, borrowed) in sums {
        let load = loads.entry(LibraryId::from(library)).or_default();
        load.lent = lent;
        load.borrowed = borrowed;
    }
    for (library, count) in waiting {
        loads.entry(LibraryId::from(library)).or_default().waiting = count;
    }
    Ok(loads)
}
