//! Time is passed in, never read here: a [`Clock`] gives the instant and a
//! [`Calendar`] turns it into the network's calendar date.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The network's time zone: "today" and every statistics day are its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub time_zone: Tz,
}

impl Calendar {
    pub fn new(time_zone: Tz) -> Self {
        Calendar { time_zone }
    }

    pub fn date_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.time_zone).date_naive()
    }
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new(Tz::UTC)
    }
}

/// A clock that stands still until told to move: tests, demo generation and
/// imports set the time themselves.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        ManualClock {
            now: Mutex::new(now),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().expect("clock lock") = now;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().expect("clock lock");
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().expect("clock lock")
    }
}
