//! `ill-replay` as a child process, one binary: audit, transfer, verify and
//! the benchmark.

mod audit;
mod benchmark;
mod common;
mod transfer;
mod verify;
