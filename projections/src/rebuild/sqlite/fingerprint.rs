//! Verify's first look (SQLite): the rows a rebuild would write, as the
//! pass leaves them in its scratch tables, against the stored tables read
//! in the snapshot the pass read the log in. Equal everywhere (and every
//! live checkpoint where the pass stopped) means verified without loading
//! a twin; anything else sends verify down the thorough path.
//!
//! A row's canonical bytes are its values as SQLite stores them: each a
//! storage-class tag and its bytes. The scratch tables are made from the
//! twins (`scratch_create.sql`), so a value takes the same storage class
//! there as in a stored table, and equal rows give equal bytes.

use futures::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, TypeInfo, ValueRef};

use crate::rebuild::fingerprint::Fingerprint;
use store::StoreError;

/// The fingerprint of the rows `select` reads on `c`.
pub(super) async fn of(c: &mut SqliteConnection, select: &str) -> Result<Fingerprint, StoreError> {
    let mut fingerprint = Fingerprint::default();
    let mut bytes = Vec::new();
    let mut rows = sqlx::query(select).fetch(c);
    while let Some(row) = rows.try_next().await? {
        bytes.clear();
        canonical(&row, &mut bytes)?;
        fingerprint.add(&bytes);
    }
    Ok(fingerprint)
}

/// Appends `row`'s values to `bytes`: a tag per value, then an integer's or
/// a real's eight bytes, or a text's or a blob's length and bytes.
fn canonical(row: &SqliteRow, bytes: &mut Vec<u8>) -> Result<(), StoreError> {
    for i in 0..row.columns().len() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            bytes.push(0);
            continue;
        }
        match raw.type_info().name() {
            "INTEGER" => {
                bytes.push(1);
                bytes.extend_from_slice(&row.try_get_unchecked::<i64, _>(i)?.to_le_bytes());
            }
            "REAL" => {
                bytes.push(2);
                let real = row.try_get_unchecked::<f64, _>(i)?;
                bytes.extend_from_slice(&real.to_bits().to_le_bytes());
            }
            "BLOB" => {
                bytes.push(3);
                let blob = row.try_get_unchecked::<&[u8], _>(i)?;
                bytes.extend_from_slice(&(blob.len() as u64).to_le_bytes());
                bytes.extend_from_slice(blob);
            }
            _ => {
                bytes.push(4);
                let text = row.try_get_unchecked::<&str, _>(i)?;
                bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
                bytes.extend_from_slice(text.as_bytes());
            }
        }
    }
    Ok(())
}
