//! The `Library` aggregate: registered by admins, updated and suspended by
//! coordinators and admins.

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use domain::library::{LibraryChange, LibraryRecord};
use domain::{Actor, DomainError, Library, LibraryCommand, LibraryEvent, LibraryId, Role};

fn admin() -> Actor {
    Actor::new("root", "NET", Role::Admin)
}

fn coordinator() -> Actor {
    Actor::new("coord", "NET", Role::Coordinator)
}

fn staff() -> Actor {
    Actor::new("clerk", "L1", Role::Staff)
}

fn command(actor: Actor, change: LibraryChange) -> LibraryCommand {
    LibraryCommand { actor, change }
}

fn register(name: &str, lends: bool) -> LibraryChange {
    LibraryChange::Register {
        id: LibraryId::from("L1"),
        name: name.into(),
        lends,
    }
}

fn update(name: Option<&str>, lends: Option<bool>) -> LibraryChange {
    LibraryChange::Update {
        name: name.map(str::to_owned),
        lends,
    }
}

fn registered() -> Vec<LibraryEvent> {
    vec![LibraryEvent::LibraryRegistered {
        id: LibraryId::from("L1"),
        name: "Lender One".into(),
        lends: true,
    }]
}

fn suspended() -> Vec<LibraryEvent> {
    let mut events = registered();
    events.push(LibraryEvent::LendingSuspended {});
    events
}

fn framework() -> TestFramework<Library> {
    TestFramework::<Library>::with(())
}

fn is_forbidden(result: Result<Vec<LibraryEvent>, DomainError>) -> bool {
    matches!(result, Err(DomainError::Forbidden(_)))
}

// ---------------------------------------------------------------------------
// Register
// ---------------------------------------------------------------------------

#[test]
fn an_admin_registers_a_library() {
    framework()
        .given_no_previous_events()
        .when(command(admin(), register("  Lender One ", true)))
        .then_expect_events(vec![LibraryEvent::LibraryRegistered {
            id: LibraryId::from("L1"),
            name: "Lender One".into(),
            lends: true,
        }]);
}

#[test]
fn only_an_admin_registers_a_library() {
    for actor in [coordinator(), staff()] {
        let result = framework()
            .given_no_previous_events()
            .when(command(actor, register("Lender One", true)))
            .inspect_result();
        assert!(is_forbidden(result));
    }
}

#[test]
fn a_library_registered_twice_is_bad_input() {
    let result = framework()
        .given(registered())
        .when(command(admin(), register("Lender One", true)))
        .inspect_result();
    assert!(
        matches!(&result, Err(DomainError::BadInput { field, .. }) if field == "id"),
        "{result:?}"
    );
}

#[test]
fn registering_with_a_blank_or_overlong_name_is_bad_input_before_forbidden() {
    for (actor, name) in [
        (admin(), ""),
        (admin(), "   "),
        (admin(), &"n".repeat(201) as &str),
        (staff(), ""),
    ] {
        let result = framework()
            .given_no_previous_events()
            .when(command(actor.clone(), register(name, true)))
            .inspect_result();
        assert!(
            matches!(&result, Err(DomainError::BadInput { field, .. }) if field == "name"),
            "{actor:?} {name:?}: {result:?}"
        );
    }
}

#[test]
fn a_registered_library_is_forbidden_to_staff_before_it_is_a_duplicate() {
    let result = framework()
        .given(registered())
        .when(command(staff(), register("Lender One", true)))
        .inspect_result();
    assert!(is_forbidden(result));
}

// ---------------------------------------------------------------------------
// Update
// ---------------------------------------------------------------------------

#[test]
fn a_coordinator_or_an_admin_updates_a_library() {
    for actor in [coordinator(), admin()] {
        framework()
            .given(registered())
            .when(command(actor, update(Some(" Lender Uno "), Some(false))))
            .then_expect_events(vec![LibraryEvent::LibraryUpdated {
                name: "Lender Uno".into(),
                lends: false,
            }]);
    }
}

#[test]
fn an_update_keeps_what_it_does_not_name() {
    framework()
        .given(registered())
        .when(command(coordinator(), update(None, Some(false))))
        .then_expect_events(vec![LibraryEvent::LibraryUpdated {
            name: "Lender One".into(),
            lends: false,
        }]);
    framework()
        .given(registered())
        .when(command(coordinator(), update(Some("Renamed"), None)))
        .then_expect_events(vec![LibraryEvent::LibraryUpdated {
            name: "Renamed".into(),
            lends: true,
        }]);
}

