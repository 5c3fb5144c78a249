//! A simulated statewide network and a year (or any span) of its traffic:
//! for `--demo`, the benchmarks and tests.
//!
//! About 200 libraries — public, academic, school and special, a few that
//! only borrow, one or two whose lending is suspended for a while — place
//! requests with seasonal volume (busy in term time, quiet in summer and at
//! the year's end), each for an item of some shelf (popular, scholarly,
//! juvenile, local history) with a rota of 2–5 of the lenders that hold it
//! in the network's union catalogue ([`Catalogue`]: a few thousand titles,
//! the most wanted held widely). Lenders answer in hours to days, supply, propose conditions, decline
//! with ISO 18626 reasons or do not answer; items travel for days, are
//! renewed, recalled, sometimes lost. The history ends at `Shape::end`:
//! nothing happens after it, so the newest requests are still open, and a
//! request still waiting for an answer then was routed recently enough that
//! its answer is not yet due.
//!
//! Every event is what the real domain decides (`IllRequest::decide`,
//! `Library::decide`) for a command the simulation issues at its business
//! time, against a directory that knows each library's suspensions: valid by
//! construction. The simulation runs in global time order (one event queue
//! over all open requests), so the log reads like live traffic. Two ways to
//! write it, the same events either way: [`Path::Commands`] runs each
//! command through [`EventStore::execute`] (what the server does), and
//! [`Path::Bulk`] appends the decided events in large batches (a million
//! events through the command path would take most of an hour).
//! Deterministic for a given [`Shape`].
//!
//! [`EventStore::execute`]: store::EventStore::execute

mod calendar;
mod catalogue;
mod names;
mod network;
mod random;
mod shape;
mod shelves;
mod traffic;
mod writer;

use store::Database;

use traffic::Simulation;

pub use catalogue::{catalogue, Catalogue, Title, TITLES_PER_SHELF};
pub use network::{network, Member, Suspension, COORDINATING_LIBRARY, STAFF_ACCOUNT};
pub use shape::{GenerateError, Generated, Kind, Path, Shape};
pub use traffic::RESPONSE_DAYS;

/// Generates `shape` into `db` on the bulk path.
pub async fn generate(db: &Database, shape: &Shape) -> Result<Generated, GenerateError> {
    generate_with(db, shape, Path::Bulk).await
}

/// Generates `shape` into `db` (an empty store, or one without the
/// shape's library symbols).
pub async fn generate_with(
    db: &Database,
    shape: &Shape,
    path: Path,
) -> Result<Generated, GenerateError> {
    generate_from(db, shape, path, &catalogue(shape)).await
}

/// Generates `shape` into `db` with its requests for the titles of
/// `catalogue` ([`catalogue`]`(shape)`, given its record ids when the
/// requests are to name them).
pub async fn generate_from(
    db: &Database,
    shape: &Shape,
    path: Path,
    catalogue: &Catalogue,
) -> Result<Generated, GenerateError> {
    let generated = Simulation::new(db, shape, path, catalogue).run().await?;
    db.settle_bulk_load().await?;
    Ok(generated)
}
