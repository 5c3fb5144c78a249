//! A network driven through the real event store: libraries registered by
//! commands, a manual clock in a non-UTC zone, random steps interpreted
//! against each request's current state, and a naive reference computed
//! straight from the stored events to check the read models against.
//!
//! Each test file uses part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use cqrs_es::Aggregate;
use domain::library::LibraryRecord;
use domain::request::view::metadata_of;
use domain::testing::{self, test_epoch, BOR, L1, L2, L3, NET, NOLEND, OTHER};
pub use domain::testing::{admin, coordinator, id};
use domain::{
    Action, Calendar, DomainError, EventMetadata, HistoryEntry, IllRequest, InMemoryDirectory,
    Item, Library, LibraryChange, LibraryCommand, LibraryEvent, LibraryId, LibraryStatus,
    LoanCondition, ManualClock, Note, Origin, PatronInput, PlaceRequest, RequestCommand,
    RequestEvent, RequestServices, RequestStatus, RequestView, ServiceType, UnfilledReason,
};
use projections::queries::{
    self, BorrowingStats, LenderLoad, LendingStats, LibraryStats, MonthStats, QueueOrder,
    QueueQuery, Statistics, Unanswered,
};
use projections::QueueSide;
use store::vault::SideRows;
use store::{CommandError, Committed, Database, EventStore, Position, StoredEvent};
use uuid::Uuid;

/// Libraries that place requests (they lend as well): the fixture network's
/// borrower, its stranger and a lender.
pub const BORROWERS: [&str; 3] = [BOR, OTHER, L1];
/// Libraries that lend.
pub const LENDERS: [&str; 5] = [BOR, OTHER, L1, L2, L3];
/// Registered, but does not lend: skipped in every rota.
pub const NON_LENDING: &str = NOLEND;
/// Where coordinators and admins sit.
pub const NETWORK: &str = NET;

pub fn all_libraries() -> Vec<&'static str> {
    let mut all: Vec<&str> = LENDERS.to_vec();
    all.extend([NON_LENDING, NETWORK]);
    all
}

/// The staff of `library`, as the fixture network names them.
pub fn staff(library: &LibraryId) -> Origin {
    testing::staff(library.as_str())
}

/// The fixture epoch: 04:00 in New York, so a day's events fall on both
/// sides of local midnight once the clock moves on.
pub fn start() -> DateTime<Utc> {
    test_epoch()
}

pub fn calendar() -> Calendar {
    Calendar::new(chrono_tz::America::New_York)
}

pub struct World {
    pub db: Database,
    pub store: EventStore,
    pub clock: Arc<ManualClock>,
    pub directory: Arc<InMemoryDirectory>,
    pub services: RequestServices,
    pub calendar: Calendar,
    /// Every request placed, as its last command left it, in placing order.
    pub requests: Vec<(Uuid, IllRequest)>,
}

