//! The sign-in throttle: failed attempts slow further ones down, per account
//! and per client address, in memory (each node slows the attempts it sees).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before each further attempt must wait; the wait doubles
/// with every failure up to `MAX_WAIT`.
pub const FREE_FAILURES_PER_ACCOUNT: u32 = 3;
pub const FREE_FAILURES_PER_ADDRESS: u32 = 20;
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Entries kept before forgetting those that no longer slow anyone.
const REMEMBERED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// No attempt is heard before this.
    until: Instant,
}

/// Failed sign-ins by key ("account LIB/name" or "address IP"), each with
/// the failures it is allowed free.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Failures>>,
}

impl Throttle {
    /// How long the caller must still wait, if any key is held back.
    pub fn wait(&self, keys: &[(String, u32)], now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().expect("throttle lock");
        keys.iter()
            .filter_map(|(key, _)| failures.get(key))
            .map(|f| f.until.saturating_duration_since(now))
            .filter(|wait| !wait.is_zero())
            .max()
    }

    pub fn failed(&self, keys: &[(String, u32)], now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() >= REMEMBERED {
            failures.retain(|_, f| f.until > now);
        }
        for (key, free) in keys {
            let entry = failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                until: now,
            });
            entry.count += 1;
            if entry.count >= *free {
                let doublings = (entry.count - free).min(20);
                let wait = Duration::from_secs(1u64 << doublings).min(MAX_WAIT);
                entry.until = now + wait;
            }
        }
    }

    pub fn succeeded(&self, account_key: &str) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(account_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_beyond_the_free_ones_wait_longer_each_time() {
        let throttle = Throttle::default();
        let keys = [("account A/x".to_owned(), 3)];
        let start = Instant::now();
        throttle.failed(&keys, start);
        throttle.failed(&keys, start);
        assert_eq!(throttle.wait(&keys, start), None);
        throttle.failed(&keys, start);
        assert_eq!(throttle.wait(&keys, start), Some(Duration::from_secs(1)));
        throttle.failed(&keys, start);
        assert_eq!(throttle.wait(&keys, start), Some(Duration::from_secs(2)));
        assert_eq!(throttle.wait(&keys, start + Duration::from_secs(2)), None);
        throttle.succeeded("account A/x");
        assert_eq!(throttle.wait(&keys, start), None);
    }
}
