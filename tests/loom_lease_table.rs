//! Loom checks of the lease table and fenced storage (C1, C2,
//! `src/sync/lease_table.rs`).
//!
//! Invariants: fencing tokens per key strictly increase in grant order (so the valid
//! holder's operation is never rejected as stale); at most one valid holder per key;
//! storage never applies a token older than one it applied (stale tokens rejected).

mod loom_support;

use loom_support::sync::lease_table::{FencedStorage, LeaseTable, LeaseTableVariant};
use loom_support::sync::shim::atomic::{AtomicU64, Ordering};
use loom_support::sync::shim::{thread, Arc};

const KEY: u64 = 1;
const LEASE_TICKS: u64 = 5;

/// Two holders each acquire, write through fenced storage while holding, release.
fn holders_write_while_holding(variant: LeaseTableVariant) {
    loom_support::check(move || {
        let table = Arc::new(LeaseTable::new(LEASE_TICKS, variant));
        let storage = Arc::new(FencedStorage::new());
        let holders: Vec<_> = [1, 2]
            .into_iter()
            .map(|holder| {
                let (table, storage) = (Arc::clone(&table), Arc::clone(&storage));
                thread::spawn(move || {
                    let Some(lease) = table.acquire(KEY, holder, 0) else {
                        return;
                    };
                    assert!(
                        storage.apply(KEY, lease.token),
                        "fencing tokens must strictly increase per key: the valid holder's \
                         token {} was rejected as stale",
                        lease.token
                    );
                    assert!(table.release(KEY, holder, lease.token));
                })
            })
            .collect();
        for holder in holders {
            holder.join().unwrap();
        }
    });
}

/// Two holders try to acquire at the same tick; neither releases.
fn holders_race_for_a_free_lease(variant: LeaseTableVariant) {
    loom_support::check(move || {
        let table = Arc::new(LeaseTable::new(LEASE_TICKS, variant));
        let granted = Arc::new(AtomicU64::new(0));
        let holders: Vec<_> = [1, 2]
            .into_iter()
            .map(|holder| {
                let (table, granted) = (Arc::clone(&table), Arc::clone(&granted));
                thread::spawn(move || {
                    if table.acquire(KEY, holder, 0).is_some() {
                        granted.fetch_add(1, Ordering::AcqRel);
                    }
                })
            })
            .collect();
        for holder in holders {
            holder.join().unwrap();
        }
        let granted = granted.load(Ordering::Acquire);
        assert_eq!(
            granted, 1,
            "one valid holder per key: {granted} holders were granted the lease"
        );
    });
}

#[test]
fn correct_table_issues_increasing_tokens() {
    holders_write_while_holding(LeaseTableVariant::Correct);
}

#[test]
#[should_panic(expected = "fencing tokens must strictly increase per key")]
fn token_taken_outside_the_lock_goes_backwards() {
    holders_write_while_holding(LeaseTableVariant::TokenOutsideLockBroken);
}

#[test]
fn correct_table_has_one_valid_holder() {
    holders_race_for_a_free_lease(LeaseTableVariant::Correct);
}

#[test]
#[should_panic(expected = "one valid holder per key")]
fn expiry_check_and_grant_in_two_sections_grants_twice() {
    holders_race_for_a_free_lease(LeaseTableVariant::ExpiryCheckSeparateFromGrantBroken);
}

#[test]
fn storage_rejects_the_paused_holders_stale_token() {
    loom_support::check(|| {
        let table = Arc::new(LeaseTable::new(LEASE_TICKS, LeaseTableVariant::Correct));
        let storage = Arc::new(FencedStorage::new());
        // Holder 1 acquires at tick 0; holder 2 at tick 10, after 1's lease expired.
        let holders: Vec<_> = [(1, 0), (2, 10)]
            .into_iter()
            .map(|(holder, now_ticks)| {
                let (table, storage) = (Arc::clone(&table), Arc::clone(&storage));
                thread::spawn(move || {
                    if let Some(lease) = table.acquire(KEY, holder, now_ticks) {
                        storage.apply(KEY, lease.token);
                    }
                })
            })
            .collect();
        for holder in holders {
            holder.join().unwrap();
        }
        let applied = storage.applied_tokens(KEY);
        assert!(
            applied.windows(2).all(|pair| pair[0] <= pair[1]),
            "storage applied a stale token: {applied:?}"
        );
    });
}
