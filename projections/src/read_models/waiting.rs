//! Projection "requests": how many requests wait at each library as their
//! current lender (`lender_waiting`), changed with the views in the same
//! batch, so the automatic rota reads a candidate's count by primary key.
//! Only positive counts have a row: the bulk rebuild counts the finished
//! views ([`Tally`]) and writes the same rows.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use domain::{LibraryId, RequestStatus, RequestView};

use super::Target;
use store::backend::Tx;
use store::StoreError;

/// The library a request with current lender `lender` and status `status`
/// waits at, if any.
pub(super) fn waiting_at(lender: Option<&LibraryId>, status: RequestStatus) -> Option<&LibraryId> {
    lender.filter(|_| status.waits_at_lender())
}

/// Each library's count of waiting requests: the bulk rebuild's, from the
/// finished views.
#[derive(Debug, Default)]
pub(crate) struct Tally(pub BTreeMap<LibraryId, i64>);

impl Tally {
    pub(crate) fn add(&mut self, view: &RequestView) {
        if let Some(library) = waiting_at(view.state.lender(), view.state.status) {
            *self.0.entry(library.clone()).or_default() += 1;
        }
    }
}

/// The changes one batch makes to the counts.
#[derive(Debug, Default)]
pub(super) struct Changes(BTreeMap<LibraryId, i64>);

impl Changes {
    /// A request that waited at `before` and now waits at `after`.
    pub(super) fn moved(&mut self, before: Option<&LibraryId>, after: Option<&LibraryId>) {
        if before == after {
            return;
        }
        if let Some(library) = before {
            *self.0.entry(library.clone()).or_default() -= 1;
        }
        if let Some(library) = after {
            *self.0.entry(library.clone()).or_default() += 1;
        }
    }
}

struct Statements {
    postgres_add: String,
    sqlite_add: String,
    /// Drops the rows that reached zero: `$1` a library (SQLite) or an
    /// array of them (PostgreSQL).
    postgres_drop_zeros: String,
    sqlite_drop_zeros: String,
}

impl Statements {
    fn new(target: Target) -> Statements {
        let table = target.table("lender_waiting");
        let expand = |text: &str| text.replace("{waiting}", &table);
        Statements {
            postgres_add: expand(include_str!("sql/waiting/postgres_add.sql")),
            sqlite_add: expand(include_str!("sql/waiting/sqlite_add.sql")),
            postgres_drop_zeros: format!(
                "DELETE FROM {table} WHERE library = ANY($1) AND waiting = 0"
            ),
            sqlite_drop_zeros: format!("DELETE FROM {table} WHERE library = $1 AND waiting = 0"),
        }
    }
}

static LIVE: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Live));
static SCRATCH: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Scratch));

/// Writes `changes` to `target`'s counts in `tx`.
pub(super) async fn write(
    tx: &mut Tx<'_>,
    target: Target,
    changes: Changes,
) -> Result<(), StoreError> {
    let sql = match target {
        Target::Live => &*LIVE,
        Target::Scratch => &*SCRATCH,
    };
    let changed: Vec<(LibraryId, i64)> = changes.0.into_iter().filter(|(_, n)| *n != 0).collect();
    if changed.is_empty() {
        return Ok(());
    }
    let fell = changed.iter().any(|(_, n)| *n < 0);
    match tx {
        Tx::Postgres(c) => {
            let libraries: Vec<&str> = changed.iter().map(|(l, _)| l.as_str()).collect();
            let counts: Vec<i64> = changed.iter().map(|(_, n)| *n).collect();
            sqlx::query(&sql.postgres_add)
                .bind(&libraries)
                .bind(&counts)
                .execute(&mut **c)
                .await?;
            if fell {
                sqlx::query(&sql.postgres_drop_zeros)
                    .bind(&libraries)
                    .execute(&mut **c)
                    .await?;
            }
        }
        Tx::Sqlite(c) => {
            for (library, n) in &changed {
                sqlx::query(&sql.sqlite_add)
                    .bind(library.as_str())
                    .bind(*n)
                    .execute(&mut **c)
                    .await?;
                if *n < 0 {
                    sqlx::query(&sql.sqlite_drop_zeros)
                        .bind(library.as_str())
                        .execute(&mut **c)
                        .await?;
                }
            }
        }
    }
    Ok(())
}
