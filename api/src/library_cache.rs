//! The library directory in memory: routing consults it on every command, and
//! GraphQL resolves library names from it. It is loaded at start, updated
//! synchronously by this process's own library commands (so a library is
//! usable the moment its registration is acknowledged), and refreshed from
//! the event log when another process changes a library.
//!
//! Each entry keeps its stream's version and only a newer version replaces
//! it: a refresh that read the log just before a local command committed
//! once overwrote the entry that command had put (a library registered a
//! moment before was "no library" to the same process), and a local put may
//! likewise arrive after a refresh that already holds something newer.

use std::collections::HashMap;
use std::sync::RwLock;

use domain::library::LibraryRecord;
use domain::{LibraryDirectory, LibraryId, LibraryStatus};

#[derive(Debug, Default)]
pub struct LibraryCache {
    /// Each library and its stream's version (events stored).
    libraries: RwLock<HashMap<LibraryId, (LibraryRecord, u64)>>,
}

impl LibraryCache {
    /// Takes every library read from the log, each unless a newer version
    /// is held (libraries are never removed).
    pub fn refresh(&self, records: Vec<(LibraryRecord, u64)>) {
        let mut libraries = self.libraries.write().expect("library cache lock");
        for (record, version) in records {
            keep_newer(&mut libraries, record, version);
        }
    }

    /// A library as a command of this process left it, at `version`.
    pub fn put(&self, record: LibraryRecord, version: u64) {
        let mut libraries = self.libraries.write().expect("library cache lock");
        keep_newer(&mut libraries, record, version);
    }

    pub fn get(&self, id: &LibraryId) -> Option<LibraryRecord> {
        self.libraries
            .read()
            .expect("library cache lock")
            .get(id)
            .map(|(record, _)| record.clone())
    }

    /// `id` as the library it names was registered (ids compare
    /// case-insensitively); as given when no such library is known.
    pub fn registered_spelling(&self, id: LibraryId) -> LibraryId {
        self.get(&id).map_or(id, |record| record.id)
    }

    /// Every library, ordered by id.
    pub fn all(&self) -> Vec<LibraryRecord> {
        let mut all: Vec<LibraryRecord> = self
            .libraries
            .read()
            .expect("library cache lock")
            .values()
            .map(|(record, _)| record.clone())
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
            .map(|(r, _)| LibraryStatus {
                lends: r.lends,
                suspended: r.suspended,
            })
    }

    fn closed_on(&self, id: &LibraryId, date: chrono::NaiveDate) -> bool {
        self.libraries
            .read()
            .expect("library cache lock")
            .get(id)
            .is_some_and(|(r, _)| r.closed_on(date))
    }
}

fn keep_newer(
    libraries: &mut HashMap<LibraryId, (LibraryRecord, u64)>,
    record: LibraryRecord,
    version: u64,
) {
    match libraries.get(&record.id) {
        Some((_, held)) if *held > version => {}
        _ => {
            libraries.insert(record.id.clone(), (record, version));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(suspended: bool) -> LibraryRecord {
        LibraryRecord {
            id: LibraryId::from("L1"),
            name: "L1".into(),
            lends: true,
            suspended,
            closures: Vec::new(),
        }
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let cache = LibraryCache::default();
        cache.put(library(true), 2);
        // A refresh that read the log before that command committed.
        cache.refresh(vec![(library(false), 1)]);
        assert!(cache.get(&LibraryId::from("L1")).unwrap().suspended);
        cache.refresh(vec![(library(false), 3)]);
        assert!(!cache.get(&LibraryId::from("L1")).unwrap().suspended);
        // A local put that arrives after a newer refresh.
        cache.put(library(true), 2);
        assert!(!cache.get(&LibraryId::from("L1")).unwrap().suspended);
    }
}
