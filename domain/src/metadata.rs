//! What every stored event carries beside its payload: when it happened in
//! business time, who did it, for which library, and why.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::actor::{Origin, Role};
use crate::library_id::LibraryId;

/// The actor name the scheduler and routing write.
pub const SYSTEM_ACTOR: &str = "system";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// Business time from the injected clock: statistics, overdue and as-of
    /// use it. The store keeps its own commit time (`recorded_at`) apart.
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub library: Option<LibraryId>,
    pub role: Option<Role>,
    pub coordinator_reason: Option<String>,
    pub correlation_id: Uuid,
}

impl EventMetadata {
    pub fn new(origin: &Origin, occurred_at: DateTime<Utc>, correlation_id: Uuid) -> Self {
        match origin {
            Origin::Person(actor) => EventMetadata {
                occurred_at,
                actor: actor.name.clone(),
                library: Some(actor.library.clone()),
                role: Some(actor.role),
                coordinator_reason: actor.coordinator_reason().map(str::to_owned),
                correlation_id,
            },
            Origin::System => EventMetadata {
                occurred_at,
                actor: SYSTEM_ACTOR.to_owned(),
                library: None,
                role: None,
                coordinator_reason: None,
                correlation_id,
            },
        }
    }

    /// The string map cqrs-es stores.
    pub fn to_map(&self) -> HashMap<String, String> {
        let mut map = HashMap::from([
            (
                "occurred_at".to_owned(),
                self.occurred_at
                    .to_rfc3339_opts(SecondsFormat::Micros, true),
            ),
            ("actor".to_owned(), self.actor.clone()),
            ("correlation_id".to_owned(), self.correlation_id.to_string()),
        ]);
        if let Some(library) = &self.library {
            map.insert("library".to_owned(), library.to_string());
        }
        if let Some(role) = self.role {
            map.insert("role".to_owned(), role.as_str().to_owned());
        }
        if let Some(reason) = &self.coordinator_reason {
            map.insert("coordinator_reason".to_owned(), reason.clone());
        }
        map
    }

    /// Reads the map back; `None` when a required key is missing or malformed.
    pub fn from_map(map: &HashMap<String, String>) -> Option<Self> {
        let field = |key: &str| map.get(key).map(|v| Cow::Borrowed(v.as_str()));
        StoredMetadata {
            occurred_at: field("occurred_at")?,
            actor: field("actor")?,
            library: field("library"),
            role: field("role"),
            coordinator_reason: field("coordinator_reason"),
            correlation_id: field("correlation_id")?,
        }
        .parse()
    }
}

/// The stored map's fields, borrowed from the JSON where it allows: bulk
/// readers decode the log without building a map per event.
#[derive(Debug, Deserialize)]
pub struct StoredMetadata<'a> {
    #[serde(borrow)]
    occurred_at: Cow<'a, str>,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow, default)]
    library: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    role: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    coordinator_reason: Option<Cow<'a, str>>,
    #[serde(borrow)]
    correlation_id: Cow<'a, str>,
}

impl StoredMetadata<'_> {
    /// `None` when a field is malformed.
    pub fn parse(&self) -> Option<EventMetadata> {
        Some(EventMetadata {
            occurred_at: DateTime::parse_from_rfc3339(&self.occurred_at)
                .ok()?
                .with_timezone(&Utc),
            actor: self.actor.to_string(),
            library: self.library.as_deref().map(LibraryId::from),
            role: match &self.role {
                Some(role) => Some(Role::parse(role)?),
                None => None,
            },
            coordinator_reason: self.coordinator_reason.as_deref().map(str::to_owned),
            correlation_id: self.correlation_id.parse().ok()?,
        })
    }
}
