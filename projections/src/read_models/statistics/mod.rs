//! Projection "statistics": counts per library and network-time-zone day of
//! each event's `occurred_at`, declines by reason, and the exact durations
//! the medians are taken over. Definitions: `contract/schema.graphql`.

mod buckets;
mod write;

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use domain::{Calendar, LibraryId, RequestEvent, UnfilledReason};
use uuid::Uuid;

use super::{is_new, FastMap, RequestRecord, Target};
use crate::changes::Change;
use store::backend::{micros, Tx};
use store::log::StoredEvent;
use store::StoreError;

pub(crate) use buckets::{blocks_covering, BUCKET_MICROS, RECEIVE, SHIP};
use buckets::{blocks_of, bucket};
use write::{load, write_postgres, write_sqlite, Statements};

/// What the statistics remember of a request: whom to credit, and when the
/// clocks of its turnaround started.
pub(crate) struct Tracked {
    pub version: i64,
    pub borrower: LibraryId,
    pub placed_at_us: i64,
    pub routed_at_us: Option<i64>,
    pub changed: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub placed: i64,
    pub filled: i64,
    pub unfilled: i64,
    pub cancelled: i64,
    pub received: i64,
    pub shipped: i64,
    pub declined: i64,
    pub timed_out: i64,
}

pub(crate) struct Duration {
    pub request_id: Uuid,
    pub sequence: i64,
    pub kind: &'static str,
    pub library: LibraryId,
    pub day: NaiveDate,
    pub micros: i64,
}

/// What events add to the statistics tables: counts to add per library and
/// day, declines per library, day and reason, and new durations. The
/// incremental projector writes one per batch; the bulk rebuild sums the
/// whole log's counts in one and drains the durations as it goes.
#[derive(Default)]
pub(crate) struct Batch {
    pub counts: FastMap<(LibraryId, NaiveDate), Counts>,
    pub declines: FastMap<(LibraryId, NaiveDate, UnfilledReason), i64>,
    pub durations: Vec<Duration>,
    /// 'receive' durations counted per day and bucket; the blocks are
    /// summed from these once per write (`receive_blocks`).
    receive_buckets: FastMap<(NaiveDate, i64), i64>,
}

impl Batch {
    /// The counts summed over the libraries, per day.
    pub(crate) fn network_counts(&self) -> BTreeMap<NaiveDate, Counts> {
        let mut network: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
        for ((_, day), n) in &self.counts {
            let sum = network.entry(*day).or_default();
            sum.placed += n.placed;
            sum.filled += n.filled;
            sum.unfilled += n.unfilled;
            sum.cancelled += n.cancelled;
            sum.received += n.received;
            sum.shipped += n.shipped;
            sum.declined += n.declined;
            sum.timed_out += n.timed_out;
        }
        network
    }

    /// The declines summed over the libraries, per day and reason.
    pub(crate) fn network_declines(&self) -> BTreeMap<(NaiveDate, UnfilledReason), i64> {
        let mut network = BTreeMap::new();
        for ((_, day, reason), n) in &self.declines {
            *network.entry((*day, *reason)).or_default() += n;
        }
        network
    }

    /// The 'receive' durations counted so far, per block and bucket.
    pub(crate) fn receive_blocks(&self) -> BTreeMap<(i64, i64), i64> {
        let mut blocks = BTreeMap::new();
        for ((day, bucket), n) in &self.receive_buckets {
            for block in blocks_of(*day) {
                *blocks.entry((block, *bucket)).or_default() += n;
            }
        }
        blocks
    }

