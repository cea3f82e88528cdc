//! The timing-assumption vocabulary: names, bounds, and the set a check runs under.
//!
//! Every assumption is either *held* (a constraint on which actions the timed system
//! enables) or *relaxed* (the constraint removed). The names are public IDs used in CLI
//! flags, plans and reports; they never change meaning.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The largest bound (in ticks, or crashes) an assumption may be held with. Time
/// quantities are stored in a byte in the state, capped at the largest constant + 1.
pub const BOUND_MAX: u32 = 60;

/// One assumption of the vocabulary (docs/DESIGN.md, "Assumptions").
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Assumption {
    /// `bounded_delay(Δ)`: no Tick while a deliverable message older than Δ is in flight.
    BoundedDelay,
    /// `bounded_skew(ε)`: every clock offset from true time stays within ±ε.
    BoundedSkew,
    /// `bounded_pause(P)`: a node is paused at most P ticks (P = 0: never).
    BoundedPause,
    /// `timely_timers`: no Tick while a due timer of a running node is unfired.
    TimelyTimers,
    /// `reliable_links`: no message is dropped.
    ReliableLinks,
    /// `no_duplication`: no message is duplicated.
    NoDuplication,
    /// `fifo_links`: each channel delivers in send order.
    FifoLinks,
    /// `max_crashes(k)`: at most k crashes in a run (`no_crash` is `max_crashes(0)`).
    MaxCrashes,
    /// `durable_writes`: persisted state survives a crash (no unsynced tail).
    DurableWrites,
}

impl Assumption {
    /// Every assumption, in the order reports list them.
    pub const ALL: [Assumption; 9] = [
        Assumption::BoundedDelay,
        Assumption::BoundedSkew,
        Assumption::BoundedPause,
        Assumption::TimelyTimers,
        Assumption::ReliableLinks,
        Assumption::NoDuplication,
        Assumption::FifoLinks,
        Assumption::MaxCrashes,
        Assumption::DurableWrites,
    ];

    /// The public ID.
    pub const fn name(self) -> &'static str {
        match self {
            Assumption::BoundedDelay => "bounded_delay",
            Assumption::BoundedSkew => "bounded_skew",
            Assumption::BoundedPause => "bounded_pause",
            Assumption::TimelyTimers => "timely_timers",
            Assumption::ReliableLinks => "reliable_links",
            Assumption::NoDuplication => "no_duplication",
            Assumption::FifoLinks => "fifo_links",
            Assumption::MaxCrashes => "max_crashes",
            Assumption::DurableWrites => "durable_writes",
        }
    }

    /// Whether the assumption is held with a numeric bound.
    pub const fn takes_bound(self) -> bool {
        matches!(
            self,
            Assumption::BoundedDelay
                | Assumption::BoundedSkew
                | Assumption::BoundedPause
                | Assumption::MaxCrashes
        )
    }

    /// The bound a bounded assumption is held with when nobody names one.
    pub const fn default_bound(self) -> u32 {
        match self {
            Assumption::BoundedDelay => 1,
            _ => 0,
        }
    }

    /// What holding it means, in one phrase (for `list` and `--help`).
    pub const fn meaning(self) -> &'static str {
        match self {
            Assumption::BoundedDelay => {
                "no Tick while a deliverable message older than Δ is in flight"
            }
            Assumption::BoundedSkew => "every clock offset stays within ±ε of true time",
            Assumption::BoundedPause => "a node is paused at most P ticks (0: never)",
            Assumption::TimelyTimers => "no Tick while a due timer of a running node is unfired",
            Assumption::ReliableLinks => "no message is lost",
            Assumption::NoDuplication => "no message is duplicated",
            Assumption::FifoLinks => "each channel delivers in send order",
            Assumption::MaxCrashes => "at most k crashes (no_crash = 0)",
            Assumption::DurableWrites => "persisted state survives a crash",
        }
    }

    /// Parses a public ID. `no_crash` is accepted as `max_crashes` held at 0; the
    /// second value is that implied bound.
    pub fn parse(name: &str) -> Option<(Assumption, Option<u32>)> {
        if name == "no_crash" {
            return Some((Assumption::MaxCrashes, Some(0)));
        }
        Assumption::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .map(|a| (a, None))
    }

    /// The assumption a `--hold` spec (`NAME` or `NAME=N`) or a `--relax` name is about,
    /// if it names one.
    pub fn of_spec(spec: &str) -> Option<Assumption> {
        let name = spec.split_once('=').map_or(spec, |(name, _)| name);
        Assumption::parse(name.trim()).map(|(assumption, _)| assumption)
    }

    /// The valid IDs, for error messages.
    pub fn valid_names() -> String {
        let mut names: Vec<&str> = Assumption::ALL.iter().map(|a| a.name()).collect();
        names.push("no_crash");
        names.join(", ")
    }

    /// The assumption as written when held with `bound`: `bounded_delay(2)`.
    pub fn with_bound(self, bound: u32) -> String {
        if self.takes_bound() {
            format!("{}({bound})", self.name())
        } else {
            self.name().to_string()
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Assumption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Held with a bound (0 for unbounded assumptions), or relaxed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// The constraint is enforced; the number is the bound (ignored for boolean ones).
    Held(u32),
    /// The constraint is removed.
    Relaxed,
}

/// An error in an assumption name or bound.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssumptionError {
    /// Not a name of the vocabulary.
    #[error("unknown assumption `{name}`{}; valid assumptions: {valid}", crate::suggest::did_you_mean(.name, .valid))]
    Unknown {
        /// What was given.
        name: String,
        /// The valid IDs.
        valid: String,
    },
    /// A bound on an assumption that takes none, or a bound out of range.
    #[error("invalid bound for `{name}`: {reason}")]
    Bound {
        /// The assumption.
        name: String,
        /// Why.
        reason: String,
    },
    /// Two changes that contradict each other (`--hold X --relax X`, or two bounds).
    #[error("contradictory assumption changes for `{name}`: {first} and {second}; keep one")]
    Conflict {
        /// The assumption.
        name: String,
        /// The first change, as written (`hold bounded_pause`).
        first: String,
        /// The change that contradicts it.
        second: String,
    },
}

