//! The fixture network of every crate's tests (feature `testing`): a
//! borrower, three lenders and the libraries each rule needs (suspended,
//! non-lending, a stranger, the coordinators' own), a manual clock from a
//! fixed epoch, actors, commands, and event histories that reach every
//! status of the request state machine.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use cqrs_es::test::{AggregateTestExecutor, TestFramework};
use uuid::Uuid;

use crate::{
    Action, Actor, Calendar, Closure, CopyrightCompliance, DomainError, IllRequest,
    InMemoryDirectory, Item, LibraryId, LibraryStatus, LoanCondition, ManualClock, Note, Origin,
    PatronInput, PlaceRequest, RequestCommand, RequestEvent, RequestServices, RequestStatus, Role,
    RotaEntry, ServiceType, Side, SkipReason, UnfilledReason,
};

// ---------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------

/// The borrowing library of every fixture request.
pub const BOR: &str = "BOR";
/// Lenders that lend and are not suspended.
pub const L1: &str = "L1";
pub const L2: &str = "L2";
pub const L3: &str = "L3";
/// The rota of `place(&LENDERS)`.
pub const LENDERS: [&str; 3] = [L1, L2, L3];
/// A lending library whose lending is suspended.
pub const SUSP: &str = "SUSP";
/// A registered library that does not lend.
pub const NOLEND: &str = "NOLEND";
/// A registered, lending library that is in no fixture rota: a stranger.
pub const OTHER: &str = "OTHER";
/// The library coordinators and admins belong to.
pub const NET: &str = "NET";
/// Not a library of the network.
pub const UNKNOWN: &str = "NOWHERE";

/// The response window of the fixture services.
pub const WINDOW_DAYS: i64 = 5;

pub const TITLE: &str = "The Name of the Rose";

/// The instant every test starts at: a Monday morning, UTC.
pub fn test_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

pub fn today() -> NaiveDate {
    test_epoch().date_naive()
}

/// `today()` moved by `offset` days.
pub fn day(offset: i64) -> NaiveDate {
    today() + Duration::days(offset)
}

pub fn window() -> Duration {
    Duration::days(WINDOW_DAYS)
}

/// When a lender asked at `test_epoch()` must answer.
pub fn respond_by() -> DateTime<Utc> {
    test_epoch() + window()
}

/// The due date every fixture loan ships with.
pub fn due() -> NaiveDate {
    day(21)
}

pub fn id(library: &str) -> LibraryId {
    LibraryId::from(library)
}

pub fn ids(libraries: &[&str]) -> Vec<LibraryId> {
    libraries.iter().map(|l| id(l)).collect()
}

/// A rota as a person names it: the lenders, no selection.
pub fn entries(libraries: &[&str]) -> Vec<RotaEntry> {
    libraries.iter().map(|l| id(l).into()).collect()
}

/// The network's directory: BOR, L1–L3, OTHER and NET lend, SUSP lends but
/// is suspended, NOLEND does not lend.
pub fn directory() -> InMemoryDirectory {
    let directory = InMemoryDirectory::new();
    let lending = LibraryStatus {
        lends: true,
        suspended: false,
    };
    for library in [BOR, L1, L2, L3, OTHER, NET] {
        directory.set(id(library), lending);
    }
    directory.set(
        id(SUSP),
        LibraryStatus {
            lends: true,
            suspended: true,
        },
    );
    directory.set(
        id(NOLEND),
        LibraryStatus {
            lends: false,
            suspended: false,
        },
    );
    directory
}

/// Request services over the network's directory, with the given clock and
/// the fixture response window.
pub fn services_with(clock: Arc<ManualClock>) -> RequestServices {
    services_over(clock, Arc::new(directory()))
}

/// The same, with a clock standing at the epoch.
pub fn services() -> RequestServices {
    services_with(Arc::new(ManualClock::new(test_epoch())))
}

fn services_over(clock: Arc<ManualClock>, directory: Arc<InMemoryDirectory>) -> RequestServices {
    RequestServices {
        clock,
        calendar: Calendar::default(),
        response_window: window(),
        directory,
    }
}

/// The services of one test: its own clock and directory.
pub struct World {
    pub clock: Arc<ManualClock>,
    pub directory: Arc<InMemoryDirectory>,
    pub services: RequestServices,
}

