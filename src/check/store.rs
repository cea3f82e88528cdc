//! The visited-state store: fingerprint → parent fingerprint (or a claim on one, made by
//! the parallel breadth-first search), shared by all workers.

use std::hash::Hash;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The parent of an initial state.
pub(crate) const NO_PARENT: u64 = 0;

/// A fixed-seed hash: fingerprints are the same in every run and on every thread.
///
/// It never returns `NO_PARENT` nor a claim (a value whose top 15 bits are all set):
/// such a hash is moved out of that range (`storable`), so a stored parent tells the
/// two apart.
pub fn fingerprint<T: Hash>(value: &T) -> u64 {
    let builder = ahash::RandomState::with_seeds(
        0x5eed_c0de_0000_0001,
        0x0dd5_eed5_0000_0002,
        0x7177_e5ca_0000_0003,
        0x5ca1_ab1e_0000_0004,
    );
    storable(builder.hash_one(value))
}

/// `hash` moved out of the values a stored fingerprint may not take (`NO_PARENT`, a
/// claim), as [`fingerprint`] does; the identity on its results. Applied to the
/// fingerprints a canonicalization hands back, which a user's may not have come from
/// [`fingerprint`]. The move doubles the density of 2^-15 of the hash space (collision
/// odds × (1 + 2^-14)) and changed which of two states has the smaller fingerprint for
/// about one state in 32 768, against builds before claims.
pub(crate) fn storable(hash: u64) -> u64 {
    match hash {
        NO_PARENT => 1,
        hash if is_claim(hash) => hash & !CLAIM_TAG_LOW_BIT,
        hash => hash,
    }
}

/// The top bits every claim has and no fingerprint has.
const CLAIM_TAG: u64 = 0x7fff << 49;
/// The lowest bit of the tag (clearing it moves a hash out of the claims).
const CLAIM_TAG_LOW_BIT: u64 = 1 << 49;
/// Bits of a claim that hold the depth of the level, above those of the position.
const CLAIM_DEPTH_BITS: u32 = 17;
const CLAIM_POSITION_BITS: u32 = 32;
/// The deepest level whose states can be claimed ([`claim`]).
const CLAIM_DEPTH_MAX: u64 = (1 << CLAIM_DEPTH_BITS) - 1;
/// The last position in a level that can be claimed.
const CLAIM_POSITION_MAX: u64 = (1 << CLAIM_POSITION_BITS) - 1;

fn is_claim(value: u64) -> bool {
    value & CLAIM_TAG == CLAIM_TAG
}

/// A stand-in parent for a state first reached in a parallel breadth-first level:
/// "reached from the state at `position` of level `depth`". Comparing two claims of a
/// level compares their parents' places in it with no lookup; [`Store::parent`] turns a
/// claim into the parent's fingerprint through the level's fingerprints
/// ([`Store::record_level`]). `None` past [`CLAIM_DEPTH_MAX`] or [`CLAIM_POSITION_MAX`].
pub(crate) fn claim(depth: usize, position: usize) -> Option<u64> {
    let (depth, position) = (u64::try_from(depth).ok()?, u64::try_from(position).ok()?);
    (depth <= CLAIM_DEPTH_MAX && position <= CLAIM_POSITION_MAX)
        .then_some(CLAIM_TAG | depth << CLAIM_POSITION_BITS | position)
}

