//! The PostgreSQL bulk pass: one read of the log feeds every selected
//! projection, and the twins are filled by `COPY … FROM STDIN` (rebuild) or
//! only fingerprinted (verify's first look, `fingerprint.rs`).
//!
//! - The log is read once (`decode.rs`) inside a REPEATABLE READ snapshot.
//!   A request's rows are written when its last event has been folded
//!   (`plan.rs` says which that is), so memory holds only the requests still
//!   open at that point of the log.
//! - Each event goes through the projections' own folds
//!   (`read_models::{requests, statistics, libraries}::fold`), the code the
//!   incremental projector runs; only the I/O differs. Per-day statistics
//!   are summed in memory and written once at the end.
//! - Each twin is loaded in one transaction of its own connection: TRUNCATE,
//!   drop its indexes and constraints, `COPY … FROM STDIN WITH (FREEZE)`,
//!   recreate them from their catalogued definitions, ANALYZE, commit. A
//!   failure rolls all of it back.
//!
//! The events after the pass are applied afterwards by the incremental path
//! (`advance` in `mod.rs`), as after the batched rebuild.

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use domain::{Calendar, Library};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::decode::{self, Event, Wanted};
use super::fingerprint::{self, Fingerprint, StoredSide};
use super::plan::{self, Plan};
use super::RebuildProgress;
use crate::read_models::requests::{self, RequestRow, ViewColumns};
use crate::read_models::statistics::{self, Batch, Counts, Tracked};
use crate::read_models::{libraries, FastMap, Projection};
use store::log::Position;
use store::StoreError;

/// Bytes buffered per table before they go to its COPY.
const CHUNK: usize = 1 << 20;
/// Chunks in flight per table.
const IN_FLIGHT: usize = 4;
/// Events between progress reports.
const REPORT_EVERY: u64 = 50_000;

const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
const WORK_MEM: &str = "SET LOCAL work_mem = '256MB'";
const EXPORT_SNAPSHOT: &str = "SELECT pg_export_snapshot()";
/// The twins load side by side, which keeps the cores busy already:
/// parallel index builds would only add their workers' overhead.
const LOAD_SETTINGS: &str = "BEGIN; SET LOCAL maintenance_work_mem = '256MB';
SET LOCAL max_parallel_maintenance_workers = 0";
const CONSTRAINTS: &str = "
SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = $1::regclass AND contype IN ('p', 'u')";
const INDEXES: &str = "
SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
 WHERE x.indrelid = $1::regclass
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)";

/// A live table (its twin is `<live>_rebuild`) and the columns its COPY
/// lines give, in order.
pub(super) struct Twin {
    pub live: &'static str,
    pub columns: &'static str,
}

const VIEWS: Twin = Twin {
    live: "request_views",
    columns: "id, version, borrower, lender, status, updated_at_us, ended_at_us, \
              respond_by_us, view",
};
const DIRECTORY: Twin = Twin {
    live: "library_directory",
    columns: "id, version, name, lends, suspended",
};
const STATS_REQUESTS: Twin = Twin {
    live: "stats_requests",
    columns: "request_id, version, borrower, placed_at_us, routed_at_us",
};
const DURATIONS: Twin = Twin {
    live: "stats_durations",
    columns: "request_id, sequence, kind, library, day, micros",
};
const LIBRARY_DAYS: Twin = Twin {
    live: "stats_library_day",
    columns: "library, day, placed, filled, unfilled, cancelled, received, shipped, \
              declined, timed_out",
};
const DECLINES: Twin = Twin {
    live: "stats_declines_day",
    columns: "library, day, reason, declined",
};
const NETWORK_DAYS: Twin = Twin {
    live: "stats_network_day",
    columns: "day, placed, filled, unfilled, cancelled, received, shipped, declined, timed_out",
};
const NETWORK_DECLINES: Twin = Twin {
    live: "stats_network_declines_day",
    columns: "day, reason, declined",
};
const BLOCKS: Twin = Twin {
    live: "stats_receive_blocks",
    columns: "block, bucket, n",
};

/// What a pass does with the rows it computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Load them into the twins (rebuild, and verify's thorough path).
    Load,
    /// Only fingerprint them (verify's first look).
    Fingerprint,
}

/// The statistics twins written once, from the sums, at the end of a pass
/// (`write_statistics`, in this order).
const SUMS: [&Twin; 5] = [
    &LIBRARY_DAYS,
    &DECLINES,
    &NETWORK_DAYS,
    &NETWORK_DECLINES,
    &BLOCKS,
];

