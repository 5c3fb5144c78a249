//! Storage: the event store on PostgreSQL or SQLite, the global-order reader
//! of the event log, and the read models projected from it.

pub mod database;
pub mod error;
pub mod log_reader;
pub mod store;

pub use database::Database;
pub use error::StoreError;
pub use log_reader::{Position, StoredEvent};
pub use store::{CommandError, Committed, EventStore};

#[cfg(feature = "testing")]
pub mod testing;
