//! Staging a chunk of an import's records and copies in one short
//! transaction, with the import's heartbeat: invisible to every reader until
//! the switch gives them record ids.

use store::Database;

use crate::db::{self, Param};
use crate::error::CatalogueError;
use crate::record::SourceRecord;

use super::lock;

const MEMBER_COLUMNS: &str = "batch, position, library, title, author, publisher, year, edition, \
                              lccn, isbns, issns, oclc_numbers, match_key";
const MEMBER_WIDTH: usize = 13;
const HOLDING_COLUMNS: &str =
    "batch, position, copy, library, local_id, call_number, location, lendable";
const HOLDING_WIDTH: usize = 8;
/// Rows per INSERT: within both backends' limits on bound parameters.
const ROWS_PER_INSERT: usize = 1_000;

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
    for rows in records.chunks(ROWS_PER_INSERT) {
        let mut params = Vec::with_capacity(rows.len() * MEMBER_WIDTH);
        for (position, record) in rows {
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
        let sql = format!(
            "INSERT INTO catalog_members ({MEMBER_COLUMNS}) VALUES {}",
            db::placeholders(&tx, rows.len(), MEMBER_WIDTH)
        );
        db::execute(&mut tx, &sql, &params).await?;
    }
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
    for rows in copies.chunks(ROWS_PER_INSERT) {
        let mut params = Vec::with_capacity(rows.len() * HOLDING_WIDTH);
        for (position, copy, c) in rows {
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
        let sql = format!(
            "INSERT INTO holdings ({HOLDING_COLUMNS}) VALUES {}",
            db::placeholders(&tx, rows.len(), HOLDING_WIDTH)
        );
        db::execute(&mut tx, &sql, &params).await?;
    }
    tx.commit().await?;
    Ok(copies.len())
}
