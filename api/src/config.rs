//! The command line of `ill-server` (`../shared/contract/CLI.md`), and the
//! settings a server starts with.

use std::net::SocketAddr;
use std::time::Duration;

use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::Calendar;

use crate::http::client_address::Cidr;

/// Requests in the demo year: loads in seconds in a release build.
pub const DEMO_REQUESTS: usize = 24_000;

#[derive(Debug, Parser)]
#[command(
    name = "ill-server",
    version,
    about = "The ILL network's GraphQL server"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// sqlite://PATH (embedded, created on first start) or postgres://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://ill-data/ill.sqlite",
        global = true
    )]
    pub database_url: String,
    /// Address to serve on; port 0 picks a free port.
    #[arg(long, env = "ILL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// IANA zone whose calendar dates are "today" and statistics days.
    #[arg(long, env = "ILL_TIME_ZONE", default_value = "UTC")]
    pub time_zone: Tz,
    /// Days a lender (or a borrower asked about conditions) may leave a
    /// request unanswered before it moves on.
    #[arg(long, env = "ILL_LENDER_RESPONSE_DAYS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub lender_response_days: u32,
    /// On an empty store, load a demo network and print its accounts.
    #[arg(long, env = "ILL_DEMO")]
    pub demo: bool,
    /// Requests in the demo network's year (from a few hundred to millions).
    #[arg(long, env = "ILL_DEMO_REQUESTS", default_value_t = DEMO_REQUESTS)]
    pub demo_requests: usize,
    /// While the store has no ADMIN account, create `admin` of NETWORK with this token.
    #[arg(long, env = "ILL_BOOTSTRAP_ADMIN_TOKEN", hide_env_values = true)]
    pub bootstrap_admin_token: Option<String>,
    /// Days patron data and notes are kept after a request ends.
    #[arg(long, env = "ILL_PATRON_RETENTION_DAYS", default_value_t = 90)]
    pub patron_retention_days: u32,
    /// Seconds one HTTP request may run.
    #[arg(long, env = "ILL_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout_secs: u64,
    /// Serve /stats only to signed-in staff.
    #[arg(long, env = "ILL_PRIVATE_STATS")]
    pub private_stats: bool,
    #[arg(long, env = "ILL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// This service's own address; `https://…` marks the session cookie Secure.
    #[arg(long, env = "ILL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A web session's absolute lifetime (besides the 8-hour idle one).
    #[arg(long, env = "ILL_SESSION_MAX_AGE_DAYS", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub session_max_age_days: u32,
    /// CIDR list (`10.0.0.0/8,::1/128`) whose `X-Forwarded-For` is believed.
    #[arg(long, env = "ILL_TRUSTED_PROXIES", value_delimiter = ',', value_parser = Cidr::parse)]
    pub trusted_proxies: Vec<Cidr>,
    /// Serve /metrics on this address only (not on --listen).
    #[arg(long, env = "ILL_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// The largest holdings file `POST /holdings` accepts (413 above), in
    /// bytes or with a unit: `2GiB`, `500MiB`, `64KiB`.
    #[arg(long, env = "ILL_MAX_IMPORT_BYTES", default_value = "2GiB", value_parser = parse_bytes)]
    pub max_import_bytes: u64,

    /// The most lenders an automatic rota holds.
    #[arg(long, env = "ILL_MAX_ROTA", default_value_t = catalogue::rota::DEFAULT_MAX_ROTA, value_parser = parse_max_rota)]
    pub max_rota: usize,
}

/// A size: digits, optionally followed by `KiB`, `MiB` or `GiB`.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let scale: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        other => return Err(format!("unknown unit {other:?}: use B, KiB, MiB or GiB")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a size in bytes"))
}