/// The first contradiction among hold specs and relax names (in that order of
/// mention): an assumption both held and relaxed, or held at two bounds. Unknown names
/// and bad bounds are left to the parsers.
pub fn find_conflict(holds: &[String], relaxes: &[String]) -> Option<AssumptionError> {
    let mut seen: Vec<(Assumption, Option<u32>, String)> = Vec::new();
    let held = holds.iter().map(|spec| (spec, true));
    let relaxed = relaxes.iter().map(|name| (name, false));
    for (text, is_hold) in held.chain(relaxed) {
        let (name, bound_text) = match text.split_once('=') {
            Some((name, bound)) => (name.trim(), Some(bound.trim())),
            None => (text.trim(), None),
        };
        let Some((assumption, implied)) = Assumption::parse(name) else {
            continue;
        };
        let bound = bound_text.and_then(|t| t.parse::<u32>().ok()).or(implied);
        let written = format!("{} {}", if is_hold { "hold" } else { "relax" }, text.trim());
        // A relaxed entry is `None` with is_hold false; encode "relaxed" as a bound of
        // u32::MAX, which no hold can have.
        let setting = if is_hold { bound } else { Some(u32::MAX) };
        for (other, other_setting, other_written) in &seen {
            let contradicts = *other == assumption
                && match (setting, *other_setting) {
                    (Some(a), Some(b)) => a != b,
                    // A hold without a bound agrees with any hold, not with a relax.
                    (None, Some(b)) | (Some(b), None) => b == u32::MAX,
                    (None, None) => false,
                };
            if contradicts {
                return Some(AssumptionError::Conflict {
                    name: assumption.name().to_string(),
                    first: other_written.clone(),
                    second: written,
                });
            }
        }
        seen.push((assumption, setting, written));
    }
    None
}

/// The assumption set a check runs under: every assumption held or relaxed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssumptionSet {
    settings: [Setting; 9],
}

impl Default for AssumptionSet {
    /// The benign environment: everything held with default bounds, except
    /// `fifo_links`, which is relaxed (channels reorder unless a model says otherwise).
    fn default() -> Self {
        let mut settings = [Setting::Relaxed; 9];
        for assumption in Assumption::ALL {
            settings[assumption.index()] = Setting::Held(assumption.default_bound());
        }
        settings[Assumption::FifoLinks.index()] = Setting::Relaxed;
        AssumptionSet { settings }
    }
}

impl AssumptionSet {
    /// Every assumption relaxed: fully asynchronous, with every fault.
    pub fn all_relaxed() -> Self {
        AssumptionSet {
            settings: [Setting::Relaxed; 9],
        }
    }

    /// The setting of one assumption.
    pub fn setting(&self, assumption: Assumption) -> Setting {
        self.settings[assumption.index()]
    }

    /// The bound if held.
    pub fn held_bound(&self, assumption: Assumption) -> Option<u32> {
        match self.setting(assumption) {
            Setting::Held(bound) => Some(bound),
            Setting::Relaxed => None,
        }
    }

    /// Whether the assumption is held.
    pub fn is_held(&self, assumption: Assumption) -> bool {
        self.held_bound(assumption).is_some()
    }

    /// Holds an assumption; `bound` is checked against [`BOUND_MAX`].
    pub fn hold(
        &mut self,
        assumption: Assumption,
        bound: Option<u32>,
    ) -> Result<(), AssumptionError> {
        let bound = match (assumption.takes_bound(), bound) {
            (false, Some(_)) => {
                return Err(AssumptionError::Bound {
                    name: assumption.name().to_string(),
                    reason: "this assumption takes no bound; write it without `=N`".to_string(),
                })
            }
            (false, None) => 0,
            (true, None) => match self.setting(assumption) {
                Setting::Held(current) => current,
                Setting::Relaxed => assumption.default_bound(),
            },
            (true, Some(bound)) => bound,
        };
        if bound > BOUND_MAX {
            return Err(AssumptionError::Bound {
                name: assumption.name().to_string(),
                reason: format!("{bound} is above the largest supported bound {BOUND_MAX}"),
            });
        }
        self.settings[assumption.index()] = Setting::Held(bound);
        Ok(())
    }

