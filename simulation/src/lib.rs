//! A simulated statewide network and a year (or any span) of its traffic:
//! for `--demo`, the benchmarks and tests.
//!
//! About 200 libraries — public, academic, school and special, a few that
//! only borrow, one or two whose lending is suspended for a while — place
//! requests with seasonal volume (busy in term time, quiet in summer and at
//! the year's end), each for an item of some shelf (popular, scholarly,
//! juvenile, local history) with a rota of 2–5 lenders that plausibly hold
//! it. Lenders answer in hours to days, supply, propose conditions, decline
//! with ISO 18626 reasons or do not answer; items travel for days, are
//! renewed, recalled, sometimes lost. The history ends at `Shape::end`:
//! nothing happens after it, so the newest requests are still open, and a
//! request still waiting for an answer then was routed recently enough that
//! its answer is not yet due.
//!
//! Every event is what the real domain decides (`IllRequest::decide`,
//! `Library::decide`) for a command the simulation issues at its business
//! time, against a directory that knows each library's suspensions: valid by
//! construction. The simulation runs in global time order (one event queue
//! over all open requests), so the log reads like live traffic. Two ways to
//! write it, the same events either way: [`Path::Commands`] runs each
//! command through [`EventStore::execute`] (what the server does), and
//! [`Path::Bulk`] appends the decided events in large batches (a million
//! events through the command path would take most of an hour).
//! Deterministic for a given [`Shape`].

mod names;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use cqrs_es::{Aggregate, DomainEvent};
use domain::{
    Action, Actor, Calendar, Clock, DomainError, EventMetadata, IllRequest, Item, Library,
    LibraryChange, LibraryCommand, LibraryDirectory, LibraryEvent, LibraryId, LibraryStatus,
    LoanCondition, ManualClock, Origin, PatronInput, PlaceRequest, RequestCommand, RequestEvent,
    RequestServices, RequestStatus, Role, ServiceType, UnfilledReason,
};
use serde::Serialize;
use thiserror::Error;
use uuid::Uuid;

use store::event_store::{CommandError, EventStore};
use store::Database;
use store::StoreError;

/// The account name of every library's ILL staff in the generated events.
pub const STAFF_ACCOUNT: &str = "ill-staff";
/// The network's coordinating library (the State Library).
pub const COORDINATING_LIBRARY: &str = "CT-STATE";
/// The response window the generated requests were routed with (the
/// server's default `--lender-response-days`).
pub const RESPONSE_DAYS: i64 = 5;

/// Rows appended per batch transaction on the bulk path.
const BATCH_ROWS: usize = 4_000;

const POSTGRES_APPEND: &str = "
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata)
SELECT t, i, s, e, v, p::json, m::json
  FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
              $7::text[]) WITH ORDINALITY AS u(t, i, s, e, v, p, m, n)
 ORDER BY n";
const SQLITE_APPEND: &str = "
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Member libraries (about 200 in a statewide network; at least 8).
    pub libraries: usize,
    /// Requests placed over the whole span.
    pub requests: usize,
    /// The history runs from `start` for `days` days and ends there.
    pub start: DateTime<Utc>,
    pub days: u32,
    pub seed: u64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            libraries: 200,
            requests: 1_000,
            start: Utc
                .with_ymd_and_hms(2025, 1, 1, 13, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 365,
            seed: 1,
        }
    }
}

impl Shape {
    /// A year of `requests` requests that ends at `end`.
    pub fn year_ending(end: DateTime<Utc>, requests: usize, seed: u64) -> Shape {
        Shape {
            requests,
            start: end - Duration::days(365),
            days: 365,
            seed,
            ..Shape::default()
        }
    }

    /// The instant the history ends: nothing happens after it.
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::days(i64::from(self.days))
    }
}

/// How the events reach the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Every command through [`EventStore::execute`], as the server runs it.
    Commands,
    /// The decided events appended in batches.
    Bulk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Public,
    Academic,
    School,
    Special,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Public => "public",
            Kind::Academic => "academic",
            Kind::School => "school",
            Kind::Special => "special",
        }
    }
}

