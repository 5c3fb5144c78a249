//! Where each projection stands in the log: its checkpoint row, loaded,
//! moved by compare-and-set as a batch's first statement, or set outright.

use store::backend::Tx;
use store::log::Position;
use store::{on_db, on_tx, Database, StoreError};

use crate::read_models::{Projection, Target};

const LOAD_CHECKPOINT: &str =
    "SELECT tx, global_position FROM projector_checkpoints WHERE projection = $1";
const MOVE_CHECKPOINT: &str = include_str!("sql/move_checkpoint.sql");
const CREATE_CHECKPOINT: &str = include_str!("sql/create_checkpoint.sql");
const SET_CHECKPOINT: &str = include_str!("sql/set_checkpoint.sql");

/// Where a projection's live tables stand in the log.
pub async fn checkpoint(
    database: &Database,
    projection: Projection,
) -> Result<Position, StoreError> {
    load_checkpoint(database, projection.checkpoint(Target::Live)).await
}

/// A live checkpoint as a connection's open transaction sees it (the bulk
/// pass reads it inside its snapshot).
pub(crate) async fn live_checkpoint_on<'c, DB>(
    c: impl sqlx::Executor<'c, Database = DB>,
    projection: Projection,
) -> Result<Position, StoreError>
where
    DB: sqlx::Database,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> (i64, i64): sqlx::FromRow<'r, DB::Row>,
{
    let row: Option<(i64, i64)> = sqlx::query_as(LOAD_CHECKPOINT)
        .bind(projection.checkpoint(Target::Live))
        .fetch_optional(c)
        .await?;
    Ok(row.map_or(Position::START, |(tx, global)| Position { tx, global }))
}

/// A projection's stored checkpoint; the start of the log before its first batch.
pub(crate) async fn load_checkpoint(
    database: &Database,
    name: &str,
) -> Result<Position, StoreError> {
    let row: Option<(i64, i64)> = on_db!(database, pool => sqlx::query_as(LOAD_CHECKPOINT)
        .bind(name)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map_or(Position::START, |(tx, global)| Position { tx, global }))
}

/// Moves checkpoint `name` from `from` to `to`, when it is still at `from`.
/// The transaction's first statement, and a write: it serializes runners
/// (PostgreSQL row lock; SQLite's write lock, taken before any read).
pub(crate) async fn move_checkpoint(
    tx: &mut Tx<'_>,
    name: &str,
    from: Position,
    to: Position,
) -> Result<bool, StoreError> {
    let moved = on_tx!(tx, c => sqlx::query(MOVE_CHECKPOINT)
        .bind(name)
        .bind(from.tx)
        .bind(from.global)
        .bind(to.tx)
        .bind(to.global)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    if moved == 1 || from != Position::START {
        return Ok(moved == 1);
    }
    let created = on_tx!(tx, c => sqlx::query(CREATE_CHECKPOINT)
        .bind(name)
        .bind(to.tx)
        .bind(to.global)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(created == 1)
}

/// Sets checkpoint `name` unconditionally (rebuild's reset and swap).
pub(crate) async fn set_checkpoint(
    tx: &mut Tx<'_>,
    name: &str,
    to: Position,
) -> Result<(), StoreError> {
    on_tx!(tx, c => sqlx::query(SET_CHECKPOINT)
        .bind(name)
        .bind(to.tx)
        .bind(to.global)
        .execute(&mut **c)
        .await
        .map(drop))?;
    Ok(())
}
