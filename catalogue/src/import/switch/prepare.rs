//! A switch's computation, before its transaction: from the staged batch
//! and the records it touches (of the library's live batch, or holding an
//! identifier of the new one), the clusters they form, written into the
//! staged tables as what the switch changes: records to delete and write,
//! identifier rows to delete and insert, live copies whose record id
//! changes. Records and identifier rows that stay as they are leave the
//! staged tables, so re-importing a file stages almost nothing; new ones are
//! written where they belong, marked with the batch, which hides them from
//! readers until the switch (migration 0018), so a first import leaves its
//! switch almost nothing either. The new batch's copies get their record ids
//! here: readers see only live batches' copies. Each step works on a range
//! of record ids, [`CLUSTERS_PER_RANGE`] clusters long.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;
use store::backend::{on_tx, Tx};

use crate::db::{self, Param};
use crate::error::CatalogueError;
use crate::import::cluster;

use super::members::{self, Loaded, Names};
use super::steps::Steps;
use super::write::{self, Inserts, Lending};
use super::Phases;

/// Values per `IN (…)` list.
const CHUNK: usize = 500;
/// Positions of the new batch given record ids per step.
const POSITIONS_PER_STEP: i64 = 10_000;
/// Computed clusters per range of record ids.
const CLUSTERS_PER_RANGE: usize = 5_000;
/// Above every record id ("ocolc:", "isbn:", "key:" and ASCII after them).
const LAST_ID: &str = "~";

/// The staged tables, each keyed by `batch` first.
pub const STAGED_TABLES: [&str; 5] = [
    "catalog_staged_touched",
    "catalog_staged_clusters",
    "catalog_staged_records",
    "catalog_staged_identifiers",
    "catalog_staged_moves",
];

/// Identifier rows not of a running import.
const VISIBLE: &str =
    "AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))";
const LIVE: &str = "SELECT id FROM holdings_imports WHERE library = $1 AND state = 'live'";
const RECORDS_OF_BATCH: &str =
    "SELECT DISTINCT record_id FROM holdings WHERE batch = $1 AND record_id IS NOT NULL";
const LENDERS: &str = include_str!("prepare/sql/lenders.sql");
const NEW_BATCH_RECORDS: &str = include_str!("prepare/sql/new_batch_records.sql");
/// Per range of ids, in this order: the diff against what is stored, then
/// the new rows written, and the clusters read (dropped a range at a time,
/// as the switch leaves little to drop).
const PER_RANGE: [&str; 9] = [
    include_str!("prepare/sql/identifiers_gone.sql"),
    include_str!("prepare/sql/identifiers_kept.sql"),
    include_str!("prepare/sql/touched_kept.sql"),
    include_str!("prepare/sql/records_kept.sql"),
    include_str!("prepare/sql/write_records.sql"),
    include_str!("prepare/sql/unstage_records.sql"),
    include_str!("prepare/sql/write_identifiers.sql"),
    include_str!("prepare/sql/unstage_identifiers.sql"),
    "DELETE FROM catalog_staged_clusters WHERE batch = $1 AND id > $2 AND id <= $3",
];
/// The new batch's moves, once applied.
const APPLIED_MOVES: &str = "DELETE FROM catalog_staged_moves \
     WHERE batch = $1 AND member_batch = $1 AND position > $2 AND position <= $3";
/// The staged tables' statistics, for the statements that read them.
const ANALYZE: &str = "ANALYZE catalog_staged_touched, catalog_staged_clusters, \
     catalog_staged_records, catalog_staged_identifiers, catalog_staged_moves";

