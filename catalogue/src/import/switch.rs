//! The switch: in one transaction, a library's holdings become its new
//! batch, the old batch is dropped, and every cluster the old or the new
//! batch touches is computed again (merged, split, renamed), with its
//! records, identifiers, holdings' record ids and `lendable_by`.

use std::collections::{BTreeMap, BTreeSet};

use domain::normalize::fold;
use sqlx::Row;
use store::backend::{on_tx, Tx};
use store::Database;

use crate::db::{self, Param};
use crate::error::CatalogueError;

use super::cluster::{self, Member};
use super::stage::joined;
use super::Totals;

/// Values per `IN (…)` list, and rows per multi-row statement.
const CHUNK: usize = 500;

const FINISH: &str = include_str!("sql/finish.sql");
const LIVE: &str = "SELECT id FROM holdings_imports WHERE library = $1 AND state = 'live'";
const REPLACE: &str =
    "UPDATE holdings_imports SET state = 'replaced' WHERE library = $1 AND state = 'live'";
const GO_LIVE: &str = "UPDATE holdings_imports SET state = 'live' WHERE id = $1";
const RECORDS_OF_BATCH: &str =
    "SELECT DISTINCT record_id FROM catalog_members WHERE batch = $1 AND record_id IS NOT NULL";
const MEMBER_COLUMNS: &str = "batch, position, library, record_id, title, author, publisher, \
                              year, edition, lccn, isbns, issns, oclc_numbers, match_key";
const LENDABLE_BY: &str = include_str!("../sql/lendable_by.sql");
/// Serialises switches across processes on PostgreSQL (SQLite has one
/// writer, taken by the switch's first statement).
const SWITCH_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('ill_catalogue_switch'))";

