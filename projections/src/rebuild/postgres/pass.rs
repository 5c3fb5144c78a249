//! One pass over the log inside a REPEATABLE READ snapshot (`decode.rs`),
//! each event through the projections' own folds (`bulk::Folds`), the rows
//! they finish handed to the outputs (`copy_in.rs`) as they come. Per-day
//! statistics and the requests waiting at each lender are summed in memory
//! and written once at the end.

use std::collections::BTreeMap;

use domain::Calendar;
use sqlx::{Connection, PgConnection, PgPool};

use super::copy_in::{Mode, Outputs};
use super::decode;
use super::fingerprint::{self, StoredSide};
use super::plan;
use super::rows::{
    write_directory, write_durations, write_request, write_statistics, write_waiting,
};
use super::twins;
use crate::read_models::Projection;
use crate::rebuild::bulk::{Folds, Plan, Wanted, REPORT_EVERY};
use crate::rebuild::fingerprint::Fingerprint;
use crate::rebuild::progress::RebuildProgress;
use store::log::Position;
use store::StoreError;

const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
const WORK_MEM: &str = "SET LOCAL work_mem = '256MB'";
const EXPORT_SNAPSHOT: &str = "SELECT pg_export_snapshot()";

/// What one pass read and where it stopped.
pub(super) struct Pass {
    pub events: u64,
    pub position: Position,
    pub fingerprints: BTreeMap<&'static str, Fingerprint>,
}

/// One pass over the log in one snapshot; fingerprinting, also the stored
/// side read in that snapshot.
pub(super) async fn run(
    pool: &PgPool,
    calendar: Calendar,
    projections: &[Projection],
    mode: Mode,
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(Pass, Option<StoredSide>), StoreError> {
    let mut reader = PgConnection::connect_with(&pool.connect_options()).await?;
    sqlx::Executor::execute(&mut reader, BEGIN_SNAPSHOT).await?;
    sqlx::Executor::execute(&mut reader, WORK_MEM).await?;
    let stored = match mode {
        Mode::Load => None,
        Mode::Fingerprint => {
            let snapshot: String = sqlx::query_scalar(EXPORT_SNAPSHOT)
                .fetch_one(&mut reader)
                .await?;
            Some(fingerprint::stored(pool, &snapshot, twins::of(projections)).await?)
        }
    };
    let mut plan = plan::plan(&mut reader).await?;
    let pass = loop {
        let hinted = plan.hinted();
        let passed = pass(
            pool,
            &mut reader,
            calendar,
            projections,
            mode,
            plan,
            progress,
        )
        .await?;
        match passed {
            Some(pass) => break pass,
            // The hints fell short of a stream: counted, once.
            None if hinted => plan = plan::counted(&mut reader).await?,
            None => return Err(StoreError::Malformed("a counted pass fell short".into())),
        }
    };
    sqlx::Executor::execute(&mut reader, "COMMIT").await?;
    drop(reader.close().await);
    Ok((pass, stored))
}

/// Reads the log as `plan` says and folds it into the outputs; `None` when
/// a hinted plan's last sequence fell short of a stream (nothing is kept).
async fn pass(
    pool: &PgPool,
    reader: &mut PgConnection,
    calendar: Calendar,
    projections: &[Projection],
    mode: Mode,
    plan: Plan,
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<Option<Pass>, StoreError> {
    let shown = projections.first().copied().unwrap_or(Projection::Requests);
    let (upto, total) = (plan.upto, plan.total);
    progress(RebuildProgress {
        projection: shown,
        applied: 0,
        total,
    });

    let mut outputs = Outputs::start(pool, projections, mode);
    let mut folds = Folds::new(calendar, projections, plan);
    let mut log = decode::open(reader, Wanted::of(projections), upto).await?;
    let mut rows = Vec::new();
    while log.next(&mut rows).await? {
        for row in rows.drain(..) {
            if !folds.fold(row)? {
                log.skip_rest().await?;
                outputs.abandon().await;
                return Ok(None);
            }
            if folds.read % REPORT_EVERY == 0 {
                progress(RebuildProgress {
                    projection: shown,
                    applied: folds.read,
                    total,
                });
            }
        }
        write_folded(&mut folds, &mut outputs).await?;
    }
    drop(log);

    let libraries_seen = folds.finish();
    write_folded(&mut folds, &mut outputs).await?;
    if let Some(statistics) = outputs.statistics.as_mut() {
        write_statistics(statistics, &folds.batch).await?;
    }
    if let Some(waiting) = outputs.waiting.as_mut() {
        write_waiting(waiting, &folds.waiting);
    }
    if let Some(directory) = outputs.directory.as_mut() {
        write_directory(directory, &libraries_seen)?;
    }
    let fingerprints = outputs.finish().await?;
    // One pass fed them all: each is done.
    for projection in projections {
        progress(RebuildProgress {
            projection: *projection,
            applied: folds.read,
            total,
        });
    }
    Ok(Some(Pass {
        events: folds.read,
        position: folds.position,
        fingerprints,
    }))
}

/// The rows finished so far: the requests' and the durations'.
async fn write_folded(folds: &mut Folds, outputs: &mut Outputs) -> Result<(), StoreError> {
    for done in folds.done.drain(..) {
        write_request(done.id, &done.row, done.tracked.as_ref(), outputs).await?;
    }
    if let Some(output) = outputs.durations.as_mut() {
        write_durations(output, &mut folds.batch).await?;
    }
    Ok(())
}
