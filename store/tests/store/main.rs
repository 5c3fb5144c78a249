//! The store's tests, one binary: the event store and the log reader on both
//! backends.

mod event_store;
mod log_reader;
