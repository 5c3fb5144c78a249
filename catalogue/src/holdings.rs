//! Who holds a record, for the automatic rota; and keeping each record's
//! `lendable_by` right when a library's lending or suspension changes.

use std::collections::BTreeMap;

use domain::LibraryId;
use sqlx::Row;
use store::backend::{on_db, Tx};
use store::Database;

use crate::db;
use crate::error::CatalogueError;

/// One library holding a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub library: LibraryId,
    /// It has a lendable copy.
    pub lendable: bool,
}

const HOLDERS: &str = include_str!("sql/holders.sql");
const SET_LENDING: &str = include_str!("sql/set_lending.sql");
const REFRESH_LENDABLE_BY: &str = concat!(
    include_str!("sql/lendable_by.sql"),
    " WHERE id IN (SELECT record_id FROM holdings WHERE library = $1 AND record_id IS NOT NULL \
       AND batch IN (SELECT id FROM holdings_imports WHERE library = $1 AND state = 'live'))"
);

/// The libraries holding record `record_id` (a current id, see
/// [`crate::records::resolve`]), one each, in library id order.
pub async fn holders(db: &Database, record_id: &str) -> Result<Vec<Holder>, CatalogueError> {
    let rows: Vec<(String, bool)> = on_db!(db, pool => {
        sqlx::query(HOLDERS)
            .bind(record_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("library")?, row.try_get("lendable")?)))
            .collect::<Result<_, sqlx::Error>>()?
    });
    let mut by_library: BTreeMap<LibraryId, bool> = BTreeMap::new();
    for (library, lendable) in rows {
        *by_library.entry(LibraryId::from(library)).or_default() |= lendable;
    }
    Ok(by_library
        .into_iter()
        .map(|(library, lendable)| Holder { library, lendable })
        .collect())
}

/// Records whether `library` now lends and is not suspended (`lending`,
/// from its own stream) and recomputes `lendable_by` of every record it
/// holds: after each change of its lending or suspension.
pub async fn refresh_lendable_by(
    db: &Database,
    library: &str,
    lending: bool,
) -> Result<u64, CatalogueError> {
    let mut tx = db::begin(db).await?;
    // First: a switch computed before this change computes again, and one
    // under way finishes first (the generation's row is their lock).
    db::execute(&mut tx, crate::import::BUMP_GENERATION, &[]).await?;
    set_lending(&mut tx, library, lending).await?;
    let updated = db::execute(&mut tx, REFRESH_LENDABLE_BY, &[library.into()]).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Records whether `library` lends and is not suspended.
pub(crate) async fn set_lending(
    tx: &mut Tx<'_>,
    library: &str,
    lending: bool,
) -> Result<(), CatalogueError> {
    db::execute(tx, SET_LENDING, &[library.into(), lending.into()]).await?;
    Ok(())
}
