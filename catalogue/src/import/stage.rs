//! Staging a chunk of an import's records and copies in one short
//! transaction, with the import's heartbeat (`COPY` on PostgreSQL, multi-row
//! inserts on SQLite): invisible to every reader until the switch makes the
//! batch live.

use store::Database;

use crate::db::{self, Param};
use crate::error::CatalogueError;
use crate::record::SourceRecord;

use super::lock;

const MEMBERS: &str = "catalog_members (batch, position, library, title, author, publisher, \
                       year, edition, lccn, isbns, issns, oclc_numbers, match_key)";
const MEMBER_WIDTH: usize = 13;
const HOLDINGS: &str =
    "holdings (batch, position, copy, library, local_id, call_number, location, lendable)";
const HOLDING_WIDTH: usize = 8;

/// Space-separated, as the catalogue's tables keep identifier lists.
fn joined(values: &[String]) -> String {
    values.join(" ")
}

/// Stages `records` (each with its 1-based position in the file) of import
/// `batch` for `library`; the number of copies staged.
pub async fn chunk(
    db: &Database,
    batch: &str,
    library: &str,
    records: &[(i64, SourceRecord)],
) -> Result<usize, CatalogueError> {
    let mut tx = db::begin(db).await?;
    lock::beat(&mut tx, batch).await?;
    let mut params = Vec::with_capacity(records.len() * MEMBER_WIDTH);
    for (position, record) in records {
        let linked = !record.oclc_numbers.is_empty() || !record.isbns.is_empty();
        params.extend([
            Param::from(batch),
            Param::from(*position),
            Param::from(library),
            Param::from(record.title.clone()),
            Param::from(record.author.clone()),
            Param::from(record.publisher.clone()),
            Param::from(record.year.clone()),
            Param::from(record.edition.clone()),
            Param::from(record.lccn.clone()),
            Param::from(joined(&record.isbns)),
            Param::from(joined(&record.issns)),
            Param::from(joined(&record.oclc_numbers)),
            Param::from((!linked).then(|| record.match_key())),
        ]);
    }
    db::insert_rows(&mut tx, MEMBERS, MEMBER_WIDTH, &params).await?;
    let copies: Vec<(i64, i64, &crate::record::Copy)> = records
        .iter()
        .flat_map(|(position, record)| {
            record
                .copies
                .iter()
                .enumerate()
                .map(|(copy, c)| (*position, copy as i64 + 1, c))
        })
        .collect();
    let mut params = Vec::with_capacity(copies.len() * HOLDING_WIDTH);
    for (position, copy, c) in &copies {
        params.extend([
            Param::from(batch),
            Param::from(*position),
            Param::from(*copy),
            Param::from(library),
            Param::from(c.local_id.clone()),
            Param::from(c.call_number.clone()),
            Param::from(c.location.clone()),
            Param::from(c.lendable),
        ]);
    }
    db::insert_rows(&mut tx, HOLDINGS, HOLDING_WIDTH, &params).await?;
    tx.commit().await?;
    Ok(copies.len())
}
