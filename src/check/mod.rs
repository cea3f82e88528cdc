//! The check runner: explores any `stateright::Model` and turns what it saw into
//! per-property verdicts.
//!
//! synccheck runs its own search loops over stateright's `Model` trait rather than
//! stateright's checkers, because the harness needs things those do not give: limits
//! on states, depth and wall time that work with one thread as with many, a verdict of
//! `unknown` (never `holds`) when a limit cut the search, deadlock detection, a
//! cancellation flag (Ctrl-C), and state counts that are identical for any thread
//! count. The search stores one fingerprint and one parent fingerprint per state;
//! counterexample paths are rebuilt by replaying the model along the parent chain.
//!
//! **Symmetry.** [`run_symmetric`] takes a canonicalization (a state → the
//! representative of its class under renumbering of interchangeable nodes, with the
//! representative's fingerprint, so each generated state is hashed once). The search
//! then stores and expands one representative per class, and every count is the number
//! of classes, identical for any thread count (the representative, not the first member
//! a thread happened to reach, is what is stored and expanded). Properties are
//! evaluated on representatives, so they must be symmetric themselves. Paths stay
//! concrete: they are rebuilt by replaying the model from the initial state and, at each
//! step, taking the successor whose representative has the stored fingerprint.
//!
//! **Self-loops.** A model may also tell the search which actions lead from a state back
//! to that state itself ([`SelfLoop`]; the timed system's `Tick` where nothing it counts
//! can move, [`TimedSystem::is_self_loop`](crate::system::TimedSystem::is_self_loop)).
//! Such a successor adds no state and no path, so the safety search does not build,
//! hash and look it up: only the `generated` count falls. The action still counts as
//! enabled (a state whose only step changes nothing is not a deadlock), a state at the
//! depth bound with such a step is still cut off, and nothing else skips it: the
//! liveness graph, `graph`, the Explorer, replay and simulation take every step.
//!
//! **Subsumption.** A model may also split each state into a *frame* and counters
//! ([`Subsume`]) such that a state whose counters are at most another's, in the same
//! frame, can do everything the other can (it *covers* it: the timed system's younger
//! messages and shorter pauses under a held delay and pause bound, and its nearer
//! timers where timers may fire late). The BFS then
//! expands a new state only if no state expanded at its depth or before covers it, nor
//! another new state of its level covers it with smaller counters; the states it leaves
//! out are stored, counted and checked against the properties as every discovery is,
//! only not expanded. Every state the full search reaches at depth d is covered by one
//! expanded at depth d or less (by induction along its path: the coverer's matching
//! step, or the coverer itself where that step would change nothing at it, covers the
//! next state in turn), so every property value and deadlock
//! the full search finds is found at the same depth: the same verdicts and
//! counterexample lengths (the counterexample itself may be another of that length).
//! Which states are left out is decided between two levels, from the level's order:
//! counts are the same for any thread count. Under symmetry the frames compared are
//! those of representatives, so a state covered only by a renaming of an expanded one
//! is still expanded (less reduction, the same verdicts). The DFS and the simulation
//! ignore it.

mod bfs;
mod budget;
mod covering;
mod dfs;
mod guide;
mod path;
mod record;
mod simulation;
mod store;

pub use budget::{default_memory_limit, memory_limit, Budget, CHECK_EVERY_STATES};
pub use guide::{Guide, LowerBound};
pub use path::Path;
pub(crate) use record::StateIndex;
pub use record::{Recorded, RecordedGraph, Shortcuts};
pub use store::fingerprint;
pub(crate) use store::FingerprintHasher;

use crate::pool::Crew;
use serde::{Deserialize, Serialize};
use stateright::{Expectation, Model};
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How the state space is explored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Breadth-first, level by level: shortest counterexamples.
    #[default]
    Bfs,
    /// Depth-first: less memory for the frontier; counterexamples may be long.
    Dfs,
    /// Seeded random walks: never proves a property, finds bugs in spaces too large to
    /// exhaust.
    Simulation,
}

impl Strategy {
    /// The public name.
    pub const fn name(self) -> &'static str {
        match self {
            Strategy::Bfs => "bfs",
            Strategy::Dfs => "dfs",
            Strategy::Simulation => "simulation",
        }
    }
}

/// Live counters a progress display may poll from another thread.
#[derive(Debug, Default)]
pub struct Progress {
    /// Unique states stored so far.
    pub unique_states: AtomicUsize,
    /// Successor states generated so far.
    pub generated_states: AtomicUsize,
    /// Deepest level reached.
    pub max_depth: AtomicUsize,
    /// The search is over and the phases after it run (liveness, metrics, the
    /// counterexamples' claims): the counts above stay the search's, as the searches
    /// of those phases count on counters of their own.
    pub after_search: AtomicBool,
    /// The phase after the search that last said how far it got ([`Progress::phase`]):
    /// 0 none, 1 and 2 a [`Phase`] plus one, 3 the counterexamples' claims.
    phase: std::sync::atomic::AtomicU8,
    /// The states that phase holds so far (the liveness graph's, the metrics pass's).
    phase_states: AtomicUsize,
}

