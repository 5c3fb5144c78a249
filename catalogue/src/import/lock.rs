//! One import at a time per library: the import's row in `holdings_imports`
//! is the lock while its state is 'running'. A running import beats (its
//! `heartbeat_us`) with every chunk it stages; one that has not beaten for
//! [`STALE_AFTER`] was abandoned (its process died) and the next import for
//! the library takes over, dropping what it had staged.

use std::time::Duration;

use chrono::{DateTime, Utc};
use store::backend::micros;
use store::Database;

use crate::db::{self, Param};
use crate::error::CatalogueError;

/// How long a running import may go without beating before another import
/// of its library takes over. A chunk is staged well within it; a body that
/// stalls is cut off long before it (the route's 30 s without a byte).
pub const STALE_AFTER: Duration = Duration::from_secs(600);

const ABANDON_STALE: &str = include_str!("sql/abandon_stale.sql");
const START: &str = include_str!("sql/start.sql");
const HEARTBEAT: &str =
    "UPDATE holdings_imports SET heartbeat_us = $2 WHERE id = $1 AND state = 'running'";

/// What an import records about itself when it starts.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    pub id: &'a str,
    pub library: &'a str,
    pub by: &'a str,
    pub format: &'a str,
    pub at: DateTime<Utc>,
}

/// Takes the library's lock for import `start.id`, taking over from an
/// abandoned import; [`CatalogueError::ImportRunning`] while a live one runs.
pub async fn take(db: &Database, start: &Start<'_>) -> Result<(), CatalogueError> {
    let now = micros(Utc::now());
    let stale_before = now - STALE_AFTER.as_micros() as i64;
    let mut tx = db::begin(db).await?;
    let abandoned = db::strings(
        &mut tx,
        ABANDON_STALE,
        &[start.library.into(), stale_before.into()],
    )
    .await?;
    let started = db::execute(
        &mut tx,
        START,
        &[
            start.id.into(),
            start.library.into(),
            start.by.into(),
            start.format.into(),
            micros(start.at).into(),
            now.into(),
        ],
    )
    .await;
    match started {
        Err(CatalogueError::Store(store::StoreError::Database(error)))
            if error
                .as_database_error()
                .is_some_and(|e| e.is_unique_violation()) =>
        {
            return Err(CatalogueError::ImportRunning(start.library.to_owned()));
        }
        other => other?,
    };
    for batch in &abandoned {
        drop_batch(&mut tx, batch).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Beats for import `id` inside a chunk's transaction, as its first write
/// (which also takes SQLite's writer lock for the whole chunk).
/// [`CatalogueError::TakenOver`] when another import took the library over.
pub async fn beat(tx: &mut store::backend::Tx<'_>, id: &str) -> Result<(), CatalogueError> {
    let beaten = db::execute(tx, HEARTBEAT, &[id.into(), micros(Utc::now()).into()]).await?;
    if beaten == 0 {
        return Err(CatalogueError::TakenOver(id.to_owned()));
    }
    Ok(())
}

/// Drops import `id` and everything it staged: a broken file, or an import
/// that failed, leaves nothing behind.
pub async fn discard(db: &Database, id: &str) -> Result<(), CatalogueError> {
    let mut tx = db::begin(db).await?;
    db::execute(
        &mut tx,
        "DELETE FROM holdings_imports WHERE id = $1 AND state = 'running'",
        &[Param::from(id)],
    )
    .await?;
    drop_batch(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a batch's rows, and what its switch staged and wrote (a batch
/// that never went live).
pub async fn drop_batch(
    tx: &mut store::backend::Tx<'_>,
    batch: &str,
) -> Result<(), CatalogueError> {
    for table in ["catalog_records", "catalog_identifiers"] {
        let sql = format!("DELETE FROM {table} WHERE batch = $1");
        db::execute(tx, &sql, &[batch.into()]).await?;
    }
    for table in super::switch::STAGED_TABLES {
        let sql = format!("DELETE FROM {table} WHERE batch = $1");
        db::execute(tx, &sql, &[batch.into()]).await?;
    }
    db::execute(tx, "DELETE FROM holdings WHERE batch = $1", &[batch.into()]).await?;
    db::execute(
        tx,
        "DELETE FROM catalog_members WHERE batch = $1",
        &[batch.into()],
    )
    .await?;
    Ok(())
}
