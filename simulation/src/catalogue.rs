//! The network's union catalogue: the titles on each shelf, which members
//! hold each, and how often each is wanted. Requests are placed for these
//! titles and routed to their holders, so that `--demo` can load the same
//! holdings into the real catalogue and the requests point at its records.

use domain::LibraryId;

use crate::names;
use crate::network::Member;
use crate::random::{Cumulative, Random};
use crate::shape::Shape;
use crate::shelves::{Shelf, Shelves};

/// Titles on each shelf: a small union catalogue, quick to import.
pub const TITLES_PER_SHELF: usize = 500;

/// The random stream of the catalogue (requests use their index).
const STREAM: u64 = u64::MAX - 1;

/// One title of the catalogue and who holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    pub title: String,
    pub author: String,
    pub year: String,
    /// ISBN-13 (its check digit right), unique to the title.
    pub isbn: String,
    /// OCLC number, unique to the title.
    pub oclc: String,
    /// The members holding a copy, in network order.
    pub holders: Vec<LibraryId>,
    /// The catalogue's id for the title's record, stored as each request's
    /// `item.catalogRecordId` (set by [`Catalogue::with_record_ids`]).
    pub record_id: Option<String>,
    pub(crate) shelf: Shelf,
    /// `holders` as indexes into the network's members.
    pub(crate) members: Vec<usize>,
}

/// Every title, shelf by shelf ([`TITLES_PER_SHELF`] each, in
/// `Shelf::ALL` order); on each shelf the first titles are the most wanted
/// and the most widely held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub titles: Vec<Title>,
}

/// The catalogue of the network of `shape`, as [`crate::generate`] routes
/// its requests (without record ids).
pub fn catalogue(shape: &Shape) -> Catalogue {
    Catalogue::new(shape, &crate::network(shape))
}

impl Catalogue {
    pub(crate) fn new(shape: &Shape, members: &[Member]) -> Catalogue {
        let mut random = Random::new(shape.seed, STREAM);
        let lenders = Shelves::new(members);
        // Borrow-only members keep a catalogue too.
        let everyone = Shelves::holding(members);
        let mut titles = Vec::with_capacity(Shelf::ALL.len() * TITLES_PER_SHELF);
        for shelf in Shelf::ALL {
            let (first, second) = shelf.titles();
            for rank in 0..TITLES_PER_SHELF {
                let number = titles.len() as u64;
                // Skewed: the most wanted titles are held by a dozen or more.
                let popularity = 1.0 - rank as f64 / TITLES_PER_SHELF as f64;
                let wanted = 3 + random
                    .log_normal(1.0 + 9.0 * popularity.powi(4), 0.5)
                    .round() as usize;
                let mut holders = draw(&mut random, lenders.of(shelf), wanted);
                if random.chance(0.3) {
                    let member = everyone.of(shelf).pick(&mut random);
                    if !members[member].lends && !holders.contains(&member) {
                        holders.push(member);
                    }
                }
                holders.sort_unstable();
                titles.push(Title {
                    title: format!("{} {}", random.pick(first), random.pick(second)),
                    author: format!(
                        "{}, {}",
                        random.pick(&names::SURNAMES),
                        random.pick(&names::GIVEN_NAMES)
                    ),
                    year: (1950 + random.below(75)).to_string(),
                    isbn: isbn13(number),
                    oclc: (70_000_000 + number).to_string(),
                    holders: holders.iter().map(|&m| members[m].id.clone()).collect(),
                    record_id: None,
                    shelf,
                    members: holders,
                });
            }
        }
        Catalogue { titles }
    }

    /// Sets each title's record id to `id(title)`.
    pub fn with_record_ids(mut self, id: impl Fn(&Title) -> String) -> Catalogue {
        for title in &mut self.titles {
            title.record_id = Some(id(title));
        }
        self
    }

    /// The titles `library` holds, in catalogue order.
    pub fn holdings_of<'a>(&'a self, library: &'a LibraryId) -> impl Iterator<Item = &'a Title> {
        self.titles
            .iter()
            .filter(move |title| title.holders.contains(library))
    }

    /// A title of `shelf` to request: the first titles far more often.
    pub(crate) fn pick(&self, random: &mut Random, shelf: Shelf) -> usize {
        let offset = Shelf::ALL.iter().position(|s| *s == shelf).unwrap_or(0) * TITLES_PER_SHELF;
        let u = random.unit();
        offset + ((u * u * TITLES_PER_SHELF as f64) as usize).min(TITLES_PER_SHELF - 1)
    }
}

/// Up to `wanted` different members drawn by `weights`.
fn draw(random: &mut Random, weights: &Cumulative, wanted: usize) -> Vec<usize> {
    let mut drawn = Vec::with_capacity(wanted);
    for _ in 0..wanted * 20 {
        if drawn.len() == wanted {
            break;
        }
        let member = weights.pick(random);
        if !drawn.contains(&member) {
            drawn.push(member);
        }
    }
    drawn
}

/// The `number`th ISBN-13 of the simulated publisher 978-15, check digit
/// included.
fn isbn13(number: u64) -> String {
    let body = format!("97815{:07}", number % 10_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_carry_their_check_digit() {
        for number in [0, 1, 42, 9_999_999] {
            let isbn = isbn13(number);
            assert_eq!(domain::normalize::isbn13(&isbn).as_deref(), Some(&*isbn));
        }
        assert_eq!(isbn13(0), "9781500000004");
    }
}
