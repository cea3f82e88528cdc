//! One budget for every phase of a check: the search, the liveness graph and its
//! components, the metrics pass, and each run of an ablation.
//!
//! A budget is started once, from a check's [`CheckOptions`]: its clock runs from
//! then on, so `--timeout 10` bounds the whole check, not each phase; memory is the
//! process's resident size, which all phases share; the cancellation flag (Ctrl-C) is
//! the options' own. A phase asks [`Budget::exhausted`] every so many states and, when
//! told to stop, reports `unknown` for what it could not decide (never `holds`).

use super::{CheckOptions, StopReason};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A phase asks the budget once per this many states (a memory reading costs a file
/// read, so not on every state).
pub const CHECK_EVERY_STATES: usize = 1024;

/// The limits of one check, shared by its phases.
#[derive(Clone, Debug)]
pub struct Budget {
    started: Instant,
    timeout: Option<Duration>,
    max_memory_bytes: Option<u64>,
    max_states: Option<usize>,
    max_depth: Option<usize>,
    cancel: Arc<AtomicBool>,
}

impl Budget {
    /// Starts the clock of a check with the limits of `options`.
    pub fn start(options: &CheckOptions) -> Budget {
        Budget {
            started: Instant::now(),
            timeout: options.timeout,
            max_memory_bytes: options.max_memory_bytes,
            max_states: options.max_states,
            max_depth: options.max_depth,
            cancel: Arc::clone(&options.cancel),
        }
    }

    /// No limit at all (a library caller that wants none).
    pub fn unlimited() -> Budget {
        Budget::start(&CheckOptions::default())
    }

    /// Whether time, memory or cancellation says stop, and which (states and depth
    /// are counted by each phase against [`Budget::states_exceeded`] and
    /// [`Budget::depth_reached`]).
    pub fn exhausted(&self) -> Option<StopReason> {
        if self.cancel.load(Ordering::Relaxed) {
            return Some(StopReason::Cancelled);
        }
        if self.timeout.is_some_and(|t| self.started.elapsed() >= t) {
            return Some(StopReason::TimeLimit);
        }
        if let Some(limit) = self.max_memory_bytes {
            if resident_bytes().is_some_and(|used| used >= limit) {
                return Some(StopReason::MemoryLimit);
            }
        }
        None
    }

    /// Whether a phase holding `states` states is over the state limit: it may hold
    /// exactly `max_states` (a space of that size is explored completely).
    pub fn states_exceeded(&self, states: usize) -> bool {
        self.max_states.is_some_and(|max| states > max)
    }

    /// Whether a state at `depth` is at the depth bound (not to be expanded).
    pub fn depth_reached(&self, depth: usize) -> bool {
        self.max_depth.is_some_and(|max| depth >= max)
    }

    /// The state limit, if any.
    pub fn max_states(&self) -> Option<usize> {
        self.max_states
    }

    /// The time left, if there is a timeout (zero once it has passed).
    pub fn time_left(&self) -> Option<Duration> {
        self.timeout
            .map(|t| t.saturating_sub(self.started.elapsed()))
    }

    /// `options` for a later run that spends what is left of this budget (an ablation
    /// runs one check per assumption subset, all within one budget).
    pub fn options_for_rest(&self, options: &CheckOptions) -> CheckOptions {
        CheckOptions {
            timeout: self
                .time_left()
                .map(|left| left.max(Duration::from_nanos(1))),
            cancel: Arc::clone(&self.cancel),
            ..options.clone()
        }
    }
}

/// The process's resident memory, where the platform tells it.
pub(crate) fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // 4 KiB pages: the page size of the platforms synccheck is built for.
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_reported_by_name() {
        let options = CheckOptions {
            max_states: Some(3),
            max_depth: Some(2),
            timeout: Some(Duration::from_secs(3600)),
            ..CheckOptions::default()
        };
        let budget = Budget::start(&options);
        assert_eq!(budget.exhausted(), None);
        assert!(!budget.states_exceeded(3));
        assert!(budget.states_exceeded(4));
        assert!(!budget.depth_reached(1));
        assert!(budget.depth_reached(2));
        options.cancel.store(true, Ordering::Relaxed);
        assert_eq!(budget.exhausted(), Some(StopReason::Cancelled));
        let late = Budget::start(&CheckOptions {
            timeout: Some(Duration::from_nanos(1)),
            ..CheckOptions::default()
        });
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(late.exhausted(), Some(StopReason::TimeLimit));
        assert_eq!(late.time_left(), Some(Duration::ZERO));
        let tiny = Budget::start(&CheckOptions {
            max_memory_bytes: Some(1),
            ..CheckOptions::default()
        });
        if resident_bytes().is_some() {
            assert_eq!(tiny.exhausted(), Some(StopReason::MemoryLimit));
        }
    }
}
