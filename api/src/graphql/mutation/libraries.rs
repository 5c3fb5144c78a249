//! The directory's mutations: registering and updating a library, and
//! suspending its lending.

use async_graphql::{Context, InputObject, Object, ID};
use domain::LibraryChange;

use super::run_library;
use crate::graphql::library_id;
use crate::graphql::objects::LibraryObject;

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

#[derive(Default)]
pub struct LibraryMutation;

#[Object]
impl LibraryMutation {
    async fn register_library(
        &self,
        ctx: &Context<'_>,
        input: RegisterLibraryInput,
    ) -> async_graphql::Result<LibraryObject> {
        let id = library_id("id", &input.id)?;
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
        let id = library_id("id", &input.id)?;
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
        let id = library_id("library", &library)?;
        run_library(ctx, &id, LibraryChange::SetLendingSuspended(suspended)).await
    }
}
