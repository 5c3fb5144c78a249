//! A request as people see it: the aggregate's state plus when it was placed
//! and last changed, and its history with who did what. Built by the same
//! fold whether it comes from the live stream (mutations, `request`) or from
//! the projector's tables.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use cqrs_es::{Aggregate, EventEnvelope};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

use super::aggregate::IllRequest;
use super::events::RequestEvent;
use super::state::RequestState;
use crate::metadata::EventMetadata;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: Uuid,
    /// Number of events in the stream.
    pub version: u64,
    pub state: RequestState,
    pub placed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the copy was delivered (CopyDelivered): the copyright report
    /// dates a copy by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
}

impl RequestView {
    /// Folds one event into an optional view; the first event creates it.
    pub fn fold(
        view: &mut Option<RequestView>,
        id: Uuid,
        event: RequestEvent,
        occurred_at: DateTime<Utc>,
    ) {
        match view {
            // In place: the state is large, and a rebuild folds 9 per request.
            Some(view) => {
                if matches!(event, RequestEvent::CopyDelivered { .. }) {
                    view.delivered_at = Some(occurred_at);
                }
                view.version += 1;
                view.state.apply(event);
                view.updated_at = occurred_at;
            }
            None => {
                let mut request = IllRequest::default();
                request.apply(event);
                *view = request.state.map(|state| RequestView {
                    id,
                    version: request.version,
                    state,
                    placed_at: occurred_at,
                    updated_at: occurred_at,
                    delivered_at: None,
                });
            }
        }
    }

    /// The view after a whole stream, `None` for an empty one.
    pub fn from_history(
        id: Uuid,
        history: &[EventEnvelope<IllRequest>],
    ) -> Result<Option<RequestView>, MalformedMetadata> {
        let mut view = None;
        for envelope in history {
            let metadata = metadata_of(&envelope.metadata)?;
            RequestView::fold(
                &mut view,
                id,
                envelope.payload.clone(),
                metadata.occurred_at,
            );
        }
        Ok(view)
    }
}

/// One step of a request's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub sequence: u64,
    pub event_type: String,
    pub metadata: EventMetadata,
    /// The event's own fields.
    pub data: Value,
    pub note_id: Option<Uuid>,
}

impl HistoryEntry {
    pub fn new(sequence: u64, event: &RequestEvent, metadata: EventMetadata) -> HistoryEntry {
        HistoryEntry {
            sequence,
            event_type: event.name().to_owned(),
            data: event_fields(event),
            note_id: event.note_id(),
            metadata,
        }
    }

    pub fn from_envelope(
        envelope: &EventEnvelope<IllRequest>,
    ) -> Result<HistoryEntry, MalformedMetadata> {
        Ok(HistoryEntry::new(
            envelope.sequence as u64,
            &envelope.payload,
            metadata_of(&envelope.metadata)?,
        ))
    }
}

/// The fields inside an event's serialized form `{"EventType": {…}}`.
fn event_fields(event: &RequestEvent) -> Value {
    match serde_json::to_value(event) {
        Ok(Value::Object(mut outer)) => outer
            .remove(event.name())
            .unwrap_or(Value::Object(Default::default())),
        _ => Value::Object(Default::default()),
    }
}

/// A stored event's metadata map that does not read as [`EventMetadata`]:
/// a fault of the stored log, not a refusal of a command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("event metadata {0}")]
pub struct MalformedMetadata(pub String);

/// The metadata of a stored event, read from the map cqrs-es keeps.
pub fn metadata_of(map: &HashMap<String, String>) -> Result<EventMetadata, MalformedMetadata> {
    EventMetadata::from_map(map).ok_or_else(|| MalformedMetadata(format!("{map:?}")))
}
