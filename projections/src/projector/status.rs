//! The projector's status: position, lag, events applied and leadership of
//! each projection.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use store::log::Position;

use crate::read_models::Projection;

/// Where each projection stands, readable without locks (for `/metrics`).
#[derive(Debug)]
pub struct ProjectorStatus {
    pub(super) projections: [ProjectionStatus; Projection::ALL.len()],
}

#[derive(Debug)]
pub struct ProjectionStatus {
    pub(super) projection: Projection,
    pub(super) tx: AtomicI64,
    pub(super) global: AtomicI64,
    pub(super) lag_micros: AtomicI64,
    pub(super) applied: AtomicU64,
    pub(super) leader: AtomicBool,
}

impl ProjectorStatus {
    pub(super) fn new() -> ProjectorStatus {
        ProjectorStatus {
            projections: Projection::ALL.map(|projection| ProjectionStatus {
                projection,
                tx: AtomicI64::new(0),
                global: AtomicI64::new(0),
                lag_micros: AtomicI64::new(0),
                applied: AtomicU64::new(0),
                leader: AtomicBool::new(false),
            }),
        }
    }

    pub fn projections(&self) -> &[ProjectionStatus] {
        &self.projections
    }

    pub fn of(&self, projection: Projection) -> &ProjectionStatus {
        &self.projections[projection.index()]
    }

    /// The largest lag of any projection, in seconds.
    pub fn lag_seconds(&self) -> f64 {
        self.projections
            .iter()
            .map(ProjectionStatus::lag_seconds)
            .fold(0.0, f64::max)
    }

    /// Events this process applied, summed over the projections.
    pub fn events_applied(&self) -> u64 {
        self.projections
            .iter()
            .map(ProjectionStatus::events_applied)
            .sum()
    }

    /// Whether this process runs any projection.
    pub fn is_leader(&self) -> bool {
        self.projections.iter().any(ProjectionStatus::is_leader)
    }
}

impl ProjectionStatus {
    pub fn projection(&self) -> Projection {
        self.projection
    }

    /// The checkpoint as last seen or moved by this process.
    pub fn position(&self) -> Position {
        Position {
            tx: self.tx.load(Ordering::Relaxed),
            global: self.global.load(Ordering::Relaxed),
        }
    }

    /// How long the oldest event not yet applied has been committed (0 when
    /// none waits), as last seen.
    pub fn lag_seconds(&self) -> f64 {
        self.lag_micros.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// Events this process applied to the projection.
    pub fn events_applied(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    /// Whether this process runs the projection.
    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    pub(super) fn set_position(&self, position: Position) {
        self.tx.store(position.tx, Ordering::Relaxed);
        self.global.store(position.global, Ordering::Relaxed);
    }

    pub(super) fn set_lag(&self, since: Option<DateTime<Utc>>) {
        let lag = since.map_or(0, |since| {
            (Utc::now() - since).num_microseconds().unwrap_or(i64::MAX)
        });
        self.lag_micros.store(lag.max(0), Ordering::Relaxed);
    }
}
