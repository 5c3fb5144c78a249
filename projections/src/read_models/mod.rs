//! The projections: what each does with a batch of events, inside the
//! projector's transaction. Each has its own tables, checkpoint and lock, so
//! one can be rebuilt without touching the others.
//!
//! Handlers are idempotent: every row that follows a stream (a request, a
//! library) keeps the stream's version, and an event at or below it is
//! skipped. The projector's checkpoint compare-and-set already keeps a batch
//! from being applied twice; this guards the tables even if it were.

pub(crate) mod libraries;
pub(crate) mod requests;
pub(crate) mod statistics;
pub(crate) mod waiting;

use std::fmt;

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use domain::{Calendar, EventMetadata, IllRequest, RequestEvent, StoredMetadata};
use serde::Deserialize;
use uuid::Uuid;

use crate::changes::Change;
use store::backend::Tx;
use store::log::StoredEvent;
use store::StoreError;

/// A projection: a set of read-model tables kept by one runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    /// Request views (queues, `request`), request histories, and the count
    /// of requests waiting at each lender.
    Requests,
    /// Per-day counts, declines by reason, turnaround durations.
    Statistics,
    /// The library directory.
    Libraries,
}

impl Projection {
    pub const ALL: [Projection; 3] = [
        Projection::Requests,
        Projection::Statistics,
        Projection::Libraries,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Projection::Requests => "requests",
            Projection::Statistics => "statistics",
            Projection::Libraries => "libraries",
        }
    }

    pub fn parse(name: &str) -> Option<Projection> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The checkpoint row of the live tables or of the rebuild twins.
    pub(crate) fn checkpoint(self, target: Target) -> &'static str {
        match (self, target) {
            (Projection::Requests, Target::Live) => "requests",
            (Projection::Requests, Target::Scratch) => "requests_rebuild",
            (Projection::Statistics, Target::Live) => "statistics",
            (Projection::Statistics, Target::Scratch) => "statistics_rebuild",
            (Projection::Libraries, Target::Live) => "libraries",
            (Projection::Libraries, Target::Scratch) => "libraries_rebuild",
        }
    }

    /// PostgreSQL advisory lock keys (per database): the live runner of a
    /// projection, and a rebuild of it.
    pub(crate) fn lock_key(self, target: Target) -> i64 {
        const BASE: i64 = 0x494c_4c50_0000; // "ILLP"
        BASE + 2 * self.index() as i64 + i64::from(target == Target::Scratch)
    }
}

impl fmt::Display for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which tables a batch goes to: the live ones, or the `_rebuild` twins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Live,
    Scratch,
}

impl Target {
    /// The name of the live table `live` for this target: itself, or its
    /// rebuild twin.
    pub(crate) fn table(self, live: &str) -> String {
        match self {
            Target::Live => live.to_owned(),
            Target::Scratch => format!("{live}_rebuild"),
        }
    }
}

/// Applies `events` (in global order) to `projection`'s tables in `tx`; the
/// changes live subscribers should hear of.
pub(crate) async fn apply(
    projection: Projection,
    tx: &mut Tx<'_>,
    target: Target,
    calendar: &Calendar,
    events: &[StoredEvent],
) -> Result<Vec<Change>, StoreError> {
    match projection {
        Projection::Requests => requests::apply(tx, target, events).await,
        Projection::Statistics => statistics::apply(tx, target, calendar, events).await,
        Projection::Libraries => libraries::apply(tx, target, events).await,
    }
}

/// A hash map for the bulk rebuild's hot paths: foldhash, seeded per
/// process, several times faster than the standard SipHash on short keys.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// One event of a request stream, decoded.
pub(crate) struct RequestRecord {
    pub id: Uuid,
    pub sequence: i64,
    pub event: RequestEvent,
    pub metadata: EventMetadata,
}

impl RequestRecord {
    /// `None` for events of other aggregates.
    pub(crate) fn decode(stored: &StoredEvent) -> Result<Option<RequestRecord>, StoreError> {
        if stored.aggregate_type != IllRequest::TYPE {
            return Ok(None);
        }
        let id = Uuid::parse_str(&stored.aggregate_id)
            .map_err(|_| StoreError::Malformed(format!("request id {}", stored.aggregate_id)))?;
        Ok(Some(RequestRecord {
            id,
            sequence: stored.sequence,
            event: payload(stored)?,
            metadata: metadata(stored)?,
        }))
    }

    /// A request event from its JSON text (the bulk rebuild reads the log
    /// as text): the same types, so the same decoding as [`Self::decode`].
    pub(crate) fn from_json(
        id: Uuid,
        sequence: i64,
        payload: &str,
        metadata: &str,
    ) -> Result<RequestRecord, StoreError> {
        let event = serde_json::from_str(payload)
            .map_err(|e| StoreError::Malformed(format!("request {id} #{sequence}: {e}")))?;
        let fields = serde_json::from_str(metadata).map_err(malformed_metadata)?;
        Ok(RequestRecord {
            id,
            sequence,
            event,
            metadata: parse_metadata(fields)?,
        })
    }

    pub(crate) fn occurred_at(&self) -> DateTime<Utc> {
        self.metadata.occurred_at
    }
}

pub(crate) fn payload<E: serde::de::DeserializeOwned>(
    stored: &StoredEvent,
) -> Result<E, StoreError> {
    // Deserialized from the borrowed value: no copy of the JSON tree.
    E::deserialize(&stored.payload).map_err(|e| {
        StoreError::Malformed(format!(
            "{} {} #{}: {e}",
            stored.aggregate_type, stored.aggregate_id, stored.sequence
        ))
    })
}

pub(crate) fn metadata(stored: &StoredEvent) -> Result<EventMetadata, StoreError> {
    let fields = StoredMetadata::deserialize(&stored.metadata).map_err(malformed_metadata)?;
    parse_metadata(fields)
}

fn parse_metadata(fields: StoredMetadata<'_>) -> Result<EventMetadata, StoreError> {
    fields
        .parse()
        .ok_or_else(|| StoreError::Malformed(format!("event metadata {fields:?}")))
}

fn malformed_metadata(error: impl fmt::Display) -> StoreError {
    StoreError::Malformed(format!("event metadata: {error}"))
}

/// Whether the event at `sequence` of a stream whose row is at `version`
/// still has to be applied. A gap means the log and the row disagree.
pub(crate) fn is_new(
    stream: &dyn fmt::Display,
    version: i64,
    sequence: i64,
) -> Result<bool, StoreError> {
    if sequence <= version {
        return Ok(false);
    }
    if sequence != version + 1 {
        return Err(StoreError::Malformed(format!(
            "{stream}: event #{sequence} follows version {version}"
        )));
    }
    Ok(true)
}
