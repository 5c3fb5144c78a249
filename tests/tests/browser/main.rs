//! The staff web client and the statistics dashboard in headless Chromium,
//! one binary.

mod accounts;
mod catalogue_search;
mod dashboard;
mod everyday;
mod holdings_imports;
mod proposed_rota;
mod us_practice;
mod web_client;
