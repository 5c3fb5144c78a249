//! A catalogue record by any id the contract accepts, with its holdings:
//! `catalogRecord(id)`.

use domain::normalize;
use sqlx::Row;
use store::backend::on_db;
use store::Database;

use crate::error::CatalogueError;

/// One cluster as the catalogue shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRecord {
    pub id: String,
    pub title: String,
    pub author: Option<String>,
    pub publisher: Option<String>,
    pub year: Option<String>,
    pub edition: Option<String>,
    pub isbns: Vec<String>,
    pub issns: Vec<String>,
    pub oclc_numbers: Vec<String>,
    pub lccn: Option<String>,
    pub lendable_by: i64,
}

/// One copy of a record on a library's shelf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub library: String,
    pub local_id: Option<String>,
    pub call_number: Option<String>,
    pub location: Option<String>,
    pub lendable: bool,
}

/// Rows of a running import are hidden (migration 0018).
const RESOLVE: &str = "SELECT min(record_id) AS record_id FROM catalog_identifiers \
     WHERE kind = $1 AND value = $2 \
       AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))";
const RECORD: &str = include_str!("sql/record.sql");
const HOLDINGS: &str = include_str!("sql/holdings_of_record.sql");

/// The identifier an id names: `ocolc:N`, `isbn:I` or `key:HEX`, its value
/// in normal form. None for anything else.
fn identifier(id: &str) -> Option<(&'static str, String)> {
    let (scheme, value) = id.split_once(':')?;
    match scheme {
        "ocolc" => Some(("oclc", normalize::oclc(value)?)),
        "isbn" => Some(("isbn", normalize::isbn13(value)?)),
        "key" => (value.len() == 64
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| ("key", value.to_owned())),
        _ => None,
    }
}

/// The current record id for any id the contract accepts (an old id of a
/// merged cluster included), or None when no record holds it.
pub async fn resolve(db: &Database, id: &str) -> Result<Option<String>, CatalogueError> {
    let Some((kind, value)) = identifier(id) else {
        return Ok(None);
    };
    let found: Option<String> = on_db!(db, pool => {
        sqlx::query(RESOLVE)
            .bind(kind)
            .bind(&value)
            .fetch_one(pool)
            .await?
            .try_get("record_id")?
    });
    Ok(found)
}

/// The record any id finds ([`resolve`]), or None.
pub async fn record(db: &Database, id: &str) -> Result<Option<CatalogRecord>, CatalogueError> {
    let Some(current) = resolve(db, id).await? else {
        return Ok(None);
    };
    let record = on_db!(db, pool => {
        match sqlx::query(RECORD).bind(&current).fetch_optional(pool).await? {
            Some(row) => {
                let list = |column: &str| -> Result<Vec<String>, sqlx::Error> {
                    let text: String = row.try_get(column)?;
                    Ok(text.split_whitespace().map(str::to_owned).collect())
                };
                Some(CatalogRecord {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    author: row.try_get("author")?,
                    publisher: row.try_get("publisher")?,
                    year: row.try_get("year")?,
                    edition: row.try_get("edition")?,
                    isbns: list("isbns")?,
                    issns: list("issns")?,
                    oclc_numbers: list("oclc_numbers")?,
                    lccn: row.try_get("lccn")?,
                    lendable_by: row.try_get::<i64, _>("lendable_by")?,
                })
            }
            None => None,
        }
    });
    Ok(record)
}

/// The holdings of record `record_id` (a current id), ordered by library id
/// (case-insensitively, as library ids compare), then call number, then
/// local id, an absent one first.
pub async fn holdings(db: &Database, record_id: &str) -> Result<Vec<Holding>, CatalogueError> {
    let mut holdings: Vec<Holding> = on_db!(db, pool => {
        sqlx::query(HOLDINGS)
            .bind(record_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(Holding {
                    library: row.try_get("library")?,
                    local_id: row.try_get("local_id")?,
                    call_number: row.try_get("call_number")?,
                    location: row.try_get("location")?,
                    lendable: row.try_get("lendable")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?
    });
    holdings.sort_by(|a, b| {
        domain::LibraryId::from(a.library.as_str())
            .cmp(&domain::LibraryId::from(b.library.as_str()))
            .then_with(|| a.call_number.cmp(&b.call_number))
            .then_with(|| a.local_id.cmp(&b.local_id))
    });
    Ok(holdings)
}

#[cfg(test)]
mod tests {
    use super::identifier;

    #[test]
    fn ids_name_identifiers_in_normal_form() {
        assert_eq!(identifier("ocolc:00012"), Some(("oclc", "12".into())));
        assert_eq!(
            identifier("isbn:0-306-40615-2"),
            Some(("isbn", "9780306406157".into()))
        );
        let key = "a".repeat(64);
        assert_eq!(identifier(&format!("key:{key}")), Some(("key", key)));
        assert_eq!(identifier("key:ABC"), None);
        assert_eq!(identifier("isbn:123"), None);
        assert_eq!(identifier("lccn:123"), None);
        assert_eq!(identifier("nothing"), None);
    }
}
