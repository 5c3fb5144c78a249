//! The catalogue's one error type.

use store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CatalogueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file cannot be read as its format: nothing of it was kept.
    #[error("{0}")]
    BrokenFile(#[from] crate::formats::BrokenFile),
    /// An import for this library is running (and alive).
    #[error("an import for {0} is running")]
    ImportRunning(String),
    /// The import stopped beating for so long that another import of its
    /// library took over; nothing of it was kept.
    #[error("import {0} was taken over by a later import of its library")]
    TakenOver(String),
    /// Reading the body or file failed (the client went away, a disk error).
    #[error("reading the holdings failed: {0}")]
    Read(String),
}

impl From<sqlx::Error> for CatalogueError {
    fn from(error: sqlx::Error) -> Self {
        CatalogueError::Store(StoreError::from(error))
    }
}
