//! A request's status: where it stands in the state machine of DESIGN.md.
//! A leaf, so that `DomainError` can name it without an import circle.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequestStatus {
    Requested,
    Conditional,
    WillSupply,
    Shipped,
    Received,
    CheckedOut,
    ReturnedByPatron,
    ReturnShipped,
    Completed,
    Delivered,
    Unfilled,
    Cancelled,
    Lost,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 13] = [
        RequestStatus::Requested,
        RequestStatus::Conditional,
        RequestStatus::WillSupply,
        RequestStatus::Shipped,
        RequestStatus::Received,
        RequestStatus::CheckedOut,
        RequestStatus::ReturnedByPatron,
        RequestStatus::ReturnShipped,
        RequestStatus::Completed,
        RequestStatus::Delivered,
        RequestStatus::Unfilled,
        RequestStatus::Cancelled,
        RequestStatus::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Requested => "REQUESTED",
            RequestStatus::Conditional => "CONDITIONAL",
            RequestStatus::WillSupply => "WILL_SUPPLY",
            RequestStatus::Shipped => "SHIPPED",
            RequestStatus::Received => "RECEIVED",
            RequestStatus::CheckedOut => "CHECKED_OUT",
            RequestStatus::ReturnedByPatron => "RETURNED_BY_PATRON",
            RequestStatus::ReturnShipped => "RETURN_SHIPPED",
            RequestStatus::Completed => "COMPLETED",
            RequestStatus::Delivered => "DELIVERED",
            RequestStatus::Unfilled => "UNFILLED",
            RequestStatus::Cancelled => "CANCELLED",
            RequestStatus::Lost => "LOST",
        }
    }

    pub fn parse(text: &str) -> Option<RequestStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// COMPLETED, DELIVERED, UNFILLED, CANCELLED and LOST end a request (the
    /// last three can still be taken up again: reroute, check-in).
    pub fn is_ended(self) -> bool {
        matches!(
            self,
            RequestStatus::Completed
                | RequestStatus::Delivered
                | RequestStatus::Unfilled
                | RequestStatus::Cancelled
                | RequestStatus::Lost
        )
    }

    /// REQUESTED, CONDITIONAL and WILL_SUPPLY: the request waits at its
    /// current lender (the automatic rota's `waiting`).
    pub fn waits_at_lender(self) -> bool {
        matches!(
            self,
            RequestStatus::Requested | RequestStatus::Conditional | RequestStatus::WillSupply
        )
    }

    /// SHIPPED … RETURNED_BY_PATRON: the item is out of the lender's hands
    /// and not yet on its way back. A due date here can be overdue.
    pub fn is_on_loan(self) -> bool {
        matches!(
            self,
            RequestStatus::Shipped
                | RequestStatus::Received
                | RequestStatus::CheckedOut
                | RequestStatus::ReturnedByPatron
        )
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
