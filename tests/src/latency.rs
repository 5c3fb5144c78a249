//! Latency figures of the ignored benchmarks: p50, p99 and max of what was
//! timed, beside the baseline timed in the same loop, and their p99 ratio.

use std::time::Duration;

use store::testing::bench::{ms, percentile};

/// p50, p99 and max in milliseconds.
fn summary(times: &mut [Duration]) -> (f64, f64, f64) {
    (
        ms(percentile(times, 50.0)),
        ms(percentile(times, 99.0)),
        ms(percentile(times, 100.0)),
    )
}

/// Prints `timed` under `label` beside `base`, the times of `baseline`.
pub fn report(label: &str, baseline: &str, timed: &mut [Duration], base: &mut [Duration]) {
    let (timed, base) = (summary(timed), summary(base));
    println!(
        "{label}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; \
         {baseline} p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; p99 ratio {:.1}x",
        timed.0,
        timed.1,
        timed.2,
        base.0,
        base.1,
        base.2,
        timed.1 / base.1.max(1e-9)
    );
}
