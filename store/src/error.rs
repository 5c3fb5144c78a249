//! The store's one error type: a backend failure, a malformed row or URL.

use domain::MalformedMetadata;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database url {0:?}: use sqlite://PATH or postgres://...")]
    BadUrl(String),
    #[error("the store is unreachable: {0}")]
    Unreachable(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored event is malformed: {0}")]
    Malformed(String),
    #[error("the event store failed: {0}")]
    EventStore(Box<dyn std::error::Error + Send + Sync>),
    #[error("creating the database directory failed: {0}")]
    Io(#[from] std::io::Error),
    /// Someone else holds what this needs (a rebuild in progress, a
    /// transaction holding the log back).
    #[error("{0}")]
    Busy(String),
    #[error("no projection named {0:?}")]
    UnknownProjection(String),
    /// A `sqlite://PATH` naming no file, where only an existing store will do.
    #[error("there is no store at {0}")]
    NoStore(String),
}

impl From<MalformedMetadata> for StoreError {
    fn from(error: MalformedMetadata) -> Self {
        StoreError::Malformed(error.to_string())
    }
}
