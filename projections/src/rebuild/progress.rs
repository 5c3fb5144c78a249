//! What a rebuild reports: where it stands after each batch, and what it
//! swapped in.

use std::time::Duration;

use crate::read_models::Projection;
use store::log::Position;

/// Where a rebuild stands, after each batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    pub projection: Projection,
    /// Events applied to the twins so far.
    pub applied: u64,
    /// Events in the log when the projection's rebuild began.
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuiltProjection {
    pub projection: Projection,
    pub events: u64,
    /// The checkpoint the swapped-in tables start from.
    pub position: Position,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildSummary {
    pub projections: Vec<RebuiltProjection>,
}
