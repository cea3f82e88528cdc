//! The visited-state store: fingerprint → parent fingerprint, shared by all workers.

use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The parent of an initial state.
pub(crate) const NO_PARENT: u64 = 0;

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

/// Shards of the store: a fingerprint's top bits pick one, so threads rarely meet.
const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;
/// Slots per shard at the start (a power of two).
const SHARD_SLOTS_INITIAL: usize = 1 << 10;
/// A shard grows (doubles) once more than 7/10 of its slots are taken.
const LOAD_NUMERATOR: usize = 7;
const LOAD_DENOMINATOR: usize = 10;
/// The key of an empty slot: [`fingerprint`] never returns it (it is `NO_PARENT`).
const EMPTY: u64 = NO_PARENT;

/// One shard: open addressing with linear probing over `(fingerprint, parent)` slots.
///
/// The fingerprint and its parent share a 16-byte slot, so a lookup costs one cache
/// miss where a map with separate control bytes (hashbrown, under `DashMap`) costs
/// two; on TwoPhase with 8 RMs the store is most of the search's time.
struct Shard {
    slots: Vec<(u64, u64)>,
    len: usize,
}

impl Shard {
    fn new() -> Self {
        Shard {
            slots: vec![(EMPTY, 0); SHARD_SLOTS_INITIAL],
            len: 0,
        }
    }

    /// The slot holding `fingerprint`, or the empty slot where it would go.
    #[inline]
    fn probe(slots: &[(u64, u64)], fingerprint: u64) -> usize {
        debug_assert!(slots.len().is_power_of_two());
        debug_assert_ne!(fingerprint, EMPTY);
        let mask = slots.len() - 1;
        // The low bits index within the shard (the top bits chose the shard).
        let mut index = (fingerprint as usize) & mask;
        loop {
            let key = slots[index].0;
            if key == fingerprint || key == EMPTY {
                return index;
            }
            index = (index + 1) & mask;
        }
    }

    fn insert(&mut self, fingerprint: u64, parent: u64) -> bool {
        let index = Self::probe(&self.slots, fingerprint);
        if self.slots[index].0 == fingerprint {
            return false;
        }
        self.slots[index] = (fingerprint, parent);
        self.len += 1;
        if self.len * LOAD_DENOMINATOR > self.slots.len() * LOAD_NUMERATOR {
            self.grow();
        }
        true
    }

    fn insert_or_parent(&mut self, fingerprint: u64, parent: u64) -> Result<(), u64> {
        let index = Self::probe(&self.slots, fingerprint);
        if self.slots[index].0 == fingerprint {
            return Err(self.slots[index].1);
        }
        self.insert(fingerprint, parent);
        Ok(())
    }

    fn replace_parent(&mut self, fingerprint: u64, expected: u64, parent: u64) -> Result<(), u64> {
        let index = Self::probe(&self.slots, fingerprint);
        debug_assert_eq!(
            self.slots[index].0, fingerprint,
            "replacing the parent of a stored state"
        );
        match self.slots[index].1 {
            stored if stored == expected => {
                self.slots[index].1 = parent;
                Ok(())
            }
            stored => Err(stored),
        }
    }

    fn grow(&mut self) {
        let doubled = vec![(EMPTY, 0); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        for (fingerprint, parent) in old {
            if fingerprint != EMPTY {
                let index = Self::probe(&self.slots, fingerprint);
                self.slots[index] = (fingerprint, parent);
            }
        }
    }

    fn parent(&self, fingerprint: u64) -> Option<u64> {
        if fingerprint == EMPTY {
            return None;
        }
        let slot = self.slots[Self::probe(&self.slots, fingerprint)];
        (slot.0 == fingerprint).then_some(slot.1)
    }
}

/// What [`Store::insert_or_lower`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insertion {
    /// The fingerprint was new: stored with the given parent.
    New,
    /// Already stored; its parent was replaced by the given one.
    Lowered,
    /// Already stored; left as it was.
    Kept,
}

/// Visited states: fingerprint → parent fingerprint, in [`SHARDS`] locked shards.
pub(crate) struct Store {
    shards: Vec<Mutex<Shard>>,
    count: AtomicUsize,
}

impl Store {
    pub fn new() -> Self {
        Store {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::new())).collect(),
            count: AtomicUsize::new(0),
        }
    }

    #[inline]
    fn shard(&self, fingerprint: u64) -> std::sync::MutexGuard<'_, Shard> {
        let index = (fingerprint >> (u64::BITS - SHARD_BITS)) as usize;
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records `fingerprint` with its parent; true if it was new.
    pub fn insert(&self, fingerprint: u64, parent: u64) -> bool {
        let inserted = self.shard(fingerprint).insert(fingerprint, parent);
        if inserted {
            self.count.fetch_add(1, Ordering::Relaxed);
        }
        inserted
    }

    /// Records `fingerprint` with `parent` if it is new; if it is stored already,
    /// replaces its parent by `parent` when `lower(stored parent)` says so. `lower` runs
    /// outside the shard's lock; the replacement is a compare-and-swap on the parent, so
    /// concurrent callers agree on one outcome (`lower` is asked again if the parent
    /// changed in between).
    pub fn insert_or_lower(
        &self,
        fingerprint: u64,
        parent: u64,
        lower: impl Fn(u64) -> bool,
    ) -> Insertion {
        let mut stored = match self
            .shard(fingerprint)
            .insert_or_parent(fingerprint, parent)
        {
            Ok(()) => {
                self.count.fetch_add(1, Ordering::Relaxed);
                return Insertion::New;
            }
            Err(stored) => stored,
        };
        loop {
            if stored == parent || !lower(stored) {
                return Insertion::Kept;
            }
            match self
                .shard(fingerprint)
                .replace_parent(fingerprint, stored, parent)
            {
                Ok(()) => return Insertion::Lowered,
                Err(now) => stored = now,
            }
        }
    }

    pub fn parent(&self, fingerprint: u64) -> Option<u64> {
        self.shard(fingerprint).parent(fingerprint)
    }

    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_once_and_keeps_parents_across_growth() {
        let store = Store::new();
        // Enough keys to grow every shard several times.
        let keys: Vec<u64> = (1..200_000u64).map(|i| fingerprint(&i)).collect();
        for (i, key) in keys.iter().enumerate() {
            assert!(store.insert(*key, i as u64 + 7), "{i}");
        }
        for key in &keys {
            assert!(!store.insert(*key, 1));
        }
        assert_eq!(store.len(), keys.len());
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(store.parent(*key), Some(i as u64 + 7));
        }
        assert_eq!(store.parent(fingerprint(&0u64).wrapping_add(1)), None);
        assert_eq!(store.parent(EMPTY), None);
    }

    #[test]
    fn lowers_a_parent_only_when_asked() {
        let store = Store::new();
        let key = fingerprint(&7u64);
        assert_eq!(store.insert_or_lower(key, 30, |_| true), Insertion::New);
        assert_eq!(
            store.insert_or_lower(key, 20, |old| old > 20),
            Insertion::Lowered
        );
        assert_eq!(
            store.insert_or_lower(key, 25, |old| old > 25),
            Insertion::Kept
        );
        assert_eq!(store.parent(key), Some(20));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn fingerprint_is_never_the_empty_key() {
        assert_ne!(fingerprint(&0u64), EMPTY);
    }
}
