//! An SQLite pass's rows into the scratch tables, each value bound as the
//! incremental projector binds it (`read_models`): a uuid as its 16 bytes,
//! a day as ISO text, a boolean as 0 or 1, a view as its JSON text. So the
//! loaded twins hold exactly the values the projector would have written.

use std::collections::BTreeMap;

use domain::Library;
use sqlx::SqliteConnection;

use super::scratch::{Scratch, Table};
use crate::read_models::libraries;
use crate::read_models::requests::ViewColumns;
use crate::read_models::statistics::{Batch, Counts};
use crate::read_models::waiting::Tally;
use crate::rebuild::bulk::Done;
use store::StoreError;

/// A finished request's view and statistics rows.
pub(super) async fn write_request(
    c: &mut SqliteConnection,
    scratch: &mut Scratch,
    done: Done,
) -> Result<(), StoreError> {
    if let Some(table) = scratch.views.as_mut() {
        let Some(view) = &done.row.view else {
            return Err(StoreError::Malformed(format!(
                "request {} does not begin with RequestPlaced",
                done.id
            )));
        };
        let columns = ViewColumns::of(view, done.row.ended_at_us);
        let json = serde_json::to_string(view)
            .map_err(|e| StoreError::Malformed(format!("serializing a read model: {e}")))?;
        table
            .add(columns.id)?
            .add(columns.version)?
            .add(columns.borrower.to_owned())?
            .add(columns.lender.map(str::to_owned))?
            .add(columns.status)?
            .add(columns.updated_at_us)?
            .add(columns.ended_at_us)?
            .add(columns.respond_by_us)?
            .add(json)?
            .add(columns.needed_by)?;
        table.end_row(c).await?;
    }
    if let (Some(table), Some(tracked)) = (scratch.stats_requests.as_mut(), done.tracked) {
        table
            .add(done.id)?
            .add(tracked.version)?
            .add(tracked.borrower.as_str().to_owned())?
            .add(tracked.placed_at_us)?
            .add(tracked.routed_at_us)?;
        table.end_row(c).await?;
    }
    Ok(())
}

/// The durations the folds added to `batch`, taken out of it.
pub(super) async fn write_durations(
    c: &mut SqliteConnection,
    table: &mut Table,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    for d in batch.durations.drain(..) {
        table
            .add(d.request_id)?
            .add(d.sequence)?
            .add(d.kind)?
            .add(d.library.as_str().to_owned())?
            .add(d.day)?
            .add(d.micros)?;
        table.end_row(c).await?;
    }
    Ok(())
}

/// The requests waiting at each lender: one row per library with any.
pub(super) async fn write_waiting(
    c: &mut SqliteConnection,
    table: &mut Table,
    tally: &Tally,
) -> Result<(), StoreError> {
    for (library, n) in &tally.0 {
        table.add(library.as_str().to_owned())?.add(*n)?;
        table.end_row(c).await?;
    }
    Ok(())
}

/// The directory's rows: each library seen, with its stream's version.
pub(super) async fn write_directory(
    c: &mut SqliteConnection,
    table: &mut Table,
    libraries_seen: &BTreeMap<String, (Library, i64)>,
) -> Result<(), StoreError> {
    for (id, (library, version)) in libraries_seen {
        let record = libraries::record(id, library)?;
        table
            .add(record.id.as_str().to_owned())?
            .add(*version)?
            .add(record.name.clone())?
            .add(record.lends)?
            .add(record.suspended)?;
        table.end_row(c).await?;
    }
    Ok(())
}

/// The per-day sums, the network's and the duration blocks, written once.
pub(super) async fn write_statistics(
    c: &mut SqliteConnection,
    tables: &mut [Table; 5],
    batch: &Batch,
) -> Result<(), StoreError> {
    fn counts<'t>(table: &'t mut Table, n: &Counts) -> Result<&'t mut Table, StoreError> {
        table
            .add(n.placed)?
            .add(n.filled)?
            .add(n.unfilled)?
            .add(n.cancelled)?
            .add(n.received)?
            .add(n.shipped)?
            .add(n.declined)?
            .add(n.timed_out)
    }
    let [days, declines, network_days, network_declines, receive_blocks] = tables;
    for ((library, day), n) in &batch.counts {
        counts(days.add(library.as_str().to_owned())?.add(*day)?, n)?;
        days.end_row(c).await?;
    }
    for ((library, day, reason), n) in &batch.declines {
        declines
            .add(library.as_str().to_owned())?
            .add(*day)?
            .add(reason.as_str())?
            .add(*n)?;
        declines.end_row(c).await?;
    }
    for (day, n) in batch.network_counts() {
        counts(network_days.add(day)?, &n)?;
        network_days.end_row(c).await?;
    }
    for ((day, reason), n) in batch.network_declines() {
        network_declines.add(day)?.add(reason.as_str())?.add(n)?;
        network_declines.end_row(c).await?;
    }
    for ((block, bucket), n) in batch.receive_blocks() {
        receive_blocks.add(block)?.add(bucket)?.add(n)?;
        receive_blocks.end_row(c).await?;
    }
    Ok(())
}
