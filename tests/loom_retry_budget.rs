//! Loom checks of the retry budget (T3, `src/sync/retry_budget.rs`).
//!
//! Two retriers race for the last token while a depositor refills the bucket.
//! Invariants: tokens granted + tokens left = initial tokens + tokens deposited (so
//! grants never exceed initial + deposits), and the bucket never exceeds its cap.

mod loom_support;

use loom_support::sync::retry_budget::{RetryBudget, RetryBudgetVariant};
use loom_support::sync::shim::{thread, Arc};

const TOKENS_CAP: u64 = 1;

fn two_retriers_and_a_depositor(variant: RetryBudgetVariant) {
    loom_support::check(move || {
        let budget = Arc::new(RetryBudget::new(TOKENS_CAP, 1, variant));
        let retriers: Vec<_> = (0..2)
            .map(|_| {
                let budget = Arc::clone(&budget);
                thread::spawn(move || budget.try_acquire_retry())
            })
            .collect();
        let depositor = {
            let budget = Arc::clone(&budget);
            thread::spawn(move || budget.deposit(1))
        };
        let granted = retriers
            .into_iter()
            .map(|retrier| u64::from(retrier.join().unwrap()))
            .sum::<u64>();
        let deposited = depositor.join().unwrap();
        let tokens_left = budget.tokens_available();
        assert!(
            granted + tokens_left <= TOKENS_CAP + deposited,
            "retry budget granted more tokens than it held: {granted} granted, \
             {tokens_left} left, {TOKENS_CAP} initial + {deposited} deposited"
        );
        assert_eq!(
            granted + tokens_left,
            TOKENS_CAP + deposited,
            "retry budget lost tokens"
        );
        assert!(
            tokens_left <= budget.tokens_cap(),
            "retry budget above its cap"
        );
    });
}

#[test]
fn correct_budget_never_grants_more_than_it_holds() {
    two_retriers_and_a_depositor(RetryBudgetVariant::Correct);
}

#[test]
#[should_panic(expected = "retry budget granted more tokens than it held")]
fn load_then_store_budget_grants_the_last_token_twice() {
    two_retriers_and_a_depositor(RetryBudgetVariant::LoadThenStoreBroken);
}
