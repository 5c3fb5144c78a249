//! The members a switch clusters, read with only what clustering and the
//! records' identifier lists need: titles and authors stay in the store
//! until the records are written, so a large batch is held compactly.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::Row;
use store::backend::{on_tx, Tx};

use crate::db::{self, bound, Param};
use crate::error::CatalogueError;
use crate::import::cluster::Member;

/// Members per page of a batch.
const PAGE: i64 = 10_000;
/// Record ids per `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

const OF_BATCH: &str = include_str!("sql/members_of_batch.sql");
const OF_RECORDS: &str = include_str!("sql/members_of_records.sql");

/// A member with what its cluster's record needs besides its text.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub member: Member,
    /// Its record now; None while its batch is staged.
    pub record_id: Option<String>,
    pub lccn: Option<String>,
    pub issns: Vec<String>,
    /// Any of its copies lends.
    pub lendable: bool,
}

impl AsRef<Member> for Loaded {
    fn as_ref(&self) -> &Member {
        &self.member
    }
}

/// One shared copy of each batch id and library id.
#[derive(Debug, Default)]
pub struct Names(HashMap<String, Arc<str>>);

impl Names {
    fn get(&mut self, name: String) -> Arc<str> {
        self.0
            .entry(name)
            .or_insert_with_key(|name| Arc::from(name.as_str()))
            .clone()
    }
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Reads `sql`'s rows: batch, position, library, record_id, lccn, isbns,
/// issns, oclc_numbers, match_key, lendable (0 or 1).
async fn read(
    tx: &mut Tx<'_>,
    sql: &str,
    params: &[Param],
    names: &mut Names,
) -> Result<Vec<Loaded>, CatalogueError> {
    Ok(on_tx!(tx, c => {
        bound!(sql, params)
            .fetch_all(&mut **c)
            .await?
            .iter()
            .map(|row| {
                Ok(Loaded {
                    member: Member {
                        batch: names.get(row.try_get(0)?),
                        position: row.try_get::<i64, _>(1)?,
                        library: names.get(row.try_get(2)?),
                        oclc_numbers: words(&row.try_get::<String, _>(7)?),
                        isbns: words(&row.try_get::<String, _>(5)?),
                        match_key: row.try_get(8)?,
                    },
                    record_id: row.try_get(3)?,
                    lccn: row.try_get(4)?,
                    issns: words(&row.try_get::<String, _>(6)?),
                    lendable: row.try_get::<i64, _>(9)? != 0,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
    }))
}

/// Every member of `batch`, a page at a time.
pub async fn of_batch(
    tx: &mut Tx<'_>,
    batch: &str,
    names: &mut Names,
) -> Result<Vec<Loaded>, CatalogueError> {
    let mut members: Vec<Loaded> = Vec::new();
    loop {
        let after = members.last().map_or(0, |m| m.member.position);
        let page = read(
            tx,
            OF_BATCH,
            &[batch.into(), after.into(), PAGE.into()],
            names,
        )
        .await?;
        let full = page.len() as i64 == PAGE;
        members.extend(page);
        if !full {
            return Ok(members);
        }
    }
}

/// The live members of records `ids`.
pub async fn of_records(
    tx: &mut Tx<'_>,
    ids: &[String],
    names: &mut Names,
) -> Result<Vec<Loaded>, CatalogueError> {
    let mut members = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let sql = OF_RECORDS.replace("{ids}", &db::list(tx, chunk.len()));
        let params: Vec<Param> = chunk.iter().map(|id| Param::from(id.as_str())).collect();
        members.extend(read(tx, &sql, &params, names).await?);
    }
    Ok(members)
}
