//! The switch's one short transaction: the import goes live, the library's
//! old batch is replaced (which shows the records and identifier rows its
//! computation wrote), and what [`super::prepare`] left staged is applied by
//! a few set-based statements, unless the catalogue moved since it was
//! computed (another switch, or a change of a library's lending).

use store::backend::Tx;

use crate::db;
use crate::error::CatalogueError;
use crate::import::Totals;

const FINISH: &str = include_str!("apply/sql/finish.sql");
const REPLACE: &str =
    "UPDATE holdings_imports SET state = 'replaced' WHERE library = $1 AND state = 'live'";
const GO_LIVE: &str = "UPDATE holdings_imports SET state = 'live' WHERE id = $1";
const DELETE_TOUCHED: &str = "DELETE FROM catalog_records \
     WHERE id IN (SELECT record_id FROM catalog_staged_touched WHERE batch = $1)";
/// A staged record's id that another running import wrote first.
const DELETE_TAKEN: &str = "DELETE FROM catalog_records \
     WHERE id IN (SELECT id FROM catalog_staged_records WHERE batch = $1)";
const INSERT_RECORDS: &str = include_str!("apply/sql/insert_records.sql");
const DELETE_IDENTIFIERS: &str = include_str!("apply/sql/delete_identifiers.sql");
const INSERT_IDENTIFIERS: &str = include_str!("apply/sql/insert_identifiers.sql");
const MOVE_HOLDINGS_POSTGRES: &str = include_str!("apply/sql/postgres/move_holdings.sql");
const MOVE_HOLDINGS_SQLITE: &str = include_str!("apply/sql/sqlite/move_holdings.sql");
/// Moves the catalogue's generation on from the one a computation began
/// at: no row when another switch or lending change came first. Its row
/// lock serialises switches and lending changes (on SQLite, the writer's).
const NEXT_GENERATION: &str = "UPDATE catalog_generation SET n = n + 1 WHERE id = 1 AND n = $1";

/// The generation a computation begins at.
pub const GENERATION: &str = "SELECT n FROM catalog_generation WHERE id = 1";
/// Moves the generation on whatever it is.
pub const BUMP_GENERATION: &str = "UPDATE catalog_generation SET n = n + 1 WHERE id = 1";

/// How a switch's transaction ended.
pub enum Applied {
    Done,
    /// The catalogue moved since the computation began: compute again.
    Moved,
    /// Another import took the library over: nothing changes.
    TakenOver,
}

/// Applies import `batch`'s staged changes in `tx`, whose computation began
/// at `generation` (None: `tx` has held the generation's lock since before
/// it began).
pub async fn apply(
    tx: &mut Tx<'_>,
    batch: &str,
    library: &str,
    lending: bool,
    totals: &Totals,
    generation: Option<i64>,
) -> Result<Applied, CatalogueError> {
    if let Some(generation) = generation {
        if db::execute(tx, NEXT_GENERATION, &[generation.into()]).await? == 0 {
            return Ok(Applied::Moved);
        }
    }
    let errors = serde_json::to_string(&totals.errors).expect("errors serialise");
    let ours = db::execute(
        tx,
        FINISH,
        &[
            batch.into(),
            totals.records.into(),
            totals.holdings.into(),
            totals.rejected.into(),
            errors.into(),
        ],
    )
    .await?;
    if ours == 0 {
        return Ok(Applied::TakenOver);
    }
    crate::holdings::set_lending(tx, library, lending).await?;
    db::execute(tx, REPLACE, &[library.into()]).await?;
    db::execute(tx, GO_LIVE, &[batch.into()]).await?;
    let move_holdings = match tx {
        Tx::Postgres(_) => MOVE_HOLDINGS_POSTGRES,
        Tx::Sqlite(_) => MOVE_HOLDINGS_SQLITE,
    };
    for sql in [
        DELETE_TOUCHED,
        DELETE_TAKEN,
        INSERT_RECORDS,
        DELETE_IDENTIFIERS,
        INSERT_IDENTIFIERS,
        move_holdings,
    ] {
        db::execute(tx, sql, &[batch.into()]).await?;
    }
    Ok(Applied::Done)
}
