//! MARC 21 in ISO 2709: a streaming reader that splits the input at each
//! record terminator (0x1D), so that a damaged record is rejected alone and
//! reading resumes at the next one; the mapping of fields is shared with
//! the MARCXML reader ([`fields`]).

pub mod fields;
pub mod view;

use std::io::{BufRead, Read};

use self::view::{FieldSpan, RecordView};
use super::{BrokenFile, Entry, ItemMapping, Records};

const RECORD_END: u8 = 0x1D;
const FIELD_END: u8 = 0x1E;
const LEADER: usize = 24;
const ESCAPE: u8 = 0x1B;
const DIRECTORY_ENTRY: usize = 12;

/// Why a MARC-8 record (leader/09 blank) with characters outside ASCII is
/// refused: no maintained crate converts MARC-8 (README, "Holdings files").
pub const MARC8: &str = "MARC-8 encoding is not supported; export the file as UTF-8";

/// Reads ISO 2709 records. A file that does not begin with a record leader
/// (a PDF, XML, text) or is empty is a [`BrokenFile`].
pub fn read<'a, R: BufRead + Send + 'a>(
    mut input: R,
    items: &'a ItemMapping,
) -> Result<Records<'a>, BrokenFile> {
    skip_blanks(&mut input).map_err(unreadable)?;
    let mut buffer = Vec::with_capacity(64 * 1024);
    (&mut input)
        .take(LEADER as u64)
        .read_to_end(&mut buffer)
        .map_err(unreadable)?;
    if buffer.is_empty() {
        return Err(BrokenFile::new("the file is empty"));
    }
    if !looks_like_leader(&buffer) {
        return Err(BrokenFile::new(
            "not MARC 21 (ISO 2709): the file does not begin with a record leader",
        ));
    }
    Ok(Box::new(MarcRecords {
        input,
        items,
        buffer,
        spans: Vec::new(),
        started: true,
        done: false,
    }))
}

fn unreadable(error: std::io::Error) -> BrokenFile {
    BrokenFile::new(format!("the file cannot be read: {error}"))
}

/// Skips what some exports put between records or after the last one:
/// line breaks, blanks, NUL or Ctrl-Z padding, stray record terminators.
fn skip_blanks(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let available = input.fill_buf()?;
        let blanks = available
            .iter()
            .take_while(|byte| {
                byte.is_ascii_whitespace() || matches!(**byte, 0 | 0x1A | RECORD_END)
            })
            .count();
        let whole = blanks == available.len();
        input.consume(blanks);
        if !whole || blanks == 0 {
            return Ok(());
        }
    }
}

/// Whether `head` can open a MARC 21 record: a complete leader whose record
/// length and base address are digits, with no MARC delimiter in it.
fn looks_like_leader(head: &[u8]) -> bool {
    head.len() == LEADER
        && number(&head[0..5]).is_some()
        && number(&head[12..17]).is_some()
        && !head
            .iter()
            .any(|b| matches!(*b, RECORD_END | FIELD_END | 0x1F))
}

/// ASCII digits as a number.
fn number(digits: &[u8]) -> Option<usize> {
    digits.iter().try_fold(0usize, |total, byte| {
        byte.is_ascii_digit()
            .then(|| total * 10 + usize::from(byte - b'0'))
    })
}

struct MarcRecords<'a, R> {
    input: R,
    items: &'a ItemMapping,
    /// The record being read, its first bytes already there when `started`.
    buffer: Vec<u8>,
    spans: Vec<FieldSpan>,
    started: bool,
    done: bool,
}

impl<R: BufRead> Iterator for MarcRecords<'_, R> {
    type Item = Result<Entry, BrokenFile>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if !std::mem::take(&mut self.started) {
            self.buffer.clear();
            if let Err(error) = skip_blanks(&mut self.input) {
                self.done = true;
                return Some(Err(unreadable(error)));
            }
        }
        if let Err(error) = self.input.read_until(RECORD_END, &mut self.buffer) {
            self.done = true;
            return Some(Err(unreadable(error)));
        }
        let record = match self.buffer.split_last() {
            None => {
                self.done = true;
                return None;
            }
            Some((&RECORD_END, record)) => record,
            Some(_) => {
                self.done = true;
                return Some(Ok(Entry::Rejected(
                    "the file ends inside a record (no record terminator)".into(),
                )));
            }
        };
        Some(Ok(match parse(record, &mut self.spans) {
            Ok(text) => fields::entry(
                &RecordView {
                    text,
                    fields: &self.spans,
                },
                self.items,
            ),
            Err(reason) => Entry::Rejected(reason),
        }))
    }
}

/// Checks a record's leader, encoding and directory; fills `spans` with its
/// fields and gives its text.
fn parse<'r>(record: &'r [u8], spans: &mut Vec<FieldSpan>) -> Result<&'r str, String> {
    spans.clear();
    if record.len() < LEADER {
        return Err(format!(
            "the record is {} bytes long, shorter than a leader",
            record.len()
        ));
    }
    let length = number(&record[0..5]).ok_or("the leader's record length is not a number")?;
    if length != record.len() + 1 {
        return Err(format!(
            "the leader gives a record length of {length} bytes but the record has {}",
            record.len() + 1
        ));
    }
    let base = number(&record[12..17]).ok_or("the leader's base address is not a number")?;
    if base <= LEADER || base > record.len() || record[base - 1] != FIELD_END {
        return Err(format!(
            "the base address {base} does not follow the directory"
        ));
    }
    let directory = &record[LEADER..base - 1];
    if directory.len() % DIRECTORY_ENTRY != 0 {
        return Err("the directory is not a whole number of 12-byte entries".into());
    }
    match record[9] {
        b'a' => {}
        // MARC-8's default character set is ASCII: a record without an
        // escape sequence or a byte above 0x7F reads the same as UTF-8.
        b' ' if !record.is_ascii() || memchr::memchr(ESCAPE, record).is_some() => {
            return Err(MARC8.into())
        }
        b' ' => {}
        other => {
            return Err(format!(
                "leader/09 is {:?}, not a known character coding",
                char::from(other)
            ))
        }
    }
    let text = std::str::from_utf8(record).map_err(|error| {
        format!(
            "the record is not valid UTF-8 (at byte {})",
            error.valid_up_to()
        )
    })?;
    for entry in directory.chunks_exact(DIRECTORY_ENTRY) {
        let tag: [u8; 3] = [entry[0], entry[1], entry[2]];
        let name = String::from_utf8_lossy(&tag);
        if !tag.iter().all(u8::is_ascii_alphanumeric) {
            return Err(format!("the directory has a bad tag {name:?}"));
        }
        let (Some(size), Some(offset)) = (number(&entry[3..7]), number(&entry[7..12])) else {
            return Err(format!("field {name}'s directory entry is not numeric"));
        };
        let start = base + offset;
        let end = start + size;
        if size == 0 || end > record.len() || !text.is_char_boundary(start) {
            return Err(format!("field {name} lies outside the record"));
        }
        if record[end - 1] != FIELD_END {
            return Err(format!("field {name} does not end with a field terminator"));
        }
        spans.push(FieldSpan {
            tag,
            start,
            end: end - 1,
        });
    }
    Ok(text)
}
