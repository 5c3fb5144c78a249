//! Given/when/then: one test per row of DESIGN.md's request state machine,
//! asserting the exact events each allowed command yields.
//!
//! Plain `#[test]`: cqrs-es's `TestFramework::when` starts its own runtime
//! and panics inside `#[tokio::test]`.

use chrono::Duration;
use domain::testing::*;
use domain::{
    Action, DomainError, LoanCondition, Origin, PlaceRequest, RequestEvent, RequestEvent as E,
    RequestStatus as S, RotaOutcome, ServiceType, Side, SkipReason, UnfilledReason,
};

use crate::support::{situations, status_after};

// ---------------------------------------------------------------------------
// placeRequest and routing
// ---------------------------------------------------------------------------

#[test]
fn place_request_routes_to_the_first_lender() {
    let world = World::new();
    world
        .given_nothing()
        .when(by(staff(BOR), place(&[L1, L2, L3])))
        .then_expect_events(vec![
            placed(ServiceType::Loan, &[L1, L2, L3]),
            routed(L1, 1),
        ]);
}

#[test]
fn place_request_for_a_copy_records_the_service_type() {
    let world = World::new();
    world
        .given_nothing()
        .when(by(staff(BOR), place_copy(&[L2])))
        .then_expect_events(vec![placed(ServiceType::Copy, &[L2]), routed(L2, 1)]);
}

#[test]
fn place_request_carries_the_note_id_and_needed_by_but_no_patron_data() {
    let world = World::new();
    let mut input = place_request(ServiceType::Loan, &[L1]);
    input.needed_by = Some(day(30));
    input.note = Some(note(1));
    world
        .given_nothing()
        .when(by(staff(BOR), Action::Place(input)))
        .then_expect_events(vec![
            E::RequestPlaced {
                borrower: id(BOR),
                service_type: ServiceType::Loan,
                item: item(),
                rota: entries(&[L1]),
                needed_by: Some(day(30)),
                patron_ref: patron_ref(),
                note_id: Some(note_id(1)),
            },
            routed(L1, 1),
        ]);
}

#[test]
fn routing_skips_suspended_and_non_lending_lenders() {
    let world = World::new();
    world
        .given_nothing()
        .when(by(staff(BOR), place(&[SUSP, NOLEND, L2, L3])))
        .then_expect_events(vec![
            placed(ServiceType::Loan, &[SUSP, NOLEND, L2, L3]),
            skipped(SUSP, 1, SkipReason::Suspended),
            skipped(NOLEND, 2, SkipReason::NotLending),
            routed(L2, 3),
        ]);
}

#[test]
fn routing_marks_a_non_lending_library_not_lending_even_when_suspended() {
    let world = World::new();
    world.directory.set(
        id(NOLEND),
        domain::LibraryStatus {
            lends: false,
            suspended: true,
        },
    );
    world
        .given_nothing()
        .when(by(staff(BOR), place(&[NOLEND, L1])))
        .then_expect_events(vec![
            placed(ServiceType::Loan, &[NOLEND, L1]),
            skipped(NOLEND, 1, SkipReason::NotLending),
            routed(L1, 2),
        ]);
}

#[test]
fn place_request_is_unfilled_when_no_lender_is_eligible() {
    let world = World::new();
    world
        .given_nothing()
        .when(by(staff(BOR), place(&[SUSP, NOLEND])))
        .then_expect_events(vec![
            placed(ServiceType::Loan, &[SUSP, NOLEND]),
            skipped(SUSP, 1, SkipReason::Suspended),
            skipped(NOLEND, 2, SkipReason::NotLending),
            E::RequestUnfilled {},
        ]);
    let history = vec![
        placed(ServiceType::Loan, &[SUSP, NOLEND]),
        skipped(SUSP, 1, SkipReason::Suspended),
        skipped(NOLEND, 2, SkipReason::NotLending),
        E::RequestUnfilled {},
    ];
    let state = domain::IllRequest::replay(history).state.unwrap();
    assert_eq!(state.status, S::Unfilled);
    assert_eq!(state.lender(), None);
    assert!(state.rota.iter().all(|s| s.outcome == RotaOutcome::Skipped));
}

#[test]
fn place_request_uses_the_clock_for_respond_by() {
    let world = World::new();
    world.advance(Duration::hours(7));
    let now = world.now();
    world
        .given_nothing()
        .when(by(staff(BOR), place(&[L1])))
        .then_expect_events(vec![
            placed(ServiceType::Loan, &[L1]),
            routed_at(L1, 1, now),
        ]);
}

#[test]
fn repeated_place_request_with_the_same_input_yields_no_events() {
    let world = World::new();
    world
        .given(requested())
        .when(by(staff(BOR), place(&[L1, L2])))
        .then_expect_events(vec![]);
    // Also once the request has moved on.
    world
        .given(history(S::Shipped))
        .when(by(staff(BOR), place(&[L1, L2])))
        .then_expect_events(vec![]);
}

