//! Catalogue search (`catalogSearch`): every folded word of the query must
//! be a word of a record's title or author, the last one also as a prefix;
//! records holding an identifier the query reads as are found too; ordered
//! by `lendable_by` descending, then id by bytes, the same on both backends
//! (PostgreSQL: GIN over exact lexemes; SQLite: FTS5; migration 0013). A
//! query's matches are counted first; the count chooses how the page is read
//! ([`Plan`]).

mod cursor;
mod plan;
#[cfg(test)]
mod plans_agree;
mod terms;

use store::backend::{on_tx, Tx};
use store::{Database, StoreError};
use thiserror::Error;

use crate::records::CatalogRecord;

pub use cursor::Place;
pub use plan::Plan;
pub use terms::{Identifiers, Terms, MAX_QUERY_CHARS, MIN_PREFIX_CHARS};

/// The most records a page holds.
pub const MAX_PAGE: u32 = 100;

#[derive(Debug, Error)]
pub enum SearchError {
    #[error("{0}")]
    BadQuery(String),
    #[error("first must be between 0 and {MAX_PAGE}")]
    BadFirst,
    #[error("after is not a cursor of a catalogue search")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One page of a search, in the contract's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    /// Each record with its cursor.
    pub edges: Vec<(String, CatalogRecord)>,
    pub has_next_page: bool,
    pub total_count: i64,
}

/// One record of a page.
#[derive(sqlx::FromRow)]
struct PageRow {
    id: String,
    title: String,
    author: Option<String>,
    publisher: Option<String>,
    year: Option<String>,
    edition: Option<String>,
    isbns: Option<String>,
    issns: Option<String>,
    oclc_numbers: Option<String>,
    lccn: Option<String>,
    lendable_by: i64,
}

impl PageRow {
    fn record(self) -> CatalogRecord {
        let list = |text: Option<String>| {
            text.unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        };
        CatalogRecord {
            id: self.id,
            title: self.title,
            author: self.author,
            publisher: self.publisher,
            year: self.year,
            edition: self.edition,
            isbns: list(self.isbns),
            issns: list(self.issns),
            oclc_numbers: list(self.oclc_numbers),
            lccn: self.lccn,
            lendable_by: self.lendable_by,
        }
    }
}

/// The page of `first` records after the cursor `after` (from the start
/// without one) that `query` finds. The count and the page are read from one
/// snapshot, so that they agree.
pub async fn search(
    db: &Database,
    query: &str,
    first: u32,
    after: Option<&str>,
) -> Result<SearchPage, SearchError> {
    if first > MAX_PAGE {
        return Err(SearchError::BadFirst);
    }
    let terms = Terms::read(query)?;
    let after = match after {
        Some(cursor) => Place::decode(cursor).ok_or(SearchError::BadCursor)?,
        None => Place::start(),
    };
    let mut tx = snapshot(db).await?;
    let (total, records) = count(&mut tx, &terms).await?;
    if total == 0 {
        return Ok(SearchPage {
            edges: Vec::new(),
            has_next_page: false,
            total_count: 0,
        });
    }
    let plan = Plan::choose(db, &terms, first, total as u64, records as u64);
    let rows = page(&mut tx, plan, &terms, &after, first).await?;
    let records: Vec<CatalogRecord> = rows.into_iter().map(PageRow::record).collect();
    Ok(SearchPage {
        has_next_page: records.len() > first as usize,
        edges: records
            .into_iter()
            .take(first as usize)
            .map(|record| {
                let place = Place {
                    lendable_by: record.lendable_by,
                    id: record.id.clone(),
                };
                (place.encode(), record)
            })
            .collect(),
        total_count: total,
    })
}

/// A read-only snapshot: PostgreSQL's REPEATABLE READ; a SQLite read
/// transaction reads one state already.
async fn snapshot(db: &Database) -> Result<Tx<'static>, StoreError> {
    Ok(match db {
        Database::Postgres(pool) => Tx::Postgres(
            pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?,
        ),
        Database::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
    })
}

/// How many records the query finds, and about how many records there are
/// (SQLite only, for the plan; PostgreSQL's planner knows).
async fn count(tx: &mut Tx<'_>, terms: &Terms) -> Result<(i64, i64), StoreError> {
    let ids = &terms.identifiers;
    let counted = match tx {
        Tx::Postgres(c) => {
            let total: i64 = sqlx::query_scalar(include_str!("sql/postgres/count.sql"))
                .bind(terms.tsquery())
                .bind(ids.isbn.as_deref())
                .bind(ids.issn.as_deref())
                .bind(ids.oclc.as_deref())
                .bind(ids.lccn.as_deref())
                .fetch_one(&mut **c)
                .await?;
            (total, 0)
        }
        Tx::Sqlite(c) => {
            sqlx::query_as(include_str!("sql/sqlite/count.sql"))
                .bind(terms.fts5())
                .bind(ids.isbn.as_deref())
                .bind(ids.issn.as_deref())
                .bind(ids.oclc.as_deref())
                .bind(ids.lccn.as_deref())
                .fetch_one(&mut **c)
                .await?
        }
    };
    Ok(counted)
}

/// Up to `first + 1` records after `after`, by `plan`.
async fn page(
    tx: &mut Tx<'_>,
    plan: Plan,
    terms: &Terms,
    after: &Place,
    first: u32,
) -> Result<Vec<PageRow>, StoreError> {
    let ids = &terms.identifiers;
    let limit = i64::from(first) + 1;
    let rows = match tx {
        Tx::Postgres(c) if plan == Plan::PostgresWords => {
            sqlx::query_as(plan.sql())
                .bind(terms.tsquery())
                .bind(after.lendable_by)
                .bind(&after.id)
                .bind(limit)
                .fetch_all(&mut **c)
                .await?
        }
        tx => {
            let words = match tx {
                Tx::Postgres(_) => terms.tsquery(),
                Tx::Sqlite(_) => terms.fts5(),
            };
            on_tx!(tx, c => {
                sqlx::query_as(plan.sql())
                    .bind(words)
                    .bind(ids.isbn.as_deref())
                    .bind(ids.issn.as_deref())
                    .bind(ids.oclc.as_deref())
                    .bind(ids.lccn.as_deref())
                    .bind(after.lendable_by)
                    .bind(&after.id)
                    .bind(limit)
                    .fetch_all(&mut **c)
                    .await?
            })
        }
    };
    Ok(rows)
}