impl Progress {
    /// Marks a check's search begun (one display may follow several checks, as
    /// `assumptions` runs one per assumption set).
    pub fn search_starts(options: &CheckOptions) {
        options
            .progress
            .after_search
            .store(false, std::sync::atomic::Ordering::Relaxed);
        options
            .progress
            .phase
            .store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Records that `phase`, after the search, holds `states` states now (the
    /// liveness graph, the metrics pass; through their [`Budget`], whose progress is
    /// the check's own).
    pub fn phase_at(&self, phase: Phase, states: usize) {
        let code = match phase {
            Phase::Liveness => 1,
            Phase::Metrics => 2,
        };
        // The count before the phase that it counts (read in the other order).
        self.phase_states
            .store(states, std::sync::atomic::Ordering::Relaxed);
        self.phase.store(code, std::sync::atomic::Ordering::Release);
    }

    /// Marks the phases that count states here over.
    pub fn phases_done(&self) {
        self.phase.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Marks the counterexamples' claims (fewest breaks, the confirmation of breaks) as
    /// running; their searches count on counters of their own.
    pub fn claims_start(&self) {
        self.phase.store(3, std::sync::atomic::Ordering::Release);
    }

    /// Whether the counterexamples' claims run now ([`Progress::claims_start`]).
    pub fn in_claims(&self) -> bool {
        self.phase.load(std::sync::atomic::Ordering::Acquire) == 3
    }

    /// The phase after the search that last said how far it got, and how many states
    /// it held then; `None` before any did (or once a new search starts).
    pub fn phase(&self) -> Option<(Phase, usize)> {
        let phase = match self.phase.load(std::sync::atomic::Ordering::Acquire) {
            1 => Phase::Liveness,
            2 => Phase::Metrics,
            _ => return None,
        };
        let states = self.phase_states.load(std::sync::atomic::Ordering::Relaxed);
        Some((phase, states))
    }

    /// Marks the search over and gives the phases after it counters of their own
    /// (options like `options` but for them), so that a display keeps showing the
    /// search's counts and says the search is done.
    pub fn search_done(options: &CheckOptions) -> CheckOptions {
        options
            .progress
            .after_search
            .store(true, std::sync::atomic::Ordering::Relaxed);
        CheckOptions {
            progress: Arc::new(Progress::default()),
            ..options.clone()
        }
    }
}

/// Options of one check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// BFS, DFS or simulation.
    pub strategy: Strategy,
    /// Seed of the simulation strategy.
    pub seed: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Stop (incomplete) once more than this many unique states would be stored (a
    /// space of exactly this size is explored completely).
    pub max_states: Option<usize>,
    /// Do not expand states at this depth (incomplete if any had successors).
    pub max_depth: Option<usize>,
    /// Stop (incomplete) after this much wall time.
    pub timeout: Option<Duration>,
    /// Stop (incomplete) once the process's resident memory exceeds this many bytes
    /// (read from `/proc/self/statm`; ignored where that does not exist).
    pub max_memory_bytes: Option<u64>,
    /// Report states without successors as a `deadlock_free` violation (only where
    /// [`CheckOptions::properties`] selects it: [`CheckOptions::deadlock_checked`]).
    pub check_deadlock: bool,
    /// Search only these properties (`--property`, repeatable; empty: every property).
    /// `deadlock_free` is searched only when named here or when the list is empty.
    /// Every phase of the check (the liveness graph, the confirmations of breaks, the
    /// fewest-breaks search) decides only these; a timed system built for the check
    /// drops the others too ([`TimedSystem::searching_only`](crate::system::TimedSystem::searching_only)),
    /// so that it may store less. A name the model does not have is an error at the
    /// entry points (registry, `testing`), not here: the search just finds nothing to
    /// keep.
    pub properties: Vec<String>,
    /// Random walks of the simulation strategy (each at most `max_depth`, default 100).
    pub simulation_walks: usize,
    /// Set from outside (Ctrl-C, SIGTERM) to stop the search; reported as incomplete.
    pub cancel: Arc<AtomicBool>,
    /// Live counters.
    pub progress: Arc<Progress>,
    /// Also store every state in full and cross-check the fingerprint store's count
    /// against the number of distinct full states: a mismatch (a fingerprint
    /// collision that dropped a state) stops the search with an error. Memory grows
    /// with the states' size: for runs that fit. Honored where states are `Eq`: the
    /// check pipeline (CLI, registry, `testing`); [`run`] and [`run_symmetric`] need
    /// only `Hash` and ignore it (`Stats::exact_states` stays `None`).
    pub exact: bool,
    /// Timed systems: store message ages and pause lengths even where the lean state
    /// would not (`--no-lean`; see `system::Lean` and `Protocol::LEAN_STATE`). Same
    /// verdicts and counterexample lengths, more states: a cross-check of the lean
    /// state. Plain models ignore it.
    pub no_lean: bool,
    /// Where the model reports an error it found in itself mid-search (the timed
    /// system: a value past an engine cap, see `TimedSystem::fault`). Once raised, the
    /// search stops with [`StopReason::ModelFault`] and the outcome carries the error.
    pub fault: Arc<ModelFault>,
    /// Use the model's symmetry when it declares one (a timed protocol's
    /// `Protocol::symmetry`, a plain model's `PlainModel::canonicalizer`): one state
    /// stored per class. `false` (`--no-symmetry`) checks the full space. Read by the
    /// check pipeline; [`run`] and [`run_symmetric`] are told directly.
    pub symmetry: bool,
    /// Let the BFS leave out states the model says an expanded one covers
    /// ([`Facts::subsume`]); `false` (`--no-subsumption`) expands every state, as
    /// `exact` does.
    pub subsumption: bool,
    /// Timed systems whose protocol declares `Protocol::LEAN_STATE`, BFS or DFS (no
    /// depth bound): search the
    /// safety properties first up to clock-drift classes (`system::DriftClasses`: one
    /// state per class of the clock drifts a node can undo) and take from it what needs
    /// no path (an `always` that holds, a `sometimes` never reached, deadlock freedom);
    /// the rest is searched on the full system. `false` (`--no-drift-classes`) searches
    /// the full system only.
    pub drift_classes: bool,
    /// Where the search on drift classes found a violation, an example or a deadlock,
    /// guide the full system's search for its run by the distances between classes
    /// (`pipeline::check_system`, [`Guide`]): the same verdicts and path lengths, fewer
    /// states. `false` (`--no-class-guide`) searches the full system unguided.
    pub class_guide: bool,
    /// Timed systems whose protocol declares `Protocol::LEAN_STATE` or
    /// `Protocol::MESSAGE_SET`, where the check relies on it (the lean state,
    /// subsumption, the message set): how many states, breadth-first, of the system
    /// with every quantity stored are audited for the contract
    /// (`TimedSystem::audit_lean_state`) before the search. A breach is an error
    /// naming the property; 0 audits nothing.
    pub lean_audit_states: usize,
}

/// An error a model finds in itself while it is explored (a protocol that sets a
/// timer longer than the largest time constant it declared). The first error by
/// message order is kept, so the message is the same for any thread count.
#[derive(Debug, Default)]
pub struct ModelFault {
    raised: AtomicBool,
    message: std::sync::Mutex<Option<String>>,
}

impl ModelFault {
    /// Records an error (keeps the smallest message seen, for determinism; a clock
    /// offset read where the skew is relaxed only where nothing else was raised, since
    /// `bounds` and `assumptions` take that one for a probe that cannot run and would
    /// hide another behind it).
    pub fn raise(&self, message: String) {
        let mut slot = self
            .message
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        fn rank(message: &str) -> (bool, &str) {
            (
                message.starts_with(crate::system::OFFSETS_UNSTORED),
                message,
            )
        }
        if slot.as_ref().is_none_or(|kept| rank(&message) < rank(kept)) {
            *slot = Some(message);
        }
        self.raised
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether an error was raised.
    pub fn is_raised(&self) -> bool {
        self.raised.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The error, if one was raised.
    pub fn message(&self) -> Option<String> {
        self.message
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl CheckOptions {
    /// Whether the check searches `property` ([`CheckOptions::properties`]).
    pub fn searches(&self, property: &str) -> bool {
        self.properties.is_empty() || self.properties.iter().any(|name| name == property)
    }

    /// Whether states without successors are reported: `check_deadlock`, and
    /// `deadlock_free` among the [`CheckOptions::properties`] searched.
    pub fn deadlock_checked(&self) -> bool {
        self.check_deadlock && self.searches(DEADLOCK_PROPERTY)
    }
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            strategy: Strategy::Bfs,
            seed: 0,
            threads: 1,
            max_states: None,
            max_depth: None,
            timeout: None,
            max_memory_bytes: None,
            check_deadlock: true,
            properties: Vec::new(),
            simulation_walks: 2_000,
            cancel: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(Progress::default()),
            fault: Arc::new(ModelFault::default()),
            exact: false,
            no_lean: false,
            symmetry: true,
            subsumption: true,
            drift_classes: true,
            class_guide: true,
            lean_audit_states: LEAN_AUDIT_STATES,
        }
    }
}

/// How many states a check audits for the contracts of `Protocol::LEAN_STATE` and
/// `Protocol::MESSAGE_SET` by default ([`CheckOptions::lean_audit_states`]).
pub const LEAN_AUDIT_STATES: usize = 10_000;

/// The first `count` distinct states of `model` in breadth-first order (fewer when the
/// space is smaller), for checks of something on every state of a prefix (the audit
/// of `Protocol::LEAN_STATE`, tests).
pub fn first_states<M>(model: &M, count: usize) -> Vec<M::State>
where
    M: stateright::Model,
    M::State: Clone + Eq + std::hash::Hash,
{
    let mut seen = std::collections::HashSet::new();
    let mut queue: std::collections::VecDeque<M::State> = model.init_states().into();
    let mut states = Vec::new();
    let mut actions = Vec::new();
    while let Some(state) = queue.pop_front() {
        if states.len() == count {
            break;
        }
        if !seen.insert(state.clone()) {
            continue;
        }
        actions.clear();
        model.actions(&state, &mut actions);
        queue.extend(
            actions
                .drain(..)
                .filter_map(|action| model.next_state(&state, action)),
        );
        states.push(state);
    }
    states
}

/// The name under which deadlocks are reported.
pub const DEADLOCK_PROPERTY: &str = "deadlock_free";

/// Why `names` (a [`CheckOptions::properties`] selection) cannot be searched on a model
/// whose properties are `valid`: the first name that is neither one of them nor
/// `deadlock_free`, with the closest valid name and the list. `None` when all are.
pub fn unknown_property(names: &[String], valid: &[&str]) -> Option<String> {
    let name = names
        .iter()
        .find(|name| *name != DEADLOCK_PROPERTY && !valid.contains(&name.as_str()))?;
    let listed = valid
        .iter()
        .copied()
        .chain([DEADLOCK_PROPERTY])
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "--property {name}: no such property{}; valid properties: {listed}",
        crate::suggest::did_you_mean(name, &listed)
    ))
}

/// What a property turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// An `always` property true in every reachable state (complete search).
    Holds,
    /// A counterexample exists.
    Violated,
    /// A `sometimes` property true in some reachable state.
    Reached,
    /// A `sometimes` property false in every reachable state (complete search).
    Unreached,
    /// A limit was hit before the answer was known.
    Unknown,
}

impl Verdict {
    /// The public name.
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Violated => "violated",
            Verdict::Reached => "reached",
            Verdict::Unreached => "unreached",
            Verdict::Unknown => "unknown",
        }
    }