    fn count(&mut self, library: &LibraryId, day: NaiveDate) -> &mut Counts {
        self.counts.entry((library.clone(), day)).or_default()
    }
}

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    target: Target,
    calendar: &Calendar,
    events: &[StoredEvent],
) -> Result<Vec<Change>, StoreError> {
    let sql = Statements::of(target);
    let mut records = Vec::new();
    let mut touched = Vec::new();
    let mut seen = HashSet::new();
    for stored in events {
        let Some(record) = RequestRecord::decode(stored)? else {
            continue;
        };
        if seen.insert(record.id) {
            touched.push(record.id);
        }
        records.push(record);
    }
    let mut tracked = load(tx, sql, &touched).await?;
    let mut batch = Batch::default();
    for record in &records {
        let entry = tracked.entry(record.id).or_default();
        fold(entry, record, calendar, &mut batch)?;
    }

    let requests: Vec<(Uuid, &Tracked)> = touched
        .iter()
        .filter_map(|id| match tracked.get(id) {
            Some(Some(request)) if request.changed => Some((*id, request)),
            _ => None,
        })
        .collect();
    match tx {
        Tx::Postgres(c) => write_postgres(c, &sql.postgres, &requests, &batch).await?,
        Tx::Sqlite(c) => write_sqlite(c, &sql.sqlite, &requests, &batch).await?,
    }
    Ok(Vec::new())
}

/// Applies one event of a request to what the statistics track of it
/// (`None` before its first event), adding its counts and durations to
/// `batch`. The projection's one implementation, for the incremental
/// projector and the bulk rebuild alike.
pub(crate) fn fold(
    entry: &mut Option<Tracked>,
    record: &RequestRecord,
    calendar: &Calendar,
    batch: &mut Batch,
) -> Result<(), StoreError> {
    let id = record.id;
    let version = entry.as_ref().map_or(0, |t| t.version);
    if !is_new(&format_args!("request {id}"), version, record.sequence)? {
        return Ok(());
    }
    let at = micros(record.occurred_at());
    let day = calendar.date_of(record.occurred_at());
    let request = match (entry.as_mut(), &record.event) {
        (None, RequestEvent::RequestPlaced { borrower, .. }) => {
            batch.count(borrower, day).placed += 1;
            *entry = Some(Tracked {
                version: record.sequence,
                borrower: borrower.clone(),
                placed_at_us: at,
                routed_at_us: None,
                changed: true,
            });
            return Ok(());
        }
        (None, _) => {
            return Err(StoreError::Malformed(format!(
                "request {id} does not begin with RequestPlaced"
            )))
        }
        (Some(request), _) => request,
    };
    request.version = record.sequence;
    request.changed = true;
    let mut duration = |kind, library: &LibraryId, since: Option<i64>| {
        if let Some(since) = since {
            if kind == RECEIVE {
                *batch
                    .receive_buckets
                    .entry((day, bucket(at - since)))
                    .or_default() += 1;
            }
            batch.durations.push(Duration {
                request_id: id,
                sequence: record.sequence,
                kind,
                library: library.clone(),
                day,
                micros: at - since,
            });
        }
    };
    match &record.event {
        RequestEvent::RequestRouted { lender, .. } => {
            request.routed_at_us = Some(at);
            batch.count(lender, day).received += 1;
        }
        RequestEvent::ItemShipped { lender, .. } => {
            duration(SHIP, lender, request.routed_at_us);
            batch.count(lender, day).shipped += 1;
        }
        RequestEvent::CopyDelivered { lender } => {
            duration(SHIP, lender, request.routed_at_us);
            duration(RECEIVE, &request.borrower, Some(request.placed_at_us));
            batch.count(lender, day).shipped += 1;
            batch.count(&request.borrower, day).filled += 1;
        }
        RequestEvent::ItemReceived {} => {
            duration(RECEIVE, &request.borrower, Some(request.placed_at_us));
            batch.count(&request.borrower, day).filled += 1;
        }
        RequestEvent::RequestUnfilled {} => batch.count(&request.borrower, day).unfilled += 1,
        // Needed-by expiry is a cancellation by the system.
        RequestEvent::RequestCancelled {} | RequestEvent::RequestExpired {} => {
            batch.count(&request.borrower, day).cancelled += 1;
        }
        RequestEvent::LenderDeclined { lender, reason, .. } => {
            batch.count(lender, day).declined += 1;
            *batch
                .declines
                .entry((lender.clone(), day, *reason))
                .or_default() += 1;
        }
        RequestEvent::LenderTimedOut { lender } => batch.count(lender, day).timed_out += 1,
        _ => {}
    }
    Ok(())
}
