//! The store's tests, one binary: the event store, the log reader and the
//! migrations on both backends.

mod event_store;
mod library_case;
mod log_reader;
