//! Commands against the event log: load a stream once (or not at all when
//! this process's last append left it in `recent`), decide once, append
//! once. Streams load through postgres-es and sqlite-es in event-store mode
//! (their snapshot modes apply events twice in 0.5.0); the append is this
//! crate's own (`append`): one commit with the command's vault rows.
//! Unlike `CqrsFramework::execute`, this answers with the aggregate and its
//! whole history, so a mutation can reply from the aggregate itself.

mod announce;
mod append;
mod recent;

use std::sync::{Arc, OnceLock};

use cqrs_es::persist::{PersistedEventRepository, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore as _};
use domain::EventMetadata;
use postgres_es::PostgresEventRepository;
use sqlite_es::SqliteEventRepository;
use thiserror::Error;

use crate::backend::on_db;
use crate::database::Database;
use crate::error::StoreError;
use crate::vault::SideRows;
use announce::Announcer;
pub use announce::EVENTS_CHANNEL;
use append::{append, AppendError};
use recent::RecentStreams;

/// How often a command is decided again after losing a race for the same
/// stream. The domain's own `expectedVersion` check then reports a stale
/// caller; a caller without one simply acts on the newer state.
const ATTEMPTS: u32 = 8;

const ALL_OF_TYPE: &str = include_str!("sql/all_of_type.sql");

#[derive(Debug, Error)]
pub enum CommandError<E: std::error::Error> {
    #[error(transparent)]
    Domain(E),
    #[error("the request kept changing under concurrent writers")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stream after a command: the aggregate and every event, the new ones last.
pub struct Committed<A: Aggregate> {
    pub aggregate: A,
    pub history: Vec<EventEnvelope<A>>,
    pub appended: usize,
}

#[derive(Debug, Clone)]
pub struct EventStore {
    database: Database,
    /// PostgreSQL: tells the other nodes after each append; started with
    /// the first one (it needs the runtime).
    announcer: Arc<OnceLock<Announcer>>,
    recent: Arc<RecentStreams>,
}

impl EventStore {
    pub fn new(database: Database) -> Self {
        EventStore {
            database,
            announcer: Arc::default(),
            recent: Arc::default(),
        }
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Every event of one stream, in order.
    pub async fn history<A: Aggregate>(
        &self,
        id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, StoreError> {
        let loaded = match &self.database {
            Database::Postgres(pool) => {
                persisted::<_, A>(PostgresEventRepository::new(pool.clone()))
                    .load_events(id)
                    .await
            }
            Database::Sqlite(pool) => {
                persisted::<_, A>(SqliteEventRepository::new(pool.clone()))
                    .load_events(id)
                    .await
            }
        };
        loaded.map_err(store_error)
    }

    /// Every stream of one aggregate type, folded, with its version (events
    /// stored): for the few hundred libraries, not for requests.
    pub async fn all<A: Aggregate>(&self) -> Result<Vec<(String, A, u64)>, StoreError> {
        let rows: Vec<(String, serde_json::Value)> = on_db!(&self.database, pool => {
            sqlx::query_as(ALL_OF_TYPE)
                .bind(A::TYPE)
                .fetch_all(pool)
                .await?
        });
        let mut all: Vec<(String, A, u64)> = Vec::new();
        for (id, payload) in rows {
            let event: A::Event = serde_json::from_value(payload)
                .map_err(|e| StoreError::Malformed(format!("{} event of {id}: {e}", A::TYPE)))?;
            match all.last_mut() {
                Some((last, aggregate, version)) if *last == id => {
                    aggregate.apply(event);
                    *version += 1;
                }
                _ => {
                    let mut aggregate = A::default();
                    aggregate.apply(event);
                    all.push((id, aggregate, 1));
                }
            }
        }
        Ok(all)
    }

    /// Decides `command` on the current stream and appends its events.
    pub async fn execute<A>(
        &self,
        id: &str,
        command: A::Command,
        services: &A::Services,
        metadata: &EventMetadata,
    ) -> Result<Committed<A>, CommandError<A::Error>>
    where
        A: Aggregate + Clone + 'static,
        A::Command: Clone,
    {
        self.execute_with(id, command, services, metadata, None)
            .await
    }

    /// [`execute`](Self::execute), writing `side_rows` in the append's own
    /// commit when the command appends anything (and only then).
    pub async fn execute_with<A>(
        &self,
        id: &str,
        command: A::Command,
        services: &A::Services,
        metadata: &EventMetadata,
        side_rows: Option<&SideRows<'_>>,
    ) -> Result<Committed<A>, CommandError<A::Error>>
    where
        A: Aggregate + Clone + 'static,
        A::Command: Clone,
    {
        for attempt in 0..ATTEMPTS {
            let cached = if attempt == 0 {
                self.recent.get::<A>(id)
            } else {
                None
            };
            let from_cache = cached.is_some();
            let (mut aggregate, mut history) = match cached {
                Some(stream) => stream,
                None => self.load::<A>(id).await?,
            };
            let sink = Default::default();
            let decided = aggregate.handle(command.clone(), services, &sink).await;
            let new: Vec<EventEnvelope<A>> = sink
                .collect()
                .await
                .into_iter()
                .zip(history.len() + 1..)
                .map(|(payload, sequence)| EventEnvelope {
                    aggregate_id: id.to_owned(),
                    sequence,
                    payload,
                    metadata: metadata.to_map(),
                })
                .collect();
            if from_cache && (decided.is_err() || new.is_empty()) {
                // Only an append proves a cached stream current.
                self.recent.forget::<A>(id);
                continue;
            }
            decided.map_err(CommandError::Domain)?;
            match append(&self.database, &new, side_rows).await {
                Err(AppendError::Conflict) => {
                    self.recent.forget::<A>(id);
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 3))
                        .await;
                }
                Err(AppendError::Store(error)) => {
                    self.recent.forget::<A>(id);
                    return Err(CommandError::Store(error));
                }
                Ok(()) => {
                    let appended = new.len();
                    history.extend(new);
                    if appended > 0 {
                        self.announce();
                        self.recent.put(id, &aggregate, &history);
                    }
                    return Ok(Committed {
                        aggregate,
                        history,
                        appended,
                    });
                }
            }
        }
        Err(CommandError::Contended)
    }

    /// The stream as stored, folded.
    async fn load<A: Aggregate>(&self, id: &str) -> Result<(A, Vec<EventEnvelope<A>>), StoreError> {
        let history = self.history::<A>(id).await?;
        let mut aggregate = A::default();
        for envelope in &history {
            aggregate.apply(envelope.payload.clone());
        }
        Ok((aggregate, history))
    }

    /// Tells the other nodes' projectors, after the commit (PostgreSQL; one
    /// process owns an SQLite store).
    fn announce(&self) {
        if let Database::Postgres(pool) = &self.database {
            self.announcer
                .get_or_init(|| Announcer::start(pool.clone()))
                .appended();
        }
    }
}

fn persisted<R: PersistedEventRepository, A: Aggregate>(repo: R) -> PersistedEventStore<R, A> {
    PersistedEventStore::new_event_store(repo)
}

fn store_error<E: std::error::Error>(error: AggregateError<E>) -> StoreError {
    match error {
        AggregateError::DatabaseConnectionError(e)
        | AggregateError::DeserializationError(e)
        | AggregateError::UnexpectedError(e) => StoreError::EventStore(e),
        other => StoreError::EventStore(other.to_string().into()),
    }
}
