//! What routing needs to know of each library: whether it lends, and whether
//! its lending is suspended.

use std::collections::HashMap;
use std::sync::RwLock;

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
}

/// The directory held in memory, kept current by whoever owns it.
#[derive(Debug, Default)]
pub struct InMemoryDirectory {
    libraries: RwLock<HashMap<LibraryId, LibraryStatus>>,
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
}

impl LibraryDirectory for InMemoryDirectory {
    fn lookup(&self, id: &LibraryId) -> Option<LibraryStatus> {
        self.libraries
            .read()
            .expect("directory lock")
            .get(id)
            .copied()
    }
}
