//! The staff web client and the statistics dashboard in headless Chromium,
//! one binary.

mod catalogue_search;
mod dashboard;
mod everyday;
mod web_client;
