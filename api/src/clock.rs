//! The system clock, which the running server reads (tests give their own).

use chrono::{DateTime, Utc};
use domain::Clock;

/// The real time, for the running server.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
