//! Loom checks of the idempotency/dedup cache (T2, T4, `src/sync/dedup_cache.rs`).
//!
//! Three attempts of the same request arrive concurrently, within the TTL.
//! Invariants: the request is applied once, and the duplicate gets the stored result.

mod loom_support;

use loom_support::sync::dedup_cache::{DedupCache, DedupCacheVariant};
use loom_support::sync::shim::atomic::{AtomicU64, Ordering};
use loom_support::sync::shim::{thread, Arc};

const REQUEST_KEY: u64 = 9;
const TTL_TICKS: u64 = 100;
const RESULT: u64 = 7;

fn three_concurrent_attempts(variant: DedupCacheVariant) {
    loom_support::check(move || {
        let cache = Arc::new(DedupCache::new(TTL_TICKS, variant));
        let applied = Arc::new(AtomicU64::new(0));
        let attempts: Vec<_> = [0, 1, 2]
            .into_iter()
            .map(|now_ticks| {
                let (cache, applied) = (Arc::clone(&cache), Arc::clone(&applied));
                thread::spawn(move || {
                    cache.execute_once(REQUEST_KEY, now_ticks, || {
                        applied.fetch_add(1, Ordering::AcqRel);
                        RESULT
                    })
                })
            })
            .collect();
        let outcomes: Vec<_> = attempts
            .into_iter()
            .map(|attempt| attempt.join().unwrap())
            .collect();
        let applied = applied.load(Ordering::Acquire);
        assert_eq!(
            applied, 1,
            "each request applied once: applied {applied} times"
        );
        for outcome in outcomes {
            assert_eq!(
                outcome.result(),
                RESULT,
                "a concurrent duplicate did not get the stored result"
            );
        }
    });
}

#[test]
fn correct_cache_applies_a_concurrent_duplicate_once() {
    three_concurrent_attempts(DedupCacheVariant::Correct);
}

#[test]
#[should_panic(expected = "each request applied once")]
fn check_then_act_cache_applies_a_concurrent_duplicate_twice() {
    three_concurrent_attempts(DedupCacheVariant::CheckThenActBroken);
}
