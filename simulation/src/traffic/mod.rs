//! The network's traffic: one queue in global time over the libraries'
//! suspensions and every open request, each step a command the real domain
//! decides and the writer stores.

mod automatic;
mod plan;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use cqrs_es::Aggregate;
use domain::{
    Action, Actor, Calendar, Clock, EventMetadata, IllRequest, Item, Library, LibraryChange,
    LibraryCommand, LibraryId, ManualClock, Origin, PatronInput, PlaceRequest, RequestCommand,
    RequestServices, Role, RotaEntry, ServiceType,
};
use uuid::Uuid;

use store::Database;

use crate::calendar::Placements;
use crate::catalogue::Catalogue;
use crate::names;
use crate::network::{network, Member, Timeline, COORDINATING_LIBRARY, STAFF_ACCOUNT};
use crate::random::{Cumulative, Random};
use crate::shape::{GenerateError, Generated, Path, Shape};
use crate::shelves::Shelf;
use crate::writer::Writer;

use automatic::Loads;

/// The response window the generated requests were routed with (the
/// server's default `--lender-response-days`).
pub const RESPONSE_DAYS: i64 = 5;
/// The share of requests placed from a catalogue record with the automatic
/// rota (when the catalogue has record ids).
const AUTOMATIC: f64 = 0.4;

/// One command the simulation issues.
struct Step {
    at: DateTime<Utc>,
    origin: Origin,
    action: Action,
}

/// A request between its steps.
struct Open {
    id: Uuid,
    random: Random,
    request: IllRequest,
    shelf: Shelf,
    /// The title asked for: its index in the catalogue.
    title: usize,
    /// Routed by the automatic rota (and rerouted by it).
    automatic: bool,
    patron_ref: Uuid,
    patron: PatronInput,
    /// When the borrower means to cancel, if it does.
    cancel_at: Option<DateTime<Utc>>,
    rerouted: bool,
    loan: Option<Loan>,
    next: Step,
}

/// The patron's plans for a loan, made at check-out.
struct Loan {
    returns_at: DateTime<Utc>,
    renews_at: Option<DateTime<Utc>>,
    recalled_at: Option<DateTime<Utc>>,
    lost_at: Option<DateTime<Utc>>,
}

/// What is due next in global time: a library's suspension or resumption
/// (first at equal times), or a request's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Due {
    at: DateTime<Utc>,
    kind: u8,
    key: u64,
}

pub(crate) struct Simulation<'a> {
    shape: Shape,
    members: Vec<Member>,
    /// Position in `members` by id.
    index: HashMap<LibraryId, usize>,
    /// Each member's aggregate and version.
    aggregates: Vec<(Library, u64)>,
    catalogue: &'a Catalogue,
    loads: Loads,
    borrowers: Cumulative,
    placements: Placements,
    services: RequestServices,
    clock: Arc<ManualClock>,
    writer: Writer<'a>,
    queue: BinaryHeap<Reverse<Due>>,
    open: HashMap<u64, Open>,
    generated: Generated,
}

const LIBRARY_CHANGE: u8 = 0;
const REQUEST_STEP: u8 = 1;