    /// Parses a public name.
    pub fn parse(text: &str) -> Option<Verdict> {
        [
            Verdict::Holds,
            Verdict::Violated,
            Verdict::Reached,
            Verdict::Unreached,
            Verdict::Unknown,
        ]
        .into_iter()
        .find(|v| v.name() == text)
    }

    /// Whether this verdict, with no expectation given, is a success.
    pub const fn is_success(self) -> bool {
        matches!(self, Verdict::Holds | Verdict::Reached)
    }
}

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Every reachable state was explored.
    Complete,
    /// Every property was decided before the space was exhausted.
    AllDecided,
    /// `max_states` reached.
    StateLimit,
    /// `max_depth` reached with states left to expand.
    DepthLimit,
    /// `timeout` reached.
    TimeLimit,
    /// Cancelled from outside (Ctrl-C, SIGTERM).
    Cancelled,
    /// `max_memory_bytes` reached.
    MemoryLimit,
    /// The simulation strategy ran its walks (it never exhausts a space).
    WalksDone,
    /// The model reported an error in itself ([`CheckOptions::fault`]): no verdict
    /// of this search can be trusted.
    ModelFault,
}

impl StopReason {
    /// Why a property is `unknown` after a search that stopped for this reason, in
    /// words for reports.
    pub const fn unknown_because(self) -> &'static str {
        match self {
            StopReason::Complete | StopReason::AllDecided => "not decided by this search",
            StopReason::StateLimit => "the state limit was hit first",
            StopReason::DepthLimit => "the depth limit was hit first",
            StopReason::TimeLimit => "the time limit was hit first",
            StopReason::MemoryLimit => "the memory limit was hit first",
            StopReason::Cancelled => "cancelled before it was decided",
            StopReason::WalksDone => "simulation samples runs; it never proves",
            StopReason::ModelFault => "the model is in error",
        }
    }
}

impl StopReason {
    /// In words, for reports.
    pub const fn describe(self) -> &'static str {
        match self {
            StopReason::Complete => "complete",
            StopReason::AllDecided => "stopped: every property decided",
            StopReason::StateLimit => "stopped: state limit",
            StopReason::DepthLimit => "stopped: depth limit",
            StopReason::TimeLimit => "stopped: time limit",
            StopReason::Cancelled => "stopped: cancelled",
            StopReason::MemoryLimit => "stopped: memory limit",
            StopReason::WalksDone => {
                "stopped: walks done (walks prove no `holds` or `unreached`: a violation or \
                 example they found stands; `eventually` is decided on the whole graph, \
                 whatever the strategy)"
            }
            StopReason::ModelFault => "stopped: the model is in error",
        }
    }
}

/// A property's outcome, with the path that decided it.
pub struct PropertyOutcome<M: Model> {
    /// Public name.
    pub name: &'static str,
    /// always / sometimes / eventually.
    pub expectation: Expectation,
    /// The verdict.
    pub verdict: Verdict,
    /// The counterexample (violated) or example (reached).
    pub path: Option<Path<M>>,
    /// For a liveness counterexample (a lasso), the 1-based step where the loop starts.
    pub loop_start: Option<usize>,
}

/// Search statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stats {
    /// Distinct states stored.
    pub unique_states: usize,
    /// Successor states generated (with repeats).
    pub generated_states: usize,
    /// Deepest level explored.
    pub max_depth: usize,
    /// With `CheckOptions::exact`: the distinct states stored in full (equal to
    /// `unique_states` unless fingerprints collided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_states: Option<usize>,
    /// Under subsumption ([`Facts::subsume`], the BFS only): the stored states that
    /// were not expanded because a state expanded at their depth or before simulates
    /// them. They are among `unique_states`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsumed_states: Option<usize>,
    /// Wall time.
    pub seconds: f64,
}

/// The result of one check.
pub struct Outcome<M: Model> {
    /// One per property, in the model's order; `deadlock_free` last when checked.
    pub properties: Vec<PropertyOutcome<M>>,
    /// Statistics.
    pub stats: Stats,
    /// Why the search stopped.
    pub stop_reason: StopReason,
    /// The model's error, when it raised one ([`StopReason::ModelFault`]).
    pub fault: Option<String>,
    /// When the search finished but a later phase was stopped by the limit now in
    /// `stop_reason`: that phase, and how the search itself ended.
    pub later_cut: Option<LaterCut>,
}

/// A phase of a check after its search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The explicit graph of an `eventually` property's ¬P states.
    Liveness,
    /// The pass over the reachable states that takes each metric's maximum.
    Metrics,
}

impl Phase {
    /// In words, for reports.
    pub const fn describe(self) -> &'static str {
        match self {
            Phase::Liveness => "liveness graph",
            Phase::Metrics => "metrics pass",
        }
    }
}

/// A limit that stopped a phase after a search that finished: the search's own counts
/// and verdicts are whole, the phase's are not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LaterCut {
    /// The phase the limit stopped.
    pub phase: Phase,
    /// How the search before it ended ([`StopReason::Complete`] or
    /// [`StopReason::AllDecided`]).
    pub search: StopReason,
}

impl<M: Model> Outcome<M> {
    /// Whether no limit cut the search: it explored every reachable state
    /// ([`StopReason::Complete`]) or stopped early because every property was already
    /// decided ([`StopReason::AllDecided`]). Either way no verdict is `unknown` for
    /// lack of search. (Counts are of the whole space only for `Complete`.)
    pub fn complete(&self) -> bool {
        matches!(
            self.stop_reason,
            StopReason::Complete | StopReason::AllDecided
        )
    }

    /// Records that a later phase (liveness, metrics) stopped at a limit: the check is
    /// then incomplete, and says why and where, even when the search itself was not
    /// cut. A search that was cut keeps its own reason.
    pub fn cut_by(&mut self, reason: StopReason, phase: Phase) {
        if matches!(
            self.stop_reason,
            StopReason::Complete | StopReason::AllDecided
        ) {
            self.later_cut = Some(LaterCut {
                phase,
                search: self.stop_reason,
            });
            self.stop_reason = reason;
        }
    }

    /// The outcome of one property.
    pub fn property(&self, name: &str) -> Option<&PropertyOutcome<M>> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// Maps a state to the canonical representative of its symmetry class, with the
/// representative's [`fingerprint`]: two states that differ only by a renumbering of
/// interchangeable nodes must map to the same state, and a state must be in its own
/// class. The state is taken by value so that a state that is its own representative
/// is handed back without a copy, and the fingerprint comes back with it because
/// choosing a representative usually computes it (the search hashes each state once).
pub type Canonicalize<M> = fn(&M, <M as Model>::State) -> (<M as Model>::State, u64);

/// Whether taking the action at the state leads back to that same state, decided
/// without taking it. `true` must mean that `next_state` returns the state itself
/// (checked in debug builds); `false` is always allowed (the step is then taken and
/// found visited, as without the hook). The safety search skips the actions it names
/// (see the module docs, "Self-loops").
pub type SelfLoop<M> = fn(&M, &<M as Model>::State, &<M as Model>::Action) -> bool;

/// Whether two states are the same state. Where a model names it ([`Facts::repeat`]),
/// a successor the same as the one built just before it, from the same state, is
/// dropped: it would only be looked up and found. For models whose steps often repeat
/// their neighbour's successor, where comparing costs less than a canonical form and a
/// lookup (drift classes: a node's step taken from several places of its class mostly
/// leads to one class). Verdicts, unique states, stop reasons and paths stay the same;
/// `generated` counts the successors kept.
pub type Repeat<M> = fn(&<M as Model>::State, &<M as Model>::State) -> bool;

/// A state split for subsumption: the fingerprint of its *frame* (the state with some
/// counters set to 0) and those counters, in an order fixed by the frame. See
/// [`Subsume`]. A state with no counter is its own frame, which no other state shares:
/// it covers nothing and nothing covers it, and its frame need not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slack {
    /// The fingerprint of the state with the counters set to 0.
    pub frame: u64,
    /// The counters.
    pub counters: Vec<u8>,
}

