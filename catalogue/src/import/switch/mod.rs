//! The switch: a library's holdings become its new batch, the old batch is
//! dropped, and every cluster the old or the new batch touches is computed
//! again (merged, split, renamed), with its records, identifiers, holdings'
//! record ids and `lendable_by`. The computation runs first, over short
//! transactions, into staged tables ([`prepare`]); one short transaction
//! then applies it ([`apply`]) if the catalogue's generation has not moved
//! meanwhile, else it is computed again; after [`ATTEMPTS`] such races, the
//! computation runs inside the switch's transaction, which holds the
//! generation's lock throughout. The old batch's rows go afterwards, a
//! range at a time, and the catalogue's tables are analyzed (PostgreSQL).
//! Each phase's time is logged (target `catalogue::import::switch`, level
//! debug).

mod apply;
mod members;
mod prepare;
mod steps;
mod write;

use std::time::Instant;

use store::Database;

use crate::db::{self, Param};
use crate::error::CatalogueError;

use super::Totals;
use apply::Applied;
use steps::Steps;

pub use apply::BUMP_GENERATION;
pub use prepare::STAGED_TABLES;

/// Computations raced by other switches before one holds the lock.
const ATTEMPTS: usize = 3;
/// Positions of a replaced batch dropped per transaction.
const POSITIONS_PER_DROP: i64 = 10_000;

/// The library's replaced batches whose rows are not dropped yet (a process
/// that stopped after its switch leaves some).
const REPLACED: &str = "SELECT id FROM holdings_imports i \
     WHERE library = $1 AND state = 'replaced' \
       AND EXISTS (SELECT 1 FROM catalog_members m WHERE m.batch = i.id)";
const LAST_POSITION: &str =
    "SELECT CAST(coalesce(max(position), 0) AS BIGINT) FROM catalog_members WHERE batch = $1";
/// Planner statistics for the tables a switch changes most, on PostgreSQL,
/// so that the next import and every search plan for their size: autovacuum
/// may be off or late. Planned on the empty tables of before the first
/// import, a second library's import of 62,500 records took 368 s (17 s on
/// SQLite, whose plans did not need them; there, an `ANALYZE` after the
/// switch made other connections' writes fail as busy now and then: the
/// first one creates `sqlite_stat1`, a change of schema).
const ANALYZE: &str = "ANALYZE catalog_records, catalog_identifiers, catalog_members, holdings";

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
    let positions = totals.records;
    let mut applied = Applied::Moved;
    for _ in 0..ATTEMPTS {
        let mut tx = db::read(db).await?;
        let generation = db::integer(&mut tx, apply::GENERATION, &[]).await?;
        tx.commit().await?;
        let mut steps = Steps::Short(db);
        prepare::prepare(&mut steps, batch, library, lending, positions, &mut phases).await?;
        let mut tx = db::begin(db).await?;
        applied = apply::apply(&mut tx, batch, library, lending, totals, Some(generation)).await?;
        if let Applied::Done = applied {
            tx.commit().await?;
        }
        phases.lap("switch");
        if !matches!(applied, Applied::Moved) {
            break;
        }
    }
    if let Applied::Moved = applied {
        let mut tx = db::begin(db).await?;
        db::execute(&mut tx, apply::BUMP_GENERATION, &[]).await?;
        let mut steps = Steps::Held(tx);
        prepare::prepare(&mut steps, batch, library, lending, positions, &mut phases).await?;
        let Steps::Held(mut tx) = steps else {
            unreachable!("the steps hold the transaction");
        };
        applied = apply::apply(&mut tx, batch, library, lending, totals, None).await?;
        if let Applied::Done = applied {
            tx.commit().await?;
        }
        phases.lap("switch, computed under its lock");
    }
    if let Applied::TakenOver = applied {
        return Ok(false);
    }
    // The switch is made: what is left is clearing up, whose failure the
    // next switch of the library makes good.
    if let Err(error) = clear_up(db, batch, library).await {
        tracing::warn!(%error, import = batch, "clearing up after a switch failed");
    }
    phases.lap("drop the old batch and the staged rows");
    if let Err(error) = analyze(db).await {
        tracing::warn!(%error, import = batch, "analyzing the catalogue after a switch failed");
    }
    phases.lap("analyze the catalogue's tables");
    Ok(true)
}

/// Refreshes PostgreSQL's statistics of the catalogue's tables.
async fn analyze(db: &Database) -> Result<(), CatalogueError> {
    if let Database::Postgres(_) = db {
        let mut tx = db::begin(db).await?;
        db::execute(&mut tx, ANALYZE, &[]).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Drops the batch's staged rows and the rows of the library's replaced
/// batches, a range of positions per transaction (readers see only live
/// batches, so none sees them go).
async fn clear_up(db: &Database, batch: &str, library: &str) -> Result<(), CatalogueError> {
    let mut steps = Steps::Short(db);
    for table in STAGED_TABLES {
        let sql = format!("DELETE FROM {table} WHERE batch = $1");
        steps.execute(&sql, &[batch.into()]).await?;
    }
    let mut tx = db::read(db).await?;
    let replaced = db::strings(&mut tx, REPLACED, &[library.into()]).await?;
    tx.commit().await?;
    for old in replaced {
        let mut tx = db::read(db).await?;
        let last = db::integer(&mut tx, LAST_POSITION, &[old.as_str().into()]).await?;
        tx.commit().await?;
        let mut after = 0;
        while after < last {
            let upto = after + POSITIONS_PER_DROP;
            let params = [Param::from(old.as_str()), after.into(), upto.into()];
            let mut tx = db::begin(db).await?;
            for table in ["holdings", "catalog_members"] {
                let sql = format!(
                    "DELETE FROM {table} WHERE batch = $1 AND position > $2 AND position <= $3"
                );
                db::execute(&mut tx, &sql, &params).await?;
            }
            tx.commit().await?;
            after = upto;
        }
    }
    Ok(())
}
