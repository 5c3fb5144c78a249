//! The admin's account mutations: staff tokens, passwords and disabling.
//! Each change that ends a credential clears this node's credential cache
//! (the store's NOTIFY clears the others').

use async_graphql::{Context, Object, ID};
use domain::{validation, LibraryId, Role as DomainRole};
use store::accounts::Account as StoredAccount;

use crate::auth::{self, passwords};
use crate::error::ApiError;
use crate::graphql::enums::Role;
use crate::graphql::objects::AccountObject;
use crate::graphql::{app, library_id, library_object, viewer};

const MAX_ACCOUNT_NAME: usize = 64;

/// Admins only; the library must exist.
fn admin_on_library(
    ctx: &Context<'_>,
    library: &ID,
    name: &str,
) -> async_graphql::Result<LibraryId> {
    let account = &viewer(ctx)?.account;
    let library = library_id(ctx, "library", library)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_ACCOUNT_NAME {
        return Err(ApiError::bad_input(format!(
            "name must be 1 to {MAX_ACCOUNT_NAME} characters"
        ))
        .into());
    }
    validation::at_most("name", name, MAX_ACCOUNT_NAME).map_err(ApiError::from)?;
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
        let added = store::accounts::add_token(app(ctx).database(), &account, &hash)
            .await
            .map_err(ApiError::from)?;
        if !added {
            return Err(ApiError::bad_input(format!(
                "the account {}/{} is disabled: enable it first",
                account.library, account.name
            ))
            .into());
        }
        Ok(token)
    }

    async fn revoke_staff_tokens(
        &self,
        ctx: &Context<'_>,
        library: ID,
        name: String,
    ) -> async_graphql::Result<i32> {
        let library = admin_on_library(ctx, &library, &name)?;
        let app = app(ctx);
        let revoked = store::accounts::revoke_tokens(app.database(), &library, name.trim())
            .await
            .map_err(ApiError::from)?;
        app.credentials_ended();
        Ok(revoked as i32)
    }

    /// Disabling revokes the account's tokens and ends its sessions (and the
    /// sockets opened with either) on every node; its sign-in is refused
    /// until enabled, and enabling restores none of them. An admin cannot
    /// disable their own account.
    async fn set_account_disabled(
        &self,
        ctx: &Context<'_>,
        library: ID,
        name: String,
        disabled: bool,
    ) -> async_graphql::Result<AccountObject> {
        let library = admin_on_library(ctx, &library, &name)?;
        let name = name.trim();
        let me = &viewer(ctx)?.account;
        if disabled && me.library == library && me.name == name {
            return Err(ApiError::bad_input("an admin cannot disable their own account").into());
        }
        let app = app(ctx);
        let summary = store::accounts::set_disabled(app.database(), &library, name, disabled)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::NotFound(format!("no account {library}/{name}")))?;
        app.credentials_ended();
        Ok(AccountObject::new(
            library_object(app, &summary.account.library),
            summary,
        ))
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
        let app = app(ctx);
        store::sessions::set_password(
            app.database(),
            &library,
            name.trim(),
            role.map(Into::into),
            &hash,
        )
        .await
        .map_err(ApiError::from)?;
        app.credentials_ended();
        Ok(true)
    }
}
