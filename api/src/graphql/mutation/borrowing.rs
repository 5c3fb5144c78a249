//! The borrower's mutations: placing a request, answering conditions,
//! receiving, lending to the patron and returning, renewal, cancelling,
//! rerouting and moving the needed-by date.

use async_graphql::{Context, Object, ID};
use domain::{Action, LibraryId, PatronInput, PlaceRequest, RotaEntry};
use uuid::Uuid;

use super::inputs::{self, text, PlaceRequestInput};
use super::{actor, expected, run};
use crate::error::ApiError;
use crate::graphql::enums::ServiceType;
use crate::graphql::request::RequestObject;
use crate::graphql::scalars::Date;
use crate::graphql::{app, request_context, rota};

#[derive(Default)]
pub struct BorrowingMutation;

/// A rota as a person names it: no selections.
fn manual(lenders: Vec<LibraryId>) -> Vec<RotaEntry> {
    lenders.into_iter().map(RotaEntry::from).collect()
}

#[Object]
impl BorrowingMutation {
    async fn place_request(
        &self,
        ctx: &Context<'_>,
        input: PlaceRequestInput,
    ) -> async_graphql::Result<RequestObject> {
        // The all-zero id is what a client's unset field turns into: two
        // such clients would take one another's request for a retry.
        if input.id.is_some_and(|id| id.is_nil()) {
            return Err(ApiError::bad_input("id: the all-zero UUID is not a request id").into());
        }
        let service_type = input.service_type.unwrap_or(ServiceType::Loan).into();
        let mut item = input.item;
        let mut catalog_record_id = text(item.catalog_record_id.take());
        let lenders = if input.lenders.is_empty() {
            let borrower = &request_context(ctx)?.viewer.account.library;
            let (current, entries) = rota::for_placement(
                app(ctx),
                input.id,
                catalog_record_id.as_deref(),
                borrower,
                service_type,
            )
            .await?;
            catalog_record_id = Some(current);
            entries
        } else {
            manual(inputs::lenders(ctx, &input.lenders)?)
        };
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
                catalog_record_id,
                copyright_compliance: item.copyright_compliance.map(Into::into),
                publication_year: item.publication_year,
            },
            service_type,
            lenders,
            needed_by: input.needed_by.map(|d| d.0),
            note: inputs::note(input.note),
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
                note: inputs::note(note),
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
                note: inputs::note(note),
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
        // Empty: a fresh automatic rota.
        let lenders = if lenders.is_empty() {
            let actor = actor(ctx, coordinator_reason.clone())?;
            let expected = expected(expected_version)?;
            rota::for_reroute(app(ctx), id, &actor, expected).await?
        } else {
            manual(inputs::lenders(ctx, &lenders)?)
        };
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::Reroute { lenders },
        )
        .await
    }

    /// Moves the needed-by date, or with null clears it.
    async fn update_needed_by(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        needed_by: Option<Date>,
        expected_version: Option<i32>,
        coordinator_reason: Option<String>,
    ) -> async_graphql::Result<RequestObject> {
        run(
            ctx,
            id,
            expected_version,
            coordinator_reason,
            Action::UpdateNeededBy {
                needed_by: needed_by.map(|d| d.0),
            },
        )
        .await
    }
}
