//! The shared test network (`projections::testing`).

pub use projections::testing::{note, place, run, services, staff, BORROWER, LENDERS};
