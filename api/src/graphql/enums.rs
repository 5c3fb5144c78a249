//! The contract's enums, mirrored from the domain's.

use async_graphql::Enum;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Role", remote = "domain::Role")]
pub enum Role {
    Staff,
    Coordinator,
    Admin,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ServiceType", remote = "domain::ServiceType")]
pub enum ServiceType {
    Loan,
    Copy,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "QueueSide", remote = "projections::queries::QueueSide")]
pub enum QueueSide {
    Borrowing,
    Lending,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "QueueOrder", remote = "projections::queries::QueueOrder")]
pub enum QueueOrder {
    Updated,
    RespondBy,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "RequestStatus", remote = "domain::RequestStatus")]
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

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "UnfilledReason", remote = "domain::UnfilledReason")]
pub enum UnfilledReason {
    NotHeld,
    NotOnShelf,
    NonCirculating,
    PoorCondition,
    PolicyProblem,
    NotAvailableForIll,
    Other,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "LoanCondition", remote = "domain::LoanCondition")]
pub enum LoanCondition {
    LibraryUseOnly,
    WatchLibraryUseOnly,
    NoReproduction,
    SignatureRequired,
    SpecCollSupervisionRequired,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "RotaOutcome", remote = "domain::RotaOutcome")]
pub enum RotaOutcome {
    Pending,
    Waiting,
    Declined,
    TimedOut,
    Skipped,
    Rejected,
    Supplying,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "CopyrightCompliance", remote = "domain::CopyrightCompliance")]
pub enum CopyrightCompliance {
    Ccg,
    Ccl,
    Other,
}
