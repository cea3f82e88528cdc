//! A retry budget: a token bucket shared by every request path of one node.
//!
//! Each retry withdraws `tokens_per_retry`; successes deposit tokens back, up to a
//! cap. It backs T3 (`retry_amplification`): retrying at one layer, behind a budget,
//! bounds database attempts per user request whatever the retry loops do.
//!
//! Invariants (checked by `tests/loom_retry_budget.rs`):
//! - tokens granted ≤ initial tokens + tokens deposited;
//! - the tokens in the bucket never exceed the cap.
//!
//! The decisions are [`retry_budget_grant`] and [`retry_budget_deposit`], applied in a
//! single atomic read-modify-write. [`RetryBudgetVariant::LoadThenStoreBroken`] is
//! deliberately broken, for tests: it loads the tokens and stores the decremented
//! value in two steps, so two threads can both spend the last token.

use super::decision::{retry_budget_deposit, retry_budget_grant};
use super::shim::atomic::{AtomicU64, Ordering};

/// Which implementation a [`RetryBudget`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryBudgetVariant {
    /// Withdrawals and deposits are single atomic read-modify-writes.
    Correct,
    /// Deliberately broken, for tests: a withdrawal loads the tokens, decides, and
    /// stores the result in a separate step (a lost update grants a token twice).
    LoadThenStoreBroken,
}

/// A token bucket that decides whether a retry may go.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: AtomicU64,
    tokens_cap: u64,
    tokens_per_retry: u64,
    variant: RetryBudgetVariant,
}

impl RetryBudget {
    /// A full bucket holding `tokens_cap` tokens, each retry costing
    /// `tokens_per_retry` (zero makes retries free, that is, unbounded).
    pub fn new(tokens_cap: u64, tokens_per_retry: u64, variant: RetryBudgetVariant) -> Self {
        Self {
            tokens: AtomicU64::new(tokens_cap),
            tokens_cap,
            tokens_per_retry,
            variant,
        }
    }

    /// Asks for one retry: true (and the tokens withdrawn) when the budget allows it.
    pub fn try_acquire_retry(&self) -> bool {
        match self.variant {
            RetryBudgetVariant::Correct => self.withdraw_atomically(),
            RetryBudgetVariant::LoadThenStoreBroken => self.withdraw_load_then_store(),
        }
    }

    /// Deposits `tokens_deposited` (for example after a success), clipped to the cap.
    /// Returns the tokens actually added.
    pub fn deposit(&self, tokens_deposited: u64) -> u64 {
        let update = |tokens| {
            Some(retry_budget_deposit(
                tokens,
                tokens_deposited,
                self.tokens_cap,
            ))
        };
        let before = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, update)
            .expect("the deposit closure always returns Some");
        retry_budget_deposit(before, tokens_deposited, self.tokens_cap) - before
    }

    /// The tokens in the bucket now.
    pub fn tokens_available(&self) -> u64 {
        self.tokens.load(Ordering::Acquire)
    }

    /// The most tokens the bucket holds.
    pub fn tokens_cap(&self) -> u64 {
        self.tokens_cap
    }

    fn withdraw_atomically(&self) -> bool {
        let cost = self.tokens_per_retry;
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                retry_budget_grant(tokens, cost)
            })
            .is_ok()
    }

    fn withdraw_load_then_store(&self) -> bool {
        let tokens = self.tokens.load(Ordering::Acquire);
        match retry_budget_grant(tokens, self.tokens_per_retry) {
            Some(tokens_left) => {
                self.tokens.store(tokens_left, Ordering::Release);
                true
            }
            None => false,
        }
    }
}