impl Slack {
    /// Whether `self` is at least as free as `other`: some counters, the same frame,
    /// and every counter at most `other`'s. (Without counters a state covers only
    /// itself, which the search knows by its fingerprint.)
    pub fn covers(&self, other: &Slack) -> bool {
        !self.counters.is_empty()
            && self.frame == other.frame
            && Slack::at_most(&self.counters, &other.counters)
    }

    /// Whether counters `small` are, one by one, at most `large` (of one frame).
    pub(crate) fn at_most(small: &[u8], large: &[u8]) -> bool {
        small.len() == large.len() && small.iter().zip(large).all(|(a, b)| a <= b)
    }
}

/// Splits a state into its frame and counters for subsumption. The contract: when
/// `a`'s split [covers](Slack::covers) `b`'s, `a` *simulates* `b`: every action enabled
/// at `b` leads to a state whose split is covered by that of a successor of `a` by the
/// same action, or by `a`'s own (a step that would change nothing at `a`, which `a`
/// need not list: matching it by staying only shortens runs); `b` has an enabled action
/// wherever `a` has one; and every property has the same value at `a` and `b`. (The
/// timed system's counters are message ages under a held `bounded_delay`, pause lengths
/// under a held `bounded_pause` and timers' remaining ticks under a relaxed
/// `timely_timers`: a state whose messages are younger, whose pauses are shorter and
/// whose timers are nearer may do all the other may,
/// [`TimedSystem::slack`](crate::system::TimedSystem::slack).)
///
/// The BFS then expands a new state only if no state expanded at its depth or before
/// covers it, nor another new state of its level with smaller counters (see the module
/// docs, "Subsumption"). Every property and deadlock it would have found is found at
/// the same depth, so verdicts and counterexample lengths are those of the full search
/// (under a depth bound a search may stop at the bound where the other completes, or
/// the reverse: either way no verdict is wrong); the states it leaves unexpanded are
/// stored and counted ([`Stats::subsumed_states`]), and counts are the same for any
/// thread count. Frames are 64-bit fingerprints, as states are: a collision could leave
/// a state unexpanded, so `CheckOptions::exact` turns subsumption off. The DFS and the
/// simulation ignore it.
pub type Subsume<M> = fn(&M, &<M as Model>::State) -> Slack;

/// What a model knows of its own state graph that spares the search work, without
/// changing what it finds: the steps that lead back to their own state, whether
/// every reachable state has an enabled step, and which properties another search has
/// already decided. The timed system supplies the first two
/// (`pipeline::check_system`, which adds the third after a search on the message set);
/// a model that knows none passes `Facts::default()`.
pub struct Facts<M: Model> {
    /// The steps that lead back to their own state, not taken ([`SelfLoop`]).
    pub self_loop: Option<SelfLoop<M>>,
    /// Successors the same as the one just before them, dropped ([`Repeat`]).
    pub repeat: Option<Repeat<M>>,
    /// No reachable state is without an enabled action, by the model's own rules (the
    /// timed system with `bounded_delay` relaxed: a Tick, a due timer's Fire or a
    /// Resume is always allowed, [`TimedSystem::never_deadlocks`](crate::system::TimedSystem::never_deadlocks)).
    /// `deadlock_free` is then `holds` from the start and never keeps a search going:
    /// a search that decides every other property stops ([`StopReason::AllDecided`]).
    /// Every expanded state is checked against the claim: one with no enabled action
    /// raises a [`ModelFault`] (no verdict of that search stands).
    pub never_deadlocks: bool,
    /// Subsumption for the BFS ([`Subsume`]).
    pub subsume: Option<Subsume<M>>,
    /// Properties another search has already decided for this model (the timed
    /// system's safety search on the message set, `pipeline::check_system`). The
    /// search does not evaluate them and they never keep it going: a search that
    /// decides every other property stops ([`StopReason::AllDecided`]). They come back
    /// `unknown` with no path, for the caller to fill in with what it decided.
    pub decided: Vec<&'static str>,
    /// A lower bound on the steps to the nearest state that decides a property still
    /// open, and how far to search with it ([`Guide`]; the BFS only): the timed
    /// system's search after one on drift classes (`pipeline::check_system`).
    pub guide: Option<Guide<M>>,
}

impl<M: Model> Default for Facts<M> {
    fn default() -> Self {
        Facts {
            self_loop: None,
            repeat: None,
            never_deadlocks: false,
            subsume: None,
            decided: Vec::new(),
            guide: None,
        }
    }
}

impl<M: Model> Clone for Facts<M> {
    fn clone(&self) -> Self {
        Facts {
            self_loop: self.self_loop,
            repeat: self.repeat,
            never_deadlocks: self.never_deadlocks,
            subsume: self.subsume,
            decided: self.decided.clone(),
            guide: self.guide.clone(),
        }
    }
}

/// Explores `model` and returns a verdict per property.
pub fn run<M>(model: &M, options: &CheckOptions) -> Outcome<M>
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    explore_with(
        model,
        options,
        None,
        Facts::default(),
        &Budget::start(options),
        None,
        None,
    )
    .0
}

/// Explores `model` storing one representative per symmetry class (`canonical`), and
/// returns a verdict per property. Counts are numbers of classes. Every property must
/// be symmetric (its value the same on every member of a class); paths are concrete
/// runs of the model. The simulation strategy ignores `canonical` (it stores nothing).
pub fn run_symmetric<M>(model: &M, options: &CheckOptions, canonical: Canonicalize<M>) -> Outcome<M>
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    explore_with(
        model,
        options,
        Some(canonical),
        Facts::default(),
        &Budget::start(options),
        None,
        None,
    )
    .0
}

/// [`run`] or [`run_symmetric`] within `budget`, a budget the caller's later phases
/// (liveness, metrics) share: its clock started before the search. With
/// [`CheckOptions::exact`] every state is also kept in full and the outcome says
/// whether the full count agrees with the fingerprint count.
pub fn run_budgeted<M>(
    model: &M,
    options: &CheckOptions,
    canonical: Option<Canonicalize<M>>,
    budget: &Budget,
) -> Outcome<M>
where
    M: Model + Send + Sync,
    M::State: Hash + Eq + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    run_reduced(model, options, canonical, Facts::default(), budget)
}

/// [`run_budgeted`] with what the model knows of itself ([`Facts`]): skipping the
/// steps `facts.self_loop` names (the timed system's Tick that changes nothing,
/// [`TimedSystem::is_self_loop`](crate::system::TimedSystem::is_self_loop), which
/// `pipeline::check_system` passes) gives the same verdicts, unique states, stop reason
/// and paths and fewer generated states (see the module docs, "Self-loops");
/// `facts.never_deadlocks` decides `deadlock_free` without search.
pub fn run_reduced<M>(
    model: &M,
    options: &CheckOptions,
    canonical: Option<Canonicalize<M>>,
    facts: Facts<M>,
    budget: &Budget,
) -> Outcome<M>
where
    M: Model + Send + Sync,
    M::State: Hash + Eq + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let exact = exact_states::<M>(options);
    explore_with(model, options, canonical, facts, budget, exact, None).0
}

