//! Server processes under faults and load, one binary kept apart from the
//! API suite: several nodes, database restarts, ambiguous commits, load and
//! throughput, the scheduler's pass at scale.

mod ambiguous_commits;
mod db_restart;
mod load;
mod multi_node;
mod scheduler_pass;
mod throughput;
