//! The request as its events leave it. `apply` is the one fold of the event
//! stream: the aggregate, the request view, audit and as-of all use it.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::RequestEvent;
use super::rota::{self, RotaEntry};
use super::status::RequestStatus;
use super::types::{Item, LoanCondition, RotaOutcome, ServiceType, UnfilledReason};
use crate::library_id::LibraryId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaSlot {
    pub library: LibraryId,
    pub outcome: RotaOutcome,
    pub reason: Option<UnfilledReason>,
    /// Why an automatic rota chose this lender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestState {
    pub status: RequestStatus,
    pub service_type: ServiceType,
    pub borrower: LibraryId,
    pub item: Item,
    pub needed_by: Option<NaiveDate>,
    pub patron_ref: Uuid,
    /// The rota as placed, to recognise a repeated placeRequest.
    #[serde(with = "rota::stored")]
    pub placed_rota: Vec<RotaEntry>,
    pub rota: Vec<RotaSlot>,
    /// Index into `rota` of the current lender.
    pub current: Option<usize>,
    /// When the party asked (lender, or borrower about conditions) must answer.
    pub respond_by: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    /// `Some(until)` while a renewal is pending.
    pub renewal: Option<Option<NaiveDate>>,
    pub cancel_pending: bool,
    pub recalled: bool,
    pub condition: Option<LoanCondition>,
    /// Every library that has been asked, reroutes included: they keep
    /// seeing the request and may add notes to it.
    pub asked: BTreeSet<LibraryId>,
    pub notes: BTreeSet<Uuid>,
    /// A cancel was asked since the needed-by date was last set: needed-by
    /// expiry does not ask the lender again for the same date.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancel_asked: bool,
}

impl RequestState {
    pub fn lender(&self) -> Option<&LibraryId> {
        self.current.map(|i| &self.rota[i].library)
    }

    pub fn renewal_pending(&self) -> bool {
        self.renewal.is_some()
    }