impl World {
    pub fn new() -> Self {
        let clock = Arc::new(ManualClock::new(test_epoch()));
        let directory = Arc::new(directory());
        let services = services_over(clock.clone(), directory.clone());
        World {
            clock,
            directory,
            services,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.services.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.services.today()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub fn set_closures(&self, library: &str, closures: Vec<Closure>) {
        self.directory.set_closures(id(library), closures);
    }

    pub fn set_suspended(&self, library: &str, suspended: bool) {
        self.directory.set(
            id(library),
            LibraryStatus {
                lends: library != NOLEND,
                suspended,
            },
        );
    }

    pub fn framework(&self) -> TestFramework<IllRequest> {
        TestFramework::<IllRequest>::with(self.services.clone())
    }

    pub fn given(&self, history: Vec<RequestEvent>) -> AggregateTestExecutor<IllRequest> {
        self.framework().given(history)
    }

    pub fn given_nothing(&self) -> AggregateTestExecutor<IllRequest> {
        self.framework().given_no_previous_events()
    }

    /// The handler called directly on the request the history leaves.
    pub fn decide(
        &self,
        history: &[RequestEvent],
        command: RequestCommand,
    ) -> Result<Vec<RequestEvent>, DomainError> {
        IllRequest::replay(history.to_vec()).decide(command, &self.services)
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

// ---------------------------------------------------------------------------
// Actors and commands
// ---------------------------------------------------------------------------

pub fn staff(library: &str) -> Origin {
    Origin::Person(Actor::new(format!("{library}-staff"), library, Role::Staff))
}

pub fn coordinator() -> Origin {
    Origin::Person(
        Actor::new("coord", NET, Role::Coordinator).with_reason("patron complaint, ticket 42"),
    )
}

pub fn coordinator_without_reason() -> Origin {
    Origin::Person(Actor::new("coord", NET, Role::Coordinator))
}

pub fn coordinator_with_reason(reason: &str) -> Origin {
    Origin::Person(Actor::new("coord", NET, Role::Coordinator).with_reason(reason))
}

pub fn admin() -> Origin {
    Origin::Person(Actor::new("root", NET, Role::Admin).with_reason("network clean-up"))
}

pub fn admin_without_reason() -> Origin {
    Origin::Person(Actor::new("root", NET, Role::Admin))
}

pub fn system() -> Origin {
    Origin::System
}

/// A command without an expected version.
pub fn by(origin: Origin, action: Action) -> RequestCommand {
    RequestCommand {
        origin,
        expected_version: None,
        action,
    }
}

/// A command that expects the request at `version`.
pub fn at(origin: Origin, version: u64, action: Action) -> RequestCommand {
    RequestCommand {
        origin,
        expected_version: Some(version),
        action,
    }
}

pub fn note_id(n: u128) -> Uuid {
    Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | n)
}

pub fn note(n: u128) -> Note {
    Note {
        id: note_id(n),
        text: format!("note number {n}"),
    }
}

pub fn note_with_text(n: u128, text: impl Into<String>) -> Note {
    Note {
        id: note_id(n),
        text: text.into(),
    }
}

/// An addNote command with a note of a fresh id: each call adds a note.
pub fn add_note() -> Action {
    Action::AddNote {
        note: Note {
            id: Uuid::new_v4(),
            text: "call the patron".into(),
        },
    }
}

pub fn patron_ref() -> Uuid {
    Uuid::from_u128(0x6f1e_2d3c_4b5a_4000_8000_0000_0000_beef)
}

pub fn item() -> Item {
    Item {
        title: TITLE.into(),
        author: Some("Umberto Eco".into()),
        isbn: Some("9780156001311".into()),
        ..Item::default()
    }
}

/// The placeRequest input that `placed(service, lenders)` records.
pub fn place_request(service_type: ServiceType, lenders: &[&str]) -> PlaceRequest {
    PlaceRequest {
        patron_ref: patron_ref(),
        patron: PatronInput {
            barcode: "2100012345678".into(),
            name: Some("A. Patron".into()),
            email: Some("patron@example.org".into()),
        },
        item: item(),
        service_type,
        lenders: entries(lenders),
        needed_by: None,
        note: None,
    }
}

pub fn place(lenders: &[&str]) -> Action {
    Action::Place(place_request(ServiceType::Loan, lenders))
}

pub fn place_copy(lenders: &[&str]) -> Action {
    Action::Place(place_request(ServiceType::Copy, lenders))
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// As placed: a COPY placed without compliance is recorded as CCG.
pub fn placed(service_type: ServiceType, rota: &[&str]) -> RequestEvent {
    let copyright_compliance =
        (service_type == ServiceType::Copy).then_some(CopyrightCompliance::Ccg);
    RequestEvent::RequestPlaced {
        borrower: id(BOR),
        service_type,
        item: Item {
            copyright_compliance,
            ..item()
        },
        rota: entries(rota),
        needed_by: None,
        patron_ref: patron_ref(),
        note_id: None,
    }
}

/// Routed at `test_epoch()`.
pub fn routed(lender: &str, position: u32) -> RequestEvent {
    routed_at(lender, position, test_epoch())
}

/// Routed when the clock read `now`.
pub fn routed_at(lender: &str, position: u32, now: DateTime<Utc>) -> RequestEvent {
    RequestEvent::RequestRouted {
        lender: id(lender),
        position,
        respond_by: now + window(),
    }
}

pub fn skipped(lender: &str, position: u32, why: SkipReason) -> RequestEvent {
    RequestEvent::LenderSkipped {
        lender: id(lender),
        position,
        why,
    }
}

pub fn will_supply(lender: &str) -> RequestEvent {
    RequestEvent::LenderWillSupply { lender: id(lender) }
}

pub fn proposed(lender: &str) -> RequestEvent {
    RequestEvent::ConditionsProposed {
        lender: id(lender),
        condition: LoanCondition::LibraryUseOnly,
        note_id: None,
        respond_by: respond_by(),
    }
}

pub fn declined(lender: &str) -> RequestEvent {
    RequestEvent::LenderDeclined {
        lender: id(lender),
        reason: UnfilledReason::NotOnShelf,
        note_id: None,
    }
}

pub fn shipped(lender: &str) -> RequestEvent {
    RequestEvent::ItemShipped {
        lender: id(lender),
        due_date: due(),
    }
}

// ---------------------------------------------------------------------------
// Histories
// ---------------------------------------------------------------------------

/// A LOAN request from BOR to [L1, L2], routed to L1 at `test_epoch()`.
pub fn requested() -> Vec<RequestEvent> {
    vec![placed(ServiceType::Loan, &[L1, L2]), routed(L1, 1)]
}

/// The same for a COPY request.
pub fn requested_copy() -> Vec<RequestEvent> {
    vec![placed(ServiceType::Copy, &[L1, L2]), routed(L1, 1)]
}

pub fn with(
    mut history: Vec<RequestEvent>,
    more: impl IntoIterator<Item = RequestEvent>,
) -> Vec<RequestEvent> {
    history.extend(more);
    history
}

/// A history that leaves a LOAN request (DELIVERED: a COPY request) in
/// `status`, with L1 as the current lender wherever there is one.
pub fn history(status: RequestStatus) -> Vec<RequestEvent> {
    use RequestEvent as E;
    use RequestStatus as S;
    match status {
        S::Requested => requested(),
        S::Conditional => with(requested(), [proposed(L1)]),
        S::WillSupply => with(requested(), [will_supply(L1)]),
        S::Shipped => with(history(S::WillSupply), [shipped(L1)]),
        S::Received => with(history(S::Shipped), [E::ItemReceived {}]),
        S::CheckedOut => with(history(S::Received), [E::CheckedOutToPatron {}]),
        S::ReturnedByPatron => with(history(S::CheckedOut), [E::ReturnedByPatron {}]),
        S::ReturnShipped => with(history(S::ReturnedByPatron), [E::ReturnShipped {}]),
        S::Completed => with(
            history(S::ReturnShipped),
            [E::ItemCheckedIn { lender: id(L1) }],
        ),
        S::Delivered => with(requested_copy(), [E::CopyDelivered { lender: id(L1) }]),
        S::Unfilled => with(
            requested(),
            [
                declined(L1),
                routed(L2, 2),
                declined(L2),
                E::RequestUnfilled {},
            ],
        ),
        S::Cancelled => with(requested(), [E::RequestCancelled {}]),
        S::Lost => with(
            history(S::Shipped),
            [E::ItemDeclaredLost { by: Side::Borrower }],
        ),
    }
}