/// A library's lending is suspended from the first instant until the
/// second (`None`: still at the end).
pub type Suspension = (DateTime<Utc>, Option<DateTime<Utc>>);

/// A member library and how it behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: LibraryId,
    pub name: String,
    pub kind: Kind,
    pub lends: bool,
    pub suspended: Option<Suspension>,
    /// Collection size: how likely it holds what others ask for.
    holdings: f64,
    /// How much it borrows.
    demand: f64,
    /// Chance that it supplies an item it is asked for.
    willing: f64,
    /// Chance that it never answers.
    silent: f64,
    /// Median hours to answer.
    answer_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub libraries: Vec<LibraryId>,
    pub requests: Vec<Uuid>,
    pub events: u64,
    /// How many requests end the history in each status.
    pub statuses: BTreeMap<RequestStatus, u64>,
}

#[derive(Debug, Error)]
pub enum GenerateError {
    #[error("the domain refused the generated {command} of {stream}: {error}")]
    Refused {
        stream: String,
        command: &'static str,
        error: DomainError,
    },
    #[error("the event store decided {stored} events for {stream}, the generator {decided}")]
    Diverged {
        stream: String,
        stored: usize,
        decided: usize,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("serializing an event: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// The libraries of a shape, as [`generate`] registers them.
pub fn network(shape: &Shape) -> Vec<Member> {
    let mut random = Random::new(shape.seed, u64::MAX);
    let n = shape.libraries.max(8);
    let academic = (n * 14).div_ceil(100).max(1);
    let special = (n * 11).div_ceil(100).max(1);
    let school = (n * 20).div_ceil(100).max(1);
    let public = n - academic - special - school;
    let mut members = Vec::with_capacity(n);
    let mut taken = BTreeSet::new();
    // The first of each list are the big ones: flagship universities, city
    // libraries, the State Library.
    let mut add = |members: &mut Vec<Member>,
                   random: &mut Random,
                   kind,
                   rank: usize,
                   symbol: String,
                   name| {
        let mut id = symbol.clone();
        let mut k = 2;
        while !taken.insert(id.clone()) {
            id = format!("{symbol}{k}");
            k += 1;
        }
        let (holdings, demand) = match kind {
            Kind::Public => (random.log_normal(1.0, 0.7), random.log_normal(1.2, 0.6)),
            Kind::Academic => (random.log_normal(2.5, 0.7), random.log_normal(1.3, 0.5)),
            Kind::School => (random.log_normal(0.12, 0.5), random.log_normal(0.5, 0.4)),
            Kind::Special => (random.log_normal(0.5, 0.6), random.log_normal(0.25, 0.5)),
        };
        let big = 1.0 + 3.0 / (1.0 + rank as f64);
        let (holdings, demand) = (holdings * big, demand * big.sqrt());
        let sluggish = random.chance(0.06);
        members.push(Member {
            id: LibraryId::from(id),
            name,
            kind,
            lends: true,
            suspended: None,
            holdings,
            demand,
            willing: 0.42 + 0.2 * random.unit(),
            silent: if sluggish {
                0.25
            } else {
                0.01 + 0.04 * random.unit()
            },
            answer_hours: if sluggish {
                60.0
            } else {
                random.log_normal(14.0, 0.5)
            },
        });
    };
    for (i, (symbol, name)) in names::SPECIAL.iter().cycle().take(special).enumerate() {
        let name = numbered(name, i / names::SPECIAL.len());
        add(
            &mut members,
            &mut random,
            Kind::Special,
            i,
            symbol.to_string(),
            name,
        );
    }
    for (i, (symbol, name)) in names::ACADEMIC.iter().cycle().take(academic).enumerate() {
        let name = numbered(name, i / names::ACADEMIC.len());
        add(
            &mut members,
            &mut random,
            Kind::Academic,
            i,
            symbol.to_string(),
            name,
        );
    }
    for (i, town) in names::TOWNS.iter().cycle().take(public).enumerate() {
        let name = numbered(&format!("{town} Public Library"), i / names::TOWNS.len());
        add(
            &mut members,
            &mut random,
            Kind::Public,
            i,
            format!("CT-{}", abbreviate(town)),
            name,
        );
    }
    for (i, town) in names::TOWNS.iter().rev().cycle().take(school).enumerate() {
        let level = if i % 3 == 2 { "Middle" } else { "High" };
        let name = numbered(
            &format!("{town} {level} School Library"),
            i / names::TOWNS.len(),
        );
        let symbol = format!("CT-{}{}S", abbreviate(town), &level[..1]);
        add(&mut members, &mut random, Kind::School, i, symbol, name);
    }
    // A few borrow only: some schools and a small public library.
    let mut borrow_only = 0;
    for member in members.iter_mut().rev() {
        if borrow_only < (n / 40).max(1) && member.kind == Kind::School {
            member.lends = false;
            borrow_only += 1;
        }
    }
    if let Some(public) = members.iter_mut().rfind(|m| m.kind == Kind::Public) {
        public.lends = false;
    }
    // Two public libraries suspend lending: one closed for renovation for a
    // month, then back; one whose courier stop was suspended lately.
    let end = shape.end();
    let span = Duration::days(i64::from(shape.days));
    let publics: Vec<usize> = (0..members.len())
        .filter(|&i| members[i].kind == Kind::Public && members[i].lends)
        .collect();
    if let [.., first, _, second, _] = publics[..] {
        let closed = shape.start + span * 2 / 5;
        members[first].suspended = Some((closed, Some(closed + span / 12)));
        members[second].suspended = Some((end - span / 30, None));
    }
    members
}

fn numbered(name: &str, round: usize) -> String {
    if round == 0 {
        name.to_owned()
    } else {
        format!("{name} ({})", round + 1)
    }
}

/// `New Haven` → `NHVN`: each word's initial, then the last word's consonants.
fn abbreviate(town: &str) -> String {
    let words: Vec<&str> = town.split_whitespace().collect();
    let mut letters: String = words.iter().filter_map(|w| w.chars().next()).collect();
    let last = words.last().copied().unwrap_or_default();
    for c in last.chars().skip(1) {
        if letters.len() >= 4 {
            break;
        }
        if !"aeiou ".contains(c) {
            letters.push(c);
        }
    }
    letters.to_ascii_uppercase()
}

/// Generates `shape` into `db` on the bulk path.
pub async fn generate(db: &Database, shape: &Shape) -> Result<Generated, GenerateError> {
    generate_with(db, shape, Path::Bulk).await
}

/// Generates `shape` into `db` (an empty store, or one without the
/// shape's library symbols).
pub async fn generate_with(
    db: &Database,
    shape: &Shape,
    path: Path,
) -> Result<Generated, GenerateError> {
    let members = network(shape);
    let clock = Arc::new(ManualClock::new(shape.start));
    let directory = Arc::new(Timeline {
        clock: clock.clone(),
        members: members
            .iter()
            .map(|m| (m.id.clone(), (m.lends, m.suspended)))
            .collect(),
    });
    let services = RequestServices {
        clock: clock.clone(),
        calendar: Calendar::default(),
        response_window: Duration::days(RESPONSE_DAYS),
        directory,
    };
    let mut sim = Simulation {
        shelves: Shelves::new(&members),
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
    };
    sim.run().await?;
    db.settle_bulk_load().await?;
    Ok(sim.generated)
}

/// Answers routing's questions as the directory stood at the clock's time.
struct Timeline {
    clock: Arc<ManualClock>,
    members: HashMap<LibraryId, (bool, Option<Suspension>)>,
}

impl LibraryDirectory for Timeline {
    fn lookup(&self, id: &LibraryId) -> Option<LibraryStatus> {
        let now = self.clock.now();
        self.members
            .get(id)
            .map(|(lends, suspended)| LibraryStatus {
                lends: *lends,
                suspended: suspended_at(*suspended, now),
            })
    }
}

fn suspended_at(period: Option<Suspension>, at: DateTime<Utc>) -> bool {
    period.is_some_and(|(from, until)| from <= at && until.is_none_or(|until| at < until))
}

/// What kind of item a request is for: who holds it, who wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shelf {
    Popular,
    Scholarly,
    Juvenile,
    Local,
}

impl Shelf {
    const ALL: [Shelf; 4] = [
        Shelf::Popular,
        Shelf::Scholarly,
        Shelf::Juvenile,
        Shelf::Local,
    ];

    /// How much of this shelf a library of `kind` holds.
    fn held_by(self, kind: Kind) -> f64 {
        use Kind as K;
        use Shelf as S;
        match (self, kind) {
            (S::Popular, K::Public) | (S::Scholarly, K::Academic) => 1.0,
            (S::Juvenile, K::School) | (S::Local, K::Special) => 1.0,
            (S::Juvenile, K::Public) => 0.7,
            (S::Popular, K::Academic) | (S::Local, K::Academic) | (S::Scholarly, K::Special) => 0.3,
            (S::Popular, K::School) => 0.25,
            (S::Scholarly, K::Public) | (S::Local, K::Public) => 0.15,
            (S::Juvenile, K::Academic) => 0.05,
            (S::Popular, K::Special) | (S::Scholarly, K::School) | (S::Local, K::School) => 0.02,
            (S::Juvenile, K::Special) => 0.0,
        }
    }

    /// What a library of `kind` borrows: the weights of `ALL`.
    fn wanted_by(kind: Kind) -> [f64; 4] {
        match kind {
            Kind::Public => [0.62, 0.15, 0.13, 0.10],
            Kind::Academic => [0.12, 0.75, 0.03, 0.10],
            Kind::School => [0.25, 0.05, 0.68, 0.02],
            Kind::Special => [0.05, 0.45, 0.0, 0.50],
        }
    }

    /// The share of requests for an article or chapter (COPY).
    fn copies(self) -> f64 {
        match self {
            Shelf::Popular => 0.03,
            Shelf::Scholarly => 0.45,
            Shelf::Juvenile => 0.01,
            Shelf::Local => 0.25,
        }
    }

    fn titles(self) -> &'static ([&'static str; 12], [&'static str; 12]) {
        match self {
            Shelf::Popular => &names::POPULAR,
            Shelf::Scholarly => &names::SCHOLARLY,
            Shelf::Juvenile => &names::JUVENILE,
            Shelf::Local => &names::LOCAL,
        }
    }
}

/// Weighted picks by binary search over cumulative weights.
struct Cumulative(Vec<f64>);

impl Cumulative {
    fn new(weights: impl Iterator<Item = f64>) -> Cumulative {
        let mut total = 0.0;
        Cumulative(
            weights
                .map(|w| {
                    total += w.max(0.0);
                    total
                })
                .collect(),
        )
    }

