//! The store's tests, one binary: the event store, its vault rows and its
//! announcements, and the log reader on both backends.

mod announce;
mod event_store;
mod log_reader;
mod side_rows;