    /// Relaxes an assumption.
    pub fn relax(&mut self, assumption: Assumption) {
        self.settings[assumption.index()] = Setting::Relaxed;
    }

    /// Applies `NAME` or `NAME=N` (a `--hold` flag or a plan entry).
    pub fn hold_spec(&mut self, spec: &str) -> Result<(), AssumptionError> {
        let (name, bound_text) = match spec.split_once('=') {
            Some((name, bound)) => (name.trim(), Some(bound.trim())),
            None => (spec.trim(), None),
        };
        let (assumption, implied) = parse_name(name)?;
        let bound = match (bound_text, implied) {
            (None, implied) => implied,
            (Some(text), Some(meant)) => {
                return Err(AssumptionError::Bound {
                    name: name.to_string(),
                    reason: format!(
                        "`{name}` already means a bound of {meant}; write `{name}` or `{}={text}`",
                        assumption.name()
                    ),
                })
            }
            (Some(text), None) => {
                Some(text.parse::<u32>().map_err(|_| AssumptionError::Bound {
                    name: name.to_string(),
                    reason: format!("`{text}` is not a non-negative integer"),
                })?)
            }
        };
        self.hold(assumption, bound)
    }

    /// Applies a `--relax NAME` flag.
    pub fn relax_spec(&mut self, name: &str) -> Result<(), AssumptionError> {
        let (assumption, _) = parse_name(name.trim())?;
        self.relax(assumption);
        Ok(())
    }

    /// The held assumptions with their bounds, for reports.
    pub fn held(&self) -> BTreeMap<String, u32> {
        Assumption::ALL
            .into_iter()
            .filter_map(|a| self.held_bound(a).map(|b| (a.name().to_string(), b)))
            .collect()
    }

    /// The relaxed assumptions, for reports.
    pub fn relaxed(&self) -> Vec<Assumption> {
        Assumption::ALL
            .into_iter()
            .filter(|a| !self.is_held(*a))
            .collect()
    }

    /// The largest bound of any held assumption.
    pub fn largest_bound(&self) -> u32 {
        Assumption::ALL
            .into_iter()
            .filter(|a| *a != Assumption::MaxCrashes)
            .filter_map(|a| self.held_bound(a))
            .max()
            .unwrap_or(0)
    }
}

fn parse_name(name: &str) -> Result<(Assumption, Option<u32>), AssumptionError> {
    Assumption::parse(name).ok_or_else(|| AssumptionError::Unknown {
        name: name.to_string(),
        valid: Assumption::valid_names(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for assumption in Assumption::ALL {
            assert_eq!(
                Assumption::parse(assumption.name()),
                Some((assumption, None))
            );
        }
        assert_eq!(
            Assumption::parse("no_crash"),
            Some((Assumption::MaxCrashes, Some(0)))
        );
        assert_eq!(Assumption::parse("bounded_latency"), None);
    }

    #[test]
    fn hold_spec_parses_bounds_and_rejects_nonsense() {
        let mut set = AssumptionSet::default();
        set.hold_spec("bounded_delay=3").unwrap();
        assert_eq!(set.held_bound(Assumption::BoundedDelay), Some(3));
        set.relax_spec("bounded_delay").unwrap();
        assert!(!set.is_held(Assumption::BoundedDelay));
        set.hold_spec("bounded_delay").unwrap();
        assert_eq!(set.held_bound(Assumption::BoundedDelay), Some(1));
        let alias = set.hold_spec("no_crash=5").unwrap_err().to_string();
        assert!(alias.contains("already means a bound of 0"), "{alias}");
        assert!(alias.contains("max_crashes=5"), "{alias}");
        set.hold_spec("no_crash").unwrap();
        assert_eq!(set.held_bound(Assumption::MaxCrashes), Some(0));
        let unknown = set.hold_spec("bounded_latency=2").unwrap_err();
        assert!(unknown
            .to_string()
            .contains("valid assumptions: bounded_delay"));
        assert!(set.hold_spec("bounded_delay=x").is_err());
        assert!(set.hold_spec("reliable_links=2").is_err());
        assert!(set.hold_spec("bounded_pause=1000").is_err());
        set.hold_spec("no_crash").unwrap();
        assert_eq!(set.held_bound(Assumption::MaxCrashes), Some(0));
    }

    #[test]
    fn default_relaxes_only_fifo() {
        let set = AssumptionSet::default();
        assert_eq!(set.relaxed(), vec![Assumption::FifoLinks]);
        assert_eq!(AssumptionSet::all_relaxed().held().len(), 0);
    }
}
