//! The automatic rota over GraphQL: `suggestRota`, and the rota that
//! `placeRequest` and `reroute` build when given `lenders: []`
//! (schema.graphql, "The union catalogue"; DESIGN.md).

use std::collections::BTreeSet;

use async_graphql::{Context, Object, SimpleObject, ID};
use catalogue::rota::{self, Candidate, RotaFor};
use domain::{
    Action, Actor, DomainError, IllRequest, LibraryId, Origin, RequestCommand, RequestState,
    RotaEntry, ServiceType as DomainServiceType,
};
use uuid::Uuid;

use super::enums::ServiceType;
use super::objects::LibraryObject;
use super::{app, library_object, viewer};
use crate::error::ApiError;
use crate::state::AppState;

/// What placeRequest and reroute answer when no library can lend.
const NO_LENDER: &str = "lenders: no library can lend this item now";

#[derive(Default)]
pub struct RotaQuery;

#[derive(SimpleObject)]
#[graphql(name = "RotaCandidate")]
pub struct RotaCandidateObject {
    pub library: LibraryObject,
    /// DESIGN.md's score; lower is asked first.
    pub score: f64,
    /// "lent {lent}, borrowed {borrowed} in 90 days; {waiting} waiting".
    pub reason: String,
}

#[Object]
impl RotaQuery {
    /// The rota placeRequest would build now for the caller's library.
    async fn suggest_rota(
        &self,
        ctx: &Context<'_>,
        record: ID,
        #[graphql(default_with = "Some(ServiceType::Loan)")] service_type: Option<ServiceType>,
    ) -> async_graphql::Result<Vec<RotaCandidateObject>> {
        let borrower = viewer(ctx)?.account.library.clone();
        let app = app(ctx);
        let Some(current) = catalogue::records::resolve(app.database(), &record).await? else {
            return Err(ApiError::bad_input(format!(
                "record: {:?} is no catalogue record",
                record.as_str()
            ))
            .into());
        };
        let service = service_type.unwrap_or(ServiceType::Loan).into();
        let candidates = suggest(app, &current, &borrower, service, &BTreeSet::new()).await?;
        Ok(candidates
            .into_iter()
            .map(|c| RotaCandidateObject {
                library: library_object(app, &c.library),
                score: c.score,
                reason: c.reason,
            })
            .collect())
    }
}

/// The candidates for `record` (a current id) now, cut to `--max-rota`.
async fn suggest(
    app: &AppState,
    record: &str,
    borrower: &LibraryId,
    service: DomainServiceType,
    excluded: &BTreeSet<LibraryId>,
) -> Result<Vec<Candidate>, ApiError> {
    let services = &app.commands.services;
    let rota_for = RotaFor {
        record,
        borrower,
        service,
        today: services.today(),
        excluded,
        max: app.max_rota,
    };
    Ok(rota::suggest(app.database(), services.directory.as_ref(), &rota_for).await?)
}

/// A placement's automatic rota: the record's current id (stored as the
/// item's `catalogRecordId`) and the entries, each with its selection. A
/// retry of an automatically placed request (same id) gets that request's
/// rota, so the domain recognises the same placement.
pub async fn for_placement(
    app: &AppState,
    id: Option<Uuid>,
    record: Option<&str>,
    borrower: &LibraryId,
    service: DomainServiceType,
) -> Result<(String, Vec<RotaEntry>), ApiError> {
    let record = record.ok_or_else(|| ApiError::bad_input(NO_LENDER))?;
    let current = catalogue::records::resolve(app.database(), record).await?;
    if let Some(id) = id {
        if let Some((view, _)) = app.current_request(id).await? {
            let placed = view.state.placed_rota;
            if domain::request::rota::has_selection(&placed) {
                return Ok((current.unwrap_or_else(|| record.to_owned()), placed));
            }
        }
    }
    let current = current.ok_or_else(|| ApiError::bad_input(NO_LENDER))?;
    let candidates = suggest(app, &current, borrower, service, &BTreeSet::new()).await?;
    if candidates.is_empty() {
        return Err(ApiError::bad_input(NO_LENDER));
    }
    Ok((current, candidates.iter().map(Candidate::entry).collect()))
}

/// A reroute's automatic rota: a fresh one for the request's record,
/// without any library it has been routed to. With no candidate, the
/// command's other refusals (not found, forbidden, conflict, status) come
/// first, as the contract orders them; then BAD_INPUT.
pub async fn for_reroute(
    app: &AppState,
    id: Uuid,
    actor: &Actor,
    expected_version: Option<u64>,
) -> Result<Vec<RotaEntry>, ApiError> {
    let events = app
        .commands
        .store
        .history::<IllRequest>(&id.to_string())
        .await?;
    let request = IllRequest::replay(events.into_iter().map(|e| e.payload));
    let Some(state) = &request.state else {
        return Err(ApiError::NotFound("no such request".into()));
    };
    let candidates = reroute_candidates(app, state).await?;
    if !candidates.is_empty() {
        return Ok(candidates.iter().map(Candidate::entry).collect());
    }
    // Ask the domain with a rota surely well formed (a lender the request
    // already had), so that only a value wrong for its state is left for
    // the empty automatic rota.
    if let Some(slot) = state.rota.first() {
        let command = RequestCommand {
            origin: Origin::Person(actor.clone()),
            expected_version,
            action: Action::Reroute {
                lenders: vec![RotaEntry::from(slot.library.clone())],
            },
        };
        if let Err(error) = request.decide(command, &app.commands.services) {
            if !matches!(error, DomainError::BadInput { .. }) {
                return Err(error.into());
            }
        }
    }
    Err(ApiError::bad_input(NO_LENDER))
}

async fn reroute_candidates(
    app: &AppState,
    state: &RequestState,
) -> Result<Vec<Candidate>, ApiError> {
    let Some(record) = state.item.catalog_record_id.as_deref() else {
        return Ok(Vec::new());
    };
    let Some(current) = catalogue::records::resolve(app.database(), record).await? else {
        return Ok(Vec::new());
    };
    suggest(
        app,
        &current,
        &state.borrower,
        state.service_type,
        &state.asked,
    )
    .await
}
