//! The command handler: which events a command yields, or why it is refused.
//!
//! Checks run in the contract's order, the first failure wins: BadInput
//! (malformed arguments), NotFound, Forbidden, Conflict, InvalidTransition,
//! BadInput (a value wrong for the request's state).

mod authorize;
mod validate;

use super::aggregate::{IllRequest, RequestServices};
use super::commands::{Action, Note, PlaceRequest, RequestCommand};
use super::events::RequestEvent;
use super::rota::{self, lenders};
use super::routing::route;
use super::state::RequestState;
use super::status::RequestStatus;
use super::types::{CopyrightCompliance::Ccg, ServiceType, Side};
use crate::actor::Origin;
use crate::error::DomainError;
use crate::library_id::LibraryId;
use authorize::{authorize, Capacity};
use validate::validate_arguments;

use RequestStatus as S;

impl IllRequest {
    pub fn decide(
        &self,
        command: RequestCommand,
        services: &RequestServices,
    ) -> Result<Vec<RequestEvent>, DomainError> {
        let RequestCommand {
            origin,
            expected_version,
            action,
        } = command;
        validate_arguments(&origin, &action, services)?;
        if let Action::Place(place) = action {
            return self.place(&origin, place, services);
        }
        let state = self.state.as_ref().ok_or(DomainError::NotFound)?;
        let capacity = match &origin {
            Origin::Person(actor) => Some(authorize(actor, &action, state)?),
            Origin::System
                if matches!(
                    action,
                    Action::TimeOut | Action::SkipSuspendedLender | Action::Expire
                ) =>
            {
                None
            }
            Origin::System => {
                return Err(DomainError::forbidden(
                    "the system only moves unanswered requests on",
                ))
            }
        };
        if let (Some(_), Some(expected)) = (capacity, expected_version) {
            if expected != self.version {
                return Err(DomainError::Conflict(format!(
                    "the request is at version {}, not {expected}: someone else changed it",
                    self.version
                )));
            }
        }
        Decision {
            state,
            services,
            capacity,
            command: action.name(),
        }
        .decide(action)
    }

    fn place(
        &self,
        origin: &Origin,
        mut place: PlaceRequest,
        services: &RequestServices,
    ) -> Result<Vec<RequestEvent>, DomainError> {
        let Origin::Person(actor) = origin else {
            return Err(DomainError::forbidden("requests are placed by people"));
        };
        place.item.copyright_compliance = match place.service_type {
            // Absent: the cautious reading, counted towards the rule of five.
            ServiceType::Copy => Some(place.item.copyright_compliance.unwrap_or(Ccg)),
            ServiceType::Loan => None,
        };
        if let Some(existing) = &self.state {
            let same = existing.borrower == actor.library
                && existing.service_type == place.service_type
                && existing.item == place.item
                && existing.placed_rota == place.lenders
                && existing.needed_by == place.needed_by;
            return if same {
                Ok(vec![])
            } else {
                Err(DomainError::Conflict(
                    "a different request was placed with this id".into(),
                ))
            };
        }
        let mut events = vec![RequestEvent::RequestPlaced {
            borrower: actor.library.clone(),
            service_type: place.service_type,
            item: place.item,
            rota: place.lenders.clone(),
            needed_by: place.needed_by,
            patron_ref: place.patron_ref,
            note_id: place.note.map(|n| n.id),
        }];
        events.extend(route(&lenders(&place.lenders), 0, services));
        Ok(events)
    }
}

/// The status rules and the events, once the actor may act.
struct Decision<'a> {
    state: &'a RequestState,
    services: &'a RequestServices,
    /// `None` when the system acts.
    capacity: Option<Capacity>,
    command: &'static str,
}

