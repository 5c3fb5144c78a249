//! Storage: the event store on PostgreSQL or SQLite, the global-order reader
//! of the event log, and the read models projected from it.

pub mod accounts;
pub mod as_of;
pub mod changes;
pub mod database;
pub mod error;
pub mod generate;
pub mod log_reader;
pub mod projector;
pub mod queries;
mod read_models;
pub mod rebuild;
pub mod sessions;
mod sql;
pub mod store;
pub mod transfer;
pub mod vault;

pub use changes::{Change, ChangeFeed, QueueChange};
pub use database::Database;
pub use error::StoreError;
pub use log_reader::{Position, StoredEvent};
pub use projector::{ProjectionStatus, Projector, ProjectorStatus};
pub use queries::{QueryError, QueueSide};
pub use read_models::Projection;
pub use store::{CommandError, Committed, EventStore};

#[cfg(feature = "testing")]
pub mod testing;
