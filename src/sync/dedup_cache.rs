//! An idempotency (dedup) cache: runs each request once per idempotency key and
//! answers duplicates with the stored result.
//!
//! It backs T2 (`idempotency_window`) and T4 (`at_least_once_queue`). The correct
//! variant claims a key by writing an IN_PROGRESS marker in the same critical section
//! that found the key absent (put-if-absent); a duplicate that finds the marker waits
//! for the first attempt and returns its result. Records expire `ttl_ticks` after they
//! were written; an expired record counts as absent, so, as in T2, a retry that
//! arrives after the TTL runs again. No cache can fix that; only the caller's timing
//! can.
//!
//! Invariants (checked by `tests/loom_dedup_cache.rs`), within the TTL:
//! - each request (idempotency key) is applied once;
//! - a concurrent duplicate gets the stored result.
//!
//! The decision is [`dedup_decision`]. [`DedupCacheVariant::CheckThenActBroken`] is
//! deliberately broken, for tests: the lookup and the insert are separate critical
//! sections and nothing is written until the request completes, so two concurrent
//! attempts both find the key absent and both run (T2's check-then-act).

use std::collections::BTreeMap;

use super::decision::{dedup_decision, DedupDecision, DedupRecord};
use super::poison::{lock, wait};
use super::shim::{Condvar, Mutex};

/// Which implementation a [`DedupCache`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DedupCacheVariant {
    /// Put-if-absent of IN_PROGRESS; duplicates wait for the stored result.
    Correct,
    /// Deliberately broken, for tests: lookup and insert in separate critical
    /// sections, the record written only after completion.
    CheckThenActBroken,
}

/// How a request was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DedupOutcome {
    /// This call ran the operation, which returned `result`.
    Executed {
        /// The operation's result.
        result: u64,
    },
    /// A duplicate: the operation was not run again; `result` is the stored one.
    Stored {
        /// The stored result of the attempt that ran.
        result: u64,
    },
}

impl DedupOutcome {
    /// The result the caller answers with, however it was obtained.
    pub fn result(self) -> u64 {
        match self {
            Self::Executed { result } | Self::Stored { result } => result,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Slot {
    InProgress { written_at_ticks: u64 },
    Completed { written_at_ticks: u64, result: u64 },
}

type Slots = BTreeMap<u64, Slot>;

/// A dedup cache over `u64` idempotency keys and `u64` results.
#[derive(Debug)]
pub struct DedupCache {
    slots: Mutex<Slots>,
    completed: Condvar,
    ttl_ticks: u64,
    variant: DedupCacheVariant,
}

/// What the first critical section of a request found.
enum Lookup {
    Claimed,
    Stored(u64),
}

impl DedupCache {
    /// An empty cache whose records expire `ttl_ticks` after they are written
    /// (`u64::MAX`: never).
    pub fn new(ttl_ticks: u64, variant: DedupCacheVariant) -> Self {
        Self {
            slots: Mutex::new(BTreeMap::new()),
            completed: Condvar::new(),
            ttl_ticks,
            variant,
        }
    }

    /// Runs `operation` for `request_key` at `now_ticks` unless a live record says it
    /// ran or is running; a duplicate of a running attempt waits for its result.
    ///
    /// If `operation` panics, the correct variant removes its IN_PROGRESS marker (and
    /// wakes the waiters, one of which then runs the request) before the panic goes on.
    pub fn execute_once<F: FnOnce() -> u64>(
        &self,
        request_key: u64,
        now_ticks: u64,
        operation: F,
    ) -> DedupOutcome {
        let lookup = match self.variant {
            DedupCacheVariant::Correct => self.claim_or_wait(request_key, now_ticks),
            DedupCacheVariant::CheckThenActBroken => self.check_only(request_key, now_ticks),
        };
        if let Lookup::Stored(result) = lookup {
            return DedupOutcome::Stored { result };
        }
        let mut claim = Claim {
            cache: self,
            request_key,
            completed: false,
        };
        let result = operation();
        claim.complete(now_ticks, result);
        DedupOutcome::Executed { result }
    }

    /// The record the cache holds for `request_key` (expired or not).
    pub fn record(&self, request_key: u64) -> DedupRecord {
        record_of(&lock(&self.slots), request_key)
    }

    fn claim_or_wait(&self, request_key: u64, now_ticks: u64) -> Lookup {
        let mut slots = lock(&self.slots);
        loop {
            let record = record_of(&slots, request_key);
            match dedup_decision(record, now_ticks, self.ttl_ticks) {
                DedupDecision::Execute => {
                    let marker = Slot::InProgress {
                        written_at_ticks: now_ticks,
                    };
                    slots.insert(request_key, marker);
                    return Lookup::Claimed;
                }
                DedupDecision::ReturnStored => return stored(&slots, request_key),
                DedupDecision::RejectInProgress => slots = wait(&self.completed, slots),
            }
        }
    }

    fn check_only(&self, request_key: u64, now_ticks: u64) -> Lookup {
        let slots = lock(&self.slots);
        let record = record_of(&slots, request_key);
        match dedup_decision(record, now_ticks, self.ttl_ticks) {
            DedupDecision::ReturnStored => stored(&slots, request_key),
            DedupDecision::Execute | DedupDecision::RejectInProgress => Lookup::Claimed,
        }
    }
}

/// An attempt that ran (or is running) a request; on drop without completion (the
/// operation panicked) it removes its IN_PROGRESS marker and wakes the waiters.
struct Claim<'cache> {
    cache: &'cache DedupCache,
    request_key: u64,
    completed: bool,
}

impl Claim<'_> {
    fn complete(&mut self, now_ticks: u64, result: u64) {
        let slot = Slot::Completed {
            written_at_ticks: now_ticks,
            result,
        };
        self.finish(Some(slot));
        self.completed = true;
    }

    fn finish(&self, slot: Option<Slot>) {
        let mut slots = lock(&self.cache.slots);
        match slot {
            Some(slot) => slots.insert(self.request_key, slot),
            None => slots.remove(&self.request_key),
        };
        drop(slots);
        self.cache.completed.notify_all();
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let marker_to_remove = self.cache.variant == DedupCacheVariant::Correct;
        if !self.completed && marker_to_remove {
            self.finish(None);
        }
    }
}

fn record_of(slots: &Slots, request_key: u64) -> DedupRecord {
    match slots.get(&request_key) {
        None => DedupRecord::Absent,
        Some(Slot::InProgress { written_at_ticks }) => DedupRecord::InProgress {
            written_at_ticks: *written_at_ticks,
        },
        Some(Slot::Completed {
            written_at_ticks, ..
        }) => DedupRecord::Completed {
            written_at_ticks: *written_at_ticks,
        },
    }
}

fn stored(slots: &Slots, request_key: u64) -> Lookup {
    let result = match slots.get(&request_key) {
        Some(Slot::Completed { result, .. }) => Some(*result),
        _ => None,
    };
    Lookup::Stored(result.expect("dedup_decision returns ReturnStored only for a completed record"))
}