impl Decision<'_> {
    fn decide(&self, action: Action) -> Result<Vec<RequestEvent>, DomainError> {
        use RequestEvent as E;
        let state = self.state;
        let status = state.status;
        match action {
            Action::Place(_) => unreachable!("placeRequest is decided before"),
            Action::AcceptConditions => {
                self.expect(&[S::Conditional])?;
                Ok(vec![E::ConditionsAccepted {}])
            }
            Action::RejectConditions { note } => {
                self.expect(&[S::Conditional])?;
                let lender = self.lender()?;
                Ok(self.then_route(vec![E::ConditionsRejected { lender }], note))
            }
            Action::Receive => self.simple(&[S::Shipped], E::ItemReceived {}),
            Action::CheckOutToPatron => self.simple(&[S::Received], E::CheckedOutToPatron {}),
            Action::ReturnFromPatron => {
                self.simple(&[S::Received, S::CheckedOut], E::ReturnedByPatron {})
            }
            Action::ShipReturn => self.simple(&[S::ReturnedByPatron], E::ReturnShipped {}),
            Action::RequestRenewal { until } => {
                self.expect(&[S::Received, S::CheckedOut])?;
                if state.recalled || state.renewal_pending() {
                    return Err(self.invalid());
                }
                if let Some(until) = until {
                    self.after_due_date("until", until)?;
                }
                Ok(vec![E::RenewalRequested { until }])
            }
            Action::Cancel { note } => match status {
                S::Requested | S::Conditional => Ok(with_note(vec![E::RequestCancelled {}], note)),
                S::WillSupply if !state.cancel_pending => Ok(vec![E::CancelRequested {
                    note_id: note.map(|n| n.id),
                }]),
                _ => Err(self.invalid()),
            },
            Action::Reroute { lenders } => {
                self.expect(&[S::Unfilled])?;
                if lenders.iter().any(|e| e.lender == state.borrower) {
                    return Err(DomainError::bad_input(
                        "lenders",
                        "the borrowing library cannot be in its own rota",
                    ));
                }
                let ids = rota::lenders(&lenders);
                let mut events = vec![E::Rerouted { rota: lenders }];
                events.extend(route(&ids, 0, self.services));
                Ok(events)
            }
            Action::UpdateNeededBy { needed_by } => {
                if status.is_ended() {
                    return Err(self.invalid());
                }
                if needed_by == state.needed_by {
                    return Ok(vec![]);
                }
                Ok(vec![E::NeededByChanged { needed_by }])
            }
            Action::WillSupply { note } => {
                self.expect(&[S::Requested])?;
                let lender = self.lender()?;
                Ok(with_note(vec![E::LenderWillSupply { lender }], note))
            }
            Action::ProposeConditions { condition, note } => {
                self.expect(&[S::Requested])?;
                Ok(vec![E::ConditionsProposed {
                    lender: self.lender()?,
                    condition,
                    note_id: note.map(|n| n.id),
                    respond_by: self.services.now() + self.services.response_window,
                }])
            }
            Action::Decline { reason, note } => {
                self.expect(&[S::Requested, S::WillSupply])?;
                let declined = E::LenderDeclined {
                    lender: self.lender()?,
                    reason,
                    note_id: note.map(|n| n.id),
                };
                if state.cancel_pending {
                    // The borrower asked to cancel and the lender will not
                    // supply: the cancellation stands, nobody else is asked.
                    return Ok(vec![declined, E::RequestCancelled {}]);
                }
                Ok(self.then_route(vec![declined], None))
            }
            Action::Ship { due_date, note } => {
                self.expect_supply(ServiceType::Loan)?;
                let lender = self.lender()?;
                Ok(with_note(vec![E::ItemShipped { lender, due_date }], note))
            }
            Action::DeliverCopy { note } => {
                self.expect_supply(ServiceType::Copy)?;
                let lender = self.lender()?;
                Ok(with_note(vec![E::CopyDelivered { lender }], note))
            }
            Action::AnswerRenewal {
                approve,
                new_due_date,
            } => {
                let Some(until) = state.renewal else {
                    return Err(self.invalid());
                };
                if !approve {
                    return Ok(vec![E::RenewalDenied {}]);
                }
                let due_date = new_due_date.or(until).ok_or_else(|| {
                    DomainError::bad_input(
                        "newDueDate",
                        "give the new due date: the renewal request named none",
                    )
                })?;
                self.after_due_date("newDueDate", due_date)?;
                Ok(vec![E::RenewalGranted { due_date }])
            }
            Action::Recall { due_date, note } => {
                if !status.is_on_loan() || state.recalled {
                    return Err(self.invalid());
                }
                if let (Some(new), Some(current)) = (due_date, state.due_date) {
                    if new > current {
                        return Err(DomainError::bad_input(
                            "dueDate",
                            format!("a recall cannot move the due date later than {current}"),
                        ));
                    }
                }
                let mut events = vec![E::ItemRecalled { due_date }];
                if state.renewal_pending() {
                    events.push(E::RenewalDenied {});
                }
                Ok(with_note(events, note))
            }
            Action::AnswerCancel { approve, note } => {
                if !state.cancel_pending {
                    return Err(self.invalid());
                }
                let answer = if approve {
                    E::RequestCancelled {}
                } else {
                    E::CancelRefused {}
                };
                Ok(with_note(vec![answer], note))
            }
            Action::CheckIn => {
                self.expect(&[
                    S::Shipped,
                    S::Received,
                    S::CheckedOut,
                    S::ReturnedByPatron,
                    S::ReturnShipped,
                    S::Lost,
                ])?;
                Ok(vec![E::ItemCheckedIn {
                    lender: self.lender()?,
                }])
            }
            Action::DeclareLost { note } => {
                let by = self.lost_by().ok_or_else(|| self.invalid())?;
                Ok(with_note(vec![E::ItemDeclaredLost { by }], note))
            }
            Action::AddNote { note } => {
                if state.notes.contains(&note.id) {
                    return Ok(vec![]);
                }
                Ok(vec![E::NoteAdded { note_id: note.id }])
            }
            Action::TimeOut => {
                let due = self
                    .services
                    .respond_by(state)
                    .is_some_and(|by| self.services.now() >= by);
                let lender = self.lender()?;
                match status {
                    S::Requested if due => {
                        Ok(self.then_route(vec![E::LenderTimedOut { lender }], None))
                    }
                    S::Conditional if due => {
                        Ok(self.then_route(vec![E::ConditionsRejected { lender }], None))
                    }
                    _ => Err(self.invalid()),
                }
            }
            Action::SkipSuspendedLender => {
                self.expect(&[S::Requested])?;
                let lender = self.lender()?;
                let suspended = self
                    .services
                    .directory
                    .lookup(&lender)
                    .is_some_and(|l| l.suspended);
                if !suspended {
                    return Err(self.invalid());
                }
                let position = state.current.map_or(0, |i| i as u32 + 1);
                let skipped = E::LenderSkipped {
                    lender,
                    position,
                    why: super::types::SkipReason::Suspended,
                };
                Ok(self.then_route(vec![skipped], None))
            }
            Action::Expire => {
                let expired = state
                    .needed_by
                    .is_some_and(|needed_by| self.services.today() > needed_by);
                match status {
                    S::Requested | S::Conditional if expired => Ok(vec![E::RequestExpired {}]),
                    S::WillSupply if expired && !state.cancel_pending && !state.cancel_asked => {
                        Ok(vec![E::CancelRequested { note_id: None }])
                    }
                    _ => Err(self.invalid()),
                }
            }
        }
    }

    fn invalid(&self) -> DomainError {
        DomainError::InvalidTransition {
            from: self.state.status,
            command: self.command,
        }
    }

    fn expect(&self, allowed: &[RequestStatus]) -> Result<(), DomainError> {
        if allowed.contains(&self.state.status) {
            Ok(())
        } else {
            Err(self.invalid())
        }
    }

    fn simple(
        &self,
        allowed: &[RequestStatus],
        event: RequestEvent,
    ) -> Result<Vec<RequestEvent>, DomainError> {
        self.expect(allowed)?;
        Ok(vec![event])
    }

    /// ship / deliverCopy: the right service type, before supply, no cancel pending.
    fn expect_supply(&self, service_type: ServiceType) -> Result<(), DomainError> {
        self.expect(&[S::Requested, S::WillSupply])?;
        if self.state.service_type != service_type || self.state.cancel_pending {
            return Err(self.invalid());
        }
        Ok(())
    }

    fn lender(&self) -> Result<LibraryId, DomainError> {
        self.state.lender().cloned().ok_or_else(|| self.invalid())
    }

    fn after_due_date(&self, field: &str, date: chrono::NaiveDate) -> Result<(), DomainError> {
        match self.state.due_date {
            Some(current) if date <= current => Err(DomainError::bad_input(
                field,
                format!("{date} is not after the current due date {current}"),
            )),
            _ => Ok(()),
        }
    }

    /// Which side may declare the item lost now: the borrower while it is
    /// out; the lender once it is on its way back, or overdue.
    fn lost_by(&self) -> Option<Side> {
        let status = self.state.status;
        let borrower_may = status.is_on_loan();
        let lender_may = status == S::ReturnShipped
            || (status.is_on_loan() && self.state.is_overdue(self.services.today()));
        match self.capacity? {
            Capacity::Borrower => borrower_may.then_some(Side::Borrower),
            Capacity::Lender => lender_may.then_some(Side::Lender),
            Capacity::Network if borrower_may => Some(Side::Borrower),
            Capacity::Network => lender_may.then_some(Side::Lender),
            Capacity::Rota => None,
        }
    }

    /// The current lender is out: note the command's note, then ask the next.
    fn then_route(&self, events: Vec<RequestEvent>, note: Option<Note>) -> Vec<RequestEvent> {
        let mut events = with_note(events, note);
        let next = self.state.current.map_or(0, |i| i + 1);
        let rota: Vec<LibraryId> = self.state.rota.iter().map(|s| s.library.clone()).collect();
        events.extend(route(&rota, next, self.services));
        events
    }
}

/// A command's note, when its main event has no `note_id` of its own.
fn with_note(mut events: Vec<RequestEvent>, note: Option<Note>) -> Vec<RequestEvent> {
    if let Some(note) = note {
        events.push(RequestEvent::NoteAdded { note_id: note.id });
    }
    events
}
