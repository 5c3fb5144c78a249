//! Reading a library's holdings file, one record at a time, whatever its
//! format: MARC 21 (ISO 2709), MARCXML or CSV (CLI.md, "Formats").
//!
//! A file whose structure is broken is refused whole ([`BrokenFile`]); a bad
//! record inside a good file is an [`Entry::Rejected`] with its reason, and
//! reading goes on. Memory holds one record at a time.

mod csv;
mod items;
mod marc;
mod marcxml;

use std::io::BufRead;

pub use items::{ItemField, ItemMapping, MalformedMapping};

use crate::record::SourceRecord;

/// A holdings file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Marc,
    MarcXml,
    Csv,
}

impl Format {
    /// The name the contract uses (`--format`, `HoldingsImport.format`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Marc => "marc",
            Format::MarcXml => "marcxml",
            Format::Csv => "csv",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "marc" => Some(Format::Marc),
            "marcxml" => Some(Format::MarcXml),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The format a `Content-Type` names (its parameters ignored).
    pub fn from_content_type(value: &str) -> Option<Format> {
        let media = value.split(';').next().unwrap_or_default().trim();
        match media.to_ascii_lowercase().as_str() {
            "application/marc" => Some(Format::Marc),
            "application/marcxml+xml" => Some(Format::MarcXml),
            "text/csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// What one record of a file gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Record(SourceRecord),
    /// The record is refused with this reason; the rest of the file is read.
    Rejected(String),
}

/// The file cannot be read as its format: nothing of it is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct BrokenFile {
    pub reason: String,
}

impl BrokenFile {
    pub fn new(reason: impl Into<String>) -> BrokenFile {
        BrokenFile {
            reason: reason.into(),
        }
    }
}

/// The records of a file, in file order.
pub type Records<'a> = Box<dyn Iterator<Item = Result<Entry, BrokenFile>> + Send + 'a>;

/// Reads `input` as `format`. The first structural error ends the iteration
/// with a [`BrokenFile`]; so may an error found before the first record (no
/// CSV header, not XML).
pub fn read<'a, R: BufRead + Send + 'a>(
    format: Format,
    input: R,
    items: &'a ItemMapping,
) -> Result<Records<'a>, BrokenFile> {
    match format {
        Format::Marc => marc::read(input, items),
        Format::MarcXml => marcxml::read(input, items),
        Format::Csv => csv::read(input),
    }
}
