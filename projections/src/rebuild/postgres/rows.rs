//! A pass's rows as COPY text lines, escaped as PostgreSQL's own
//! `COPY … TO` writes them, so that a row's line is the same bytes whether
//! written here or read out of a table (`fingerprint.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use domain::Library;
use uuid::Uuid;

use super::copy_in::{Output, Outputs};
use crate::read_models::libraries;
use crate::read_models::requests::{RequestRow, ViewColumns};
use crate::read_models::statistics::{Batch, Counts, Tracked};
use crate::read_models::waiting::Tally;
use store::StoreError;

/// A request's view and statistics rows, once its events are all folded.
pub(super) async fn write_request(
    id: Uuid,
    row: &RequestRow,
    tracked: Option<&Tracked>,
    outputs: &mut Outputs,
) -> Result<(), StoreError> {
    if let Some(output) = outputs.views.as_mut() {
        let Some(view) = &row.view else {
            return Err(StoreError::Malformed(format!(
                "request {id} does not begin with RequestPlaced"
            )));
        };
        let columns = ViewColumns::of(view, row.ended_at_us);
        let line = &mut output.buffer;
        push_uuid(line, columns.id);
        push_i64(line, columns.version);
        push_text(line, columns.borrower);
        push_optional_text(line, columns.lender);
        push_text(line, columns.status);
        push_i64(line, columns.updated_at_us);
        push_optional_i64(line, columns.ended_at_us);
        push_optional_i64(line, columns.respond_by_us);
        push_optional_text(line, columns.needed_by.as_deref());
        push_last_json(line, view)?;
        output.flush_full().await?;
    }
    if let (Some(output), Some(tracked)) = (outputs.stats_requests.as_mut(), tracked) {
        let line = &mut output.buffer;
        push_uuid(line, id);
        push_i64(line, tracked.version);
        push_text(line, tracked.borrower.as_str());
        push_i64(line, tracked.placed_at_us);
        push_optional_i64(line, tracked.routed_at_us);
        *line.last_mut().expect("a field") = b'\n';
        output.flush_full().await?;
    }
    Ok(())
}

/// The durations an event added to `batch`, taken out of it.
pub(super) async fn write_durations(
    output: &mut Output,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    for d in batch.durations.drain(..) {
        let line = &mut output.buffer;
        push_uuid(line, d.request_id);
        push_i64(line, d.sequence);
        push_text(line, d.kind);
        push_text(line, d.library.as_str());
        push_date(line, d.day);
        push_last_i64(line, d.micros);
    }
    output.flush_full().await
}

/// The requests waiting at each lender: one row per library with any.
pub(super) fn write_waiting(output: &mut Output, tally: &Tally) {
    for (library, n) in &tally.0 {
        push_text(&mut output.buffer, library.as_str());
        push_last_i64(&mut output.buffer, *n);
    }
}

/// The directory's rows: each library seen, with its stream's version.
pub(super) fn write_directory(
    output: &mut Output,
    libraries_seen: &BTreeMap<String, (Library, i64)>,
) -> Result<(), StoreError> {
    for (id, (library, version)) in libraries_seen {
        let record = libraries::record(id, library)?;
        let line = &mut output.buffer;
        push_text(line, record.id.as_str());
        push_i64(line, *version);
        push_text(line, &record.name);
        push_bool(line, record.lends);
        push_bool(line, record.suspended);
        *line.last_mut().expect("a field") = b'\n';
    }
    Ok(())
}

/// The per-day sums, the network's and the duration blocks, written once.
pub(super) async fn write_statistics(
    outputs: &mut [Output; 5],
    batch: &Batch,
) -> Result<(), StoreError> {
    fn counts(line: &mut Vec<u8>, n: &Counts) {
        for value in [
            n.placed,
            n.filled,
            n.unfilled,
            n.cancelled,
            n.received,
            n.shipped,
            n.declined,
        ] {
            push_i64(line, value);
        }
        push_last_i64(line, n.timed_out);
    }
    let [days, declines, network_days, network_declines, receive_blocks] = outputs;
    for ((library, day), n) in &batch.counts {
        push_text(&mut days.buffer, library.as_str());
        push_date(&mut days.buffer, *day);
        counts(&mut days.buffer, n);
        days.flush_full().await?;
    }
    for ((library, day, reason), n) in &batch.declines {
        push_text(&mut declines.buffer, library.as_str());
        push_date(&mut declines.buffer, *day);
        push_text(&mut declines.buffer, reason.as_str());
        push_last_i64(&mut declines.buffer, *n);
        declines.flush_full().await?;
    }
    for (day, n) in batch.network_counts() {
        push_date(&mut network_days.buffer, day);
        counts(&mut network_days.buffer, &n);
        network_days.flush_full().await?;
    }
    for ((day, reason), n) in batch.network_declines() {
        push_date(&mut network_declines.buffer, day);
        push_text(&mut network_declines.buffer, reason.as_str());
        push_last_i64(&mut network_declines.buffer, n);
        network_declines.flush_full().await?;
    }
    for ((block, bucket), n) in batch.receive_blocks() {
        push_i64(&mut receive_blocks.buffer, block);
        push_i64(&mut receive_blocks.buffer, bucket);
        push_last_i64(&mut receive_blocks.buffer, n);
        receive_blocks.flush_full().await?;
    }
    Ok(())
}

