//! The directory's mutations: registering and updating a library,
//! suspending its lending, and its dated closures.

use async_graphql::{Context, InputObject, Object, ID};
use domain::{Closure, LibraryChange, LibraryId};

use super::run_library;
use crate::error::ApiError;
use crate::graphql::objects::LibraryObject;
use crate::graphql::scalars::Date;
use crate::graphql::{app, library_id};

#[derive(InputObject)]
pub struct RegisterLibraryInput {
    pub id: ID,
    pub name: String,
    #[graphql(default = true)]
    pub lends: bool,
}

#[derive(InputObject)]
pub struct UpdateLibraryInput {
    pub id: ID,
    pub name: Option<String>,
    pub lends: Option<bool>,
}

#[derive(InputObject)]
pub struct ClosureInput {
    pub from: Date,
    pub to: Date,
    pub reason: Option<String>,
}

#[derive(Default)]
pub struct LibraryMutation;

#[Object]
impl LibraryMutation {
    async fn register_library(
        &self,
        ctx: &Context<'_>,
        input: RegisterLibraryInput,
    ) -> async_graphql::Result<LibraryObject> {
        // As typed: a symbol differing only in case from a registered one
        // would name that library, and is refused rather than merged.
        let id = LibraryId::parse("id", input.id.as_str()).map_err(ApiError::from)?;
        if let Some(existing) = app(ctx).libraries.get(&id) {
            if !existing.id.same_spelling(&id) {
                return Err(ApiError::bad_input(format!(
                    "id: {id} differs only in case from the library {}",
                    existing.id
                ))
                .into());
            }
        }
        let change = LibraryChange::Register {
            id: id.clone(),
            name: input.name,
            lends: input.lends,
        };
        run_library(ctx, &id, change).await
    }

    async fn update_library(
        &self,
        ctx: &Context<'_>,
        input: UpdateLibraryInput,
    ) -> async_graphql::Result<LibraryObject> {
        let id = library_id(ctx, "id", &input.id)?;
        run_library(
            ctx,
            &id,
            LibraryChange::Update {
                name: input.name,
                lends: input.lends,
            },
        )
        .await
    }

    async fn set_lending_suspended(
        &self,
        ctx: &Context<'_>,
        library: ID,
        suspended: bool,
    ) -> async_graphql::Result<LibraryObject> {
        let id = library_id(ctx, "library", &library)?;
        run_library(ctx, &id, LibraryChange::SetLendingSuspended(suspended)).await
    }

    /// Replaces the library's closures (dates inclusive, network time zone).
    async fn set_closures(
        &self,
        ctx: &Context<'_>,
        library: ID,
        closures: Vec<ClosureInput>,
    ) -> async_graphql::Result<LibraryObject> {
        let id = library_id(ctx, "library", &library)?;
        let closures = closures
            .into_iter()
            .map(|c| Closure {
                from: c.from.0,
                to: c.to.0,
                reason: super::inputs::text(c.reason),
            })
            .collect();
        let today = app(ctx).today();
        run_library(ctx, &id, LibraryChange::SetClosures { closures, today }).await
    }
}