/// `--max-rota`: 1 to the most lenders a rota may hold.
fn parse_max_rota(text: &str) -> Result<usize, String> {
    let max = domain::validation::MAX_ROTA;
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("{text:?} is not a number from 1 to {max}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Staff tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Staff accounts' passwords for the web client.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Print the served GraphQL schema (SDL).
    PrintSchema,
    /// The union catalogue's holdings.
    #[command(subcommand)]
    Holdings(HoldingsCommand),
}

#[derive(Debug, Subcommand)]
pub enum HoldingsCommand {
    /// Replace a library's holdings with FILE; prints the summary as JSON.
    Import {
        #[arg(long)]
        library: String,
        /// Guessed from FILE's extension when absent (.mrc/.marc, .xml, .csv).
        #[arg(long, value_parser = ["marc", "marcxml", "csv"])]
        format: Option<String>,
        /// Other item tags' subfields: `TAG:SUBFIELD=FIELD,...`.
        #[arg(long)]
        items: Option<String>,
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create the account if new, and a token for it; prints the token.
    Create {
        #[arg(long)]
        library: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["STAFF", "COORDINATOR", "ADMIN"])]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Set an account's password, read from the first line of stdin (create
    /// the account if new); ends its sessions.
    SetPassword {
        #[arg(long)]
        library: String,
        #[arg(long)]
        name: String,
        /// The role of a new account (STAFF when not given); an existing
        /// account takes it when given.
        #[arg(long, value_parser = ["STAFF", "COORDINATOR", "ADMIN"])]
        role: Option<String>,
    },
}

/// What a server starts with: the command line's `Config`, or a test's.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub listen: SocketAddr,
    pub calendar: Calendar,
    pub lender_response_days: u32,
    /// Load a demo network of this many requests into an empty store.
    pub demo: Option<usize>,
    pub bootstrap_admin_token: Option<String>,
    pub patron_retention_days: u32,
    pub request_timeout: Duration,
    /// How often the scheduler looks for unanswered requests.
    pub scheduler_interval: Duration,
    /// `/stats` only for signed-in staff.
    pub private_stats: bool,
    /// The most lenders an automatic rota holds (`--max-rota`).
    pub max_rota: usize,
    pub security: Security,
}

/// Who may sign in for how long, where the client's address comes from,
/// and the limits on sockets and bodies.
#[derive(Debug, Clone)]
pub struct Security {
    /// The session cookie is `Secure` (the public URL is https).
    pub secure_cookie: bool,
    pub session_max_age: chrono::Duration,
    pub trusted_proxies: Vec<Cidr>,
    /// `/metrics` on its own address instead of the main one.
    pub metrics_listen: Option<SocketAddr>,
    /// An HTTP request body must arrive within this; a holdings file may
    /// take as long as it needs, but not this long without a byte.
    pub body_timeout: Duration,
    /// The largest holdings file accepted.
    pub max_import_bytes: u64,
    pub socket: SocketLimits,
}

impl Default for Security {
    fn default() -> Security {
        Security {
            secure_cookie: false,
            session_max_age: chrono::Duration::days(7),
            trusted_proxies: Vec::new(),
            metrics_listen: None,
            body_timeout: Duration::from_secs(30),
            max_import_bytes: 2 << 30,
            socket: SocketLimits::default(),
        }
    }
}

/// The limits of one `/graphql/ws` connection.
#[derive(Debug, Clone)]
pub struct SocketLimits {
    /// `connection_init` must come within this (else close 4408).
    pub init_timeout: Duration,
    /// A ping goes out this often.
    pub ping_every: Duration,
    /// Nothing heard (no pong, no message) for this long closes the socket.
    pub silence: Duration,
    /// Subscriptions open at once.
    pub subscriptions: usize,
}

impl Default for SocketLimits {
    fn default() -> SocketLimits {
        SocketLimits {
            init_timeout: Duration::from_secs(10),
            ping_every: Duration::from_secs(20),
            silence: Duration::from_secs(60),
            subscriptions: 100,
        }
    }
}

impl Config {
    pub fn settings(&self) -> Settings {
        Settings {
            database_url: self.database_url.clone(),
            listen: self.listen,
            calendar: Calendar::new(self.time_zone),
            lender_response_days: self.lender_response_days,
            demo: self.demo.then_some(self.demo_requests),
            bootstrap_admin_token: self.bootstrap_admin_token.clone(),
            patron_retention_days: self.patron_retention_days,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            scheduler_interval: Duration::from_secs(60),
            private_stats: self.private_stats,
            max_rota: self.max_rota,
            security: Security {
                secure_cookie: self
                    .public_url
                    .as_deref()
                    .is_some_and(|url| url.to_ascii_lowercase().starts_with("https://")),
                session_max_age: chrono::Duration::days(i64::from(self.session_max_age_days)),
                trusted_proxies: self.trusted_proxies.clone(),
                metrics_listen: self.metrics_listen,
                max_import_bytes: self.max_import_bytes,
                ..Security::default()
            },
        }
    }
}