/// [`run_reduced`] that also records the graph the BFS explores ([`Recorded`]: each
/// expanded state's steps, with `shortcuts` added to them where given; the states that
/// decide each property; the states left unexpanded and why), for a caller that needs
/// more of the graph than the verdicts (`system::ClassDistances`). The graph comes back
/// only from a BFS that completed or stopped with every property decided (`None`
/// after a limit, or with another strategy). Verdicts, counts and paths are
/// [`run_reduced`]'s; the recording costs memory in proportion to the steps (four
/// bytes each once their level is merged, after a state's repeats are removed; eight
/// while it is expanded), an index of the states (a map from fingerprint to index)
/// and the evaluation of every property at every stored state.
pub fn run_recorded<M>(
    model: &M,
    options: &CheckOptions,
    canonical: Option<Canonicalize<M>>,
    facts: Facts<M>,
    budget: &Budget,
    shortcuts: Option<Shortcuts<M>>,
) -> (Outcome<M>, Option<Recorded>)
where
    M: Model + Send + Sync,
    M::State: Hash + Eq + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let exact = exact_states::<M>(options);
    let recording = (options.strategy == Strategy::Bfs).then_some(shortcuts);
    explore_with(model, options, canonical, facts, budget, exact, recording)
}

/// The recorder of full states `--exact` asks for.
fn exact_states<'a, M>(options: &CheckOptions) -> Option<Box<dyn Recorder<M::State> + 'a>>
where
    M: Model,
    M::State: Hash + Eq + Clone + Send + Sync + 'a,
{
    options
        .exact
        .then(|| Box::new(ExactStates::<M::State>::new()) as Box<dyn Recorder<M::State>>)
}

/// The search itself; `exact` records full states (`CheckOptions::exact`), `recording`
/// the graph (BFS only, [`run_recorded`]).
fn explore_with<'a, M>(
    model: &'a M,
    options: &'a CheckOptions,
    canonical: Option<Canonicalize<M>>,
    facts: Facts<M>,
    budget: &'a Budget,
    exact: Option<Box<dyn Recorder<M::State> + 'a>>,
    recording: Option<Option<Shortcuts<M>>>,
) -> (Outcome<M>, Option<Recorded>)
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let started = Instant::now();
    let mut search = Search::new(model, options, canonical, budget);
    search.self_loop = facts.self_loop;
    search.repeat = facts.repeat;
    search.never_deadlocks = facts.never_deadlocks;
    // `--exact` checks every state's identity in full; a frame is a fingerprint too.
    search.subsume = facts
        .subsume
        .filter(|_| options.subsumption && !options.exact);
    search.decided_elsewhere = search
        .properties
        .iter()
        .map(|property| facts.decided.contains(&property.name))
        .collect();
    search.exact = exact;
    search.guide = facts.guide.filter(|_| options.strategy == Strategy::Bfs);
    search.recording = recording.filter(|_| options.strategy == Strategy::Bfs);
    let mut found = match options.strategy {
        Strategy::Bfs => bfs::explore(&search),
        Strategy::Dfs => dfs::explore(&search),
        Strategy::Simulation => simulation::explore(&search),
    };
    let graph = found.recorded.take();
    let outcome = search.finish(found, started.elapsed());
    let whole = matches!(
        outcome.stop_reason,
        StopReason::Complete | StopReason::AllDecided
    ) && outcome.fault.is_none();
    let recorded = graph.filter(|_| whole).map(|graph| Recorded {
        graph,
        properties: search.properties.iter().map(|p| p.name).collect(),
    });
    (outcome, recorded)
}

/// One discovery: where a property was decided.
pub(crate) enum Evidence<M: Model> {
    /// A fingerprint in the store: the path is rebuilt from the parent chain.
    Stored { depth: usize, fingerprint: u64 },
    /// A path kept as it was walked (simulation).
    Walked(Path<M>),
}

/// What a search loop hands back.
pub(crate) struct Found<M: Model> {
    pub evidence: Vec<Option<Evidence<M>>>,
    pub stop_reason: StopReason,
    pub stats: Stats,
    /// The graph explored, where the search recorded it ([`Search::recording`]) and
    /// could index it.
    pub recorded: Option<RecordedGraph>,
}

/// The shared context of one search.
pub(crate) struct Search<'a, M: Model> {
    pub model: &'a M,
    pub options: &'a CheckOptions,
    pub properties: Vec<stateright::Property<M>>,
    pub store: store::Store,
    /// The symmetry canonicalization, when the search is symmetry-reduced.
    pub canonical: Option<Canonicalize<M>>,
    /// The steps that lead back to their own state, not taken (see the module docs).
    pub self_loop: Option<SelfLoop<M>>,
    /// Successors the same as the one before them, dropped ([`Facts::repeat`]).
    pub repeat: Option<Repeat<M>>,
    /// Every reachable state has an enabled action ([`Facts::never_deadlocks`]).
    pub never_deadlocks: bool,
    /// Subsumption, for the BFS ([`Facts::subsume`]).
    pub subsume: Option<Subsume<M>>,
    /// Per property slot: decided by another search ([`Facts::decided`]).
    decided_elsewhere: Vec<bool>,
    /// The BFS's guide ([`Facts::guide`]).
    pub guide: Option<Guide<M>>,
    /// Whether the BFS records the graph it explores ([`run_recorded`]), with the
    /// shortcuts it adds to it.
    pub recording: Option<Option<Shortcuts<M>>>,
    budget: &'a Budget,
    /// Every state in full, with `CheckOptions::exact`.
    exact: Option<Box<dyn Recorder<M::State> + 'a>>,
    /// The search's worker threads, started on first use ([`Search::crew`]).
    crew: OnceLock<Crew>,
}

/// What [`Search::expand`] found besides the successors it built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Expanded {
    /// Whether any action was enabled (none: a deadlock).
    pub enabled: bool,
    /// Enabled actions not taken because they lead back to the state itself.
    pub self_loops: usize,
}

/// Records full states (behind a trait object, so that only `--exact` needs `Eq`).
trait Recorder<S>: Send + Sync {
    fn record(&self, state: &S, fingerprint: u64);
    fn len(&self) -> usize;
}

/// Distinct full states, in 64 locked shards chosen by fingerprint.
struct ExactStates<S> {
    shards: Vec<std::sync::Mutex<std::collections::HashSet<S>>>,
}

impl<S> ExactStates<S> {
    fn new() -> Self {
        ExactStates {
            shards: (0..64).map(|_| Default::default()).collect(),
        }
    }
}

impl<S: Hash + Eq + Clone + Send + Sync> Recorder<S> for ExactStates<S> {
    fn record(&self, state: &S, fingerprint: u64) {
        let shard = &self.shards[(fingerprint >> 58) as usize];
        let mut set = shard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !set.contains(state) {
            set.insert(state.clone());
        }
    }

    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                s.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .len()
            })
            .sum()
    }
}

