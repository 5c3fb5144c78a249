//! The service's database: connect and migrate either backend (PostgreSQL or
//! SQLite), the event store, the log in global order, NDJSON export and
//! import, and the plain tables beside the log (accounts, sessions, the
//! patron vault).

pub mod accounts;
pub mod backend;
pub mod database;
pub mod error;
pub mod event_store;
pub mod log;
pub mod sessions;
pub mod streams;
pub mod transfer;
pub mod vault;

pub use database::Database;
pub use error::StoreError;
pub use event_store::{CommandError, Committed, EventStore};
pub use log::{Position, StoredEvent};

#[cfg(feature = "testing")]
pub mod testing;