    fn pick(&self, random: &mut Random) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let target = random.unit() * total;
        self.0
            .partition_point(|&c| c <= target)
            .min(self.0.len().saturating_sub(1))
    }
}

/// Per shelf: the lending members weighted by how much of it they hold.
struct Shelves(Vec<Cumulative>);

impl Shelves {
    fn new(members: &[Member]) -> Shelves {
        Shelves(
            Shelf::ALL
                .iter()
                .map(|shelf| {
                    Cumulative::new(members.iter().map(|m| {
                        if m.lends {
                            m.holdings * shelf.held_by(m.kind)
                        } else {
                            0.0
                        }
                    }))
                })
                .collect(),
        )
    }

    fn of(&self, shelf: Shelf) -> &Cumulative {
        &self.0[Shelf::ALL.iter().position(|s| *s == shelf).unwrap_or(0)]
    }
}

/// When each request is placed: in business hours, more on weekdays and in
/// term time, `requests` of them spread by those weights over the span.
struct Placements {
    /// Per day: the business window and its cumulative weight.
    days: Vec<(DateTime<Utc>, DateTime<Utc>, f64)>,
    total: f64,
    count: usize,
    next: usize,
    day: usize,
}

impl Placements {
    fn new(shape: &Shape) -> Placements {
        let (start, end) = (shape.start, shape.end());
        let mut days = Vec::new();
        let mut total = 0.0;
        let mut date = start.date_naive();
        while date <= end.date_naive() {
            let (open, close) = business_window(date);
            let (from, to) = (open.max(start), close.min(end));
            if from < to {
                let share = (to - from).num_seconds() as f64 / (close - open).num_seconds() as f64;
                total += share * season(date);
                days.push((from, to, total));
            }
            date = date.succ_opt().unwrap_or(date);
            if date == NaiveDate::MAX {
                break;
            }
        }
        Placements {
            days,
            total,
            count: shape.requests,
            next: 0,
            day: 0,
        }
    }

