//! The store's tests, one binary: the event store, its vault rows and its
//! announcements, the log reader and the migrations on both backends.

mod announce;
mod event_store;
mod library_case;
mod log_reader;
mod side_rows;
