//! Realistic histories at any size, for benchmarks and load tests: a network
//! of libraries, and requests whose every command is decided by the real
//! domain (`IllRequest::decide`) against a clock the generator moves. The
//! events are appended in bulk, bypassing the command path (a million events
//! through `EventStore::execute` would take most of an hour), each chunk of
//! requests in time order so that batches interleave many requests, as live
//! traffic does. Deterministic for a given `Shape`.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use cqrs_es::{Aggregate, DomainEvent};
use domain::{
    Action, Actor, Calendar, EventMetadata, IllRequest, InMemoryDirectory, Item, Library,
    LibraryChange, LibraryCommand, LibraryId, LibraryStatus, LoanCondition, ManualClock, Origin,
    PatronInput, PlaceRequest, RequestCommand, RequestServices, RequestStatus, Role, ServiceType,
    UnfilledReason,
};
use serde::Serialize;
use uuid::Uuid;

use crate::database::Database;
use crate::error::StoreError;

/// Requests generated (and appended) per transaction.
const CHUNK: usize = 500;
/// Commands after placing at most, per request.
const STEPS: usize = 24;

const POSTGRES_APPEND: &str = "
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata)
SELECT t, i, s, e, v, p::json, m::json
  FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
              $7::text[]) AS u(t, i, s, e, v, p, m)";
const SQLITE_APPEND: &str = "
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub libraries: usize,
    pub requests: usize,
    /// Requests are placed evenly over `days` from `start`; the history ends
    /// there, so the latest requests are still open.
    pub start: DateTime<Utc>,
    pub days: u32,
    pub seed: u64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            libraries: 40,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub libraries: Vec<LibraryId>,
    pub requests: Vec<Uuid>,
    pub events: u64,
}

/// One event as the `events` table stores it.
struct Row {
    aggregate_type: &'static str,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    payload: String,
    metadata: String,
    occurred_at: DateTime<Utc>,
}

/// Appends a generated history to `db` (an empty store, or one whose
/// libraries do not clash with `LIB001`… of this shape).
pub async fn generate(db: &Database, shape: &Shape) -> Result<Generated, StoreError> {
    let mut random = Random(shape.seed);
    let clock = Arc::new(ManualClock::new(shape.start));
    let directory = Arc::new(InMemoryDirectory::new());
    let services = RequestServices {
        clock: clock.clone(),
        calendar: Calendar::default(),
        response_window: Duration::days(5),
        directory: directory.clone(),
    };
    let mut generated = Generated {
        libraries: Vec::new(),
        requests: Vec::new(),
        events: 0,
    };

    let admin = Origin::Person(Actor::new("admin", "LIB001", Role::Admin));
    let mut rows = Vec::new();
    for n in 1..=shape.libraries.max(2) {
        let id = LibraryId::from(format!("LIB{n:03}"));
        // One in ten borrows only.
        let lends = n % 10 != 0;
        let Origin::Person(actor) = &admin else {
            continue;
        };
        let change = LibraryChange::Register {
            id: id.clone(),
            name: format!("Library {n}"),
            lends,
        };
        let events = Library::default()
            .decide(LibraryCommand {
                actor: actor.clone(),
                change,
            })
            .map_err(|e| StoreError::Malformed(format!("registering {id}: {e}")))?;
        let metadata = EventMetadata::new(&admin, shape.start, Uuid::new_v4());
        for (i, event) in events.into_iter().enumerate() {
            rows.push(row(Library::TYPE, id.as_str(), i + 1, &event, &metadata)?);
        }
        directory.set(
            id.clone(),
            LibraryStatus {
                lends,
                suspended: false,
            },
        );
        generated.libraries.push(id);
    }
    generated.events += append(db, rows).await?;

    let end = shape.start + Duration::days(i64::from(shape.days));
    let spacing = Duration::seconds(i64::from(shape.days) * 86_400 / shape.requests.max(1) as i64);
    let mut placed_at = shape.start;
    let mut remaining = shape.requests;
    while remaining > 0 {
        let mut rows = Vec::new();
        for _ in 0..remaining.min(CHUNK) {
            let id = Uuid::from_u128(u128::from(random.next()) << 64 | u128::from(random.next()));
            clock.set(placed_at);
            let life = Life {
                services: &services,
                clock: &clock,
                libraries: &generated.libraries,
                end,
            };
            rows.extend(life.request(&mut random, id)?);
            generated.requests.push(id);
            placed_at += spacing;
        }
        remaining -= remaining.min(CHUNK);
        // Stable: a stream's events keep their order at equal times.
        rows.sort_by_key(|r| r.occurred_at);
        generated.events += append(db, rows).await?;
    }
    Ok(generated)
}