#[test]
fn repeated_place_request_with_different_input_is_a_conflict() {
    let world = World::new();
    let base = || place_request(ServiceType::Loan, &[L1, L2]);
    let mut other_title = base();
    other_title.item.title = "Foucault's Pendulum".into();
    let mut other_rota = base();
    other_rota.lenders = entries(&[L2, L1]);
    let mut other_service = base();
    other_service.service_type = ServiceType::Copy;
    let mut other_needed_by = base();
    other_needed_by.needed_by = Some(day(10));
    let cases: [(&str, PlaceRequest); 4] = [
        ("title", other_title),
        ("rota", other_rota),
        ("service type", other_service),
        ("needed by", other_needed_by),
    ];
    for (what, input) in cases {
        let result = world.decide(&requested(), by(staff(BOR), Action::Place(input)));
        assert!(
            matches!(result, Err(DomainError::Conflict(_))),
            "different {what}: {result:?}"
        );
    }
}

#[test]
fn repeated_place_request_from_another_library_is_a_conflict() {
    let world = World::new();
    world
        .given(requested())
        .when(by(staff(OTHER), place(&[L1, L2])))
        .then_expect_error(DomainError::Conflict(
            "a different request was placed with this id".into(),
        ));
}

// ---------------------------------------------------------------------------
// The lender answers
// ---------------------------------------------------------------------------

#[test]
fn will_supply_from_requested() {
    let world = World::new();
    world
        .given(requested())
        .when(by(staff(L1), Action::WillSupply { note: None }))
        .then_expect_events(vec![will_supply(L1)]);
}

#[test]
fn will_supply_with_a_note_adds_it() {
    let world = World::new();
    world
        .given(requested())
        .when(by(
            staff(L1),
            Action::WillSupply {
                note: Some(note(5)),
            },
        ))
        .then_expect_events(vec![
            will_supply(L1),
            E::NoteAdded {
                note_id: note_id(5),
            },
        ]);
}

#[test]
fn propose_conditions_from_requested() {
    let world = World::new();
    world.advance(Duration::days(1));
    world
        .given(requested())
        .when(by(
            staff(L1),
            Action::ProposeConditions {
                condition: LoanCondition::NoReproduction,
                note: Some(note(2)),
            },
        ))
        .then_expect_events(vec![E::ConditionsProposed {
            lender: id(L1),
            condition: LoanCondition::NoReproduction,
            note_id: Some(note_id(2)),
            respond_by: test_epoch() + Duration::days(1) + window(),
        }]);
}

#[test]
fn accept_conditions_from_conditional() {
    let world = World::new();
    world
        .given(history(S::Conditional))
        .when(by(staff(BOR), Action::AcceptConditions))
        .then_expect_events(vec![E::ConditionsAccepted {}]);
    let state =
        domain::IllRequest::replay(with(history(S::Conditional), [E::ConditionsAccepted {}]))
            .state
            .unwrap();
    assert_eq!(state.status, S::WillSupply);
    assert_eq!(state.rota[0].outcome, RotaOutcome::Supplying);
}

#[test]
fn reject_conditions_routes_to_the_next_lender() {
    let world = World::new();
    world
        .given(history(S::Conditional))
        .when(by(staff(BOR), Action::RejectConditions { note: None }))
        .then_expect_events(vec![
            E::ConditionsRejected { lender: id(L1) },
            routed(L2, 2),
        ]);
}

#[test]
fn reject_conditions_with_a_note_adds_it_before_routing() {
    let world = World::new();
    world
        .given(history(S::Conditional))
        .when(by(
            staff(BOR),
            Action::RejectConditions {
                note: Some(note(3)),
            },
        ))
        .then_expect_events(vec![
            E::ConditionsRejected { lender: id(L1) },
            E::NoteAdded {
                note_id: note_id(3),
            },
            routed(L2, 2),
        ]);
}

#[test]
fn reject_conditions_at_the_last_lender_is_unfilled() {
    let world = World::new();
    let history = vec![
        placed(ServiceType::Loan, &[L1]),
        routed(L1, 1),
        proposed(L1),
    ];
    world
        .given(history.clone())
        .when(by(staff(BOR), Action::RejectConditions { note: None }))
        .then_expect_events(vec![
            E::ConditionsRejected { lender: id(L1) },
            E::RequestUnfilled {},
        ]);
    let state = domain::IllRequest::replay(with(
        history,
        [
            E::ConditionsRejected { lender: id(L1) },
            E::RequestUnfilled {},
        ],
    ))
    .state
    .unwrap();
    assert_eq!(state.status, S::Unfilled);
    assert_eq!(state.rota[0].outcome, RotaOutcome::Rejected);
}

