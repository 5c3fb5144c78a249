//! The catch-up projector (DESIGN.md, "Projections"): reads the log in global
//! order after each projection's checkpoint, in batches, and applies each
//! batch and moves the checkpoint in one database transaction.
//!
//! The checkpoint moves by compare-and-set as the transaction's first
//! statement: a runner whose checkpoint is stale (another runner, or a
//! rebuild's swap, moved it) rolls back and rereads it, so no batch is
//! applied twice however runners overlap. On PostgreSQL one process at a time
//! runs each projection, holding a session advisory lock on a connection of
//! its own; its batches commit on that connection, so when the session dies
//! its lock and any open batch go with it, and a standby's next poll (within
//! a second) takes over.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::Calendar;
use sqlx::postgres::PgListener;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;

use crate::changes::{Change, ChangeFeed, CHANNEL};
pub use crate::read_models::Projection;
use crate::read_models::{self, Target};
use store::backend::Tx;
use store::log::Position;
use store::Database;
use store::StoreError;
use store::{on_db, on_tx};

/// Events per batch (and per transaction).
const DEFAULT_BATCH: i64 = 500;
/// Batches one projection applies before the next one's turn (PostgreSQL).
const TURN_BATCHES: usize = 4;
/// How often the loop looks again without a notification, and how often a
/// standby tries to take the lock.
const POLL: Duration = Duration::from_secs(1);
/// How soon the loop looks again while committed events sit hidden behind
/// an older running transaction (anywhere in the cluster): no notification
/// comes when that transaction ends. Doubles up to `HIDDEN_RETRY_MAX` while
/// it lasts.
const HIDDEN_RETRY: Duration = Duration::from_millis(10);
const HIDDEN_RETRY_MAX: Duration = Duration::from_millis(100);
/// How long a runner that lost its session waits before trying for the lock
/// again: longer than `POLL`, so a healthy standby takes over first.
const RECONNECT_PAUSE: Duration = Duration::from_secs(3);
/// How long `catch_up` waits for events that committed before it was called
/// but still sit behind an older running transaction (PostgreSQL).
const HORIZON_WAIT: Duration = Duration::from_secs(60);

const LOAD_CHECKPOINT: &str =
    "SELECT tx, global_position FROM projector_checkpoints WHERE projection = $1";
const MOVE_CHECKPOINT: &str = "
UPDATE projector_checkpoints SET tx = $4, global_position = $5
 WHERE projection = $1 AND tx = $2 AND global_position = $3";
const CREATE_CHECKPOINT: &str = "
INSERT INTO projector_checkpoints (projection, tx, global_position) VALUES ($1, $2, $3)
ON CONFLICT (projection) DO NOTHING";
const SET_CHECKPOINT: &str = "
INSERT INTO projector_checkpoints (projection, tx, global_position) VALUES ($1, $2, $3)
ON CONFLICT (projection) DO UPDATE SET tx = excluded.tx, global_position = excluded.global_position";

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock($1)";
/// A batch's changes, in order, in one statement.
const NOTIFY: &str = "SELECT pg_notify($1, payload) FROM UNNEST($2::text[]) AS payload";
/// A rebuild's batches go to the twins, which are swapped in only at the
/// end, in a transaction of its own: after a crash the rebuild starts again,
/// so their commits need not wait for the WAL flush.
const ASYNC_COMMIT: &str = "SET LOCAL synchronous_commit = off";
/// The channel the events table's trigger notifies (0001_events.sql).
const EVENTS_CHANNEL: &str = "ill_events";

/// The projector of every projection. Cheap to clone: clones share the
/// status, the wake-up signal and the feed, so keep a clone to call
/// [`wake`](Self::wake) or [`catch_up`](Self::catch_up) after
/// [`spawn`](Self::spawn) took the original.
#[derive(Debug, Clone)]
pub struct Projector {
    database: Database,
    calendar: Calendar,
    batch_size: i64,
    status: Arc<ProjectorStatus>,
    wake: Arc<Notify>,
    feed: Option<broadcast::Sender<Change>>,
    /// Batches to commit before one fails (testing); negative: none fails.
    #[cfg(feature = "testing")]
    fail_after: Arc<AtomicI64>,
}

/// Where the batch transactions run.
pub(crate) enum Writer<'c> {
    Pool,
    /// The connection holding the advisory lock.
    Locked(&'c mut PgConnection),
}

