//! Unit tests of [`crate::sync::dedup_cache`], on `std`'s primitives.

use crate::sync::decision::DedupRecord;
use crate::sync::dedup_cache::*;
use crate::sync::shim::{thread, Arc, Mutex};
use std::panic::{catch_unwind, AssertUnwindSafe};

const KEY: u64 = 42;

#[test]
fn a_duplicate_within_the_ttl_gets_the_stored_result() {
    let cache = DedupCache::new(10, DedupCacheVariant::Correct);
    assert_eq!(
        cache.execute_once(KEY, 0, || 7),
        DedupOutcome::Executed { result: 7 }
    );
    assert_eq!(
        cache.execute_once(KEY, 9, || 8),
        DedupOutcome::Stored { result: 7 }
    );
    assert_eq!(
        cache.record(KEY),
        DedupRecord::Completed {
            written_at_ticks: 0
        }
    );
}

#[test]
fn a_retry_after_the_ttl_runs_again() {
    let cache = DedupCache::new(10, DedupCacheVariant::Correct);
    cache.execute_once(KEY, 0, || 7);
    assert_eq!(
        cache.execute_once(KEY, 10, || 8),
        DedupOutcome::Executed { result: 8 }
    );
}

#[test]
fn a_panicking_operation_releases_its_claim() {
    let cache = DedupCache::new(10, DedupCacheVariant::Correct);
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        cache.execute_once(KEY, 0, || panic!("handler failed"))
    }));
    assert!(panicked.is_err());
    assert_eq!(cache.record(KEY), DedupRecord::Absent);
    assert_eq!(cache.execute_once(KEY, 1, || 9).result(), 9);
}

#[test]
fn broken_variant_dedups_sequential_duplicates() {
    let cache = DedupCache::new(10, DedupCacheVariant::CheckThenActBroken);
    cache.execute_once(KEY, 0, || 7);
    assert_eq!(
        cache.execute_once(KEY, 1, || 8),
        DedupOutcome::Stored { result: 7 }
    );
}

#[test]
fn concurrent_duplicates_apply_once() {
    let cache = Arc::new(DedupCache::new(u64::MAX, DedupCacheVariant::Correct));
    let applied = Arc::new(Mutex::new(0_u64));
    let attempts: Vec<_> = (0..4)
        .map(|_| {
            let (cache, applied) = (Arc::clone(&cache), Arc::clone(&applied));
            thread::spawn(move || {
                cache.execute_once(KEY, 0, || {
                    *applied.lock().expect("no thread panics holding the count") += 1;
                    5
                })
            })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(
            attempt.join().expect("the attempt does not panic").result(),
            5
        );
    }
    assert_eq!(
        *applied.lock().expect("no thread panics holding the count"),
        1
    );
}