#[test]
fn decline_from_requested_routes_to_the_next_lender() {
    let world = World::new();
    world
        .given(requested())
        .when(by(
            staff(L1),
            Action::Decline {
                reason: UnfilledReason::NotHeld,
                note: Some(note(4)),
            },
        ))
        .then_expect_events(vec![
            E::LenderDeclined {
                lender: id(L1),
                reason: UnfilledReason::NotHeld,
                note_id: Some(note_id(4)),
            },
            routed(L2, 2),
        ]);
}

#[test]
fn decline_from_will_supply_routes_to_the_next_lender() {
    let world = World::new();
    world
        .given(history(S::WillSupply))
        .when(by(
            staff(L1),
            Action::Decline {
                reason: UnfilledReason::PoorCondition,
                note: None,
            },
        ))
        .then_expect_events(vec![
            E::LenderDeclined {
                lender: id(L1),
                reason: UnfilledReason::PoorCondition,
                note_id: None,
            },
            routed(L2, 2),
        ]);
}

#[test]
fn decline_skips_ineligible_lenders_after_it_and_may_leave_the_request_unfilled() {
    let world = World::new();
    let history = vec![
        placed(ServiceType::Loan, &[L1, SUSP, NOLEND]),
        routed(L1, 1),
    ];
    world
        .given(history)
        .when(by(
            staff(L1),
            Action::Decline {
                reason: UnfilledReason::NonCirculating,
                note: None,
            },
        ))
        .then_expect_events(vec![
            E::LenderDeclined {
                lender: id(L1),
                reason: UnfilledReason::NonCirculating,
                note_id: None,
            },
            skipped(SUSP, 2, SkipReason::Suspended),
            skipped(NOLEND, 3, SkipReason::NotLending),
            E::RequestUnfilled {},
        ]);
}

/// Not in DESIGN.md's table (it routes a decline from WILL_SUPPLY to the
/// next lender): the domain treats a decline while the borrower's cancel is
/// pending as the end of the request, since the borrower no longer wants it.
#[test]
fn decline_while_a_cancel_is_pending_cancels_instead_of_routing() {
    let pending = with(
        history(S::WillSupply),
        [E::CancelRequested { note_id: None }],
    );
    World::new()
        .given(pending.clone())
        .when(by(
            staff(L1),
            Action::Decline {
                reason: UnfilledReason::NotOnShelf,
                note: None,
            },
        ))
        .then_expect_events(vec![declined(L1), E::RequestCancelled {}]);
    let state = domain::IllRequest::replay(with(pending, [declined(L1), E::RequestCancelled {}]))
        .state
        .unwrap();
    assert_eq!(state.status, S::Cancelled);
    assert_eq!(state.lender(), None);
    assert_eq!(state.rota[1].outcome, RotaOutcome::Pending);
}

#[test]
fn decline_records_the_reason_on_the_rota_slot() {
    let history = with(requested(), [declined(L1), routed(L2, 2)]);
    let state = domain::IllRequest::replay(history).state.unwrap();
    assert_eq!(state.status, S::Requested);
    assert_eq!(state.lender(), Some(&id(L2)));
    assert_eq!(state.rota[0].outcome, RotaOutcome::Declined);
    assert_eq!(state.rota[0].reason, Some(UnfilledReason::NotOnShelf));
    assert_eq!(state.rota[1].outcome, RotaOutcome::Waiting);
}

// ---------------------------------------------------------------------------
// The system: timeouts and suspension
// ---------------------------------------------------------------------------

#[test]
fn timeout_from_requested_moves_to_the_next_lender() {
    let world = World::new();
    world.advance(window() + Duration::seconds(1));
    let now = world.now();
    world
        .given(requested())
        .when(by(system(), Action::TimeOut))
        .then_expect_events(vec![
            E::LenderTimedOut { lender: id(L1) },
            routed_at(L2, 2, now),
        ]);
}

#[test]
fn timeout_at_the_last_lender_is_unfilled() {
    let world = World::new();
    world.advance(Duration::days(6));
    world
        .given(vec![placed(ServiceType::Loan, &[L1]), routed(L1, 1)])
        .when(by(system(), Action::TimeOut))
        .then_expect_events(vec![
            E::LenderTimedOut { lender: id(L1) },
            E::RequestUnfilled {},
        ]);
}

#[test]
fn timeout_from_conditional_rejects_the_conditions_as_the_system() {
    let world = World::new();
    world.advance(window() + Duration::seconds(1));
    let now = world.now();
    world
        .given(history(S::Conditional))
        .when(by(system(), Action::TimeOut))
        .then_expect_events(vec![
            E::ConditionsRejected { lender: id(L1) },
            routed_at(L2, 2, now),
        ]);
}

