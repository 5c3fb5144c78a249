//! `ill-server`: the GraphQL API of the ILL network on axum, its accounts
//! and tokens, the scheduler that moves unanswered requests on, and the
//! operational endpoints.

pub mod auth;
pub mod clock;
pub mod commands;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod holdings_command;
pub mod http;
pub mod library_cache;
pub mod metrics;
pub mod scheduler;
pub mod startup;
pub mod state;

pub use config::{Security, Settings, SocketLimits};
pub use startup::{start, RunningServer, StartError};
