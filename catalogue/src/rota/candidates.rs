//! Who may stand in an automatic rota: a library other than the borrower
//! that lends, is not suspended now nor closed today, and holds the record
//! with a lendable copy (LOAN) or with any kept copy (COPY); and, on a
//! reroute, was not routed to before.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use domain::{LibraryDirectory, LibraryId, ServiceType};

use crate::holdings::Holder;

/// The holders that may be asked, in the holders' order.
pub fn eligible(
    holders: Vec<Holder>,
    borrower: &LibraryId,
    service: ServiceType,
    today: NaiveDate,
    excluded: &BTreeSet<LibraryId>,
    directory: &dyn LibraryDirectory,
) -> Vec<LibraryId> {
    holders
        .into_iter()
        .filter(|holder| service == ServiceType::Copy || holder.lendable)
        .map(|holder| holder.library)
        .filter(|library| library != borrower && !excluded.contains(library))
        .filter(|library| {
            directory
                .lookup(library)
                .is_some_and(|status| status.can_lend())
                && !directory.closed_on(library, today)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Closure, InMemoryDirectory, LibraryStatus};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    fn directory() -> InMemoryDirectory {
        let directory = InMemoryDirectory::new();
        let lending = LibraryStatus {
            lends: true,
            suspended: false,
        };
        for id in ["BOR", "A", "B", "CLOSED", "OPEN_TOMORROW", "NOCOPY"] {
            directory.set(id.into(), lending);
        }
        directory.set(
            "SUSP".into(),
            LibraryStatus {
                lends: true,
                suspended: true,
            },
        );
        directory.set(
            "NOLEND".into(),
            LibraryStatus {
                lends: false,
                suspended: false,
            },
        );
        directory.set_closures(
            "CLOSED".into(),
            vec![Closure {
                from: today(),
                to: today(),
                reason: None,
            }],
        );
        directory.set_closures(
            "OPEN_TOMORROW".into(),
            vec![Closure {
                from: today().succ_opt().unwrap(),
                to: today().succ_opt().unwrap(),
                reason: None,
            }],
        );
        directory
    }

    fn holders() -> Vec<Holder> {
        [
            ("A", true),
            ("B", true),
            ("BOR", true),
            ("CLOSED", true),
            ("NOCOPY", false),
            ("NOLEND", true),
            ("OPEN_TOMORROW", true),
            ("SUSP", true),
            ("UNKNOWN", true),
        ]
        .into_iter()
        .map(|(library, lendable)| Holder {
            library: library.into(),
            lendable,
        })
        .collect()
    }

    fn names(libraries: &[LibraryId]) -> Vec<&str> {
        libraries.iter().map(LibraryId::as_str).collect()
    }

    #[test]
    fn a_loan_needs_a_lendable_copy_at_an_open_lending_library() {
        let eligible = eligible(
            holders(),
            &"BOR".into(),
            ServiceType::Loan,
            today(),
            &BTreeSet::new(),
            &directory(),
        );
        assert_eq!(names(&eligible), ["A", "B", "OPEN_TOMORROW"]);
    }

    #[test]
    fn a_copy_takes_any_kept_copy() {
        let eligible = eligible(
            holders(),
            &"bor".into(),
            ServiceType::Copy,
            today(),
            &BTreeSet::new(),
            &directory(),
        );
        assert_eq!(names(&eligible), ["A", "B", "NOCOPY", "OPEN_TOMORROW"]);
    }

    #[test]
    fn libraries_routed_to_before_are_left_out() {
        let excluded = BTreeSet::from([LibraryId::from("a")]);
        let eligible = eligible(
            holders(),
            &"BOR".into(),
            ServiceType::Loan,
            today(),
            &excluded,
            &directory(),
        );
        assert_eq!(names(&eligible), ["B", "OPEN_TOMORROW"]);
    }
}
