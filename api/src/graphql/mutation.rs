//! The Mutation root: each request mutation becomes one domain command run
//! by `Commands`; the answer comes from the aggregate itself.

use async_graphql::{Context, InputObject, Object, ID};
use domain::{
    Action, Actor, LibraryChange, LibraryId, Note, Origin, PatronInput, PlaceRequest,
    Role as DomainRole,
};
use store::accounts::Account as StoredAccount;
use uuid::Uuid;

use super::enums::{LoanCondition, Role, ServiceType, UnfilledReason};
use super::objects::LibraryObject;
use super::request::RequestObject;
use super::scalars::Date;
use super::{app, library_id, request_context, viewer};
use crate::error::ApiError;
use crate::{auth, passwords};

const MAX_ACCOUNT_NAME: usize = 64;

#[derive(InputObject)]
pub struct ItemInput {
    pub title: String,
    pub author: Option<String>,
    pub isbn: Option<String>,
    pub issn: Option<String>,
    pub oclc_number: Option<String>,
    pub publisher: Option<String>,
    pub year: Option<String>,
    pub edition: Option<String>,
    pub article_title: Option<String>,
    pub pages: Option<String>,
    pub catalog_record_id: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "PatronInput")]
pub struct PatronInputObject {
    pub barcode: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(InputObject)]
pub struct PlaceRequestInput {
    pub id: Option<Uuid>,
    pub patron: PatronInputObject,
    pub item: ItemInput,
    #[graphql(default_with = "Some(ServiceType::Loan)")]
    pub service_type: Option<ServiceType>,
    pub lenders: Vec<ID>,
    pub needed_by: Option<Date>,
    pub note: Option<String>,
}

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

/// Blank optional text counts as absent.
fn text(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn note(value: Option<String>) -> Option<Note> {
    text(value).map(|text| Note {
        id: Uuid::new_v4(),
        text,
    })
}

fn lenders(ids: &[ID]) -> Result<Vec<LibraryId>, ApiError> {
    ids.iter()
        .map(|id| {
            library_id("lenders", id).map_err(|_| {
                ApiError::bad_input(format!(
                    "lenders: {:?} is not a library symbol",
                    id.as_str()
                ))
            })
        })
        .collect()
}

async fn run(
    ctx: &Context<'_>,
    id: Uuid,
    expected_version: Option<i32>,
    coordinator_reason: Option<String>,
    action: Action,
) -> async_graphql::Result<RequestObject> {
    let request = request_context(ctx)?;
    let expected_version = expected_version
        .map(|v| {
            u64::try_from(v)
                .map_err(|_| ApiError::bad_input("expectedVersion must not be negative"))
        })
        .transpose()?;
    let account = &request.viewer.account;
    let actor = Actor {
        name: account.name.clone(),
        library: account.library.clone(),
        role: account.role,
        reason: coordinator_reason,
    };
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
    let record = app(ctx)
        .commands
        .library(actor, id, change, request.correlation_id)
        .await?;
    Ok(record.into())
}

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

pub struct Mutation;

#[Object]
impl Mutation {
    async fn place_request(
        &self,
        ctx: &Context<'_>,
        input: PlaceRequestInput,
    ) -> async_graphql::Result<RequestObject> {
        let lenders = lenders(&input.lenders)?;
        let item = input.item;
        let place = PlaceRequest {
            patron_ref: Uuid::new_v4(),
            patron: PatronInput {
                barcode: input.patron.barcode,
                name: text(input.patron.name),
                email: text(input.patron.email),
            },
            item: domain::Item {
                title: item.title,
                author: text(item.author),
                isbn: text(item.isbn),
                issn: text(item.issn),
                oclc_number: text(item.oclc_number),
                publisher: text(item.publisher),
                year: text(item.year),
                edition: text(item.edition),
                article_title: text(item.article_title),
                pages: text(item.pages),
                catalog_record_id: text(item.catalog_record_id),
            },
            service_type: input.service_type.unwrap_or(ServiceType::Loan).into(),
            lenders,
            needed_by: input.needed_by.map(|d| d.0),
            note: note(input.note),
        };
        let id = input.id.unwrap_or_else(Uuid::new_v4);
        run(ctx, id, None, None, Action::Place(place)).await
    }

    async fn accept_conditions(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::AcceptConditions,
        )
        .await
    }

    async fn reject_conditions(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::RejectConditions {
                note: self::note(note),
            },
        )
        .await
    }

    async fn receive(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::Receive,
        )
        .await
    }

    async fn check_out_to_patron(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::CheckOutToPatron,
        )
        .await
    }

    async fn return_from_patron(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::ReturnFromPatron,
        )
        .await
    }

    async fn ship_return(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::ShipReturn,
        )
        .await
    }

    async fn request_renewal(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        until: Option<Date>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::RequestRenewal {
                until: until.map(|d| d.0),
            },
        )
        .await
    }

    async fn cancel(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::Cancel {
                note: self::note(note),
            },
        )
        .await
    }

    async fn reroute(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        lenders: Vec<ID>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let lenders = self::lenders(&lenders)?;
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::Reroute { lenders },
        )
        .await
    }

    async fn will_supply(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::WillSupply {
                note: self::note(note),
            },
        )
        .await
    }

    async fn propose_conditions(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        condition: LoanCondition,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let action = Action::ProposeConditions {
            condition: condition.into(),
            note: self::note(note),
        };
        run(ctx, id, expected_version, coordinator_reason, action).await
    }

    async fn decline(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        reason: UnfilledReason,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let action = Action::Decline {
            reason: reason.into(),
            note: self::note(note),
        };
        run(ctx, id, expected_version, coordinator_reason, action).await
    }

    async fn ship(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        due_date: Date,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let action = Action::Ship {
            due_date: due_date.0,
            note: self::note(note),
        };
        run(ctx, id, expected_version, coordinator_reason, action).await
    }

    async fn deliver_copy(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::DeliverCopy {
                note: self::note(note),
            },
        )
        .await
    }

    async fn answer_renewal(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        approve: bool,
        new_due_date: Option<Date>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let action = Action::AnswerRenewal {
            approve,
            new_due_date: new_due_date.map(|d| d.0),
        };
        run(ctx, id, expected_version, coordinator_reason, action).await
    }

    async fn recall(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        due_date: Option<Date>,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let action = Action::Recall {
            due_date: due_date.map(|d| d.0),
            note: self::note(note),
        };
        run(ctx, id, expected_version, coordinator_reason, action).await
    }

    async fn answer_cancel(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        approve: bool,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        let action = Action::AnswerCancel {
            approve,
            note: self::note(note),
        };
        run(ctx, id, expected_version, coordinator_reason, action).await
    }

    async fn check_in(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::CheckIn,
        )
        .await
    }

    async fn declare_lost(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        note: Option<String>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::DeclareLost {
                note: self::note(note),
            },
        )
        .await
    }

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
