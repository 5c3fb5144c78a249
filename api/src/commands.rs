//! Carrying out commands: the acting account, the business time and a
//! correlation id go into every event's metadata; patron data and note text
//! go to their own tables in the append's own commit; the answer comes from
//! the aggregate itself.

use std::sync::Arc;

use cqrs_es::EventEnvelope;
use domain::library::LibraryRecord;
use domain::{
    Action, Actor, Calendar, Clock, EventMetadata, IllRequest, Library, LibraryChange,
    LibraryCommand, LibraryId, Origin, PlaceRequest, RequestCommand, RequestEvent, RequestServices,
    RequestView,
};
use projections::projector::Projector;
use store::vault::{self, SideRows};
use store::{Committed, Database, EventStore};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::error::ApiError;
use crate::library_cache::LibraryCache;
use crate::metrics::Metrics;

/// A request as a mutation leaves it: its history as stored, turned into
/// the contract's entries only if the answer asks for them.
#[derive(Debug, Clone)]
pub struct RequestOutcome {
    pub view: RequestView,
    pub history: Vec<EventEnvelope<IllRequest>>,
}

pub struct Commands {
    pub store: EventStore,
    pub libraries: Arc<LibraryCache>,
    pub services: RequestServices,
    pub metrics: Arc<Metrics>,
    /// Woken after every commit (on SQLite nothing else tells it).
    pub projector: Projector,
    /// Rung when a library's lending was suspended: the scheduler moves the
    /// requests waiting there on.
    pub suspended: Arc<Notify>,
}

impl Commands {
    pub fn new(
        store: EventStore,
        libraries: Arc<LibraryCache>,
        clock: Arc<dyn Clock>,
        calendar: Calendar,
        response_window: chrono::Duration,
        metrics: Arc<Metrics>,
        projector: Projector,
    ) -> Commands {
        let services = RequestServices {
            clock,
            calendar,
            response_window,
            directory: libraries.clone(),
        };
        Commands {
            store,
            libraries,
            services,
            metrics,
            projector,
            suspended: Arc::new(Notify::new()),
        }
    }

    pub fn database(&self) -> &Database {
        self.store.database()
    }

    /// Runs a request command and answers with the request after it.
    pub async fn request(
        &self,
        origin: Origin,
        id: Uuid,
        expected_version: Option<u64>,
        action: Action,
        correlation_id: Uuid,
    ) -> Result<RequestOutcome, ApiError> {
        let name = action.name();
        let result = self
            .run_request(origin, id, expected_version, action, correlation_id)
            .await;
        self.metrics.command(name, outcome_label(&result));
        result
    }

    async fn run_request(
        &self,
        origin: Origin,
        id: Uuid,
        expected_version: Option<u64>,
        action: Action,
        correlation_id: Uuid,
    ) -> Result<RequestOutcome, ApiError> {
        let command = RequestCommand {
            origin,
            expected_version,
            action,
        };
        let metadata = EventMetadata::new(&command.origin, self.services.now(), correlation_id);
        let committed = self
            .store
            .execute_with::<IllRequest>(
                &id.to_string(),
                command.clone(),
                &self.services,
                &metadata,
                SideRows::of(id, &command).as_ref(),
            )
            .await?;
        if committed.appended > 0 {
            self.projector.wake();
        }
        if let (Action::Place(place), 0) = (&command.action, committed.appended) {
            self.same_placement(id, place, &committed).await?;
        }
        let view = RequestView::from_history(id, &committed.history)?
            .ok_or_else(|| ApiError::internal("a committed request has no state"))?;
        Ok(RequestOutcome {
            view,
            history: committed.history,
        })
    }

    /// The same placeRequest again (the domain found the same request and
    /// appended nothing): the same patron and note too, or CONFLICT (text
    /// purged since cannot be compared, and passes).
    async fn same_placement(
        &self,
        id: Uuid,
        place: &PlaceRequest,
        committed: &Committed<IllRequest>,
    ) -> Result<(), ApiError> {
        let Some(existing) = &committed.aggregate.state else {
            return Ok(());
        };
        let placed_note = match committed.history.first().map(|e| &e.payload) {
            Some(RequestEvent::RequestPlaced { note_id, .. }) => *note_id,
            _ => None,
        };
        let database = self.database();
        let stored = vault::patron(database, existing.patron_ref).await?;
        let same_note = match (placed_note, &place.note) {
            (None, None) => true,
            (Some(note_id), Some(note)) => vault::notes(database, id)
                .await?
                .get(&note_id)
                .is_none_or(|text| *text == note.text),
            _ => false,
        };
        if stored.is_some_and(|p| p != place.patron) || !same_note {
            return Err(ApiError::Conflict(
                "a different request was placed with this id".into(),
            ));
        }
        Ok(())
    }

    /// Runs a library command and answers with the library after it.
    pub async fn library(
        &self,
        actor: Actor,
        id: &LibraryId,
        change: LibraryChange,
        correlation_id: Uuid,
    ) -> Result<LibraryRecord, ApiError> {
        let name = match change {
            LibraryChange::Register { .. } => "registerLibrary",
            LibraryChange::Update { .. } => "updateLibrary",
            LibraryChange::SetLendingSuspended(_) => "setLendingSuspended",
            LibraryChange::SetClosures { .. } => "setClosures",
        };
        let result = self.run_library(actor, id, change, correlation_id).await;
        self.metrics.command(name, outcome_label(&result));
        result
    }

    async fn run_library(
        &self,
        actor: Actor,
        id: &LibraryId,
        change: LibraryChange,
        correlation_id: Uuid,
    ) -> Result<LibraryRecord, ApiError> {
        let metadata = EventMetadata::new(
            &Origin::Person(actor.clone()),
            self.services.now(),
            correlation_id,
        );
        let command = LibraryCommand { actor, change };
        let committed = self
            .store
            .execute::<Library>(id.as_str(), command, &(), &metadata)
            .await
            .map_err(|e| match e {
                store::CommandError::Domain(domain::DomainError::NotFound) => {
                    ApiError::NotFound(format!("no library {id}"))
                }
                other => other.into(),
            })?;
        let record = committed
            .aggregate
            .registered
            .ok_or_else(|| ApiError::internal("a committed library has no state"))?;
        let was_suspended = self.libraries.get(id).is_some_and(|r| r.suspended);
        self.libraries
            .put(record.clone(), committed.history.len() as u64);
        if committed.appended > 0 {
            self.projector.wake();
        }
        if record.suspended && !was_suspended {
            self.suspended.notify_one();
        }
        Ok(record)
    }
}

fn outcome_label<T>(result: &Result<T, ApiError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}