impl<'a, M> Search<'a, M>
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    fn new(
        model: &'a M,
        options: &'a CheckOptions,
        canonical: Option<Canonicalize<M>>,
        budget: &'a Budget,
    ) -> Self {
        let mut properties = model.properties();
        properties.retain(|property| options.searches(property.name));
        if options.deadlock_checked() {
            // Evaluated by the search loops, not through this condition.
            properties.push(stateright::Property::always(DEADLOCK_PROPERTY, |_, _| true));
        }
        Search {
            model,
            options,
            properties,
            store: store::Store::new(),
            canonical,
            self_loop: None,
            repeat: None,
            never_deadlocks: false,
            subsume: None,
            decided_elsewhere: Vec::new(),
            guide: None,
            recording: None,
            budget,
            exact: None,
            crew: OnceLock::new(),
        }
    }

    /// The search's `options.threads` worker threads, started on first use and kept
    /// until the search ends (none of its own with one thread).
    pub fn crew(&self) -> &Crew {
        self.crew.get_or_init(|| Crew::new(self.options.threads))
    }

    /// The state the search stores and expands for `state` (its representative under
    /// symmetry, else itself), with that state's fingerprint.
    #[inline]
    pub fn keyed(&self, state: M::State) -> (M::State, u64) {
        let (state, fp) = self.key_of(state);
        if let Some(exact) = &self.exact {
            exact.record(&state, fp);
        }
        (state, fp)
    }

    /// Keys `successors` ([`Search::keyed`]) into `keyed`, in their order, asking the
    /// store to fetch each one's slot as it goes ([`store::Store::prefetch`]): stored
    /// after all of them are keyed, most find their slot in the cache, its miss
    /// overlapped with the keying of the states after it.
    pub fn key_ahead(
        &self,
        successors: impl Iterator<Item = M::State>,
        keyed: &mut Vec<(M::State, u64)>,
    ) {
        keyed.extend(successors.map(|successor| {
            let (successor, child) = self.keyed(successor);
            self.store.prefetch(child);
            (successor, child)
        }));
    }

    /// [`Search::keyed`] for a state the search does not store (a recorded
    /// shortcut's): not kept in full under `--exact`.
    #[inline]
    pub fn key_of(&self, state: M::State) -> (M::State, u64) {
        let (state, fp) = match self.canonical {
            Some(canonical) => {
                let (state, fp) = canonical(self.model, state);
                (state, store::storable(fp))
            }
            None => {
                let fp = fingerprint(&state);
                (state, fp)
            }
        };
        debug_assert_eq!(fp, fingerprint(&state), "a canonicalization's fingerprint");
        (state, fp)
    }

    /// The slot of the deadlock pseudo-property, if checked.
    pub fn deadlock_slot(&self) -> Option<usize> {
        self.options
            .deadlock_checked()
            .then(|| self.properties.len() - 1)
    }

    /// The property slots a recording search evaluates at every stored state
    /// ([`RecordedGraph::goals`]): all but `eventually`, deadlock and those another
    /// search decided.
    pub fn recorded_slots(&self) -> Vec<bool> {
        let deadlock = self.deadlock_slot();
        (self.properties.iter().enumerate())
            .map(|(slot, property)| {
                property.expectation != Expectation::Eventually
                    && Some(slot) != deadlock
                    && !self.is_decided_elsewhere(slot)
            })
            .collect()
    }

    /// The property slots a state decides: `always` false, `sometimes` true.
    pub fn decided_by(&self, state: &M::State, undecided: &[bool], out: &mut Vec<usize>) {
        let deadlock = self.deadlock_slot();
        for (slot, property) in self.properties.iter().enumerate() {
            if !undecided[slot] || Some(slot) == deadlock {
                continue;
            }
            let holds = (property.condition)(self.model, state);
            let decides = match property.expectation {
                Expectation::Always => !holds,
                Expectation::Sometimes => holds,
                Expectation::Eventually => false,
            };
            if decides {
                out.push(slot);
            }
        }
    }

    /// Successors of `state` (actions whose `next_state` is `Some`) into `successors`
    /// (cleared first; a buffer reused across states spares an allocation per state),
    /// whether any action was enabled at all, and how many steps were skipped as
    /// self-loops ([`SelfLoop`]: they count as enabled, and they are successors a depth
    /// bound cuts off, but they are not built). A state with no enabled action is
    /// deadlocked (as in TLC); an enabled action whose `next_state` is `None` is a
    /// stuttering step. Where `shortcuts` is given and the search records its graph
    /// with shortcuts ([`run_recorded`]), the shortcuts of the steps taken are added to
    /// it (not to `successors`: they are edges of the recording only).
    pub fn expand(
        &self,
        state: &M::State,
        actions: &mut Vec<M::Action>,
        successors: &mut Vec<M::State>,
        mut shortcuts: Option<&mut Vec<M::State>>,
    ) -> Expanded {
        actions.clear();
        successors.clear();
        self.model.actions(state, actions);
        let enabled = !actions.is_empty();
        if !enabled {
            self.refute_never_deadlocks();
        }
        // A successor the same as the one before it is dropped ([`Facts::repeat`]).
        let keep = |successors: &mut Vec<M::State>, next: M::State| {
            let repeats = |same: Repeat<M>| successors.last().is_some_and(|last| same(last, &next));
            if !self.repeat.is_some_and(repeats) {
                successors.push(next);
            }
        };
        // The recorded graph's shortcuts, where the caller records it.
        let recorded = self.recording.flatten();
        let mut self_loops = 0;
        for action in actions.drain(..) {
            let more = match (&shortcuts, recorded) {
                (Some(_), Some(recorded)) => (recorded.after)(self.model, &action),
                _ => false,
            };
            let add_shortcuts = |from: &M::State, out: &mut Option<&mut Vec<M::State>>| {
                if let (true, Some(out), Some(recorded)) = (more, out, recorded) {
                    (recorded.more)(self.model, from, out);
                }
            };
            if self
                .self_loop
                .is_some_and(|self_loop| self_loop(self.model, state, &action))
            {
                debug_assert_eq!(
                    self.model
                        .next_state(state, action.clone())
                        .map(|next| fingerprint(&next)),
                    Some(fingerprint(state)),
                    "a step the model calls a self-loop leads elsewhere"
                );
                self_loops += 1;
                add_shortcuts(state, &mut shortcuts);
            } else if let Some(next) = self.model.next_state(state, action) {
                add_shortcuts(&next, &mut shortcuts);
                keep(successors, next);
            }
        }
        Expanded {
            enabled,
            self_loops,
        }
    }

    /// Whether a limit (other than depth) says stop, and which.
    pub fn limit_hit(&self) -> Option<StopReason> {
        self.limit_hit_at(self.store.len())
    }

    /// Whether the store holds more states than the state limit allows, by its exact
    /// count (once the workers are done).
    pub fn states_over_limit(&self) -> bool {
        self.budget.states_exceeded(self.store.len())
    }

    /// [`Search::limit_hit`] with `stored`, the store's count as just read.
    pub fn limit_hit_at(&self, stored: usize) -> Option<StopReason> {
        if self.options.fault.is_raised() {
            return Some(StopReason::ModelFault);
        }
        if let Some(reason) = self.budget.exhausted() {
            return Some(reason);
        }
        self.budget
            .states_exceeded(stored)
            .then_some(StopReason::StateLimit)
    }

    /// Whether a state at `depth` is at the depth bound.
    /// Whether a state at `depth` is not to be expanded: the check's depth limit (in
    /// its budget) or this search's own (`options.max_depth`, a bounded search run
    /// within a larger check's budget, as break confirmation does).
    pub fn at_depth_bound(&self, depth: usize) -> bool {
        self.budget.depth_reached(depth) || self.options.max_depth.is_some_and(|max| depth >= max)
    }

    /// The slots still undecided, given the evidence so far (never the deadlock slot
    /// of a model that never deadlocks: that one holds from the start; never a
    /// property another search decided, [`Facts::decided`]).
    pub fn undecided(&self, evidence: &[Option<Evidence<M>>]) -> Vec<bool> {
        let settled = self.settled_deadlock_slot();
        self.properties
            .iter()
            .zip(evidence)
            .enumerate()
            .map(|(slot, (property, found))| {
                found.is_none()
                    && property.expectation != Expectation::Eventually
                    && Some(slot) != settled
                    && !self.is_decided_elsewhere(slot)
            })
            .collect()
    }

    fn is_decided_elsewhere(&self, slot: usize) -> bool {
        self.decided_elsewhere.get(slot).copied().unwrap_or(false)
    }

    /// Called on a state with no enabled step. Where the model claimed there is none
    /// ([`Facts::never_deadlocks`] settled `deadlock_free` without search), the state
    /// refutes it: the search is voided rather than left with a false `holds`.
    pub fn refute_never_deadlocks(&self) {
        if self.never_deadlocks {
            self.options.fault.raise(
                "the model says no state deadlocks (Facts::never_deadlocks), but a \
                 reachable state has no enabled step"
                    .to_string(),
            );
        }
    }

    /// The deadlock slot when the model never deadlocks ([`Facts::never_deadlocks`]).
    fn settled_deadlock_slot(&self) -> Option<usize> {
        self.deadlock_slot().filter(|_| self.never_deadlocks)
    }

    /// The deadlock slot when the search itself looks for deadlocks (checked, and not
    /// settled by [`Facts::never_deadlocks`]).
    pub fn searched_deadlock_slot(&self) -> Option<usize> {
        self.deadlock_slot().filter(|_| !self.never_deadlocks)
    }

    fn finish(&self, found: Found<M>, elapsed: Duration) -> Outcome<M> {
        let exact_states = self.exact.as_ref().map(|exact| exact.len());
        if let Some(exact) = exact_states {
            if exact != self.store.len() {
                self.options.fault.raise(format!(
                    "fingerprint collision: {exact} distinct states but {} fingerprints; \
                     states were dropped, so no verdict of this search holds",
                    self.store.len()
                ));
            }
        }
        let complete = found.stop_reason == StopReason::Complete && !self.options.fault.is_raised();
        let settled = self.settled_deadlock_slot();
        let properties = self
            .properties
            .iter()
            .zip(found.evidence)
            .enumerate()
            .map(|(slot, (property, evidence))| {
                let path = evidence.and_then(|e| match e {
                    Evidence::Stored { fingerprint, .. } => {
                        let rebuilt =
                            path::rebuild(self.model, &self.store, self.canonical, fingerprint);
                        if rebuilt.is_none() {
                            self.options.fault.raise(format!(
                                "the declared symmetry does not hold: the path to a state \
                                 deciding `{}` cannot be rebuilt: no \
                                 successor of a stored state has the stored representative, \
                                 so the model's steps do not respect its declared symmetry \
                                 (check the full space with --no-symmetry)",
                                property.name
                            ));
                        }
                        rebuilt
                    }
                    Evidence::Walked(path) => Some(path),
                });
                let complete = complete && !self.options.fault.is_raised();
                // A model that never deadlocks settles `deadlock_free` by its rules
                // (unless it is in error, when nothing holds).
                let settled = Some(slot) == settled && !self.options.fault.is_raised();
                let verdict = if self.is_decided_elsewhere(slot) {
                    Verdict::Unknown
                } else {
                    verdict_of(&property.expectation, path.is_some(), complete || settled)
                };
                PropertyOutcome {
                    name: property.name,
                    expectation: property.expectation.clone(),
                    verdict,
                    path,
                    loop_start: None,
                }
            })
            .collect();
        let mut stats = found.stats;
        stats.seconds = elapsed.as_secs_f64();
        stats.exact_states = exact_states;
        let fault = self.options.fault.message();
        Outcome {
            properties,
            stats,
            // A fault raised after the last limit check still voids the search.
            stop_reason: if fault.is_some() {
                StopReason::ModelFault
            } else {
                found.stop_reason
            },
            fault,
            later_cut: None,
        }
    }
}

