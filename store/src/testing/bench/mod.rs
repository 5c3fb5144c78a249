//! What the benchmarks of every crate share: their knobs, percentiles, and
//! the raw read baseline every log-reading figure is divided by.

use std::time::{Duration, Instant};

use futures::StreamExt;

/// The baseline of reading the log: the columns the projector reads, in order.
const COPY_EVENTS: &str = include_str!("sql/copy_events.sql");

/// The environment variable `name` parsed, or `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// The `p`-th percentile (0–100) of `times`, nearest rank.
pub fn percentile(times: &mut [Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort();
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The raw read baseline: the whole log through `COPY … TO STDOUT`; the
/// time and the bytes.
pub async fn copy_events(pool: &sqlx::PgPool) -> (Duration, u64) {
    let mut connection = pool.acquire().await.unwrap();
    let started = Instant::now();
    let mut stream = connection.copy_out_raw(COPY_EVENTS).await.unwrap();
    let mut bytes = 0;
    while let Some(chunk) = stream.next().await {
        bytes += chunk.unwrap().len() as u64;
    }
    (started.elapsed(), bytes)
}
