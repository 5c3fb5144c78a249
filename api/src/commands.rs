//! Carrying out commands: the acting account, the business time and a
//! correlation id go into every event's metadata; patron data and note text
//! go to their own tables first; the answer comes from the aggregate itself.

use std::sync::Arc;

use domain::library::LibraryRecord;
use domain::{
    Action, Actor, Calendar, Clock, EventMetadata, HistoryEntry, IllRequest, Library,
    LibraryChange, LibraryCommand, LibraryId, Origin, RequestCommand, RequestEvent,
    RequestServices, RequestView,
};
use projections::projector::Projector;
use store::{vault, Database, EventStore};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::error::ApiError;
use crate::library_cache::LibraryCache;
use crate::metrics::Metrics;

/// A request as a mutation leaves it.
#[derive(Debug, Clone)]
pub struct RequestOutcome {
    pub view: RequestView,
    pub history: Vec<HistoryEntry>,
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
        self.save_side_rows(id, &command).await?;
        let metadata = EventMetadata::new(&command.origin, self.services.now(), correlation_id);
        let committed = self
            .store
            .execute::<IllRequest>(&id.to_string(), command, &self.services, &metadata)
            .await?;
        if committed.appended > 0 {
            self.projector.wake();
        }
        let view = RequestView::from_history(id, &committed.history)?
            .ok_or_else(|| ApiError::internal("a committed request has no state"))?;
        let history = committed
            .history
            .iter()
            .map(HistoryEntry::from_envelope)
            .collect::<Result<_, _>>()?;
        Ok(RequestOutcome { view, history })
    }

    /// Patron data and note text are written before the events that refer
    /// to them (a row whose request never appears is purged later). To leave
    /// nothing behind for a refused command, decide it once beforehand.
    async fn save_side_rows(&self, id: Uuid, command: &RequestCommand) -> Result<(), ApiError> {
        let note = command.action.note();
        let place = match &command.action {
            Action::Place(place) => Some(place),
            _ => None,
        };
        if note.is_none() && place.is_none() {
            return Ok(());
        }
        let history = self.store.history::<IllRequest>(&id.to_string()).await?;
        let placed_note = match history.first().map(|e| &e.payload) {
            Some(RequestEvent::RequestPlaced { note_id, .. }) => *note_id,
            _ => None,
        };
        let current = IllRequest::replay(history.into_iter().map(|e| e.payload));
        let events = current.decide(command.clone(), &self.services)?;
        let database = self.database();
        if let (Some(place), Some(existing)) = (place, &current.state) {
            // The same placeRequest again: the same patron and note too, or
            // CONFLICT (text purged since cannot be compared, and passes).
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
        }
        if events.is_empty() {
            return Ok(());
        }
        if let Some(place) = place {
            vault::save_patron(database, place.patron_ref, id, &place.patron).await?;
        }
        if let Some(note) = note {
            vault::save_note(database, note.id, id, &note.text).await?;
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
