//! Rebuild and verify: the projections' own folds, over the whole log in one
//! bulk pass, into each projection's `_rebuild` twin tables (so the live tables keep serving and
//! the live projector keeps running), then one short transaction that swaps
//! the twins in (rebuild) or compares them with the stored rows (verify).
//!
//! That transaction first takes the live checkpoint's row (PostgreSQL: a row
//! lock; SQLite: the write lock), so no live batch runs across it; it brings
//! the twins to the live checkpoint, swaps, and sets the live checkpoint to
//! the twins'. The live projector's next compare-and-set then fails, and it
//! rereads the checkpoint and goes on on the new tables.
//!
//! The pass is the same on both backends where it can be (`bulk/`: the plan,
//! the decoding, the folds); each backend reads the log and loads the twins
//! its own way (`postgres/`: COPY; `sqlite/`: scratch tables, then one
//! transaction per projection). Verify first compares fingerprints of the
//! rows a rebuild would write with the stored rows (`fingerprint.rs`, each
//! backend's `fingerprint.rs`) and builds twins only when they differ.
//!
//! The patron vault and notes are not projections: never touched here.

mod bulk;
mod compare;
mod fingerprint;
mod lock;
mod postgres;
mod progress;
mod sqlite;
mod swap;

use std::time::Instant;

use domain::Calendar;

use self::compare::{compare, compared_tables};
use self::lock::RebuildLock;
use self::swap::{begin, clear, swap};
use crate::projector::set_checkpoint;
use crate::read_models::{Projection, Target};
use store::log::Position;
use store::on_db;
use store::Database;
use store::StoreError;

pub use self::compare::Difference;
pub use self::progress::{RebuildProgress, RebuildSummary, RebuiltProjection};

/// Rebuilds `projection` (every projection for `None`) and swaps it in.
pub async fn rebuild(
    db: &Database,
    calendar: Calendar,
    projection: Option<&str>,
) -> Result<RebuildSummary, StoreError> {
    rebuild_with_progress(db, calendar, projection, |_| {}).await
}

/// [`rebuild`], telling `progress` after each batch.
pub async fn rebuild_with_progress(
    db: &Database,
    calendar: Calendar,
    projection: Option<&str>,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<RebuildSummary, StoreError> {
    let mut summary = RebuildSummary::default();
    let projections = selected(projection)?;
    // One pass over the log for all of them.
    let started = Instant::now();
    let mut locks = Vec::new();
    for projection in &projections {
        locks.push(RebuildLock::take(db, *projection).await?);
    }
    let (events, built) = build_bulk(db, calendar, &projections, &mut progress).await?;
    for projection in projections {
        let position = swap(db, calendar, projection, built).await?;
        if matches!(db, Database::Sqlite(_)) {
            analyze_tables(db, projection).await?;
        }
        clear(db, projection).await?;
        summary.projections.push(RebuiltProjection {
            projection,
            events,
            position,
            elapsed: started.elapsed(),
        });
    }
    for lock in locks {
        lock.release().await;
    }
    Ok(summary)
}

/// SQLite: the tables the twins' rows were copied into are queried at once:
/// give the planner their statistics (PostgreSQL's twins are analyzed as
/// they load and swapped in whole, statistics and all).
async fn analyze_tables(db: &Database, projection: Projection) -> Result<(), StoreError> {
    for compared in compared_tables(projection) {
        on_db!(db, pool => sqlx::query(&compared.analyze).execute(pool).await.map(drop))?;
    }
    Ok(())
}

/// Moves the twins' checkpoints of `projections` to `position`, together.
async fn set_twin_checkpoints(
    db: &Database,
    projections: &[Projection],
    position: Position,
) -> Result<(), StoreError> {
    let mut tx = begin(db).await?;
    for projection in projections {
        set_checkpoint(&mut tx, projection.checkpoint(Target::Scratch), position).await?;
    }
    tx.commit().await
}

/// Resets the twins' checkpoints of `projections`, projects the log into
/// every twin of them in one pass (`postgres/`, `sqlite/`, each of which
/// also analyzes them), and sets the checkpoints to where that pass stopped
/// (SQLite: with each projection's rows).
async fn build_bulk(
    db: &Database,
    calendar: Calendar,
    projections: &[Projection],
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    set_twin_checkpoints(db, projections, Position::START).await?;
    match db {
        Database::Postgres(pool) => {
            postgres::analyze_events(pool).await?;
            let (events, built) = postgres::build(pool, calendar, projections, progress).await?;
            set_twin_checkpoints(db, projections, built).await?;
            Ok((events, built))
        }
        Database::Sqlite(pool) => sqlite::build(pool, calendar, projections, progress).await,
    }
}

/// Rebuilds every projection into its twins and compares them with the
/// stored tables at one checkpoint; the rows that differ (at most twenty per
/// table and side). Changes nothing stored. When the fingerprints match
/// ([`fingerprints_match`]) there is nothing to name and no twin is built.
pub async fn verify(
    db: &Database,
    calendar: Calendar,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<Vec<Difference>, StoreError> {
    let mut differences = Vec::new();
    if fingerprints_match(db, calendar, &mut progress).await? {
        return Ok(differences);
    }
    let mut locks = Vec::new();
    for projection in Projection::ALL {
        locks.push(RebuildLock::take(db, projection).await?);
    }
    let (_, built) = build_bulk(db, calendar, &Projection::ALL, &mut progress).await?;
    for projection in Projection::ALL {
        differences.extend(compare(db, calendar, projection, built).await?);
        clear(db, projection).await?;
    }
    for lock in locks {
        lock.release().await;
    }
    Ok(differences)
}

/// Verify's first look: whether every stored table holds exactly the rows
/// a rebuild would write, with every live checkpoint where that pass
/// stopped. One read of the log and of the tables, nothing stored written.
/// PostgreSQL's pass stops at the live checkpoint when it is close to the
/// end of the log (`postgres/plan.rs`); SQLite's reads the whole log, so a
/// projector still behind it sends verify the thorough way.
pub async fn fingerprints_match(
    db: &Database,
    calendar: Calendar,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<bool, StoreError> {
    match db {
        Database::Postgres(pool) => {
            postgres::analyze_events(pool).await?;
            postgres::matches_stored(pool, calendar, &mut progress).await
        }
        Database::Sqlite(pool) => sqlite::matches_stored(pool, calendar, &mut progress).await,
    }
}

fn selected(projection: Option<&str>) -> Result<Vec<Projection>, StoreError> {
    match projection {
        None => Ok(Projection::ALL.to_vec()),
        Some(name) => Projection::parse(name)
            .map(|p| vec![p])
            .ok_or_else(|| StoreError::UnknownProjection(name.to_owned())),
    }
}
