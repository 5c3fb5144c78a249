//! Reading the log for a bulk pass: one `COPY (SELECT …) TO STDOUT` in
//! `(tx_id, global_position)` order below the transaction horizon (the log
//! reader's rule, `store::log`), split into rows and decoded for the folds
//! (`pass.rs`). Decoding stays on the folds' thread: handing rows to
//! another cost more (allocations freed across threads) than it saved.

use futures::{Stream, StreamExt};
use sqlx::postgres::PgConnection;

use crate::rebuild::bulk::{self, Decoded, Wanted};
use store::log::Position;
use store::StoreError;

/// The log's rows in order, read on a connection inside its snapshot.
pub(super) struct LogRows<S> {
    stream: S,
    pending: Vec<u8>,
    scratch: [Vec<u8>; FIELDS],
    wanted: Wanted,
}

/// Starts reading the log on `reader`, up to `upto` or to the snapshot's
/// horizon.
pub(super) async fn open<'c>(
    reader: &'c mut PgConnection,
    wanted: Wanted,
    upto: Option<Position>,
) -> Result<LogRows<impl Stream<Item = sqlx::Result<impl AsRef<[u8]>>> + Unpin + 'c>, StoreError> {
    // COPY takes no parameters: the bound is two numbers.
    let bound = upto.map_or(String::new(), |at| {
        format!(
            "AND (e.tx_id, e.global_position) <= (CAST('{}' AS xid8), {})",
            at.tx, at.global
        )
    });
    let statement = include_str!("log_rows.sql").replace("{bound}", &bound);
    Ok(LogRows {
        stream: reader.copy_out_raw(&statement).await?,
        pending: Vec::with_capacity(2 << 20),
        scratch: Default::default(),
        wanted,
    })
}

impl<S, B> LogRows<S>
where
    S: Stream<Item = sqlx::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    /// Reads the rest without decoding it, so that the connection can run
    /// its next statement.
    pub(super) async fn skip_rest(mut self) -> Result<(), StoreError> {
        while self.stream.next().await.transpose()?.is_some() {}
        Ok(())
    }

    /// Replaces `rows` with the next chunk's rows; false at the end.
    pub(super) async fn next(&mut self, rows: &mut Vec<Decoded>) -> Result<bool, StoreError> {
        rows.clear();
        while rows.is_empty() {
            let Some(chunk) = self.stream.next().await.transpose()? else {
                if !self.pending.is_empty() {
                    return Err(malformed("a truncated COPY row"));
                }
                return Ok(false);
            };
            self.pending.extend_from_slice(chunk.as_ref());
            let mut consumed = 0;
            for line_end in memchr::memchr_iter(b'\n', &self.pending) {
                let line = &self.pending[consumed..line_end];
                let fields = split_fields(line, &mut self.scratch)?;
                consumed = line_end + 1;
                rows.push(decode(&fields, self.wanted)?);
            }
            self.pending.drain(..consumed);
        }
        Ok(true)
    }
}

fn decode(fields: &[&[u8]; FIELDS], wanted: Wanted) -> Result<Decoded, StoreError> {
    let text = |i: usize| std::str::from_utf8(fields[i]).map_err(malformed);
    let number = |i: usize| -> Result<i64, StoreError> {
        text(i)?.parse().map_err(|_| malformed("a number"))
    };
    let position = Position {
        tx: number(0)?,
        global: number(1)?,
    };
    // Checked as UTF-8 once, whole: cheaper than string by string.
    bulk::decode(wanted, position, text(2)?, text(3)?, number(4)?, || {
        Ok((text(5)?, text(6)?))
    })
}

fn malformed(what: impl std::fmt::Display) -> StoreError {
    StoreError::Malformed(format!("reading the log: {what}"))
}

/// Columns of a log row as `open`'s COPY gives them.
const FIELDS: usize = 7;

/// Splits one COPY text row into its fields; those holding a backslash are
/// unescaped into `scratch`, the rest are borrowed as they are (`\N` is never
/// expected: every column read is NOT NULL).
fn split_fields<'a>(
    line: &'a [u8],
    scratch: &'a mut [Vec<u8>; FIELDS],
) -> Result<[&'a [u8]; FIELDS], StoreError> {
    let mut fields: [&[u8]; FIELDS] = [&[]; FIELDS];
    let mut tabs = memchr::memchr_iter(b'\t', line);
    let mut start = 0;
    for (i, field) in fields.iter_mut().enumerate() {
        let end = match tabs.next() {
            Some(tab) if i + 1 < FIELDS => tab,
            None if i + 1 == FIELDS => line.len(),
            Some(_) => return Err(malformed("a long COPY row")),
            None => return Err(malformed("a short COPY row")),
        };
        *field = &line[start..end];
        start = end + 1;
    }
    for (field, unescaped) in fields.iter_mut().zip(scratch.iter_mut()) {
        if memchr::memchr(b'\\', field).is_some() {
            unescaped.clear();
            unescape(field, unescaped)?;
            *field = unescaped;
        }
    }
    Ok(fields)
}

/// COPY's text format: backslash escapes.
pub(super) fn unescape(raw: &[u8], out: &mut Vec<u8>) -> Result<(), StoreError> {
    let mut i = 0;
    while i < raw.len() {
        let Some(next) = raw[i..].iter().position(|b| *b == b'\\') else {
            out.extend_from_slice(&raw[i..]);
            break;
        };
        out.extend_from_slice(&raw[i..i + next]);
        i += next + 1;
        let escaped = *raw
            .get(i)
            .ok_or_else(|| malformed("a trailing backslash"))?;
        i += 1;
        match escaped {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'N' => return Err(malformed("an unexpected NULL")),
            b'0'..=b'7' => {
                let mut value = u32::from(escaped - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(value as u8);
            }
            b'x' => {
                let mut value = 0u32;
                for _ in 0..2 {
                    match raw.get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            value = value * 16 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(value as u8);
            }
            other => out.push(other),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_split_and_unescaped() {
        let mut scratch = Default::default();
        let fields = split_fields(
            b"1\t2\tIllRequest\tid\t3\t{\"a\": \"x\\\\ty\"}\t{}",
            &mut scratch,
        )
        .unwrap();
        assert_eq!(fields[2], b"IllRequest");
        assert_eq!(fields[5], b"{\"a\": \"x\\ty\"}");
        assert!(split_fields(b"1\t2", &mut scratch).is_err());
        assert!(split_fields(b"1\t2\t3\t4\t5\t6\t7\t8", &mut scratch).is_err());
        let mut octal = Vec::new();
        unescape(b"x\\101\\x42\\\\", &mut octal).unwrap();
        assert_eq!(octal, b"xAB\\");
    }
}