#[test]
fn timeout_counts_from_the_conditions_not_from_the_routing() {
    // Routed at the epoch, conditions proposed 3 days later: 6 days after the
    // epoch the lender's window has passed but the borrower's has not.
    let world = World::new();
    let history = with(
        requested(),
        [E::ConditionsProposed {
            lender: id(L1),
            condition: LoanCondition::SignatureRequired,
            note_id: None,
            respond_by: test_epoch() + Duration::days(3) + window(),
        }],
    );
    world.advance(Duration::days(6));
    world
        .given(history.clone())
        .when(by(system(), Action::TimeOut))
        .then_expect_error(DomainError::InvalidTransition {
            from: S::Conditional,
            command: "timeOut",
        });
    world.advance(Duration::days(3));
    world
        .given(history)
        .when(by(system(), Action::TimeOut))
        .then_expect_events(vec![
            E::ConditionsRejected { lender: id(L1) },
            routed_at(L2, 2, test_epoch() + Duration::days(9)),
        ]);
}

#[test]
fn suspension_skips_the_current_lender() {
    let world = World::new();
    world.set_suspended(L1, true);
    world
        .given(requested())
        .when(by(system(), Action::SkipSuspendedLender))
        .then_expect_events(vec![skipped(L1, 1, SkipReason::Suspended), routed(L2, 2)]);
    let state = domain::IllRequest::replay(with(
        requested(),
        [skipped(L1, 1, SkipReason::Suspended), routed(L2, 2)],
    ))
    .state
    .unwrap();
    assert_eq!(state.rota[0].outcome, RotaOutcome::Skipped);
    assert_eq!(state.lender(), Some(&id(L2)));
}

#[test]
fn suspension_of_the_last_eligible_lender_leaves_the_request_unfilled() {
    let world = World::new();
    world.set_suspended(L2, true);
    let history = with(requested(), [declined(L1), routed(L2, 2)]);
    world
        .given(history)
        .when(by(system(), Action::SkipSuspendedLender))
        .then_expect_events(vec![
            skipped(L2, 2, SkipReason::Suspended),
            E::RequestUnfilled {},
        ]);
}

// ---------------------------------------------------------------------------
// Supply
// ---------------------------------------------------------------------------

#[test]
fn ship_from_requested_and_from_will_supply() {
    let world = World::new();
    for status in [S::Requested, S::WillSupply] {
        world
            .given(history(status))
            .when(by(
                staff(L1),
                Action::Ship {
                    due_date: due(),
                    note: None,
                },
            ))
            .then_expect_events(vec![shipped(L1)]);
    }
}

#[test]
fn ship_with_a_note_adds_it_and_sets_the_due_date() {
    let world = World::new();
    world
        .given(requested())
        .when(by(
            staff(L1),
            Action::Ship {
                due_date: today(),
                note: Some(note(6)),
            },
        ))
        .then_expect_events(vec![
            E::ItemShipped {
                lender: id(L1),
                due_date: today(),
            },
            E::NoteAdded {
                note_id: note_id(6),
            },
        ]);
    let state = domain::IllRequest::replay(history(S::Shipped))
        .state
        .unwrap();
    assert_eq!(state.status, S::Shipped);
    assert_eq!(state.due_date, Some(due()));
    assert_eq!(state.rota[0].outcome, RotaOutcome::Supplying);
}

#[test]
fn deliver_copy_from_requested_and_from_will_supply() {
    let world = World::new();
    let will = with(requested_copy(), [will_supply(L1)]);
    for history in [requested_copy(), will] {
        world
            .given(history)
            .when(by(staff(L1), Action::DeliverCopy { note: None }))
            .then_expect_events(vec![E::CopyDelivered { lender: id(L1) }]);
    }
    assert_eq!(status_after(&history(S::Delivered)), S::Delivered);
}

// ---------------------------------------------------------------------------
// The borrower's side of a loan
// ---------------------------------------------------------------------------

#[test]
fn receive_from_shipped() {
    World::new()
        .given(history(S::Shipped))
        .when(by(staff(BOR), Action::Receive))
        .then_expect_events(vec![E::ItemReceived {}]);
}

#[test]
fn check_out_to_patron_from_received() {
    World::new()
        .given(history(S::Received))
        .when(by(staff(BOR), Action::CheckOutToPatron))
        .then_expect_events(vec![E::CheckedOutToPatron {}]);
}

#[test]
fn return_from_patron_from_received_and_from_checked_out() {
    let world = World::new();
    for status in [S::Received, S::CheckedOut] {
        world
            .given(history(status))
            .when(by(staff(BOR), Action::ReturnFromPatron))
            .then_expect_events(vec![E::ReturnedByPatron {}]);
    }
}

