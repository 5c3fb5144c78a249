//! The SQLite bulk pass: one read of the log feeds every selected
//! projection, as on PostgreSQL (`bulk/`), and the twins are loaded in bulk.
//!
//! - The log is read once in global order on a connection of its own, in
//!   one read transaction (WAL: a snapshot; writers go on), after each
//!   request's last sequence is counted in the same snapshot.
//! - Each event goes through the projections' own folds (`bulk::Folds`);
//!   the rows they finish go into scratch tables in the temporary database
//!   of the rebuild's own writer connection (`scratch.rs`, `rows.rs`), with
//!   that connection's PRAGMAs (`settings.sql`) for as long as it lives.
//! - Then each projection's twins are loaded from the scratch tables in one
//!   transaction of the store (`load.rs`): indexes dropped and built again
//!   around the copy, ANALYZE, the twins' checkpoint set with the rows.
//!
//! The events after the pass are applied afterwards by the incremental path
//! (`advance` in `swap.rs`), as on PostgreSQL.

mod load;
mod rows;
mod scratch;

use domain::Calendar;
use futures::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, Row, SqliteConnection, SqlitePool};

use self::scratch::Scratch;
use crate::read_models::Projection;
use crate::rebuild::bulk::{self, Decoded, Folds, Plan, Wanted, REPORT_EVERY};
use crate::rebuild::progress::RebuildProgress;
use store::log::Position;
use store::StoreError;

const SETTINGS: &str = include_str!("settings.sql");
const LOG_ROWS: &str = include_str!("log_rows.sql");

/// Projects the log into the twins of `projections` in one pass and loads
/// them, their checkpoints with them; the events read and the position the
/// twins stand at.
pub(super) async fn build(
    pool: &SqlitePool,
    calendar: Calendar,
    projections: &[Projection],
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    let options = pool.connect_options();
    // Its temporary database, and the scratch tables in it, end with it.
    let mut writer = SqliteConnection::connect_with(&options).await?;
    let built = async {
        sqlx::Executor::execute(&mut writer, SETTINGS).await?;
        let mut scratch = Scratch::create(&mut writer, projections).await?;
        let mut reader = SqliteConnection::connect_with(&options).await?;
        let passed = pass(
            &mut reader,
            &mut writer,
            &mut scratch,
            calendar,
            projections,
            progress,
        )
        .await;
        drop(reader.close().await);
        let (events, position) = passed?;
        for projection in projections {
            load::load(&mut writer, *projection, position).await?;
        }
        Ok((events, position))
    }
    .await;
    drop(writer.close().await);
    built
}

/// Reads the log in one snapshot and folds it into the scratch tables, in
/// one transaction of the writer's temporary database.
async fn pass(
    reader: &mut SqliteConnection,
    writer: &mut SqliteConnection,
    scratch: &mut Scratch,
    calendar: Calendar,
    projections: &[Projection],
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    let mut snapshot = reader.begin().await?;
    let plan = Plan::counted(sqlx::query_as(bulk::LAST_SEQUENCES).fetch(&mut *snapshot)).await?;
    let shown = projections.first().copied().unwrap_or(Projection::Requests);
    let total = plan.total;
    progress(RebuildProgress {
        projection: shown,
        applied: 0,
        total,
    });
    let wanted = Wanted::of(projections);
    let mut folds = Folds::new(calendar, projections, plan);
    let mut sink = writer.begin().await?;
    let mut log = sqlx::query(LOG_ROWS).fetch(&mut *snapshot);
    while let Some(row) = log.try_next().await? {
        if !folds.fold(decode(&row, wanted)?)? {
            return Err(StoreError::Malformed("a counted pass fell short".into()));
        }
        if folds.read % REPORT_EVERY == 0 {
            progress(RebuildProgress {
                projection: shown,
                applied: folds.read,
                total,
            });
        }
        write_folded(&mut sink, scratch, &mut folds).await?;
    }
    drop(log);
    snapshot.commit().await?;

    let libraries_seen = folds.finish();
    write_folded(&mut sink, scratch, &mut folds).await?;
    if let Some(tables) = scratch.sums.as_mut() {
        rows::write_statistics(&mut sink, tables, &folds.batch).await?;
    }
    if let Some(table) = scratch.waiting.as_mut() {
        rows::write_waiting(&mut sink, table, &folds.waiting).await?;
    }
    if let Some(table) = scratch.directory.as_mut() {
        rows::write_directory(&mut sink, table, &libraries_seen).await?;
    }
    scratch.flush(&mut sink).await?;
    sink.commit().await?;
    // One pass fed them all: each is done.
    for projection in projections {
        progress(RebuildProgress {
            projection: *projection,
            applied: folds.read,
            total,
        });
    }
    Ok((folds.read, folds.position))
}

/// The rows finished so far: the requests' and the durations'.
async fn write_folded(
    c: &mut SqliteConnection,
    scratch: &mut Scratch,
    folds: &mut Folds,
) -> Result<(), StoreError> {
    for done in folds.done.drain(..) {
        rows::write_request(c, scratch, done).await?;
    }
    if let Some(table) = scratch.durations.as_mut() {
        rows::write_durations(c, table, &mut folds.batch).await?;
    }
    Ok(())
}

/// One row of `log_rows.sql`, decoded for the folds.
fn decode(row: &SqliteRow, wanted: Wanted) -> Result<Decoded, StoreError> {
    let position = Position {
        tx: 0,
        global: row.try_get(0)?,
    };
    bulk::decode(
        wanted,
        position,
        row.try_get(1)?,
        row.try_get(2)?,
        row.try_get(3)?,
        || Ok((row.try_get(4)?, row.try_get(5)?)),
    )
}
