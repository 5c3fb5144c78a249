//! The lender's mutations: supplying or declining, conditions, shipping or
//! delivering a copy, renewals, recalls, cancel requests, checking in and
//! declaring lost.

use async_graphql::{Context, Object};
use domain::Action;
use uuid::Uuid;

use super::inputs;
use super::run;
use crate::graphql::enums::{LoanCondition, UnfilledReason};
use crate::graphql::request::RequestObject;
use crate::graphql::scalars::Date;

#[derive(Default)]
pub struct LendingMutation;

#[Object]
impl LendingMutation {
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
                note: inputs::note(note),
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
            note: inputs::note(note),
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
            note: inputs::note(note),
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
            note: inputs::note(note),
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
                note: inputs::note(note),
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
            note: inputs::note(note),
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
            note: inputs::note(note),
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
                note: inputs::note(note),
            },
        )
        .await
    }
}