enum Message {
    Rows(Vec<u8>),
    /// Everything was sent: commit.
    Done,
}

/// Where a twin's COPY lines go.
enum Sink {
    /// Into the twin, by a task on a connection of its own.
    Load {
        sender: mpsc::Sender<Message>,
        task: JoinHandle<Result<u64, StoreError>>,
    },
    Fingerprint(Fingerprint),
}

/// One twin's output: lines are appended to `buffer`, whole rows at a time.
struct Output {
    twin: &'static Twin,
    buffer: Vec<u8>,
    sink: Sink,
}

impl Output {
    fn start(pool: &PgPool, twin: &'static Twin, mode: Mode) -> Output {
        let sink = match mode {
            Mode::Load => {
                let (sender, receiver) = mpsc::channel(IN_FLIGHT);
                let pool = pool.clone();
                let task = tokio::spawn(async move { load(&pool, twin, receiver).await });
                Sink::Load { sender, task }
            }
            Mode::Fingerprint => Sink::Fingerprint(Fingerprint::default()),
        };
        Output {
            twin,
            buffer: Vec::with_capacity(CHUNK + 64 * 1024),
            sink,
        }
    }

    /// Passes the buffer on when it is full.
    async fn flush_full(&mut self) -> Result<(), StoreError> {
        if self.buffer.len() >= CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> Result<(), StoreError> {
        match &mut self.sink {
            Sink::Fingerprint(fingerprint) => fingerprint.add_lines(&mut self.buffer),
            Sink::Load { sender, task } => {
                let rows =
                    std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK + 64 * 1024));
                if sender.send(Message::Rows(rows)).await.is_err() {
                    // The loader stopped: its error says why.
                    return Err(failure(task).await);
                }
            }
        }
        Ok(())
    }

    /// Passes the rest on and (loading) tells the loader to commit.
    async fn close(&mut self) -> Result<(), StoreError> {
        if !self.buffer.is_empty() {
            self.send().await?;
        }
        if let Sink::Load { sender, task } = &mut self.sink {
            if sender.send(Message::Done).await.is_err() {
                return Err(failure(task).await);
            }
        }
        Ok(())
    }

    /// After [`Self::close`]: the twin's fingerprint, or (loading) none once
    /// the twin is committed.
    async fn finish(self) -> Result<(&'static str, Option<Fingerprint>), StoreError> {
        match self.sink {
            Sink::Fingerprint(fingerprint) => Ok((self.twin.live, Some(fingerprint))),
            Sink::Load { task, .. } => match task.await {
                Ok(result) => result.map(|_| (self.twin.live, None)),
                Err(error) => Err(StoreError::Busy(format!("a twin's loader failed: {error}"))),
            },
        }
    }
}

/// Why a loader stopped early.
async fn failure(task: &mut JoinHandle<Result<u64, StoreError>>) -> StoreError {
    match task.await {
        Ok(Err(error)) => error,
        Ok(Ok(_)) => StoreError::Busy("a twin's loader stopped early".into()),
        Err(error) => StoreError::Busy(format!("a twin's loader failed: {error}")),
    }
}

