//! `ill-replay`: the coordinator's tool to answer "what exactly happened, and
//! who did it?", and to keep the read models honest.

mod audit;
mod progress;
mod timeline;
mod verify;

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand};
use domain::{Calendar, LibraryId};
use projections::as_of::{self, Replay};
use projections::{rebuild, Projection, QueueSide};
use store::transfer::{self, TransferError};
use store::{Database, StoreError};
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(
    name = "ill-replay",
    version,
    about = "Replay, audit and move the ILL network's event log"
)]
struct Cli {
    /// sqlite://PATH or postgres://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://ill-data/ill.sqlite",
        global = true
    )]
    database_url: String,
    /// The network's time zone (the server's --time-zone): statistics days.
    #[arg(long, env = "ILL_TIME_ZONE", default_value = "UTC", global = true)]
    time_zone: chrono_tz::Tz,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay one request event by event.
    Audit {
        request_id: String,
        #[arg(long)]
        json: bool,
    },
    /// The request, or a library's queue, exactly as it stood at an instant
    /// (events whose occurred_at is not after it).
    AsOf {
        /// RFC 3339, e.g. 2026-03-02T14:00:00Z
        timestamp: String,
        #[arg(long, required_unless_present = "queue", conflicts_with = "queue")]
        request: Option<String>,
        /// A library's symbol; with --side.
        #[arg(long, requires = "side")]
        queue: Option<String>,
        #[arg(long, value_enum)]
        side: Option<Side>,
        /// With --queue: replay every event of the log instead of the streams
        /// of the queue's requests (slower; does not rely on the stored
        /// request views to find them).
        #[arg(long, requires = "queue")]
        whole_log: bool,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild projections from the log into fresh tables and swap them in.
    Rebuild {
        /// Only this projection (default: all).
        #[arg(long, value_parser = PossibleValuesParser::new(Projection::ALL.map(Projection::name)))]
        projection: Option<String>,
    },
    /// Rebuild every projection into scratch tables and compare with the stored ones.
    Verify,
    /// The event log as NDJSON, in global order.
    Export {
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Fill an empty store from an export.
    Import { file: std::path::PathBuf },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Side {
    Borrowing,
    Lending,
}

/// Exit codes of CLI.md.
enum Failure {
    /// 2: bad usage or input.
    Input(String),
    /// 3: the store does not answer, or fails.
    Store(String),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadUrl(_) | StoreError::UnknownProjection(_) => {
                Failure::Input(error.to_string())
            }
            other => Failure::Store(other.to_string()),
        }
    }
}

impl From<TransferError> for Failure {
    fn from(error: TransferError) -> Self {
        match error {
            TransferError::Store(e) => e.into(),
            TransferError::BadLine { .. } | TransferError::NotEmpty | TransferError::Io(_) => {
                Failure::Input(error.to_string())
            }
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::Input(error.to_string())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(Failure::Input(message)) => {
            eprintln!("ill-replay: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Store(message)) => {
            eprintln!("ill-replay: {message}");
            ExitCode::from(3)
        }
    }
}

fn request_id(text: &str) -> Result<Uuid, Failure> {
    text.parse()
        .map_err(|_| Failure::Input(format!("{text:?} is not a request id (a UUID)")))
}

fn instant(text: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Failure::Input(format!(
                "{text:?} is not an RFC 3339 timestamp, e.g. 2026-03-02T14:00:00Z"
            ))
        })
}

/// The store a command reads: it must exist already (a mistyped
/// `sqlite://` path is refused, exit 3, instead of answering from a new,
/// empty store).
async fn existing(url: &str) -> Result<Database, Failure> {
    Ok(Database::connect_existing(url).await?)
}

/// Arguments are checked before the store is opened: bad input is exit 2
/// whatever the store.
async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let url = cli.database_url.as_str();
    let calendar = Calendar::new(cli.time_zone);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match cli.command {
        Command::Audit {
            request_id: id,
            json,
        } => {
            let id = request_id(&id)?;
            let database = existing(url).await?;
            let steps = timeline::load(&database, id, None).await?;
            if steps.is_empty() {
                return Err(Failure::Input(format!("no request {id}")));
            }
            audit::print(&mut out, &steps, json)?;
        }
        Command::AsOf {
            timestamp,
            request,
            queue,
            side,
            whole_log,
            json,
        } => {
            let at = instant(&timestamp)?;
            match (request, queue, side) {
                (Some(request), _, _) => {
                    let id = request_id(&request)?;
                    let database = existing(url).await?;
                    let steps = timeline::load(&database, id, None).await?;
                    if steps.is_empty() {
                        return Err(Failure::Input(format!("no request {id}")));
                    }
                    let before: Vec<_> = steps
                        .into_iter()
                        .filter(|s| s.entry.metadata.occurred_at <= at)
                        .collect();
                    audit::print_as_of(&mut out, id, at, before.last(), json)?;
                }
                (None, Some(library), Some(side)) => {
                    let library = LibraryId::parse("--queue", &library)
                        .map_err(|e| Failure::Input(e.to_string()))?;
                    let side = match side {
                        Side::Borrowing => QueueSide::Borrowing,
                        Side::Lending => QueueSide::Lending,
                    };
                    let replay = if whole_log {
                        Replay::WholeLog
                    } else {
                        Replay::Streams
                    };
                    let database = existing(url).await?;
                    let views =
                        as_of::queue_as_of(&database, calendar, at, &library, side, replay).await?;
                    audit::print_queue(&mut out, &library, at, &views, json)?;
                }
                _ => {
                    return Err(Failure::Input(
                        "as-of needs --request ID or --queue LIBRARY --side SIDE".into(),
                    ))
                }
            }
        }
        Command::Rebuild { projection } => {
            let database = existing(url).await?;
            let mut bar = progress::Bar::new();
            let summary =
                rebuild::rebuild_with_progress(&database, calendar, projection.as_deref(), |p| {
                    bar.show(p)
                })
                .await?;
            bar.finish();
            let parts: Vec<String> = summary
                .projections
                .iter()
                .map(|p| {
                    format!(
                        "{} ({} events, {:.1} s)",
                        p.projection,
                        p.events,
                        p.elapsed.as_secs_f64()
                    )
                })
                .collect();
            writeln!(out, "rebuilt {}", parts.join(", "))?;
        }
        Command::Verify => {
            let database = existing(url).await?;
            let head = store::log::head(&database).await?;
            let lagging = verify::behind(&database, head).await?;
            let mut bar = progress::Bar::new();
            let differences = rebuild::verify(&database, calendar, |p| bar.show(p)).await?;
            bar.finish();
            let still = verify::behind(&database, head).await?;
            verify::report(&mut out, &differences, &lagging, &still)?;
            if !differences.is_empty() {
                out.flush()?;
                return Ok(ExitCode::from(1));
            }
        }
        Command::Export { out: file } => {
            let database = existing(url).await?;
            let count = match file {
                Some(path) => {
                    let mut file = BufWriter::new(File::create(&path)?);
                    let count = transfer::export(&database, &mut file).await?;
                    file.flush()?;
                    count
                }
                None => transfer::export(&database, &mut out).await?,
            };
            eprintln!("exported {count} events");
        }
        Command::Import { file } => {
            let input = File::open(&file)
                .map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
            let database = Database::connect(url).await?;
            let count = transfer::import(&database, BufReader::new(input)).await?;
            writeln!(out, "imported {count} events")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