#[test]
fn ship_return_from_returned_by_patron() {
    World::new()
        .given(history(S::ReturnedByPatron))
        .when(by(staff(BOR), Action::ShipReturn))
        .then_expect_events(vec![E::ReturnShipped {}]);
}

#[test]
fn ship_return_ends_a_recall() {
    let history = with(
        history(S::ReturnedByPatron),
        [E::ItemRecalled { due_date: None }, E::ReturnShipped {}],
    );
    let state = domain::IllRequest::replay(history).state.unwrap();
    assert_eq!(state.status, S::ReturnShipped);
    assert!(!state.recalled);
}

#[test]
fn check_in_from_every_status_where_the_item_is_out_or_lost() {
    let world = World::new();
    for status in [
        S::Shipped,
        S::Received,
        S::CheckedOut,
        S::ReturnedByPatron,
        S::ReturnShipped,
        S::Lost,
    ] {
        world
            .given(history(status))
            .when(by(staff(L1), Action::CheckIn))
            .then_expect_events(vec![E::ItemCheckedIn { lender: id(L1) }]);
    }
    assert_eq!(status_after(&history(S::Completed)), S::Completed);
    let found = with(history(S::Lost), [E::ItemCheckedIn { lender: id(L1) }]);
    assert_eq!(status_after(&found), S::Completed);
}

// ---------------------------------------------------------------------------
// Renewals and recalls
// ---------------------------------------------------------------------------

#[test]
fn request_renewal_from_received_and_checked_out() {
    let world = World::new();
    for status in [S::Received, S::CheckedOut] {
        world
            .given(history(status))
            .when(by(staff(BOR), Action::RequestRenewal { until: None }))
            .then_expect_events(vec![E::RenewalRequested { until: None }]);
        world
            .given(history(status))
            .when(by(
                staff(BOR),
                Action::RequestRenewal {
                    until: Some(due() + Duration::days(1)),
                },
            ))
            .then_expect_events(vec![E::RenewalRequested {
                until: Some(due() + Duration::days(1)),
            }]);
    }
    let state = domain::IllRequest::replay(with(
        history(S::CheckedOut),
        [E::RenewalRequested { until: None }],
    ))
    .state
    .unwrap();
    assert!(state.renewal_pending());
    assert_eq!(state.status, S::CheckedOut);
}

#[test]
fn answer_renewal_grants_the_given_due_date() {
    let world = World::new();
    let history = with(
        history(S::CheckedOut),
        [E::RenewalRequested {
            until: Some(due() + Duration::days(7)),
        }],
    );
    world
        .given(history.clone())
        .when(by(
            staff(L1),
            Action::AnswerRenewal {
                approve: true,
                new_due_date: Some(due() + Duration::days(14)),
            },
        ))
        .then_expect_events(vec![E::RenewalGranted {
            due_date: due() + Duration::days(14),
        }]);
    let granted = with(
        history,
        [E::RenewalGranted {
            due_date: due() + Duration::days(14),
        }],
    );
    let state = domain::IllRequest::replay(granted).state.unwrap();
    assert_eq!(state.due_date, Some(due() + Duration::days(14)));
    assert!(!state.renewal_pending());
}

#[test]
fn answer_renewal_without_a_date_grants_the_requested_until() {
    World::new()
        .given(with(
            history(S::Received),
            [E::RenewalRequested {
                until: Some(due() + Duration::days(7)),
            }],
        ))
        .when(by(
            staff(L1),
            Action::AnswerRenewal {
                approve: true,
                new_due_date: None,
            },
        ))
        .then_expect_events(vec![E::RenewalGranted {
            due_date: due() + Duration::days(7),
        }]);
}

#[test]
fn answer_renewal_denied() {
    World::new()
        .given(with(
            history(S::Received),
            [E::RenewalRequested { until: None }],
        ))
        .when(by(
            staff(L1),
            Action::AnswerRenewal {
                approve: false,
                new_due_date: None,
            },
        ))
        .then_expect_events(vec![E::RenewalDenied {}]);
}

#[test]
fn recall_from_every_status_where_the_item_is_out() {
    let world = World::new();
    for status in [S::Shipped, S::Received, S::CheckedOut, S::ReturnedByPatron] {
        world
            .given(history(status))
            .when(by(
                staff(L1),
                Action::Recall {
                    due_date: None,
                    note: None,
                },
            ))
            .then_expect_events(vec![E::ItemRecalled { due_date: None }]);
    }
}

#[test]
fn recall_may_bring_the_due_date_forward_or_keep_it() {
    let world = World::new();
    for date in [today(), day(7), due()] {
        world
            .given(history(S::CheckedOut))
            .when(by(
                staff(L1),
                Action::Recall {
                    due_date: Some(date),
                    note: Some(note(9)),
                },
            ))
            .then_expect_events(vec![
                E::ItemRecalled {
                    due_date: Some(date),
                },
                E::NoteAdded {
                    note_id: note_id(9),
                },
            ]);
    }
    let state = domain::IllRequest::replay(with(
        history(S::CheckedOut),
        [E::ItemRecalled {
            due_date: Some(day(7)),
        }],
    ))
    .state
    .unwrap();
    assert!(state.recalled);
    assert_eq!(state.due_date, Some(day(7)));
}

