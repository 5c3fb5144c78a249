//! The automatic rota (DESIGN.md, "The union catalogue and the automatic
//! rota"): the libraries that may lend a record to a borrower now, ordered
//! by how much they lent for what they borrowed in the last 90 days and by
//! how many requests wait at them, cut to the most a rota holds.

mod candidates;

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use domain::{LibraryDirectory, LibraryId, RotaEntry, ServiceType};
use store::Database;

use crate::error::CatalogueError;
use domain::rota_order::{self as order, Load};

/// The default of `--max-rota`: the most lenders an automatic rota holds.
pub const DEFAULT_MAX_ROTA: usize = 5;

/// What a rota is built for.
#[derive(Debug, Clone)]
pub struct RotaFor<'a> {
    /// The record's current id (resolved: `crate::records::resolve`).
    pub record: &'a str,
    pub borrower: &'a LibraryId,
    pub service: ServiceType,
    /// D: the date now in the network's time zone.
    pub today: NaiveDate,
    /// Libraries not to ask again (a reroute's earlier lenders).
    pub excluded: &'a BTreeSet<LibraryId>,
    /// The cut, after ordering (`--max-rota`).
    pub max: usize,
}

/// One lender of an automatic rota, in the order it would be asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub library: LibraryId,
    pub lent: u32,
    pub borrowed: u32,
    pub waiting: u32,
    /// DESIGN.md's score; lower is asked first (display only: the order
    /// compares the exact fractions).
    pub score: f64,
    /// "lent L, borrowed B in 90 days; W waiting": the entry's selection.
    pub reason: String,
}

impl Candidate {
    fn new(library: LibraryId, load: Load) -> Candidate {
        Candidate {
            library,
            lent: load.lent,
            borrowed: load.borrowed,
            waiting: load.waiting,
            score: load.score(),
            reason: load.reason(),
        }
    }

    /// The rota entry, with the reason as its selection.
    pub fn entry(&self) -> RotaEntry {
        RotaEntry::selected(self.library.clone(), self.reason.clone())
    }
}

/// The automatic rota for `rota`: every candidate ordered, then the first
/// `rota.max` kept; empty when no library can lend the record now.
/// `directory` is the one routing consults (lends, suspended, closures).
pub async fn suggest(
    db: &Database,
    directory: &dyn LibraryDirectory,
    rota: &RotaFor<'_>,
) -> Result<Vec<Candidate>, CatalogueError> {
    let holders = crate::holdings::holders(db, rota.record).await?;
    let eligible = candidates::eligible(
        holders,
        rota.borrower,
        rota.service,
        rota.today,
        rota.excluded,
        directory,
    );
    if eligible.is_empty() || rota.max == 0 {
        return Ok(Vec::new());
    }
    // D−90 … D−1.
    let from = rota
        .today
        .checked_sub_days(Days::new(90))
        .unwrap_or(NaiveDate::MIN);
    let to = rota.today.pred_opt().unwrap_or(NaiveDate::MIN);
    let loads = projections::queries::lender_load(db, &eligible, from, to).await?;
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    let weighed = eligible
        .into_iter()
        .map(|library| {
            let load = loads.get(&library).copied().unwrap_or_default();
            let load = Load {
                lent: count(load.lent),
                borrowed: count(load.borrowed),
                waiting: count(load.waiting),
            };
            (library, load)
        })
        .collect();
    Ok(order::order(rota.record, rota.borrower, weighed)
        .into_iter()
        .take(rota.max)
        .map(|(library, load)| Candidate::new(library, load))
        .collect())
}
