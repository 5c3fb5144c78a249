//! The `Library` aggregate: a member of the network, keyed by its symbol.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, Role};
use crate::closure::{self, Closure};
use crate::error::DomainError;
use crate::library_id::LibraryId;
use crate::validation::{self, MAX_NAME};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryCommand {
    pub actor: Actor,
    pub change: LibraryChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibraryChange {
    Register {
        id: LibraryId,
        name: String,
        lends: bool,
    },
    Update {
        name: Option<String>,
        lends: Option<bool>,
    },
    SetLendingSuspended(bool),
    /// Replaces the library's closures; `today` bounds them (none may end
    /// before it).
    SetClosures {
        closures: Vec<Closure>,
        today: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LibraryEvent {
    LibraryRegistered {
        id: LibraryId,
        name: String,
        lends: bool,
    },
    LibraryUpdated {
        name: String,
        lends: bool,
    },
    LendingSuspended {},
    LendingResumed {},
    /// The library's dated closures, ordered, overlaps merged ("1.1").
    ClosuresSet {
        closures: Vec<Closure>,
    },
}

impl DomainEvent for LibraryEvent {
    fn event_type(&self) -> String {
        match self {
            LibraryEvent::LibraryRegistered { .. } => "LibraryRegistered",
            LibraryEvent::LibraryUpdated { .. } => "LibraryUpdated",
            LibraryEvent::LendingSuspended {} => "LendingSuspended",
            LibraryEvent::LendingResumed {} => "LendingResumed",
            LibraryEvent::ClosuresSet { .. } => "ClosuresSet",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        match self {
            LibraryEvent::ClosuresSet { .. } => crate::EVENT_VERSION_1_1,
            _ => crate::EVENT_VERSION,
        }
        .to_owned()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Library {
    pub registered: Option<LibraryRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryRecord {
    pub id: LibraryId,
    pub name: String,
    pub lends: bool,
    pub suspended: bool,
    /// Absent from records stored before closures existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closures: Vec<Closure>,
}

impl LibraryRecord {
    pub fn closed_on(&self, date: NaiveDate) -> bool {
        self.closures.iter().any(|c| c.covers(date))
    }
}

impl Library {
    /// The events a command yields, or why it is refused.
    pub fn decide(&self, command: LibraryCommand) -> Result<Vec<LibraryEvent>, DomainError> {
        let LibraryCommand { actor, change } = command;
        match change {
            LibraryChange::Register { id, name, lends } => {
                validation::required("name", &name, MAX_NAME)?;
                if actor.role != Role::Admin {
                    return Err(DomainError::forbidden("only an admin registers libraries"));
                }
                if self.registered.is_some() {
                    return Err(DomainError::bad_input(
                        "id",
                        format!("library {id} is registered already"),
                    ));
                }
                Ok(vec![LibraryEvent::LibraryRegistered {
                    id,
                    name: name.trim().to_owned(),
                    lends,
                }])
            }
            LibraryChange::Update { name, lends } => {
                if let Some(name) = &name {
                    validation::required("name", name, MAX_NAME)?;
                }
                let current = self.existing(&actor)?;
                let name = name.map_or(current.name.clone(), |n| n.trim().to_owned());
                let lends = lends.unwrap_or(current.lends);
                if name == current.name && lends == current.lends {
                    return Ok(vec![]);
                }
                Ok(vec![LibraryEvent::LibraryUpdated { name, lends }])
            }
            LibraryChange::SetLendingSuspended(suspended) => {
                let current = self.existing(&actor)?;
                Ok(match (current.suspended, suspended) {
                    (false, true) => vec![LibraryEvent::LendingSuspended {}],
                    (true, false) => vec![LibraryEvent::LendingResumed {}],
                    _ => vec![],
                })
            }
            LibraryChange::SetClosures { closures, today } => {
                let closures = closure::normalize(closures, today)?;
                let record = self.registered.as_ref().ok_or(DomainError::NotFound)?;
                if !actor.role.is_network_wide() && actor.library != record.id {
                    return Err(DomainError::forbidden(
                        "a library's own staff, a coordinator or an admin sets its closures",
                    ));
                }
                if closures == record.closures {
                    return Ok(vec![]);
                }
                Ok(vec![LibraryEvent::ClosuresSet { closures }])
            }
        }
    }

    fn existing(&self, actor: &Actor) -> Result<&LibraryRecord, DomainError> {
        let record = self.registered.as_ref().ok_or(DomainError::NotFound)?;
        if !actor.role.is_network_wide() {
            return Err(DomainError::forbidden(
                "only a coordinator or admin changes a library",
            ));
        }
        Ok(record)
    }
}

impl Aggregate for Library {
    const TYPE: &'static str = "Library";
    type Command = LibraryCommand;
    type Event = LibraryEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            LibraryEvent::LibraryRegistered { id, name, lends } => {
                self.registered = Some(LibraryRecord {
                    id,
                    name,
                    lends,
                    suspended: false,
                    closures: Vec::new(),
                });
            }
            LibraryEvent::LibraryUpdated { name, lends } => {
                if let Some(record) = &mut self.registered {
                    record.name = name;
                    record.lends = lends;
                }
            }
            LibraryEvent::LendingSuspended {} => self.set_suspended(true),
            LibraryEvent::LendingResumed {} => self.set_suspended(false),
            LibraryEvent::ClosuresSet { closures } => {
                if let Some(record) = &mut self.registered {
                    record.closures = closures;
                }
            }
        }
    }
}

impl Library {
    fn set_suspended(&mut self, suspended: bool) {
        if let Some(record) = &mut self.registered {
            record.suspended = suspended;
        }
    }
}
