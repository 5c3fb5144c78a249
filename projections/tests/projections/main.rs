//! The projections' tests, one binary: the projector, random histories
//! against a reference model, a generated history rebuilt in bulk, the vault
//! beside rebuilds, and the benchmarks.

mod benchmark;
mod generated_history;
mod projector;
mod queue_order;
mod random_histories;
mod rebuild_backends;
mod vault;
mod world;