impl World {
    /// A world on `db` with the network registered.
    pub async fn new(db: Database) -> World {
        let clock = Arc::new(ManualClock::new(start()));
        let directory = Arc::new(InMemoryDirectory::new());
        let calendar = calendar();
        let services = RequestServices {
            clock: clock.clone(),
            calendar,
            response_window: testing::window(),
            directory: directory.clone(),
        };
        let world = World {
            store: EventStore::new(db.clone()),
            db,
            clock,
            directory,
            services,
            calendar,
            requests: Vec::new(),
        };
        for library in all_libraries() {
            let lends = library != NON_LENDING && library != NETWORK;
            world
                .library(
                    admin(),
                    library,
                    LibraryChange::Register {
                        id: id(library),
                        name: format!("Library {library}"),
                        lends,
                    },
                )
                .await
                .expect("register a library");
        }
        world
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.services.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Runs a library command and keeps routing's directory in step.
    pub async fn library(
        &self,
        origin: Origin,
        library: &str,
        change: LibraryChange,
    ) -> Result<(), CommandError<DomainError>> {
        let Origin::Person(actor) = origin.clone() else {
            unreachable!("people change libraries")
        };
        let metadata = EventMetadata::new(&origin, self.now(), Uuid::new_v4());
        let committed = self
            .store
            .execute::<Library>(library, LibraryCommand { actor, change }, &(), &metadata)
            .await?;
        if let Some(record) = committed.aggregate.registered {
            self.directory.set(
                record.id,
                LibraryStatus {
                    lends: record.lends,
                    suspended: record.suspended,
                },
            );
        }
        Ok(())
    }

    pub async fn place(
        &mut self,
        borrower: &LibraryId,
        lenders: Vec<LibraryId>,
        service_type: ServiceType,
    ) -> Uuid {
        let id = Uuid::new_v4();
        let action = Action::Place(PlaceRequest {
            patron_ref: Uuid::new_v4(),
            patron: PatronInput {
                barcode: "2100012345".into(),
                name: Some("A. Patron".into()),
                email: None,
            },
            item: Item::titled(format!("Title {}", self.requests.len())),
            service_type,
            lenders: lenders.into_iter().map(Into::into).collect(),
            needed_by: None,
            note: None,
        });
        self.act(id, staff(borrower), action)
            .await
            .expect("place a request");
        id
    }

    /// Runs a request command; remembers the request as it left it.
    pub async fn act(
        &mut self,
        id: Uuid,
        origin: Origin,
        action: Action,
    ) -> Result<Committed<IllRequest>, CommandError<DomainError>> {
        let metadata = EventMetadata::new(&origin, self.now(), Uuid::new_v4());
        let command = RequestCommand {
            origin,
            expected_version: None,
            action,
        };
        let committed = self
            .store
            .execute_with::<IllRequest>(
                &id.to_string(),
                command.clone(),
                &self.services,
                &metadata,
                SideRows::of(id, &command).as_ref(),
            )
            .await?;
        match self.requests.iter_mut().find(|(known, _)| *known == id) {
            Some((_, request)) => *request = committed.aggregate.clone(),
            None => self.requests.push((id, committed.aggregate.clone())),
        }
        Ok(committed)
    }

    /// One random step; refused commands are part of the game.
    pub async fn step(&mut self, step: &Step) {
        let outcome = match *step {
            Step::Place {
                borrower,
                rota,
                copy,
            } => {
                let borrower = id(BORROWERS[borrower as usize % BORROWERS.len()]);
                let lenders = rota_from(rota, &borrower);
                let service = if copy {
                    ServiceType::Copy
                } else {
                    ServiceType::Loan
                };
                self.place(&borrower, lenders, service).await;
                Ok(())
            }
            Step::Act {
                request,
                pick,
                coordinator: by_coordinator,
            } => {
                if self.requests.is_empty() {
                    return;
                }
                let (id, request) = self.requests[request as usize % self.requests.len()].clone();
                let Some(state) = &request.state else {
                    return;
                };
                let choices = self.choices(state, pick);
                let (party, action) = choices[pick as usize % choices.len()].clone();
                let origin = match party {
                    Party::System => Origin::System,
                    _ if by_coordinator => coordinator(),
                    Party::Borrower => staff(&state.borrower),
                    Party::Lender => match state.lender() {
                        Some(lender) => staff(lender),
                        None => return,
                    },
                };
                if let (Action::TimeOut, Some(by)) = (&action, state.respond_by) {
                    if self.now() < by {
                        self.clock.set(by + Duration::minutes(1));
                    }
                }
                self.act(id, origin, action).await.map(drop)
            }
            Step::Advance { minutes } => {
                self.advance(Duration::minutes(i64::from(minutes)));
                Ok(())
            }
            Step::Library { library, kind } => {
                let library = LENDERS[library as usize % LENDERS.len()];
                let change = match kind % 3 {
                    0 => LibraryChange::SetLendingSuspended(true),
                    1 => LibraryChange::SetLendingSuspended(false),
                    _ => LibraryChange::Update {
                        name: Some(format!("Library {library} ({})", self.now().timestamp())),
                        lends: None,
                    },
                };
                self.library(coordinator(), library, change).await
            }
        };
        match outcome {
            Ok(()) | Err(CommandError::Domain(_)) => {}
            Err(other) => panic!("{step:?}: {other}"),
        }
    }

    /// Commands that fit the request's state, and who gives them.
    fn choices(&self, state: &domain::RequestState, pick: u16) -> Vec<(Party, Action)> {
        use Party::{Borrower as B, Lender as L, System as S};
        use RequestStatus as St;
        let note = || {
            (pick % 4 == 0).then(|| Note {
                id: Uuid::new_v4(),
                text: "see the attached".into(),
            })
        };
        let reason = UnfilledReason::ALL[pick as usize % UnfilledReason::ALL.len()];
        let today = self.services.today();
        let due = state.due_date.unwrap_or(today).max(today);
        let supply = match state.service_type {
            ServiceType::Loan => Action::Ship {
                due_date: today + Duration::days(21),
                note: note(),
            },
            ServiceType::Copy => Action::DeliverCopy { note: note() },
        };
        let mut choices = vec![(
            B,
            Action::AddNote {
                note: Note {
                    id: Uuid::new_v4(),
                    text: "a note".into(),
                },
            },
        )];
        let lender_suspended = state
            .lender()
            .and_then(|l| domain::LibraryDirectory::lookup(&*self.directory, l))
            .is_some_and(|s| s.suspended);
        match state.status {
            St::Requested => {
                choices.extend([
                    (L, Action::WillSupply { note: note() }),
                    (
                        L,
                        Action::ProposeConditions {
                            condition: LoanCondition::LibraryUseOnly,
                            note: note(),
                        },
                    ),
                    (
                        L,
                        Action::Decline {
                            reason,
                            note: note(),
                        },
                    ),
                    (L, supply),
                    (B, Action::Cancel { note: note() }),
                    (S, Action::TimeOut),
                ]);
                if lender_suspended {
                    choices.push((S, Action::SkipSuspendedLender));
                }
            }
            St::Conditional => choices.extend([
                (B, Action::AcceptConditions),
                (B, Action::RejectConditions { note: note() }),
                (B, Action::Cancel { note: note() }),
                (S, Action::TimeOut),
            ]),
            St::WillSupply if state.cancel_pending => choices.extend([
                (
                    L,
                    Action::AnswerCancel {
                        approve: pick % 3 != 0,
                        note: note(),
                    },
                ),
                (L, Action::Decline { reason, note: None }),
            ]),
            St::WillSupply => choices.extend([
                (L, supply),
                (
                    L,
                    Action::Decline {
                        reason,
                        note: note(),
                    },
                ),
                (B, Action::Cancel { note: note() }),
            ]),
            St::Shipped | St::Received | St::CheckedOut | St::ReturnedByPatron => {
                choices.extend([
                    (L, Action::CheckIn),
                    (B, Action::DeclareLost { note: note() }),
                ]);
                if !state.recalled {
                    choices.push((
                        L,
                        Action::Recall {
                            due_date: None,
                            note: note(),
                        },
                    ));
                }
                match state.status {
                    St::Shipped => choices.push((B, Action::Receive)),
                    St::ReturnedByPatron => choices.push((B, Action::ShipReturn)),
                    _ => {
                        choices.push((B, Action::ReturnFromPatron));
                        if state.status == St::Received {
                            choices.push((B, Action::CheckOutToPatron));
                        }
                        if state.renewal_pending() {
                            choices.push((
                                L,
                                Action::AnswerRenewal {
                                    approve: pick % 2 == 0,
                                    new_due_date: None,
                                },
                            ));
                        } else {
                            choices.push((
                                B,
                                Action::RequestRenewal {
                                    until: Some(due + Duration::days(14)),
                                },
                            ));
                        }
                    }
                }
            }
            St::ReturnShipped => choices.extend([
                (L, Action::CheckIn),
                (L, Action::DeclareLost { note: None }),
            ]),
            St::Lost => choices.push((L, Action::CheckIn)),
            St::Unfilled => choices.push((
                B,
                Action::Reroute {
                    lenders: rota_from(pick, &state.borrower)
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                },
            )),
            St::Completed | St::Delivered | St::Cancelled => {}
        }
        choices
    }
}

/// Who gives a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Borrower,
    Lender,
    System,
}

