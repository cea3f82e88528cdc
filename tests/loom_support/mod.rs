//! How every loom test of `src/sync` is checked; included by each `tests/loom_*.rs`.
//!
//! [`check`] runs a model exhaustively with `loom::model::Builder`, bounded by
//! `LOOM_MAX_PREEMPTIONS` when set and by [`PREEMPTION_BOUND_DEFAULT`] otherwise.
//! Every other `LOOM_*` variable (`LOOM_CHECKPOINT_FILE`, `LOOM_CHECKPOINT_INTERVAL`,
//! `LOOM_LOCATION`, `LOOM_MAX_BRANCHES`, ...) is honoured by the builder as loom
//! documents it. When `LOOM_LOG` is set, the model goes through `loom::model`
//! instead, which installs the tracing subscriber that prints the log.

use loom::model::Builder;

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
