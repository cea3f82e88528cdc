//! Retry protocols (CATALOG.md T1–T5).
pub mod at_least_once_queue;
pub mod backoff_jitter;
pub mod idempotency_window;
pub mod retry_amplification;
pub mod retry_non_idempotent;

use crate::catalog::{timed, CatalogModel};

/// The family's catalog entries, in `list` order.
pub fn entries() -> Vec<Box<dyn CatalogModel>> {
    vec![
        timed::<retry_non_idempotent::RetryNonIdempotent>(),
        timed::<idempotency_window::IdempotencyWindow>(),
        timed::<retry_amplification::RetryAmplification>(),
        timed::<at_least_once_queue::AtLeastOnceQueue>(),
        timed::<backoff_jitter::BackoffJitter>(),
    ]
}