    /// A due date before `today` while the item is out.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_on_loan() && self.due_date.is_some_and(|due| due < today)
    }

    /// The borrower, every library in the rota, and every library asked.
    pub fn is_visible_to(&self, library: &LibraryId) -> bool {
        &self.borrower == library
            || self.asked.contains(library)
            || self.rota.iter().any(|slot| &slot.library == library)
    }

    fn placed(event: RequestEvent) -> Option<RequestState> {
        let RequestEvent::RequestPlaced {
            borrower,
            service_type,
            item,
            rota,
            needed_by,
            patron_ref,
            note_id,
        } = event
        else {
            return None;
        };
        Some(RequestState {
            status: RequestStatus::Requested,
            service_type,
            borrower,
            item,
            needed_by,
            patron_ref,
            rota: pending_rota(&rota),
            placed_rota: rota,
            current: None,
            respond_by: None,
            due_date: None,
            renewal: None,
            cancel_pending: false,
            recalled: false,
            condition: None,
            asked: BTreeSet::new(),
            notes: note_id.into_iter().collect(),
            cancel_asked: false,
        })
    }

    fn set_current_outcome(&mut self, outcome: RotaOutcome, reason: Option<UnfilledReason>) {
        if let Some(i) = self.current {
            self.rota[i].outcome = outcome;
            self.rota[i].reason = reason;
        }
    }

    /// The current lender is out of the running; routing picks the next.
    fn leave_current(&mut self, outcome: RotaOutcome, reason: Option<UnfilledReason>) {
        self.set_current_outcome(outcome, reason);
        self.current = None;
        self.respond_by = None;
        self.condition = None;
    }

    /// Applies one later event of the request's stream in place (the
    /// aggregate's fold; read models keep a state and fold into it).
    pub fn apply(&mut self, event: RequestEvent) {
        use RequestEvent as E;
        match event {
            E::RequestPlaced { .. } => {}
            E::LenderSkipped { position, .. } => {
                if let Some(slot) = self.rota.get_mut(position as usize - 1) {
                    slot.outcome = RotaOutcome::Skipped;
                }
            }
            E::RequestRouted {
                lender,
                position,
                respond_by,
            } => {
                self.current = Some(position as usize - 1);
                self.set_current_outcome(RotaOutcome::Waiting, None);
                self.respond_by = Some(respond_by);
                self.status = RequestStatus::Requested;
                self.asked.insert(lender);
            }
            E::RequestUnfilled {} => {
                self.current = None;
                self.respond_by = None;
                self.status = RequestStatus::Unfilled;
            }
            E::LenderWillSupply { .. } | E::ConditionsAccepted {} => {
                self.set_current_outcome(RotaOutcome::Supplying, None);
                self.respond_by = None;
                self.status = RequestStatus::WillSupply;
            }
            E::ConditionsProposed {
                condition,
                note_id,
                respond_by,
                ..
            } => {
                self.condition = Some(condition);
                self.respond_by = Some(respond_by);
                self.notes.extend(note_id);
                self.status = RequestStatus::Conditional;
            }
            E::ConditionsRejected { .. } => self.leave_current(RotaOutcome::Rejected, None),
            E::LenderDeclined {
                reason, note_id, ..
            } => {
                self.notes.extend(note_id);
                self.leave_current(RotaOutcome::Declined, Some(reason));
            }
            E::LenderTimedOut { .. } => self.leave_current(RotaOutcome::TimedOut, None),
            E::ItemShipped { due_date, .. } => {
                self.set_current_outcome(RotaOutcome::Supplying, None);
                self.respond_by = None;
                self.due_date = Some(due_date);
                self.status = RequestStatus::Shipped;
            }
            E::CopyDelivered { .. } => {
                self.set_current_outcome(RotaOutcome::Supplying, None);
                self.respond_by = None;
                self.status = RequestStatus::Delivered;
            }
            E::ItemReceived {} => self.status = RequestStatus::Received,
            E::CheckedOutToPatron {} => self.status = RequestStatus::CheckedOut,
            E::ReturnedByPatron {} => self.status = RequestStatus::ReturnedByPatron,
            E::ReturnShipped {} => {
                self.recalled = false;
                self.status = RequestStatus::ReturnShipped;
            }
            E::ItemCheckedIn { .. } => {
                self.renewal = None;
                self.recalled = false;
                self.status = RequestStatus::Completed;
            }
            E::RenewalRequested { until } => self.renewal = Some(until),
            E::RenewalGranted { due_date } => {
                self.renewal = None;
                self.due_date = Some(due_date);
            }
            E::RenewalDenied {} => self.renewal = None,
            E::ItemRecalled { due_date } => {
                self.recalled = true;
                self.due_date = due_date.or(self.due_date);
            }
            E::CancelRequested { note_id } => {
                self.notes.extend(note_id);
                self.cancel_pending = true;
                self.cancel_asked = true;
            }
            E::CancelRefused {} => self.cancel_pending = false,
            E::RequestCancelled {} | E::RequestExpired {} => {
                self.cancel_pending = false;
                self.respond_by = None;
                self.status = RequestStatus::Cancelled;
            }
            E::ItemDeclaredLost { .. } => {
                self.renewal = None;
                self.status = RequestStatus::Lost;
            }
            E::Rerouted { rota } => {
                self.rota = pending_rota(&rota);
                self.current = None;
                self.respond_by = None;
                self.condition = None;
            }
            E::NoteAdded { note_id } => {
                self.notes.insert(note_id);
            }
            E::NeededByChanged { needed_by } => {
                self.needed_by = needed_by;
                self.cancel_asked = false;
            }
        }
    }
}

fn pending_rota(entries: &[RotaEntry]) -> Vec<RotaSlot> {
    entries
        .iter()
        .map(|entry| RotaSlot {
            library: entry.lender.clone(),
            outcome: RotaOutcome::Pending,
            reason: None,
            selection: entry.selection.clone(),
        })
        .collect()
}

/// Folds one event into an optional state: `RequestPlaced` creates it.
pub(super) fn fold(state: &mut Option<RequestState>, event: RequestEvent) {
    match state {
        Some(state) => state.apply(event),
        None => *state = RequestState::placed(event),
    }
}
