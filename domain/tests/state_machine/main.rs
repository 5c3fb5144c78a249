//! The domain's tests in one binary: the request state machine row by row,
//! its refusals, a property test against a reference model, the `Library`
//! aggregate, and the stored shape of every event.

mod closures;
mod copyright;
mod golden;
mod library;
mod needed_by;
mod proptest_model;
mod refusals;
mod support;
mod transitions;
