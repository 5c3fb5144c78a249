//! The PostgreSQL bulk pass: one read of the log feeds every selected
//! projection, and the twins are filled by `COPY … FROM STDIN` (rebuild) or
//! only fingerprinted (verify's first look, `fingerprint.rs`).
//!
//! - The log is read once (`decode.rs`) inside a REPEATABLE READ snapshot
//!   (`pass.rs`). A request's rows are written when its last event has been
//!   folded (`plan.rs` says which that is), so memory holds only the
//!   requests still open at that point of the log.
//! - Each event goes through the projections' own folds, the code the
//!   incremental projector runs; only the I/O differs (`rows.rs`). Per-day
//!   statistics are summed in memory and written once at the end.
//! - Each twin (`twins.rs`) is loaded in one transaction of its own
//!   connection (`copy_in.rs`): TRUNCATE, drop its indexes and constraints,
//!   `COPY … FROM STDIN WITH (FREEZE)`, recreate them from their catalogued
//!   definitions, ANALYZE, commit. A failure rolls all of it back.
//!
//! The events after the pass are applied afterwards by the incremental path
//! (`advance` in `swap.rs`), as after the batched rebuild.

mod copy_in;
mod decode;
mod fingerprint;
mod pass;
mod plan;
mod rows;
mod twins;

use domain::Calendar;
use sqlx::PgPool;

use self::copy_in::Mode;
use crate::read_models::Projection;
use crate::rebuild::progress::RebuildProgress;
use store::log::Position;
use store::StoreError;

const ANALYZE_EVENTS: &str = "ANALYZE events";
/// Whether the log's planner statistics are missing or stale.
const EVENTS_STATS_STALE: &str = include_str!("events_stats_stale.sql");

/// Fresh planner statistics for the log when they are stale: right after a
/// bulk import the planner takes the log for small, and sorts all of it
/// instead of walking the (tx_id, global_position) index.
pub(super) async fn analyze_events(pool: &PgPool) -> Result<(), StoreError> {
    let stale: bool = sqlx::query_scalar(EVENTS_STATS_STALE)
        .fetch_one(pool)
        .await?;
    if stale {
        sqlx::query(ANALYZE_EVENTS).execute(pool).await?;
    }
    Ok(())
}

/// Projects the log into the twins of `projections` in one pass; the events
/// read and the position the twins stand at.
pub(super) async fn build(
    pool: &PgPool,
    calendar: Calendar,
    projections: &[Projection],
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    let (pass, _) = pass::run(pool, calendar, projections, Mode::Load, progress).await?;
    Ok((pass.events, pass.position))
}

/// Verify's first look: whether every stored table holds exactly the rows
/// a rebuild would write, every live checkpoint standing where the pass
/// stopped (`fingerprint.rs`). False sends verify down the thorough path.
pub(super) async fn matches_stored(
    pool: &PgPool,
    calendar: Calendar,
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<bool, StoreError> {
    let (pass, stored) = pass::run(
        pool,
        calendar,
        &Projection::ALL,
        Mode::Fingerprint,
        progress,
    )
    .await?;
    let stored = stored.expect("fingerprinting reads the stored side");
    let fingerprints = match stored.fingerprints.await {
        Ok(result) => result?,
        Err(error) => return Err(StoreError::Busy(format!("reading a table failed: {error}"))),
    };
    Ok(stored.checkpoints.iter().all(|at| *at == pass.position)
        && fingerprints == pass.fingerprints)
}
