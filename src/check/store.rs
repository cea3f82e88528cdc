//! The visited-state store: fingerprint → parent fingerprint, shared by all workers.

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The parent of an initial state.
pub(crate) const NO_PARENT: u64 = 0;

/// Fingerprints are already well-mixed hashes: the map uses them as they are.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A fixed-seed hash: fingerprints are the same in every run and on every thread.
pub fn fingerprint<T: Hash>(value: &T) -> u64 {
    let builder = ahash::RandomState::with_seeds(
        0x5eed_c0de_0000_0001,
        0x0dd5_eed5_0000_0002,
        0x7177_e5ca_0000_0003,
        0x5ca1_ab1e_0000_0004,
    );
    match builder.hash_one(value) {
        NO_PARENT => 1,
        fingerprint => fingerprint,
    }
}

/// Visited states.
pub(crate) struct Store {
    parents: DashMap<u64, u64, BuildHasherDefault<IdentityHasher>>,
    count: AtomicUsize,
}

impl Store {
    pub fn new() -> Self {
        Store {
            parents: DashMap::with_hasher_and_shard_amount(BuildHasherDefault::default(), 64),
            count: AtomicUsize::new(0),
        }
    }

    /// Records `fingerprint` with its parent; true if it was new.
    pub fn insert(&self, fingerprint: u64, parent: u64) -> bool {
        match self.parents.entry(fingerprint) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(parent);
                self.count.fetch_add(1, Ordering::Relaxed);
                true
            }
        }
    }

    pub fn parent(&self, fingerprint: u64) -> Option<u64> {
        self.parents.get(&fingerprint).map(|entry| *entry)
    }

    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}
