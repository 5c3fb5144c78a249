//! The SQLite bulk pass: one read of the log feeds every selected
//! projection, as on PostgreSQL (`bulk/`), and the twins are loaded in bulk.
//!
//! - The log is read once in global order on a connection of its own, in
//!   one read transaction (WAL: a snapshot; writers go on), after each
//!   request's last sequence is counted in the same snapshot; a page of
//!   2,000 events a row (`log_page.rs`).
//! - Each event goes through the projections' own folds (`bulk::Folds`);
//!   the rows they finish go into scratch tables in the temporary database
//!   of the rebuild's own writer connection (`scratch.rs`, `rows.rs`), with
//!   that connection's PRAGMAs (`settings.sql`) for as long as it lives.
//! - Then each projection's twins are loaded from the scratch tables in one
//!   transaction of the store (`load.rs`): indexes dropped and built again
//!   around the copy, ANALYZE, the twins' checkpoint set with the rows.
//!
//! The events after the pass are applied afterwards by the incremental path
//! (`advance` in `swap.rs`), as on PostgreSQL. Verify's first look runs the
//! same pass and fingerprints the scratch tables against the stored ones
//! instead of loading twins (`fingerprint.rs`).

mod fingerprint;
mod load;
mod log_page;
mod rows;
mod scratch;

use std::collections::BTreeMap;

use domain::Calendar;
use sqlx::{Connection, SqliteConnection, SqlitePool};

use self::log_page::{LogPages, LogRow};
use self::scratch::{scratch_name, tables, Scratch};
use crate::projector::live_checkpoint_on;
use crate::read_models::Projection;
use crate::rebuild::bulk::{self, Decoded, Folds, Plan, Wanted, REPORT_EVERY};
use crate::rebuild::fingerprint::Fingerprint;
use crate::rebuild::progress::RebuildProgress;
use store::log::Position;
use store::StoreError;

const SETTINGS: &str = include_str!("settings.sql");

/// Projects the log into the twins of `projections` in one pass and loads
/// them, their checkpoints with them; the events read and the position the
/// twins stand at.
pub(super) async fn build(
    pool: &SqlitePool,
    calendar: Calendar,
    projections: &[Projection],
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    let mut pass = Pass::open(pool, projections).await?;
    let built = async {
        let mut snapshot = pass.reader.begin().await?;
        let passed = pass
            .writer
            .fold_log(&mut snapshot, calendar, projections, progress)
            .await?;
        snapshot.commit().await?;
        for projection in projections {
            load::load(&mut pass.writer.connection, *projection, passed.1).await?;
        }
        Ok(passed)
    }
    .await;
    pass.close().await;
    built
}

/// Verify's first look: whether every stored table holds exactly the rows
/// a rebuild would write, with every live checkpoint where that pass
/// stopped. Nothing is written to the store.
pub(super) async fn matches_stored(
    pool: &SqlitePool,
    calendar: Calendar,
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<bool, StoreError> {
    let projections = Projection::ALL;
    let mut pass = Pass::open(pool, &projections).await?;
    let matched = async {
        let mut snapshot = pass.reader.begin().await?;
        let (_, position) = pass
            .writer
            .fold_log(&mut snapshot, calendar, &projections, progress)
            .await?;
        let mut stored_at = Vec::new();
        for projection in projections {
            stored_at.push(live_checkpoint_on(&mut *snapshot, projection).await?);
        }
        if stored_at.iter().any(|at| *at != position) {
            return Ok(false);
        }
        // Each connection reads on a thread of its own: both sides at once.
        let (stored, built) = tokio::try_join!(
            fingerprints(&mut snapshot, &projections, |live| format!("main.{live}")),
            fingerprints(&mut pass.writer.connection, &projections, |live| {
                format!("temp.{}", scratch_name(live))
            }),
        )?;
        snapshot.commit().await?;
        Ok(stored == built)
    }
    .await;
    pass.close().await;
    matched
}

/// The fingerprint of every table of `projections`, each read from the
/// table `name` gives for its live name.
async fn fingerprints(
    c: &mut SqliteConnection,
    projections: &[Projection],
    name: impl Fn(&str) -> String,
) -> Result<BTreeMap<&'static str, Fingerprint>, StoreError> {
    let mut fingerprints = BTreeMap::new();
    for projection in projections {
        for (live, _) in tables(*projection) {
            fingerprints.insert(*live, fingerprint::of(c, live, &name(live)).await?);
        }
    }
    Ok(fingerprints)
}

/// A pass's two connections: the reader of the log, and the writer whose
/// temporary database holds the scratch tables (they end with it).
struct Pass {
    reader: SqliteConnection,
    writer: Writer,
}

/// The writer connection and its scratch tables.
struct Writer {
    connection: SqliteConnection,
    scratch: Scratch,
}

impl Pass {
    async fn open(pool: &SqlitePool, projections: &[Projection]) -> Result<Pass, StoreError> {
        let options = pool.connect_options();
        let mut connection = SqliteConnection::connect_with(&options).await?;
        sqlx::Executor::execute(&mut connection, SETTINGS).await?;
        let scratch = Scratch::create(&mut connection, projections).await?;
        let reader = SqliteConnection::connect_with(&options).await?;
        Ok(Pass {
            reader,
            writer: Writer {
                connection,
                scratch,
            },
        })
    }

    async fn close(self) {
        drop(self.reader.close().await);
        drop(self.writer.connection.close().await);
    }
}

impl Writer {
    /// Reads the log in `snapshot` (a read transaction: the caller decides
    /// what else it reads there) and folds it into the scratch tables, in
    /// one transaction of the writer's temporary database; the events read
    /// and where the pass stopped.
    async fn fold_log(
        &mut self,
        snapshot: &mut SqliteConnection,
        calendar: Calendar,
        projections: &[Projection],
        progress: &mut impl FnMut(RebuildProgress),
    ) -> Result<(u64, Position), StoreError> {
        let scratch = &mut self.scratch;
        let plan =
            Plan::counted(sqlx::query_as(bulk::LAST_SEQUENCES).fetch(&mut *snapshot)).await?;
        let shown = projections.first().copied().unwrap_or(Projection::Requests);
        let total = plan.total;
        progress(RebuildProgress {
            projection: shown,
            applied: 0,
            total,
        });
        let wanted = Wanted::of(projections);
        let mut folds = Folds::new(calendar, projections, plan);
        let mut sink = self.connection.begin().await?;
        let mut pages = LogPages::default();
        while let Some(page) = pages.next(snapshot).await? {
            for row in log_page::rows(&page) {
                if !folds.fold(decode(&row?, wanted)?)? {
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
        }

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

/// One event of the log, decoded for the folds.
fn decode(row: &LogRow<'_>, wanted: Wanted) -> Result<Decoded, StoreError> {
    let position = Position {
        tx: 0,
        global: row.global,
    };
    bulk::decode(
        wanted,
        position,
        row.aggregate_type,
        row.aggregate_id,
        row.sequence,
        || Ok((row.payload, row.metadata)),
    )
}
