//! `ill-replay` as a child process, one binary: audit, as-of, transfer,
//! verify, a store that does not exist, the README's examples and the
//! benchmark.

mod as_of;
mod audit;
mod benchmark;
mod common;
mod missing_store;
mod readme;
mod transfer;
mod verify;
