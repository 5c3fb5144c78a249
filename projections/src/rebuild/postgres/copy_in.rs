//! Where a pass's rows go: per twin, a buffer of COPY lines handed in
//! chunks to a loader on a connection of its own (`COPY … FROM STDIN WITH
//! (FREEZE)` into the emptied twin, its indexes and constraints dropped and
//! recreated around it, in one transaction), or only fingerprinted.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::fingerprint::add_lines;
use super::twins::{Twin, TWINS};
use crate::read_models::Projection;
use crate::rebuild::fingerprint::Fingerprint;
use store::StoreError;

/// Bytes buffered per table before they go to its COPY.
const CHUNK: usize = 1 << 20;
/// Chunks in flight per table.
const IN_FLIGHT: usize = 4;

const LOAD_SETTINGS: &str = include_str!("load_settings.sql");
const CONSTRAINTS: &str = include_str!("twin_constraints.sql");
const INDEXES: &str = include_str!("twin_indexes.sql");

/// What a pass does with the rows it computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Load them into the twins (rebuild, and verify's thorough path).
    Load,
    /// Only fingerprint them (verify's first look).
    Fingerprint,
}

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
pub(super) struct Output {
    twin: &'static Twin,
    pub buffer: Vec<u8>,
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
    pub(super) async fn flush_full(&mut self) -> Result<(), StoreError> {
        if self.buffer.len() >= CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> Result<(), StoreError> {
        match &mut self.sink {
            Sink::Fingerprint(fingerprint) => add_lines(fingerprint, &mut self.buffer),
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
    let table = &twin.name;
    // A connection of its own: dropping it on an error rolls back.
    let mut tx = PgConnection::connect_with(&pool.connect_options()).await?;
    sqlx::Executor::execute(&mut tx, LOAD_SETTINGS).await?;
    let constraints: Vec<(String, String)> = sqlx::query_as(CONSTRAINTS)
        .bind(table)
        .fetch_all(&mut tx)
        .await?;
    let indexes: Vec<(String, String)> = sqlx::query_as(INDEXES)
        .bind(table)
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
    let mut copy = tx.copy_in_raw(&twin.copy_in).await?;
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

/// The outputs of one pass: one per twin of the selected projections.
pub(super) struct Outputs {
    pub views: Option<Output>,
    pub waiting: Option<Output>,
    pub stats_requests: Option<Output>,
    pub durations: Option<Output>,
    pub statistics: Option<[Output; 5]>,
    pub directory: Option<Output>,
}

impl Outputs {
    /// Loaders start at once: their set-up overlaps the pass.
    pub(super) fn start(pool: &PgPool, projections: &[Projection], mode: Mode) -> Outputs {
        let wanted = |projection| projections.contains(&projection);
        let start = |projection, twin| wanted(projection).then(|| Output::start(pool, twin, mode));
        Outputs {
            views: start(Projection::Requests, &TWINS.views),
            waiting: start(Projection::Requests, &TWINS.waiting),
            stats_requests: start(Projection::Statistics, &TWINS.stats_requests),
            durations: start(Projection::Statistics, &TWINS.durations),
            statistics: wanted(Projection::Statistics).then(|| {
                TWINS
                    .sums
                    .each_ref()
                    .map(|twin| Output::start(pool, twin, mode))
            }),
            directory: start(Projection::Libraries, &TWINS.directory),
        }
    }

    fn into_all(self) -> Vec<Output> {
        [
            self.views,
            self.waiting,
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
    pub(super) async fn finish(self) -> Result<BTreeMap<&'static str, Fingerprint>, StoreError> {
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
    pub(super) async fn abandon(self) {
        for output in self.into_all() {
            if let Sink::Load { sender, task } = output.sink {
                drop(sender);
                // Its error is only that it was stopped.
                drop(task.await);
            }
        }
    }
}
