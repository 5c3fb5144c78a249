//! The Mutation root: each request mutation becomes one domain command run
//! by `Commands`; the answer comes from the aggregate itself. The root
//! merges the borrower's, the lender's, the directory's and the accounts'
//! mutations.

mod accounts;
mod borrowing;
mod inputs;
mod lending;
mod libraries;

use async_graphql::{Context, MergedObject, Object};
use domain::{Action, Actor, LibraryChange, LibraryId, Note, Origin};
use uuid::Uuid;

use super::objects::LibraryObject;
use super::request::RequestObject;
use super::{app, request_context};
use crate::error::ApiError;
use accounts::AccountMutation;
use borrowing::BorrowingMutation;
use lending::LendingMutation;
use libraries::LibraryMutation;

// The parts in the order of the contract's fields (a doc comment here
// would become the type's description in the schema).
#[derive(MergedObject, Default)]
pub struct Mutation(
    BorrowingMutation,
    LendingMutation,
    NoteMutation,
    LibraryMutation,
    AccountMutation,
);

/// Either side's: a note on the request.
#[derive(Default)]
pub struct NoteMutation;

#[Object]
impl NoteMutation {
    /// The same noteId twice gives one note.
    async fn add_note(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        text: String,
        note_id: Option<Uuid>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let note = Note {
            id: note_id.unwrap_or_else(Uuid::new_v4),
            text,
        };
        run(ctx, id, None, coordinator_reason, Action::AddNote { note }).await
    }
}

/// `expectedVersion` as the domain takes it.
fn expected(version: Option<i32>) -> Result<Option<u64>, ApiError> {
    version
        .map(|v| {
            u64::try_from(v)
                .map_err(|_| ApiError::bad_input("expectedVersion must not be negative"))
        })
        .transpose()
}

/// The calling account as the acting person.
fn actor(ctx: &Context<'_>, coordinator_reason: Option<String>) -> Result<Actor, ApiError> {
    let account = &request_context(ctx)?.viewer.account;
    Ok(Actor {
        name: account.name.clone(),
        library: account.library.clone(),
        role: account.role,
        reason: coordinator_reason,
    })
}

async fn run(
    ctx: &Context<'_>,
    id: Uuid,
    expected_version: Option<i32>,
    coordinator_reason: Option<String>,
    action: Action,
) -> async_graphql::Result<RequestObject> {
    let request = request_context(ctx)?;
    let expected_version = expected(expected_version)?;
    let actor = actor(ctx, coordinator_reason)?;
    let outcome = app(ctx)
        .commands
        .request(
            Origin::Person(actor),
            id,
            expected_version,
            action,
            request.correlation_id,
        )
        .await?;
    Ok(RequestObject {
        view: outcome.view,
        history: Some(outcome.history),
    })
}

async fn run_library(
    ctx: &Context<'_>,
    id: &LibraryId,
    change: LibraryChange,
) -> async_graphql::Result<LibraryObject> {
    let request = request_context(ctx)?;
    let account = &request.viewer.account;
    let actor = Actor::new(account.name.clone(), account.library.clone(), account.role);
    let lending_may_change = !matches!(change, LibraryChange::SetClosures { .. });
    let app = app(ctx);
    let record = app
        .commands
        .library(actor, id, change, request.correlation_id)
        .await?;
    if lending_may_change {
        // The catalogue counts lending holders per record: from this
        // library's own stream, as the directory projection may lag.
        catalogue::holdings::refresh_lendable_by(
            app.database(),
            record.id.as_str(),
            record.lends && !record.suspended,
        )
        .await
        .map_err(ApiError::from)?;
    }
    Ok(record.into())
}
