//! The API end to end, one binary: the real server on port 0 against each
//! backend, spoken to over HTTP and the GraphQL websocket.

mod access_ends;
mod automatic_rota;
mod catalogue_clusters;
mod catalogue_import;
mod catalogue_search;
mod catalogue_search_backends;
mod catalogue_streaming;
mod closures;
mod contract_schema;
mod copyright;
mod demo_catalogue;
mod hostile_input;
mod invalid_transitions;
mod lifecycles;
mod limits;
mod needed_by;
mod network_statistics;
mod network_statistics_benchmark;
mod operations;
mod place_idempotency;
mod queue_order;
mod queue_page_benchmark;
mod queues;
mod refusals;
mod request_ids;
mod scheduler;
mod sign_in;
mod sign_in_limits;
mod socket_limits;
mod subscriptions;
mod suggest_rota_benchmark;
mod text_ids_and_metrics;
mod visibility;
