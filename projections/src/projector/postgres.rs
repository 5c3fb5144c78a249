//! The projector's loop on PostgreSQL: one process at a time runs each
//! projection, holding a session advisory lock; the others stand by, and
//! every runner wakes on the notification an appending node sends after its
//! commit (`store::event_store::announce`) or a poll.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use sqlx::postgres::PgListener;
use sqlx::{Connection, PgConnection, PgPool};
use store::event_store::EVENTS_CHANNEL;
use store::StoreError;
use tokio::sync::watch;

use super::{Projector, Writer, GATHER, POLL};
use crate::read_models::{Projection, Target};

/// Batches one projection applies before the next one's turn.
const TURN_BATCHES: usize = 4;
/// How soon the loop looks again while committed events sit hidden behind
/// an older running transaction (anywhere in the cluster): no notification
/// comes when that transaction ends. Doubles up to `HIDDEN_RETRY_MAX` while
/// it lasts.
const HIDDEN_RETRY: Duration = Duration::from_millis(10);
const HIDDEN_RETRY_MAX: Duration = Duration::from_millis(100);
/// The longest idle poll of a runner that runs every projection.
const IDLE_POLL_MAX: Duration = Duration::from_secs(8);
/// How long a runner that lost its session waits before trying for the lock
/// again: longer than `POLL`, so a healthy standby takes over first.
const RECONNECT_PAUSE: Duration = Duration::from_secs(3);

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock($1)";

impl Projector {
    pub(super) async fn run_postgres(self, pool: PgPool, mut shutdown: watch::Receiver<bool>) {
        let mut session: Option<PgConnection> = None;
        let mut held = [false; Projection::ALL.len()];
        let mut listener: Option<PgListener> = None;
        let mut connect_after = Instant::now();
        let mut stop = false;
        let mut hidden_retry: Option<Duration> = None;
        let mut idle_poll = POLL;
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
            let mut led = Led::default();
            if let Some(connection) = session.as_mut() {
                if let Err(error) = self
                    .lead(connection, &mut held, stop)
                    .await
                    .map(|turn| led = turn)
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
            hidden_retry = led
                .waiting
                .then(|| hidden_retry.map_or(HIDDEN_RETRY, |d| (d * 2).min(HIDDEN_RETRY_MAX)));
            // Running every projection and finding nothing new: look less
            // often (notifications still wake it at once). A standby keeps
            // polling every `POLL`, to take over soon.
            idle_poll = if led.applied || !held.iter().all(|h| *h) {
                POLL
            } else {
                (idle_poll * 2).min(IDLE_POLL_MAX)
            };
            let woken = tokio::select! {
                changed = shutdown.changed() => Woken::Shutdown(changed.is_err()),
                () = self.wake.notified() => Woken::Appended,
                () = tokio::time::sleep(hidden_retry.unwrap_or(idle_poll)) => Woken::Nudged,
                heard = notification(&mut listener) => Woken::Listener(heard),
            };
            match woken {
                Woken::Shutdown(closed) => stop = closed,
                Woken::Nudged => {}
                Woken::Appended | Woken::Listener(Ok(())) => tokio::time::sleep(GATHER).await,
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
    /// events are still waiting (hidden behind an older transaction), and
    /// whether any were applied.
    async fn lead(
        &self,
        session: &mut PgConnection,
        held: &mut [bool],
        stop: bool,
    ) -> Result<Led, StoreError> {
        session.ping().await?;
        let mut leads = Vec::new();
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
                leads.push(projection);
            }
        }
        // A few rounds of batches, then the loop's turn: run to the end, a
        // long catch-up kept the others waiting for seconds under sustained
        // writes (RELIABILITY.md). `waiting` brings the next turn soon;
        // stopping, they run to the end.
        let rounds = if stop { usize::MAX } else { TURN_BATCHES };
        let mut writer = Writer::Locked(session);
        let applied = self
            .run_to(&leads, Target::Live, None, &mut writer, rounds, drop)
            .await?;
        let mut waiting = false;
        for projection in leads {
            waiting |= self.observe(projection).await?;
        }
        Ok(Led {
            waiting,
            applied: applied > 0,
        })
    }
}

/// What one turn of [`Projector::lead`] found.
#[derive(Default)]
struct Led {
    waiting: bool,
    applied: bool,
}

enum Woken {
    Shutdown(bool),
    /// This process appended.
    Appended,
    /// The poll's time came.
    Nudged,
    /// Another process appended (or the LISTEN connection broke).
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
