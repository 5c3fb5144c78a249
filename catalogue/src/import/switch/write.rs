//! Writing a switch's clusters: their identifiers, the copies of the
//! members whose record changed, and their records with `lendable_by`. Rows
//! go out in multi-row inserts as the clusters are walked; record ids change
//! and records are written by set-based statements over two scratch tables
//! (migration 0016), emptied before the transaction ends.

use std::collections::BTreeSet;

use domain::normalize::fold;
use sqlx::Row;
use store::backend::{on_tx, Tx};

use crate::db::{self, bound, Param};
use crate::error::CatalogueError;
use crate::import::cluster::Cluster;

use super::members::Loaded;
use super::Phases;

/// Rows per multi-row insert: within both backends' limits on parameters.
const ROWS_PER_INSERT: usize = 1_000;
/// Records read back (with their text) per page.
const RECORDS_PER_PAGE: i64 = 2_000;

/// Each backend's best statement.
const MOVE_HOLDINGS_POSTGRES: &str = include_str!("sql/postgres/move_holdings.sql");
const MOVE_HOLDINGS_SQLITE: &str = include_str!("sql/sqlite/move_holdings.sql");
const PENDING_RECORDS: &str = include_str!("sql/pending_records.sql");

/// Rows for one table, inserted a statement's worth at a time.
struct Inserts {
    table_and_columns: &'static str,
    width: usize,
    params: Vec<Param>,
}

impl Inserts {
    fn new(table_and_columns: &'static str, width: usize) -> Inserts {
        Inserts {
            table_and_columns,
            width,
            params: Vec::with_capacity(ROWS_PER_INSERT * width),
        }
    }

    async fn push(
        &mut self,
        tx: &mut Tx<'_>,
        row: impl IntoIterator<Item = Param>,
    ) -> Result<(), CatalogueError> {
        self.params.extend(row);
        if self.params.len() >= ROWS_PER_INSERT * self.width {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut Tx<'_>) -> Result<(), CatalogueError> {
        if self.params.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO {} VALUES {}",
            self.table_and_columns,
            db::placeholders(tx, self.params.len() / self.width, self.width)
        );
        db::execute(tx, &sql, &self.params).await?;
        self.params.clear();
        Ok(())
    }
}

/// Writes `clusters` of `members`: identifiers, moved record ids, records.
pub async fn clusters(
    tx: &mut Tx<'_>,
    members: &[Loaded],
    clusters: &[Cluster],
    phases: &mut Phases<'_>,
) -> Result<(), CatalogueError> {
    let mut identifiers = Inserts::new("catalog_identifiers (kind, value, record_id)", 3);
    let mut moves = Inserts::new("catalog_moves (batch, position, record_id)", 3);
    let mut pending = Inserts::new(
        "catalog_pending_records (id, batch, position, lccn, isbns, issns, oclc_numbers)",
        7,
    );
    for cluster in clusters {
        let id = cluster.id.as_str();
        let mut isbns = BTreeSet::new();
        let mut issns = BTreeSet::new();
        // Numerically: numbers without leading zeros by length, then digits.
        let mut oclc: BTreeSet<(usize, &str)> = BTreeSet::new();
        let mut lccns = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for &i in &cluster.members {
            let loaded = &members[i];
            let m = &loaded.member;
            isbns.extend(m.isbns.iter().map(String::as_str));
            issns.extend(loaded.issns.iter().map(String::as_str));
            oclc.extend(m.oclc_numbers.iter().map(|n| (n.len(), n.as_str())));
            lccns.extend(loaded.lccn.as_deref());
            keys.extend(m.match_key.as_deref());
            if loaded.record_id.as_deref() != Some(id) {
                moves
                    .push(
                        tx,
                        [
                            Param::from(&*m.batch),
                            Param::from(m.position),
                            Param::from(id),
                        ],
                    )
                    .await?;
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
                identifiers
                    .push(
                        tx,
                        [Param::from(kind), Param::from(*value), Param::from(id)],
                    )
                    .await?;
            }
        }
        for (_, value) in &oclc {
            identifiers
                .push(
                    tx,
                    [Param::from("oclc"), Param::from(*value), Param::from(id)],
                )
                .await?;
        }
        let rep = &members[cluster.representative];
        let lccn = rep
            .lccn
            .as_deref()
            .or_else(|| lccns.first().copied())
            .map(str::to_owned);
        let list = |values: Vec<&str>| values.join(" ");
        pending
            .push(
                tx,
                [
                    Param::from(id),
                    Param::from(&*rep.member.batch),
                    Param::from(rep.member.position),
                    Param::from(lccn),
                    Param::from(list(isbns.into_iter().collect())),
                    Param::from(list(issns.into_iter().collect())),
                    Param::from(list(oclc.into_iter().map(|(_, n)| n).collect())),
                ],
            )
            .await?;
    }
    identifiers.flush(tx).await?;
    moves.flush(tx).await?;
    pending.flush(tx).await?;
    phases.lap("write identifiers and scratch rows");
    let move_holdings = match tx {
        Tx::Postgres(_) => MOVE_HOLDINGS_POSTGRES,
        Tx::Sqlite(_) => MOVE_HOLDINGS_SQLITE,
    };
    db::execute(tx, move_holdings, &[]).await?;
    phases.lap("update holdings' record ids");
    records(tx).await?;
    phases.lap("write records with lendable_by");
    db::execute(tx, "DELETE FROM catalog_moves", &[]).await?;
    db::execute(tx, "DELETE FROM catalog_pending_records", &[]).await?;
    Ok(())
}

/// Writes the pending records, a page at a time, with their searched text
/// (folded in Rust, as search folds queries).
async fn records(tx: &mut Tx<'_>) -> Result<(), CatalogueError> {
    let mut records = Inserts::new(
        "catalog_records (id, title, author, publisher, year, edition, lccn, isbns, issns, \
         oclc_numbers, words, lendable_by)",
        12,
    );
    let mut after = String::new();
    loop {
        let params = [Param::from(after.as_str()), Param::from(RECORDS_PER_PAGE)];
        let page: Vec<[Param; 12]> = on_tx!(tx, c => {
            bound!(PENDING_RECORDS, &params)
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
        let Some(last) = page.last() else {
            break;
        };
        if let Param::Text(Some(id)) = &last[0] {
            after.clone_from(id);
        }
        let full = page.len() as i64 == RECORDS_PER_PAGE;
        for row in page {
            records.push(tx, row).await?;
        }
        if !full {
            break;
        }
    }
    records.flush(tx).await
}