    /// The next placement time, in order.
    fn peek(&mut self) -> Option<DateTime<Utc>> {
        if self.next >= self.count || self.days.is_empty() {
            return None;
        }
        let target = (self.next as f64 + 0.5) / self.count as f64 * self.total;
        while self.day + 1 < self.days.len() && self.days[self.day].2 <= target {
            self.day += 1;
        }
        let (from, to, cumulative) = self.days[self.day];
        let before = self.day.checked_sub(1).map_or(0.0, |d| self.days[d].2);
        let within =
            ((target - before) / (cumulative - before).max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
        Some(from + Duration::seconds(((to - from).num_seconds() as f64 * within) as i64))
    }
}

/// Requests per day relative to an average weekday: term time is busy.
fn season(date: NaiveDate) -> f64 {
    let month = [
        0.95, 1.1, 1.15, 1.1, 0.95, 0.7, 0.65, 0.8, 1.05, 1.2, 1.15, 0.75,
    ];
    let weekday = match date.weekday() {
        Weekday::Sat => 0.3,
        Weekday::Sun => 0.1,
        _ => 1.0,
    };
    month[date.month0() as usize] * weekday
}

/// Staff work 13:00–22:00 UTC (9 to 6 on the East Coast).
fn business_window(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |hour| Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap_or_default());
    (at(13), at(22))
}

