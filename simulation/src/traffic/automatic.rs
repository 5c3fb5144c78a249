//! The automatic rota as the server builds it (DESIGN.md, "The union
//! catalogue and the automatic rota"): a title's lending holders other than
//! the borrower, not suspended, ordered by what each lent for what it
//! borrowed over the 90 days before today and by the requests waiting at it,
//! cut to the server's default `--max-rota`. The simulation keeps those
//! figures as its events happen, counted as the statistics count them, so
//! each entry's selection says what the server would have said.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use domain::rota_order::{self, Load};
use domain::{Clock, IllRequest, LibraryId, RequestEvent, RequestStatus, RotaEntry};

use crate::network::suspended_at;

use super::Simulation;

/// The server's default `--max-rota`.
const MAX_ROTA: usize = 5;
/// The days before today that a candidate's lent and borrowed cover.
const WINDOW_DAYS: usize = 90;

/// Per member: shipped as a lender (`LendingStats.shipped`) and filled as
/// a borrower (`BorrowingStats.filled`) on each day of the history, and the
/// requests waiting at it now as their current lender.
pub(super) struct Loads {
    first_day: NaiveDate,
    lent: Vec<Vec<u32>>,
    borrowed: Vec<Vec<u32>>,
    waiting: Vec<u32>,
}

impl Loads {
    /// Loads for `members` members over `days` days from `first_day`.
    pub(super) fn new(members: usize, first_day: NaiveDate, days: usize) -> Loads {
        Loads {
            first_day,
            lent: vec![vec![0; days]; members],
            borrowed: vec![vec![0; days]; members],
            waiting: vec![0; members],
        }
    }

    fn day(&self, date: NaiveDate) -> Option<usize> {
        usize::try_from((date - self.first_day).num_days()).ok()
    }

    fn add(counts: &mut [Vec<u32>], member: Option<usize>, day: Option<usize>) {
        if let Some(count) = member
            .zip(day)
            .and_then(|(m, d)| counts.get_mut(m)?.get_mut(d))
        {
            *count += 1;
        }
    }

    /// Counts a request's `events`, decided on `date`.
    fn count(
        &mut self,
        index: &HashMap<LibraryId, usize>,
        borrower: &LibraryId,
        events: &[RequestEvent],
        date: NaiveDate,
    ) {
        let day = self.day(date);
        let borrower = index.get(borrower).copied();
        for event in events {
            match event {
                RequestEvent::ItemShipped { lender, .. } => {
                    Loads::add(&mut self.lent, index.get(lender).copied(), day);
                }
                RequestEvent::CopyDelivered { lender } => {
                    Loads::add(&mut self.lent, index.get(lender).copied(), day);
                    Loads::add(&mut self.borrowed, borrower, day);
                }
                RequestEvent::ItemReceived {} => Loads::add(&mut self.borrowed, borrower, day),
                _ => {}
            }
        }
    }

    /// Member `member`'s load on `today`: lent and borrowed over the 90
    /// days before it, waiting now.
    fn load(&self, member: usize, today: NaiveDate) -> Load {
        let end = self.day(today).unwrap_or(0).min(self.lent[member].len());
        let start = end.saturating_sub(WINDOW_DAYS);
        let sum = |counts: &[Vec<u32>]| counts[member][start..end].iter().sum();
        Load {
            lent: sum(&self.lent),
            borrowed: sum(&self.borrowed),
            waiting: self.waiting[member],
        }
    }
}

impl Simulation<'_> {
    /// The member a request waits at: its current lender while it is
    /// asked and unanswered, its conditions are open, or it is to be pulled.
    pub(super) fn waiting_at(&self, request: &IllRequest) -> Option<usize> {
        let state = request.state.as_ref()?;
        matches!(
            state.status,
            RequestStatus::Requested | RequestStatus::Conditional | RequestStatus::WillSupply
        )
        .then(|| state.lender())
        .flatten()
        .and_then(|lender| self.index.get(lender).copied())
    }

    /// Counts `events`, decided now for `request` (not yet applied to it).
    pub(super) fn count_events(&mut self, request: &IllRequest, events: &[RequestEvent]) {
        // A placement's own events count for nothing.
        let Some(state) = &request.state else { return };
        let date = self.services.calendar.date_of(self.clock.now());
        self.loads.count(&self.index, &state.borrower, events, date);
    }

    /// A request waited at `before` and now waits at `after`.
    pub(super) fn move_waiting(&mut self, before: Option<usize>, after: Option<usize>) {
        if let Some(member) = before {
            self.loads.waiting[member] -= 1;
        }
        if let Some(member) = after {
            self.loads.waiting[member] += 1;
        }
    }

    /// The automatic rota for `title` and `borrower` at `at`, none asked
    /// before (`asked`); empty when no library can lend it then, or when
    /// the catalogue gave the title no record id.
    pub(super) fn automatic_rota(
        &self,
        title: usize,
        borrower: &LibraryId,
        asked: &BTreeSet<LibraryId>,
        at: DateTime<Utc>,
    ) -> Vec<RotaEntry> {
        let title = &self.catalogue.titles[title];
        let Some(record) = &title.record_id else {
            return Vec::new();
        };
        let today = self.services.calendar.date_of(at);
        let candidates = title
            .members
            .iter()
            .map(|&m| (m, &self.members[m]))
            .filter(|(_, m)| {
                m.lends
                    && &m.id != borrower
                    && !asked.contains(&m.id)
                    && !suspended_at(m.suspended, at)
            })
            .map(|(i, m)| (m.id.clone(), self.loads.load(i, today)))
            .collect();
        rota_order::order(record, borrower, candidates)
            .into_iter()
            .take(MAX_ROTA)
            .map(|(library, load)| RotaEntry::selected(library, load.reason()))
            .collect()
    }
}