/// The probability that some two distinct states of a search shared a 64-bit
/// fingerprint (and one was silently dropped), estimated as TLC does (its
/// "optimistic" figure): `unique · (generated − unique) / 2^64` — each of the
/// `generated − unique` fingerprint hits could have been a different state with
/// probability `unique / 2^64`. At most 1.
pub fn collision_probability(stats: &Stats) -> f64 {
    let unique = stats.unique_states as f64;
    let repeats = stats.generated_states.saturating_sub(stats.unique_states) as f64;
    (unique * repeats / 2f64.powi(64)).min(1.0)
}

fn verdict_of(expectation: &Expectation, discovered: bool, complete: bool) -> Verdict {
    match (expectation, discovered, complete) {
        (Expectation::Always, true, _) => Verdict::Violated,
        (Expectation::Always, false, true) => Verdict::Holds,
        (Expectation::Sometimes, true, _) => Verdict::Reached,
        (Expectation::Sometimes, false, true) => Verdict::Unreached,
        // Liveness needs the cycle-aware checker; a plain search proves nothing.
        (Expectation::Eventually, _, _) => Verdict::Unknown,
        (_, false, false) => Verdict::Unknown,
    }
}

/// The deterministic choice between two discoveries of one property: the shallower,
/// then the smaller fingerprint.
pub(crate) fn better<M: Model>(candidate: (usize, u64), current: &Option<Evidence<M>>) -> bool {
    match current {
        None => true,
        Some(Evidence::Stored { depth, fingerprint }) => candidate < (*depth, *fingerprint),
        Some(Evidence::Walked(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counter that counts up to 3 and may always wait: `Wait` is a self-loop, the
    /// only step at 3.
    struct Waiting;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    enum Step {
        Count,
        Wait,
    }

    impl Model for Waiting {
        type State = u8;
        type Action = Step;

        fn init_states(&self) -> Vec<u8> {
            vec![0]
        }

        fn actions(&self, state: &u8, actions: &mut Vec<Step>) {
            if *state < 3 {
                actions.push(Step::Count);
            }
            actions.push(Step::Wait);
        }

        fn next_state(&self, state: &u8, action: Step) -> Option<u8> {
            match action {
                Step::Count => Some(state + 1),
                Step::Wait => Some(*state),
            }
        }
    }

    fn waits(_: &Waiting, _: &u8, action: &Step) -> bool {
        *action == Step::Wait
    }

    fn search(
        strategy: Strategy,
        threads: usize,
        max_depth: Option<usize>,
        skip: bool,
    ) -> Outcome<Waiting> {
        let options = CheckOptions {
            strategy,
            threads,
            max_depth,
            ..CheckOptions::default()
        };
        let facts = Facts {
            self_loop: skip.then_some(waits as SelfLoop<Waiting>),
            ..Facts::default()
        };
        run_reduced(&Waiting, &options, None, facts, &Budget::start(&options))
    }

    #[test]
    fn skipped_self_loops_change_only_the_generated_count() {
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            for threads in [1, 2] {
                let taken = search(strategy, threads, None, false);
                let skipped = search(strategy, threads, None, true);
                let run = format!("{strategy:?} x{threads}");
                assert_eq!(taken.stop_reason, StopReason::Complete, "{run}");
                assert_eq!(skipped.stop_reason, StopReason::Complete, "{run}");
                assert_eq!(taken.stats.unique_states, 4, "{run}");
                assert_eq!(skipped.stats.unique_states, 4, "{run}");
                // The initial state, three counts, and (taken) four waits.
                assert_eq!(taken.stats.generated_states, 8, "{run}");
                assert_eq!(skipped.stats.generated_states, 4, "{run}");
                assert_eq!(taken.stats.max_depth, skipped.stats.max_depth, "{run}");
            }
        }
    }

    /// One step from 0 to 1, then a model fault: its `next_state` panics at 1.
    struct Panicking;

    impl Model for Panicking {
        type State = u8;
        type Action = ();

        fn init_states(&self) -> Vec<u8> {
            vec![0]
        }

        fn actions(&self, _: &u8, actions: &mut Vec<()>) {
            actions.push(());
        }

        fn next_state(&self, state: &u8, _: ()) -> Option<u8> {
            assert!(*state == 0, "the model panics at {state}");
            Some(1)
        }
    }

    /// A worker that panics stops the search, and its panic (its own message) goes on
    /// to the caller, with every strategy and thread count. With two DFS workers the
    /// second waits for work that the first, panicking, never shares: it must be told
    /// to stop, or the search never returns.
    #[test]
    fn a_panicking_worker_stops_the_search_and_its_panic_goes_on() {
        for strategy in [Strategy::Bfs, Strategy::Dfs, Strategy::Simulation] {
            for threads in [1, 2, 3] {
                let (sender, receiver) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let options = CheckOptions {
                        strategy,
                        threads,
                        simulation_walks: 4,
                        ..CheckOptions::default()
                    };
                    let run = std::panic::catch_unwind(|| {
                        let budget = Budget::start(&options);
                        run_reduced(&Panicking, &options, None, Facts::default(), &budget)
                    });
                    let message = run.err().and_then(|panic| {
                        let text = panic.downcast_ref::<String>().cloned();
                        text.or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    });
                    let _ = sender.send(message);
                });
                let run = format!("{strategy:?} x{threads}");
                let message = receiver
                    .recv_timeout(std::time::Duration::from_secs(60))
                    .unwrap_or_else(|_| panic!("{run}: the search did not return"));
                assert_eq!(message.as_deref(), Some("the model panics at 1"), "{run}");
            }
        }
    }

    /// Counts up to 3 by two steps that lead to the same state, and may always wait;
    /// reaching 3 is an example.
    struct Doubled;

    impl Model for Doubled {
        type State = u8;
        type Action = u8;

        fn init_states(&self) -> Vec<u8> {
            vec![0]
        }

        fn actions(&self, state: &u8, actions: &mut Vec<u8>) {
            if *state < 3 {
                actions.extend([1, 1]);
            }
            actions.push(0);
        }

        fn next_state(&self, state: &u8, by: u8) -> Option<u8> {
            Some(state + by)
        }

        fn properties(&self) -> Vec<stateright::Property<Self>> {
            vec![stateright::Property::sometimes("three", |_, state| {
                *state == 3
            })]
        }
    }

    #[test]
    fn dropped_repeats_change_only_the_generated_count() {
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            for threads in [1, 2] {
                let options = CheckOptions {
                    strategy,
                    threads,
                    ..CheckOptions::default()
                };
                let run = |repeat: Option<Repeat<Doubled>>| {
                    let facts = Facts {
                        repeat,
                        ..Facts::default()
                    };
                    run_reduced(&Doubled, &options, None, facts, &Budget::start(&options))
                };
                let kept = run(None);
                let dropped = run(Some(|one, other| one == other));
                let run = format!("{strategy:?} x{threads}");
                for outcome in [&kept, &dropped] {
                    assert_eq!(outcome.stop_reason, StopReason::Complete, "{run}");
                    assert_eq!(outcome.stats.unique_states, 4, "{run}");
                    let three = outcome.property("three").expect("checked");
                    assert_eq!(three.verdict, Verdict::Reached, "{run}");
                    let path = three.path.as_ref().expect("an example");
                    assert_eq!(path.len(), 3, "{run}");
                }
                // The initial state, three steps from each of 0, 1, 2 (the second
                // count a repeat of the first), the wait at 3.
                assert_eq!(kept.stats.generated_states, 11, "{run}");
                assert_eq!(dropped.stats.generated_states, 8, "{run}");
            }
        }
    }

    #[test]
    fn a_state_whose_only_step_is_a_skipped_self_loop_is_not_deadlocked() {
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            let outcome = search(strategy, 1, None, true);
            let deadlock = outcome.property(DEADLOCK_PROPERTY).expect("checked");
            assert_eq!(deadlock.verdict, Verdict::Holds, "{strategy:?}");
            assert!(deadlock.path.is_none(), "{strategy:?}");
        }
    }

    #[test]
    fn a_skipped_self_loop_at_the_depth_bound_is_still_cut_off() {
        // At depth 3 the only step is the self-loop: the bound still cuts a successor
        // off, so the search is as incomplete as when the step is taken.
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            for skip in [false, true] {
                let outcome = search(strategy, 1, Some(3), skip);
                assert_eq!(
                    outcome.stop_reason,
                    StopReason::DepthLimit,
                    "{strategy:?}, skipping: {skip}"
                );
                assert_eq!(
                    outcome.stats.unique_states, 4,
                    "{strategy:?}, skipping: {skip}"
                );
            }
        }
    }

    /// Counts to 3 and stops there (the state 3 has no step), never reaching 9. With
    /// `goals`, its properties are `below 2` (violated at 2) and `reaches 3` instead.
    struct Stopping {
        goals: bool,
    }

    impl Model for Stopping {
        type State = u8;
        type Action = Step;

        fn init_states(&self) -> Vec<u8> {
            vec![0]
        }

        fn actions(&self, state: &u8, actions: &mut Vec<Step>) {
            if *state < 3 {
                actions.push(Step::Count);
            }
        }

        fn next_state(&self, state: &u8, _: Step) -> Option<u8> {
            Some(state + 1)
        }

        fn properties(&self) -> Vec<stateright::Property<Self>> {
            if self.goals {
                vec![
                    stateright::Property::always("below 2", |_, s: &u8| *s < 2),
                    stateright::Property::sometimes("reaches 3", |_, s: &u8| *s == 3),
                ]
            } else {
                vec![stateright::Property::always("below 9", |_, s: &u8| *s < 9)]
            }
        }
    }

    fn claiming_no_deadlock<M>(model: &M, strategy: Strategy) -> Outcome<M>
    where
        M: Model + Send + Sync,
        M::State: Hash + Eq + Clone + Send + Sync,
        M::Action: Clone + Send + Sync,
    {
        let options = CheckOptions {
            strategy,
            ..CheckOptions::default()
        };
        let facts = Facts {
            never_deadlocks: true,
            ..Facts::default()
        };
        run_reduced(model, &options, None, facts, &Budget::start(&options))
    }

    #[test]
    fn a_model_that_never_deadlocks_settles_deadlock_freedom_before_the_search() {
        // Nothing else to decide: the search stops at once, deadlock_free holds.
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            let outcome = claiming_no_deadlock(&Waiting, strategy);
            assert_eq!(outcome.stop_reason, StopReason::AllDecided, "{strategy:?}");
            if strategy == Strategy::Bfs {
                // DFS looks at what is decided every few hundred states.
                assert_eq!(outcome.stats.unique_states, 1);
            }
            let deadlock = outcome.property(DEADLOCK_PROPERTY).expect("checked");
            assert_eq!(deadlock.verdict, Verdict::Holds, "{strategy:?}");
        }
    }

    #[test]
    fn a_false_claim_of_no_deadlock_voids_the_search() {
        // Only a search that reaches the stuck state can refute the claim: with nothing
        // left to decide the search stops before it (as above), so `Stopping` has a
        // property that keeps it going.
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            let outcome = claiming_no_deadlock(&Stopping { goals: false }, strategy);
            assert_eq!(outcome.stop_reason, StopReason::ModelFault, "{strategy:?}");
            assert!(outcome.fault.is_some(), "{strategy:?}");
            for property in &outcome.properties {
                assert_eq!(property.verdict, Verdict::Unknown, "{strategy:?}");
            }
        }
    }

    #[test]
    fn a_property_decided_elsewhere_is_not_evaluated_and_does_not_keep_the_search_going() {
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            let options = CheckOptions {
                strategy,
                check_deadlock: false,
                ..CheckOptions::default()
            };
            let run = |decided: Vec<&'static str>| {
                let facts = Facts {
                    decided,
                    ..Facts::default()
                };
                run_reduced(
                    &Stopping { goals: true },
                    &options,
                    None,
                    facts,
                    &Budget::start(&options),
                )
            };
            let verdict = |outcome: &Outcome<Stopping>, name| {
                outcome
                    .property(name)
                    .map(|p| (p.verdict, p.path.is_some()))
            };
            let searched = run(Vec::new());
            assert_eq!(
                verdict(&searched, "below 2"),
                Some((Verdict::Violated, true))
            );
            // Left to the caller: `unknown`, no path, though a state violates it.
            let elsewhere = run(vec!["below 2"]);
            assert_eq!(
                elsewhere.stop_reason,
                StopReason::AllDecided,
                "{strategy:?}"
            );
            assert_eq!(
                verdict(&elsewhere, "below 2"),
                Some((Verdict::Unknown, false))
            );
            assert_eq!(
                verdict(&elsewhere, "reaches 3"),
                Some((Verdict::Reached, true))
            );
            // Nothing left to decide: the search stops at the initial state.
            let both = run(vec!["below 2", "reaches 3"]);
            assert_eq!(both.stop_reason, StopReason::AllDecided, "{strategy:?}");
            if strategy == Strategy::Bfs {
                assert_eq!(both.stats.unique_states, 1);
            }
        }
    }
}
