//! Verify's first look (SQLite): the rows a rebuild would write, as the
//! pass leaves them in its scratch tables, against the stored tables read
//! in the snapshot the pass read the log in. Equal everywhere (and every
//! live checkpoint where the pass stopped) means verified without loading
//! a twin; anything else sends verify down the thorough path.
//!
//! A row's canonical text is its values as SQL literals (`quote()`: a text
//! quoted with its quotes doubled, a blob in hex, an integer's digits, a
//! real with a decimal point and as many digits as give it back exactly,
//! NULL), joined by commas in the live table's column order: each storage
//! class and value has its own. The scratch tables are made from the twins
//! (`scratch_create.sql`), so a value takes the same storage class there as
//! in a stored table, and equal rows give equal texts. SQLite writes them a
//! page at a time (`fingerprint_page.sql`): a row at a time, each row
//! crossed from SQLite's thread to ours with a wake-up (as the log did,
//! `log_page.rs`).

use sqlx::SqliteConnection;

use crate::rebuild::fingerprint::Fingerprint;
use store::StoreError;

const PAGE: &str = include_str!("fingerprint_page.sql");
const COLUMNS: &str = "SELECT name FROM pragma_table_info($1, 'main') ORDER BY cid";
/// Rows a page holds.
const ROWS_PER_PAGE: i64 = 2_000;

/// The fingerprint of `table` (as named on `c`), whose columns are those of
/// the live table `live`.
pub(super) async fn of(
    c: &mut SqliteConnection,
    live: &str,
    table: &str,
) -> Result<Fingerprint, StoreError> {
    let columns: Vec<String> = sqlx::query_scalar(COLUMNS)
        .bind(live)
        .fetch_all(&mut *c)
        .await?;
    let row = columns
        .iter()
        .map(|name| format!("quote(\"{name}\")"))
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    let page_sql = PAGE.replace("{row}", &row).replace("{table}", table);
    let mut fingerprint = Fingerprint::default();
    let mut after = 0_i64;
    loop {
        let (page, last): (Option<String>, Option<i64>) = sqlx::query_as(&page_sql)
            .bind(after)
            .bind(ROWS_PER_PAGE)
            .fetch_one(&mut *c)
            .await?;
        let (Some(page), Some(last)) = (page, last) else {
            return Ok(fingerprint);
        };
        add_rows(&mut fingerprint, &page)?;
        after = last;
    }
}

/// Adds the rows of a page's text: each its length in bytes, a colon, and
/// its canonical text.
fn add_rows(fingerprint: &mut Fingerprint, page: &str) -> Result<(), StoreError> {
    let malformed = || StoreError::Malformed(format!("a page of rows: {page:.80}"));
    let mut rest = page.as_bytes();
    while !rest.is_empty() {
        let colon = rest.iter().position(|&b| b == b':').ok_or_else(malformed)?;
        let length: usize = std::str::from_utf8(&rest[..colon])
            .ok()
            .and_then(|digits| digits.parse().ok())
            .ok_or_else(malformed)?;
        let row = rest
            .get(colon + 1..colon + 1 + length)
            .ok_or_else(malformed)?;
        fingerprint.add(row);
        rest = &rest[colon + 1 + length..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_adds_each_row_whatever_its_text_holds() {
        let mut paged = Fingerprint::default();
        add_rows(&mut paged, "5:'a:b'13:1,'x''y',NULL").unwrap();
        let mut one_by_one = Fingerprint::default();
        one_by_one.add(b"'a:b'");
        one_by_one.add(b"1,'x''y',NULL");
        assert_eq!(paged, one_by_one);
    }

    #[test]
    fn a_page_cut_short_is_malformed() {
        for page in ["5:'a:b", "x:1", "3"] {
            let mut fingerprint = Fingerprint::default();
            assert!(
                matches!(
                    add_rows(&mut fingerprint, page),
                    Err(StoreError::Malformed(_))
                ),
                "{page:?}"
            );
        }
    }
}