impl<'a> Simulation<'a> {
    /// The simulation of `shape`, its requests for titles of `catalogue`
    /// (the shape's), written to `db` by `path`.
    pub(crate) fn new(
        db: &'a Database,
        shape: &Shape,
        path: Path,
        catalogue: &'a Catalogue,
    ) -> Simulation<'a> {
        let members = network(shape);
        let clock = Arc::new(ManualClock::new(shape.start));
        let directory = Arc::new(Timeline::new(clock.clone(), &members));
        let services = RequestServices {
            clock: clock.clone(),
            calendar: Calendar::default(),
            response_window: Duration::days(RESPONSE_DAYS),
            directory,
        };
        Simulation {
            catalogue,
            loads: Loads::new(
                members.len(),
                Calendar::default().date_of(shape.start) - Duration::days(1),
                shape.days as usize + 3,
            ),
            borrowers: Cumulative::new(members.iter().map(|m| m.demand)),
            placements: Placements::new(shape),
            index: members
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id.clone(), i))
                .collect(),
            aggregates: vec![(Library::default(), 0); members.len()],
            members,
            shape: shape.clone(),
            services,
            clock,
            writer: Writer::new(db, path),
            queue: BinaryHeap::new(),
            open: HashMap::new(),
            generated: Generated {
                libraries: Vec::new(),
                requests: Vec::with_capacity(shape.requests),
                events: 0,
                statuses: BTreeMap::new(),
            },
        }
    }

    /// Runs the whole history, then writes what is left.
    pub(crate) async fn run(mut self) -> Result<Generated, GenerateError> {
        let end = self.shape.end();
        self.register().await?;
        for (i, member) in self.members.iter().enumerate() {
            if let Some((from, until)) = member.suspended {
                for at in [Some(from), until].into_iter().flatten() {
                    if at <= end {
                        self.queue.push(Reverse(Due {
                            at,
                            kind: LIBRARY_CHANGE,
                            key: i as u64,
                        }));
                    }
                }
            }
        }
        let mut placed = 0u64;
        loop {
            let placement = self.placements.peek();
            let due = self.queue.peek().map(|Reverse(due)| *due);
            match (placement, due) {
                (None, None) => break,
                (Some(at), due) if due.is_none_or(|due| at < due.at) => {
                    self.placements.next += 1;
                    self.place(placed, at).await?;
                    placed += 1;
                }
                (_, due) => {
                    self.queue.pop();
                    let Some(due) = due else { break };
                    if due.kind == LIBRARY_CHANGE {
                        self.library_change(due.key as usize, due.at).await?;
                    } else {
                        self.step(due.key).await?;
                    }
                }
            }
        }
        let open: Vec<&Open> = {
            let mut open: Vec<&Open> = self.open.values().collect();
            open.sort_by_key(|o| o.id);
            open
        };
        for request in &open {
            self.generated.count(&request.request);
        }
        let patrons: Vec<(Uuid, Uuid, PatronInput)> = open
            .iter()
            .map(|o| (o.patron_ref, o.id, o.patron.clone()))
            .collect();
        self.writer.finish(&patrons, end).await?;
        self.generated.events = self.writer.events;
        Ok(self.generated)
    }

    async fn register(&mut self) -> Result<(), GenerateError> {
        let at = self.shape.start - Duration::days(1);
        let admin = Actor::new("admin", COORDINATING_LIBRARY, Role::Admin);
        for index in 0..self.members.len() {
            let member = &self.members[index];
            let change = LibraryChange::Register {
                id: member.id.clone(),
                name: member.name.clone(),
                lends: member.lends,
            };
            self.generated.libraries.push(member.id.clone());
            self.library(index, admin.clone(), change, at).await?;
        }
        Ok(())
    }

    /// A suspension of a member's lending begins or ends.
    async fn library_change(
        &mut self,
        index: usize,
        at: DateTime<Utc>,
    ) -> Result<(), GenerateError> {
        let suspend = self.members[index]
            .suspended
            .is_some_and(|(from, _)| from == at);
        let coordinator = Actor::new("coordinator", COORDINATING_LIBRARY, Role::Coordinator);
        self.library(
            index,
            coordinator,
            LibraryChange::SetLendingSuspended(suspend),
            at,
        )
        .await
    }

    async fn library(
        &mut self,
        index: usize,
        actor: Actor,
        change: LibraryChange,
        at: DateTime<Utc>,
    ) -> Result<(), GenerateError> {
        let id = self.members[index].id.clone();
        let metadata = EventMetadata::new(&Origin::Person(actor.clone()), at, Uuid::nil());
        let command = LibraryCommand { actor, change };
        let (aggregate, version) = &mut self.aggregates[index];
        let events = aggregate
            .decide(command.clone())
            .map_err(|error| GenerateError::Refused {
                stream: id.to_string(),
                command: "library change",
                error,
            })?;
        self.writer
            .library(&id, *version, command, &events, &metadata)
            .await?;
        for event in events {
            *version += 1;
            aggregate.apply(event);
        }
        Ok(())
    }

    async fn place(&mut self, index: u64, at: DateTime<Utc>) -> Result<(), GenerateError> {
        let mut random = Random::new(self.shape.seed, index);
        let id = uuid::Builder::from_random_bytes(random.bytes()).into_uuid();
        let borrower = &self.members[self.borrowers.pick(&mut random)];
        let shelf = Shelf::ALL
            [Cumulative::new(Shelf::wanted_by(borrower.kind).into_iter()).pick(&mut random)];
        // Libraries ask for what they do not hold themselves.
        let mut title = self.catalogue.pick(&mut random, shelf);
        for _ in 0..8 {
            if !self.catalogue.titles[title].holders.contains(&borrower.id) {
                break;
            }
            title = self.catalogue.pick(&mut random, shelf);
        }
        let automatic = random.chance(AUTOMATIC);
        let lenders = match automatic
            .then(|| self.automatic_rota(title, &borrower.id, &BTreeSet::new(), at))
        {
            Some(lenders) if !lenders.is_empty() => lenders,
            _ => self.rota(&mut random, title, &borrower.id, &BTreeSet::new()),
        };
        let automatic = lenders.iter().any(|entry| entry.selection.is_some());
        let copy = random.chance(shelf.copies());
        let record = &self.catalogue.titles[title];
        let item = Item {
            author: Some(record.author.clone()),
            year: Some(record.year.clone()),
            isbn: (!copy).then(|| record.isbn.clone()),
            catalog_record_id: record.record_id.clone(),
            article_title: copy.then(|| format!("Chapter {}", 1 + random.below(20))),
            pages: copy.then(|| {
                let first = 1 + random.below(300);
                format!("{first}-{}", first + 5 + random.below(30))
            }),
            ..Item::titled(record.title.clone())
        };
        let patron_ref = uuid::Builder::from_random_bytes(random.bytes()).into_uuid();
        let patron = PatronInput {
            barcode: format!("2{:013}", random.below(10_000_000_000_000)),
            name: Some(format!(
                "{} {}",
                random.pick(&names::GIVEN_NAMES),
                random.pick(&names::SURNAMES)
            )),
            email: None,
        };
        let place = PlaceRequest {
            patron_ref,
            patron: patron.clone(),
            item,
            service_type: if copy {
                ServiceType::Copy
            } else {
                ServiceType::Loan
            },
            lenders,
            needed_by: None,
            note: None,
        };
        let cancel_at = random
            .chance(0.03)
            .then(|| at + hours(random.log_normal(30.0, 0.8)));
        let open = Open {
            id,
            shelf,
            title,
            automatic,
            patron_ref,
            patron,
            cancel_at,
            rerouted: false,
            loan: None,
            request: IllRequest::default(),
            next: Step {
                at,
                origin: staff(&borrower.id),
                action: Action::Place(place),
            },
            random,
        };
        self.generated.requests.push(id);
        self.open.insert(index, open);
        self.step(index).await
    }

    /// Runs a request's next step, then plans the one after it.
    async fn step(&mut self, key: u64) -> Result<(), GenerateError> {
        let Some(mut open) = self.open.remove(&key) else {
            return Ok(());
        };
        let placeholder = Step {
            at: self.clock.now(),
            origin: Origin::System,
            action: Action::TimeOut,
        };
        let Step {
            at,
            origin,
            mut action,
        } = std::mem::replace(&mut open.next, placeholder);
        let at = at.max(self.clock.now());
        self.clock.set(at);
        // An automatic reroute is built when it is made, from the loads then.
        if let (true, Action::Reroute { lenders }, Some(state)) =
            (open.automatic, &mut action, &open.request.state)
        {
            *lenders = self.automatic_rota(open.title, &state.borrower, &state.asked, at);
            if lenders.is_empty() {
                // No library can lend it now: the request stays unfilled.
                self.generated.count(&open.request);
                return Ok(());
            }
        }
        let correlation = uuid::Builder::from_random_bytes(open.random.bytes()).into_uuid();
        let metadata = EventMetadata::new(&origin, at, correlation);
        let command = RequestCommand {
            origin,
            expected_version: None,
            action,
        };
        let name = command.action.name();
        let events = open
            .request
            .decide(command.clone(), &self.services)
            .map_err(|error| GenerateError::Refused {
                stream: open.id.to_string(),
                command: name,
                error,
            })?;
        self.writer
            .request(
                open.id,
                &open.request,
                command,
                &events,
                &self.services,
                &metadata,
            )
            .await?;
        let waited_at = self.waiting_at(&open.request);
        self.count_events(&open.request, &events);
        for event in events {
            open.request.apply(event);
        }
        self.move_waiting(waited_at, self.waiting_at(&open.request));
        match self.plan(&mut open) {
            Some(next) if next.at <= self.shape.end() => {
                self.queue.push(Reverse(Due {
                    at: next.at,
                    kind: REQUEST_STEP,
                    key,
                }));
                open.next = next;
                self.open.insert(key, open);
            }
            Some(next) => {
                // Due after the end: still open when the history stops.
                open.next = next;
                self.open.insert(key, open);
            }
            None => self.generated.count(&open.request),
        }
        Ok(())
    }

    /// Up to `wanted` lenders (2–5) in a random order, each a lending
    /// holder of `title`, neither the borrower nor any in `asked`.
    fn rota(
        &self,
        random: &mut Random,
        title: usize,
        borrower: &LibraryId,
        asked: &BTreeSet<LibraryId>,
    ) -> Vec<RotaEntry> {
        let wanted = [2, 3, 3, 3, 4, 4, 4, 5][random.below(8) as usize];
        let mut holders: Vec<&LibraryId> = self.catalogue.titles[title]
            .members
            .iter()
            .map(|&m| &self.members[m])
            .filter(|m| m.lends && &m.id != borrower && !asked.contains(&m.id))
            .map(|m| &m.id)
            .collect();
        // A partial Fisher–Yates shuffle: the first `wanted` places.
        let wanted = wanted.min(holders.len());
        for i in 0..wanted {
            let j = i + random.below((holders.len() - i) as u64) as usize;
            holders.swap(i, j);
        }
        holders[..wanted]
            .iter()
            .map(|&id| RotaEntry::from(id.clone()))
            .collect()
    }
}

fn hours(h: f64) -> Duration {
    Duration::seconds((h * 3_600.0) as i64)
}

fn staff(library: &LibraryId) -> Origin {
    Origin::Person(Actor::new(STAFF_ACCOUNT, library.clone(), Role::Staff))
}
