//! Unit tests of [`crate::sync::retry_budget`], on `std`'s primitives.

use crate::sync::retry_budget::*;
use crate::sync::shim::{thread, Arc};

#[test]
fn grants_until_the_tokens_run_out() {
    let budget = RetryBudget::new(5, 2, RetryBudgetVariant::Correct);
    assert!(budget.try_acquire_retry());
    assert!(budget.try_acquire_retry());
    assert!(!budget.try_acquire_retry());
    assert_eq!(budget.tokens_available(), 1);
}

#[test]
fn deposits_are_clipped_to_the_cap() {
    let budget = RetryBudget::new(3, 1, RetryBudgetVariant::Correct);
    assert_eq!(budget.deposit(1), 0);
    assert!(budget.try_acquire_retry());
    assert_eq!(budget.deposit(5), 1);
    assert_eq!(budget.tokens_available(), budget.tokens_cap());
}

#[test]
fn broken_variant_is_correct_without_contention() {
    let budget = RetryBudget::new(1, 1, RetryBudgetVariant::LoadThenStoreBroken);
    assert!(budget.try_acquire_retry());
    assert!(!budget.try_acquire_retry());
}

#[test]
fn concurrent_grants_stay_within_the_budget() {
    let budget = Arc::new(RetryBudget::new(100, 1, RetryBudgetVariant::Correct));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let budget = Arc::clone(&budget);
            thread::spawn(move || (0..50).filter(|_| budget.try_acquire_retry()).count())
        })
        .collect();
    let granted: usize = workers
        .into_iter()
        .map(|worker| worker.join().expect("the worker does not panic"))
        .sum();
    assert_eq!(granted, 100);
    assert_eq!(budget.tokens_available(), 0);
}
