//! `ill-server holdings import` (CLI.md): a library's holdings file from
//! disk, through the same import as `POST /holdings/LIBRARY`.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use catalogue::formats::{Format, ItemMapping};
use catalogue::import::{self, ImportRequest, Summary};
use catalogue::CatalogueError;
use domain::{Library, LibraryId};
use store::{Database, EventStore, StoreError};

/// Who the imports of the command line are recorded as.
pub const COMMAND_LINE: &str = "ill-server holdings import";

/// Why the command failed, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A broken file or bad usage: exit 2.
    #[error("{0}")]
    Input(String),
    /// The store did not answer: exit 3.
    #[error("{0}")]
    Unreachable(String),
    /// Anything else (an import of the library running): exit 1.
    #[error("{0}")]
    Other(String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Input(_) => 2,
            Failure::Unreachable(_) => 3,
            Failure::Other(_) => 1,
        })
    }
}

fn store_failure(error: StoreError) -> Failure {
    match error {
        StoreError::Unreachable(_)
        | StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => {
            Failure::Unreachable(error.to_string())
        }
        StoreError::BadUrl(_) => Failure::Input(error.to_string()),
        other => Failure::Other(other.to_string()),
    }
}

/// The format `--format` names, else the one FILE's extension says.
pub fn format_of(format: Option<&str>, file: &Path) -> Result<Format, Failure> {
    if let Some(name) = format {
        return Format::from_name(name)
            .ok_or_else(|| Failure::Input(format!("unknown format {name:?}")));
    }
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("mrc" | "marc" | "iso2709" | "dat") => Ok(Format::Marc),
        Some("xml" | "marcxml") => Ok(Format::MarcXml),
        Some("csv") => Ok(Format::Csv),
        _ => Err(Failure::Input(format!(
            "cannot tell the format of {}: give --format marc|marcxml|csv",
            file.display()
        ))),
    }
}

/// Imports `file` as `library`'s holdings.
pub async fn run(
    database_url: &str,
    library: &str,
    format: Option<&str>,
    items: Option<&str>,
    file: &Path,
) -> Result<Summary, Failure> {
    let library = LibraryId::parse("--library", library).map_err(|e| Failure::Input(e.to_string()))?;
    let format = format_of(format, file)?;
    let items = match items {
        Some(text) => ItemMapping::parse(text).map_err(|e| Failure::Input(format!("--items: {e}")))?,
        None => ItemMapping::default(),
    };
    let input = File::open(file)
        .map_err(|e| Failure::Input(format!("cannot read {}: {e}", file.display())))?;
    let database = Database::connect(database_url).await.map_err(store_failure)?;
    let registered = EventStore::new(database.clone())
        .all::<Library>()
        .await
        .map_err(store_failure)?
        .into_iter()
        .filter_map(|(_, l, _)| l.registered)
        .find(|record| record.id == library)
        .ok_or_else(|| Failure::Input(format!("no library {library}")))?;
    let request = ImportRequest {
        library: registered.id.to_string(),
        by: COMMAND_LINE.to_owned(),
        format,
        items,
        at: chrono::Utc::now(),
        lending: registered.lends && !registered.suspended,
    };
    let outcome = import::import(&database, request, BufReader::with_capacity(64 * 1024, input)).await;
    database.close().await;
    outcome.map_err(|error| match error {
        CatalogueError::BrokenFile(broken) => Failure::Input(broken.reason),
        CatalogueError::Store(error) => store_failure(error),
        other => Failure::Other(other.to_string()),
    })
}
