//! The domain's tests in one binary: the request state machine row by row,
//! its refusals, a property test against a reference model, the `Library`
//! aggregate, and the stored shape of every event.

mod golden;
mod library;
mod proptest_model;
mod refusals;
mod support;
mod transitions;