/// The first working moment at or after `t` (weekdays, business hours).
fn business(t: DateTime<Utc>, random: &mut Random) -> DateTime<Utc> {
    let mut date = t.date_naive();
    loop {
        let (open, close) = business_window(date);
        let working = !matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        if working && t < close {
            if t >= open {
                return t;
            }
            return open + Duration::minutes(random.below(150) as i64);
        }
        date = match date.succ_opt() {
            Some(next) => next,
            None => return t,
        };
    }
}

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

struct Simulation<'a> {
    shape: Shape,
    members: Vec<Member>,
    /// Position in `members` by id.
    index: HashMap<LibraryId, usize>,
    /// Each member's aggregate and version.
    aggregates: Vec<(Library, u64)>,
    shelves: Shelves,
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

impl Simulation<'_> {
    async fn run(&mut self) -> Result<(), GenerateError> {
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
        Ok(())
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
        let lenders = self.rota(&mut random, shelf, &borrower.id, &BTreeSet::new());
        let copy = random.chance(shelf.copies());
        let (first, second) = shelf.titles();
        let title = format!("{} {}", random.pick(first), random.pick(second));
        let author = format!(
            "{}, {}",
            random.pick(&names::SURNAMES),
            random.pick(&names::GIVEN_NAMES)
        );
        let item = Item {
            author: Some(author),
            year: Some((1950 + random.below(75)).to_string()),
            isbn: (!copy).then(|| format!("97815{:08}", random.below(100_000_000))),
            article_title: copy.then(|| format!("Chapter {}", 1 + random.below(20))),
            pages: copy.then(|| {
                let first = 1 + random.below(300);
                format!("{first}-{}", first + 5 + random.below(30))
            }),
            ..Item::titled(title)
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
        let Step { at, origin, action } = std::mem::replace(&mut open.next, placeholder);
        let at = at.max(self.clock.now());
        self.clock.set(at);
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
        for event in events {
            open.request.apply(event);
        }
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

    /// Up to `wanted` lenders (2–5) that plausibly hold a `shelf` item,
    /// neither the borrower nor any in `asked`.
    fn rota(
        &self,
        random: &mut Random,
        shelf: Shelf,
        borrower: &LibraryId,
        asked: &BTreeSet<LibraryId>,
    ) -> Vec<LibraryId> {
        let wanted = [2, 3, 3, 3, 4, 4, 4, 5][random.below(8) as usize];
        let holders = self.shelves.of(shelf);
        let mut rota: Vec<LibraryId> = Vec::new();
        for _ in 0..wanted * 20 {
            if rota.len() == wanted {
                break;
            }
            let lender = &self.members[holders.pick(random)];
            if lender.lends
                && &lender.id != borrower
                && !asked.contains(&lender.id)
                && !rota.contains(&lender.id)
            {
                rota.push(lender.id.clone());
            }
        }
        rota
    }

    fn member(&self, id: &LibraryId) -> &Member {
        &self.members[self.index.get(id).copied().unwrap_or(0)]
    }

    /// What happens next to a request, and when; `None` once it has ended
    /// for good.
    fn plan(&self, open: &mut Open) -> Option<Step> {
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
        // The system acts at a due time, never after the end: a request
        // left waiting at the end was routed recently enough.
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
                let lenders = self.rota(random, open.shelf, &state.borrower, &asked);
                if lenders.is_empty() {
                    return None;
                }
                let at = business(now + hours(random.log_normal(30.0, 0.7)), random);
                step(at, borrower, Action::Reroute { lenders })
            }
            S::Lost | S::Unfilled | S::Completed | S::Delivered | S::Cancelled => None,
        }
    }
}

