//! The short transaction that ends a rebuild (and a verify's comparison):
//! it takes the live checkpoint's row, checks that the twins are still
//! where the rebuild left them, brings them up to the live checkpoint, and
//! swaps them in with the projection's script; and the scripts that empty
//! the twins.

use domain::Calendar;

use crate::projector::{move_checkpoint, set_checkpoint};
use crate::read_models::{self, Projection, Target};
use store::backend::Tx;
use store::log::Position;
use store::{on_db, on_tx, Database, StoreError};

/// Events per rebuild batch.
pub(super) const BATCH: u32 = 5000;

const ENSURE_CHECKPOINT: &str = include_str!("sql/ensure_checkpoint.sql");
const LOCK_CHECKPOINT: &str = include_str!("sql/lock_checkpoint.sql");

/// The script that swaps the twins of `projection` in.
fn swap_script(projection: Projection, postgres: bool) -> &'static str {
    match (projection, postgres) {
        (Projection::Requests, true) => include_str!("postgres/requests_swap.sql"),
        (Projection::Statistics, true) => include_str!("postgres/statistics_swap.sql"),
        (Projection::Libraries, true) => include_str!("postgres/libraries_swap.sql"),
        (Projection::Requests, false) => include_str!("sqlite/requests_swap.sql"),
        (Projection::Statistics, false) => include_str!("sqlite/statistics_swap.sql"),
        (Projection::Libraries, false) => include_str!("sqlite/libraries_swap.sql"),
    }
}

/// The script that empties the twins of `projection`.
pub(super) fn clear_script(projection: Projection, postgres: bool) -> &'static str {
    match (projection, postgres) {
        (Projection::Requests, true) => include_str!("postgres/requests_clear.sql"),
        (Projection::Statistics, true) => include_str!("postgres/statistics_clear.sql"),
        (Projection::Libraries, true) => include_str!("postgres/libraries_clear.sql"),
        (Projection::Requests, false) => include_str!("sqlite/requests_clear.sql"),
        (Projection::Statistics, false) => include_str!("sqlite/statistics_clear.sql"),
        (Projection::Libraries, false) => include_str!("sqlite/libraries_clear.sql"),
    }
}

/// A transaction on either backend.
pub(super) async fn begin(db: &Database) -> Result<Tx<'static>, StoreError> {
    Ok(match db {
        Database::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        Database::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
    })
}

/// Takes the live checkpoint for the rest of `tx`; where it stands.
pub(super) async fn hold_live(
    tx: &mut Tx<'_>,
    projection: Projection,
) -> Result<Position, StoreError> {
    let name = projection.checkpoint(Target::Live);
    on_tx!(&mut *tx, c => sqlx::query(ENSURE_CHECKPOINT)
        .bind(name)
        .execute(&mut **c)
        .await
        .map(drop))?;
    let (tx_id, global): (i64, i64) = on_tx!(&mut *tx, c => sqlx::query_as(LOCK_CHECKPOINT)
        .bind(name)
        .fetch_one(&mut **c)
        .await)?;
    Ok(Position { tx: tx_id, global })
}

/// Checks that the twins are still where this rebuild left them.
pub(super) async fn hold_twins(
    tx: &mut Tx<'_>,
    projection: Projection,
    built: Position,
) -> Result<(), StoreError> {
    if move_checkpoint(tx, projection.checkpoint(Target::Scratch), built, built).await? {
        Ok(())
    } else {
        Err(StoreError::Busy(format!(
            "another rebuild of projection {projection} took over its tables"
        )))
    }
}

/// Swaps the twins of `projection`, built up to `built`, in; the
/// checkpoint the swapped-in tables start from.
pub(super) async fn swap(
    db: &Database,
    calendar: Calendar,
    projection: Projection,
    built: Position,
) -> Result<Position, StoreError> {
    let mut tx = begin(db).await?;
    let live = hold_live(&mut tx, projection).await?;
    hold_twins(&mut tx, projection, built).await?;
    let mut twins = built;
    advance(
        &mut tx,
        db,
        &calendar,
        projection,
        Target::Scratch,
        &mut twins,
        live,
    )
    .await?;
    let postgres = matches!(tx, Tx::Postgres(_));
    on_tx!(&mut tx, c => sqlx::Executor::execute(&mut **c, swap_script(projection, postgres))
        .await
        .map(drop))?;
    set_checkpoint(&mut tx, projection.checkpoint(Target::Live), twins).await?;
    // The twins now hold the old rows, emptied next.
    set_checkpoint(
        &mut tx,
        projection.checkpoint(Target::Scratch),
        Position::START,
    )
    .await?;
    tx.commit().await?;
    Ok(twins)
}

/// Applies the events after `*from` up to `upto` to `target` within `tx`.
pub(super) async fn advance(
    tx: &mut Tx<'_>,
    db: &Database,
    calendar: &Calendar,
    projection: Projection,
    target: Target,
    from: &mut Position,
    upto: Position,
) -> Result<(), StoreError> {
    while *from < upto {
        let mut events = store::log::read_after(db, *from, i64::from(BATCH)).await?;
        events.retain(|e| e.position <= upto);
        // Events a projector already applied are below every later horizon.
        let Some(last) = events.last() else {
            return Err(StoreError::Busy(format!(
                "events up to {upto:?} are not readable"
            )));
        };
        let to = last.position;
        if !move_checkpoint(tx, projection.checkpoint(target), *from, to).await? {
            return Err(StoreError::Busy(format!(
                "projection {projection}'s checkpoint moved during the swap"
            )));
        }
        read_models::apply(projection, tx, target, calendar, &events).await?;
        *from = to;
    }
    Ok(())
}

/// Empties the twins of `projection`.
pub(super) async fn clear(db: &Database, projection: Projection) -> Result<(), StoreError> {
    let postgres = matches!(db, Database::Postgres(_));
    on_db!(db, pool => sqlx::Executor::execute(pool, clear_script(projection, postgres))
        .await
        .map(drop))?;
    Ok(())
}
