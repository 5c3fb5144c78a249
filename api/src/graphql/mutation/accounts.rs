//! The admin's account mutations: staff tokens and passwords.

use async_graphql::{Context, Object, ID};
use domain::{LibraryId, Role as DomainRole};
use store::accounts::Account as StoredAccount;

use crate::auth::{self, passwords};
use crate::error::ApiError;
use crate::graphql::enums::Role;
use crate::graphql::{app, library_id, viewer};

const MAX_ACCOUNT_NAME: usize = 64;

/// Admins only; the library must exist.
fn admin_on_library(
    ctx: &Context<'_>,
    library: &ID,
    name: &str,
) -> async_graphql::Result<LibraryId> {
    let account = &viewer(ctx)?.account;
    let library = library_id("library", library)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_ACCOUNT_NAME {
        return Err(ApiError::bad_input(format!(
            "name must be 1 to {MAX_ACCOUNT_NAME} characters"
        ))
        .into());
    }
    app(ctx).require_library(&library)?;
    if account.role != DomainRole::Admin {
        return Err(ApiError::forbidden("only an admin manages accounts").into());
    }
    Ok(library)
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates the account if new and a token for it; the token is shown once.
    async fn create_staff_token(
        &self,
        ctx: &Context<'_>,
        library: ID,
        name: String,
        role: Role,
    ) -> async_graphql::Result<String> {
        let library = admin_on_library(ctx, &library, &name)?;
        let (token, hash) = auth::new_token();
        let account = StoredAccount {
            library,
            name: name.trim().to_owned(),
            role: role.into(),
        };
        store::accounts::add_token(app(ctx).database(), &account, &hash)
            .await
            .map_err(ApiError::from)?;
        Ok(token)
    }

    async fn revoke_staff_tokens(
        &self,
        ctx: &Context<'_>,
        library: ID,
        name: String,
    ) -> async_graphql::Result<i32> {
        let library = admin_on_library(ctx, &library, &name)?;
        let revoked = store::accounts::revoke_tokens(app(ctx).database(), &library, name.trim())
            .await
            .map_err(ApiError::from)?;
        Ok(revoked as i32)
    }

    /// Sets the password an account signs in to the web client with, and
    /// ends the account's sessions. Creates the account if new (as `role`,
    /// or STAFF); an existing one takes `role` when given. ADMIN only.
    async fn set_account_password(
        &self,
        ctx: &Context<'_>,
        library: ID,
        name: String,
        password: String,
        role: Option<Role>,
    ) -> async_graphql::Result<bool> {
        let library = admin_on_library(ctx, &library, &name)?;
        passwords::check_policy(&password)?;
        let hash = passwords::hash(password).await?;
        store::sessions::set_password(
            app(ctx).database(),
            &library,
            name.trim(),
            role.map(Into::into),
            &hash,
        )
        .await
        .map_err(ApiError::from)?;
        Ok(true)
    }
}