/// What the switch of import `batch` for `library` (which lends as
/// `lending` says, `positions` records in its file) will change, staged.
pub async fn prepare(
    steps: &mut Steps<'_>,
    batch: &str,
    library: &str,
    lending: bool,
    positions: i64,
    phases: &mut Phases<'_>,
) -> Result<(), CatalogueError> {
    // What an earlier attempt staged and wrote.
    let written = ["catalog_records", "catalog_identifiers"];
    for table in STAGED_TABLES.iter().chain(&written) {
        let sql = format!("DELETE FROM {table} WHERE batch = $1");
        steps.execute(&sql, &[batch.into()]).await?;
    }
    let mut step = steps.read().await?;
    let tx = step.tx();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for live in db::strings(tx, LIVE, &[library.into()]).await? {
        touched.extend(db::strings(tx, RECORDS_OF_BATCH, &[live.into()]).await?);
    }
    let mut names = Names::default();
    let mut loaded = members::of_batch(tx, batch, &mut names).await?;
    phases.lap("load the new batch");
    touched.extend(records_holding(tx, &loaded).await?);
    let touched: Vec<String> = touched.into_iter().collect();
    // The library's live members are the batch this one replaces.
    let others = members::of_records(tx, &touched, &mut names).await?;
    loaded.extend(others.into_iter().filter(|m| &*m.member.library != library));
    let mut lenders = lenders(tx).await?;
    step.end().await?;
    lenders.insert(library.to_owned(), lending);
    phases.lap("find and load the records it touches");

    let clusters = cluster::clusters(&loaded);
    phases.lap("cluster");
    let mut rows = Inserts::new("catalog_staged_touched (batch, record_id)", 2);
    for id in touched {
        rows.push(steps, [Param::from(batch), Param::from(id)])
            .await?;
    }
    rows.flush(steps).await?;
    write::clusters(steps, batch, &loaded, &clusters, &lenders).await?;
    let mut bounds: Vec<String> = clusters
        .iter()
        .skip(CLUSTERS_PER_RANGE - 1)
        .step_by(CLUSTERS_PER_RANGE)
        .map(|c| c.id.clone())
        .collect();
    bounds.push(LAST_ID.to_owned());
    drop((loaded, clusters));
    analyze(steps).await?;
    phases.lap("stage identifiers, moves and clusters");
    write::records(steps, batch).await?;
    analyze(steps).await?;
    phases.lap("stage records");
    let mut after = String::new();
    for upto in bounds {
        let params = [
            Param::from(batch),
            Param::from(after.as_str()),
            Param::from(upto.as_str()),
        ];
        let mut step = steps.begin().await?;
        for sql in PER_RANGE {
            db::execute(step.tx(), sql, &params).await?;
        }
        step.end().await?;
        after = upto;
    }
    phases.lap("keep what is unchanged, write what is new");
    let mut after = 0;
    while after < positions {
        let upto = after + POSITIONS_PER_STEP;
        let params = [batch.into(), after.into(), upto.into()];
        let mut step = steps.begin().await?;
        for sql in [NEW_BATCH_RECORDS, APPLIED_MOVES] {
            db::execute(step.tx(), sql, &params).await?;
        }
        step.end().await?;
        after = upto;
    }
    phases.lap("give the new batch's copies their record ids");
    Ok(())
}

/// On PostgreSQL, gives the planner the staged tables' sizes.
async fn analyze(steps: &mut Steps<'_>) -> Result<(), CatalogueError> {
    if let Steps::Short(store::Database::Postgres(_)) = steps {
        steps.execute(ANALYZE, &[]).await?;
    }
    Ok(())
}

/// Whether each library lends and is not suspended.
async fn lenders(tx: &mut Tx<'_>) -> Result<Lending, CatalogueError> {
    Ok(on_tx!(tx, c => {
        sqlx::query(LENDERS)
            .fetch_all(&mut **c)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)? != 0)))
            .collect::<Result<Lending, sqlx::Error>>()?
    }))
}

/// The records that hold any identifier joining `members` to others.
async fn records_holding(
    tx: &mut Tx<'_>,
    members: &[Loaded],
) -> Result<BTreeSet<String>, CatalogueError> {
    let mut by_kind: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for loaded in members {
        let m = &loaded.member;
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
            // `kind` is one of the three literals above.
            let sql = format!(
                "SELECT DISTINCT record_id FROM catalog_identifiers \
                 WHERE kind = '{kind}' AND value IN ({}) {VISIBLE}",
                db::list(tx, chunk.len())
            );
            let params: Vec<Param> = chunk.iter().map(|v| Param::from(*v)).collect();
            found.extend(db::strings(tx, &sql, &params).await?);
        }
    }
    Ok(found)
}
