//! Commands against the event log: load a stream, decide, append. cqrs-es in
//! event-store mode only (its snapshot modes apply events twice in 0.5.0).
//! Unlike `CqrsFramework::execute`, this answers with the aggregate and its
//! whole history, so a mutation can reply from the aggregate itself.

use cqrs_es::persist::{EventStoreAggregateContext, PersistedEventRepository, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore as _};
use domain::EventMetadata;
use postgres_es::PostgresEventRepository;
use sqlite_es::SqliteEventRepository;
use thiserror::Error;

use crate::backend::on_db;
use crate::database::Database;
use crate::error::StoreError;

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
}

impl EventStore {
    pub fn new(database: Database) -> Self {
        EventStore { database }
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
        A: Aggregate + Clone,
        A::Command: Clone,
    {
        for attempt in 0..ATTEMPTS {
            let outcome = match &self.database {
                Database::Postgres(pool) => {
                    let repo = PostgresEventRepository::new(pool.clone());
                    attempt_once::<_, A>(persisted(repo), id, command.clone(), services, metadata)
                        .await
                }
                Database::Sqlite(pool) => {
                    let repo = SqliteEventRepository::new(pool.clone());
                    attempt_once::<_, A>(persisted(repo), id, command.clone(), services, metadata)
                        .await
                }
            };
            match outcome {
                Err(AggregateError::AggregateConflict) => {
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 3))
                        .await;
                }
                Err(AggregateError::UserError(error)) => return Err(CommandError::Domain(error)),
                Err(other) => return Err(CommandError::Store(store_error(other))),
                Ok(committed) => return Ok(committed),
            }
        }
        Err(CommandError::Contended)
    }
}

fn persisted<R: PersistedEventRepository, A: Aggregate>(repo: R) -> PersistedEventStore<R, A> {
    PersistedEventStore::new_event_store(repo)
}

async fn attempt_once<R, A>(
    store: PersistedEventStore<R, A>,
    id: &str,
    command: A::Command,
    services: &A::Services,
    metadata: &EventMetadata,
) -> Result<Committed<A>, AggregateError<A::Error>>
where
    R: PersistedEventRepository,
    A: Aggregate + Clone,
{
    let mut history = store.load_events(id).await?;
    let mut aggregate = A::default();
    for envelope in &history {
        aggregate.apply(envelope.payload.clone());
    }
    let sink = Default::default();
    aggregate
        .handle(command, services, &sink)
        .await
        .map_err(AggregateError::UserError)?;
    let events = sink.collect().await;
    let appended = events.len();
    if appended > 0 {
        let context = EventStoreAggregateContext {
            aggregate_id: id.to_owned(),
            aggregate: aggregate.clone(),
            current_sequence: history.len(),
            current_snapshot: None,
        };
        history.extend(store.commit(events, context, metadata.to_map()).await?);
    }
    Ok(Committed {
        aggregate,
        history,
        appended,
    })
}

fn store_error<E: std::error::Error>(error: AggregateError<E>) -> StoreError {
    match error {
        AggregateError::DatabaseConnectionError(e)
        | AggregateError::DeserializationError(e)
        | AggregateError::UnexpectedError(e) => StoreError::EventStore(e),
        other => StoreError::EventStore(other.to_string().into()),
    }
}
