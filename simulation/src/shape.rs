//! What to generate and what comes of it: the shape of a history, the path
//! its events take to the store, the kinds of library, the summary and the
//! errors.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::{DomainError, IllRequest, LibraryId, RequestStatus};
use thiserror::Error;
use uuid::Uuid;

use store::StoreError;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Member libraries (about 200 in a statewide network; at least 8).
    pub libraries: usize,
    /// Requests placed over the whole span.
    pub requests: usize,
    /// The history runs from `start` for `days` days and ends there.
    pub start: DateTime<Utc>,
    pub days: u32,
    pub seed: u64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            libraries: 200,
            requests: 1_000,
            start: Utc
                .with_ymd_and_hms(2025, 1, 1, 13, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 365,
            seed: 1,
        }
    }
}

impl Shape {
    /// A year of `requests` requests that ends at `end`.
    pub fn year_ending(end: DateTime<Utc>, requests: usize, seed: u64) -> Shape {
        Shape {
            requests,
            start: end - Duration::days(365),
            days: 365,
            seed,
            ..Shape::default()
        }
    }

    /// The instant the history ends: nothing happens after it.
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::days(i64::from(self.days))
    }
}

/// How the events reach the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Every command through [`EventStore::execute`], as the server runs it.
    ///
    /// [`EventStore::execute`]: store::EventStore::execute
    Commands,
    /// The decided events appended in batches.
    Bulk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Public,
    Academic,
    School,
    Special,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Public => "public",
            Kind::Academic => "academic",
            Kind::School => "school",
            Kind::Special => "special",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub libraries: Vec<LibraryId>,
    pub requests: Vec<Uuid>,
    pub events: u64,
    /// How many requests end the history in each status.
    pub statuses: BTreeMap<RequestStatus, u64>,
}

#[derive(Debug, Error)]
pub enum GenerateError {
    #[error("the domain refused the generated {command} of {stream}: {error}")]
    Refused {
        stream: String,
        command: &'static str,
        error: DomainError,
    },
    #[error("the event store decided {stored} events for {stream}, the generator {decided}")]
    Diverged {
        stream: String,
        stored: usize,
        decided: usize,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("serializing an event: {0}")]
    Serialize(#[from] serde_json::Error),
}

impl Generated {
    pub(crate) fn count(&mut self, request: &IllRequest) {
        if let Some(state) = &request.state {
            *self.statuses.entry(state.status).or_default() += 1;
        }
    }
}
