//! Reading holdings files: each format from real files and hand-made ones.

mod breaker;
mod copies;
mod csv;
mod items;
mod marc;
mod marcxml;

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;

use catalogue::formats::{self, BrokenFile, Entry, Format, ItemMapping};
use catalogue::record::SourceRecord;

/// A file under catalogue/tests/fixtures.
pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// Every entry of `bytes` read as `format`, or the first broken-file error.
pub fn read_bytes(
    format: Format,
    bytes: Vec<u8>,
    items: &ItemMapping,
) -> Result<Vec<Entry>, BrokenFile> {
    formats::read(format, BufReader::new(std::io::Cursor::new(bytes)), items)?.collect()
}

/// Every entry of the fixture `path` read as `format`.
pub fn read_fixture(format: Format, path: &str) -> Result<Vec<Entry>, BrokenFile> {
    let bytes = std::fs::read(fixture(path)).expect("the fixture is readable");
    read_bytes(format, bytes, &ItemMapping::default())
}

/// The records of `entries`, the rejections left out.
pub fn records(entries: &[Entry]) -> Vec<&SourceRecord> {
    entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Record(record) => Some(record),
            Entry::Rejected(_) => None,
        })
        .collect()
}

/// The reasons of the rejections among `entries`, in file order.
pub fn rejections(entries: &[Entry]) -> Vec<&str> {
    entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Rejected(reason) => Some(reason.as_str()),
            Entry::Record(_) => None,
        })
        .collect()
}

/// The examples of Debian's idzebra-2.0-examples package, which
/// scripts/test.sh installs.
const ZEBRA_EXAMPLES: &str = "/usr/share/doc/idzebra-2.0/examples";

/// A gzipped Zebra example, unzipped by the system's gzip.
pub fn gunzip(example: &str) -> Vec<u8> {
    let path = Path::new(ZEBRA_EXAMPLES).join(example);
    let output = Command::new("gzip")
        .arg("-dc")
        .arg(&path)
        .output()
        .expect("gzip runs");
    assert!(
        output.status.success(),
        "{} cannot be unzipped (is idzebra-2.0-examples installed?): {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
