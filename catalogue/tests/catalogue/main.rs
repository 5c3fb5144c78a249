//! The catalogue crate's tests: one binary, a module per part.

mod formats;
mod import;
mod search;
