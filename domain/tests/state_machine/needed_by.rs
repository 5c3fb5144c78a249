//! Needed-by expiry and `updateNeededBy`: the day after the date the system
//! cancels an unanswered or conditional request and asks the lender of a
//! WILL_SUPPLY one, once per date; the borrower moves or clears the date.

use chrono::Duration;
use domain::testing::*;
use domain::{Action, DomainError, RequestEvent as E, RequestStatus as S};

use crate::support::situations;

fn needed_by(offset: i64) -> E {
    E::NeededByChanged {
        needed_by: Some(day(offset)),
    }
}

fn expire() -> domain::RequestCommand {
    by(system(), Action::Expire)
}

#[test]
fn on_the_needed_by_date_nothing_expires_the_day_after_it_does() {
    let world = World::new();
    let history = with(requested(), [needed_by(2)]);
    world.advance(Duration::days(2) + Duration::hours(14));
    assert!(matches!(
        world.decide(&history, expire()),
        Err(DomainError::InvalidTransition { .. })
    ));
    world.advance(Duration::hours(1));
    assert_eq!(
        world.decide(&history, expire()).unwrap(),
        vec![E::RequestExpired {}]
    );
}

#[test]
fn a_conditional_request_expires_too_and_ends_cancelled() {
    let world = World::new();
    world.advance(Duration::days(3));
    let history = with(history(S::Conditional), [needed_by(1)]);
    let events = world.decide(&history, expire()).unwrap();
    assert_eq!(events, vec![E::RequestExpired {}]);
    let after = domain::IllRequest::replay(with(history, events));
    let state = after.state.unwrap();
    assert_eq!(state.status, S::Cancelled);
    assert_eq!(state.respond_by, None);
}

#[test]
fn will_supply_asks_the_lender_once_per_date() {
    let world = World::new();
    world.advance(Duration::days(3));
    let history = with(history(S::WillSupply), [needed_by(1)]);
    let asked = world.decide(&history, expire()).unwrap();
    assert_eq!(asked, vec![E::CancelRequested { note_id: None }]);
    // Pending: not again.
    let pending = with(history.clone(), asked.clone());
    assert!(world.decide(&pending, expire()).is_err());
    // Refused: not again for the same date ...
    let refused = with(pending, [E::CancelRefused {}]);
    assert!(world.decide(&refused, expire()).is_err());
    // ... but again once the date moved and passed.
    let moved = with(refused, [needed_by(2)]);
    world.advance(Duration::days(1));
    assert_eq!(
        world.decide(&moved, expire()).unwrap(),
        vec![E::CancelRequested { note_id: None }]
    );
}

#[test]
fn no_other_status_expires_and_no_request_without_a_date() {
    let world = World::new();
    world.advance(Duration::days(30));
    for situation in situations() {
        let history = with(situation.history.clone(), [needed_by(1)]);
        let result = world.decide(&history, expire());
        let expires = matches!(
            situation.status,
            S::Requested | S::Conditional | S::WillSupply
        ) && !situation.cancel_pending;
        assert_eq!(result.is_ok(), expires, "{}: {result:?}", situation.label);
        assert!(
            world.decide(&situation.history, expire()).is_err(),
            "{}: no needed-by date",
            situation.label
        );
    }
}

#[test]
fn only_the_system_expires_a_request() {
    let world = World::new();
    world.advance(Duration::days(3));
    let history = with(requested(), [needed_by(1)]);
    for origin in [staff(BOR), staff(L1), coordinator(), admin()] {
        assert!(matches!(
            world.decide(&history, by(origin, Action::Expire)),
            Err(DomainError::Forbidden(_))
        ));
    }
}

#[test]
fn update_needed_by_moves_clears_and_stops_expiry() {
    let world = World::new();
    let history = with(requested(), [needed_by(1)]);
    let moved = world
        .decide(
            &history,
            by(
                staff(BOR),
                Action::UpdateNeededBy {
                    needed_by: Some(day(10)),
                },
            ),
        )
        .unwrap();
    assert_eq!(moved, vec![needed_by(10)]);
    let cleared = world
        .decide(
            &history,
            by(staff(BOR), Action::UpdateNeededBy { needed_by: None }),
        )
        .unwrap();
    assert_eq!(cleared, vec![E::NeededByChanged { needed_by: None }]);
    world.advance(Duration::days(3));
    assert!(world.decide(&history, expire()).is_ok());
    assert!(world
        .decide(&with(history.clone(), moved), expire())
        .is_err());
    assert!(world.decide(&with(history, cleared), expire()).is_err());
}

#[test]
fn update_needed_by_refusals() {
    let world = World::new();
    let update = |needed_by| Action::UpdateNeededBy { needed_by };
    assert!(matches!(
        world.decide(&requested(), by(staff(BOR), update(Some(day(-1))))),
        Err(DomainError::BadInput { .. })
    ));
    assert!(matches!(
        world.decide(&requested(), by(staff(L1), update(Some(day(3))))),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        world.decide(&history(S::Cancelled), by(staff(BOR), update(Some(day(3))))),
        Err(DomainError::InvalidTransition { .. })
    ));
    // Allowed after supply, and it leaves a pending cancel in place.
    let pending = with(
        history(S::WillSupply),
        [E::CancelRequested { note_id: None }],
    );
    let events = world
        .decide(&pending, by(staff(BOR), update(Some(day(3)))))
        .unwrap();
    let state = domain::IllRequest::replay(with(pending, events))
        .state
        .unwrap();
    assert!(state.cancel_pending);
    assert_eq!(state.needed_by, Some(day(3)));
}
