//! Catalogue search (`catalogSearch`): every folded word of the query must
//! be a word of a record's title or author, the last one also as a prefix;
//! records holding an identifier the query reads as are found too; ordered
//! by `lendable_by` descending, then id by bytes, the same on both backends
//! (PostgreSQL: GIN over exact lexemes; SQLite: FTS5; migration 0013).

mod cursor;
mod terms;

use store::backend::on_db;

use crate::records::CatalogRecord;
use store::{Database, StoreError};
use thiserror::Error;

pub use cursor::Place;
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

/// The page's one row when it is empty, else one row per record; each
/// with the number of all matches.
#[derive(sqlx::FromRow)]
struct PageRow {
    total: i64,
    id: Option<String>,
    title: Option<String>,
    author: Option<String>,
    publisher: Option<String>,
    year: Option<String>,
    edition: Option<String>,
    isbns: Option<String>,
    issns: Option<String>,
    oclc_numbers: Option<String>,
    lccn: Option<String>,
    lendable_by: Option<i64>,
}

impl PageRow {
    fn record(self) -> Option<CatalogRecord> {
        let list = |text: Option<String>| {
            text.unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        };
        Some(CatalogRecord {
            id: self.id?,
            title: self.title?,
            author: self.author,
            publisher: self.publisher,
            year: self.year,
            edition: self.edition,
            isbns: list(self.isbns),
            issns: list(self.issns),
            oclc_numbers: list(self.oclc_numbers),
            lccn: self.lccn,
            lendable_by: self.lendable_by?,
        })
    }
}

/// The page of `first` records after the cursor `after` (from the start
/// without one) that `query` finds.
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
    let (sql, words) = match db {
        Database::Postgres(_) => (include_str!("sql/postgres/page.sql"), terms.tsquery()),
        Database::Sqlite(_) => (include_str!("sql/sqlite/page.sql"), terms.fts5()),
    };
    let ids = &terms.identifiers;
    let rows: Vec<PageRow> = on_db!(db, pool => {
        sqlx::query_as(sql)
            .bind(words)
            .bind(ids.isbn.as_deref())
            .bind(ids.issn.as_deref())
            .bind(ids.oclc.as_deref())
            .bind(ids.lccn.as_deref())
            .bind(after.lendable_by)
            .bind(&after.id)
            .bind(i64::from(first) + 1)
            .fetch_all(pool)
            .await
    })
    .map_err(StoreError::from)?;
    let total_count = rows.first().map_or(0, |row| row.total);
    let records: Vec<CatalogRecord> = rows.into_iter().filter_map(PageRow::record).collect();
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
        total_count,
    })
}
