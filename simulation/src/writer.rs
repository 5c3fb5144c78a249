//! Where the generated events go: through the event store command by
//! command, or appended in batches; then the open requests' patrons.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cqrs_es::{Aggregate, DomainEvent};
use domain::{
    DomainError, EventMetadata, IllRequest, Library, LibraryCommand, LibraryEvent, LibraryId,
    PatronInput, RequestCommand, RequestEvent, RequestServices,
};
use serde::Serialize;
use uuid::Uuid;

use store::event_store::{CommandError, EventStore};
use store::log::{append_rows, EventRow};
use store::Database;

use crate::shape::{GenerateError, Path};

/// Rows appended per batch transaction on the bulk path.
const BATCH_ROWS: usize = 4_000;

/// One event as the `events` table stores it, recorded when appended.
fn event_row<E: DomainEvent + Serialize>(
    aggregate_type: &str,
    aggregate_id: String,
    sequence: u64,
    event: &E,
    metadata: &EventMetadata,
) -> Result<EventRow, GenerateError> {
    // Sorted keys: the same text for the same events.
    let metadata: BTreeMap<String, String> = metadata.to_map().into_iter().collect();
    Ok(EventRow {
        aggregate_type: aggregate_type.to_owned(),
        aggregate_id,
        sequence: sequence as i64,
        event_type: event.event_type(),
        event_version: event.event_version(),
        payload: serde_json::to_string(event)?,
        metadata: serde_json::to_string(&metadata)?,
        recorded_at: None,
    })
}

/// Where the events go: through the command path, or in batches.
pub(crate) struct Writer<'a> {
    db: &'a Database,
    path: Path,
    store: EventStore,
    rows: Vec<EventRow>,
    pub(crate) events: u64,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(db: &'a Database, path: Path) -> Writer<'a> {
        Writer {
            db,
            path,
            store: EventStore::new(db.clone()),
            rows: Vec::new(),
            events: 0,
        }
    }

    pub(crate) async fn library(
        &mut self,
        id: &LibraryId,
        version: u64,
        command: LibraryCommand,
        events: &[LibraryEvent],
        metadata: &EventMetadata,
    ) -> Result<(), GenerateError> {
        match self.path {
            Path::Commands => {
                let committed = self
                    .store
                    .execute::<Library>(id.as_str(), command, &(), metadata)
                    .await;
                self.committed(id.as_str(), committed.map(|c| c.appended), events.len())?;
            }
            Path::Bulk => {
                for (i, event) in events.iter().enumerate() {
                    let row = event_row(
                        Library::TYPE,
                        id.to_string(),
                        version + 1 + i as u64,
                        event,
                        metadata,
                    )?;
                    self.rows.push(row);
                }
                self.flush_when_full().await?;
            }
        }
        self.events += events.len() as u64;
        Ok(())
    }

    pub(crate) async fn request(
        &mut self,
        id: Uuid,
        before: &IllRequest,
        command: RequestCommand,
        events: &[RequestEvent],
        services: &RequestServices,
        metadata: &EventMetadata,
    ) -> Result<(), GenerateError> {
        let stream = id.to_string();
        match self.path {
            Path::Commands => {
                let committed = self
                    .store
                    .execute::<IllRequest>(&stream, command, services, metadata)
                    .await;
                self.committed(&stream, committed.map(|c| c.appended), events.len())?;
            }
            Path::Bulk => {
                for (i, event) in events.iter().enumerate() {
                    let sequence = before.version + 1 + i as u64;
                    let row =
                        event_row(IllRequest::TYPE, stream.clone(), sequence, event, metadata)?;
                    self.rows.push(row);
                }
                self.flush_when_full().await?;
            }
        }
        self.events += events.len() as u64;
        Ok(())
    }

    /// The store must have decided what the generator did.
    fn committed(
        &self,
        stream: &str,
        appended: Result<usize, CommandError<DomainError>>,
        decided: usize,
    ) -> Result<(), GenerateError> {
        match appended {
            Ok(stored) if stored == decided => Ok(()),
            Ok(stored) => Err(GenerateError::Diverged {
                stream: stream.to_owned(),
                stored,
                decided,
            }),
            Err(CommandError::Domain(error)) => Err(GenerateError::Refused {
                stream: stream.to_owned(),
                command: "stored command",
                error,
            }),
            Err(CommandError::Contended) => Err(GenerateError::Diverged {
                stream: stream.to_owned(),
                stored: 0,
                decided,
            }),
            Err(CommandError::Store(error)) => Err(error.into()),
        }
    }

    async fn flush_when_full(&mut self) -> Result<(), GenerateError> {
        if self.rows.len() >= BATCH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), GenerateError> {
        append_rows(self.db, &self.rows).await?;
        self.rows.clear();
        Ok(())
    }

    /// The last batch, then the patrons of the requests still open (those
    /// of ended ones would have been purged by now, or soon).
    pub(crate) async fn finish(
        &mut self,
        patrons: &[(Uuid, Uuid, PatronInput)],
        saved_at: DateTime<Utc>,
    ) -> Result<(), GenerateError> {
        self.flush().await?;
        store::vault::save_patrons(self.db, patrons, saved_at).await?;
        Ok(())
    }
}
