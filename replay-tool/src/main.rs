//! `ill-replay`: the coordinator's tool to answer "what exactly happened, and
//! who did it?", and to keep the read models honest.

mod audit;
mod timeline;

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use projections::transfer::{self, TransferError};
use projections::{Database, StoreError};
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
    /// The request exactly as it stood at an instant (events whose
    /// occurred_at is not after it).
    AsOf {
        /// RFC 3339, e.g. 2026-03-02T14:00:00Z
        timestamp: String,
        #[arg(long)]
        request: String,
        #[arg(long)]
        json: bool,
    },
    /// The event log as NDJSON, in global order.
    Export {
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Fill an empty store from an export.
    Import { file: std::path::PathBuf },
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
            StoreError::BadUrl(_) => Failure::Input(error.to_string()),
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

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let database = Database::connect(&cli.database_url).await?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match cli.command {
        Command::Audit {
            request_id: id,
            json,
        } => {
            let id = request_id(&id)?;
            let steps = timeline::load(&database, id, None).await?;
            if steps.is_empty() {
                return Err(Failure::Input(format!("no request {id}")));
            }
            audit::print(&mut out, &steps, json)?;
        }
        Command::AsOf {
            timestamp,
            request,
            json,
        } => {
            let at = instant(&timestamp)?;
            let id = request_id(&request)?;
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
        Command::Export { out: file } => {
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
            let count = transfer::import(&database, BufReader::new(input)).await?;
            writeln!(out, "imported {count} events")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