/// Appends `text` escaped for COPY's text format, and a tab.
fn push_text(line: &mut Vec<u8>, text: &str) {
    escape_into(line, text.as_bytes());
    line.push(b'\t');
}

/// Escapes as PostgreSQL's own `COPY … TO` does, byte for byte: a row's
/// line is then the same whether written here or read out of a table
/// (`fingerprint.rs`).
fn escape_into(line: &mut Vec<u8>, bytes: &[u8]) {
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|&b| b == b'\\' || b < 0x20) {
        line.extend_from_slice(&rest[..i]);
        match rest[i] {
            b'\\' => line.extend_from_slice(b"\\\\"),
            b'\n' => line.extend_from_slice(b"\\n"),
            b'\r' => line.extend_from_slice(b"\\r"),
            b'\t' => line.extend_from_slice(b"\\t"),
            8 => line.extend_from_slice(b"\\b"),
            11 => line.extend_from_slice(b"\\v"),
            12 => line.extend_from_slice(b"\\f"),
            other => line.push(other),
        }
        rest = &rest[i + 1..];
    }
    line.extend_from_slice(rest);
}

fn push_optional_text(line: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => push_text(line, text),
        None => line.extend_from_slice(b"\\N\t"),
    }
}

fn push_i64(line: &mut Vec<u8>, value: i64) {
    let _ = write!(Bytes(line), "{value}\t");
}

fn push_last_i64(line: &mut Vec<u8>, value: i64) {
    let _ = writeln!(Bytes(line), "{value}");
}

fn push_optional_i64(line: &mut Vec<u8>, value: Option<i64>) {
    match value {
        Some(value) => push_i64(line, value),
        None => line.extend_from_slice(b"\\N\t"),
    }
}

fn push_bool(line: &mut Vec<u8>, value: bool) {
    line.extend_from_slice(if value { b"t\t" } else { b"f\t" });
}

fn push_uuid(line: &mut Vec<u8>, id: Uuid) {
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    line.extend_from_slice(id.hyphenated().encode_lower(&mut text).as_bytes());
    line.push(b'\t');
}

fn push_date(line: &mut Vec<u8>, day: NaiveDate) {
    // ISO 8601, as PostgreSQL's COPY writes a date.
    let _ = write!(Bytes(line), "{day}\t");
}

/// Appends `value` as JSON (the column's last field) and ends the row.
/// serde_json writes no raw control characters (it escapes them), so of
/// COPY's specials only the backslash can occur.
fn push_last_json(line: &mut Vec<u8>, value: &impl serde::Serialize) -> Result<(), StoreError> {
    let json = serde_json::to_vec(value)
        .map_err(|e| StoreError::Malformed(format!("serializing a read model: {e}")))?;
    let mut rest = json.as_slice();
    while let Some(i) = memchr::memchr(b'\\', rest) {
        line.extend_from_slice(&rest[..=i]);
        line.push(b'\\');
        rest = &rest[i + 1..];
    }
    line.extend_from_slice(rest);
    line.push(b'\n');
    Ok(())
}

/// `fmt::Write` into a byte buffer.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode::unescape;
    use super::*;

    #[test]
    fn json_rows_round_trip() {
        let value = serde_json::json!({"title": "a\\b \"c\"\n\t\u{1}"});
        let mut line = Vec::new();
        push_last_json(&mut line, &value).unwrap();
        assert_eq!(line.last(), Some(&b'\n'));
        line.pop();
        assert!(!line.iter().any(|b| *b < 0x20), "no raw control bytes");
        let mut back = Vec::new();
        unescape(&line, &mut back).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&back).unwrap(),
            value
        );
    }

    #[test]
    fn copy_text_round_trips() {
        let original = "a\\b\tc\nd\re {\"x\": \"\\\"q\\\"\"} \u{8}\u{b}\u{c}\u{1}";
        let mut line = Vec::new();
        push_text(&mut line, original);
        line.pop();
        let mut back = Vec::new();
        unescape(&line, &mut back).unwrap();
        assert_eq!(std::str::from_utf8(&back).unwrap(), original);
    }
}
