//! Credentials resolved to accounts through a cache whose entries live at
//! most a second, emptied at once on every node when a credential ends:
//! the store sends `NOTIFY ill_credentials` from the transaction that ends
//! it, and each node LISTENs. Open sockets watch [`CredentialCache::ended`]
//! to check their credential again at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;
use store::accounts::{Account, CREDENTIALS_CHANNEL};
use store::sessions::Lifetime;
use store::{Database, StoreError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a resolved credential is believed without asking the store.
pub const CACHE_LIFETIME: Duration = Duration::from_secs(1);
/// Entries kept before the expired ones are swept out.
const SWEEP_ABOVE: usize = 10_000;
/// How long the listener waits before reconnecting after losing PostgreSQL.
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);

/// A credential as the store knows it: which kind, and the SHA-256 hash of
/// its secret (the secret itself is never kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CredentialKey {
    Token(String),
    Session(String),
}

/// A resolved credential, and when: by the process's monotonic time and
/// by the service clock (which tests move; a session's lifetime follows it).
struct Entry {
    account: Account,
    at: Instant,
    clock_at: DateTime<Utc>,
}

impl Entry {
    fn fresh(&self, now: DateTime<Utc>) -> bool {
        let clock_age = now - self.clock_at;
        self.at.elapsed() < CACHE_LIFETIME
            && clock_age >= chrono::Duration::zero()
            && clock_age.to_std().is_ok_and(|age| age < CACHE_LIFETIME)
    }
}

/// One node's cache of credentials.
pub struct CredentialCache {
    entries: Mutex<HashMap<CredentialKey, Entry>>,
    lifetime: Lifetime,
    /// Counts the times credentials may have ended.
    ended: watch::Sender<u64>,
}

impl CredentialCache {
    pub fn new(lifetime: Lifetime) -> CredentialCache {
        CredentialCache {
            entries: Mutex::default(),
            lifetime,
            ended: watch::channel(0).0,
        }
    }

    /// The account behind a live credential: a token not revoked, or a
    /// session within its lifetime (which the call renews), of an account
    /// not disabled.
    pub async fn account(
        &self,
        database: &Database,
        key: &CredentialKey,
        now: DateTime<Utc>,
    ) -> Result<Option<Account>, StoreError> {
        if let Some(entry) = self.entries.lock().expect("cache lock").get(key) {
            if entry.fresh(now) {
                return Ok(Some(entry.account.clone()));
            }
        }
        // Read before the store is asked: an end that lands meanwhile
        // makes this answer stale, and then it is not kept.
        let generation = *self.ended.borrow();
        let account = match key {
            CredentialKey::Token(hash) => store::accounts::account_by_token(database, hash).await?,
            CredentialKey::Session(hash) => {
                store::sessions::account(database, hash, now, self.lifetime).await?
            }
        };
        let mut entries = self.entries.lock().expect("cache lock");
        match &account {
            Some(account) if *self.ended.borrow() == generation => {
                if entries.len() >= SWEEP_ABOVE {
                    entries.retain(|_, entry| entry.fresh(now));
                }
                let entry = Entry {
                    account: account.clone(),
                    at: Instant::now(),
                    clock_at: now,
                };
                entries.insert(key.clone(), entry);
            }
            _ => {
                entries.remove(key);
            }
        }
        Ok(account)
    }

    /// Forgets every credential: some may have ended.
    pub fn clear(&self) {
        self.entries.lock().expect("cache lock").clear();
        self.ended.send_modify(|count| *count += 1);
    }

    /// Changes each time credentials may have ended.
    pub fn ended(&self) -> watch::Receiver<u64> {
        self.ended.subscribe()
    }

    /// On PostgreSQL, a task that LISTENs for credential changes of every
    /// node (reconnecting, and clearing after each reconnection since
    /// notifications in between are lost); returns once the LISTEN is in
    /// place; it ends when `shutdown` turns true. SQLite serves one node,
    /// which clears its own cache.
    pub async fn follow(
        self: &Arc<Self>,
        database: &Database,
        mut shutdown: watch::Receiver<bool>,
    ) -> Option<JoinHandle<()>> {
        let Database::Postgres(pool) = database else {
            return None;
        };
        let (ready, mut listening) = watch::channel(false);
        let cache = self.clone();
        let pool = pool.clone();
        let task = tokio::spawn(async move {
            let follow = async {
                loop {
                    match listen(&pool, &cache, &ready).await {
                        Err(sqlx::Error::PoolClosed) => return,
                        Err(error) => tracing::warn!(%error, "credential listener lost PostgreSQL"),
                        Ok(()) => {}
                    }
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                }
            };
            tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => {}
                _ = follow => {}
            }
        });
        let _ = listening.wait_for(|ready| *ready).await;
        Some(task)
    }
}

async fn listen(
    pool: &sqlx::PgPool,
    cache: &CredentialCache,
    ready: &watch::Sender<bool>,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CREDENTIALS_CHANNEL).await?;
    cache.clear();
    ready.send_replace(true);
    while listener.try_recv().await?.is_some() {
        cache.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_tells_the_watchers() {
        let cache = CredentialCache::new(Lifetime {
            idle: chrono::Duration::hours(8),
            max_age: chrono::Duration::days(7),
        });
        let ended = cache.ended();
        cache.clear();
        assert!(ended.has_changed().unwrap());
    }
}
