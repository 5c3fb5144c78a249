//! The ILL network's domain: the `IllRequest` and `Library` aggregates, their
//! commands and events, who may do what, validation, and the request view
//! people read. Pure: no I/O, no clock reads (a [`Clock`] is passed in
//! through the services).

pub mod actor;
pub mod clock;
pub mod closure;
pub mod directory;
pub mod error;
pub mod library;
pub mod library_id;
pub mod metadata;
pub mod normalize;
pub mod request;
pub mod rota_order;
#[cfg(feature = "testing")]
pub mod testing;
pub mod validation;

pub use actor::{Actor, Origin, Role};
pub use clock::{Calendar, Clock, ManualClock};
pub use closure::Closure;
pub use directory::{InMemoryDirectory, LibraryDirectory, LibraryStatus};
pub use error::DomainError;
pub use library::{Library, LibraryChange, LibraryCommand, LibraryEvent};
pub use library_id::LibraryId;
pub use metadata::{EventMetadata, StoredMetadata, SYSTEM_ACTOR};
pub use request::view::{HistoryEntry, MalformedMetadata, RequestView};
pub use request::{
    Action, CopyrightCompliance, IllRequest, Item, LoanCondition, Note, PatronInput, PlaceRequest,
    RequestCommand, RequestEvent, RequestServices, RequestState, RequestStatus, RotaEntry,
    RotaOutcome, RotaSlot, ServiceType, Side, SkipReason, UnfilledReason,
};

/// The `event_version` of every event this crate writes, except those below.
pub const EVENT_VERSION: &str = "1.0";
/// The `event_version` of the events added in the next wave (DESIGN.md),
/// and of a placement or reroute whose rota carries a selection.
pub const EVENT_VERSION_1_1: &str = "1.1";
