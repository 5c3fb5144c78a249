//! A table's fingerprint for verify's first look: its row count and the
//! wrapping sum of a hash of each row's canonical bytes, so row order does
//! not matter; two different tables agree only if their rows collide in
//! both. Each backend says what a row's canonical bytes are
//! (`postgres/fingerprint.rs`: its `COPY` text line; `sqlite/fingerprint.rs`:
//! its typed values).

use std::hash::{DefaultHasher, Hasher};

/// Rows of one table, order-free.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    rows: u64,
    sum: u64,
}

impl Fingerprint {
    /// Adds one row.
    pub(super) fn add(&mut self, row: &[u8]) {
        // SipHash with fixed keys: the same on every run and machine.
        let mut hasher = DefaultHasher::new();
        hasher.write(row);
        self.rows += 1;
        self.sum = self.sum.wrapping_add(hasher.finish());
    }
}
