//! The live feed behind the `queueChanged` subscription, reaching every server
//! process: on PostgreSQL the projector sends each change with
//! `pg_notify('ill_changes', …)` inside its batch transaction (so only
//! committed changes are heard) and every process's feed LISTENs; on SQLite
//! (one process) the projector hands changes to the feed after its commit —
//! give it the feed with [`Projector::with_feed`](crate::projector::Projector::with_feed).

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::changes::Change;
use store::Database;

/// The PostgreSQL channel changes travel on.
pub(crate) const CHANNEL: &str = "ill_changes";

/// How many changes a slow subscriber may fall behind before it misses some
/// (its receiver then reports `Lagged`).
const CAPACITY: usize = 1024;

/// How long the listener waits before reconnecting after losing PostgreSQL.
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);

/// One process's feed of changes. Dropping it stops its listener.
#[derive(Debug)]
pub struct ChangeFeed {
    sender: broadcast::Sender<Change>,
    listening: watch::Receiver<bool>,
    listener: Option<JoinHandle<()>>,
}

impl ChangeFeed {
    /// Starts the feed; on PostgreSQL, a task that LISTENs (and reconnects)
    /// for as long as the feed lives. Call inside a Tokio runtime.
    pub fn start(database: &Database) -> ChangeFeed {
        let (sender, _) = broadcast::channel(CAPACITY);
        match database {
            Database::Postgres(pool) => {
                let (ready, listening) = watch::channel(false);
                let listener = tokio::spawn(listen(pool.clone(), sender.clone(), ready));
                ChangeFeed {
                    sender,
                    listening,
                    listener: Some(listener),
                }
            }
            Database::Sqlite(_) => ChangeFeed {
                sender,
                listening: watch::channel(true).1,
                listener: None,
            },
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    /// Waits until the feed hears changes (PostgreSQL: its LISTEN is in
    /// place); changes committed before that are not delivered.
    pub async fn ready(&self) {
        let mut listening = self.listening.clone();
        // An error means the listener task ended: nothing left to wait for.
        let _ = listening.wait_for(|ready| *ready).await;
    }

    pub(crate) fn sender(&self) -> broadcast::Sender<Change> {
        self.sender.clone()
    }
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
    }
}

async fn listen(pool: PgPool, sender: broadcast::Sender<Change>, ready: watch::Sender<bool>) {
    loop {
        match listen_once(&pool, &sender, &ready).await {
            Err(sqlx::Error::PoolClosed) => return,
            Err(error) => tracing::warn!(%error, "change feed lost PostgreSQL; reconnecting"),
            Ok(()) => {}
        }
        ready.send_replace(false);
        tokio::time::sleep(RECONNECT_PAUSE).await;
    }
}

async fn listen_once(
    pool: &PgPool,
    sender: &broadcast::Sender<Change>,
    ready: &watch::Sender<bool>,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    ready.send_replace(true);
    loop {
        // `None`: the connection dropped; notifications in between are lost,
        // which subscribers tolerate (they refetch on the next change).
        let Some(notification) = listener.try_recv().await? else {
            return Ok(());
        };
        match serde_json::from_str::<Change>(notification.payload()) {
            // No subscribers is fine.
            Ok(change) => drop(sender.send(change)),
            Err(error) => tracing::warn!(%error, "unreadable change notification"),
        }
    }
}
