//! Verify's first look (PostgreSQL): fingerprints of the rows a rebuild
//! would write, against fingerprints of the stored tables read in the same
//! snapshot. Equal everywhere means verified without building a twin;
//! anything else sends verify down the thorough path (twins, then a
//! row-by-row comparison in SQL that names each differing row).
//!
//! A row's canonical bytes are its `COPY` text line, which is the same
//! whether the pass writes it or PostgreSQL reads it out of the stored
//! table: every column is text, a number, a boolean, a date, a UUID, or
//! `json` kept verbatim (migration 0008).

use std::collections::BTreeMap;

use futures::StreamExt;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::task::JoinHandle;

use super::twins::Twin;
use crate::projector::live_checkpoint_on;
use crate::read_models::Projection;
use crate::rebuild::fingerprint::Fingerprint;
use store::log::Position;
use store::StoreError;

/// Adds the whole `COPY` lines at the front of `buffer` to `fingerprint`
/// and removes them; an unfinished last line stays for the next call.
pub(super) fn add_lines(fingerprint: &mut Fingerprint, buffer: &mut Vec<u8>) {
    let Some(end) = buffer.iter().rposition(|b| *b == b'\n') else {
        return;
    };
    for line in buffer[..=end].split_inclusive(|b| *b == b'\n') {
        fingerprint.add(line);
    }
    buffer.drain(..=end);
}

/// The live checkpoints and the stored tables' fingerprints, as they stand
/// in the snapshot `snapshot` (exported by the pass's reader).
pub(super) struct StoredSide {
    pub checkpoints: Vec<Position>,
    pub fingerprints: JoinHandle<Result<BTreeMap<&'static str, Fingerprint>, StoreError>>,
}

/// Joins `snapshot` on a connection of its own, reads the live checkpoints,
/// and fingerprints the live tables of `twins` in a task beside the pass.
pub(super) async fn stored(
    pool: &PgPool,
    snapshot: &str,
    twins: Vec<&'static Twin>,
) -> Result<StoredSide, StoreError> {
    let mut c = PgConnection::connect_with(&pool.connect_options()).await?;
    sqlx::Executor::execute(&mut c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
    let join = format!("SET TRANSACTION SNAPSHOT '{snapshot}'");
    sqlx::Executor::execute(&mut c, join.as_str()).await?;
    let mut checkpoints = Vec::new();
    for projection in Projection::ALL {
        checkpoints.push(live_checkpoint_on(&mut c, projection).await?);
    }
    let fingerprints = tokio::spawn(async move {
        let mut fingerprints = BTreeMap::new();
        for twin in twins {
            let mut lines = c.copy_out_raw(&twin.copy_out).await?;
            let mut fingerprint = Fingerprint::default();
            let mut pending = Vec::new();
            while let Some(chunk) = lines.next().await.transpose()? {
                pending.extend_from_slice(&chunk);
                add_lines(&mut fingerprint, &mut pending);
            }
            drop(lines);
            if !pending.is_empty() {
                return Err(StoreError::Malformed(format!(
                    "a truncated COPY row of {}",
                    twin.live
                )));
            }
            fingerprints.insert(twin.live, fingerprint);
        }
        sqlx::Executor::execute(&mut c, "COMMIT").await?;
        drop(c.close().await);
        Ok(fingerprints)
    });
    Ok(StoredSide {
        checkpoints,
        fingerprints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_free_and_split_anywhere() {
        let mut whole = Fingerprint::default();
        add_lines(&mut whole, &mut b"a\t1\nb\t2\nc\t3\n".to_vec());
        let mut pieces = Fingerprint::default();
        let mut pending = b"c\t3\nb\t".to_vec();
        add_lines(&mut pieces, &mut pending);
        assert_eq!(pending, b"b\t");
        pending.extend_from_slice(b"2\na\t1\n");
        add_lines(&mut pieces, &mut pending);
        assert!(pending.is_empty());
        assert_eq!(whole, pieces);

        let mut other = Fingerprint::default();
        add_lines(&mut other, &mut b"a\t1\nb\t2\nc\t4\n".to_vec());
        assert_ne!(whole, other);
        let mut fewer = Fingerprint::default();
        add_lines(&mut fewer, &mut b"a\t1\nb\t2\n".to_vec());
        assert_ne!(whole, fewer);
    }
}
