//! The read side: the catch-up projector, the read models it keeps, rebuild
//! and verify, the log as of an instant, the change feed, and the queries
//! over the read models.

pub mod as_of;
pub mod changes;
pub mod feed;
pub mod projector;
pub mod queries;
mod read_models;
pub mod rebuild;

pub use changes::{Change, QueueChange, QueueSide};
pub use feed::ChangeFeed;
pub use projector::{ProjectionStatus, Projector, ProjectorStatus};
pub use queries::QueryError;
pub use read_models::Projection;
