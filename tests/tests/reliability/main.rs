//! Server processes under faults and load, one binary kept apart from the
//! API suite: several nodes, database restarts, ambiguous commits, load and
//! throughput.

mod ambiguous_commits;
mod db_restart;
mod load;
mod multi_node;
mod throughput;
