//! Each event of a pass through the projections' own folds
//! (`read_models::{requests, statistics, libraries}::fold`), the code the
//! incremental projector runs; only the I/O differs. A request is finished
//! (`Done`) when its last event has been folded (the `Plan` says which that
//! is), so memory holds only the requests still open at that point of the
//! log. Per-day statistics are summed in `batch` for the whole pass; its
//! durations are taken out by the writer as they come. The requests waiting
//! at each lender are counted from the finished views (`waiting`).

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

use domain::{Calendar, Library};
use uuid::Uuid;

use super::{Decoded, Event, Plan};
use crate::read_models::requests::{self, RequestRow};
use crate::read_models::statistics::{self, Batch, Tracked};
use crate::read_models::waiting::Tally;
use crate::read_models::{libraries, FastMap, Projection};
use store::log::Position;
use store::StoreError;

/// A request whose events are all folded: its rows are ready.
pub(in crate::rebuild) struct Done {
    pub id: Uuid,
    pub row: RequestRow,
    /// What the statistics track of it (when they are folded).
    pub tracked: Option<Tracked>,
}

/// One request still being folded.
struct Open {
    row: RequestRow,
    tracked: Option<Tracked>,
    last: i64,
}

/// The folds' state over one pass.
pub(in crate::rebuild) struct Folds {
    calendar: Calendar,
    requests: bool,
    statistics: bool,
    hinted: bool,
    lasts: FastMap<Uuid, i64>,
    open: FastMap<Uuid, Open>,
    libraries: BTreeMap<String, (Library, i64)>,
    /// The pass's sums, and the durations not yet written.
    pub batch: Batch,
    /// The requests finished and not yet written.
    pub done: Vec<Done>,
    /// The requests waiting at each lender, over the finished views.
    pub waiting: Tally,
    /// Events folded so far.
    pub read: u64,
    /// The last event folded.
    pub position: Position,
}

impl Folds {
    pub(in crate::rebuild) fn new(
        calendar: Calendar,
        projections: &[Projection],
        plan: Plan,
    ) -> Folds {
        Folds {
            calendar,
            requests: projections.contains(&Projection::Requests),
            statistics: projections.contains(&Projection::Statistics),
            hinted: plan.hinted(),
            lasts: plan.lasts,
            open: FastMap::default(),
            libraries: BTreeMap::new(),
            batch: Batch::default(),
            done: Vec::new(),
            waiting: Tally::default(),
            read: 0,
            position: Position::START,
        }
    }

    /// Folds one event; false when a hinted plan's last sequence fell short
    /// of a stream (the request was finished already): the pass must start
    /// over counted.
    pub(in crate::rebuild) fn fold(&mut self, decoded: Decoded) -> Result<bool, StoreError> {
        self.position = decoded.position;
        self.read += 1;
        match decoded.event {
            Event::Request(record) => {
                let (id, sequence) = (record.id, record.sequence);
                let entry = match self.open.entry(id) {
                    Entry::Occupied(entry) => entry.into_mut(),
                    Entry::Vacant(_) if self.hinted && sequence != 1 => return Ok(false),
                    Entry::Vacant(entry) => entry.insert(Open {
                        row: RequestRow::default(),
                        tracked: None,
                        last: self.lasts.remove(&id).unwrap_or(i64::MAX),
                    }),
                };
                if self.statistics {
                    statistics::fold(&mut entry.tracked, &record, &self.calendar, &mut self.batch)?;
                }
                if self.requests {
                    requests::fold(&mut entry.row, record)?;
                }
                if sequence >= entry.last {
                    let done = self.open.remove(&id).expect("an open request");
                    self.finished(id, done);
                }
            }
            Event::Library(stored) => {
                let (library, version) = self
                    .libraries
                    .entry(stored.aggregate_id.clone())
                    .or_insert_with(|| (Library::default(), 0));
                libraries::fold(library, version, &stored)?;
            }
            Event::Skipped => {}
        }
        Ok(true)
    }

    /// After the last event: the requests whose last event the pass did not
    /// read (none, unless the counts and the log disagree) join `done`, in
    /// id order; each library seen, with its stream's version.
    pub(in crate::rebuild) fn finish(&mut self) -> BTreeMap<String, (Library, i64)> {
        let mut still_open: Vec<(Uuid, Open)> = self.open.drain().collect();
        still_open.sort_by_key(|(id, _)| *id);
        for (id, request) in still_open {
            self.finished(id, request);
        }
        std::mem::take(&mut self.libraries)
    }

    /// A request whose rows are complete: counted, and ready to be written.
    fn finished(&mut self, id: Uuid, request: Open) {
        if let (true, Some(view)) = (self.requests, &request.row.view) {
            self.waiting.add(view);
        }
        self.done.push(Done {
            id,
            row: request.row,
            tracked: request.tracked,
        });
    }
}