/// Empties `twin`, drops its indexes, copies the rows in, and recreates the
/// indexes, in one transaction; rolled back unless `Done` arrives.
async fn load(
    pool: &PgPool,
    twin: &Twin,
    mut receiver: mpsc::Receiver<Message>,
) -> Result<u64, StoreError> {
    let table = format!("{}_rebuild", twin.live);
    // A connection of its own: dropping it on an error rolls back.
    let mut tx = PgConnection::connect_with(&pool.connect_options()).await?;
    sqlx::Executor::execute(&mut tx, LOAD_SETTINGS).await?;
    let constraints: Vec<(String, String)> = sqlx::query_as(CONSTRAINTS)
        .bind(&table)
        .fetch_all(&mut tx)
        .await?;
    let indexes: Vec<(String, String)> = sqlx::query_as(INDEXES)
        .bind(&table)
        .fetch_all(&mut tx)
        .await?;
    let mut ddl = format!("TRUNCATE {};", table);
    for (name, _) in &indexes {
        let _ = write!(ddl, "DROP INDEX {name};");
    }
    for (name, _) in &constraints {
        let _ = write!(ddl, "ALTER TABLE {} DROP CONSTRAINT {name};", table);
    }
    sqlx::Executor::execute(&mut tx, ddl.as_str()).await?;
    let statement = format!("COPY {} ({}) FROM STDIN WITH (FREEZE)", table, twin.columns);
    let mut copy = tx.copy_in_raw(&statement).await?;
    let mut done = false;
    while let Some(message) = receiver.recv().await {
        match message {
            Message::Rows(rows) => {
                if let Err(error) = copy.send(rows).await {
                    drop(copy.abort("the rebuild failed").await);
                    return Err(error.into());
                }
            }
            Message::Done => {
                done = true;
                break;
            }
        }
    }
    if !done {
        drop(copy.abort("the rebuild stopped").await);
        return Err(StoreError::Busy("the rebuild stopped".into()));
    }
    let rows = copy.finish().await?;
    let mut ddl = String::new();
    for (name, definition) in &constraints {
        let _ = write!(
            ddl,
            "ALTER TABLE {} ADD CONSTRAINT {name} {definition};",
            table
        );
    }
    for (_, definition) in &indexes {
        let _ = write!(ddl, "{definition};");
    }
    // The swapped-in tables are queried at once: the planner needs their
    // statistics (autovacuum, if it runs, would come later).
    let _ = write!(ddl, "ANALYZE {};COMMIT", table);
    sqlx::Executor::execute(&mut tx, ddl.as_str()).await?;
    drop(tx.close().await);
    Ok(rows)
}

/// One request still being folded.
struct Open {
    row: RequestRow,
    tracked: Option<Tracked>,
    last: i64,
}

/// The outputs of one pass: one per twin of the selected projections.
struct Outputs {
    views: Option<Output>,
    stats_requests: Option<Output>,
    durations: Option<Output>,
    statistics: Option<[Output; 5]>,
    directory: Option<Output>,
}

impl Outputs {
    /// Loaders start at once: their set-up overlaps the pass.
    fn start(pool: &PgPool, projections: &[Projection], mode: Mode) -> Outputs {
        let wanted = |projection| projections.contains(&projection);
        let start = |projection, twin| wanted(projection).then(|| Output::start(pool, twin, mode));
        Outputs {
            views: start(Projection::Requests, &VIEWS),
            stats_requests: start(Projection::Statistics, &STATS_REQUESTS),
            durations: start(Projection::Statistics, &DURATIONS),
            statistics: wanted(Projection::Statistics)
                .then(|| SUMS.map(|twin| Output::start(pool, twin, mode))),
            directory: start(Projection::Libraries, &DIRECTORY),
        }
    }

    fn twins(projections: &[Projection]) -> Vec<&'static Twin> {
        let mut twins = Vec::new();
        for projection in projections {
            match projection {
                Projection::Requests => twins.push(&VIEWS),
                Projection::Statistics => {
                    twins.extend([&STATS_REQUESTS, &DURATIONS]);
                    twins.extend(SUMS);
                }
                Projection::Libraries => twins.push(&DIRECTORY),
            }
        }
        twins
    }

    fn into_all(self) -> Vec<Output> {
        [
            self.views,
            self.stats_requests,
            self.durations,
            self.directory,
        ]
        .into_iter()
        .flatten()
        .chain(self.statistics.into_iter().flatten())
        .collect()
    }

    /// Passes every rest on and commits the twins, all loaders at once
    /// (each recreates its indexes); the fingerprints, when fingerprinting.
    async fn finish(self) -> Result<BTreeMap<&'static str, Fingerprint>, StoreError> {
        let mut all = self.into_all();
        for output in &mut all {
            output.close().await?;
        }
        let mut fingerprints = BTreeMap::new();
        for output in all {
            if let (table, Some(fingerprint)) = output.finish().await? {
                fingerprints.insert(table, fingerprint);
            }
        }
        Ok(fingerprints)
    }

    /// Drops everything sent: each loader rolls its twin back.
    async fn abandon(self) {
        for output in self.into_all() {
            if let Sink::Load { sender, task } = output.sink {
                drop(sender);
                // Its error is only that it was stopped.
                drop(task.await);
            }
        }
    }
}

/// What one pass read and where it stopped.
struct Pass {
    events: u64,
    position: Position,
    fingerprints: BTreeMap<&'static str, Fingerprint>,
}