/// A member with what its record would show if it represented its cluster.
#[derive(Debug, Clone)]
struct Stored {
    member: Member,
    record_id: Option<String>,
    title: String,
    author: Option<String>,
    publisher: Option<String>,
    year: Option<String>,
    edition: Option<String>,
    lccn: Option<String>,
    issns: Vec<String>,
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

async fn load(
    tx: &mut Tx<'_>,
    condition: &str,
    params: &[Param],
) -> Result<Vec<Stored>, CatalogueError> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM catalog_members WHERE {condition}");
    Ok(on_tx!(tx, c => {
        let mut query = sqlx::query(&sql);
        for param in params {
            query = match param {
                Param::Text(text) => query.bind(text.clone()),
                Param::Int(value) => query.bind(*value),
                Param::Bool(value) => query.bind(*value),
            };
        }
        query
            .fetch_all(&mut **c)
            .await?
            .iter()
            .map(|row| {
                Ok(Stored {
                    member: Member {
                        batch: row.try_get("batch")?,
                        position: row.try_get::<i64, _>("position")?,
                        library: row.try_get("library")?,
                        oclc_numbers: words(&row.try_get::<String, _>("oclc_numbers")?),
                        isbns: words(&row.try_get::<String, _>("isbns")?),
                        match_key: row.try_get("match_key")?,
                    },
                    record_id: row.try_get("record_id")?,
                    title: row.try_get("title")?,
                    author: row.try_get("author")?,
                    publisher: row.try_get("publisher")?,
                    year: row.try_get("year")?,
                    edition: row.try_get("edition")?,
                    lccn: row.try_get("lccn")?,
                    issns: words(&row.try_get::<String, _>("issns")?),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
    }))
}

/// Makes import `batch` the library's live holdings. False when the import
/// was taken over meanwhile (and nothing changed).
pub async fn switch(
    db: &Database,
    batch: &str,
    library: &str,
    lending: bool,
    totals: &Totals,
) -> Result<bool, CatalogueError> {
    let mut tx = db::begin(db).await?;
    if matches!(db, Database::Postgres(_)) {
        db::execute(&mut tx, SWITCH_LOCK, &[]).await?;
    }
    let errors = serde_json::to_string(&totals.errors).expect("errors serialise");
    let ours = db::execute(
        &mut tx,
        FINISH,
        &[
            batch.into(),
            totals.records.into(),
            totals.holdings.into(),
            totals.rejected.into(),
            errors.into(),
        ],
    )
    .await?;
    if ours == 0 {
        return Ok(false);
    }
    crate::holdings::set_lending(&mut tx, library, lending).await?;
    let old = db::strings(&mut tx, LIVE, &[library.into()]).await?;
    db::execute(&mut tx, REPLACE, &[library.into()]).await?;
    db::execute(&mut tx, GO_LIVE, &[batch.into()]).await?;

    let mut touched: BTreeSet<String> = BTreeSet::new();
    for old_batch in &old {
        touched.extend(db::strings(&mut tx, RECORDS_OF_BATCH, &[old_batch.as_str().into()]).await?);
        super::lock::drop_batch(&mut tx, old_batch).await?;
    }
    let mut members = load(&mut tx, "batch = $1", &[batch.into()]).await?;
    touched.extend(records_holding(&mut tx, &members).await?);
    let touched: Vec<String> = touched.into_iter().collect();
    for ids in touched.chunks(CHUNK) {
        let condition = format!("record_id IN ({})", db::list(ids.len(), 1));
        let params: Vec<Param> = ids.iter().map(|id| Param::from(id.as_str())).collect();
        members.extend(load(&mut tx, &condition, &params).await?);
        let records = format!(
            "DELETE FROM catalog_records WHERE id IN ({})",
            db::list(ids.len(), 1)
        );
        db::execute(&mut tx, &records, &params).await?;
        let identifiers = format!(
            "DELETE FROM catalog_identifiers WHERE record_id IN ({})",
            db::list(ids.len(), 1)
        );
        db::execute(&mut tx, &identifiers, &params).await?;
    }
    write_clusters(&mut tx, &members).await?;
    tx.commit().await?;
    Ok(true)
}

/// The records that hold any identifier joining `members` to others.
async fn records_holding(
    tx: &mut Tx<'_>,
    members: &[Stored],
) -> Result<BTreeSet<String>, CatalogueError> {
    let mut by_kind: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for stored in members {
        let m = &stored.member;
        by_kind
            .entry("oclc")
            .or_default()
            .extend(m.oclc_numbers.iter().map(String::as_str));
        by_kind
            .entry("isbn")
            .or_default()
            .extend(m.isbns.iter().map(String::as_str));
        by_kind
            .entry("key")
            .or_default()
            .extend(m.match_key.as_deref());
    }
    let mut found = BTreeSet::new();
    for (kind, values) in by_kind {
        let values: Vec<&str> = values.into_iter().collect();
        for chunk in values.chunks(CHUNK) {
            let sql = format!(
                "SELECT DISTINCT record_id FROM catalog_identifiers WHERE kind = $1 AND value IN ({})",
                db::list(chunk.len(), 2)
            );
            let mut params = vec![Param::from(kind)];
            params.extend(chunk.iter().map(|v| Param::from(*v)));
            found.extend(db::strings(tx, &sql, &params).await?);
        }
    }
    Ok(found)
}

/// Writes the clusters of `members`: their records and identifiers, the
/// members' and holdings' record ids, and `lendable_by`.
async fn write_clusters(tx: &mut Tx<'_>, stored: &[Stored]) -> Result<(), CatalogueError> {
    let members: Vec<Member> = stored.iter().map(|s| s.member.clone()).collect();
    let clusters = cluster::clusters(&members);
    let mut records: Vec<Vec<Param>> = Vec::with_capacity(clusters.len());
    let mut identifiers: BTreeSet<(&'static str, String, String)> = BTreeSet::new();
    let mut moved: Vec<(String, i64, String)> = Vec::new();
    for cluster in &clusters {
        let mut isbns = BTreeSet::new();
        let mut issns = BTreeSet::new();
        let mut oclc: BTreeSet<(usize, String)> = BTreeSet::new();
        let mut lccns = BTreeSet::new();
        for &i in &cluster.members {
            let s = &stored[i];
            isbns.extend(s.member.isbns.iter().cloned());
            issns.extend(s.issns.iter().cloned());
            oclc.extend(s.member.oclc_numbers.iter().map(|n| (n.len(), n.clone())));
            lccns.extend(s.lccn.iter().cloned());
            if let Some(key) = &s.member.match_key {
                identifiers.insert(("key", key.clone(), cluster.id.clone()));
            }
            if s.record_id.as_deref() != Some(cluster.id.as_str()) {
                moved.push((
                    s.member.batch.clone(),
                    s.member.position,
                    cluster.id.clone(),
                ));
            }
        }
        for (kind, values) in [("isbn", &isbns), ("issn", &issns), ("lccn", &lccns)] {
            for value in values {
                identifiers.insert((kind, value.clone(), cluster.id.clone()));
            }
        }
        for (_, value) in &oclc {
            identifiers.insert(("oclc", value.clone(), cluster.id.clone()));
        }
        let rep = &stored[cluster.representative];
        let folded = format!(
            "{} {}",
            fold(&rep.title),
            rep.author.as_deref().map(fold).unwrap_or_default()
        );
        let lccn = rep.lccn.clone().or_else(|| lccns.first().cloned());
        let list = |values: Vec<String>| joined(&values);
        records.push(vec![
            cluster.id.clone().into(),
            rep.title.clone().into(),
            rep.author.clone().into(),
            rep.publisher.clone().into(),
            rep.year.clone().into(),
            rep.edition.clone().into(),
            lccn.into(),
            list(isbns.into_iter().collect()).into(),
            list(issns.into_iter().collect()).into(),
            list(oclc.into_iter().map(|(_, n)| n).collect()).into(),
            folded.trim_end().to_owned().into(),
        ]);
    }
    for rows in records.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO catalog_records (id, title, author, publisher, year, edition, lccn, \
             isbns, issns, oclc_numbers, words, lendable_by) VALUES {}",
            values_with_zero(rows.len(), 11)
        );
        let params: Vec<Param> = rows.iter().flatten().cloned().collect();
        db::execute(tx, &sql, &params).await?;
    }
    let identifiers: Vec<_> = identifiers.into_iter().collect();
    for rows in identifiers.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO catalog_identifiers (kind, value, record_id) VALUES {}",
            db::placeholders(rows.len(), 3, 1)
        );
        let params: Vec<Param> = rows
            .iter()
            .flat_map(|(kind, value, id)| {
                [Param::from(*kind), value.clone().into(), id.clone().into()]
            })
            .collect();
        db::execute(tx, &sql, &params).await?;
    }
    for rows in moved.chunks(CHUNK) {
        let values = db::placeholders(rows.len(), 3, 1);
        let params: Vec<Param> = rows
            .iter()
            .flat_map(|(batch, position, id)| {
                [
                    Param::from(batch.as_str()),
                    Param::from(*position),
                    id.clone().into(),
                ]
            })
            .collect();
        for table in ["catalog_members", "holdings"] {
            let sql = format!(
                "UPDATE {table} SET record_id = v.column3 FROM (VALUES {values}) AS v \
                 WHERE {table}.batch = v.column1 AND {table}.position = v.column2"
            );
            db::execute(tx, &sql, &params).await?;
        }
    }
    let ids: Vec<&str> = clusters.iter().map(|c| c.id.as_str()).collect();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!("{LENDABLE_BY} WHERE id IN ({})", db::list(chunk.len(), 1));
        let params: Vec<Param> = chunk.iter().map(|id| Param::from(*id)).collect();
        db::execute(tx, &sql, &params).await?;
    }
    Ok(())
}

/// Rows of `columns` placeholders followed by a literal 0 (`lendable_by`,
/// computed after the holdings have their record ids).
fn values_with_zero(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let numbers: Vec<String> = (0..columns)
                .map(|column| format!("${}", 1 + row * columns + column))
                .collect();
            format!("({}, 0)", numbers.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
