//! The API end to end, one binary: the real server on port 0 against each
//! backend, spoken to over HTTP and the GraphQL websocket.

mod closures;
mod contract_schema;
mod copyright;
mod hostile_input;
mod invalid_transitions;
mod lifecycles;
mod limits;
mod needed_by;
mod operations;
mod place_idempotency;
mod queues;
mod refusals;
mod scheduler;
mod sign_in;
mod subscriptions;
mod visibility;