/// The level and position a claim names, or `None` if `value` is a fingerprint.
pub(crate) fn claimed(value: u64) -> Option<(usize, usize)> {
    is_claim(value).then(|| {
        let depth = (value >> CLAIM_POSITION_BITS) & CLAIM_DEPTH_MAX;
        (depth as usize, (value & CLAIM_POSITION_MAX) as usize)
    })
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

/// One shard behind its lock, with the number of states it holds (written under the
/// lock, read without it by [`Store::len`]), alone on its cache lines: with the shards'
/// locks side by side and one count for the whole store, two workers storing into
/// different shards passed the same lines back and forth (BENCHMARKS.md, "Two threads:
/// subsumption on the crew").
#[repr(align(128))]
struct ShardCell {
    shard: Mutex<Shard>,
    len: AtomicUsize,
}

/// Visited states: fingerprint → parent fingerprint (or a [`claim`] on it), in
/// [`SHARDS`] locked shards.
pub(crate) struct Store {
    shards: Vec<ShardCell>,
    /// Where each shard's slots are and their count less one, as last grown: read
    /// without the shard's lock by [`Store::prefetch`] (an address that is out of date
    /// by then costs one useless prefetch, nothing more).
    places: Vec<(AtomicPtr<(u64, u64)>, AtomicUsize)>,
    /// The fingerprints of each level some claim names, by depth and position.
    levels: Mutex<Vec<Vec<u64>>>,
}

impl Store {
    pub fn new() -> Self {
        let mut shards: Vec<ShardCell> = (0..SHARDS)
            .map(|_| ShardCell {
                shard: Mutex::new(Shard::new()),
                len: AtomicUsize::new(0),
            })
            .collect();
        let places = shards
            .iter_mut()
            .map(|cell| {
                let slots = &mut cell
                    .shard
                    .get_mut()
                    .unwrap_or_else(|p| p.into_inner())
                    .slots;
                (
                    AtomicPtr::new(slots.as_mut_ptr()),
                    AtomicUsize::new(slots.len() - 1),
                )
            })
            .collect();
        Store {
            shards,
            places,
            levels: Mutex::new(Vec::new()),
        }
    }

    #[inline]
    fn shard(&self, fingerprint: u64) -> std::sync::MutexGuard<'_, Shard> {
        self.shards[Self::shard_index(fingerprint)]
            .shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records `fingerprint` with its parent; true if it was new.
    pub fn insert(&self, fingerprint: u64, parent: u64) -> bool {
        let mut shard = self.shard(fingerprint);
        let inserted = shard.insert(fingerprint, parent);
        if inserted {
            self.placed(fingerprint, &mut shard);
        }
        inserted
    }

    /// Notes how many states `shard` (`fingerprint`'s, locked) holds and where it keeps
    /// its slots after an insert that may have grown it.
    #[inline]
    fn placed(&self, fingerprint: u64, shard: &mut Shard) {
        let index = Self::shard_index(fingerprint);
        // Under the shard's lock: a store, not a read-modify-write.
        self.shards[index].len.store(shard.len, Ordering::Relaxed);
        let (at, mask) = &self.places[index];
        let slots = shard.slots.as_mut_ptr();
        if at.load(Ordering::Relaxed) != slots {
            at.store(slots, Ordering::Relaxed);
            mask.store(shard.slots.len() - 1, Ordering::Relaxed);
        }
    }

    #[inline]
    fn shard_index(fingerprint: u64) -> usize {
        (fingerprint >> (u64::BITS - SHARD_BITS)) as usize
    }

    /// Where the lookup of `fingerprint` starts, as last noted (an address to prefetch,
    /// never read through).
    #[inline]
    #[cfg(any(test, target_arch = "x86_64"))]
    fn first_slot(&self, fingerprint: u64) -> *const (u64, u64) {
        let (at, mask) = &self.places[Self::shard_index(fingerprint)];
        let index = (fingerprint as usize) & mask.load(Ordering::Relaxed);
        at.load(Ordering::Relaxed).cast_const().wrapping_add(index)
    }

    /// Asks the processor to bring the slot `fingerprint` is looked up at into the
    /// cache, so that a later [`Store::insert`] of it finds it there: a search that
    /// computes a state's successors' fingerprints first and stores them after overlaps
    /// their cache misses with that work. A hint: it changes no state and no result.
    #[inline]
    #[allow(unsafe_code)]
    pub fn prefetch(&self, fingerprint: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let slot = self.first_slot(fingerprint);
            // SAFETY: a prefetch reads no memory as far as the program is concerned
            // and never faults, whatever the address (this one may be out of date
            // after a concurrent growth); SSE is part of every x86_64 target.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    slot.cast::<i8>(),
                );
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = fingerprint;
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
        let mut stored = {
            let mut shard = self.shard(fingerprint);
            match shard.insert_or_parent(fingerprint, parent) {
                Ok(()) => {
                    self.placed(fingerprint, &mut shard);
                    return Insertion::New;
                }
                Err(stored) => stored,
            }
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

    /// The parent `fingerprint` is stored with, a claim turned into the fingerprint it
    /// names.
    pub fn parent(&self, fingerprint: u64) -> Option<u64> {
        let stored = self.stored_parent(fingerprint)?;
        match claimed(stored) {
            None => Some(stored),
            Some((depth, position)) => {
                let levels = self.levels.lock().unwrap_or_else(|p| p.into_inner());
                let parent = levels.get(depth).and_then(|level| level.get(position));
                // A claim is only made while a recorded level is expanded.
                Some(*parent.expect("every claimed level is recorded"))
            }
        }
    }

    /// The parent `fingerprint` is stored with, as stored (a claim stays one).
    pub fn stored_parent(&self, fingerprint: u64) -> Option<u64> {
        self.shard(fingerprint).parent(fingerprint)
    }

    /// Records the fingerprints of level `depth` in level order, for the claims made
    /// while it is expanded.
    pub fn record_level(&self, depth: usize, fingerprints: Vec<u64>) {
        let mut levels = self.levels.lock().unwrap_or_else(|p| p.into_inner());
        if levels.len() <= depth {
            levels.resize_with(depth + 1, Vec::new);
        }
        levels[depth] = fingerprints;
    }

    /// The number of states stored: exact once the workers are done, and while they
    /// run, within the inserts under way.
    pub fn len(&self) -> usize {
        let counts = self
            .shards
            .iter()
            .map(|cell| cell.len.load(Ordering::Relaxed));
        counts.sum()
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
    fn prefetches_aim_at_the_slot_a_lookup_starts_at_after_growth() {
        let store = Store::new();
        let aimed = |keys: &[u64]| {
            for &key in keys {
                let shard = store.shard(key);
                let start = (key as usize) & (shard.slots.len() - 1);
                assert_eq!(
                    store.first_slot(key),
                    shard.slots.as_ptr().wrapping_add(start)
                );
                drop(shard);
                store.prefetch(key);
            }
        };
        // Each way of storing grows every shard and notes where its slots went.
        let keys: Vec<u64> = (0..300_000u64).map(|i| fingerprint(&i)).collect();
        let (first, second) = keys.split_at(60_000);
        for &key in first {
            assert!(store.insert(key, 1));
        }
        let sizes = || -> Vec<usize> {
            (store.shards.iter())
                .map(|cell| cell.shard.lock().map_or(0, |shard| shard.slots.len()))
                .collect()
        };
        let after_first = sizes();
        assert!(after_first.iter().all(|&size| size > SHARD_SLOTS_INITIAL));
        aimed(first);
        for &key in second {
            assert_eq!(store.insert_or_lower(key, 1, |_| false), Insertion::New);
        }
        assert!(sizes()
            .iter()
            .zip(&after_first)
            .all(|(now, then)| now > then));
        aimed(&keys);
    }

    #[test]
    fn fingerprint_is_never_the_empty_key() {
        assert_ne!(fingerprint(&0u64), EMPTY);
    }

    #[test]
    fn claims_name_their_level_and_position_and_are_never_fingerprints() {
        let a = claim(4, 17).expect("small");
        assert_eq!(claimed(a), Some((4, 17)));
        let (depth_max, position_max) = (CLAIM_DEPTH_MAX as usize, CLAIM_POSITION_MAX as usize);
        let deepest = claim(depth_max, position_max).expect("the largest");
        assert_eq!(claimed(deepest), Some((depth_max, position_max)));
        assert_eq!(claim(depth_max + 1, 0), None);
        assert_eq!(claim(0, position_max + 1), None);
        assert!(claim(3, 9) > claim(3, 8));
        assert!((0..200_000u64).all(|i| claimed(fingerprint(&i)).is_none()));
        assert!(!is_claim(!CLAIM_TAG_LOW_BIT));
        assert_eq!(storable(deepest), deepest & !CLAIM_TAG_LOW_BIT);
        assert_eq!(storable(NO_PARENT), 1);
        assert_eq!(storable(12345), 12345);
    }

    #[test]
    fn a_claim_is_read_back_as_the_fingerprint_it_names() {
        let store = Store::new();
        let (parent, child) = (fingerprint(&1u64), fingerprint(&2u64));
        let (early, late) = (claim(2, 1).expect("small"), claim(2, 5).expect("small"));
        assert_eq!(store.insert_or_lower(child, late, |_| true), Insertion::New);
        let lower = |stored| claimed(stored).is_some_and(|(d, at)| d == 2 && at > 1);
        assert_eq!(
            store.insert_or_lower(child, early, lower),
            Insertion::Lowered
        );
        assert_eq!(store.insert_or_lower(child, late, lower), Insertion::Kept);
        assert_eq!(store.stored_parent(child), Some(early));
        store.record_level(2, vec![7, parent, 9, 9, 9, 9]);
        assert_eq!(store.parent(child), Some(parent));
    }
}

/// Fingerprints are hashes already: a map or set keyed by them needs no second hash
/// (the BFS's level bookkeeping, the drift-class distance table).
#[derive(Default)]
pub(crate) struct FingerprintHasher(u64);

impl std::hash::Hasher for FingerprintHasher {
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
