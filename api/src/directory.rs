//! The library directory in memory: routing consults it on every command, and
//! GraphQL resolves library names from it. It is loaded at start, updated
//! synchronously by this process's own library commands (so a library is
//! usable the moment its registration is acknowledged), and refreshed from
//! the read model when another process changes a library.

use std::collections::HashMap;
use std::sync::RwLock;

use domain::library::LibraryRecord;
use domain::{LibraryDirectory, LibraryId, LibraryStatus};

#[derive(Debug, Default)]
pub struct LibraryCache {
    libraries: RwLock<HashMap<LibraryId, LibraryRecord>>,
}

impl LibraryCache {
    pub fn replace_all(&self, records: Vec<LibraryRecord>) {
        let map = records.into_iter().map(|r| (r.id.clone(), r)).collect();
        *self.libraries.write().expect("library cache lock") = map;
    }

    pub fn put(&self, record: LibraryRecord) {
        self.libraries
            .write()
            .expect("library cache lock")
            .insert(record.id.clone(), record);
    }

    pub fn get(&self, id: &LibraryId) -> Option<LibraryRecord> {
        self.libraries
            .read()
            .expect("library cache lock")
            .get(id)
            .cloned()
    }

    /// Every library, ordered by id.
    pub fn all(&self) -> Vec<LibraryRecord> {
        let mut all: Vec<LibraryRecord> = self
            .libraries
            .read()
            .expect("library cache lock")
            .values()
            .cloned()
            .collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }
}

impl LibraryDirectory for LibraryCache {
    fn lookup(&self, id: &LibraryId) -> Option<LibraryStatus> {
        self.libraries
            .read()
            .expect("library cache lock")
            .get(id)
            .map(|r| LibraryStatus {
                lends: r.lends,
                suspended: r.suspended,
            })
    }
}