impl Simulation<'_> {
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
    fn on_loan(&self, open: &mut Open, state: &domain::RequestState) -> Option<Step> {
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

impl Generated {
    fn count(&mut self, request: &IllRequest) {
        if let Some(state) = &request.state {
            *self.statuses.entry(state.status).or_default() += 1;
        }
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

fn hours(h: f64) -> Duration {
    Duration::seconds((h * 3_600.0) as i64)
}

fn staff(library: &LibraryId) -> Origin {
    Origin::Person(Actor::new(STAFF_ACCOUNT, library.clone(), Role::Staff))
}

/// One event as the `events` table stores it.
struct Row {
    aggregate_type: &'static str,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    payload: String,
    metadata: String,
}

impl Row {
    fn new<E: DomainEvent + Serialize>(
        aggregate_type: &'static str,
        aggregate_id: String,
        sequence: u64,
        event: &E,
        metadata: &EventMetadata,
    ) -> Result<Row, GenerateError> {
        // Sorted keys: the same text for the same events.
        let metadata: BTreeMap<String, String> = metadata.to_map().into_iter().collect();
        Ok(Row {
            aggregate_type,
            aggregate_id,
            sequence: sequence as i64,
            event_type: event.event_type(),
            payload: serde_json::to_string(event)?,
            metadata: serde_json::to_string(&metadata)?,
        })
    }
}

/// Where the events go: through the command path, or in batches.
struct Writer<'a> {
    db: &'a Database,
    path: Path,
    store: EventStore,
    rows: Vec<Row>,
    events: u64,
}

impl<'a> Writer<'a> {
    fn new(db: &'a Database, path: Path) -> Writer<'a> {
        Writer {
            db,
            path,
            store: EventStore::new(db.clone()),
            rows: Vec::new(),
            events: 0,
        }
    }

    async fn library(
        &mut self,
        id: &LibraryId,
        version: u64,
        command: LibraryCommand,
        events: &[LibraryEvent],
        metadata: &EventMetadata,
    ) -> Result<(), GenerateError> {
        match self.path {
            Path::Commands => {
                let committed = self
                    .store
                    .execute::<Library>(id.as_str(), command, &(), metadata)
                    .await;
                self.committed(id.as_str(), committed.map(|c| c.appended), events.len())?;
            }
            Path::Bulk => {
                for (i, event) in events.iter().enumerate() {
                    let row = Row::new(
                        Library::TYPE,
                        id.to_string(),
                        version + 1 + i as u64,
                        event,
                        metadata,
                    )?;
                    self.rows.push(row);
                }
                self.flush_when_full().await?;
            }
        }
        self.events += events.len() as u64;
        Ok(())
    }

    async fn request(
        &mut self,
        id: Uuid,
        before: &IllRequest,
        command: RequestCommand,
        events: &[RequestEvent],
        services: &RequestServices,
        metadata: &EventMetadata,
    ) -> Result<(), GenerateError> {
        let stream = id.to_string();
        match self.path {
            Path::Commands => {
                let committed = self
                    .store
                    .execute::<IllRequest>(&stream, command, services, metadata)
                    .await;
                self.committed(&stream, committed.map(|c| c.appended), events.len())?;
            }
            Path::Bulk => {
                for (i, event) in events.iter().enumerate() {
                    let sequence = before.version + 1 + i as u64;
                    let row =
                        Row::new(IllRequest::TYPE, stream.clone(), sequence, event, metadata)?;
                    self.rows.push(row);
                }
                self.flush_when_full().await?;
            }
        }
        self.events += events.len() as u64;
        Ok(())
    }

    /// The store must have decided what the generator did.
    fn committed(
        &self,
        stream: &str,
        appended: Result<usize, CommandError<DomainError>>,
        decided: usize,
    ) -> Result<(), GenerateError> {
        match appended {
            Ok(stored) if stored == decided => Ok(()),
            Ok(stored) => Err(GenerateError::Diverged {
                stream: stream.to_owned(),
                stored,
                decided,
            }),
            Err(CommandError::Domain(error)) => Err(GenerateError::Refused {
                stream: stream.to_owned(),
                command: "stored command",
                error,
            }),
            Err(CommandError::Contended) => Err(GenerateError::Diverged {
                stream: stream.to_owned(),
                stored: 0,
                decided,
            }),
            Err(CommandError::Store(error)) => Err(error.into()),
        }
    }

    async fn flush_when_full(&mut self) -> Result<(), GenerateError> {
        if self.rows.len() >= BATCH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), GenerateError> {
        let rows = std::mem::take(&mut self.rows);
        if rows.is_empty() {
            return Ok(());
        }
        match self.db {
            Database::Postgres(pool) => {
                let column = |f: fn(&Row) -> String| rows.iter().map(f).collect::<Vec<_>>();
                sqlx::query(POSTGRES_APPEND)
                    .bind(column(|r| r.aggregate_type.to_owned()))
                    .bind(column(|r| r.aggregate_id.clone()))
                    .bind(rows.iter().map(|r| r.sequence).collect::<Vec<_>>())
                    .bind(column(|r| r.event_type.clone()))
                    .bind(column(|_| domain::EVENT_VERSION.to_owned()))
                    .bind(column(|r| r.payload.clone()))
                    .bind(column(|r| r.metadata.clone()))
                    .execute(pool)
                    .await
                    .map_err(StoreError::from)?;
            }
            Database::Sqlite(pool) => {
                let mut tx = pool.begin().await.map_err(StoreError::from)?;
                for r in &rows {
                    sqlx::query(SQLITE_APPEND)
                        .bind(r.aggregate_type)
                        .bind(&r.aggregate_id)
                        .bind(r.sequence)
                        .bind(&r.event_type)
                        .bind(domain::EVENT_VERSION)
                        .bind(&r.payload)
                        .bind(&r.metadata)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::from)?;
                }
                tx.commit().await.map_err(StoreError::from)?;
            }
        }
        Ok(())
    }

    /// The last batch, then the patrons of the requests still open (those
    /// of ended ones would have been purged by now, or soon).
    async fn finish(
        &mut self,
        patrons: &[(Uuid, Uuid, PatronInput)],
        saved_at: DateTime<Utc>,
    ) -> Result<(), GenerateError> {
        self.flush().await?;
        store::vault::save_patrons(self.db, patrons, saved_at).await?;
        Ok(())
    }
}

/// SplitMix64: small, fast, and the same everywhere for a seed.
#[derive(Debug, Clone)]
struct Random(u64);

impl Random {
    /// The stream of one part of a shape: `stream` picks it.
    fn new(seed: u64, stream: u64) -> Random {
        let mut mix = Random(seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        Random(mix.next())
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self) -> [u8; 16] {
        (u128::from(self.next()) << 64 | u128::from(self.next())).to_be_bytes()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Log-normal around `median` (Box–Muller).
    fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        median * (sigma * z).exp()
    }
}
