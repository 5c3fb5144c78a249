//! What the projector tells subscribers: a request entered, moved within or
//! left a library's queue, or a library's directory entry changed. Plain
//! types, imported by the read models that make them and the queries and
//! feed that carry them.

use domain::{LibraryId, RequestStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QueueSide {
    /// Requests the library placed.
    Borrowing,
    /// Requests where the library is the current lender.
    Lending,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Queue(QueueChange),
    /// A library's directory entry changed.
    Library(LibraryId),
}

/// A request entered, moved within, or left one library's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueChange {
    pub request_id: Uuid,
    pub library: LibraryId,
    pub side: QueueSide,
    pub status: RequestStatus,
    /// Whether the request is now in that queue (without a status filter:
    /// not ended, and for LENDING, the library is its current lender).
    pub in_queue: bool,
}
