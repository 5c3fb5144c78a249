//! The GraphQL API of the contract (`../shared/contract/schema.graphql`).

mod catalogue;
mod catalogue_search;
mod copyright;
mod enums;
pub mod limits;
mod mutation;
mod objects;
mod query;
mod request;
mod rota;
mod scalars;
mod stats;
mod subscription;

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextSubscribe};
use async_graphql::{Context, MergedObject, Response, Schema, ServerError, ID};
use domain::LibraryId;
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::state::AppState;
use limits::{DocumentLimits, MAX_COMPLEXITY, MAX_DEPTH};

pub use mutation::Mutation;
pub use subscription::{Subscription, SubscriptionSlots};

pub type AppSchema = Schema<Query, Mutation, Subscription>;

// The parts in the order of the contract's fields (a doc comment here
// would become the type's description in the schema).
#[derive(MergedObject, Default)]
pub struct Query(
    query::RequestQuery,
    catalogue_search::CatalogSearchQuery,
    catalogue::CatalogueQuery,
    rota::RotaQuery,
);

/// Per GraphQL request: who calls, and the id its events and logs carry.
#[derive(Clone)]
pub struct RequestContext {
    pub viewer: Viewer,
    pub correlation_id: Uuid,
}

pub fn schema(state: Arc<AppState>) -> AppSchema {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .data(state)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .disable_suggestions()
        .extension(LabelSubscriptionErrors)
        .extension(DocumentLimits::default())
        .finish()
}

/// Errors raised before any resolver ran (parse, validation, limits, wrong
/// argument types) carry no code yet: they are malformed input.
pub fn label_errors(errors: &mut [ServerError]) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", "BAD_INPUT");
        }
    }
}

/// Labels the errors of subscriptions (over the WebSocket, where no HTTP
/// handler sees the responses) as `label_errors` does for POST.
struct LabelSubscriptionErrors;

impl ExtensionFactory for LabelSubscriptionErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LabelSubscriptionErrors)
    }
}

impl Extension for LabelSubscriptionErrors {
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: futures::stream::BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> futures::stream::BoxStream<'s, Response> {
        use futures::StreamExt;
        next.run(ctx, stream)
            .map(|mut response| {
                label_errors(&mut response.errors);
                response
            })
            .boxed()
    }
}

/// The schema alone, for `print-schema` and the contract test.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .finish()
        .sdl()
}

fn app<'a>(ctx: &Context<'a>) -> &'a Arc<AppState> {
    ctx.data_unchecked::<Arc<AppState>>()
}

fn request_context<'a>(ctx: &Context<'a>) -> Result<&'a RequestContext, ApiError> {
    ctx.data_opt::<RequestContext>()
        .ok_or(ApiError::Unauthenticated)
}

fn viewer<'a>(ctx: &Context<'a>) -> Result<&'a Viewer, ApiError> {
    request_context(ctx).map(|r| &r.viewer)
}

/// A library as the contract shows it, from the directory.
fn library_object(app: &AppState, id: &LibraryId) -> objects::LibraryObject {
    app.libraries
        .get(id)
        .map_or_else(|| objects::LibraryObject::unknown(id), Into::into)
}

/// A library symbol from the caller, in the spelling it was registered with
/// (symbols compare case-insensitively; answers, events and queries use
/// the registered spelling whatever case the input used).
fn library_id(ctx: &Context<'_>, field: &str, id: &ID) -> Result<LibraryId, ApiError> {
    let id = LibraryId::parse(field, id.as_str())?;
    Ok(app(ctx).libraries.registered_spelling(id))
}
