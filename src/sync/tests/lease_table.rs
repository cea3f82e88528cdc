//! Unit tests of [`crate::sync::lease_table`], on `std`'s primitives.

use crate::sync::lease_table::*;

const KEY: u64 = 7;

#[test]
fn one_holder_until_release() {
    let table = LeaseTable::new(10, LeaseTableVariant::Correct);
    let lease = table
        .acquire(KEY, 1, 0)
        .expect("the key is free or expired");
    assert_eq!(table.acquire(KEY, 2, 5), None);
    assert!(!table.release(KEY, 2, lease.token));
    assert!(table.release(KEY, 1, lease.token));
    let next = table
        .acquire(KEY, 2, 5)
        .expect("the key is free or expired");
    assert!(next.token > lease.token);
}

#[test]
fn an_expired_lease_is_granted_again_with_a_newer_token() {
    let table = LeaseTable::new(10, LeaseTableVariant::Correct);
    let first = table
        .acquire(KEY, 1, 0)
        .expect("the key is free or expired");
    assert_eq!(first.expires_at_ticks, 10);
    assert!(table.is_valid(KEY, 1, first.token, 9));
    assert!(!table.is_valid(KEY, 1, first.token, 10));
    let second = table
        .acquire(KEY, 2, 10)
        .expect("the key is free or expired");
    assert!(second.token > first.token);
    assert!(!table.is_valid(KEY, 1, first.token, 10));
    assert!(table.is_valid(KEY, 2, second.token, 10));
}

#[test]
fn storage_rejects_a_paused_holders_stale_token() {
    let table = LeaseTable::new(10, LeaseTableVariant::Correct);
    let storage = FencedStorage::new();
    let paused = table
        .acquire(KEY, 1, 0)
        .expect("the key is free or expired");
    let successor = table
        .acquire(KEY, 2, 10)
        .expect("the key is free or expired");
    assert!(storage.apply(KEY, successor.token));
    assert!(!storage.apply(KEY, paused.token));
    assert!(storage.apply(KEY, successor.token));
    assert_eq!(storage.applied_tokens(KEY), vec![successor.token; 2]);
}

#[test]
fn broken_variants_behave_without_contention() {
    for variant in [
        LeaseTableVariant::TokenOutsideLockBroken,
        LeaseTableVariant::ExpiryCheckSeparateFromGrantBroken,
    ] {
        let table = LeaseTable::new(10, variant);
        let first = table
            .acquire(KEY, 1, 0)
            .expect("the key is free or expired");
        assert_eq!(table.acquire(KEY, 2, 5), None);
        assert!(
            table
                .acquire(KEY, 2, 10)
                .expect("the key is free or expired")
                .token
                > first.token
        );
    }
}
