//! Closures: a library closed today is skipped when its turn comes, and the
//! response window of a request waiting for its answer is extended by each
//! date it is closed; a closure is not a suspension.

use chrono::{Duration, NaiveDate};
use domain::testing::*;
use domain::{Action, Closure, RequestEvent as E, RequestStatus as S, ServiceType, SkipReason};

fn closed(from: NaiveDate, to: NaiveDate) -> Vec<Closure> {
    vec![Closure {
        from,
        to,
        reason: Some("inventory".into()),
    }]
}

#[test]
fn a_library_closed_today_is_skipped_when_its_turn_comes() {
    let world = World::new();
    world.set_closures(L1, closed(day(0), day(1)));
    world
        .given_nothing()
        .when(by(staff(BOR), place(&[L1, L2])))
        .then_expect_events(vec![
            placed(ServiceType::Loan, &[L1, L2]),
            skipped(L1, 1, SkipReason::Closed),
            routed(L2, 2),
        ]);
}

#[test]
fn a_closure_that_has_not_begun_skips_nobody() {
    let world = World::new();
    world.set_closures(L1, closed(day(1), day(2)));
    world
        .given_nothing()
        .when(by(staff(BOR), place(&[L1])))
        .then_expect_events(vec![placed(ServiceType::Loan, &[L1]), routed(L1, 1)]);
}

#[test]
fn a_closure_pauses_the_window_of_a_request_waiting_there() {
    let world = World::new();
    // Closed for two days after routing (set after it, still counted).
    world.set_closures(L1, closed(day(2), day(3)));
    let history = requested();
    world.advance(window() + Duration::minutes(1));
    assert!(
        world
            .decide(&history, by(system(), Action::TimeOut))
            .is_err(),
        "the window is two days longer"
    );
    assert_eq!(
        world.services.respond_by(&state_after(&history)),
        Some(respond_by() + Duration::days(2))
    );
    world.advance(Duration::days(2));
    assert_eq!(
        world
            .decide(&history, by(system(), Action::TimeOut))
            .unwrap(),
        vec![
            E::LenderTimedOut { lender: id(L1) },
            routed_at(L2, 2, world.now())
        ]
    );
}

#[test]
fn a_closure_on_the_last_day_of_the_window_extends_it() {
    let world = World::new();
    world.set_closures(L1, closed(day(WINDOW_DAYS), day(WINDOW_DAYS)));
    let state = state_after(&requested());
    assert_eq!(
        world.services.respond_by(&state),
        Some(respond_by() + Duration::days(1))
    );
    // The day after the window: no effect.
    world.set_closures(L1, closed(day(WINDOW_DAYS + 1), day(WINDOW_DAYS + 3)));
    assert_eq!(world.services.respond_by(&state), Some(respond_by()));
}

#[test]
fn conditions_wait_on_the_borrowers_closures_not_the_lenders() {
    let world = World::new();
    let state = state_after(&history(S::Conditional));
    world.set_closures(L1, closed(day(1), day(2)));
    assert_eq!(world.services.respond_by(&state), Some(respond_by()));
    world.set_closures(BOR, closed(day(1), day(2)));
    assert_eq!(
        world.services.respond_by(&state),
        Some(respond_by() + Duration::days(2))
    );
}

#[test]
fn a_closure_is_not_a_suspension() {
    let world = World::new();
    world.set_closures(L1, closed(day(0), day(3)));
    assert!(world
        .decide(&requested(), by(system(), Action::SkipSuspendedLender))
        .is_err());
}

fn state_after(history: &[domain::RequestEvent]) -> domain::RequestState {
    domain::IllRequest::replay(history.to_vec()).state.unwrap()
}

fn registered(library: &str) -> domain::Library {
    let mut aggregate = domain::Library::default();
    cqrs_es::Aggregate::apply(
        &mut aggregate,
        domain::LibraryEvent::LibraryRegistered {
            id: id(library),
            name: library.into(),
            lends: true,
        },
    );
    aggregate
}

fn set_closures(actor: domain::Actor, closures: Vec<Closure>) -> domain::LibraryCommand {
    domain::LibraryCommand {
        actor,
        change: domain::LibraryChange::SetClosures {
            closures,
            today: today(),
        },
    }
}

#[test]
fn a_librarys_own_staff_and_coordinators_set_its_closures_merged() {
    use domain::{Actor, DomainError, LibraryEvent, Role};
    let library = registered(L1);
    let overlapping = vec![
        Closure {
            from: day(3),
            to: day(5),
            reason: None,
        },
        Closure {
            from: day(1),
            to: day(3),
            reason: Some("move".into()),
        },
    ];
    let events = library
        .decide(set_closures(
            Actor::new("l1-staff", L1, Role::Staff),
            overlapping.clone(),
        ))
        .unwrap();
    assert_eq!(
        events,
        vec![LibraryEvent::ClosuresSet {
            closures: vec![Closure {
                from: day(1),
                to: day(5),
                reason: Some("move".into()),
            }]
        }]
    );
    assert!(library
        .decide(set_closures(
            Actor::new("coord", NET, Role::Coordinator),
            overlapping.clone()
        ))
        .is_ok());
    assert!(matches!(
        library.decide(set_closures(
            Actor::new("l2-staff", L2, Role::Staff),
            overlapping
        )),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        library.decide(set_closures(
            Actor::new("l1-staff", L1, Role::Staff),
            closed(day(-3), day(-1))
        )),
        Err(DomainError::BadInput { .. })
    ));
    assert!(matches!(
        domain::Library::default().decide(set_closures(
            Actor::new("coord", NET, Role::Coordinator),
            closed(day(1), day(2))
        )),
        Err(DomainError::NotFound)
    ));
}
