//! Storage: the event store on PostgreSQL or SQLite, the global-order reader
//! of the event log, and the read models projected from it.

pub mod accounts;
pub mod database;
pub mod error;
pub mod log_reader;
pub mod request_view;
pub mod store;
pub mod transfer;

pub use database::Database;
pub use error::StoreError;
pub use log_reader::{Position, StoredEvent};
pub use request_view::{HistoryEntry, RequestView};
pub use store::{CommandError, Committed, EventStore};

#[cfg(feature = "testing")]
pub mod testing;
