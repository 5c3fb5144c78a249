//! The request's events: the catalogue of DESIGN.md, `event_version` "1.0"
//! and, for the events and fields added since, "1.1".

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rota::{self, RotaEntry};
use super::types::{Item, LoanCondition, ServiceType, Side, SkipReason, UnfilledReason};
use crate::library_id::LibraryId;

// Events are built and serialized one at a time; boxing `RequestPlaced`'s
// item would only add noise to every construction and match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestEvent {
    RequestPlaced {
        borrower: LibraryId,
        service_type: ServiceType,
        item: Item,
        #[serde(with = "rota::stored")]
        rota: Vec<RotaEntry>,
        needed_by: Option<NaiveDate>,
        patron_ref: Uuid,
        note_id: Option<Uuid>,
    },
    LenderSkipped {
        lender: LibraryId,
        position: u32,
        why: SkipReason,
    },
    RequestRouted {
        lender: LibraryId,
        position: u32,
        respond_by: DateTime<Utc>,
    },
    RequestUnfilled {},
    LenderWillSupply {
        lender: LibraryId,
    },
    /// `respond_by` is when the borrower's answer is due: the scheduler moves
    /// the request on after it, as it does for an unanswered lender.
    ConditionsProposed {
        lender: LibraryId,
        condition: LoanCondition,
        note_id: Option<Uuid>,
        respond_by: DateTime<Utc>,
    },
    ConditionsAccepted {},
    ConditionsRejected {
        lender: LibraryId,
    },
    LenderDeclined {
        lender: LibraryId,
        reason: UnfilledReason,
        note_id: Option<Uuid>,
    },
    LenderTimedOut {
        lender: LibraryId,
    },
    ItemShipped {
        lender: LibraryId,
        due_date: NaiveDate,
    },
    CopyDelivered {
        lender: LibraryId,
    },
    ItemReceived {},
    CheckedOutToPatron {},
    ReturnedByPatron {},
    ReturnShipped {},
    ItemCheckedIn {
        lender: LibraryId,
    },
    RenewalRequested {
        until: Option<NaiveDate>,
    },
    RenewalGranted {
        due_date: NaiveDate,
    },
    RenewalDenied {},
    ItemRecalled {
        due_date: Option<NaiveDate>,
    },
    CancelRequested {
        note_id: Option<Uuid>,
    },
    CancelRefused {},
    RequestCancelled {},
    ItemDeclaredLost {
        by: Side,
    },
    Rerouted {
        #[serde(with = "rota::stored")]
        rota: Vec<RotaEntry>,
    },
    NoteAdded {
        note_id: Uuid,
    },
    /// The day after `needed_by` came while the request was still unanswered
    /// or its conditions open: cancelled by the system.
    RequestExpired {},
    /// The borrower moved (or, with `None`, cleared) the needed-by date.
    NeededByChanged {
        needed_by: Option<NaiveDate>,
    },
}

impl RequestEvent {
    pub fn name(&self) -> &'static str {
        match self {
            RequestEvent::RequestPlaced { .. } => "RequestPlaced",
            RequestEvent::LenderSkipped { .. } => "LenderSkipped",
            RequestEvent::RequestRouted { .. } => "RequestRouted",
            RequestEvent::RequestUnfilled {} => "RequestUnfilled",
            RequestEvent::LenderWillSupply { .. } => "LenderWillSupply",
            RequestEvent::ConditionsProposed { .. } => "ConditionsProposed",
            RequestEvent::ConditionsAccepted {} => "ConditionsAccepted",
            RequestEvent::ConditionsRejected { .. } => "ConditionsRejected",
            RequestEvent::LenderDeclined { .. } => "LenderDeclined",
            RequestEvent::LenderTimedOut { .. } => "LenderTimedOut",
            RequestEvent::ItemShipped { .. } => "ItemShipped",
            RequestEvent::CopyDelivered { .. } => "CopyDelivered",
            RequestEvent::ItemReceived {} => "ItemReceived",
            RequestEvent::CheckedOutToPatron {} => "CheckedOutToPatron",
            RequestEvent::ReturnedByPatron {} => "ReturnedByPatron",
            RequestEvent::ReturnShipped {} => "ReturnShipped",
            RequestEvent::ItemCheckedIn { .. } => "ItemCheckedIn",
            RequestEvent::RenewalRequested { .. } => "RenewalRequested",
            RequestEvent::RenewalGranted { .. } => "RenewalGranted",
            RequestEvent::RenewalDenied {} => "RenewalDenied",
            RequestEvent::ItemRecalled { .. } => "ItemRecalled",
            RequestEvent::CancelRequested { .. } => "CancelRequested",
            RequestEvent::CancelRefused {} => "CancelRefused",
            RequestEvent::RequestCancelled {} => "RequestCancelled",
            RequestEvent::ItemDeclaredLost { .. } => "ItemDeclaredLost",
            RequestEvent::Rerouted { .. } => "Rerouted",
            RequestEvent::NoteAdded { .. } => "NoteAdded",
            RequestEvent::RequestExpired {} => "RequestExpired",
            RequestEvent::NeededByChanged { .. } => "NeededByChanged",
        }
    }

    /// The note this event refers to, if any.
    pub fn note_id(&self) -> Option<Uuid> {
        match self {
            RequestEvent::RequestPlaced { note_id, .. }
            | RequestEvent::ConditionsProposed { note_id, .. }
            | RequestEvent::LenderDeclined { note_id, .. }
            | RequestEvent::CancelRequested { note_id } => *note_id,
            RequestEvent::NoteAdded { note_id } => Some(*note_id),
            _ => None,
        }
    }
}

impl DomainEvent for RequestEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        let next_wave = match self {
            RequestEvent::RequestExpired {} | RequestEvent::NeededByChanged { .. } => true,
            RequestEvent::RequestPlaced { item, rota, .. } => {
                item.copyright_compliance.is_some()
                    || item.publication_year.is_some()
                    || rota::has_selection(rota)
            }
            RequestEvent::Rerouted { rota } => rota::has_selection(rota),
            _ => false,
        };
        if next_wave {
            crate::EVENT_VERSION_1_1
        } else {
            crate::EVENT_VERSION
        }
        .to_owned()
    }
}
