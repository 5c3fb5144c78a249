//! Prometheus text-format metrics: HTTP requests and their latency, commands
//! by type and outcome, refusals by limit. The projector's figures are read
//! at scrape time.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use projections::projector::ProjectorStatus;

const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    command: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusalLabels {
    limit: &'static str,
}

/// A limit that refused a request or closed a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An HTTP body that did not arrive within its time (408).
    BodyTimeout,
    /// A socket message over the size limit.
    SocketMessageSize,
    /// No `connection_init` in time (4408).
    SocketInitTimeout,
    /// Pings unanswered for too long.
    SocketUnansweredPings,
    /// A subscription over the per-socket limit (BAD_INPUT).
    SocketSubscriptions,
    /// The socket's credential ended (4403).
    SocketCredentialEnded,
    /// A holdings file over `--max-import-bytes` (413).
    ImportTooLarge,
    /// A holdings file of another content type (415).
    ImportContentType,
    /// A holdings file while its library's import runs (409).
    ImportRunning,
    /// A holdings file whose structure is broken (400).
    ImportBrokenFile,
    /// A holdings file without a byte for the body timeout (408).
    ImportBodyTimeout,
}

impl Refusal {
    fn label(self) -> &'static str {
        match self {
            Refusal::BodyTimeout => "body_timeout",
            Refusal::SocketMessageSize => "socket_message_size",
            Refusal::SocketInitTimeout => "socket_init_timeout",
            Refusal::SocketUnansweredPings => "socket_unanswered_pings",
            Refusal::SocketSubscriptions => "socket_subscriptions",
            Refusal::SocketCredentialEnded => "socket_credential_ended",
            Refusal::ImportTooLarge => "import_too_large",
            Refusal::ImportContentType => "import_content_type",
            Refusal::ImportRunning => "import_running",
            Refusal::ImportBrokenFile => "import_broken_file",
            Refusal::ImportBodyTimeout => "import_body_timeout",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProjectionLabels {
    projection: &'static str,
}

/// A gauge per projection, of the value's type.
type PerProjection<T> = Family<ProjectionLabels, Gauge<T, AtomicU64>>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The registry and the handles that record into it.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: Family<RequestLabels, Counter>,
    http_latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    commands: Family<CommandLabels, Counter>,
    refusals: Family<RefusalLabels, Counter>,
    projector_position: Family<ProjectionLabels, Gauge>,
    projector_lag: PerProjection<f64>,
    projector_applied: PerProjection<u64>,
    projector_leader: PerProjection<u64>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::default();
        // The registry appends the final full stop of each help text, and
        // `_total` to a counter's name.
        let http_requests = Family::default();
        registry.register(
            "ill_http_requests",
            "HTTP requests by route and status",
            http_requests.clone(),
        );
        let http_latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "ill_http_request_duration_seconds",
            "HTTP request latency",
            http_latency.clone(),
        );
        let commands = Family::default();
        registry.register(
            "ill_commands",
            "Commands by type and outcome (ok or the error code)",
            commands.clone(),
        );
        let refusals = Family::default();
        registry.register(
            "ill_refusals",
            "Requests and sockets refused or closed by a limit",
            refusals.clone(),
        );
        let projector_position = Family::default();
        registry.register(
            "ill_projector_position",
            "Global position of the last event projected",
            projector_position.clone(),
        );
        let projector_lag = Family::default();
        registry.register(
            "ill_projector_lag_seconds",
            "Seconds the oldest unprojected event has waited since its commit",
            projector_lag.clone(),
        );
        let projector_applied = Family::default();
        registry.register(
            "ill_projector_events_applied_total",
            "Events this process projected",
            projector_applied.clone(),
        );
        let projector_leader = Family::default();
        registry.register(
            "ill_projector_leader",
            "1 while this process runs the projection",
            projector_leader.clone(),
        );
        Metrics {
            registry,
            http_requests,
            http_latency,
            commands,
            refusals,
            projector_position,
            projector_lag,
            projector_applied,
            projector_leader,
        }
    }
}

impl Metrics {
    pub fn http(&self, route: &str, status: u16, elapsed: Duration) {
        let route = route.to_owned();
        self.http_latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
            })
            .observe(elapsed.as_secs_f64());
        self.http_requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
    }

    pub fn command(&self, command: &'static str, outcome: &'static str) {
        self.commands
            .get_or_create(&CommandLabels { command, outcome })
            .inc();
    }

    pub fn refused(&self, limit: Refusal) {
        self.refusals
            .get_or_create(&RefusalLabels {
                limit: limit.label(),
            })
            .inc();
    }

    /// The text exposition, the projector's figures included.
    pub fn render(&self, projector: &ProjectorStatus) -> String {
        for status in projector.projections() {
            let labels = ProjectionLabels {
                projection: status.projection().name(),
            };
            self.projector_position
                .get_or_create(&labels)
                .set(status.position().global);
            self.projector_lag
                .get_or_create(&labels)
                .set(status.lag_seconds());
            self.projector_applied
                .get_or_create(&labels)
                .set(status.events_applied());
            self.projector_leader
                .get_or_create(&labels)
                .set(u64::from(status.is_leader()));
        }
        let mut out = String::new();
        prometheus_text::encode(&mut out, &self.registry).expect("text into a String");
        out
    }
}
