//! Telling the other nodes that events were appended (PostgreSQL): one
//! `NOTIFY ill_events` sent after the append's commit, never inside it, and
//! coalesced, so a burst of commits costs at most one notification per
//! `COALESCE`. A notifying transaction holds PostgreSQL's cluster-wide notify
//! lock through its commit; this one writes nothing, so it waits for no WAL
//! flush and no append waits for it. Projectors poll as well: a lost
//! notification only delays.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::mpsc;

/// The channel the projectors LISTEN on.
pub const EVENTS_CHANNEL: &str = "ill_events";
/// At most one notification per this long, per node.
const COALESCE: Duration = Duration::from_millis(5);

const NOTIFY: &str = "SELECT pg_notify($1, '')";

/// A handle on the node's announcing task; cheap to clone.
#[derive(Debug, Clone)]
pub struct Announcer {
    /// Capacity one: a pending announcement absorbs the appends after it.
    pending: mpsc::Sender<()>,
}

impl Announcer {
    /// Starts the announcing task on the current runtime; it ends when the
    /// last handle goes.
    pub fn start(pool: PgPool) -> Announcer {
        let (pending, mut appended) = mpsc::channel(1);
        tokio::spawn(async move {
            while appended.recv().await.is_some() {
                if let Err(error) = sqlx::query(NOTIFY)
                    .bind(EVENTS_CHANNEL)
                    .execute(&pool)
                    .await
                {
                    tracing::debug!(%error, "cannot announce appended events; the others poll");
                }
                tokio::time::sleep(COALESCE).await;
            }
        });
        Announcer { pending }
    }

    /// Events were committed: announce them soon, once for the whole burst.
    pub fn appended(&self) {
        // Full: an announcement is already pending, which covers these.
        // Closed: the runtime is gone, and nobody is left to tell.
        let _ = self.pending.try_send(());
    }
}
