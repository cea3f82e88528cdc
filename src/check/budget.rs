//! One budget for every phase of a check: the search, the liveness graph and its
//! components, the metrics pass, and each run of an ablation.
//!
//! A budget is started once, from a check's [`CheckOptions`]: its clock runs from
//! then on, so `--timeout 10` bounds the whole check, not each phase; memory is the
//! process's resident size, which all phases share; the cancellation flag (Ctrl-C) is
//! the options' own. A phase asks [`Budget::exhausted`] every so many states and, when
//! told to stop, reports `unknown` for what it could not decide (never `holds`).

use super::{CheckOptions, Progress, StopReason};
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
    /// A second flag that stops this copy alone (see [`Budget::stoppable`]).
    stop: Option<Arc<AtomicBool>>,
    /// The check's live counters: the phases after the search say how far they got
    /// here ([`Progress::phase_at`]).
    progress: Arc<Progress>,
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
            stop: None,
            progress: Arc::clone(&options.progress),
        }
    }

    /// The check's live counters (those of the options it was started from).
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// This budget, that also stops (as cancelled) once `stop` is set: for a search
    /// whose answer may turn out not to be needed (one run beside others, past the
    /// first that settles a question), so it can be stopped without cancelling the
    /// check.
    pub(crate) fn stoppable(&self, stop: Arc<AtomicBool>) -> Budget {
        Budget {
            stop: Some(stop),
            ..self.clone()
        }
    }

    /// The wall time since the budget started, in seconds.
    pub fn elapsed_seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// No limit at all (a library caller that wants none).
    pub fn unlimited() -> Budget {
        Budget::start(&CheckOptions::default())
    }

    /// Whether time, memory or cancellation says stop, and which (states and depth
    /// are counted by each phase against [`Budget::states_exceeded`] and
    /// [`Budget::depth_reached`]).
    pub fn exhausted(&self) -> Option<StopReason> {
        if self.cancel.load(Ordering::Relaxed)
            || self
                .stop
                .as_ref()
                .is_some_and(|stop| stop.load(Ordering::Relaxed))
        {
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

    /// This budget with half of the time left, if there is a timeout: for a search
    /// whose answer may not settle the check, so that the search after it has time of
    /// its own.
    pub(crate) fn half_of_the_time_left(&self) -> Budget {
        let elapsed = self.started.elapsed();
        Budget {
            timeout: self
                .timeout
                .map(|timeout| elapsed + timeout.saturating_sub(elapsed) / 2),
            ..self.clone()
        }
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

/// The memory limit a run gets when none is given (`--max-memory`): nine tenths of the
/// memory the system reports available now (`MemAvailable` in `/proc/meminfo`), so that
/// a space too large for the machine stops with a report (`stopped: memory limit`,
/// verdicts `unknown`) instead of being killed by the kernel with none. `None` where
/// the system does not say (no `/proc/meminfo`): no limit then.
pub fn default_memory_limit() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    memory_limit_from(&meminfo)
}

/// Nine tenths of `MemAvailable` (given in kB) in a `/proc/meminfo` text.
fn memory_limit_from(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))?;
    let mut words = line.split_whitespace();
    let kib: u64 = words.next()?.parse().ok()?;
    if words.next() != Some("kB") {
        return None;
    }
    Some(kib.saturating_mul(1024) / 10 * 9)
}

/// `--max-memory MIB` in bytes, or [`default_memory_limit`] when it is not given; an
/// error naming the flag for a value too large to count in bytes.
pub fn memory_limit(max_memory_mib: Option<u64>) -> Result<Option<u64>, String> {
    match max_memory_mib {
        Some(mib) => mib.checked_mul(1024 * 1024).map(Some).ok_or_else(|| {
            format!(
                "--max-memory {mib}: too large (in MiB); give at most {}",
                u64::MAX / (1024 * 1024)
            )
        }),
        None => Ok(default_memory_limit()),
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
    fn the_default_memory_limit_is_nine_tenths_of_what_is_available() {
        let meminfo = "MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(memory_limit_from(meminfo), Some(20_000_000 * 1024 / 10 * 9));
        assert_eq!(memory_limit_from("MemTotal: 1 kB\n"), None);
        assert_eq!(memory_limit_from("MemAvailable: many kB\n"), None);
        assert_eq!(memory_limit_from("MemAvailable: 12 MB\n"), None);
        assert_eq!(memory_limit(Some(2)), Ok(Some(2 * 1024 * 1024)));
        assert!(memory_limit(Some(u64::MAX))
            .expect_err("too large")
            .contains("--max-memory"));
        // Where the system says what is available (Linux), no flag means that limit.
        if default_memory_limit().is_some() {
            assert!(matches!(memory_limit(None), Ok(Some(limit)) if limit > 0));
        }
    }

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
