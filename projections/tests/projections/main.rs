//! The projections' tests, one binary: the projector, random histories
//! against a reference model, the vault beside rebuilds, and the benchmark.

mod benchmark;
mod projector;
mod queue_order;
mod random_histories;
mod vault;
mod world;
