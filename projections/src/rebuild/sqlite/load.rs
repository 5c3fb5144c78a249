//! A projection's twins loaded from the scratch tables: one transaction on
//! the store per projection, each twin emptied, its indexes dropped, its
//! rows copied in by SQLite itself, its indexes built again, analyzed, and
//! the projection's twin checkpoint set to where the pass stopped, with the
//! rows. The store's write lock is held for the copies only, not the pass.

use std::fmt::Write as _;

use sqlx::{Connection, SqliteConnection};

use super::scratch::{scratch_name, tables};
use crate::projector::set_checkpoint;
use crate::read_models::{Projection, Target};
use store::backend::Tx;
use store::log::Position;
use store::StoreError;

const TWIN_INDEXES: &str = include_str!("twin_indexes.sql");
const TWIN_LOAD: &str = include_str!("twin_load.sql");

/// Loads the twins of `projection` from their scratch tables; their
/// checkpoint becomes `built`.
pub(super) async fn load(
    writer: &mut SqliteConnection,
    projection: Projection,
    built: Position,
) -> Result<(), StoreError> {
    // Read before the transaction: its first statement takes the write lock.
    let mut script = String::new();
    for (live, _) in tables(projection) {
        let twin = Target::Scratch.table(live);
        let indexes: Vec<(String, String)> = sqlx::query_as(TWIN_INDEXES)
            .bind(&twin)
            .fetch_all(&mut *writer)
            .await?;
        let (mut drops, mut creates) = (String::new(), String::new());
        for (name, definition) in &indexes {
            let _ = writeln!(drops, "DROP INDEX main.{name};");
            let _ = writeln!(creates, "{definition};");
        }
        script.push_str(
            &TWIN_LOAD
                .replace("{twin}", &twin)
                .replace("{scratch}", &scratch_name(live))
                .replace("{drop_indexes}", &drops)
                .replace("{create_indexes}", &creates),
        );
    }
    let mut tx = Tx::Sqlite(writer.begin().await?);
    if let Tx::Sqlite(c) = &mut tx {
        sqlx::Executor::execute(&mut **c, script.as_str()).await?;
    }
    set_checkpoint(&mut tx, projection.checkpoint(Target::Scratch), built).await?;
    tx.commit().await
}