#[test]
fn an_update_that_changes_nothing_yields_no_event() {
    for change in [
        update(None, None),
        update(Some("Lender One"), Some(true)),
        update(Some(" Lender One "), None),
    ] {
        framework()
            .given(registered())
            .when(command(coordinator(), change))
            .then_expect_events(vec![]);
    }
}

#[test]
fn staff_may_not_update_a_library() {
    let result = framework()
        .given(registered())
        .when(command(staff(), update(Some("Mine now"), None)))
        .inspect_result();
    assert!(is_forbidden(result));
}

#[test]
fn updating_an_unknown_library_is_not_found() {
    for actor in [coordinator(), admin(), staff()] {
        framework()
            .given_no_previous_events()
            .when(command(actor, update(Some("Ghost"), None)))
            .then_expect_error(DomainError::NotFound);
    }
}

#[test]
fn updating_with_a_blank_name_is_bad_input() {
    let result = framework()
        .given_no_previous_events()
        .when(command(staff(), update(Some(" "), None)))
        .inspect_result();
    assert!(
        matches!(&result, Err(DomainError::BadInput { field, .. }) if field == "name"),
        "{result:?}"
    );
}

// ---------------------------------------------------------------------------
// Suspend and resume lending
// ---------------------------------------------------------------------------

#[test]
fn a_coordinator_or_an_admin_suspends_and_resumes_lending() {
    for actor in [coordinator(), admin()] {
        framework()
            .given(registered())
            .when(command(
                actor.clone(),
                LibraryChange::SetLendingSuspended(true),
            ))
            .then_expect_events(vec![LibraryEvent::LendingSuspended {}]);
        framework()
            .given(suspended())
            .when(command(actor, LibraryChange::SetLendingSuspended(false)))
            .then_expect_events(vec![LibraryEvent::LendingResumed {}]);
    }
}

#[test]
fn suspending_a_suspended_library_yields_no_event() {
    framework()
        .given(suspended())
        .when(command(
            coordinator(),
            LibraryChange::SetLendingSuspended(true),
        ))
        .then_expect_events(vec![]);
    framework()
        .given(registered())
        .when(command(
            coordinator(),
            LibraryChange::SetLendingSuspended(false),
        ))
        .then_expect_events(vec![]);
}

#[test]
fn staff_may_not_suspend_lending() {
    for suspend in [true, false] {
        let result = framework()
            .given(registered())
            .when(command(
                staff(),
                LibraryChange::SetLendingSuspended(suspend),
            ))
            .inspect_result();
        assert!(is_forbidden(result));
    }
}

#[test]
fn suspending_an_unknown_library_is_not_found() {
    framework()
        .given_no_previous_events()
        .when(command(admin(), LibraryChange::SetLendingSuspended(true)))
        .then_expect_error(DomainError::NotFound);
}

// ---------------------------------------------------------------------------
// The fold
// ---------------------------------------------------------------------------

#[test]
fn the_fold_tracks_name_lending_and_suspension() {
    let mut library = Library::default();
    for event in [
        LibraryEvent::LibraryRegistered {
            id: LibraryId::from("L1"),
            name: "Lender One".into(),
            lends: true,
        },
        LibraryEvent::LendingSuspended {},
        LibraryEvent::LibraryUpdated {
            name: "Lender Uno".into(),
            lends: false,
        },
    ] {
        library.apply(event);
    }
    assert_eq!(
        library.registered,
        Some(LibraryRecord {
            id: LibraryId::from("L1"),
            name: "Lender Uno".into(),
            lends: false,
            suspended: true,
            closures: Vec::new(),
        })
    );
    library.apply(LibraryEvent::LendingResumed {});
    assert!(!library.registered.unwrap().suspended);
}

#[test]
fn library_symbols_are_validated_when_parsed() {
    for good in ["CT-HFD", "L1", "a.b_c-9", &"x".repeat(32) as &str] {
        assert_eq!(LibraryId::parse("id", good).unwrap().as_str(), good);
    }
    for bad in ["", "-L1", "L 1", "L1/2", &"x".repeat(33) as &str, "é"] {
        assert!(
            matches!(
                LibraryId::parse("id", bad),
                Err(DomainError::BadInput { .. })
            ),
            "{bad:?}"
        );
    }
}
