//! The catch-up projector (DESIGN.md, "Projections"): reads the log in global
//! order after each projection's checkpoint, in batches, and applies each
//! batch and moves the checkpoint in one database transaction, shared by
//! the projections that stand at the same position.
//!
//! The checkpoint moves by compare-and-set as the transaction's first
//! statement: a runner whose checkpoint is stale (another runner, or a
//! rebuild's swap, moved it) rolls back and rereads it, so no batch is
//! applied twice however runners overlap. On PostgreSQL one process at a time
//! runs each projection, holding a session advisory lock on a connection of
//! its own; its batches commit on that connection, so when the session dies
//! its lock and any open batch go with it, and a standby's next poll (within
//! a second) takes over.

mod checkpoint;
mod postgres;
mod sqlite;
mod status;

#[cfg(feature = "testing")]
use std::sync::atomic::AtomicI64;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::Calendar;
use sqlx::{Connection, PgConnection};
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;

use crate::changes::Change;
use crate::feed::{ChangeFeed, CHANNEL};
pub use crate::read_models::Projection;
use crate::read_models::{self, Target};
use store::backend::Tx;
use store::log::Position;
use store::{Database, StoreError};

pub use checkpoint::checkpoint;
pub(crate) use checkpoint::{live_checkpoint_on, load_checkpoint, move_checkpoint, set_checkpoint};
pub use status::{ProjectionStatus, ProjectorStatus};

/// Events per batch (and per transaction).
const DEFAULT_BATCH: i64 = 500;
/// How often the loop looks again without a notification, and how often a
/// standby tries to take the lock.
const POLL: Duration = Duration::from_secs(1);
/// How long a woken projector lets more commits gather before its turn: a
/// turn costs some twenty statements whatever it carries, and commands come
/// a millisecond or two apart, so without the pause each would bring a turn
/// of its own.
const GATHER: Duration = Duration::from_millis(10);
/// How long `catch_up` waits for events that committed before it was called
/// but still sit behind an older running transaction (PostgreSQL).
const HORIZON_WAIT: Duration = Duration::from_secs(60);

/// A batch's changes, in order, in one statement.
const NOTIFY: &str = "SELECT pg_notify($1, payload) FROM UNNEST($2::text[]) AS payload";
/// A rebuild's batches go to the twins, which are swapped in only at the
/// end, in a transaction of its own: after a crash the rebuild starts again,
/// so their commits need not wait for the WAL flush.
const ASYNC_COMMIT: &str = "SET LOCAL synchronous_commit = off";

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
        self.run_to(
            &Projection::ALL,
            Target::Live,
            head,
            &mut Writer::Pool,
            usize::MAX,
            drop,
        )
        .await
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

    /// Applies batches to `projections` until nothing more is readable (or
    /// after `rounds` rounds of batches) and, when `head` is given, every
    /// checkpoint has reached it. Projections that stand at the same
    /// position share each batch and its one transaction: after the first
    /// catch-up they all stand at the log's end, so one commit serves the
    /// three. Returns the events the projection furthest behind applied;
    /// `on_batch` hears each batch's count.
    pub(crate) async fn run_to(
        &self,
        projections: &[Projection],
        target: Target,
        head: Option<Position>,
        writer: &mut Writer<'_>,
        rounds: usize,
        mut on_batch: impl FnMut(usize),
    ) -> Result<usize, StoreError> {
        let mut positions = Vec::with_capacity(projections.len());
        for projection in projections {
            positions.push(load_checkpoint(&self.database, projection.checkpoint(target)).await?);
        }
        let mut applied = vec![0; projections.len()];
        let give_up = Instant::now() + HORIZON_WAIT;
        for _ in 0..rounds {
            let mut progressed = false;
            for (members, mut position) in groups(&positions) {
                let group: Vec<Projection> = members.iter().map(|&i| projections[i]).collect();
                let Some(events) = self.step(&group, target, &mut position, writer).await? else {
                    continue;
                };
                progressed = true;
                on_batch(events);
                for &i in &members {
                    applied[i] += events;
                    positions[i] = if events == 0 {
                        // Moved elsewhere: where it stands now.
                        load_checkpoint(&self.database, projections[i].checkpoint(target)).await?
                    } else {
                        position
                    };
                }
            }
            if progressed {
                continue;
            }
            if !head.is_some_and(|head| positions.iter().any(|p| *p < head)) {
                break;
            }
            if Instant::now() > give_up {
                return Err(StoreError::Busy(format!(
                    "events before {head:?} stayed hidden behind a running transaction \
                     for {HORIZON_WAIT:?}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(applied.into_iter().max().unwrap_or(0))
    }

    /// Applies the batch after `*position` to `projections` (all standing
    /// there) in one transaction. `None` when there was nothing to read;
    /// `Some(0)` when a checkpoint had moved elsewhere (nothing applied).
    async fn step(
        &self,
        projections: &[Projection],
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
        for projection in projections {
            if !move_checkpoint(&mut tx, projection.checkpoint(target), *position, to).await? {
                return Ok(Some(0));
            }
        }
        let mut changes = Vec::new();
        for projection in projections {
            changes.extend(
                read_models::apply(*projection, &mut tx, target, &self.calendar, &events).await?,
            );
        }
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
            for projection in projections {
                let status = self.status.of(*projection);
                status.set_position(to);
                status
                    .applied
                    .fetch_add(events.len() as u64, Ordering::Relaxed);
                status.set_lag(Some(recorded_at));
            }
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

/// The indexes of `positions` grouped by equal position, in first-seen order.
fn groups(positions: &[Position]) -> Vec<(Vec<usize>, Position)> {
    let mut groups: Vec<(Vec<usize>, Position)> = Vec::new();
    for (i, position) in positions.iter().enumerate() {
        match groups.iter_mut().find(|(_, at)| at == position) {
            Some((members, _)) => members.push(i),
            None => groups.push((vec![i], *position)),
        }
    }
    groups
}