/// One step of a random history.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    Place {
        borrower: u8,
        rota: u16,
        copy: bool,
    },
    Act {
        request: u8,
        pick: u16,
        coordinator: bool,
    },
    Advance {
        minutes: u32,
    },
    Library {
        library: u8,
        kind: u8,
    },
}

/// One to three lenders (the non-lending library sometimes among them), never
/// the borrower, chosen by the bits of `bits`.
pub fn rota_from(bits: u16, borrower: &LibraryId) -> Vec<LibraryId> {
    let mut pool: Vec<LibraryId> = LENDERS
        .iter()
        .chain([&NON_LENDING])
        .map(|l| id(l))
        .filter(|l| l != borrower)
        .collect();
    let mut rota = Vec::new();
    let mut bits = u32::from(bits);
    let len = 1 + (bits % 3) as usize;
    bits /= 3;
    while rota.len() < len && !pool.is_empty() {
        let i = bits as usize % pool.len();
        bits /= pool.len() as u32;
        rota.push(pool.remove(i));
    }
    rota
}

/// Every event committed so far, in global order. On PostgreSQL the last
/// ones may wait behind another test's open transaction (the horizon is
/// cluster-wide): read until the head.
pub async fn all_events(db: &Database) -> Vec<StoredEvent> {
    let head = store::log::head(db)
        .await
        .expect("the head")
        .unwrap_or_default();
    let mut events = Vec::new();
    let mut after = Position::START;
    while after < head {
        let batch = store::log::read_after(db, after, 1000)
            .await
            .expect("read the log");
        match batch.last() {
            Some(last) => after = last.position,
            None => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
        }
        events.extend(batch);
    }
    events
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Metric {
    Placed,
    Filled,
    Unfilled,
    Cancelled,
    Received,
    Shipped,
    Declined(UnfilledReason),
    TimedOut,
}

struct Fact {
    day: NaiveDate,
    library: LibraryId,
    metric: Metric,
}

struct Turnaround {
    day: NaiveDate,
    library: LibraryId,
    receive: bool,
    micros: i64,
}

/// What the read models should say, computed naively from the events.
pub struct Reference {
    pub views: BTreeMap<Uuid, RequestView>,
    pub histories: BTreeMap<Uuid, Vec<HistoryEntry>>,
    pub libraries: BTreeMap<LibraryId, LibraryRecord>,
    facts: Vec<Fact>,
    turnarounds: Vec<Turnaround>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The latest `occurred_at`.
    pub last_at: DateTime<Utc>,
}

impl Reference {
    pub fn from_events(events: &[StoredEvent], calendar: &Calendar) -> Reference {
        let mut reference = Reference {
            views: BTreeMap::new(),
            histories: BTreeMap::new(),
            libraries: BTreeMap::new(),
            facts: Vec::new(),
            turnarounds: Vec::new(),
            first_day: NaiveDate::MAX,
            last_day: NaiveDate::MIN,
            last_at: DateTime::<Utc>::MIN_UTC,
        };
        let mut libraries: BTreeMap<LibraryId, Library> = BTreeMap::new();
        // Per request: when it was placed and when its lender was last asked.
        let mut clocks: HashMap<Uuid, (DateTime<Utc>, Option<DateTime<Utc>>)> = HashMap::new();
        for stored in events {
            let map: HashMap<String, String> =
                serde_json::from_value(stored.metadata.clone()).unwrap();
            let metadata = metadata_of(&map).unwrap();
            let at = metadata.occurred_at;
            let day = calendar.date_of(at);
            reference.first_day = reference.first_day.min(day);
            reference.last_day = reference.last_day.max(day);
            reference.last_at = reference.last_at.max(at);
            if stored.aggregate_type == "Library" {
                let event: LibraryEvent = serde_json::from_value(stored.payload.clone()).unwrap();
                libraries
                    .entry(id(&stored.aggregate_id))
                    .or_default()
                    .apply(event);
                continue;
            }
            let request_id: Uuid = stored.aggregate_id.parse().unwrap();
            let event: RequestEvent = serde_json::from_value(stored.payload.clone()).unwrap();
            reference
                .histories
                .entry(request_id)
                .or_default()
                .push(HistoryEntry::new(stored.sequence as u64, &event, metadata));
            let before = reference.views.remove(&request_id);
            let borrower = before.as_ref().map(|v| v.state.borrower.clone());
            let mut view = before;
            RequestView::fold(&mut view, request_id, event.clone(), at);
            reference.views.insert(request_id, view.clone().unwrap());
            let borrower = borrower.unwrap_or_else(|| view.unwrap().state.borrower);
            let (placed_at, routed_at) = clocks.entry(request_id).or_insert((at, None));
            let mut fact = |library: &LibraryId, metric| {
                reference.facts.push(Fact {
                    day,
                    library: library.clone(),
                    metric,
                })
            };
            let mut turnaround = |library: &LibraryId, receive, since: DateTime<Utc>| {
                reference.turnarounds.push(Turnaround {
                    day,
                    library: library.clone(),
                    receive,
                    micros: (at - since).num_microseconds().unwrap(),
                })
            };
            match &event {
                RequestEvent::RequestPlaced { .. } => fact(&borrower, Metric::Placed),
                RequestEvent::RequestRouted { lender, .. } => {
                    *routed_at = Some(at);
                    fact(lender, Metric::Received);
                }
                RequestEvent::ItemShipped { lender, .. } => {
                    fact(lender, Metric::Shipped);
                    turnaround(lender, false, routed_at.unwrap());
                }
                RequestEvent::CopyDelivered { lender } => {
                    fact(lender, Metric::Shipped);
                    fact(&borrower, Metric::Filled);
                    turnaround(lender, false, routed_at.unwrap());
                    turnaround(&borrower, true, *placed_at);
                }
                RequestEvent::ItemReceived {} => {
                    fact(&borrower, Metric::Filled);
                    turnaround(&borrower, true, *placed_at);
                }
                RequestEvent::RequestUnfilled {} => fact(&borrower, Metric::Unfilled),
                RequestEvent::RequestCancelled {} => fact(&borrower, Metric::Cancelled),
                RequestEvent::LenderDeclined { lender, reason, .. } => {
                    fact(lender, Metric::Declined(*reason));
                }
                RequestEvent::LenderTimedOut { lender } => fact(lender, Metric::TimedOut),
                _ => {}
            }
        }
        reference.libraries = libraries
            .into_values()
            .filter_map(|l| l.registered)
            .map(|r| (r.id.clone(), r))
            .collect();
        reference
    }

    /// The queue, every page of it, oldest first.
    pub fn queue(
        &self,
        library: &LibraryId,
        side: QueueSide,
        statuses: Option<&[RequestStatus]>,
    ) -> Vec<&RequestView> {
        let mut queue: Vec<&RequestView> = self
            .views
            .values()
            .filter(|v| match side {
                QueueSide::Borrowing => &v.state.borrower == library,
                QueueSide::Lending => v.state.lender() == Some(library),
            })
            .filter(|v| match statuses {
                Some(statuses) => statuses.contains(&v.state.status),
                None => !v.state.status.is_ended(),
            })
            .collect();
        queue.sort_by_key(|v| (v.updated_at, v.id));
        queue
    }

    /// Requests whose answer was due by `now`, most overdue first, with who
    /// must answer.
    pub fn unanswered(&self, now: DateTime<Utc>) -> Vec<Unanswered> {
        let mut due: Vec<(DateTime<Utc>, Uuid, Option<LibraryId>)> = self
            .views
            .values()
            .filter_map(|v| {
                let answering = match v.state.status {
                    RequestStatus::Requested => v.state.lender().cloned(),
                    RequestStatus::Conditional => Some(v.state.borrower.clone()),
                    _ => return None,
                };
                let by = v.state.respond_by.filter(|by| *by <= now)?;
                Some((by, v.id, answering))
            })
            .collect();
        due.sort();
        due.into_iter()
            .map(|(respond_by, id, answering)| Unanswered {
                id,
                answering,
                respond_by,
            })
            .collect()
    }

    pub fn counts(&self, library: &LibraryId, side: QueueSide) -> Vec<(RequestStatus, i64)> {
        let mut counts: BTreeMap<RequestStatus, i64> = BTreeMap::new();
        for view in self.queue(library, side, None) {
            *counts.entry(view.state.status).or_default() += 1;
        }
        counts.into_iter().collect()
    }

    /// What the automatic rota weighs for every library: shipped and filled
    /// over `from..=to`, and the requests waiting at it now as their current
    /// lender.
    pub fn lender_loads(&self, from: NaiveDate, to: NaiveDate) -> BTreeMap<LibraryId, LenderLoad> {
        let mut loads: BTreeMap<LibraryId, LenderLoad> = all_libraries()
            .into_iter()
            .map(|l| (id(l), LenderLoad::default()))
            .collect();
        for fact in self.facts.iter().filter(|f| from <= f.day && f.day <= to) {
            let load = loads
                .get_mut(&fact.library)
                .expect("a library of the network");
            match fact.metric {
                Metric::Shipped => load.lent += 1,
                Metric::Filled => load.borrowed += 1,
                _ => {}
            }
        }
        for view in self.views.values() {
            if let Some(lender) = view.state.lender() {
                if view.state.status.waits_at_lender() {
                    loads
                        .get_mut(lender)
                        .expect("a library of the network")
                        .waiting += 1;
                }
            }
        }
        loads
    }

    pub fn statistics(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        library: Option<&LibraryId>,
    ) -> Statistics {
        let in_range = |day: &NaiveDate| from <= *day && *day <= to;
        let facts: Vec<&Fact> = self.facts.iter().filter(|f| in_range(&f.day)).collect();
        let count = |library: Option<&LibraryId>, metric: &dyn Fn(Metric) -> bool| {
            facts
                .iter()
                .filter(|f| library.is_none_or(|l| &f.library == l) && metric(f.metric))
                .count() as i64
        };
        let medians = |library: Option<&LibraryId>, receive: bool| {
            median(
                self.turnarounds
                    .iter()
                    .filter(|t| in_range(&t.day) && t.receive == receive)
                    .filter(|t| library.is_none_or(|l| &t.library == l))
                    .map(|t| t.micros)
                    .collect(),
            )
        };
        let borrowing = |library: Option<&LibraryId>| {
            let filled = count(library, &|m| m == Metric::Filled);
            let unfilled = count(library, &|m| m == Metric::Unfilled);
            BorrowingStats {
                placed: count(library, &|m| m == Metric::Placed),
                filled,
                unfilled,
                cancelled: count(library, &|m| m == Metric::Cancelled),
                fill_rate: ratio(filled, filled + unfilled),
                median_days_to_receive: medians(library, true),
            }
        };
        let declines = |library: Option<&LibraryId>| {
            UnfilledReason::ALL
                .into_iter()
                .map(|r| (r, count(library, &|m| m == Metric::Declined(r))))
                .filter(|(_, n)| *n > 0)
                .collect::<Vec<_>>()
        };
        let active: BTreeSet<&LibraryId> = facts
            .iter()
            .map(|f| &f.library)
            .filter(|l| library.is_none_or(|wanted| wanted == *l))
            .collect();
        let libraries = active
            .into_iter()
            .map(|l| {
                let borrowing = borrowing(Some(l));
                let shipped = count(Some(l), &|m| m == Metric::Shipped);
                let declined = count(Some(l), &|m| matches!(m, Metric::Declined(_)));
                let timed_out = count(Some(l), &|m| m == Metric::TimedOut);
                LibraryStats {
                    library: self.libraries[l].clone(),
                    lend_borrow_ratio: ratio(shipped, borrowing.filled),
                    borrowing,
                    lending: LendingStats {
                        received: count(Some(l), &|m| m == Metric::Received),
                        shipped,
                        declined,
                        declined_by_reason: declines(Some(l)),
                        timed_out,
                        fill_rate: ratio(shipped, shipped + declined + timed_out),
                        median_days_to_ship: medians(Some(l), false),
                    },
                }
            })
            .collect();
        let mut monthly = Vec::new();
        let mut month = from.with_day(1).unwrap();
        while from <= to && month <= to {
            let same_month =
                |f: &&&Fact| (f.day.year(), f.day.month()) == (month.year(), month.month());
            let n = |metric: Metric| {
                facts
                    .iter()
                    .filter(same_month)
                    .filter(|f| f.metric == metric)
                    .count() as i64
            };
            monthly.push(MonthStats {
                month: month.format("%Y-%m").to_string(),
                placed: n(Metric::Placed),
                filled: n(Metric::Filled),
                unfilled: n(Metric::Unfilled),
                shipped: n(Metric::Shipped),
            });
            month = month.checked_add_months(chrono::Months::new(1)).unwrap();
        }
        Statistics {
            from,
            to,
            network: borrowing(None),
            declined_by_reason: declines(None),
            libraries,
            monthly,
        }
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn median(mut micros: Vec<i64>) -> Option<f64> {
    micros.sort();
    let n = micros.len();
    if n == 0 {
        return None;
    }
    let middle = if n % 2 == 1 {
        micros[n / 2] as f64
    } else {
        (micros[n / 2 - 1] + micros[n / 2]) as f64 / 2.0
    };
    Some(middle / 86_400_000_000.0)
}

fn close(actual: Option<f64>, expected: Option<f64>) -> bool {
    match (actual, expected) {
        (None, None) => true,
        (Some(a), Some(e)) => (a - e).abs() <= 1e-9 * e.abs().max(1.0),
        _ => false,
    }
}

fn assert_borrowing(actual: &BorrowingStats, expected: &BorrowingStats, what: &str) {
    let ints = |s: &BorrowingStats| (s.placed, s.filled, s.unfilled, s.cancelled);
    assert_eq!(ints(actual), ints(expected), "{what}: borrowing counts");
    assert!(
        close(actual.fill_rate, expected.fill_rate),
        "{what}: fill rate {actual:?} {expected:?}"
    );
    assert!(
        close(
            actual.median_days_to_receive,
            expected.median_days_to_receive
        ),
        "{what}: median days to receive {actual:?} {expected:?}"
    );
}

pub fn assert_statistics(actual: &Statistics, expected: &Statistics) {
    let what = format!("statistics {}..{}", expected.from, expected.to);
    assert_eq!((actual.from, actual.to), (expected.from, expected.to));
    assert_borrowing(
        &actual.network,
        &expected.network,
        &format!("{what} network"),
    );
    assert_eq!(
        actual.declined_by_reason, expected.declined_by_reason,
        "{what}"
    );
    assert_eq!(actual.monthly, expected.monthly, "{what}");
    let ids = |s: &Statistics| {
        s.libraries
            .iter()
            .map(|l| l.library.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(actual), ids(expected), "{what}: libraries");
    for (a, e) in actual.libraries.iter().zip(&expected.libraries) {
        let what = format!("{what} {}", e.library.id);
        assert_borrowing(&a.borrowing, &e.borrowing, &what);
        let ints = |l: &LendingStats| (l.received, l.shipped, l.declined, l.timed_out);
        assert_eq!(ints(&a.lending), ints(&e.lending), "{what}: lending counts");
        assert_eq!(
            a.lending.declined_by_reason, e.lending.declined_by_reason,
            "{what}"
        );
        assert!(
            close(a.lending.fill_rate, e.lending.fill_rate),
            "{what}: lending fill rate"
        );
        assert!(
            close(a.lending.median_days_to_ship, e.lending.median_days_to_ship),
            "{what}: median days to ship {:?} {:?}",
            a.lending.median_days_to_ship,
            e.lending.median_days_to_ship
        );
        assert!(
            close(a.lend_borrow_ratio, e.lend_borrow_ratio),
            "{what}: lend/borrow"
        );
    }
}

/// Walks every page of a queue, `page` at a time.
pub async fn walk(
    db: &Database,
    library: &LibraryId,
    side: QueueSide,
    statuses: Option<Vec<RequestStatus>>,
    page: u32,
) -> (Vec<RequestView>, i64) {
    let mut query = QueueQuery {
        library: library.clone(),
        side,
        statuses,
        order: QueueOrder::Updated,
        first: page,
        after: None,
    };
    let mut views = Vec::new();
    loop {
        let result = queries::queue(db, &query).await.expect("a queue page");
        assert!(result.edges.len() <= page as usize);
        let total = result.total_count;
        query.after = result.edges.last().map(|(cursor, _)| cursor.clone());
        views.extend(result.edges.into_iter().map(|(_, view)| view));
        if !result.has_next_page {
            return (views, total);
        }
    }
}

/// Every read model against the reference: request views and histories,
/// the directory, every queue and its counts, and statistics over a few
/// ranges (`days` picks them).
pub async fn assert_read_models(db: &Database, reference: &Reference, days: (u16, u16)) {
    for (id, view) in &reference.views {
        assert_eq!(
            queries::request(db, *id).await.unwrap().as_ref(),
            Some(view),
            "request {id}"
        );
        assert_eq!(
            &queries::history(db, *id).await.unwrap(),
            &reference.histories[id],
            "history of {id}"
        );
    }
    let libraries: Vec<LibraryRecord> = reference.libraries.values().cloned().collect();
    assert_eq!(queries::libraries(db).await.unwrap(), libraries);

    let subsets: [Option<&[RequestStatus]>; 3] = [
        None,
        Some(&[
            RequestStatus::Unfilled,
            RequestStatus::Shipped,
            RequestStatus::Requested,
        ]),
        Some(&RequestStatus::ALL),
    ];
    for library in LENDERS.iter().map(|l| id(l)) {
        for side in [QueueSide::Borrowing, QueueSide::Lending] {
            for statuses in subsets {
                let (views, total) = walk(db, &library, side, statuses.map(<[_]>::to_vec), 3).await;
                let expected = reference.queue(&library, side, statuses);
                let expected: Vec<RequestView> = expected.into_iter().cloned().collect();
                assert_eq!(views, expected, "{library} {side:?} {statuses:?}");
                assert_eq!(total, expected.len() as i64, "{library} {side:?} total");
            }
            assert_eq!(
                queries::queue_counts(db, &library, side).await.unwrap(),
                reference.counts(&library, side),
                "{library} {side:?} counts"
            );
        }
        let waiting: Vec<Uuid> = reference
            .queue(
                &library,
                QueueSide::Lending,
                Some(&[RequestStatus::Requested]),
            )
            .iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(queries::waiting_at(db, &library).await.unwrap(), waiting);
    }
    let day = start().date_naive();
    assert_lender_loads(db, reference, day, day + Duration::days(400)).await;
    for now in [reference.last_at, reference.last_at + Duration::days(6)] {
        assert_eq!(
            queries::unanswered(db, now).await.unwrap(),
            reference.unanswered(now),
            "unanswered at {now}"
        );
    }

    if reference.first_day > reference.last_day {
        return;
    }
    let span = (reference.last_day - reference.first_day).num_days().max(0) as u16 + 1;
    let a = reference.first_day + Duration::days(i64::from(days.0 % span));
    let b = reference.first_day + Duration::days(i64::from(days.1 % span));
    let ranges = [
        (reference.first_day, reference.last_day),
        (a.min(b), a.max(b)),
        (a, a),
        // Wider than the data, across a year's end.
        (
            reference.first_day - Duration::days(40),
            reference.last_day + Duration::days(3),
        ),
    ];
    for (from, to) in ranges {
        let actual = queries::statistics(db, from, to, None).await.unwrap();
        assert_statistics(&actual, &reference.statistics(from, to, None));
        assert_lender_loads(db, reference, from, to).await;
    }
    let one = id(LENDERS[days.0 as usize % LENDERS.len()]);
    let (from, to) = (reference.first_day, reference.last_day);
    let actual = queries::statistics(db, from, to, Some(&one)).await.unwrap();
    assert_statistics(&actual, &reference.statistics(from, to, Some(&one)));
}

/// The automatic rota's figures for every library over `from..=to`
/// (`queries::lender_load`) against the reference.
async fn assert_lender_loads(db: &Database, reference: &Reference, from: NaiveDate, to: NaiveDate) {
    let libraries: Vec<LibraryId> = all_libraries().into_iter().map(id).collect();
    let actual: BTreeMap<LibraryId, LenderLoad> = queries::lender_load(db, &libraries, from, to)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        actual,
        reference.lender_loads(from, to),
        "lender loads over {from}..={to}"
    );
}

/// Empties the log and every table this crate keeps, so one database can
/// serve many property cases.
pub async fn reset(db: &Database) {
    const STATEMENTS: [&str; 14] = [
        "DELETE FROM events",
        "DELETE FROM projector_checkpoints",
        "DELETE FROM request_views",
        "DELETE FROM lender_waiting",
        "DELETE FROM library_directory",
        "DELETE FROM stats_requests",
        "DELETE FROM stats_library_day",
        "DELETE FROM stats_declines_day",
        "DELETE FROM stats_durations",
        "DELETE FROM stats_network_day",
        "DELETE FROM stats_network_declines_day",
        "DELETE FROM stats_receive_blocks",
        "DELETE FROM patrons",
        "DELETE FROM notes",
    ];
    for sql in STATEMENTS {
        match db {
            Database::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop),
            Database::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop),
        }
        .expect("empty a table");
    }
}