/// What a request's life runs against.
struct Life<'a> {
    services: &'a RequestServices,
    clock: &'a ManualClock,
    libraries: &'a [LibraryId],
    /// Nothing happens after it.
    end: DateTime<Utc>,
}

impl Life<'_> {
    /// One request's life, from placing to its end or the history's.
    fn request(&self, random: &mut Random, id: Uuid) -> Result<Vec<Row>, StoreError> {
        let (services, clock, libraries) = (self.services, self.clock, self.libraries);
        let borrower = random.pick(libraries).clone();
        let copy = random.chance(0.2);
        let lenders = rota(random, libraries, &borrower);
        let place = Action::Place(PlaceRequest {
            patron_ref: Uuid::from_u128(u128::from(random.next())),
            patron: PatronInput {
                barcode: format!("2100{:08}", random.below(100_000_000)),
                name: None,
                email: None,
            },
            item: Item::titled(format!("Title {}", random.below(50_000))),
            service_type: if copy {
                ServiceType::Copy
            } else {
                ServiceType::Loan
            },
            lenders,
            needed_by: None,
            note: None,
        });
        let mut history = History {
            id,
            request: IllRequest::default(),
            rows: Vec::new(),
        };
        history.run(services, staff(&borrower), place)?;
        let mut rerouted = false;
        for _ in 0..STEPS {
            let Some(state) = history.request.state.clone() else {
                break;
            };
            clock.advance(Duration::minutes(30 + random.below(48 * 60) as i64));
            if services.now() > self.end {
                break;
            }
            let lender = state.lender().map(staff);
            let borrower = staff(&state.borrower);
            let today = services.today();
            let (origin, action) = match (state.status, lender) {
                (RequestStatus::Requested, Some(lender)) => match random.below(100) {
                    0..=54 => (lender, Action::WillSupply { note: None }),
                    55..=69 => {
                        let reason = *random.pick(&UnfilledReason::ALL);
                        (lender, Action::Decline { reason, note: None })
                    }
                    70..=79 => {
                        if let Some(by) = state.respond_by {
                            clock.set(by + Duration::minutes(1));
                        }
                        (Origin::System, Action::TimeOut)
                    }
                    80..=84 => (
                        lender,
                        Action::ProposeConditions {
                            condition: LoanCondition::LibraryUseOnly,
                            note: None,
                        },
                    ),
                    85..=94 => (lender, supply(copy, today)),
                    _ => (borrower, Action::Cancel { note: None }),
                },
                (RequestStatus::Conditional, _) => match random.below(10) {
                    0..=6 => (borrower, Action::AcceptConditions),
                    _ => (borrower, Action::RejectConditions { note: None }),
                },
                (RequestStatus::WillSupply, Some(lender)) if random.chance(0.92) => {
                    (lender, supply(copy, today))
                }
                (RequestStatus::WillSupply, Some(lender)) => {
                    let reason = *random.pick(&UnfilledReason::ALL);
                    (lender, Action::Decline { reason, note: None })
                }
                (RequestStatus::Shipped, _) if random.chance(0.02) => {
                    (borrower, Action::DeclareLost { note: None })
                }
                (RequestStatus::Shipped, _) => (borrower, Action::Receive),
                (RequestStatus::Received, _) => (borrower, Action::CheckOutToPatron),
                (RequestStatus::CheckedOut, Some(lender)) if state.renewal_pending() => (
                    lender,
                    Action::AnswerRenewal {
                        approve: true,
                        new_due_date: None,
                    },
                ),
                (RequestStatus::CheckedOut, _) if random.chance(0.1) && !state.recalled => {
                    let until = state.due_date.map(|due| due + Duration::days(14));
                    (borrower, Action::RequestRenewal { until })
                }
                (RequestStatus::CheckedOut, _) => (borrower, Action::ReturnFromPatron),
                (RequestStatus::ReturnedByPatron, _) => (borrower, Action::ShipReturn),
                (RequestStatus::ReturnShipped, Some(lender)) => (lender, Action::CheckIn),
                (RequestStatus::Unfilled, _) if !rerouted && random.chance(0.3) => {
                    rerouted = true;
                    let lenders = rota(random, libraries, &state.borrower);
                    (borrower, Action::Reroute { lenders })
                }
                _ => break,
            };
            if services.now() > self.end || history.run(services, origin, action).is_err() {
                break;
            }
        }
        Ok(history.rows)
    }
}

