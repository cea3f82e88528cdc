//! How every loom test of `src/sync` is checked; included by each `tests/loom_*.rs`.
//!
//! [`check`] runs a model exhaustively with `loom::model::Builder`, bounded by
//! `LOOM_MAX_PREEMPTIONS` when set and by [`PREEMPTION_BOUND_DEFAULT`] otherwise.
//! Every other `LOOM_*` variable (`LOOM_CHECKPOINT_FILE`, `LOOM_CHECKPOINT_INTERVAL`,
//! `LOOM_LOCATION`, `LOOM_MAX_BRANCHES`, ...) is honoured by the builder as loom
//! documents it. When `LOOM_LOG` is set, the model goes through `loom::model`
//! instead, which installs the tracing subscriber that prints the log.

use loom::model::Builder;

/// The components of `src/sync`, compiled here from the library's own files against
/// loom's primitives: this crate mounts its own `shim` where the library mounts
/// `src/sync/shim.rs`. The library and every dependency keep their one release build;
/// only these few files are compiled again. What they decide comes from the library
/// itself ([`synccheck::sync::decision`] is pure, with nothing to instrument).
#[path = "../../src/sync"]
#[allow(dead_code, unused_imports)] // each test uses one component
pub mod sync {
    /// loom's instrumented primitives, under the names `src/sync/shim.rs` exports.
    pub mod shim {
        pub use loom::sync::{atomic, Arc, Condvar, Mutex, MutexGuard};
        pub use loom::thread;
    }

    pub use synccheck::sync::decision;

    pub mod commit_index;
    pub mod dedup_cache;
    pub mod lease_table;
    mod poison;
    pub mod quorum_ack;
    pub mod retry_budget;
    pub mod single_flight;
}

/// The preemption bound used when `LOOM_MAX_PREEMPTIONS` is not set.
pub const PREEMPTION_BOUND_DEFAULT: usize = 2;

/// Checks `model` under every interleaving loom explores within the bound.
pub fn check<F>(model: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(PREEMPTION_BOUND_DEFAULT);
    }
    if builder.log {
        // `loom::model` reads the same environment; only the subscriber differs.
        loom::model(model);
        return;
    }
    builder.check(model);
}
