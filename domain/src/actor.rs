//! Who acts: a person's account (name, library, role) or the system itself.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::library_id::LibraryId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Staff,
    Coordinator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "STAFF",
            Role::Coordinator => "COORDINATOR",
            Role::Admin => "ADMIN",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "STAFF" => Some(Role::Staff),
            "COORDINATOR" => Some(Role::Coordinator),
            "ADMIN" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Coordinators and admins act network-wide.
    pub fn is_network_wide(self) -> bool {
        matches!(self, Role::Coordinator | Role::Admin)
    }
}

/// A signed-in account acting for its library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub library: LibraryId,
    pub role: Role,
    /// Why a coordinator or admin acts on a request; ignored for staff.
    pub reason: Option<String>,
}

impl Actor {
    pub fn new(name: impl Into<String>, library: impl Into<LibraryId>, role: Role) -> Self {
        Actor {
            name: name.into(),
            library: library.into(),
            role,
            reason: None,
        }
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// The reason a network-wide role must give to act on a request.
    pub fn coordinator_reason(&self) -> Option<&str> {
        if !self.role.is_network_wide() {
            return None;
        }
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }

    /// Coordinators and admins act on any request, always with a reason.
    pub fn require_coordinator_reason(&self) -> Result<(), DomainError> {
        match self.coordinator_reason() {
            Some(_) => Ok(()),
            None => Err(DomainError::Forbidden(
                "a coordinator must give a coordinatorReason".into(),
            )),
        }
    }
}

/// Where a command comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Person(Actor),
    /// The scheduler or routing inside the service.
    System,
}
