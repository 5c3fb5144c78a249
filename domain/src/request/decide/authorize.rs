//! Who may act on an existing request, and in what capacity.

use crate::actor::Actor;
use crate::error::DomainError;
use crate::request::commands::Action;
use crate::request::state::RequestState;

/// In what capacity a person acts on an existing request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Capacity {
    Borrower,
    /// The current lender.
    Lender,
    /// Another library of the rota: it may read, and add notes once asked.
    Rota,
    /// A coordinator or admin, who may act for either side.
    Network,
}

/// NotFound for a library that may not see the request, Forbidden for one
/// that sees it but may not act on this side.
pub(super) fn authorize(
    actor: &Actor,
    action: &Action,
    state: &RequestState,
) -> Result<Capacity, DomainError> {
    let capacity = if actor.role.is_network_wide() {
        Capacity::Network
    } else if actor.library == state.borrower {
        Capacity::Borrower
    } else if state.lender() == Some(&actor.library) {
        Capacity::Lender
    } else if state.is_visible_to(&actor.library) {
        Capacity::Rota
    } else {
        return Err(DomainError::NotFound);
    };
    if capacity == Capacity::Network {
        actor.require_coordinator_reason()?;
        return match action {
            Action::TimeOut | Action::SkipSuspendedLender | Action::Expire => {
                Err(DomainError::forbidden("only the system times requests out"))
            }
            _ => Ok(capacity),
        };
    }
    let allowed = match action {
        Action::AcceptConditions
        | Action::RejectConditions { .. }
        | Action::Receive
        | Action::CheckOutToPatron
        | Action::ReturnFromPatron
        | Action::ShipReturn
        | Action::RequestRenewal { .. }
        | Action::Cancel { .. }
        | Action::Reroute { .. }
        | Action::UpdateNeededBy { .. } => capacity == Capacity::Borrower,
        Action::WillSupply { .. }
        | Action::ProposeConditions { .. }
        | Action::Decline { .. }
        | Action::Ship { .. }
        | Action::DeliverCopy { .. }
        | Action::AnswerRenewal { .. }
        | Action::Recall { .. }
        | Action::AnswerCancel { .. }
        | Action::CheckIn => capacity == Capacity::Lender,
        Action::DeclareLost { .. } => capacity != Capacity::Rota,
        Action::AddNote { .. } => {
            capacity != Capacity::Rota || state.asked.contains(&actor.library)
        }
        Action::Place(_) | Action::TimeOut | Action::SkipSuspendedLender | Action::Expire => false,
    };
    if allowed {
        Ok(capacity)
    } else {
        Err(DomainError::forbidden(format!(
            "{} may not {} this request",
            actor.library,
            action.name()
        )))
    }
}