/// Projects the log into the twins of `projections` in one pass; the events
/// read and the position the twins stand at.
pub(super) async fn build(
    pool: &PgPool,
    calendar: Calendar,
    projections: &[Projection],
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    let (pass, _) = run(pool, calendar, projections, Mode::Load, progress).await?;
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
    let (pass, stored) = run(
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

/// One pass over the log in one snapshot; fingerprinting, also the stored
/// side read in that snapshot.
async fn run(
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
            let twins = Outputs::twins(projections);
            Some(fingerprint::stored(pool, &snapshot, twins).await?)
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
                        for d in batch.durations.drain(..) {
                            let line = &mut output.buffer;
                            push_uuid(line, d.request_id);
                            push_i64(line, d.sequence);
                            push_text(line, d.kind);
                            push_text(line, d.library.as_str());
                            push_date(line, d.day);
                            push_last_i64(line, d.micros);
                        }
                        output.flush_full().await?;
                    }
                    if want_requests {
                        requests::fold(&mut entry.row, record)?;
                    }
                    if sequence >= entry.last {
                        let done = open.remove(&id).expect("an open request");
                        write_request(id, done, &mut outputs).await?;
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
        write_request(id, request, &mut outputs).await?;
    }
    if let Some(statistics) = outputs.statistics.as_mut() {
        write_statistics(statistics, &batch).await?;
    }
    if let Some(directory) = outputs.directory.as_mut() {
        for (id, (library, version)) in &libraries_seen {
            let record = libraries::record(id, library)?;
            let line = &mut directory.buffer;
            push_text(line, record.id.as_str());
            push_i64(line, *version);
            push_text(line, &record.name);
            push_bool(line, record.lends);
            push_bool(line, record.suspended);
            *line.last_mut().expect("a field") = b'\n';
        }
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

/// A request's view and statistics rows, once its events are all folded.
async fn write_request(id: Uuid, request: Open, outputs: &mut Outputs) -> Result<(), StoreError> {
    if let Some(output) = outputs.views.as_mut() {
        let Some(view) = &request.row.view else {
            return Err(StoreError::Malformed(format!(
                "request {id} does not begin with RequestPlaced"
            )));
        };
        let columns = ViewColumns::of(view, request.row.ended_at_us);
        let line = &mut output.buffer;
        push_uuid(line, columns.id);
        push_i64(line, columns.version);
        push_text(line, columns.borrower);
        push_optional_text(line, columns.lender);
        push_text(line, columns.status);
        push_i64(line, columns.updated_at_us);
        push_optional_i64(line, columns.ended_at_us);
        push_optional_i64(line, columns.respond_by_us);
        push_last_json(line, view)?;
        output.flush_full().await?;
    }
    if let (Some(output), Some(tracked)) = (outputs.stats_requests.as_mut(), &request.tracked) {
        let line = &mut output.buffer;
        push_uuid(line, id);
        push_i64(line, tracked.version);
        push_text(line, tracked.borrower.as_str());
        push_i64(line, tracked.placed_at_us);
        push_optional_i64(line, tracked.routed_at_us);
        *line.last_mut().expect("a field") = b'\n';
        output.flush_full().await?;
    }
    Ok(())
}

/// The per-day sums, the network's and the duration blocks, written once.
async fn write_statistics(outputs: &mut [Output; 5], batch: &Batch) -> Result<(), StoreError> {
    fn counts(line: &mut Vec<u8>, n: &Counts) {
        for value in [
            n.placed,
            n.filled,
            n.unfilled,
            n.cancelled,
            n.received,
            n.shipped,
            n.declined,
        ] {
            push_i64(line, value);
        }
        push_last_i64(line, n.timed_out);
    }
    let [days, declines, network_days, network_declines, receive_blocks] = outputs;
    for ((library, day), n) in &batch.counts {
        push_text(&mut days.buffer, library.as_str());
        push_date(&mut days.buffer, *day);
        counts(&mut days.buffer, n);
        days.flush_full().await?;
    }
    for ((library, day, reason), n) in &batch.declines {
        push_text(&mut declines.buffer, library.as_str());
        push_date(&mut declines.buffer, *day);
        push_text(&mut declines.buffer, reason.as_str());
        push_last_i64(&mut declines.buffer, *n);
        declines.flush_full().await?;
    }
    for (day, n) in batch.network_counts() {
        push_date(&mut network_days.buffer, day);
        counts(&mut network_days.buffer, &n);
        network_days.flush_full().await?;
    }
    for ((day, reason), n) in batch.network_declines() {
        push_date(&mut network_declines.buffer, day);
        push_text(&mut network_declines.buffer, reason.as_str());
        push_last_i64(&mut network_declines.buffer, n);
        network_declines.flush_full().await?;
    }
    for ((block, bucket), n) in batch.receive_blocks() {
        push_i64(&mut receive_blocks.buffer, block);
        push_i64(&mut receive_blocks.buffer, bucket);
        push_last_i64(&mut receive_blocks.buffer, n);
        receive_blocks.flush_full().await?;
    }
    Ok(())
}

/// Appends `text` escaped for COPY's text format, and a tab.
fn push_text(line: &mut Vec<u8>, text: &str) {
    escape_into(line, text.as_bytes());
    line.push(b'\t');
}

/// Escapes as PostgreSQL's own `COPY … TO` does, byte for byte: a row's
/// line is then the same whether written here or read out of a table
/// (`fingerprint.rs`).
fn escape_into(line: &mut Vec<u8>, bytes: &[u8]) {
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|&b| b == b'\\' || b < 0x20) {
        line.extend_from_slice(&rest[..i]);
        match rest[i] {
            b'\\' => line.extend_from_slice(b"\\\\"),
            b'\n' => line.extend_from_slice(b"\\n"),
            b'\r' => line.extend_from_slice(b"\\r"),
            b'\t' => line.extend_from_slice(b"\\t"),
            8 => line.extend_from_slice(b"\\b"),
            11 => line.extend_from_slice(b"\\v"),
            12 => line.extend_from_slice(b"\\f"),
            other => line.push(other),
        }
        rest = &rest[i + 1..];
    }
    line.extend_from_slice(rest);
}

fn push_optional_text(line: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => push_text(line, text),
        None => line.extend_from_slice(b"\\N\t"),
    }
}

fn push_i64(line: &mut Vec<u8>, value: i64) {
    let _ = write!(Bytes(line), "{value}\t");
}

fn push_last_i64(line: &mut Vec<u8>, value: i64) {
    let _ = writeln!(Bytes(line), "{value}");
}

fn push_optional_i64(line: &mut Vec<u8>, value: Option<i64>) {
    match value {
        Some(value) => push_i64(line, value),
        None => line.extend_from_slice(b"\\N\t"),
    }
}

fn push_bool(line: &mut Vec<u8>, value: bool) {
    line.extend_from_slice(if value { b"t\t" } else { b"f\t" });
}

fn push_uuid(line: &mut Vec<u8>, id: Uuid) {
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    line.extend_from_slice(id.hyphenated().encode_lower(&mut text).as_bytes());
    line.push(b'\t');
}

fn push_date(line: &mut Vec<u8>, day: NaiveDate) {
    // ISO 8601, as PostgreSQL's COPY writes a date.
    let _ = write!(Bytes(line), "{day}\t");
}

/// Appends `value` as JSON (the column's last field) and ends the row.
/// serde_json writes no raw control characters (it escapes them), so of
/// COPY's specials only the backslash can occur.
fn push_last_json(line: &mut Vec<u8>, value: &impl serde::Serialize) -> Result<(), StoreError> {
    let json = serde_json::to_vec(value)
        .map_err(|e| StoreError::Malformed(format!("serializing a read model: {e}")))?;
    let mut rest = json.as_slice();
    while let Some(i) = memchr::memchr(b'\\', rest) {
        line.extend_from_slice(&rest[..=i]);
        line.push(b'\\');
        rest = &rest[i + 1..];
    }
    line.extend_from_slice(rest);
    line.push(b'\n');
    Ok(())
}

/// `fmt::Write` into a byte buffer.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode::unescape;
    use super::*;

    #[test]
    fn json_rows_round_trip() {
        let value = serde_json::json!({"title": "a\\b \"c\"\n\t\u{1}"});
        let mut line = Vec::new();
        push_last_json(&mut line, &value).unwrap();
        assert_eq!(line.last(), Some(&b'\n'));
        line.pop();
        assert!(!line.iter().any(|b| *b < 0x20), "no raw control bytes");
        let mut back = Vec::new();
        unescape(&line, &mut back).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&back).unwrap(),
            value
        );
    }

    #[test]
    fn copy_text_round_trips() {
        let original = "a\\b\tc\nd\re {\"x\": \"\\\"q\\\"\"} \u{8}\u{b}\u{c}\u{1}";
        let mut line = Vec::new();
        push_text(&mut line, original);
        line.pop();
        let mut back = Vec::new();
        unescape(&line, &mut back).unwrap();
        assert_eq!(std::str::from_utf8(&back).unwrap(), original);
    }
}
