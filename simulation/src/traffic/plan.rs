//! What happens next to a request, and when: the borrower's, the lenders'
//! and the system's answers to each status, and the patron's loan.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::{
    Action, Clock, LibraryId, LoanCondition, Origin, RequestState, RequestStatus, ServiceType,
    UnfilledReason,
};

use crate::calendar::{business, business_window};
use crate::network::Member;
use crate::random::{Cumulative, Random};
use crate::shape::Kind;
use crate::shelves::Shelf;

use super::{hours, staff, Loan, Open, Simulation, Step};

impl Simulation<'_> {
    fn member(&self, id: &LibraryId) -> &Member {
        &self.members[self.index.get(id).copied().unwrap_or(0)]
    }

    /// What happens next to a request, and when; `None` once it has ended
    /// for good.
    pub(super) fn plan(&self, open: &mut Open) -> Option<Step> {
        use RequestStatus as S;
        let now = self.clock.now();
        let end = self.shape.end();
        let state = open.request.state.clone()?;
        let random = &mut open.random;
        let borrower = staff(&state.borrower);
        let lender_id = state.lender().cloned();
        let lender = lender_id.as_ref().map(staff);
        let copy = state.service_type == ServiceType::Copy;
        let today = self.services.calendar.date_of(now);
        let cancel_at = open.cancel_at.filter(|_| !state.cancel_pending);
        let step = |at, origin, action| Some(Step { at, origin, action });
        // The system acts a little after a due instant, but never after the
        // end when the instant is not: a request left waiting at the end is
        // not yet due.
        let system = |due: DateTime<Utc>, minutes: u64, action| {
            let at = due + Duration::minutes(minutes as i64);
            Some(Step {
                at: if due <= end { at.min(end) } else { at },
                origin: Origin::System,
                action,
            })
        };
        match state.status {
            S::Requested => {
                let (lender_id, lender) = (lender_id?, lender?);
                let member = self.member(&lender_id);
                let respond_by = state.respond_by?;
                let answers = !random.chance(member.silent);
                let answer_at = business(
                    now + hours(random.log_normal(member.answer_hours, 0.9)),
                    random,
                );
                let mut due = system(respond_by, random.below(30), Action::TimeOut)?;
                if answers && answer_at < respond_by {
                    let action = self.answer(random, member, open.shelf, copy, today);
                    due = Step {
                        at: answer_at,
                        origin: lender,
                        action,
                    };
                }
                if let Some((from, _)) = member
                    .suspended
                    .filter(|(from, _)| *from > now && *from < due.at)
                {
                    due = system(from, 10, Action::SkipSuspendedLender)?;
                }
                match cancel_at {
                    Some(at) if at < due.at => {
                        step(at.max(now), borrower, Action::Cancel { note: None })
                    }
                    _ => Some(due),
                }
            }
            S::Conditional => {
                let respond_by = state.respond_by?;
                let answer_at = business(now + hours(random.log_normal(36.0, 0.8)), random);
                let due = if random.chance(0.95) && answer_at < respond_by {
                    let action = if random.chance(0.8) {
                        Action::AcceptConditions
                    } else {
                        Action::RejectConditions { note: None }
                    };
                    Step {
                        at: answer_at,
                        origin: borrower.clone(),
                        action,
                    }
                } else {
                    system(respond_by, random.below(30), Action::TimeOut)?
                };
                match cancel_at {
                    Some(at) if at < due.at => {
                        step(at.max(now), borrower, Action::Cancel { note: None })
                    }
                    _ => Some(due),
                }
            }
            S::WillSupply if state.cancel_pending => {
                let at = business(now + hours(random.log_normal(10.0, 0.7)), random);
                let approve = random.chance(0.75);
                if !approve {
                    open.cancel_at = None;
                }
                step(
                    at,
                    lender?,
                    Action::AnswerCancel {
                        approve,
                        note: None,
                    },
                )
            }
            S::WillSupply => {
                let at = business(
                    now + hours(random.log_normal(if copy { 12.0 } else { 26.0 }, 0.7)),
                    random,
                );
                match cancel_at {
                    Some(cancel) if cancel < at => {
                        step(cancel.max(now), borrower, Action::Cancel { note: None })
                    }
                    _ if random.chance(0.04) => step(
                        at,
                        lender?,
                        Action::Decline {
                            reason: UnfilledReason::NotOnShelf,
                            note: None,
                        },
                    ),
                    _ => step(at, lender?, supply(copy, today, random)),
                }
            }
            S::Shipped if random.chance(0.002) => step(
                business(now + Duration::days(15), random),
                borrower,
                Action::DeclareLost { note: None },
            ),
            S::Shipped => step(
                business(now + transit(random), random),
                borrower,
                Action::Receive,
            ),
            S::Received if random.chance(0.05) => step(
                business(now + Duration::days(10 + random.below(5) as i64), random),
                borrower,
                Action::ReturnFromPatron,
            ),
            S::Received => step(
                business(now + hours(random.log_normal(30.0, 0.7)), random),
                borrower,
                Action::CheckOutToPatron,
            ),
            S::CheckedOut => self.on_loan(open, &state),
            S::ReturnedByPatron => step(
                business(now + hours(random.log_normal(30.0, 0.6)), random),
                borrower,
                Action::ShipReturn,
            ),
            S::ReturnShipped if random.chance(0.002) => step(
                business(now + Duration::days(25), random),
                lender?,
                Action::DeclareLost { note: None },
            ),
            S::ReturnShipped => step(
                business(now + transit(random), random),
                lender?,
                Action::CheckIn,
            ),
            S::Lost if random.chance(0.2) => step(
                business(now + Duration::days(15 + random.below(45) as i64), random),
                lender?,
                Action::CheckIn,
            ),
            S::Unfilled if !open.rerouted && random.chance(0.35) => {
                open.rerouted = true;
                let asked: BTreeSet<LibraryId> =
                    state.rota.iter().map(|s| s.library.clone()).collect();
                // An automatic rota is built when the reroute is made.
                let lenders = if open.automatic {
                    Vec::new()
                } else {
                    self.rota(random, open.title, &state.borrower, &asked)
                };
                if lenders.is_empty() && !open.automatic {
                    return None;
                }
                let at = business(now + hours(random.log_normal(30.0, 0.7)), random);
                step(at, borrower, Action::Reroute { lenders })
            }
            S::Lost | S::Unfilled | S::Completed | S::Delivered | S::Cancelled => None,
        }
    }

    /// A lender's answer when asked for a `shelf` item.
    fn answer(
        &self,
        random: &mut Random,
        member: &Member,
        shelf: Shelf,
        copy: bool,
        today: NaiveDate,
    ) -> Action {
        let supplies = member.willing * (0.75 + 0.25 * shelf.held_by(member.kind));
        if random.chance(0.05) {
            let condition = match (member.kind, random.below(4)) {
                (Kind::Special, 0 | 1) => LoanCondition::SpecCollSupervisionRequired,
                (_, 0) => LoanCondition::NoReproduction,
                (_, 1) => LoanCondition::SignatureRequired,
                _ => LoanCondition::LibraryUseOnly,
            };
            Action::ProposeConditions {
                condition,
                note: None,
            }
        } else if random.chance(supplies) {
            if !copy && random.chance(0.4) {
                Action::WillSupply { note: None }
            } else {
                supply(copy, today, random)
            }
        } else {
            Action::Decline {
                reason: decline_reason(random, member.kind, shelf),
                note: None,
            }
        }
    }

    /// An item out to the patron: the patron returns it, or asks to renew,
    /// or loses it; the lender may recall it.
    fn on_loan(&self, open: &mut Open, state: &RequestState) -> Option<Step> {
        let now = self.clock.now();
        let random = &mut open.random;
        let borrower = staff(&state.borrower);
        let lender = staff(state.lender()?);
        let due = state.due_date?;
        let (_, due_at) = business_window(due);
        let loan = open.loan.get_or_insert_with(|| {
            let mut loan = Loan {
                returns_at: now + hours(random.log_normal(16.0 * 24.0, 0.5)),
                renews_at: None,
                recalled_at: None,
                lost_at: None,
            };
            if random.chance(0.1) && due_at - Duration::days(3) > now {
                loan.renews_at = Some(business(due_at - Duration::days(3), random));
                loan.returns_at = loan
                    .returns_at
                    .max(due_at + Duration::days(2 + random.below(10) as i64));
            }
            if random.chance(0.015) {
                loan.recalled_at = Some(business(
                    now + Duration::days(2 + random.below(8) as i64),
                    random,
                ));
            }
            if random.chance(0.006) {
                let lost_at = business(
                    due_at + Duration::days(20 + random.below(20) as i64),
                    random,
                );
                loan.lost_at = Some(lost_at);
                loan.returns_at = lost_at + Duration::days(1);
            }
            loan
        });
        if state.renewal_pending() {
            let at = business(now + hours(random.log_normal(12.0, 0.7)), random);
            let approve = random.chance(0.85);
            if !approve {
                loan.returns_at = loan.returns_at.min(due_at + Duration::days(2));
            }
            return Some(Step {
                at,
                origin: lender,
                action: Action::AnswerRenewal {
                    approve,
                    new_due_date: None,
                },
            });
        }
        let mut next = Step {
            at: loan.returns_at.max(now),
            origin: borrower.clone(),
            action: Action::ReturnFromPatron,
        };
        if let Some(at) = loan.lost_at.filter(|at| *at < next.at) {
            next = Step {
                at,
                origin: borrower.clone(),
                action: Action::DeclareLost { note: None },
            };
        }
        let renews_at = loan.renews_at.filter(|at| *at < next.at && !state.recalled);
        let recalled_at = loan
            .recalled_at
            .filter(|at| *at < next.at && !state.recalled);
        match (renews_at, recalled_at) {
            (Some(at), recall) if recall.is_none_or(|r| at < r) => {
                loan.renews_at = None;
                let until = due.max(self.services.calendar.date_of(at)) + Duration::days(14);
                next = Step {
                    at,
                    origin: borrower,
                    action: Action::RequestRenewal { until: Some(until) },
                };
            }
            (_, Some(at)) => {
                loan.recalled_at = None;
                loan.returns_at = loan
                    .returns_at
                    .min(at + Duration::days(2 + random.below(5) as i64));
                let day = self.services.calendar.date_of(at);
                let due_date = (due >= day).then(|| due.min(day + Duration::days(7)));
                next = Step {
                    at,
                    origin: lender,
                    action: Action::Recall {
                        due_date,
                        note: None,
                    },
                };
            }
            _ => {}
        }
        Some(next)
    }
}

fn decline_reason(random: &mut Random, kind: Kind, shelf: Shelf) -> UnfilledReason {
    use UnfilledReason as R;
    const REASONS: [UnfilledReason; 7] = [
        R::NotHeld,
        R::NotOnShelf,
        R::NonCirculating,
        R::PoorCondition,
        R::PolicyProblem,
        R::NotAvailableForIll,
        R::Other,
    ];
    let weights: [f64; 7] = if kind == Kind::Special || shelf == Shelf::Local {
        [8.0, 12.0, 40.0, 10.0, 15.0, 10.0, 5.0]
    } else {
        [12.0, 36.0, 12.0, 5.0, 10.0, 16.0, 9.0]
    };
    REASONS[Cumulative::new(weights.into_iter()).pick(random)]
}

fn supply(copy: bool, today: NaiveDate, random: &mut Random) -> Action {
    if copy {
        Action::DeliverCopy { note: None }
    } else {
        let weeks = [3, 4, 4, 4, 6][random.below(5) as usize];
        Action::Ship {
            due_date: today + Duration::weeks(weeks),
            note: None,
        }
    }
}

/// Days on the courier.
fn transit(random: &mut Random) -> Duration {
    hours(random.log_normal(60.0, 0.35))
}
