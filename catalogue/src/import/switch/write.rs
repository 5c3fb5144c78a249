//! Writing a switch's computed clusters into the staged tables (migration
//! 0018), [`ROWS_PER_STEP`] rows per step: each cluster's identifiers, the
//! members whose record id changes, and its identifier lists,
//! representative and `lendable_by`; then its record, with the
//! representative's text (folded in Rust, as search folds queries).

use std::collections::{BTreeSet, HashMap};

use domain::normalize::fold;
use sqlx::Row;
use store::backend::on_tx;

use crate::db::{self, bound, Param};
use crate::error::CatalogueError;
use crate::import::cluster::Cluster;

use super::members::Loaded;
use super::steps::Steps;

/// Rows written per step (one `COPY` on PostgreSQL, a few multi-row inserts
/// on SQLite).
const ROWS_PER_STEP: usize = 5_000;
/// Records read back (with their text) per page.
const RECORDS_PER_PAGE: i64 = 2_000;

const STAGED_RECORDS: &str = include_str!("sql/staged_records.sql");

/// Rows for one table, inserted a statement's worth at a time.
pub struct Inserts {
    table_and_columns: &'static str,
    width: usize,
    params: Vec<Param>,
}

impl Inserts {
    pub fn new(table_and_columns: &'static str, width: usize) -> Inserts {
        Inserts {
            table_and_columns,
            width,
            params: Vec::with_capacity(ROWS_PER_STEP * width),
        }
    }