impl Projector {
    pub fn new(database: Database, calendar: Calendar) -> Projector {
        Projector {
            database,
            calendar,
            batch_size: DEFAULT_BATCH,
            status: Arc::new(ProjectorStatus::new()),
            wake: Arc::new(Notify::new()),
            feed: None,
            #[cfg(feature = "testing")]
            fail_after: Arc::new(AtomicI64::new(-1)),
        }
    }

    /// SQLite: publish changes to `feed` after each commit. PostgreSQL sends
    /// them through NOTIFY to every process's feed, so this changes nothing
    /// there (and no change is heard twice).
    pub fn with_feed(mut self, feed: &ChangeFeed) -> Projector {
        if matches!(self.database, Database::Sqlite(_)) {
            self.feed = Some(feed.sender());
        }
        self
    }

    /// Events per batch transaction (default 500).
    pub fn with_batch_size(mut self, events: u32) -> Projector {
        self.batch_size = i64::from(events.max(1));
        self
    }

    pub fn status(&self) -> Arc<ProjectorStatus> {
        self.status.clone()
    }

    /// Looks at the log now instead of at the next poll: call after a local
    /// commit (SQLite has no NOTIFY).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Lets `batches` batches commit, then makes the next one fail after
    /// writing its tables, before its commit.
    #[cfg(feature = "testing")]
    pub fn fail_commit_after(&self, batches: u32) {
        self.fail_after.store(i64::from(batches), Ordering::SeqCst);
    }

    /// Applies every event committed before the call to every projection,
    /// without taking the PostgreSQL lock (the checkpoint compare-and-set
    /// keeps a concurrent runner from double-applying). Returns how many
    /// events the projection furthest behind applied.
    pub async fn catch_up(&self) -> Result<usize, StoreError> {
        let head = store::log::head(&self.database).await?;
        let mut most = 0;
        for projection in Projection::ALL {
            let applied = self
                .run_to(projection, Target::Live, head, &mut Writer::Pool, drop)
                .await?;
            most = most.max(applied);
        }
        Ok(most)
    }

    /// Runs the projector until `shutdown` turns true (or its sender goes),
    /// then applies what is committed and returns.
    pub fn spawn(self, shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(async move {
            match self.database.clone() {
                Database::Postgres(pool) => self.run_postgres(pool, shutdown).await,
                Database::Sqlite(_) => self.run_sqlite(shutdown).await,
            }
        })
    }

