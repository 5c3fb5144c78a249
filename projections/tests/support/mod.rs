//! A small network and helpers to drive requests through the store.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use domain::{
    Action, Actor, Calendar, EventMetadata, IllRequest, InMemoryDirectory, Item, LibraryId,
    LibraryStatus, ManualClock, Note, Origin, PatronInput, PlaceRequest, RequestCommand,
    RequestServices, Role, ServiceType,
};
use projections::{CommandError, Committed, EventStore};
use uuid::Uuid;

pub const BORROWER: &str = "BOR";
pub const LENDERS: [&str; 3] = ["L1", "L2", "L3"];

pub fn services() -> RequestServices {
    let directory = InMemoryDirectory::new();
    for id in [BORROWER].into_iter().chain(LENDERS) {
        directory.set(
            LibraryId::from(id),
            LibraryStatus {
                lends: true,
                suspended: false,
            },
        );
    }
    RequestServices {
        clock: Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
        )),
        calendar: Calendar::default(),
        response_window: chrono::Duration::days(5),
        directory: Arc::new(directory),
    }
}

pub fn staff(library: &str) -> Origin {
    Origin::Person(Actor::new(format!("{library}-staff"), library, Role::Staff))
}

pub fn place() -> Action {
    Action::Place(PlaceRequest {
        patron_ref: Uuid::new_v4(),
        patron: PatronInput {
            barcode: "2100012345".into(),
            name: None,
            email: None,
        },
        item: Item::titled("The Long Winter"),
        service_type: ServiceType::Loan,
        lenders: LENDERS.iter().map(|l| LibraryId::from(*l)).collect(),
        needed_by: None,
        note: None,
    })
}

pub fn note() -> Action {
    Action::AddNote {
        note: Note {
            id: Uuid::new_v4(),
            text: "call the patron".into(),
        },
    }
}

pub async fn run(
    store: &EventStore,
    services: &RequestServices,
    id: Uuid,
    origin: Origin,
    expected_version: Option<u64>,
    action: Action,
) -> Result<Committed<IllRequest>, CommandError<domain::DomainError>> {
    let metadata = EventMetadata::new(&origin, services.now(), Uuid::new_v4());
    let command = RequestCommand {
        origin,
        expected_version,
        action,
    };
    store
        .execute::<IllRequest>(&id.to_string(), command, services, &metadata)
        .await
}
