//! The switch: in one transaction, a library's holdings become its new
//! batch, the old batch is dropped, and every cluster the old or the new
//! batch touches is computed again (merged, split, renamed), with its
//! records, identifiers, holdings' record ids and `lendable_by`. Each phase's
//! time is logged (target `catalogue::import::switch`, level debug).

mod members;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use store::backend::Tx;
use store::Database;

use crate::db::{self, Param};
use crate::error::CatalogueError;

use super::cluster;
use super::Totals;
use members::{Loaded, Names};

/// Values per `IN (…)` list.
const CHUNK: usize = 500;

const FINISH: &str = include_str!("sql/finish.sql");
const LIVE: &str = "SELECT id FROM holdings_imports WHERE library = $1 AND state = 'live'";
const REPLACE: &str =
    "UPDATE holdings_imports SET state = 'replaced' WHERE library = $1 AND state = 'live'";
const GO_LIVE: &str = "UPDATE holdings_imports SET state = 'live' WHERE id = $1";
const RECORDS_OF_BATCH: &str =
    "SELECT DISTINCT record_id FROM holdings WHERE batch = $1 AND record_id IS NOT NULL";
/// Serialises switches across processes on PostgreSQL (SQLite has one
/// writer, taken by the switch's first statement).
const SWITCH_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('ill_catalogue_switch'))";

/// Logs how long each phase of one switch took.
pub struct Phases<'a> {
    batch: &'a str,
    since: Instant,
}

impl Phases<'_> {
    fn lap(&mut self, phase: &str) {
        tracing::debug!(
            import = self.batch,
            phase,
            ms = self.since.elapsed().as_millis() as u64,
            "import phase"
        );
        self.since = Instant::now();
    }
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
    let mut phases = Phases {
        batch,
        since: Instant::now(),
    };
    let mut tx = db::begin(db).await?;
    if matches!(db, Database::Postgres(_)) {
        db::execute(&mut tx, SWITCH_LOCK, &[]).await?;
        // The scratch tables' statistics are of an empty table, so the
        // planner's estimates of the set-based statements are far off, high
        // enough to compile each page's query (a second or two each) for
        // work that takes milliseconds.
        db::execute(&mut tx, "SET LOCAL jit = off", &[]).await?;
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
    phases.lap("lock and go live");

    let mut touched: BTreeSet<String> = BTreeSet::new();
    for old_batch in &old {
        touched.extend(db::strings(&mut tx, RECORDS_OF_BATCH, &[old_batch.as_str().into()]).await?);
        super::lock::drop_batch(&mut tx, old_batch).await?;
    }
    phases.lap("drop the old batch");
    let mut names = Names::default();
    let mut loaded = members::of_batch(&mut tx, batch, &mut names).await?;
    phases.lap("load the new batch");
    touched.extend(records_holding(&mut tx, &loaded).await?);
    phases.lap("find the records it joins");
    let touched: Vec<String> = touched.into_iter().collect();
    loaded.extend(members::of_records(&mut tx, &touched, &mut names).await?);
    for ids in touched.chunks(CHUNK) {
        let params: Vec<Param> = ids.iter().map(|id| Param::from(id.as_str())).collect();
        for table_and_column in [
            "catalog_records WHERE id",
            "catalog_identifiers WHERE record_id",
        ] {
            let sql = format!(
                "DELETE FROM {table_and_column} IN ({})",
                db::list(&tx, ids.len())
            );
            db::execute(&mut tx, &sql, &params).await?;
        }
    }
    phases.lap("load and delete the records it touches");
    let clusters = cluster::clusters(&loaded);
    phases.lap("cluster");
    write::clusters(&mut tx, &loaded, &clusters, &mut phases).await?;
    tx.commit().await?;
    phases.lap("commit");
    Ok(true)
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
                 WHERE kind = '{kind}' AND value IN ({})",
                db::list(tx, chunk.len())
            );
            let params: Vec<Param> = chunk.iter().map(|v| Param::from(*v)).collect();
            found.extend(db::strings(tx, &sql, &params).await?);
        }
    }
    Ok(found)
}
