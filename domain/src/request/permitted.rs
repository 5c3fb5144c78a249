//! Which commands a person may give on a request now, for a client to offer
//! only those: each command is decided with well-formed sample arguments,
//! so the answer comes from `decide` itself, not from a second copy of its
//! rules.

use chrono::Duration;
use uuid::Uuid;

use super::aggregate::{IllRequest, RequestServices};
use super::commands::{Action, Note, RequestCommand};
use super::types::{LoanCondition, UnfilledReason};
use crate::actor::{Actor, Origin};
use crate::error::DomainError;

impl IllRequest {
    /// The contract's names of the commands `actor` may give now. A command
    /// refused only because a sample value does not suit the request (a
    /// renewal that needs a new due date, say) counts as permitted: the
    /// person supplies the real value.
    pub fn permitted(&self, actor: &Actor, services: &RequestServices) -> Vec<&'static str> {
        let Some(state) = &self.state else {
            return Vec::new();
        };
        let mut actor = actor.clone();
        if actor.role.is_network_wide() {
            actor.reason = Some("checking what is permitted".into());
        }
        let today = services.today();
        let other_lenders = state
            .placed_rota
            .iter()
            .filter(|e| e.lender != state.borrower)
            .cloned()
            .collect();
        let samples = [
            Action::AcceptConditions,
            Action::RejectConditions { note: None },
            Action::Receive,
            Action::CheckOutToPatron,
            Action::ReturnFromPatron,
            Action::ShipReturn,
            Action::RequestRenewal { until: None },
            Action::Cancel { note: None },
            Action::Reroute {
                lenders: other_lenders,
            },
            Action::UpdateNeededBy { needed_by: None },
            Action::WillSupply { note: None },
            Action::ProposeConditions {
                condition: LoanCondition::LibraryUseOnly,
                note: None,
            },
            Action::Decline {
                reason: UnfilledReason::Other,
                note: None,
            },
            Action::Ship {
                due_date: today + Duration::days(28),
                note: None,
            },
            Action::DeliverCopy { note: None },
            Action::AnswerRenewal {
                approve: false,
                new_due_date: None,
            },
            Action::Recall {
                due_date: None,
                note: None,
            },
            Action::AnswerCancel {
                approve: false,
                note: None,
            },
            Action::CheckIn,
            Action::DeclareLost { note: None },
            Action::AddNote {
                note: Note {
                    id: Uuid::nil(),
                    text: "permitted?".into(),
                },
            },
        ];
        samples
            .into_iter()
            .filter_map(|action| {
                let name = action.name();
                let command = RequestCommand {
                    origin: Origin::Person(actor.clone()),
                    expected_version: None,
                    action,
                };
                match self.decide(command, services) {
                    Ok(_) | Err(DomainError::BadInput { .. }) => Some(name),
                    Err(_) => None,
                }
            })
            .collect()
    }
}
