//! CSV holdings: a header row naming any of the known columns, then one row
//! per copy (CLI.md, "Formats"; README "Holdings files").

use std::io::BufRead;

use ::csv::{ByteRecord, Reader, ReaderBuilder};
use domain::normalize;

use super::{BrokenFile, Entry, Records};
use crate::record::{Copy, SourceRecord};

/// The columns a header may name, in the contract's order.
const COLUMNS: [&str; 13] = [
    "title",
    "author",
    "isbn",
    "issn",
    "oclc",
    "lccn",
    "publisher",
    "year",
    "edition",
    "local_id",
    "call_number",
    "location",
    "lendable",
];

/// Where each known column sits in a row, by its index in [`COLUMNS`].
struct Header {
    positions: [Option<usize>; 13],
    width: usize,
}

impl Header {
    fn read(record: &ByteRecord) -> Result<Header, BrokenFile> {
        let mut positions = [None; 13];
        for (position, name) in record.iter().enumerate() {
            let name = std::str::from_utf8(name)
                .map_err(|_| BrokenFile::new("the CSV header is not UTF-8"))?;
            let name = name.trim_start_matches('\u{feff}').trim();
            // Spreadsheets leave blank header cells after the last column.
            if name.is_empty() {
                continue;
            }
            let known = name.to_ascii_lowercase();
            let column = COLUMNS.iter().position(|c| *c == known).ok_or_else(|| {
                BrokenFile::new(format!(
                    "unknown CSV column \"{name}\"; the columns are {}",
                    COLUMNS.join(",")
                ))
            })?;
            if positions[column].replace(position).is_some() {
                return Err(BrokenFile::new(format!(
                    "the CSV column \"{known}\" appears twice"
                )));
            }
        }
        if positions[0].is_none() {
            return Err(BrokenFile::new(
                "the CSV header has no \"title\" column (is the first row a header?)",
            ));
        }
        Ok(Header {
            positions,
            width: record.len(),
        })
    }

    /// The trimmed value of `column` in `row`, `None` when absent or blank.
    fn get<'r>(&self, row: &'r [&'r str], column: &str) -> Option<&'r str> {
        let index = COLUMNS.iter().position(|c| *c == column)?;
        let value = row.get(self.positions[index]?)?.trim();
        (!value.is_empty()).then_some(value)
    }
}

/// Reads a CSV holdings file: its header now (a missing, non-UTF-8 or
/// unknown header is a [`BrokenFile`]), its rows as the iteration goes.
pub fn read<'a, R: BufRead + Send + 'a>(input: R) -> Result<Records<'a>, BrokenFile> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut first = ByteRecord::new();
    let found = reader
        .read_byte_record(&mut first)
        .map_err(|error| BrokenFile::new(format!("the CSV file cannot be read: {error}")))?;
    if !found {
        return Err(BrokenFile::new(
            "the CSV file is empty: it has no header row",
        ));
    }
    let header = Header::read(&first)?;
    Ok(Box::new(Rows {
        reader,
        header,
        row: ByteRecord::new(),
        done: false,
    }))
}

struct Rows<R> {
    reader: Reader<R>,
    header: Header,
    row: ByteRecord,
    done: bool,
}

impl<R: BufRead> Iterator for Rows<R> {
    type Item = Result<Entry, BrokenFile>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.reader.read_byte_record(&mut self.row) {
                Ok(true) if blank(&self.row) => {}
                Ok(true) => return Some(Ok(entry(&self.header, &self.row))),
                Ok(false) => self.done = true,
                Err(error) => {
                    self.done = true;
                    return Some(Err(BrokenFile::new(format!(
                        "the CSV file cannot be read: {error}"
                    ))));
                }
            }
        }
        None
    }
}

/// A row of blank cells (`,,,`, as spreadsheets export) is no record.
fn blank(row: &ByteRecord) -> bool {
    row.iter()
        .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
}

fn entry(header: &Header, row: &ByteRecord) -> Entry {
    if row.len() != header.width {
        return Entry::Rejected(format!(
            "the row has {} columns; the header has {}",
            row.len(),
            header.width
        ));
    }
    let fields: Result<Vec<&str>, _> = row.iter().map(std::str::from_utf8).collect();
    match fields {
        Ok(fields) => match record(header, &fields) {
            Ok(record) => Entry::Record(record),
            Err(reason) => Entry::Rejected(reason),
        },
        Err(_) => Entry::Rejected("the row is not UTF-8".into()),
    }
}

fn record(header: &Header, row: &[&str]) -> Result<SourceRecord, String> {
    let text = |column| header.get(row, column).map(str::to_owned);
    let title = text("title").ok_or("title is missing")?;
    let lendable = match header.get(row, "lendable") {
        None => true,
        Some(value) if value.eq_ignore_ascii_case("true") => true,
        Some(value) if value.eq_ignore_ascii_case("false") => false,
        Some(value) => return Err(format!("lendable {value} is not true or false")),
    };
    let lccn = header
        .get(row, "lccn")
        .map(|value| {
            normalize::lccn(value).ok_or_else(|| format!("lccn {value} is not a valid LCCN"))
        })
        .transpose()?;
    Ok(SourceRecord {
        title,
        author: text("author"),
        publisher: text("publisher"),
        year: text("year"),
        edition: text("edition"),
        isbns: identifiers(header.get(row, "isbn"), normalize::isbn13, "isbn", "ISBN")?,
        issns: identifiers(header.get(row, "issn"), normalize::issn, "issn", "ISSN")?,
        oclc_numbers: identifiers(
            header.get(row, "oclc"),
            normalize::oclc,
            "oclc",
            "OCLC number",
        )?,
        lccn,
        copies: vec![Copy {
            local_id: text("local_id"),
            call_number: text("call_number"),
            location: text("location"),
            lendable,
        }],
    })
}

/// A cell's identifiers (several separated by `;` or `|`) in their normal
/// forms, each once; an invalid one refuses the row.
fn identifiers(
    cell: Option<&str>,
    normal: fn(&str) -> Option<String>,
    column: &str,
    kind: &str,
) -> Result<Vec<String>, String> {
    let mut found: Vec<String> = Vec::new();
    for value in cell.unwrap_or_default().split([';', '|']) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let normal =
            normal(value).ok_or_else(|| format!("{column} {value} is not a valid {kind}"))?;
        if !found.contains(&normal) {
            found.push(normal);
        }
    }
    Ok(found)
}
