//! What people (and the system) ask of a request.

use chrono::NaiveDate;
use uuid::Uuid;

use super::rota::RotaEntry;
use super::types::{Item, LoanCondition, ServiceType, UnfilledReason};
use crate::actor::Origin;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCommand {
    pub origin: Origin,
    /// The version the caller read; a different current version is a CONFLICT.
    pub expected_version: Option<u64>,
    pub action: Action,
}

/// A note: its id travels in events, its text only to the notes table (it
/// may name a patron). The text is here to be validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: Uuid,
    pub text: String,
}

/// Patron data, validated here and stored outside the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatronInput {
    pub barcode: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceRequest {
    pub patron_ref: Uuid,
    pub patron: PatronInput,
    pub item: Item,
    pub service_type: ServiceType,
    /// The rota, each lender with its selection when it was chosen
    /// automatically.
    pub lenders: Vec<RotaEntry>,
    pub needed_by: Option<NaiveDate>,
    pub note: Option<Note>,
}

// A command is built once per call and consumed; boxing the large variant
// would only add noise to every construction and match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    // borrower side
    Place(PlaceRequest),
    AcceptConditions,
    RejectConditions {
        note: Option<Note>,
    },
    Receive,
    CheckOutToPatron,
    ReturnFromPatron,
    ShipReturn,
    RequestRenewal {
        until: Option<NaiveDate>,
    },
    Cancel {
        note: Option<Note>,
    },
    Reroute {
        lenders: Vec<RotaEntry>,
    },
    UpdateNeededBy {
        needed_by: Option<NaiveDate>,
    },
    // lender side
    WillSupply {
        note: Option<Note>,
    },
    ProposeConditions {
        condition: LoanCondition,
        note: Option<Note>,
    },
    Decline {
        reason: UnfilledReason,
        note: Option<Note>,
    },
    Ship {
        due_date: NaiveDate,
        note: Option<Note>,
    },
    DeliverCopy {
        note: Option<Note>,
    },
    AnswerRenewal {
        approve: bool,
        new_due_date: Option<NaiveDate>,
    },
    Recall {
        due_date: Option<NaiveDate>,
        note: Option<Note>,
    },
    AnswerCancel {
        approve: bool,
        note: Option<Note>,
    },
    CheckIn,
    // either side
    DeclareLost {
        note: Option<Note>,
    },
    AddNote {
        note: Note,
    },
    // the system
    /// The current lender (or the borrower, about conditions) did not answer
    /// within the response window.
    TimeOut,
    /// The current lender's lending was suspended while it was asked.
    SkipSuspendedLender,
    /// The day after the needed-by date: cancel, or ask the lender to.
    Expire,
}

impl Action {
    /// The contract's name of the command, as errors and metrics name it.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Place(_) => "placeRequest",
            Action::AcceptConditions => "acceptConditions",
            Action::RejectConditions { .. } => "rejectConditions",
            Action::Receive => "receive",
            Action::CheckOutToPatron => "checkOutToPatron",
            Action::ReturnFromPatron => "returnFromPatron",
            Action::ShipReturn => "shipReturn",
            Action::RequestRenewal { .. } => "requestRenewal",
            Action::Cancel { .. } => "cancel",
            Action::Reroute { .. } => "reroute",
            Action::UpdateNeededBy { .. } => "updateNeededBy",
            Action::WillSupply { .. } => "willSupply",
            Action::ProposeConditions { .. } => "proposeConditions",
            Action::Decline { .. } => "decline",
            Action::Ship { .. } => "ship",
            Action::DeliverCopy { .. } => "deliverCopy",
            Action::AnswerRenewal { .. } => "answerRenewal",
            Action::Recall { .. } => "recall",
            Action::AnswerCancel { .. } => "answerCancel",
            Action::CheckIn => "checkIn",
            Action::DeclareLost { .. } => "declareLost",
            Action::AddNote { .. } => "addNote",
            Action::TimeOut => "timeOut",
            Action::SkipSuspendedLender => "skipSuspendedLender",
            Action::Expire => "expire",
        }
    }

    /// The note a command carries, for the notes table.
    pub fn note(&self) -> Option<&Note> {
        match self {
            Action::Place(place) => place.note.as_ref(),
            Action::RejectConditions { note }
            | Action::Cancel { note }
            | Action::WillSupply { note }
            | Action::ProposeConditions { note, .. }
            | Action::Decline { note, .. }
            | Action::Ship { note, .. }
            | Action::DeliverCopy { note }
            | Action::Recall { note, .. }
            | Action::AnswerCancel { note, .. }
            | Action::DeclareLost { note } => note.as_ref(),
            Action::AddNote { note } => Some(note),
            _ => None,
        }
    }
}
