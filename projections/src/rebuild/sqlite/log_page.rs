//! The log read a page at a time for an SQLite bulk pass (`log_page.sql`):
//! read a row at a time, each row crossed from SQLite's thread to the
//! pass's with a wake-up of each, which cost more than the row itself.

use sqlx::SqliteConnection;

use store::StoreError;

const LOG_PAGE: &str = include_str!("log_page.sql");
/// Events a page holds (about a megabyte of text).
const EVENTS_PER_PAGE: i64 = 2_000;
const FIELDS: char = '\u{1f}';
const RECORDS: char = '\u{1e}';

/// One event of a page, its text borrowed from the page.
pub(super) struct LogRow<'p> {
    pub global: i64,
    pub aggregate_type: &'p str,
    pub aggregate_id: &'p str,
    pub sequence: i64,
    pub payload: &'p str,
    pub metadata: &'p str,
}

/// Where a read of the log stands: after global position `after`.
#[derive(Default)]
pub(super) struct LogPages {
    after: i64,
}

impl LogPages {
    /// The next page's text, in `snapshot`; `None` past the log's end.
    pub(super) async fn next(
        &mut self,
        snapshot: &mut SqliteConnection,
    ) -> Result<Option<String>, StoreError> {
        let (page, last): (Option<String>, Option<i64>) = sqlx::query_as(LOG_PAGE)
            .bind(self.after)
            .bind(EVENTS_PER_PAGE)
            .fetch_one(snapshot)
            .await?;
        let (Some(page), Some(last)) = (page, last) else {
            return Ok(None);
        };
        self.after = last;
        Ok(Some(page))
    }
}

/// The events of a page's text, in its order.
pub(super) fn rows(page: &str) -> impl Iterator<Item = Result<LogRow<'_>, StoreError>> {
    page.split(RECORDS).map(row)
}

fn row(record: &str) -> Result<LogRow<'_>, StoreError> {
    let malformed = || StoreError::Malformed(format!("a page of the log: {record:.80}"));
    let mut fields = record.split(FIELDS);
    let mut field = || fields.next().ok_or_else(malformed);
    let row = LogRow {
        global: field()?.parse().map_err(|_| malformed())?,
        aggregate_type: field()?,
        aggregate_id: field()?,
        sequence: field()?.parse().map_err(|_| malformed())?,
        payload: field()?,
        metadata: field()?,
    };
    match fields.next() {
        None => Ok(row),
        Some(_) => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_splits_into_its_events() {
        let page = "7\u{1f}IllRequest\u{1f}a\u{1f}1\u{1f}{\"x\":1}\u{1f}{}\u{1e}\
                    8\u{1f}Library\u{1f}CT-X\u{1f}2\u{1f}{}\u{1f}{\"m\":\"\\u001f\"}";
        let rows: Vec<LogRow> = rows(page).collect::<Result<_, _>>().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].global, rows[0].aggregate_type, rows[0].aggregate_id),
            (7, "IllRequest", "a")
        );
        assert_eq!((rows[0].sequence, rows[0].payload), (1, "{\"x\":1}"));
        assert_eq!(rows[1].metadata, "{\"m\":\"\\u001f\"}");
    }

    #[test]
    fn a_record_with_a_field_too_many_or_too_few_is_malformed() {
        for record in [
            "7\u{1f}IllRequest\u{1f}a\u{1f}1\u{1f}{}",
            "7\u{1f}IllRequest\u{1f}a\u{1f}1\u{1f}{}\u{1f}{}\u{1f}{}",
            "x\u{1f}IllRequest\u{1f}a\u{1f}1\u{1f}{}\u{1f}{}",
        ] {
            assert!(
                matches!(row(record), Err(StoreError::Malformed(_))),
                "{record:?}"
            );
        }
    }
}