#[test]
fn recall_with_a_pending_renewal_denies_it() {
    let world = World::new();
    let history = with(
        history(S::CheckedOut),
        [E::RenewalRequested { until: None }],
    );
    world
        .given(history.clone())
        .when(by(
            staff(L1),
            Action::Recall {
                due_date: Some(day(3)),
                note: None,
            },
        ))
        .then_expect_events(vec![
            E::ItemRecalled {
                due_date: Some(day(3)),
            },
            E::RenewalDenied {},
        ]);
    let state = domain::IllRequest::replay(with(
        history,
        [
            E::ItemRecalled {
                due_date: Some(day(3)),
            },
            E::RenewalDenied {},
        ],
    ))
    .state
    .unwrap();
    assert!(state.recalled);
    assert!(!state.renewal_pending());
}

// ---------------------------------------------------------------------------
// Cancelling
// ---------------------------------------------------------------------------

#[test]
fn cancel_from_requested_and_conditional_cancels_at_once() {
    let world = World::new();
    for status in [S::Requested, S::Conditional] {
        world
            .given(history(status))
            .when(by(staff(BOR), Action::Cancel { note: None }))
            .then_expect_events(vec![E::RequestCancelled {}]);
    }
    world
        .given(requested())
        .when(by(
            staff(BOR),
            Action::Cancel {
                note: Some(note(8)),
            },
        ))
        .then_expect_events(vec![
            E::RequestCancelled {},
            E::NoteAdded {
                note_id: note_id(8),
            },
        ]);
    assert_eq!(status_after(&history(S::Cancelled)), S::Cancelled);
}

#[test]
fn cancel_from_will_supply_asks_the_lender() {
    let world = World::new();
    world
        .given(history(S::WillSupply))
        .when(by(
            staff(BOR),
            Action::Cancel {
                note: Some(note(7)),
            },
        ))
        .then_expect_events(vec![E::CancelRequested {
            note_id: Some(note_id(7)),
        }]);
    let state = domain::IllRequest::replay(with(
        history(S::WillSupply),
        [E::CancelRequested { note_id: None }],
    ))
    .state
    .unwrap();
    assert_eq!(state.status, S::WillSupply);
    assert!(state.cancel_pending);
}

#[test]
fn answer_cancel_approved_cancels() {
    let pending = with(
        history(S::WillSupply),
        [E::CancelRequested { note_id: None }],
    );
    World::new()
        .given(pending.clone())
        .when(by(
            staff(L1),
            Action::AnswerCancel {
                approve: true,
                note: None,
            },
        ))
        .then_expect_events(vec![E::RequestCancelled {}]);
    let state = domain::IllRequest::replay(with(pending, [E::RequestCancelled {}]))
        .state
        .unwrap();
    assert_eq!(state.status, S::Cancelled);
    assert!(!state.cancel_pending);
}

#[test]
fn answer_cancel_refused_keeps_will_supply() {
    let pending = with(
        history(S::WillSupply),
        [E::CancelRequested { note_id: None }],
    );
    World::new()
        .given(pending.clone())
        .when(by(
            staff(L1),
            Action::AnswerCancel {
                approve: false,
                note: Some(note(11)),
            },
        ))
        .then_expect_events(vec![
            E::CancelRefused {},
            E::NoteAdded {
                note_id: note_id(11),
            },
        ]);
    let state = domain::IllRequest::replay(with(pending, [E::CancelRefused {}]))
        .state
        .unwrap();
    assert_eq!(state.status, S::WillSupply);
    assert!(!state.cancel_pending);
}

// ---------------------------------------------------------------------------
// Lost items
// ---------------------------------------------------------------------------

#[test]
fn declare_lost_by_the_borrower_while_the_item_is_out() {
    let world = World::new();
    for status in [S::Shipped, S::Received, S::CheckedOut, S::ReturnedByPatron] {
        world
            .given(history(status))
            .when(by(staff(BOR), Action::DeclareLost { note: None }))
            .then_expect_events(vec![E::ItemDeclaredLost { by: Side::Borrower }]);
    }
    assert_eq!(status_after(&history(S::Lost)), S::Lost);
}

#[test]
fn declare_lost_by_the_lender_once_return_shipped() {
    World::new()
        .given(history(S::ReturnShipped))
        .when(by(
            staff(L1),
            Action::DeclareLost {
                note: Some(note(12)),
            },
        ))
        .then_expect_events(vec![
            E::ItemDeclaredLost { by: Side::Lender },
            E::NoteAdded {
                note_id: note_id(12),
            },
        ]);
}

