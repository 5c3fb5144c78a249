//! The simulated network's members: who they are, how each behaves, and
//! what the directory knows of them at any moment of the history.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::{Clock, LibraryDirectory, LibraryId, LibraryStatus, ManualClock};

use crate::names;
use crate::random::Random;
use crate::shape::{Kind, Shape};

/// The account name of every library's ILL staff in the generated events.
pub const STAFF_ACCOUNT: &str = "ill-staff";
/// The network's coordinating library (the State Library).
pub const COORDINATING_LIBRARY: &str = "CT-STATE";

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
    pub(crate) holdings: f64,
    /// How much it borrows.
    pub(crate) demand: f64,
    /// Chance that it supplies an item it is asked for.
    pub(crate) willing: f64,
    /// Chance that it never answers.
    pub(crate) silent: f64,
    /// Median hours to answer.
    pub(crate) answer_hours: f64,
}

/// The libraries of a shape, as [`generate`] registers them.
///
/// [`generate`]: crate::generate
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

/// Answers routing's questions as the directory stood at the clock's time.
pub(crate) struct Timeline {
    clock: Arc<ManualClock>,
    members: HashMap<LibraryId, (bool, Option<Suspension>)>,
}

impl Timeline {
    /// The directory of `members`, read at `clock`'s time.
    pub(crate) fn new(clock: Arc<ManualClock>, members: &[Member]) -> Timeline {
        Timeline {
            clock,
            members: members
                .iter()
                .map(|m| (m.id.clone(), (m.lends, m.suspended)))
                .collect(),
        }
    }
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

    /// The simulated network keeps no dated closures.
    fn closed_on(&self, _id: &LibraryId, _date: chrono::NaiveDate) -> bool {
        false
    }
}

pub(crate) fn suspended_at(period: Option<Suspension>, at: DateTime<Utc>) -> bool {
    period.is_some_and(|(from, until)| from <= at && until.is_none_or(|until| at < until))
}
