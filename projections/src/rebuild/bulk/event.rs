//! One row of the log decoded for the projections a pass feeds: request
//! events for the requests and statistics folds, library events for the
//! directory, nothing for streams no selected projection reads.

use uuid::Uuid;

use crate::read_models::{Projection, RequestRecord};
use store::log::{Position, StoredEvent};
use store::StoreError;

/// One row of the log, decoded for the projections that read it.
pub(in crate::rebuild) struct Decoded {
    pub position: Position,
    pub event: Event,
}

#[expect(
    clippy::large_enum_variant,
    reason = "nearly every row is a request's; boxing would allocate once more per event"
)]
pub(in crate::rebuild) enum Event {
    Request(RequestRecord),
    Library(StoredEvent),
    /// Of a stream no selected projection reads.
    Skipped,
}

/// Which streams to decode.
#[derive(Clone, Copy)]
pub(in crate::rebuild) struct Wanted {
    requests: bool,
    libraries: bool,
}

impl Wanted {
    /// The streams `projections` read.
    pub(in crate::rebuild) fn of(projections: &[Projection]) -> Wanted {
        Wanted {
            requests: projections.contains(&Projection::Requests)
                || projections.contains(&Projection::Statistics),
            libraries: projections.contains(&Projection::Libraries),
        }
    }

    /// Whether the events of streams of `aggregate_type` are decoded: a
    /// reader skips the others without looking at their JSON.
    pub(in crate::rebuild) fn wants(self, aggregate_type: &str) -> bool {
        match aggregate_type {
            "IllRequest" => self.requests,
            "Library" => self.libraries,
            _ => false,
        }
    }
}

/// Decodes one row of a stream `wanted` wants (others are
/// [`Event::Skipped`]); `payload` and `metadata` are the row's JSON text.
pub(in crate::rebuild) fn decode<'j>(
    wanted: Wanted,
    position: Position,
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: i64,
    json: impl FnOnce() -> Result<(&'j str, &'j str), StoreError>,
) -> Result<Decoded, StoreError> {
    if !wanted.wants(aggregate_type) {
        return Ok(Decoded {
            position,
            event: Event::Skipped,
        });
    }
    let (payload, metadata) = json()?;
    let event = if aggregate_type == "IllRequest" {
        let id = Uuid::parse_str(aggregate_id)
            .map_err(|_| StoreError::Malformed(format!("request id {aggregate_id}")))?;
        Event::Request(RequestRecord::from_json(id, sequence, payload, metadata)?)
    } else {
        Event::Library(StoredEvent {
            position,
            aggregate_type: aggregate_type.to_owned(),
            aggregate_id: aggregate_id.to_owned(),
            sequence,
            event_type: String::new(),
            event_version: String::new(),
            payload: serde_json::from_str(payload).map_err(malformed)?,
            metadata: serde_json::from_str(metadata).map_err(malformed)?,
            recorded_at: chrono::DateTime::default(),
        })
    };
    Ok(Decoded { position, event })
}

fn malformed(what: impl std::fmt::Display) -> StoreError {
    StoreError::Malformed(format!("reading the log: {what}"))
}
