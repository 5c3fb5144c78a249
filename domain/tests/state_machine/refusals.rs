//! Refusals: every command from every status that does not allow it, who may
//! not act, what may not be seen, every validation rule, and which error
//! wins when several apply (DESIGN.md, "Who may do what, and which error
//! wins").

use chrono::Duration;
use domain::testing::*;
use domain::{
    Action, DomainError, IllRequest, LibraryStatus, LoanCondition, RequestEvent as E,
    RequestStatus as S, ServiceType, SkipReason, UnfilledReason,
};

use crate::support::{situations, Situation};

// ---------------------------------------------------------------------------
// The allowed-set table, written from DESIGN.md's state machine
// ---------------------------------------------------------------------------

/// Who issues a command in the table tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Acting {
    /// A coordinator with a reason: may act for either side.
    Coordinator,
    /// Staff of the side the command belongs to.
    Borrower,
    Lender,
    System,
}

/// Whether DESIGN.md's state machine allows `action` in `s` (the clock
/// stands past the response window, before the due date, and the current
/// lender L1 is suspended).
fn allowed(action: &Action, s: &Situation, acting: Acting) -> bool {
    let st = s.status;
    let out = matches!(
        st,
        S::Shipped | S::Received | S::CheckedOut | S::ReturnedByPatron
    );
    let before_supply = matches!(st, S::Requested | S::WillSupply);
    match action {
        Action::Place(_) => unreachable!("placeRequest is not in the table"),
        Action::AcceptConditions | Action::RejectConditions { .. } => st == S::Conditional,
        Action::Receive => st == S::Shipped,
        Action::CheckOutToPatron => st == S::Received,
        Action::ReturnFromPatron => matches!(st, S::Received | S::CheckedOut),
        Action::ShipReturn => st == S::ReturnedByPatron,
        // "RECEIVED, CHECKED_OUT; not recalled, none pending"
        Action::RequestRenewal { .. } => {
            matches!(st, S::Received | S::CheckedOut) && !s.recalled && !s.renewal_pending
        }
        // REQUESTED, CONDITIONAL: cancelled at once; WILL_SUPPLY: asks the
        // lender, once.
        Action::Cancel { .. } => {
            matches!(st, S::Requested | S::Conditional)
                || (st == S::WillSupply && !s.cancel_pending)
        }
        Action::Reroute { .. } => st == S::Unfilled,
        Action::WillSupply { .. } | Action::ProposeConditions { .. } => st == S::Requested,
        Action::Decline { .. } => before_supply,
        // "ship (LOAN only) | REQUESTED, WILL_SUPPLY; no cancel pending"
        Action::Ship { .. } => {
            before_supply && s.service_type == ServiceType::Loan && !s.cancel_pending
        }
        Action::DeliverCopy { .. } => {
            before_supply && s.service_type == ServiceType::Copy && !s.cancel_pending
        }
        Action::AnswerRenewal { .. } => s.renewal_pending,
        // SHIPPED … RETURNED_BY_PATRON. The domain also refuses a second
        // recall while one stands (see the report: DESIGN.md's table does
        // not say so).
        Action::Recall { .. } => out && !s.recalled,
        Action::AnswerCancel { .. } => s.cancel_pending,
        // "SHIPPED … RETURN_SHIPPED, LOST"
        Action::CheckIn => out || matches!(st, S::ReturnShipped | S::Lost),
        // B: SHIPPED … RETURNED_BY_PATRON; L: RETURN_SHIPPED (nothing is
        // overdue here); a coordinator for either side.
        Action::DeclareLost { .. } => match acting {
            Acting::Borrower => out,
            Acting::Lender => st == S::ReturnShipped,
            Acting::Coordinator => out || st == S::ReturnShipped,
            Acting::System => false,
        },
        Action::AddNote { .. } => true,
        // Unanswered past the window (the clock is past it).
        Action::TimeOut => matches!(st, S::Requested | S::Conditional),
        // REQUESTED at a suspended library (L1 is suspended).
        Action::SkipSuspendedLender => st == S::Requested,
        // "any not ended"
        Action::UpdateNeededBy { .. } => !st.is_ended(),
        // No situation has a needed-by date (needed_by.rs covers expiry).
        Action::Expire => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Borrower,
    Lender,
    Either,
    System,
}

fn side_of(action: &Action) -> Side {
    match action {
        Action::Place(_)
        | Action::AcceptConditions
        | Action::RejectConditions { .. }
        | Action::Receive
        | Action::CheckOutToPatron
        | Action::ReturnFromPatron
        | Action::ShipReturn
        | Action::RequestRenewal { .. }
        | Action::Cancel { .. }
        | Action::Reroute { .. }
        | Action::UpdateNeededBy { .. } => Side::Borrower,
        Action::WillSupply { .. }
        | Action::ProposeConditions { .. }
        | Action::Decline { .. }
        | Action::Ship { .. }
        | Action::DeliverCopy { .. }
        | Action::AnswerRenewal { .. }
        | Action::Recall { .. }
        | Action::AnswerCancel { .. }
        | Action::CheckIn => Side::Lender,
        Action::DeclareLost { .. } | Action::AddNote { .. } => Side::Either,
        Action::TimeOut | Action::SkipSuspendedLender | Action::Expire => Side::System,
    }
}

/// One well-formed instance of every command but placeRequest, its dates
/// valid on day 6 (the due date is day 21).
fn every_command() -> Vec<Action> {
    vec![
        Action::AcceptConditions,
        Action::RejectConditions { note: None },
        Action::Receive,
        Action::CheckOutToPatron,
        Action::ReturnFromPatron,
        Action::ShipReturn,
        Action::RequestRenewal {
            until: Some(due() + Duration::days(14)),
        },
        Action::Cancel { note: None },
        Action::Reroute {
            lenders: entries(&[L2, L3]),
        },
        Action::WillSupply { note: None },
        Action::ProposeConditions {
            condition: LoanCondition::WatchLibraryUseOnly,
            note: None,
        },
        Action::Decline {
            reason: UnfilledReason::PolicyProblem,
            note: None,
        },
        Action::Ship {
            due_date: due(),
            note: None,
        },
        Action::DeliverCopy { note: None },
        Action::AnswerRenewal {
            approve: true,
            new_due_date: Some(due() + Duration::days(14)),
        },
        Action::Recall {
            due_date: Some(day(18)),
            note: None,
        },
        Action::AnswerCancel {
            approve: true,
            note: None,
        },
        Action::CheckIn,
        Action::DeclareLost { note: None },
        Action::AddNote { note: note(99) },
        Action::TimeOut,
        Action::SkipSuspendedLender,
        Action::UpdateNeededBy {
            needed_by: Some(day(10)),
        },
        Action::Expire,
    ]
}

/// Day 6 (past every fixture's response window, before the due date),
/// with L1's lending suspended.
fn table_world() -> World {
    let world = World::new();
    world.advance(Duration::days(6));
    world.set_suspended(L1, true);
    world
}

fn check_table(
    acting_for: impl Fn(&Action, &Situation) -> Option<(Acting, domain::Origin)>,
) -> usize {
    let world = table_world();
    let mut checked = 0;
    let mut failures = Vec::new();
    for situation in situations() {
        for action in every_command() {
            let Some((acting, origin)) = acting_for(&action, &situation) else {
                continue;
            };
            let name = action.name();
            let expect_ok = allowed(&action, &situation, acting);
            let result = world.decide(&situation.history, by(origin, action.clone()));
            checked += 1;
            let fine = match &result {
                Ok(events) => expect_ok && !events.is_empty(),
                Err(DomainError::InvalidTransition { from, command }) => {
                    !expect_ok && *from == situation.status && *command == name
                }
                Err(_) => false,
            };
            if !fine {
                failures.push(format!(
                    "{name} from {} as {acting:?}: expected {}, got {result:?}",
                    situation.label,
                    if expect_ok {
                        "events"
                    } else {
                        "InvalidTransition"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    checked
}

#[test]
fn every_command_from_every_status_as_a_coordinator_or_the_system() {
    let checked = check_table(|action, _| {
        Some(if side_of(action) == Side::System {
            (Acting::System, system())
        } else {
            (Acting::Coordinator, coordinator())
        })
    });
    assert_eq!(checked, situations().len() * every_command().len());
}

#[test]
fn every_command_from_every_status_as_the_side_it_belongs_to() {
    let checked = check_table(|action, situation| {
        let has_lender = IllRequest::replay(situation.history.clone())
            .state
            .unwrap()
            .lender()
            .is_some();
        match side_of(action) {
            Side::Borrower => Some((Acting::Borrower, staff(BOR))),
            Side::Lender if has_lender => Some((Acting::Lender, staff(L1))),
            Side::Lender => None,
            Side::System => Some((Acting::System, system())),
            Side::Either => Some((Acting::Borrower, staff(BOR))),
        }
    });
    assert!(checked > 300);
}

#[test]
fn declare_lost_and_add_note_from_every_status_as_the_lender() {
    let world = table_world();
    for situation in situations() {
        let state = IllRequest::replay(situation.history.clone()).state.unwrap();
        if state.lender().is_none() {
            continue;
        }
        for action in [
            Action::DeclareLost { note: None },
            Action::AddNote { note: note(98) },
        ] {
            let expect_ok = allowed(&action, &situation, Acting::Lender);
            let result = world.decide(&situation.history, by(staff(L1), action.clone()));
            if expect_ok {
                assert!(
                    result.is_ok(),
                    "{} from {}: {result:?}",
                    action.name(),
                    situation.label
                );
            } else {
                assert_eq!(
                    result,
                    Err(DomainError::InvalidTransition {
                        from: situation.status,
                        command: action.name()
                    }),
                    "{}",
                    situation.label
                );
            }
        }
    }
}

#[test]
fn timeout_is_refused_before_the_response_window_has_passed() {
    let world = World::new();
    world.advance(window() - Duration::seconds(1));
    for status in [S::Requested, S::Conditional] {
        world
            .given(history(status))
            .when(by(system(), Action::TimeOut))
            .then_expect_error(DomainError::InvalidTransition {
                from: status,
                command: "timeOut",
            });
    }
}

#[test]
fn timeout_is_refused_once_the_lender_has_answered() {
    let world = World::new();
    world.advance(Duration::days(30));
    for status in [S::WillSupply, S::Shipped] {
        world
            .given(history(status))
            .when(by(system(), Action::TimeOut))
            .then_expect_error(DomainError::InvalidTransition {
                from: status,
                command: "timeOut",
            });
    }
    // Conditions accepted: the borrower answered.
    world
        .given(with(history(S::Conditional), [E::ConditionsAccepted {}]))
        .when(by(system(), Action::TimeOut))
        .then_expect_error(DomainError::InvalidTransition {
            from: S::WillSupply,
            command: "timeOut",
        });
}

#[test]
fn skipping_a_lender_that_is_not_suspended_is_refused() {
    let world = World::new();
    world
        .given(requested())
        .when(by(system(), Action::SkipSuspendedLender))
        .then_expect_error(DomainError::InvalidTransition {
            from: S::Requested,
            command: "skipSuspendedLender",
        });
    // A suspended library that is no longer the current lender.
    world.set_suspended(L1, true);
    world
        .given(with(requested(), [declined(L1), routed(L2, 2)]))
        .when(by(system(), Action::SkipSuspendedLender))
        .then_expect_error(DomainError::InvalidTransition {
            from: S::Requested,
            command: "skipSuspendedLender",
        });
}

#[test]
fn a_second_cancel_while_one_is_pending_is_refused() {
    World::new()
        .given(with(
            history(S::WillSupply),
            [E::CancelRequested { note_id: None }],
        ))
        .when(by(staff(BOR), Action::Cancel { note: None }))
        .then_expect_error(DomainError::InvalidTransition {
            from: S::WillSupply,
            command: "cancel",
        });
}

#[test]
fn ship_and_deliver_copy_are_refused_for_the_other_service_type() {
    let world = World::new();
    world
        .given(requested_copy())
        .when(by(
            staff(L1),
            Action::Ship {
                due_date: due(),
                note: None,
            },
        ))
        .then_expect_error(DomainError::InvalidTransition {
            from: S::Requested,
            command: "ship",
        });
    world
        .given(requested())
        .when(by(staff(L1), Action::DeliverCopy { note: None }))
        .then_expect_error(DomainError::InvalidTransition {
            from: S::Requested,
            command: "deliverCopy",
        });
}

// ---------------------------------------------------------------------------
// Forbidden
// ---------------------------------------------------------------------------

fn assert_forbidden(world: &World, history: &[E], command: domain::RequestCommand) {
    let what = format!("{command:?}");
    let result = world.decide(history, command);
    assert!(
        matches!(result, Err(DomainError::Forbidden(_))),
        "{what}: expected Forbidden, got {result:?}"
    );
}

#[test]
fn the_borrower_may_not_act_for_the_lender() {
    let world = World::new();
    for action in every_command() {
        if side_of(&action) != Side::Lender {
            continue;
        }
        for situation in situations() {
            assert_forbidden(&world, &situation.history, by(staff(BOR), action.clone()));
        }
    }
}

#[test]
fn the_lender_may_not_act_for_the_borrower() {
    let world = World::new();
    for action in every_command() {
        if side_of(&action) != Side::Borrower {
            continue;
        }
        for status in [
            S::Requested,
            S::Conditional,
            S::WillSupply,
            S::Shipped,
            S::Received,
        ] {
            assert_forbidden(&world, &history(status), by(staff(L1), action.clone()));
        }
    }
}

#[test]
fn staff_of_a_rota_library_that_is_not_the_current_lender_may_not_act_as_lender() {
    let world = World::new();
    let lender_commands: Vec<Action> = every_command()
        .into_iter()
        .filter(|a| side_of(a) == Side::Lender)
        .collect();
    // L2 is in the rota but has not been asked.
    for action in &lender_commands {
        assert_forbidden(&world, &requested(), by(staff(L2), action.clone()));
    }
    // L1 declined; L2 is the current lender now.
    let moved_on = with(requested(), [declined(L1), routed(L2, 2)]);
    for action in &lender_commands {
        assert_forbidden(&world, &moved_on, by(staff(L1), action.clone()));
    }
    // Nor for the borrower, nor declare lost.
    assert_forbidden(&world, &history(S::Shipped), by(staff(L2), Action::Receive));
    assert_forbidden(
        &world,
        &history(S::ReturnShipped),
        by(staff(L2), Action::DeclareLost { note: None }),
    );
}

#[test]
fn a_rota_library_not_yet_asked_may_not_add_notes() {
    let world = World::new();
    assert_forbidden(
        &world,
        &requested(),
        by(staff(L2), Action::AddNote { note: note(1) }),
    );
    // Once asked it may, also after it declined.
    let asked = with(requested(), [declined(L1), routed(L2, 2)]);
    for lender in [L1, L2] {
        assert!(world
            .decide(&asked, by(staff(lender), Action::AddNote { note: note(1) }))
            .is_ok());
    }
}

#[test]
fn a_coordinator_without_a_reason_is_forbidden() {
    let world = World::new();
    let origins = [
        coordinator_without_reason(),
        coordinator_with_reason(""),
        coordinator_with_reason("   "),
        coordinator_with_reason(" \t\n "),
        admin_without_reason(),
    ];
    for origin in origins {
        assert_forbidden(
            &world,
            &requested(),
            by(origin.clone(), Action::WillSupply { note: None }),
        );
        assert_forbidden(
            &world,
            &history(S::Shipped),
            by(origin.clone(), Action::Receive),
        );
        assert_forbidden(
            &world,
            &requested(),
            by(origin.clone(), Action::AddNote { note: note(1) }),
        );
        // Even where the status would refuse the command.
        assert_forbidden(&world, &history(S::Completed), by(origin, Action::Receive));
    }
}

#[test]
fn only_the_system_times_out_or_skips_a_lender() {
    let world = World::new();
    world.advance(Duration::days(6));
    world.set_suspended(L1, true);
    for origin in [staff(BOR), staff(L1), staff(L2), coordinator(), admin()] {
        for action in [Action::TimeOut, Action::SkipSuspendedLender] {
            assert_forbidden(&world, &requested(), by(origin.clone(), action));
        }
    }
}

#[test]
fn the_system_does_not_place_requests() {
    World::new()
        .given_nothing()
        .when(by(system(), place(&[L1])))
        .then_expect_error(DomainError::Forbidden(
            "requests are placed by people".into(),
        ));
}

// ---------------------------------------------------------------------------
// Not found
// ---------------------------------------------------------------------------

#[test]
fn a_library_that_is_neither_borrower_nor_in_the_rota_gets_not_found() {
    let world = World::new();
    for situation in situations() {
        for action in every_command() {
            let result = world.decide(&situation.history, by(staff(OTHER), action.clone()));
            assert_eq!(
                result,
                Err(DomainError::NotFound),
                "{} from {}",
                action.name(),
                situation.label
            );
        }
    }
}

#[test]
fn a_library_dropped_from_the_rota_by_a_reroute_before_it_was_asked_gets_not_found() {
    let world = World::new();
    // L2 was in the first rota but skipped, never asked; the reroute names L3.
    let history = vec![
        placed(ServiceType::Loan, &[L1, L2]),
        routed(L1, 1),
        declined(L1),
        skipped(L2, 2, SkipReason::Suspended),
        E::RequestUnfilled {},
        E::Rerouted {
            rota: entries(&[L3]),
        },
        routed(L3, 1),
    ];
    assert_eq!(
        world.decide(&history, by(staff(L2), Action::AddNote { note: note(1) })),
        Err(DomainError::NotFound)
    );
    // L1 was asked: it still sees the request and may add notes.
    assert!(world
        .decide(&history, by(staff(L1), Action::AddNote { note: note(1) }))
        .is_ok());
}

#[test]
fn any_command_on_an_unplaced_request_is_not_found() {
    let world = World::new();
    for action in every_command() {
        for origin in [staff(BOR), staff(L1), coordinator(), admin(), system()] {
            let result = world.decide(&[], by(origin.clone(), action.clone()));
            assert_eq!(
                result,
                Err(DomainError::NotFound),
                "{} by {origin:?}",
                action.name()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

fn assert_bad_input(result: Result<Vec<E>, DomainError>, expected_field: &str) {
    match result {
        Err(DomainError::BadInput { field, .. }) => assert_eq!(field, expected_field),
        other => panic!("expected BadInput on {expected_field}, got {other:?}"),
    }
}

fn place_with(edit: impl FnOnce(&mut domain::PlaceRequest)) -> Action {
    let mut input = place_request(ServiceType::Loan, &[L1, L2]);
    edit(&mut input);
    Action::Place(input)
}

#[test]
fn place_request_with_an_empty_rota() {
    let world = World::new();
    assert_bad_input(
        world.decide(&[], by(staff(BOR), place_with(|p| p.lenders.clear()))),
        "lenders",
    );
}

#[test]
fn place_request_naming_a_lender_twice() {
    let world = World::new();
    assert_bad_input(
        world.decide(&[], by(staff(BOR), place(&[L1, L2, L1]))),
        "lenders",
    );
}

#[test]
fn place_request_with_the_borrower_in_its_own_rota() {
    let world = World::new();
    assert_bad_input(
        world.decide(&[], by(staff(BOR), place(&[L1, BOR]))),
        "lenders",
    );
}

#[test]
fn place_request_naming_an_unknown_library() {
    let world = World::new();
    assert_bad_input(
        world.decide(&[], by(staff(BOR), place(&[L1, UNKNOWN]))),
        "lenders",
    );
}

#[test]
fn place_request_with_more_than_thirty_lenders() {
    let world = World::new();
    let names: Vec<String> = (0..31).map(|i| format!("X{i}")).collect();
    for name in &names {
        world.directory.set(
            id(name),
            LibraryStatus {
                lends: true,
                suspended: false,
            },
        );
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_bad_input(world.decide(&[], by(staff(BOR), place(&refs))), "lenders");
    assert!(world
        .decide(&[], by(staff(BOR), place(&refs[..30])))
        .is_ok());
}

#[test]
fn place_request_with_a_blank_title() {
    let world = World::new();
    for title in ["", "   ", "\t\n"] {
        assert_bad_input(
            world.decide(
                &[],
                by(staff(BOR), place_with(|p| p.item.title = title.into())),
            ),
            "item.title",
        );
    }
}

#[test]
fn place_request_with_a_title_over_500_characters() {
    let world = World::new();
    assert_bad_input(
        world.decide(
            &[],
            by(staff(BOR), place_with(|p| p.item.title = "t".repeat(501))),
        ),
        "item.title",
    );
    // 500 characters are fine, counted as characters, not bytes.
    for title in ["t".repeat(500), "é".repeat(500)] {
        assert!(world
            .decide(&[], by(staff(BOR), place_with(|p| p.item.title = title)))
            .is_ok());
    }
}

#[test]
fn place_request_with_an_overlong_item_field_or_bad_patron_data() {
    let world = World::new();
    assert_bad_input(
        world.decide(
            &[],
            by(
                staff(BOR),
                place_with(|p| p.item.author = Some("a".repeat(501))),
            ),
        ),
        "item.author",
    );
    assert_bad_input(
        world.decide(
            &[],
            by(staff(BOR), place_with(|p| p.patron.barcode = "  ".into())),
        ),
        "patron.barcode",
    );
    assert_bad_input(
        world.decide(
            &[],
            by(
                staff(BOR),
                place_with(|p| p.patron.name = Some("n".repeat(201))),
            ),
        ),
        "patron.name",
    );
    assert_bad_input(
        world.decide(
            &[],
            by(
                staff(BOR),
                place_with(|p| p.patron.email = Some("e".repeat(255))),
            ),
        ),
        "patron.email",
    );
}

#[test]
fn place_request_needed_by_before_today() {
    let world = World::new();
    assert_bad_input(
        world.decide(
            &[],
            by(staff(BOR), place_with(|p| p.needed_by = Some(day(-1)))),
        ),
        "neededBy",
    );
    assert!(world
        .decide(
            &[],
            by(staff(BOR), place_with(|p| p.needed_by = Some(today())))
        )
        .is_ok());
}

#[test]
fn today_is_the_network_time_zone_date() {
    // At 09:30 UTC on 4 March it is still 3 March in Honolulu (UTC-10).
    let mut world = World::new();
    world.services.calendar = domain::Calendar::new(chrono_tz::Pacific::Honolulu);
    assert!(world
        .decide(
            &[],
            by(staff(BOR), place_with(|p| p.needed_by = Some(day(-1))))
        )
        .is_ok());
    assert_bad_input(
        world.decide(
            &[],
            by(staff(BOR), place_with(|p| p.needed_by = Some(day(-2)))),
        ),
        "neededBy",
    );
}

#[test]
fn a_note_over_2000_characters_or_blank() {
    let world = World::new();
    let long = "n".repeat(2001);
    assert_bad_input(
        world.decide(
            &requested(),
            by(
                staff(L1),
                Action::WillSupply {
                    note: Some(note_with_text(1, long.clone())),
                },
            ),
        ),
        "note",
    );
    assert_bad_input(
        world.decide(
            &requested(),
            by(
                staff(BOR),
                Action::AddNote {
                    note: note_with_text(1, long),
                },
            ),
        ),
        "text",
    );
    assert_bad_input(
        world.decide(
            &requested(),
            by(
                staff(BOR),
                Action::AddNote {
                    note: note_with_text(1, "  "),
                },
            ),
        ),
        "text",
    );
    assert_bad_input(
        world.decide(
            &[],
            by(
                staff(BOR),
                place_with(|p| p.note = Some(note_with_text(1, "x".repeat(2001)))),
            ),
        ),
        "note",
    );
    assert!(world
        .decide(
            &requested(),
            by(
                staff(BOR),
                Action::AddNote {
                    note: note_with_text(1, "n".repeat(2000)),
                },
            ),
        )
        .is_ok());
}

#[test]
fn a_coordinator_reason_over_1000_characters() {
    let world = World::new();
    assert_bad_input(
        world.decide(
            &requested(),
            by(
                coordinator_with_reason(&"r".repeat(1001)),
                Action::WillSupply { note: None },
            ),
        ),
        "coordinatorReason",
    );
}

#[test]
fn ship_with_a_due_date_before_today() {
    let world = World::new();
    assert_bad_input(
        world.decide(
            &requested(),
            by(
                staff(L1),
                Action::Ship {
                    due_date: day(-1),
                    note: None,
                },
            ),
        ),
        "dueDate",
    );
}

#[test]
fn renewal_until_not_after_the_current_due_date() {
    let world = World::new();
    for until in [due(), due() - Duration::days(1), today()] {
        assert_bad_input(
            world.decide(
                &history(S::CheckedOut),
                by(staff(BOR), Action::RequestRenewal { until: Some(until) }),
            ),
            "until",
        );
    }
    assert_bad_input(
        world.decide(
            &history(S::CheckedOut),
            by(
                staff(BOR),
                Action::RequestRenewal {
                    until: Some(day(-1)),
                },
            ),
        ),
        "until",
    );
}

#[test]
fn renewal_granted_with_a_due_date_not_after_the_current_one() {
    let world = World::new();
    let pending = with(history(S::Received), [E::RenewalRequested { until: None }]);
    for date in [due(), due() - Duration::days(1), day(-1)] {
        assert_bad_input(
            world.decide(
                &pending,
                by(
                    staff(L1),
                    Action::AnswerRenewal {
                        approve: true,
                        new_due_date: Some(date),
                    },
                ),
            ),
            "newDueDate",
        );
    }
}

#[test]
fn renewal_approved_without_a_date_when_the_request_named_none() {
    let world = World::new();
    let pending = with(history(S::Received), [E::RenewalRequested { until: None }]);
    assert_bad_input(
        world.decide(
            &pending,
            by(
                staff(L1),
                Action::AnswerRenewal {
                    approve: true,
                    new_due_date: None,
                },
            ),
        ),
        "newDueDate",
    );
}

#[test]
fn recall_with_a_due_date_later_than_the_current_one_or_before_today() {
    let world = World::new();
    assert_bad_input(
        world.decide(
            &history(S::Received),
            by(
                staff(L1),
                Action::Recall {
                    due_date: Some(due() + Duration::days(1)),
                    note: None,
                },
            ),
        ),
        "dueDate",
    );
    assert_bad_input(
        world.decide(
            &history(S::Received),
            by(
                staff(L1),
                Action::Recall {
                    due_date: Some(day(-1)),
                    note: None,
                },
            ),
        ),
        "dueDate",
    );
}

#[test]
fn reroute_with_a_bad_rota() {
    let world = World::new();
    let unfilled = history(S::Unfilled);
    for (lenders, why) in [
        (vec![], "empty"),
        (entries(&[L3, L3]), "twice"),
        (entries(&[L3, UNKNOWN]), "unknown"),
        (entries(&[L3, BOR]), "borrower"),
    ] {
        let result = world.decide(&unfilled, by(staff(BOR), Action::Reroute { lenders }));
        assert!(
            matches!(&result, Err(DomainError::BadInput { field, .. }) if field == "lenders"),
            "{why}: {result:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Which error wins
// ---------------------------------------------------------------------------

fn bad_ship() -> Action {
    Action::Ship {
        due_date: day(-1),
        note: None,
    }
}

#[test]
fn malformed_input_from_a_stranger_is_bad_input() {
    let world = World::new();
    assert_bad_input(
        world.decide(&requested(), at(staff(OTHER), 99, bad_ship())),
        "dueDate",
    );
    // Also on a request that does not exist.
    assert_bad_input(world.decide(&[], by(staff(OTHER), bad_ship())), "dueDate");
    // And from a coordinator without a reason.
    assert_bad_input(
        world.decide(&requested(), by(coordinator_without_reason(), bad_ship())),
        "dueDate",
    );
    // And a malformed repeat of placeRequest is BadInput, not Conflict.
    assert_bad_input(
        world.decide(
            &requested(),
            by(staff(BOR), place_with(|p| p.item.title.clear())),
        ),
        "item.title",
    );
}

#[test]
fn a_stranger_with_a_stale_version_gets_not_found() {
    let world = World::new();
    assert_eq!(
        world.decide(
            &requested(),
            at(staff(OTHER), 0, Action::WillSupply { note: None })
        ),
        Err(DomainError::NotFound)
    );
    // NotFound comes before the system-only rule too.
    assert_eq!(
        world.decide(&requested(), at(staff(OTHER), 0, Action::TimeOut)),
        Err(DomainError::NotFound)
    );
}

#[test]
fn the_wrong_side_with_a_stale_version_is_forbidden() {
    let world = World::new();
    assert_forbidden(
        &world,
        &requested(),
        at(staff(BOR), 0, Action::WillSupply { note: None }),
    );
    assert_forbidden(
        &world,
        &requested(),
        at(
            coordinator_without_reason(),
            0,
            Action::WillSupply { note: None },
        ),
    );
    // Wrong side, stale version and wrong status: still Forbidden.
    assert_forbidden(
        &world,
        &history(S::Completed),
        at(staff(L1), 0, Action::Receive),
    );
}

#[test]
fn a_stale_version_with_the_wrong_status_is_a_conflict() {
    let world = World::new();
    let history = history(S::Requested);
    let stale = history.len() as u64 - 1;
    let result = world.decide(&history, at(staff(BOR), stale, Action::Receive));
    assert!(
        matches!(result, Err(DomainError::Conflict(_))),
        "{result:?}"
    );
    // A version from the future is stale too.
    let result = world.decide(
        &history,
        at(staff(L1), 99, Action::WillSupply { note: None }),
    );
    assert!(
        matches!(result, Err(DomainError::Conflict(_))),
        "{result:?}"
    );
    // The right version and the wrong status: InvalidTransition.
    let current = history.len() as u64;
    assert_eq!(
        world.decide(&history, at(staff(BOR), current, Action::Receive)),
        Err(DomainError::InvalidTransition {
            from: S::Requested,
            command: "receive"
        })
    );
}

#[test]
fn a_stale_version_with_a_bad_state_dependent_value_is_a_conflict() {
    let world = World::new();
    let history = history(S::CheckedOut);
    let result = world.decide(
        &history,
        at(staff(BOR), 1, Action::RequestRenewal { until: Some(due()) }),
    );
    assert!(
        matches!(result, Err(DomainError::Conflict(_))),
        "{result:?}"
    );
}

#[test]
fn the_wrong_status_with_a_bad_state_dependent_value_is_an_invalid_transition() {
    let world = World::new();
    // requestRenewal from SHIPPED, with an until that is not after the due date.
    assert_eq!(
        world.decide(
            &history(S::Shipped),
            by(staff(BOR), Action::RequestRenewal { until: Some(due()) })
        ),
        Err(DomainError::InvalidTransition {
            from: S::Shipped,
            command: "requestRenewal"
        })
    );
    // recall from RETURN_SHIPPED, later than the due date.
    assert_eq!(
        world.decide(
            &history(S::ReturnShipped),
            by(
                staff(L1),
                Action::Recall {
                    due_date: Some(due() + Duration::days(3)),
                    note: None
                }
            )
        ),
        Err(DomainError::InvalidTransition {
            from: S::ReturnShipped,
            command: "recall"
        })
    );
    // answerRenewal approved without a date, with no renewal pending.
    assert_eq!(
        world.decide(
            &history(S::CheckedOut),
            by(
                staff(L1),
                Action::AnswerRenewal {
                    approve: true,
                    new_due_date: None
                }
            )
        ),
        Err(DomainError::InvalidTransition {
            from: S::CheckedOut,
            command: "answerRenewal"
        })
    );
    // reroute naming the borrower while the request is not UNFILLED.
    assert_eq!(
        world.decide(
            &requested(),
            by(
                staff(BOR),
                Action::Reroute {
                    lenders: entries(&[L3, BOR])
                }
            )
        ),
        Err(DomainError::InvalidTransition {
            from: S::Requested,
            command: "reroute"
        })
    );
}

#[test]
fn each_check_in_turn_with_one_more_problem_fixed() {
    // The lender ships on a stale version from the wrong status with a bad
    // date; fix one problem at a time and watch the next error surface.
    let world = World::new();
    let history = history(S::Shipped);
    let current = history.len() as u64;
    let ship = |due_date| Action::Ship {
        due_date,
        note: None,
    };
    assert_bad_input(
        world.decide(&history, at(staff(OTHER), 0, ship(day(-1)))),
        "dueDate",
    );
    assert_eq!(
        world.decide(&history, at(staff(OTHER), 0, ship(due()))),
        Err(DomainError::NotFound)
    );
    assert_forbidden(&world, &history, at(staff(L2), 0, ship(due())));
    assert!(matches!(
        world.decide(&history, at(staff(L1), 0, ship(due()))),
        Err(DomainError::Conflict(_))
    ));
    assert_eq!(
        world.decide(&history, at(staff(L1), current, ship(due()))),
        Err(DomainError::InvalidTransition {
            from: S::Shipped,
            command: "ship"
        })
    );
    assert!(world
        .decide(&requested(), at(staff(L1), 2, ship(due())))
        .is_ok());
}