    async fn run_sqlite(self, mut shutdown: watch::Receiver<bool>) {
        // One process owns an SQLite store: it always leads.
        for status in &self.status.projections {
            status.leader.store(true, Ordering::Relaxed);
        }
        let mut stop = false;
        loop {
            stop |= *shutdown.borrow();
            for projection in Projection::ALL {
                let caught_up = self
                    .run_to(projection, Target::Live, None, &mut Writer::Pool, drop)
                    .await;
                if let Err(error) = caught_up.and(self.observe(projection).await) {
                    tracing::warn!(%error, %projection, "projector batch failed; retrying");
                }
            }
            if stop {
                break;
            }
            tokio::select! {
                changed = shutdown.changed() => stop = changed.is_err(),
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
        for status in &self.status.projections {
            status.leader.store(false, Ordering::Relaxed);
        }
    }

    async fn run_postgres(self, pool: PgPool, mut shutdown: watch::Receiver<bool>) {
        let mut session: Option<PgConnection> = None;
        let mut held = [false; Projection::ALL.len()];
        let mut listener: Option<PgListener> = None;
        let mut connect_after = Instant::now();
        let mut stop = false;
        let mut hidden_retry: Option<Duration> = None;
        loop {
            stop |= *shutdown.borrow();
            if session.is_none() && !stop && Instant::now() >= connect_after {
                match PgConnection::connect_with(&pool.connect_options()).await {
                    Ok(connection) => session = Some(connection),
                    Err(error) => {
                        tracing::warn!(%error, "projector cannot reach PostgreSQL");
                        connect_after = Instant::now() + RECONNECT_PAUSE;
                    }
                }
            }
            let mut behind = false;
            if let Some(connection) = session.as_mut() {
                if let Err(error) = self
                    .lead(connection, &mut held, stop)
                    .await
                    .map(|waiting| behind = waiting)
                {
                    // Keep the locks through a failed batch; give them up
                    // only with the session.
                    if connection.ping().await.is_ok() {
                        tracing::warn!(%error, "projector batch failed; retrying");
                    } else {
                        tracing::warn!(%error, "projector lost its session; another process may take over");
                        session = None;
                        held = [false; Projection::ALL.len()];
                        connect_after = Instant::now() + RECONNECT_PAUSE;
                    }
                }
            }
            for projection in Projection::ALL {
                let leads = held[projection.index()];
                self.status
                    .of(projection)
                    .leader
                    .store(leads, Ordering::Relaxed);
                if !leads {
                    if let Err(error) = self.observe(projection).await {
                        tracing::warn!(%error, %projection, "cannot read the projector's position");
                    }
                }
            }
            if stop {
                break;
            }
            if listener.is_none() {
                listener = listen(&pool)
                    .await
                    .inspect_err(|error| tracing::warn!(%error, "cannot LISTEN for events"))
                    .ok();
            }
            hidden_retry = behind
                .then(|| hidden_retry.map_or(HIDDEN_RETRY, |d| (d * 2).min(HIDDEN_RETRY_MAX)));
            let woken = tokio::select! {
                changed = shutdown.changed() => Woken::Shutdown(changed.is_err()),
                () = self.wake.notified() => Woken::Nudged,
                () = tokio::time::sleep(hidden_retry.unwrap_or(POLL)) => Woken::Nudged,
                heard = notification(&mut listener) => Woken::Listener(heard),
            };
            match woken {
                Woken::Shutdown(closed) => stop = closed,
                Woken::Nudged | Woken::Listener(Ok(())) => {}
                Woken::Listener(Err(error)) => {
                    tracing::warn!(%error, "lost the LISTEN connection");
                    listener = None;
                }
            }
            // One catch-up serves every notification that came meanwhile.
            if let Some(listener) = listener.as_mut() {
                while listener.next_buffered().is_some() {}
            }
        }
        // Events committed just before the stop may still hide behind an
        // older transaction elsewhere in the cluster: wait for them (bounded,
        // as `catch_up` does) before giving up the locks.
        if held.iter().any(|h| *h) {
            if let Err(error) = self.catch_up().await {
                tracing::warn!(%error, "flushing the projections on the way out failed");
            }
        }
        if let Some(connection) = session {
            // Closing the session releases the locks at once.
            drop(connection.close().await);
        }
        for status in &self.status.projections {
            status.leader.store(false, Ordering::Relaxed);
        }
    }

    /// Takes the locks it can (unless stopping) and brings the projections it
    /// holds up to date, committing on the locked session. Whether committed
    /// events are still waiting (hidden behind an older transaction).
    async fn lead(
        &self,
        session: &mut PgConnection,
        held: &mut [bool],
        stop: bool,
    ) -> Result<bool, StoreError> {
        session.ping().await?;
        let mut waiting = false;
        for projection in Projection::ALL {
            let i = projection.index();
            if !held[i] && !stop {
                held[i] = sqlx::query_scalar(TRY_LOCK)
                    .bind(projection.lock_key(Target::Live))
                    .fetch_one(&mut *session)
                    .await?;
                if held[i] {
                    tracing::info!(%projection, "this process now runs the projection");
                }
            }
            if held[i] {
                self.status
                    .of(projection)
                    .leader
                    .store(true, Ordering::Relaxed);
                // A few batches, then the next projection's turn: run to the
                // end, one kept the others waiting for seconds under sustained
                // writes (RELIABILITY.md). `waiting` brings the next turn soon;
                // stopping, each runs to the end.
                let turn = if stop { usize::MAX } else { TURN_BATCHES };
                let checkpoint = projection.checkpoint(Target::Live);
                let mut position = load_checkpoint(&self.database, checkpoint).await?;
                let mut writer = Writer::Locked(session);
                for _ in 0..turn {
                    let step = self.step(projection, Target::Live, &mut position, &mut writer);
                    if step.await?.is_none() {
                        break;
                    }
                }
                waiting |= self.observe(projection).await?;
            }
        }
        Ok(waiting)
    }

    /// Applies batches until nothing more is readable and, when `head` is
    /// given, the checkpoint has reached it. Returns the events applied;
    /// `on_batch` hears each batch's count.
    pub(crate) async fn run_to(
        &self,
        projection: Projection,
        target: Target,
        head: Option<Position>,
        writer: &mut Writer<'_>,
        mut on_batch: impl FnMut(usize),
    ) -> Result<usize, StoreError> {
        let mut position = load_checkpoint(&self.database, projection.checkpoint(target)).await?;
        let give_up = Instant::now() + HORIZON_WAIT;
        let mut applied = 0;
        loop {
            match self.step(projection, target, &mut position, writer).await? {
                Some(events) => {
                    applied += events;
                    on_batch(events);
                }
                None if head.is_some_and(|head| position < head) => {
                    if Instant::now() > give_up {
                        return Err(StoreError::Busy(format!(
                            "events before {head:?} stayed hidden behind a running transaction \
                             for {HORIZON_WAIT:?}"
                        )));
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                None => return Ok(applied),
            }
        }
    }

    /// Applies the batch after `*position` in one transaction. `None` when
    /// there was nothing to read; `Some(0)` when the checkpoint had moved
    /// elsewhere (`*position` is then reread).
    async fn step(
        &self,
        projection: Projection,
        target: Target,
        position: &mut Position,
        writer: &mut Writer<'_>,
    ) -> Result<Option<usize>, StoreError> {
        let events = store::log::read_after(&self.database, *position, self.batch_size).await?;
        let Some(last) = events.last() else {
            return Ok(None);
        };
        let (to, recorded_at) = (last.position, last.recorded_at);
        let mut tx = match (writer, &self.database) {
            (Writer::Locked(session), _) => Tx::Postgres(session.begin().await?),
            (Writer::Pool, Database::Postgres(pool)) => Tx::Postgres(pool.begin().await?),
            (Writer::Pool, Database::Sqlite(pool)) => Tx::Sqlite(pool.begin().await?),
        };
        let name = projection.checkpoint(target);
        if !move_checkpoint(&mut tx, name, *position, to).await? {
            drop(tx);
            *position = load_checkpoint(&self.database, name).await?;
            return Ok(Some(0));
        }
        let changes =
            read_models::apply(projection, &mut tx, target, &self.calendar, &events).await?;
        if let Tx::Postgres(tx) = &mut tx {
            if !changes.is_empty() {
                let payloads = changes
                    .iter()
                    .map(|change| {
                        serde_json::to_string(change)
                            .map_err(|e| StoreError::Malformed(format!("change {change:?}: {e}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                sqlx::query(NOTIFY)
                    .bind(CHANNEL)
                    .bind(payloads)
                    .execute(&mut **tx)
                    .await?;
            }
            if target == Target::Scratch {
                sqlx::query(ASYNC_COMMIT).execute(&mut **tx).await?;
            }
        }
        #[cfg(feature = "testing")]
        if self.fail_after.fetch_sub(1, Ordering::SeqCst) == 0 {
            return Err(StoreError::EventStore(
                "injected failure before commit".into(),
            ));
        }
        tx.commit().await?;
        *position = to;
        if let (Some(feed), Database::Sqlite(_)) = (&self.feed, &self.database) {
            for change in changes {
                // No subscribers is fine.
                drop(feed.send(change));
            }
        }
        if target == Target::Live {
            let status = self.status.of(projection);
            status.set_position(to);
            status
                .applied
                .fetch_add(events.len() as u64, Ordering::Relaxed);
            status.set_lag(Some(recorded_at));
        }
        Ok(Some(events.len()))
    }

    /// Records where a projection stands, whoever runs it, and how long the
    /// oldest event after it has waited; whether one is waiting.
    async fn observe(&self, projection: Projection) -> Result<bool, StoreError> {
        let position = load_checkpoint(&self.database, projection.checkpoint(Target::Live)).await?;
        let waiting = store::log::first_recorded_after(&self.database, position).await?;
        let status = self.status.of(projection);
        status.set_position(position);
        status.set_lag(waiting);
        Ok(waiting.is_some())
    }
}

enum Woken {
    Shutdown(bool),
    Nudged,
    Listener(Result<(), sqlx::Error>),
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(EVENTS_CHANNEL).await?;
    Ok(listener)
}

/// The next notification; never, without a listener.
async fn notification(listener: &mut Option<PgListener>) -> Result<(), sqlx::Error> {
    match listener {
        // `None` from `try_recv`: the connection dropped and came back; look
        // at the log in case a notification was lost.
        Some(listener) => listener.try_recv().await.map(drop),
        None => std::future::pending().await,
    }
}

/// Where a projection's live tables stand in the log.
pub async fn checkpoint(
    database: &Database,
    projection: Projection,
) -> Result<Position, StoreError> {
    load_checkpoint(database, projection.checkpoint(Target::Live)).await
}

/// A live checkpoint as a PostgreSQL connection's open transaction sees it
/// (the bulk pass reads it inside its snapshot).
pub(crate) async fn live_checkpoint_on(
    c: &mut sqlx::PgConnection,
    projection: Projection,
) -> Result<Position, StoreError> {
    let row: Option<(i64, i64)> = sqlx::query_as(LOAD_CHECKPOINT)
        .bind(projection.checkpoint(Target::Live))
        .fetch_optional(c)
        .await?;
    Ok(row.map_or(Position::START, |(tx, global)| Position { tx, global }))
}

/// A projection's stored checkpoint; the start of the log before its first batch.
pub(crate) async fn load_checkpoint(
    database: &Database,
    name: &str,
) -> Result<Position, StoreError> {
    let row: Option<(i64, i64)> = on_db!(database, pool => sqlx::query_as(LOAD_CHECKPOINT)
        .bind(name)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map_or(Position::START, |(tx, global)| Position { tx, global }))
}

/// Moves checkpoint `name` from `from` to `to`, when it is still at `from`.
/// The transaction's first statement, and a write: it serializes runners
/// (PostgreSQL row lock; SQLite's write lock, taken before any read).
pub(crate) async fn move_checkpoint(
    tx: &mut Tx<'_>,
    name: &str,
    from: Position,
    to: Position,
) -> Result<bool, StoreError> {
    let moved = on_tx!(tx, c => sqlx::query(MOVE_CHECKPOINT)
        .bind(name)
        .bind(from.tx)
        .bind(from.global)
        .bind(to.tx)
        .bind(to.global)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    if moved == 1 || from != Position::START {
        return Ok(moved == 1);
    }
    let created = on_tx!(tx, c => sqlx::query(CREATE_CHECKPOINT)
        .bind(name)
        .bind(to.tx)
        .bind(to.global)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(created == 1)
}

/// Sets checkpoint `name` unconditionally (rebuild's reset and swap).
pub(crate) async fn set_checkpoint(
    tx: &mut Tx<'_>,
    name: &str,
    to: Position,
) -> Result<(), StoreError> {
    on_tx!(tx, c => sqlx::query(SET_CHECKPOINT)
        .bind(name)
        .bind(to.tx)
        .bind(to.global)
        .execute(&mut **c)
        .await
        .map(drop))?;
    Ok(())
}

/// Where each projection stands, readable without locks (for `/metrics`).
#[derive(Debug)]
pub struct ProjectorStatus {
    projections: [ProjectionStatus; Projection::ALL.len()],
}

#[derive(Debug)]
pub struct ProjectionStatus {
    projection: Projection,
    tx: AtomicI64,
    global: AtomicI64,
    lag_micros: AtomicI64,
    applied: AtomicU64,
    leader: AtomicBool,
}

impl ProjectorStatus {
    fn new() -> ProjectorStatus {
        ProjectorStatus {
            projections: Projection::ALL.map(|projection| ProjectionStatus {
                projection,
                tx: AtomicI64::new(0),
                global: AtomicI64::new(0),
                lag_micros: AtomicI64::new(0),
                applied: AtomicU64::new(0),
                leader: AtomicBool::new(false),
            }),
        }
    }

    pub fn projections(&self) -> &[ProjectionStatus] {
        &self.projections
    }

    pub fn of(&self, projection: Projection) -> &ProjectionStatus {
        &self.projections[projection.index()]
    }

    /// The largest lag of any projection, in seconds.
    pub fn lag_seconds(&self) -> f64 {
        self.projections
            .iter()
            .map(ProjectionStatus::lag_seconds)
            .fold(0.0, f64::max)
    }

    /// Events this process applied, summed over the projections.
    pub fn events_applied(&self) -> u64 {
        self.projections
            .iter()
            .map(ProjectionStatus::events_applied)
            .sum()
    }

    /// Whether this process runs any projection.
    pub fn is_leader(&self) -> bool {
        self.projections.iter().any(ProjectionStatus::is_leader)
    }
}

impl ProjectionStatus {
    pub fn projection(&self) -> Projection {
        self.projection
    }

    /// The checkpoint as last seen or moved by this process.
    pub fn position(&self) -> Position {
        Position {
            tx: self.tx.load(Ordering::Relaxed),
            global: self.global.load(Ordering::Relaxed),
        }
    }

    /// How long the oldest event not yet applied has been committed (0 when
    /// none waits), as last seen.
    pub fn lag_seconds(&self) -> f64 {
        self.lag_micros.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// Events this process applied to the projection.
    pub fn events_applied(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    /// Whether this process runs the projection.
    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    fn set_position(&self, position: Position) {
        self.tx.store(position.tx, Ordering::Relaxed);
        self.global.store(position.global, Ordering::Relaxed);
    }

    fn set_lag(&self, since: Option<DateTime<Utc>>) {
        let lag = since.map_or(0, |since| {
            (Utc::now() - since).num_microseconds().unwrap_or(i64::MAX)
        });
        self.lag_micros.store(lag.max(0), Ordering::Relaxed);
    }
}
