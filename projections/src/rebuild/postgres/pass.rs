//! One pass over the log inside a REPEATABLE READ snapshot (`decode.rs`),
//! each event through the projections' own folds
//! (`read_models::{requests, statistics, libraries}::fold`), the code the
//! incremental projector runs; only the I/O differs. A request's rows are
//! written when its last event has been folded (`plan.rs` says which that
//! is), so memory holds only the requests still open at that point of the
//! log. Per-day statistics are summed in memory and written once at the
//! end.

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

use domain::{Calendar, Library};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::copy_in::{Mode, Outputs};
use super::decode::{self, Event, Wanted};
use super::fingerprint::{self, Fingerprint, StoredSide};
use super::plan::{self, Plan};
use super::rows::{write_directory, write_durations, write_request, write_statistics};
use super::twins;
use crate::read_models::requests::{self, RequestRow};
use crate::read_models::statistics::{self, Batch, Tracked};
use crate::read_models::{libraries, FastMap, Projection};
use crate::rebuild::progress::RebuildProgress;
use store::log::Position;
use store::StoreError;

/// Events between progress reports.
const REPORT_EVERY: u64 = 50_000;

const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
const WORK_MEM: &str = "SET LOCAL work_mem = '256MB'";
const EXPORT_SNAPSHOT: &str = "SELECT pg_export_snapshot()";

/// One request still being folded.
struct Open {
    row: RequestRow,
    tracked: Option<Tracked>,
    last: i64,
}

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
    let (want_requests, want_statistics, want_libraries) = (
        projections.contains(&Projection::Requests),
        projections.contains(&Projection::Statistics),
        projections.contains(&Projection::Libraries),
    );
    let shown = projections.first().copied().unwrap_or(Projection::Requests);
    let hinted = plan.hinted();
    let (mut last_sequences, total) = (plan.lasts, plan.total);
    progress(RebuildProgress {
        projection: shown,
        applied: 0,
        total,
    });

    let mut outputs = Outputs::start(pool, projections, mode);
    let mut open: FastMap<Uuid, Open> = FastMap::default();
    let mut libraries_seen: BTreeMap<String, (Library, i64)> = BTreeMap::new();
    let mut batch = Batch::default();
    let mut position = Position::START;
    let mut read = 0u64;

    let wanted = Wanted {
        requests: want_requests || want_statistics,
        libraries: want_libraries,
    };
    let mut log = decode::open(reader, wanted, plan.upto).await?;
    let mut rows = Vec::new();
    while log.next(&mut rows).await? {
        for row in rows.drain(..) {
            position = row.position;
            read += 1;
            match row.event {
                Event::Request(record) => {
                    let (id, sequence) = (record.id, record.sequence);
                    let entry = match open.entry(id) {
                        Entry::Occupied(entry) => entry.into_mut(),
                        // Written already: its last sequence was short.
                        Entry::Vacant(_) if hinted && sequence != 1 => {
                            log.skip_rest().await?;
                            outputs.abandon().await;
                            return Ok(None);
                        }
                        Entry::Vacant(entry) => entry.insert(Open {
                            row: RequestRow::default(),
                            tracked: None,
                            last: last_sequences.remove(&id).unwrap_or(i64::MAX),
                        }),
                    };
                    if let Some(output) = outputs.durations.as_mut() {
                        statistics::fold(&mut entry.tracked, &record, &calendar, &mut batch)?;
                        write_durations(output, &mut batch).await?;
                    }
                    if want_requests {
                        requests::fold(&mut entry.row, record)?;
                    }
                    if sequence >= entry.last {
                        let done = open.remove(&id).expect("an open request");
                        write_request(id, &done.row, done.tracked.as_ref(), &mut outputs).await?;
                    }
                }
                Event::Library(stored) => {
                    let (library, version) = libraries_seen
                        .entry(stored.aggregate_id.clone())
                        .or_insert_with(|| (Library::default(), 0));
                    libraries::fold(library, version, &stored)?;
                }
                Event::Skipped => {}
            }
            if read % REPORT_EVERY == 0 {
                progress(RebuildProgress {
                    projection: shown,
                    applied: read,
                    total,
                });
            }
        }
    }
    drop(log);

    // Requests whose last event the snapshot did not hold (none, unless the
    // counts and the log disagree).
    let mut still_open: Vec<(Uuid, Open)> = open.into_iter().collect();
    still_open.sort_by_key(|(id, _)| *id);
    for (id, request) in still_open {
        write_request(id, &request.row, request.tracked.as_ref(), &mut outputs).await?;
    }
    if let Some(statistics) = outputs.statistics.as_mut() {
        write_statistics(statistics, &batch).await?;
    }
    if let Some(directory) = outputs.directory.as_mut() {
        write_directory(directory, &libraries_seen)?;
    }
    let fingerprints = outputs.finish().await?;
    // One pass fed them all: each is done.
    for projection in projections {
        progress(RebuildProgress {
            projection: *projection,
            applied: read,
            total,
        });
    }
    Ok(Some(Pass {
        events: read,
        position,
        fingerprints,
    }))
}
