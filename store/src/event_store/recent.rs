//! The streams this process appended to lately, as its last append left
//! them, so that the next command on one decides without loading it.
//!
//! A cached stream is only a guess: another node may have appended since.
//! The append's version check settles it: events numbered on from the
//! cached history go in only if the stored stream ends where the cache does
//! (sequences are contiguous and events never removed), and otherwise
//! conflict, and the command is decided again on the stream as stored. A
//! command that a cached stream makes fail or append nothing is decided
//! again on the stored stream too: only an append proves the cache current.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::mem;
use std::sync::{Arc, Mutex};

use cqrs_es::{Aggregate, EventEnvelope};

/// Streams kept per generation: at most twice this many are held (a
/// request's stream is a few kilobytes).
const GENERATION: usize = 2_000;

type Key = (&'static str, String);
type Stream<A> = (A, Vec<EventEnvelope<A>>);

/// Two generations: a stream read or written goes into the current one;
/// when it is full, it becomes the previous one and the oldest is dropped,
/// so recently used streams stay without an order to keep.
#[derive(Default)]
struct Generations {
    current: HashMap<Key, Arc<dyn Any + Send + Sync>>,
    previous: HashMap<Key, Arc<dyn Any + Send + Sync>>,
}

impl Generations {
    fn insert(&mut self, key: Key, value: Arc<dyn Any + Send + Sync>) {
        if self.current.len() >= GENERATION {
            self.previous = mem::take(&mut self.current);
        }
        self.current.insert(key, value);
    }
}

#[derive(Default)]
pub(crate) struct RecentStreams {
    generations: Mutex<Generations>,
}

impl fmt::Debug for RecentStreams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let generations = self.generations.lock().expect("recent streams lock");
        f.debug_struct("RecentStreams")
            .field("current", &generations.current.len())
            .field("previous", &generations.previous.len())
            .finish()
    }
}

impl RecentStreams {
    /// The stream as this process's last append left it, if still kept.
    pub(crate) fn get<A>(&self, id: &str) -> Option<Stream<A>>
    where
        A: Aggregate + Clone + 'static,
    {
        let key = (A::TYPE, id.to_owned());
        let mut generations = self.generations.lock().expect("recent streams lock");
        let value = match generations.current.get(&key) {
            Some(value) => value.clone(),
            None => {
                let value = generations.previous.remove(&key)?;
                generations.insert(key, value.clone());
                value
            }
        };
        drop(generations);
        value.downcast_ref::<Stream<A>>().cloned()
    }

    /// Keeps the stream as an append just left it.
    pub(crate) fn put<A>(&self, id: &str, aggregate: &A, history: &[EventEnvelope<A>])
    where
        A: Aggregate + Clone + 'static,
    {
        let value: Arc<dyn Any + Send + Sync> = Arc::new((aggregate.clone(), history.to_vec()));
        self.generations
            .lock()
            .expect("recent streams lock")
            .insert((A::TYPE, id.to_owned()), value);
    }

    /// Drops a stream whose stored state is not known (a conflict, a failed
    /// or ambiguous append).
    pub(crate) fn forget<A: Aggregate>(&self, id: &str) {
        let key = (A::TYPE, id.to_owned());
        let mut generations = self.generations.lock().expect("recent streams lock");
        generations.current.remove(&key);
        generations.previous.remove(&key);
    }
}
