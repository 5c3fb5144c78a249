//! What the requests are for: the shelves of items, who holds and who
//! wants each, and the members weighted by what they hold.

use crate::names;
use crate::network::Member;
use crate::random::Cumulative;
use crate::shape::Kind;

/// What kind of item a request is for: who holds it, who wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shelf {
    Popular,
    Scholarly,
    Juvenile,
    Local,
}

impl Shelf {
    pub(crate) const ALL: [Shelf; 4] = [
        Shelf::Popular,
        Shelf::Scholarly,
        Shelf::Juvenile,
        Shelf::Local,
    ];

    /// How much of this shelf a library of `kind` holds.
    pub(crate) fn held_by(self, kind: Kind) -> f64 {
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
    pub(crate) fn wanted_by(kind: Kind) -> [f64; 4] {
        match kind {
            Kind::Public => [0.62, 0.15, 0.13, 0.10],
            Kind::Academic => [0.12, 0.75, 0.03, 0.10],
            Kind::School => [0.25, 0.05, 0.68, 0.02],
            Kind::Special => [0.05, 0.45, 0.0, 0.50],
        }
    }

    /// The share of requests for an article or chapter (COPY).
    pub(crate) fn copies(self) -> f64 {
        match self {
            Shelf::Popular => 0.03,
            Shelf::Scholarly => 0.45,
            Shelf::Juvenile => 0.01,
            Shelf::Local => 0.25,
        }
    }

    pub(crate) fn titles(self) -> &'static ([&'static str; 12], [&'static str; 12]) {
        match self {
            Shelf::Popular => &names::POPULAR,
            Shelf::Scholarly => &names::SCHOLARLY,
            Shelf::Juvenile => &names::JUVENILE,
            Shelf::Local => &names::LOCAL,
        }
    }
}

/// Per shelf: the lending members weighted by how much of it they hold.
pub(crate) struct Shelves(Vec<Cumulative>);

impl Shelves {
    pub(crate) fn new(members: &[Member]) -> Shelves {
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

    /// Per shelf: every member, lending or not, weighted by how much of it
    /// they hold.
    pub(crate) fn holding(members: &[Member]) -> Shelves {
        Shelves(
            Shelf::ALL
                .iter()
                .map(|shelf| {
                    Cumulative::new(members.iter().map(|m| m.holdings * shelf.held_by(m.kind)))
                })
                .collect(),
        )
    }

    pub(crate) fn of(&self, shelf: Shelf) -> &Cumulative {
        &self.0[Shelf::ALL.iter().position(|s| *s == shelf).unwrap_or(0)]
    }
}