#[test]
fn declare_lost_by_the_lender_once_overdue() {
    let world = World::new();
    // The due date is day 21: on day 22 the item is overdue.
    world.advance(Duration::days(22));
    for status in [S::Shipped, S::Received, S::CheckedOut, S::ReturnedByPatron] {
        world
            .given(history(status))
            .when(by(staff(L1), Action::DeclareLost { note: None }))
            .then_expect_events(vec![E::ItemDeclaredLost { by: Side::Lender }]);
    }
}

#[test]
fn declare_lost_by_the_lender_is_refused_until_overdue() {
    let world = World::new();
    // On the due date itself the item is not yet overdue.
    world.advance(Duration::days(21));
    assert_eq!(world.today(), due());
    for status in [S::Shipped, S::Received, S::CheckedOut, S::ReturnedByPatron] {
        world
            .given(history(status))
            .when(by(staff(L1), Action::DeclareLost { note: None }))
            .then_expect_error(DomainError::InvalidTransition {
                from: status,
                command: "declareLost",
            });
    }
}

#[test]
fn a_coordinator_declares_lost_for_the_borrower_or_the_lender() {
    let world = World::new();
    world
        .given(history(S::CheckedOut))
        .when(by(coordinator(), Action::DeclareLost { note: None }))
        .then_expect_events(vec![E::ItemDeclaredLost { by: Side::Borrower }]);
    world
        .given(history(S::ReturnShipped))
        .when(by(coordinator(), Action::DeclareLost { note: None }))
        .then_expect_events(vec![E::ItemDeclaredLost { by: Side::Lender }]);
}

// ---------------------------------------------------------------------------
// Rerouting
// ---------------------------------------------------------------------------

#[test]
fn reroute_from_unfilled_routes_the_new_rota() {
    let world = World::new();
    world
        .given(history(S::Unfilled))
        .when(by(
            staff(BOR),
            Action::Reroute {
                lenders: entries(&[NOLEND, L3]),
            },
        ))
        .then_expect_events(vec![
            E::Rerouted {
                rota: entries(&[NOLEND, L3]),
            },
            skipped(NOLEND, 1, SkipReason::NotLending),
            routed(L3, 2),
        ]);
    let state = domain::IllRequest::replay(with(
        history(S::Unfilled),
        [
            E::Rerouted {
                rota: entries(&[NOLEND, L3]),
            },
            skipped(NOLEND, 1, SkipReason::NotLending),
            routed(L3, 2),
        ],
    ))
    .state
    .unwrap();
    assert_eq!(state.status, S::Requested);
    assert_eq!(state.lender(), Some(&id(L3)));
    assert_eq!(
        state.rota.iter().map(|s| s.outcome).collect::<Vec<_>>(),
        [RotaOutcome::Skipped, RotaOutcome::Waiting]
    );
}

#[test]
fn reroute_to_no_eligible_lender_is_unfilled_again() {
    World::new()
        .given(history(S::Unfilled))
        .when(by(
            staff(BOR),
            Action::Reroute {
                lenders: entries(&[SUSP]),
            },
        ))
        .then_expect_events(vec![
            E::Rerouted {
                rota: entries(&[SUSP]),
            },
            skipped(SUSP, 1, SkipReason::Suspended),
            E::RequestUnfilled {},
        ]);
}

#[test]
fn reroute_may_ask_earlier_lenders_again() {
    World::new()
        .given(history(S::Unfilled))
        .when(by(
            staff(BOR),
            Action::Reroute {
                lenders: entries(&[L2, L1]),
            },
        ))
        .then_expect_events(vec![
            E::Rerouted {
                rota: entries(&[L2, L1]),
            },
            routed(L2, 1),
        ]);
}

// ---------------------------------------------------------------------------
// Notes
// ---------------------------------------------------------------------------

#[test]
fn add_note_by_the_borrower_the_lender_an_earlier_lender_and_a_coordinator() {
    let world = World::new();
    // L1 declined and L2 is the current lender: both have been asked.
    let history = with(requested(), [declined(L1), routed(L2, 2)]);
    for (n, origin) in [
        (1, staff(BOR)),
        (2, staff(L2)),
        (3, staff(L1)),
        (4, coordinator()),
    ] {
        world
            .given(history.clone())
            .when(by(origin, Action::AddNote { note: note(n) }))
            .then_expect_events(vec![E::NoteAdded {
                note_id: note_id(n),
            }]);
    }
}

#[test]
fn add_note_in_every_status() {
    let world = World::new();
    for status in S::ALL {
        world
            .given(history(status))
            .when(by(staff(BOR), Action::AddNote { note: note(40) }))
            .then_expect_events(vec![E::NoteAdded {
                note_id: note_id(40),
            }]);
    }
}

