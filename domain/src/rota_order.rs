//! The automatic rota's order (DESIGN.md): the lower a candidate's score
//! `(lent + 1) / (borrowed + 1) + waiting / 10`, the sooner it is asked;
//! scores compare exactly, as the fractions
//! `(10·(lent+1) + waiting·(borrowed+1)) / (10·(borrowed+1))` by integer
//! cross-multiplication; equal scores by the first 8 bytes, big-endian, of
//! SHA-256(record "\n" borrower "\n" library), so no name is favoured.
//! Pure, so that the catalogue's rota and the simulated network's
//! automatic placements order lenders alike.

use std::cmp::Ordering;

use crate::LibraryId;
use sha2::{Digest, Sha256};

/// What one candidate lent and borrowed over the 90 days, and how many
/// requests wait at it now. Counts are u32, so every product below fits a
/// u128 exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Load {
    pub lent: u32,
    pub borrowed: u32,
    pub waiting: u32,
}

impl Load {
    /// The score as the fraction (numerator, denominator).
    fn fraction(self) -> (u128, u128) {
        let (lent, borrowed, waiting) = (
            u128::from(self.lent),
            u128::from(self.borrowed),
            u128::from(self.waiting),
        );
        (
            10 * (lent + 1) + waiting * (borrowed + 1),
            10 * (borrowed + 1),
        )
    }

    /// Compares two scores exactly.
    pub fn cmp_score(self, other: Load) -> Ordering {
        let (a, b) = self.fraction();
        let (c, d) = other.fraction();
        (a * d).cmp(&(c * b))
    }

    /// The score for display.
    pub fn score(self) -> f64 {
        let (numerator, denominator) = self.fraction();
        numerator as f64 / denominator as f64
    }

    /// The contract's reason, stored as the rota entry's selection.
    pub fn reason(self) -> String {
        format!(
            "lent {}, borrowed {} in 90 days; {} waiting",
            self.lent, self.borrowed, self.waiting
        )
    }
}

/// The tie-break key of `library` for this record and borrower.
pub fn tie_key(record: &str, borrower: &LibraryId, library: &LibraryId) -> u64 {
    let digest = Sha256::digest(format!("{record}\n{borrower}\n{library}"));
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// Every candidate in the order it would be asked.
pub fn order(
    record: &str,
    borrower: &LibraryId,
    candidates: Vec<(LibraryId, Load)>,
) -> Vec<(LibraryId, Load)> {
    let mut keyed: Vec<(u64, LibraryId, Load)> = candidates
        .into_iter()
        .map(|(library, load)| (tie_key(record, borrower, &library), library, load))
        .collect();
    // The id last only makes the order total should two keys ever collide.
    keyed.sort_by(|(key_a, lib_a, load_a), (key_b, lib_b, load_b)| {
        load_a
            .cmp_score(*load_b)
            .then(key_a.cmp(key_b))
            .then_with(|| lib_a.as_str().cmp(lib_b.as_str()))
    });
    keyed
        .into_iter()
        .map(|(_, library, load)| (library, load))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(lent: u32, borrowed: u32, waiting: u32) -> Load {
        Load {
            lent,
            borrowed,
            waiting,
        }
    }

    fn names(ordered: &[(LibraryId, Load)]) -> Vec<&str> {
        ordered.iter().map(|(l, _)| l.as_str()).collect()
    }

    #[test]
    fn scores_by_hand() {
        // (0+1)/(0+1) + 0/10 = 1
        assert_eq!(load(0, 0, 0).score(), 1.0);
        // (3+1)/(1+1) = 2
        assert_eq!(load(3, 1, 0).score(), 2.0);
        // (1+1)/(3+1) = 0.5
        assert_eq!(load(1, 3, 0).score(), 0.5);
        // 1 + 5/10 = 1.5
        assert_eq!(load(0, 0, 5).score(), 1.5);
        // (2+1)/(2+1) + 4/10 = 1.4
        assert_eq!(load(2, 2, 4).score(), 1.4);
    }

    #[test]
    fn scores_compare_exactly() {
        // 1/3 + 0 against 1/3 + 0 written differently: (0+1)/(2+1) and
        // (1+1)/(5+1) are both a third.
        assert_eq!(load(0, 2, 0).cmp_score(load(1, 5, 0)), Ordering::Equal);
        // 2/3 + 1/10 = 23/30 against 7/9 = 23.33/30: the first is lower.
        assert_eq!(load(1, 2, 1).cmp_score(load(6, 8, 0)), Ordering::Less);
        // A queue of one at an otherwise equal lender: asked later.
        assert_eq!(load(0, 0, 1).cmp_score(load(0, 0, 0)), Ordering::Greater);
        // The largest counts still compare without overflow.
        let max = load(u32::MAX, u32::MAX, u32::MAX);
        assert_eq!(max.cmp_score(max), Ordering::Equal);
        assert_eq!(
            load(u32::MAX - 1, u32::MAX, u32::MAX).cmp_score(max),
            Ordering::Less
        );
    }

    #[test]
    fn the_reason_is_the_contracts_text() {
        assert_eq!(
            load(12, 9, 2).reason(),
            "lent 12, borrowed 9 in 90 days; 2 waiting"
        );
    }

    #[test]
    fn the_tie_key_is_the_first_8_bytes_of_the_sha256() {
        // printf 'ocolc:1\nBOR\nAAA' | sha256sum → 149aa9ca880c71d8…
        assert_eq!(
            tie_key("ocolc:1", &"BOR".into(), &"AAA".into()),
            0x149a_a9ca_880c_71d8
        );
        assert_eq!(
            tie_key("ocolc:1", &"BOR".into(), &"ZZZ".into()),
            0x26e1_0071_64f3_8d16
        );
        assert_eq!(
            tie_key("ocolc:1", &"BOR".into(), &"MMM".into()),
            0x6a06_5a88_5c2d_04c5
        );
    }

    #[test]
    fn lower_scores_first_and_a_queue_pushes_a_lender_back() {
        let ordered = order(
            "ocolc:1",
            &"BOR".into(),
            vec![
                ("B".into(), load(3, 1, 0)), // 2
                ("A".into(), load(0, 0, 0)), // 1
                ("D".into(), load(0, 0, 5)), // 1.5
                ("C".into(), load(1, 3, 0)), // 0.5
            ],
        );
        assert_eq!(names(&ordered), ["C", "A", "D", "B"]);
    }

    #[test]
    fn ties_follow_the_hash_not_the_name() {
        let even = load(4, 4, 0);
        let ordered = order(
            "ocolc:1",
            &"BOR".into(),
            vec![
                ("AAA".into(), even),
                ("MMM".into(), even),
                ("ZZZ".into(), even),
            ],
        );
        // 0x149a… < 0x26e1… < 0x6a06…
        assert_eq!(names(&ordered), ["AAA", "ZZZ", "MMM"]);
        // Another borrower draws another order from the same ties:
        // ZZZ 0x5b40… < MMM 0xaeb4… < AAA 0xd27e….
        let ordered = order(
            "ocolc:1",
            &"BOR2".into(),
            vec![
                ("AAA".into(), even),
                ("MMM".into(), even),
                ("ZZZ".into(), even),
            ],
        );
        assert_eq!(names(&ordered), ["ZZZ", "MMM", "AAA"]);
    }
}
