//! The `IllRequest` aggregate: one interlibrary-loan request from placing to
//! its end.

mod aggregate;
mod commands;
mod decide;
mod events;
mod permitted;
pub mod rota;
mod routing;
mod state;
pub(crate) mod status;
mod types;
pub mod view;

pub use aggregate::{IllRequest, RequestServices};
pub use commands::{Action, Note, PatronInput, PlaceRequest, RequestCommand};
pub use events::RequestEvent;
pub use rota::RotaEntry;
pub use state::{RequestState, RotaSlot};
pub use status::RequestStatus;
pub use types::{
    CopyrightCompliance, Item, LoanCondition, RotaOutcome, ServiceType, Side, SkipReason,
    UnfilledReason,
};
