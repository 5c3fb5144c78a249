//! Prometheus text-format metrics: HTTP requests and their latency, commands
//! by type and outcome. The projector's figures are read at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use projections::projector::{ProjectionStatus, ProjectorStatus};

const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// A per-projection gauge: name, help, and how to read it.
type Gauge = (&'static str, &'static str, fn(&ProjectionStatus) -> f64);

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bucket, count) in LATENCY_BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bucket {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    http_requests: Mutex<BTreeMap<(String, u16), u64>>,
    http_latency: Mutex<BTreeMap<String, Histogram>>,
    commands: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
}

impl Metrics {
    pub fn http(&self, route: &str, status: u16, elapsed: Duration) {
        *self
            .http_requests
            .lock()
            .expect("metrics lock")
            .entry((route.to_owned(), status))
            .or_default() += 1;
        self.http_latency
            .lock()
            .expect("metrics lock")
            .entry(route.to_owned())
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    pub fn command(&self, command: &'static str, outcome: &'static str) {
        *self
            .commands
            .lock()
            .expect("metrics lock")
            .entry((command, outcome))
            .or_default() += 1;
    }

    /// The text exposition, the projector's figures included.
    pub fn render(&self, projector: &ProjectorStatus) -> String {
        let mut out = String::new();
        out.push_str("# HELP ill_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE ill_http_requests_total counter\n");
        for ((route, status), count) in self.http_requests.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "ill_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str("# HELP ill_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE ill_http_request_duration_seconds histogram\n");
        for (route, histogram) in self.http_latency.lock().expect("metrics lock").iter() {
            for (bucket, count) in LATENCY_BUCKETS.iter().zip(histogram.counts) {
                let _ = writeln!(
                    out,
                    "ill_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bucket}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "ill_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "ill_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "ill_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count
            );
        }
        out.push_str(
            "# HELP ill_commands_total Commands by type and outcome (ok or the error code).\n",
        );
        out.push_str("# TYPE ill_commands_total counter\n");
        for ((command, outcome), count) in self.commands.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "ill_commands_total{{command=\"{command}\",outcome=\"{outcome}\"}} {count}"
            );
        }
        let gauges: [Gauge; 4] = [
            (
                "ill_projector_position",
                "Global position of the last event projected.",
                |p| p.position().global as f64,
            ),
            (
                "ill_projector_lag_seconds",
                "Seconds the oldest unprojected event has waited since its commit.",
                |p| p.lag_seconds(),
            ),
            (
                "ill_projector_events_applied_total",
                "Events this process projected.",
                |p| p.events_applied() as f64,
            ),
            (
                "ill_projector_leader",
                "1 while this process runs the projection.",
                |p| f64::from(u8::from(p.is_leader())),
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for projection in projector.projections() {
                let _ = writeln!(
                    out,
                    "{name}{{projection=\"{}\"}} {}",
                    projection.projection(),
                    value(projection)
                );
            }
        }
        out
    }
}
