//! The state-machine tables' own fixtures: every status with the flags that
//! change what it allows, each reached by a history of the fixture network.

use chrono::Duration;
use domain::testing::{due, history, requested_copy, will_supply, with, L1};
use domain::{IllRequest, RequestEvent, RequestStatus, ServiceType};

/// The status and flags a history leaves the request in, with the label
/// tests print when they fail.
#[derive(Debug, Clone)]
pub struct Situation {
    pub label: &'static str,
    pub history: Vec<RequestEvent>,
    pub status: RequestStatus,
    pub service_type: ServiceType,
    pub cancel_pending: bool,
    pub renewal_pending: bool,
    pub recalled: bool,
}

impl Situation {
    fn plain(label: &'static str, status: RequestStatus) -> Self {
        Situation {
            label,
            history: history(status),
            status,
            service_type: if status == RequestStatus::Delivered {
                ServiceType::Copy
            } else {
                ServiceType::Loan
            },
            cancel_pending: false,
            renewal_pending: false,
            recalled: false,
        }
    }
}

/// Every status, and the flags that change what a status allows: COPY
/// before supply, a pending cancel, a pending renewal, a recall.
pub fn situations() -> Vec<Situation> {
    use RequestEvent as E;
    use RequestStatus as S;
    let mut all: Vec<Situation> = S::ALL
        .into_iter()
        .map(|status| Situation::plain(status.as_str(), status))
        .collect();
    let renewal = E::RenewalRequested {
        until: Some(due() + Duration::days(7)),
    };
    let recall = E::ItemRecalled { due_date: None };
    let variants = [
        (
            "REQUESTED (COPY)",
            requested_copy(),
            S::Requested,
            ServiceType::Copy,
            false,
            false,
            false,
        ),
        (
            "WILL_SUPPLY (COPY)",
            with(requested_copy(), [will_supply(L1)]),
            S::WillSupply,
            ServiceType::Copy,
            false,
            false,
            false,
        ),
        (
            "WILL_SUPPLY, cancel pending",
            with(
                history(S::WillSupply),
                [E::CancelRequested { note_id: None }],
            ),
            S::WillSupply,
            ServiceType::Loan,
            true,
            false,
            false,
        ),
        (
            "WILL_SUPPLY (COPY), cancel pending",
            with(
                requested_copy(),
                [will_supply(L1), E::CancelRequested { note_id: None }],
            ),
            S::WillSupply,
            ServiceType::Copy,
            true,
            false,
            false,
        ),
        (
            "RECEIVED, renewal pending",
            with(history(S::Received), [renewal.clone()]),
            S::Received,
            ServiceType::Loan,
            false,
            true,
            false,
        ),
        (
            "CHECKED_OUT, renewal pending",
            with(history(S::CheckedOut), [renewal.clone()]),
            S::CheckedOut,
            ServiceType::Loan,
            false,
            true,
            false,
        ),
        (
            "RETURNED_BY_PATRON, renewal pending",
            with(
                history(S::CheckedOut),
                [renewal.clone(), E::ReturnedByPatron {}],
            ),
            S::ReturnedByPatron,
            ServiceType::Loan,
            false,
            true,
            false,
        ),
        (
            "SHIPPED, recalled",
            with(history(S::Shipped), [recall.clone()]),
            S::Shipped,
            ServiceType::Loan,
            false,
            false,
            true,
        ),
        (
            "RECEIVED, recalled",
            with(history(S::Received), [recall.clone()]),
            S::Received,
            ServiceType::Loan,
            false,
            false,
            true,
        ),
        (
            "CHECKED_OUT, recalled",
            with(history(S::CheckedOut), [recall.clone()]),
            S::CheckedOut,
            ServiceType::Loan,
            false,
            false,
            true,
        ),
        (
            "RETURNED_BY_PATRON, recalled",
            with(history(S::ReturnedByPatron), [recall.clone()]),
            S::ReturnedByPatron,
            ServiceType::Loan,
            false,
            false,
            true,
        ),
        (
            "RETURN_SHIPPED, after a recall",
            with(history(S::ReturnedByPatron), [recall, E::ReturnShipped {}]),
            S::ReturnShipped,
            ServiceType::Loan,
            false,
            false,
            false,
        ),
    ];
    for (label, history, status, service_type, cancel_pending, renewal_pending, recalled) in
        variants
    {
        all.push(Situation {
            label,
            history,
            status,
            service_type,
            cancel_pending,
            renewal_pending,
            recalled,
        });
    }
    all
}

/// Replays `history` and returns the request's status.
pub fn status_after(history: &[RequestEvent]) -> RequestStatus {
    IllRequest::replay(history.to_vec())
        .state
        .expect("the history places the request")
        .status
}