struct History {
    id: Uuid,
    request: IllRequest,
    rows: Vec<Row>,
}

impl History {
    /// Decides and applies one command; an error when the domain refuses it.
    fn run(
        &mut self,
        services: &RequestServices,
        origin: Origin,
        action: Action,
    ) -> Result<(), StoreError> {
        let metadata = EventMetadata::new(&origin, services.now(), Uuid::nil());
        let command = RequestCommand {
            origin,
            expected_version: None,
            action,
        };
        let events = self
            .request
            .decide(command, services)
            .map_err(|e| StoreError::Malformed(format!("generated command refused: {e}")))?;
        for event in events {
            let sequence = self.request.version as usize + 1;
            let id = self.id.to_string();
            self.rows
                .push(row(IllRequest::TYPE, &id, sequence, &event, &metadata)?);
            self.request.apply(event);
        }
        Ok(())
    }
}

fn row<E: DomainEvent + Serialize>(
    aggregate_type: &'static str,
    aggregate_id: &str,
    sequence: usize,
    event: &E,
    metadata: &EventMetadata,
) -> Result<Row, StoreError> {
    let json = |value: serde_json::Result<String>| {
        value.map_err(|e| StoreError::Malformed(format!("serializing an event: {e}")))
    };
    Ok(Row {
        aggregate_type,
        aggregate_id: aggregate_id.to_owned(),
        sequence: sequence as i64,
        event_type: event.event_type(),
        payload: json(serde_json::to_string(event))?,
        metadata: json(serde_json::to_string(&metadata.to_map()))?,
        occurred_at: metadata.occurred_at,
    })
}

fn supply(copy: bool, today: chrono::NaiveDate) -> Action {
    if copy {
        Action::DeliverCopy { note: None }
    } else {
        Action::Ship {
            due_date: today + Duration::days(28),
            note: None,
        }
    }
}

fn staff(library: &LibraryId) -> Origin {
    Origin::Person(Actor::new(
        format!("{library}-staff"),
        library.clone(),
        Role::Staff,
    ))
}

/// One to four lenders, never the borrower.
fn rota(random: &mut Random, libraries: &[LibraryId], borrower: &LibraryId) -> Vec<LibraryId> {
    let wanted = 1 + random.below(4) as usize;
    let mut chosen = BTreeSet::new();
    let mut rota = Vec::new();
    while rota.len() < wanted.min(libraries.len() - 1) {
        let lender = random.pick(libraries);
        if lender != borrower && chosen.insert(lender.clone()) {
            rota.push(lender.clone());
        }
    }
    rota
}

async fn append(db: &Database, rows: Vec<Row>) -> Result<u64, StoreError> {
    let count = rows.len() as u64;
    match db {
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
                .await?;
        }
        Database::Sqlite(pool) => {
            let mut tx = pool.begin().await?;
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
                    .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(count)
}

/// SplitMix64: small, fast, and the same everywhere for a seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
