//! `ill-server`: the GraphQL API of the ILL network on axum, its accounts
//! and tokens, the scheduler that moves unanswered requests on, and the
//! operational endpoints.

pub mod app;
pub mod auth;
pub mod clock;
pub mod commands;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod directory;
pub mod document_limits;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod passwords;
pub mod scheduler;
pub mod sign_in;
pub mod web;

pub use app::{start, RunningServer, Settings, StartError};
