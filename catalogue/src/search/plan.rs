//! Which statement reads a page: they all give the same page, at very
//! different costs depending on how many records the query finds (measured
//! in BENCHMARKS.md, "Catalogue search").

use super::terms::Terms;
use store::Database;

/// How a page is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// PostgreSQL, a query of words only: its planner chooses between
    /// walking the order index and reading the word index.
    PostgresWords,
    /// PostgreSQL, words or identifiers: every match read, then sorted.
    PostgresWordsOrIdentifiers,
    /// SQLite: every match read, then sorted (a query that finds few).
    SqliteByMatches,
    /// SQLite: the records walked in order, the matches' numbers gathered
    /// once (a query that finds many).
    SqliteWalkListed,
    /// SQLite: the records walked in order, each tested on its own (a query
    /// that finds so many that the page fills within a few hundred records).
    SqliteWalkTesting,
}

/// A walk in order tests about `(first + 1) × records ÷ found` records;
/// testing one costs about as much as gathering this many matches.
const TESTED_WALK_MAX: u64 = 256;
/// Below one match in this many records, every match is read rather than
/// the records walked in order. Reading costs about 4 µs a match, whatever
/// the word; a walk costs by where the matches fall in the order: over the
/// 250,000 LC records, 1–5 ms for most words found by one record in 100 to
/// 300, but 15–30 ms for some whose records sort late, which reading
/// answers in 6–9 ms. At one in 64 (the bound before) reading every match of
/// a common three-letter prefix took 10–17 ms.
const LISTED_WALK_DENSITY: u64 = 128;

impl Plan {
    /// The plan for a page of `first` of the `total` records a query finds
    /// among about `records`.
    pub fn choose(db: &Database, terms: &Terms, first: u32, total: u64, records: u64) -> Plan {
        match db {
            Database::Postgres(_) if terms.identifiers.is_none() => Plan::PostgresWords,
            Database::Postgres(_) => Plan::PostgresWordsOrIdentifiers,
            Database::Sqlite(_) => {
                let walked = (u64::from(first) + 1).saturating_mul(records) / total.max(1);
                if total > 0 && walked <= TESTED_WALK_MAX {
                    Plan::SqliteWalkTesting
                } else if total.saturating_mul(LISTED_WALK_DENSITY) >= records && total > 0 {
                    Plan::SqliteWalkListed
                } else {
                    Plan::SqliteByMatches
                }
            }
        }
    }

    pub fn sql(self) -> &'static str {
        match self {
            Plan::PostgresWords => include_str!("sql/postgres/page_words.sql"),
            Plan::PostgresWordsOrIdentifiers => {
                include_str!("sql/postgres/page_words_or_identifiers.sql")
            }
            Plan::SqliteByMatches => include_str!("sql/sqlite/page_by_matches.sql"),
            Plan::SqliteWalkListed => include_str!("sql/sqlite/page_walk_listed.sql"),
            Plan::SqliteWalkTesting => include_str!("sql/sqlite/page_walk_testing.sql"),
        }
    }
}