    pub async fn push(
        &mut self,
        steps: &mut Steps<'_>,
        row: impl IntoIterator<Item = Param>,
    ) -> Result<(), CatalogueError> {
        self.params.extend(row);
        if self.params.len() >= ROWS_PER_STEP * self.width {
            self.flush(steps).await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self, steps: &mut Steps<'_>) -> Result<(), CatalogueError> {
        if self.params.is_empty() {
            return Ok(());
        }
        let mut step = steps.begin().await?;
        db::insert_rows(step.tx(), self.table_and_columns, self.width, &self.params).await?;
        step.end().await?;
        self.params.clear();
        Ok(())
    }
}

/// Whether each library lends and is not suspended.
pub type Lending = HashMap<String, bool>;

/// Stages `clusters` of `members` for import `batch`: identifiers, moved
/// record ids, and each cluster's lists, representative and `lendable_by`.
pub async fn clusters(
    steps: &mut Steps<'_>,
    batch: &str,
    members: &[Loaded],
    clusters: &[Cluster],
    lending: &Lending,
) -> Result<(), CatalogueError> {
    let mut identifiers = Inserts::new(
        "catalog_staged_identifiers (batch, kind, value, record_id, gone)",
        5,
    );
    let mut moves = Inserts::new(
        "catalog_staged_moves (batch, member_batch, position, record_id)",
        4,
    );
    let mut staged = Inserts::new(
        "catalog_staged_clusters (batch, id, rep_batch, rep_position, lccn, isbns, issns, \
         oclc_numbers, lendable_by)",
        9,
    );
    for cluster in clusters {
        let id = cluster.id.as_str();
        let mut isbns = BTreeSet::new();
        let mut issns = BTreeSet::new();
        // Numerically: numbers without leading zeros by length, then digits.
        let mut oclc: BTreeSet<(usize, &str)> = BTreeSet::new();
        let mut lccns = BTreeSet::new();
        let mut keys = BTreeSet::new();
        let mut lenders = BTreeSet::new();
        for &i in &cluster.members {
            let loaded = &members[i];
            let m = &loaded.member;
            isbns.extend(m.isbns.iter().map(String::as_str));
            issns.extend(loaded.issns.iter().map(String::as_str));
            oclc.extend(m.oclc_numbers.iter().map(|n| (n.len(), n.as_str())));
            lccns.extend(loaded.lccn.as_deref());
            keys.extend(m.match_key.as_deref());
            if loaded.lendable && lending.get(&*m.library).copied().unwrap_or(false) {
                lenders.insert(&*m.library);
            }
            if loaded.record_id.as_deref() != Some(id) {
                let row = [
                    Param::from(batch),
                    Param::from(&*m.batch),
                    Param::from(m.position),
                    Param::from(id),
                ];
                moves.push(steps, row).await?;
            }
        }
        let kinds = [
            ("isbn", &isbns),
            ("issn", &issns),
            ("lccn", &lccns),
            ("key", &keys),
        ];
        for (kind, values) in kinds {
            for value in values {
                let row = [
                    Param::from(batch),
                    Param::from(kind),
                    Param::from(*value),
                    Param::from(id),
                    Param::from(false),
                ];
                identifiers.push(steps, row).await?;
            }
        }
        for (_, value) in &oclc {
            let row = [
                Param::from(batch),
                Param::from("oclc"),
                Param::from(*value),
                Param::from(id),
                Param::from(false),
            ];
            identifiers.push(steps, row).await?;
        }
        let rep = &members[cluster.representative];
        let lccn = rep
            .lccn
            .as_deref()
            .or_else(|| lccns.first().copied())
            .map(str::to_owned);
        let list = |values: Vec<&str>| values.join(" ");
        let row = [
            Param::from(batch),
            Param::from(id),
            Param::from(&*rep.member.batch),
            Param::from(rep.member.position),
            Param::from(lccn),
            Param::from(list(isbns.into_iter().collect())),
            Param::from(list(issns.into_iter().collect())),
            Param::from(list(oclc.into_iter().map(|(_, n)| n).collect())),
            Param::from(lenders.len() as i64),
        ];
        staged.push(steps, row).await?;
    }
    identifiers.flush(steps).await?;
    moves.flush(steps).await?;
    staged.flush(steps).await
}

/// Stages the records of the staged clusters, a page at a time, with their
/// representatives' text and its folded words.
pub async fn records(steps: &mut Steps<'_>, batch: &str) -> Result<(), CatalogueError> {
    let mut records = Inserts::new(
        "catalog_staged_records (batch, id, title, author, publisher, year, edition, lccn, \
         isbns, issns, oclc_numbers, words, lendable_by)",
        13,
    );
    let mut after = String::new();
    loop {
        let params = [
            Param::from(batch),
            Param::from(after.as_str()),
            Param::from(RECORDS_PER_PAGE),
        ];
        let mut step = steps.read().await?;
        let page: Vec<[Param; 13]> = on_tx!(step.tx(), c => {
            bound!(STAGED_RECORDS, &params)
                .fetch_all(&mut **c)
                .await?
                .iter()
                .map(|row| {
                    let title: String = row.try_get("title")?;
                    let author: Option<String> = row.try_get("author")?;
                    let folded = format!(
                        "{} {}",
                        fold(&title),
                        author.as_deref().map(fold).unwrap_or_default()
                    );
                    Ok([
                        Param::from(batch),
                        Param::from(row.try_get::<String, _>("id")?),
                        Param::from(title),
                        Param::from(author),
                        Param::from(row.try_get::<Option<String>, _>("publisher")?),
                        Param::from(row.try_get::<Option<String>, _>("year")?),
                        Param::from(row.try_get::<Option<String>, _>("edition")?),
                        Param::from(row.try_get::<Option<String>, _>("lccn")?),
                        Param::from(row.try_get::<String, _>("isbns")?),
                        Param::from(row.try_get::<String, _>("issns")?),
                        Param::from(row.try_get::<String, _>("oclc_numbers")?),
                        Param::from(folded.trim_end().to_owned()),
                        Param::from(row.try_get::<i64, _>("lendable_by")?),
                    ])
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        step.end().await?;
        let Some(last) = page.last() else {
            break;
        };
        if let Param::Text(Some(id)) = &last[1] {
            after.clone_from(id);
        }
        let full = page.len() as i64 == RECORDS_PER_PAGE;
        for row in page {
            records.push(steps, row).await?;
        }
        if !full {
            break;
        }
    }
    records.flush(steps).await
}
