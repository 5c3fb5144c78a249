//! What routing needs to know of each library: whether it lends, whether
//! its lending is suspended, and on which dates it is closed.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::NaiveDate;

use crate::closure::Closure;
use crate::library_id::LibraryId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibraryStatus {
    pub lends: bool,
    pub suspended: bool,
}

impl LibraryStatus {
    pub fn can_lend(self) -> bool {
        self.lends && !self.suspended
    }
}

pub trait LibraryDirectory: Send + Sync {
    /// `None` for a library that is not registered.
    fn lookup(&self, id: &LibraryId) -> Option<LibraryStatus>;

    /// Whether a closure of `id` covers `date` (network time zone).
    fn closed_on(&self, id: &LibraryId, date: NaiveDate) -> bool;
}

/// The directory held in memory, kept current by whoever owns it.
#[derive(Debug, Default)]
pub struct InMemoryDirectory {
    libraries: RwLock<HashMap<LibraryId, LibraryStatus>>,
    closures: RwLock<HashMap<LibraryId, Vec<Closure>>>,
}

impl InMemoryDirectory {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&self, id: LibraryId, status: LibraryStatus) {
        self.libraries
            .write()
            .expect("directory lock")
            .insert(id, status);
    }

    pub fn set_closures(&self, id: LibraryId, closures: Vec<Closure>) {
        self.closures
            .write()
            .expect("directory lock")
            .insert(id, closures);
    }
}

impl LibraryDirectory for InMemoryDirectory {
    fn lookup(&self, id: &LibraryId) -> Option<LibraryStatus> {
        self.libraries
            .read()
            .expect("directory lock")
            .get(id)
            .copied()
    }

    fn closed_on(&self, id: &LibraryId, date: NaiveDate) -> bool {
        self.closures
            .read()
            .expect("directory lock")
            .get(id)
            .is_some_and(|closures| closures.iter().any(|c| c.covers(date)))
    }
}
