//! The contract's `IllRequest`, `RotaEntry` and `RequestEvent`, resolved from
//! a `RequestView` (and its history, when a mutation already has it).

use async_graphql::{ComplexObject, Context, Json, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use cqrs_es::EventEnvelope;
use domain::{Actor, HistoryEntry, IllRequest, RequestView, Role as DomainRole};
use projections::queries;
use serde_json::Value;
use store::vault;
use uuid::Uuid;

use super::enums::{LoanCondition, RequestStatus, Role, RotaOutcome, ServiceType, UnfilledReason};
use super::objects::{ItemObject, LibraryObject, Patron};
use super::scalars::Date;
use super::{app, library_object, viewer};
use crate::error::ApiError;

pub struct RequestObject {
    pub view: RequestView,
    /// Present when the caller already loaded it (a mutation's answer).
    pub history: Option<Vec<EventEnvelope<IllRequest>>>,
}

impl RequestObject {
    pub fn new(view: RequestView) -> Self {
        RequestObject {
            view,
            history: None,
        }
    }
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RotaEntry {
    pub position: i32,
    #[graphql(skip)]
    pub library_id: domain::LibraryId,
    pub outcome: RotaOutcome,
    pub reason: Option<UnfilledReason>,
    /// For an automatic rota: the candidate's reason when the rota was built.
    pub selection: Option<String>,
}

#[ComplexObject]
impl RotaEntry {
    async fn library(&self, ctx: &Context<'_>) -> LibraryObject {
        library(ctx, &self.library_id)
    }
}

#[derive(SimpleObject)]
#[graphql(name = "RequestEvent")]
pub struct HistoryEventObject {
    pub sequence: i32,
    #[graphql(name = "type")]
    pub event_type: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub library: Option<ID>,
    pub role: Option<Role>,
    pub coordinator_reason: Option<String>,
    pub data: Json<Value>,
}

fn library(ctx: &Context<'_>, id: &domain::LibraryId) -> LibraryObject {
    library_object(app(ctx), id)
}

#[Object(name = "IllRequest")]
impl RequestObject {
    async fn id(&self) -> Uuid {
        self.view.id
    }

    async fn version(&self) -> i32 {
        self.view.version as i32
    }

    async fn status(&self) -> RequestStatus {
        self.view.state.status.into()
    }

    async fn service_type(&self) -> ServiceType {
        self.view.state.service_type.into()
    }

    async fn borrower(&self, ctx: &Context<'_>) -> LibraryObject {
        library(ctx, &self.view.state.borrower)
    }

    async fn lender(&self, ctx: &Context<'_>) -> Option<LibraryObject> {
        self.view.state.lender().map(|id| library(ctx, id))
    }

    async fn rota(&self) -> Vec<RotaEntry> {
        self.view
            .state
            .rota
            .iter()
            .enumerate()
            .map(|(i, slot)| RotaEntry {
                position: i as i32 + 1,
                library_id: slot.library.clone(),
                outcome: slot.outcome.into(),
                reason: slot.reason.map(Into::into),
                selection: slot.selection.clone(),
            })
            .collect()
    }

    async fn item(&self) -> ItemObject {
        self.view.state.item.clone().into()
    }

    async fn needed_by(&self) -> Option<Date> {
        self.view.state.needed_by.map(Date)
    }

    async fn due_date(&self) -> Option<Date> {
        self.view.state.due_date.map(Date)
    }

    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.view.state.is_overdue(app(ctx).today())
    }

    async fn recalled(&self) -> bool {
        self.view.state.recalled
    }

    async fn renewal_pending(&self) -> bool {
        self.view.state.renewal_pending()
    }

    async fn cancel_pending(&self) -> bool {
        self.view.state.cancel_pending
    }

    async fn condition(&self) -> Option<LoanCondition> {
        self.view.state.condition.map(Into::into)
    }

    /// The lender's answer is due while REQUESTED, the borrower's while
    /// CONDITIONAL; null otherwise.
    async fn respond_by(&self) -> Option<DateTime<Utc>> {
        let state = &self.view.state;
        let waiting = matches!(
            state.status,
            domain::RequestStatus::Requested | domain::RequestStatus::Conditional
        );
        state.respond_by.filter(|_| waiting)
    }

    async fn placed_at(&self) -> DateTime<Utc> {
        self.view.placed_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.view.updated_at
    }

    /// The mutations the caller may give on this request now (their names),
    /// so a client offers only those. Decided by the same rules as the
    /// mutations themselves.
    async fn actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let account = &viewer(ctx)?.account;
        let actor = Actor::new(&account.name, account.library.clone(), account.role);
        let request = IllRequest {
            version: self.view.version,
            state: Some(self.view.state.clone()),
        };
        Ok(request
            .permitted(&actor, &app(ctx).commands.services)
            .into_iter()
            .map(str::to_owned)
            .collect())
    }

    /// Only the borrowing library, coordinators and admins; null once purged.
    async fn patron(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Patron>> {
        let account = &viewer(ctx)?.account;
        let allowed =
            account.role != DomainRole::Staff || account.library == self.view.state.borrower;
        if !allowed {
            return Ok(None);
        }
        let patron = vault::patron(app(ctx).database(), self.view.state.patron_ref)
            .await
            .map_err(ApiError::from)?;
        Ok(patron.map(|p| Patron {
            barcode: p.barcode,
            name: p.name,
            email: p.email,
        }))
    }

    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<HistoryEventObject>> {
        let app = app(ctx);
        let history: Vec<HistoryEntry> = match &self.history {
            Some(envelopes) => envelopes
                .iter()
                .map(HistoryEntry::from_envelope)
                .collect::<Result<_, _>>()
                .map_err(ApiError::from)?,
            None => queries::history(app.database(), self.view.id)
                .await
                .map_err(ApiError::from)?,
        };
        let notes = if history.iter().any(|e| e.note_id.is_some()) {
            vault::notes(app.database(), self.view.id)
                .await
                .map_err(ApiError::from)?
        } else {
            Default::default()
        };
        Ok(history
            .iter()
            .map(|entry| {
                let mut data = entry.data.clone();
                if let (Some(id), Value::Object(fields)) = (entry.note_id, &mut data) {
                    if let Some(text) = notes.get(&id) {
                        fields.insert("note".into(), Value::String(text.clone()));
                    }
                }
                let metadata = &entry.metadata;
                HistoryEventObject {
                    sequence: entry.sequence as i32,
                    event_type: entry.event_type.clone(),
                    at: metadata.occurred_at,
                    actor: metadata.actor.clone(),
                    library: metadata.library.as_ref().map(|l| ID(l.to_string())),
                    role: metadata.role.map(Into::into),
                    coordinator_reason: metadata.coordinator_reason.clone(),
                    data: Json(data),
                }
            })
            .collect())
    }
}
