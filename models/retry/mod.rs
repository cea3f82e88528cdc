//! Retry protocols (docs/CATALOG.md T1–T5).
pub mod at_least_once_queue;
pub mod backoff_jitter;
pub mod idempotency_window;
pub mod retry_amplification;
pub mod retry_non_idempotent;

#[cfg(not(test))]
use crate::registry::Registry;

/// The family's models, in `list` order, and its plan.
#[cfg(not(test))] // as `catalog::registry`
pub fn registry() -> Registry {
    Registry::new()
        .protocol::<retry_non_idempotent::RetryNonIdempotent>()
        .protocol::<idempotency_window::IdempotencyWindow>()
        .protocol::<retry_amplification::RetryAmplification>()
        .protocol::<at_least_once_queue::AtLeastOnceQueue>()
        .protocol::<backoff_jitter::BackoffJitter>()
        .plan("models/retry/plan.toml", include_str!("plan.toml"))
}