#[test]
fn add_note_with_the_same_note_id_twice_yields_no_second_event() {
    let world = World::new();
    let once = with(
        requested(),
        [E::NoteAdded {
            note_id: note_id(1),
        }],
    );
    world
        .given(once.clone())
        .when(by(staff(BOR), Action::AddNote { note: note(1) }))
        .then_expect_events(vec![]);
    // Also from the other side, and for a note that came with another event.
    world
        .given(once)
        .when(by(staff(L1), Action::AddNote { note: note(1) }))
        .then_expect_events(vec![]);
    let mut input = place_request(ServiceType::Loan, &[L1]);
    input.note = Some(note(2));
    let placed_with_note = World::new()
        .decide(&[], by(staff(BOR), Action::Place(input)))
        .unwrap();
    world
        .given(placed_with_note)
        .when(by(staff(BOR), Action::AddNote { note: note(2) }))
        .then_expect_events(vec![]);
}

// ---------------------------------------------------------------------------
// Coordinators act for either side, with a reason
// ---------------------------------------------------------------------------

#[test]
fn a_coordinator_with_a_reason_acts_for_the_borrower_and_for_the_lender() {
    let world = World::new();
    world
        .given(history(S::Shipped))
        .when(by(coordinator(), Action::Receive))
        .then_expect_events(vec![E::ItemReceived {}]);
    world
        .given(requested())
        .when(by(admin(), Action::WillSupply { note: None }))
        .then_expect_events(vec![will_supply(L1)]);
}

#[test]
fn a_matching_expected_version_is_accepted() {
    let history = history(S::Shipped);
    let version = history.len() as u64;
    World::new()
        .given(history)
        .when(at(staff(BOR), version, Action::Receive))
        .then_expect_events(vec![E::ItemReceived {}]);
}

// ---------------------------------------------------------------------------
// The fixtures themselves
// ---------------------------------------------------------------------------

#[test]
fn every_fixture_history_reaches_its_status() {
    for situation in situations() {
        let request = domain::IllRequest::replay(situation.history.clone());
        let state = request.state.expect(situation.label);
        assert_eq!(state.status, situation.status, "{}", situation.label);
        assert_eq!(
            state.service_type, situation.service_type,
            "{}",
            situation.label
        );
        assert_eq!(
            state.cancel_pending, situation.cancel_pending,
            "{}",
            situation.label
        );
        assert_eq!(
            state.renewal_pending(),
            situation.renewal_pending,
            "{}",
            situation.label
        );
        assert_eq!(state.recalled, situation.recalled, "{}", situation.label);
        assert_eq!(request.version, situation.history.len() as u64);
    }
}

// ---------------------------------------------------------------------------
// What a client may offer
// ---------------------------------------------------------------------------

fn permitted(world: &World, history: &[RequestEvent], origin: Origin) -> Vec<&'static str> {
    let Origin::Person(actor) = origin else {
        panic!("people only")
    };
    domain::IllRequest::replay(history.to_vec()).permitted(&actor, &world.services)
}

#[test]
fn each_side_is_offered_only_its_own_commands() {
    let world = World::new();
    let requested = vec![placed(ServiceType::Loan, &[L1, L2]), routed(L1, 1)];
    assert_eq!(
        permitted(&world, &requested, staff(L1)),
        [
            "willSupply",
            "proposeConditions",
            "decline",
            "ship",
            "addNote"
        ]
    );
    assert_eq!(
        permitted(&world, &requested, staff(BOR)),
        ["cancel", "updateNeededBy", "addNote"]
    );
    // L2 is in the rota but not asked yet: it may read, nothing more.
    assert!(permitted(&world, &requested, staff(L2)).is_empty());
    assert!(permitted(&world, &requested, staff(OTHER)).is_empty());
}

#[test]
fn a_shipped_loan_offers_receiving_and_a_coordinator_either_side() {
    let world = World::new();
    let mut shipped = vec![placed(ServiceType::Loan, &[L1]), routed(L1, 1)];
    shipped.extend([
        E::LenderWillSupply { lender: id(L1) },
        E::ItemShipped {
            lender: id(L1),
            due_date: due(),
        },
    ]);
    assert_eq!(
        permitted(&world, &shipped, staff(BOR)),
        ["receive", "updateNeededBy", "declareLost", "addNote"]
    );
    assert_eq!(
        permitted(&world, &shipped, staff(L1)),
        ["recall", "checkIn", "addNote"]
    );
    assert_eq!(
        permitted(&world, &shipped, coordinator()),
        [
            "receive",
            "updateNeededBy",
            "recall",
            "checkIn",
            "declareLost",
            "addNote"
        ]
    );
    assert!(permitted(&world, &[], staff(BOR)).is_empty());
}
