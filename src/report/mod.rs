//! Reports: built from a check's verdicts and paths, never from checker internals;
//! rendered for people (`human`) or machines (JSON, `schema_version` 1).

mod human;
pub(crate) mod view;

pub(crate) mod confirm;
pub(crate) mod fewest;
pub use human::{render_human, render_trace};

/// [`CheckReport::symmetry`] of a plain model that canonicalizes its own states
/// (`PlainModel::canonicalizer`): it names no groups of nodes.
pub const MODEL_SYMMETRY: &str = "declared by the model";

use crate::check::{Budget, CheckOptions, Outcome, Path, Stats, StopReason, Verdict};
use crate::model::Params;
use crate::system::{Action, Assumption, AssumptionSet, PropertyKind, Protocol, TimedSystem};
use serde::{Deserialize, Serialize};
use stateright::{Expectation, Model};
use std::collections::BTreeMap;

/// `1 step`, `N steps`: a trace's length in words.
pub(crate) fn steps(count: usize) -> String {
    counted(count, "step", "steps")
}

/// `count` and the noun: `1 check`, `3 checks`.
pub(crate) fn counted(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// The version of the JSON report. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The synccheck version, written into every JSON document it produces.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Held assumptions with their bounds, and the relaxed ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssumptionsReport {
    /// Name → bound (0 for unbounded assumptions).
    pub held: BTreeMap<String, u32>,
    /// Names.
    pub relaxed: Vec<String>,
}

impl AssumptionsReport {
    /// Each held assumption as `--hold` takes it: `bounded_delay=1`, `reliable_links`,
    /// in [`AssumptionsReport::held_in_order`].
    pub fn held_specs(&self) -> Vec<String> {
        self.held_in_order()
            .into_iter()
            .map(|(name, bound)| match Assumption::parse(name) {
                Some((assumption, _)) if assumption.takes_bound() => format!("{name}={bound}"),
                _ => name.to_string(),
            })
            .collect()
    }

    /// Each held assumption as reports write it: `bounded_delay(1)`, `reliable_links`,
    /// in [`AssumptionsReport::held_in_order`].
    pub fn held_bounds(&self) -> Vec<String> {
        self.held_in_order()
            .into_iter()
            .map(|(name, bound)| match Assumption::parse(name) {
                Some((assumption, _)) => assumption.with_bound(bound),
                None => name.to_string(),
            })
            .collect()
    }

    /// The held assumptions with their bounds in the vocabulary's order
    /// ([`Assumption::ALL`]), the order `relaxed` lists them in (the map's own order is
    /// alphabetical); a name this version does not know (a report written by another)
    /// comes last.
    pub fn held_in_order(&self) -> Vec<(&str, u32)> {
        let mut held: Vec<(&str, u32)> = (self.held.iter())
            .map(|(name, bound)| (name.as_str(), *bound))
            .collect();
        let rank = |name: &str| {
            Assumption::parse(name).map_or(Assumption::ALL.len(), |(assumption, _)| {
                Assumption::ALL
                    .iter()
                    .position(|a| *a == assumption)
                    .unwrap_or(Assumption::ALL.len())
            })
        };
        held.sort_by_key(|(name, _)| rank(name));
        held
    }
}

/// Where holding a relaxed assumption would have forbidden the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssumptionBreak {
    /// The assumption, e.g. `bounded_pause`.
    pub assumption: String,
    /// The assumption with the bound it was explained against, e.g. `bounded_pause(0)`.
    pub held_as: String,
    /// The 1-based step.
    pub step: usize,
    /// True time at the step.
    pub time_ticks: Option<u64>,
    /// One sentence.
    pub sentence: String,
    /// Whether the violation needs this break: the same search with the assumption
    /// held, bounded to the counterexample's length, was run (safety counterexamples
    /// only; absent where it was not run, e.g. a liveness lasso or an older file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub necessity: Option<Necessity>,
}

/// What holding a broken assumption again did to the violation it was named in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Necessity {
    /// With the assumption held, no violation of the property within the
    /// counterexample's length: this break is needed.
    Necessary,
    /// With the assumption held the property is violated just as soon: the break is
    /// on the path but the violation does not need it.
    AlsoViolatedWithoutIt,
    /// A limit stopped the confirming search: not known.
    Unconfirmed,
}

/// Whether a counterexample breaks the fewest relaxed assumptions of any
/// counterexample of its length (`report/fewest.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FewestBreaks {
    /// Searched: no counterexample of this length breaks fewer.
    Fewest,
    /// One of this length breaks fewer (only a replay says this: a check takes that one).
    FewerExist,
    /// A limit stopped the search: not known.
    Unconfirmed,
}

/// One step of a trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StepReport {
    /// 1-based.
    pub index: usize,
    /// True time before the step (timed models).
    pub time_ticks: Option<u64>,
    /// The action in words.
    pub action: String,
    /// The action, structured.
    pub action_detail: serde_json::Value,
    /// Node clock offsets from true time after the step (timed models).
    pub clock_offsets_ticks: Option<Vec<i64>>,
    /// The state after the step, structured.
    pub state: serde_json::Value,
    /// Assumption breaks at this step.
    pub annotations: Vec<String>,
    /// The model's own remarks on the step (what it means for the protocol); not
    /// breaks. Absent in older trace files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A counterexample or example.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TraceReport {
    /// Number of steps.
    pub length: usize,
    /// The initial state, structured.
    pub initial_state: serde_json::Value,
    /// The steps.
    pub steps: Vec<StepReport>,
    /// The first break of each relaxed assumption.
    pub breaks: Vec<AssumptionBreak>,
    /// For a lasso (liveness counterexample), the 1-based step where the loop starts.
    #[serde(default)]
    pub loop_start: Option<usize>,
    /// For a shortest safety counterexample that names breaks: whether it breaks the
    /// fewest assumptions of any of its length (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fewest_breaks: Option<FewestBreaks>,
}

/// One property's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PropertyReport {
    /// Public ID.
    pub name: String,
    /// always / sometimes / eventually.
    pub kind: PropertyKind,
    /// The verdict.
    pub verdict: Verdict,
    /// For `violated`: the counterexample.
    pub counterexample: Option<TraceReport>,
    /// For `reached`: the length of the shortest example found.
    pub example_length: Option<usize>,
}

/// The report of one check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckReport {
    /// Format version.
    pub schema_version: u32,
    /// The synccheck version that wrote the report.
    #[serde(default)]
    pub synccheck_version: String,
    /// Model name.
    pub model: String,
    /// Parameter values (with defaults filled in).
    pub params: BTreeMap<String, String>,
    /// Assumptions (timed models only).
    pub assumptions: Option<AssumptionsReport>,
    /// Strategy used.
    pub strategy: String,
    /// Worker threads.
    pub threads: usize,
    /// Whether no limit cut the check (its search, liveness graph or metrics pass):
    /// every reachable state was explored, or every property was decided first (see
    /// `Outcome::complete`). `later_cut` says when only a later phase was cut.
    pub complete: bool,
    /// Why the check stopped: the search's reason, or the limit that stopped a later
    /// phase (then `later_cut` says which, and how the search ended).
    pub stop_reason: StopReason,
    /// When the search finished but the liveness graph or the metrics pass was stopped
    /// by the limit in `stop_reason`: that phase, and the search's own reason. Absent
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub later_cut: Option<crate::check::LaterCut>,
    /// Statistics.
    pub stats: Stats,
    /// One per property searched.
    pub properties: Vec<PropertyReport>,
    /// The properties the check was asked to search (`--property`, a plan check's
    /// `properties`), when it was: the model's others were not searched, and no verdict
    /// about them is given. Absent: every property was searched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_properties: Vec<String>,
    /// Node names (timed models), for sequence charts.
    #[serde(default)]
    pub nodes: Vec<String>,
    /// Model-defined metrics: name → maximum over the reachable states (see
    /// `Protocol::metrics`), taken by a pass of its own after the search. Exact unless
    /// `metrics_lower_bounds`.
    #[serde(default)]
    pub metrics: BTreeMap<String, u64>,
    /// Whether a limit stopped the metrics pass: each metric is then the largest over
    /// the states it reached and those of the report's paths, a lower bound. Absent when the pass finished (a limit
    /// that cut only the search or the liveness graph leaves the metrics exact).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub metrics_lower_bounds: bool,
    /// The probability that two distinct states shared a 64-bit fingerprint (one was
    /// then never explored), estimated as TLC does: unique × (generated − unique) /
    /// 2^64. With `--exact` the count is cross-checked instead (`stats.exact_states`).
    #[serde(default)]
    pub fingerprint_collision_probability: f64,
    /// The interchangeable nodes the search was reduced by (one state stored per
    /// class of their renamings; the counts are numbers of classes): the groups as
    /// `client_a, client_b`, several separated by ` | `, or [`MODEL_SYMMETRY`] for a
    /// plain model's own canonicalization. Absent: the full space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetry: Option<String>,
    /// The interchangeable nodes the model declares (as [`Self::symmetry`] names them)
    /// where `--no-symmetry` searched the full space instead. Absent: no symmetry
    /// declared, or it was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetry_off: Option<String>,
    /// `message set` when the check ran on the message set (`Protocol::MESSAGE_SET`
    /// with duplication, delay and order relaxed: a delivered message stays in flight,
    /// to arrive again or never; counterexamples are still runs of the multiset
    /// network). Absent: the multiset network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// When the message set decided some safety properties and the rest were searched
    /// on the multiset network (`network` is then
    /// [`SAFETY_PARTLY_ON_SET`](crate::pipeline::SAFETY_PARTLY_ON_SET)): the set
    /// search's statistics. `stats` are the multiset search's. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_search: Option<Stats>,
    /// Where the safety search ran up to clock-drift classes
    /// ([`DriftClasses`](crate::system::DriftClasses): each node's clock anywhere a
    /// drift it can undo takes it, one state per class): the properties whose verdicts
    /// it decided, and its statistics where the rest was searched on the full system.
    /// Absent: not used (`--no-drift-classes`, a protocol that does not declare
    /// `LEAN_STATE`, or nothing it could decide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_classes: Option<DriftUse>,
    /// The check stored every quantity and ran on the multiset network with its
    /// duplicate cap (`--no-lean`); its traces record it, and `replay` checks them
    /// there. Absent: false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_lean: bool,
    /// Why `deadlock_free` holds without search, when it does: the timed system's rules
    /// leave some step enabled in every state (`bounded_delay` relaxed;
    /// `TimedSystem::never_deadlocks`), so no search had to look for a deadlock.
    /// Absent: `deadlock_free`'s verdict is the search's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadlock_free_by: Option<String>,
    /// Where the search on clock-drift classes ran first and a limit stopped it (its
    /// share of `--timeout` is half of the time left; states, memory) before it decided
    /// anything: why, and how far it got. The full system was then searched within
    /// what was left. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_classes_cut: Option<DriftCut>,
    /// The whole check's wall time in seconds: the contracts' audits, every search, the
    /// liveness graph, the metrics pass, the fewest-breaks search and the confirmation
    /// of breaks (`stats` time the main search alone). Reports of older versions read
    /// as 0.
    #[serde(default)]
    pub seconds: f64,
}

/// What the safety search on clock-drift classes decided of a check
/// ([`CheckReport::drift_classes`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DriftUse {
    /// The properties it decided (an `always` that holds, a `sometimes` never reached,
    /// `deadlock_free` holding), by name.
    pub decided: Vec<String>,
    /// Its statistics, where the check's `stats` are those of the search of the full
    /// system that decided the rest. Absent: it decided every safety verdict, and
    /// `stats` are its own (states are drift classes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<Stats>,
    /// Where it found a violation, an example or a deadlock: the search of the full
    /// system for their runs, guided by the distances between classes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guided: Option<GuidedSearch>,
}

/// A search on clock-drift classes that a limit stopped ([`CheckReport::drift_classes_cut`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DriftCut {
    /// The limit that stopped it.
    pub stop_reason: StopReason,
    /// How far it got (states are drift classes).
    pub stats: Stats,
}

/// How the search of the full system was guided by drift-class distances
/// ([`DriftUse::guided`]): it expanded only the states whose depth plus their class's
/// distance to the nearest class that decides an open property was within a bound,
/// raising the bound and searching again until it decided them all (or pruned
/// nothing). Its verdicts and path lengths are those of the unguided search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GuidedSearch {
    /// The classes of the graph the distances were computed on: the graph the class
    /// search recorded, or, where subsumption left some of its classes unexpanded, a
    /// second search of them without it.
    pub classes: usize,
    /// The wall time computing the distances took (with that second search, where
    /// there was one).
    pub table_seconds: f64,
    /// How many guided searches ran (the check's `stats` are the last one's).
    pub runs: usize,
    /// The last one's bound on depth plus distance.
    pub bound: usize,
    /// The states the last one stored but left unexpanded (beyond the bound).
    pub unexpanded: usize,
    /// The states the runs before the last stored, all together.
    pub earlier_states: usize,
    /// Their wall time.
    pub earlier_seconds: f64,
    /// The search guided was the message set's (the check's `set_search`), not the
    /// multiset network's.
    pub on_set: bool,
    /// The last search ran unguided: the table contradicted the class search (no
    /// class that decides what was open within reach), so the rest was searched in
    /// full; the check's `stats` are that search's.
    pub unguided_last: bool,
}

impl CheckReport {
    /// A property by name.
    pub fn property(&self, name: &str) -> Option<&PropertyReport> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The searches' wall time: the search's, plus the message set search's where it
    /// decided part of the check (`set_search`).
    pub fn search_seconds(&self) -> f64 {
        let side = |stats: Option<&Stats>| stats.map_or(0.0, |stats| stats.seconds);
        self.stats.seconds
            + side(self.set_search.as_ref())
            + side(
                self.drift_classes
                    .as_ref()
                    .and_then(|drift| drift.search.as_ref()),
            )
            + self
                .drift_classes
                .as_ref()
                .and_then(|drift| drift.guided.as_ref())
                .map_or(0.0, |guided| guided.table_seconds + guided.earlier_seconds)
    }

    /// Exit code when no expectations are given: 1 if any property failed, 3 if any is
    /// unknown, 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        let verdicts = || self.properties.iter().map(|p| p.verdict);
        if verdicts().any(|v| matches!(v, Verdict::Violated | Verdict::Unreached)) {
            1
        } else if verdicts().any(|v| v == Verdict::Unknown) {
            3
        } else {
            0
        }
    }
}

/// Maps stateright's expectation to synccheck's property kind.
pub fn kind_of(expectation: &Expectation) -> PropertyKind {
    match expectation {
        Expectation::Always => PropertyKind::Always,
        Expectation::Sometimes => PropertyKind::Sometimes,
        Expectation::Eventually => PropertyKind::Eventually,
    }
}

/// How a model's paths become traces. The default renders states and actions with
/// serde (when the model's types are serializable) — implement it for any stateright
/// model with `impl Explain for MyModel {}`.
pub trait Explain: Model {
    /// The state, structured.
    fn explain_state(&self, state: &Self::State) -> serde_json::Value;

    /// The action in words and structured.
    fn explain_action(&self, action: &Self::Action) -> (String, serde_json::Value);

    /// Node names, for sequence charts (empty when the model has no nodes).
    fn node_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Model-defined figures of a state; a check reports each one's maximum over the
    /// reachable states (none by default).
    fn metrics(&self, _state: &Self::State) -> Vec<(&'static str, u64)> {
        Vec::new()
    }

    /// The model this one's traces are explained and replayed on, when it stores less
    /// than its explanations show (a timed system that keeps no message ages or pause
    /// lengths: [`TimedSystem::explaining`]); `None` for itself.
    fn explaining(&self) -> Option<Self>
    where
        Self: Sized,
    {
        None
    }

    /// Whether `stored`, a state of this model, stands for `full`, a state of
    /// [`Explain::explaining`]'s model (a timed system: equal once the quantities
    /// this one does not store are set to 0). By default: they explain alike.
    fn stands_for(&self, stored: &Self::State, full: &Self::State) -> bool {
        self.explain_state(stored) == self.explain_state(full)
    }

    /// A recorded action's structured form (written by [`Explain::explaining`]'s model)
    /// as this model's own actions have it.
    fn stored_action_detail(&self, detail: &serde_json::Value) -> serde_json::Value {
        detail.clone()
    }

    /// Confirms the assumption breaks `trace` names for a violation of `property`
    /// (timed systems: `report/confirm.rs`, side by side on `options.threads`); nothing
    /// by default.
    fn confirm_breaks(&self, _trace: &mut TraceReport, _property: &str, _options: &CheckOptions) {}

    /// Whether `trace`, a counterexample of `property`, breaks the fewest relaxed
    /// assumptions of any counterexample of its length (timed systems:
    /// `report/fewest.rs`, on `options.threads`); `None` when the model has no
    /// assumptions.
    fn fewest_breaks(
        &self,
        _trace: &TraceReport,
        _property: &str,
        _options: &CheckOptions,
    ) -> Option<FewestBreaks> {
        None
    }

    /// The whole trace. Timed systems add time, clocks and assumption breaks.
    fn explain_path(&self, path: &Path<Self>) -> TraceReport {
        let steps = path
            .actions
            .iter()
            .zip(&path.states[1..])
            .enumerate()
            .map(|(index, (action, state))| {
                let (action, action_detail) = self.explain_action(action);
                StepReport {
                    index: index + 1,
                    time_ticks: None,
                    action,
                    action_detail,
                    clock_offsets_ticks: None,
                    state: self.explain_state(state),
                    annotations: Vec::new(),
                    notes: Vec::new(),
                }
            })
            .collect();
        TraceReport {
            length: path.len(),
            initial_state: self.explain_state(&path.states[0]),
            steps,
            breaks: Vec::new(),
            loop_start: None,
            fewest_breaks: None,
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value)
        .unwrap_or_else(|error| serde_json::Value::String(format!("<unserializable: {error}>")))
}

impl<P: Protocol> Explain for TimedSystem<P> {
    fn explain_state(&self, state: &Self::State) -> serde_json::Value {
        to_json(state)
    }

    fn explain_action(&self, action: &Self::Action) -> (String, serde_json::Value) {
        (self.describe_action(action), to_json(action))
    }

    fn metrics(&self, state: &Self::State) -> Vec<(&'static str, u64)> {
        self.protocol().metrics(state)
    }

    fn node_names(&self) -> Vec<String> {
        <P::Node as crate::system::Node>::ALL
            .iter()
            .map(|node| crate::system::Node::name(*node).to_string())
            .collect()
    }

    fn confirm_breaks(&self, trace: &mut TraceReport, property: &str, options: &CheckOptions) {
        confirm::confirm_trace(self, trace, property, options, &Budget::start(options));
    }

    fn fewest_breaks(
        &self,
        trace: &TraceReport,
        property: &str,
        options: &CheckOptions,
    ) -> Option<FewestBreaks> {
        let budget = Budget::start(options);
        Some(fewest::status(self, trace, property, options, &budget))
    }

    fn explaining(&self) -> Option<Self> {
        TimedSystem::explaining(self)
    }

    fn stands_for(&self, stored: &Self::State, full: &Self::State) -> bool {
        self.abstracts(stored, full)
    }

    fn stored_action_detail(&self, detail: &serde_json::Value) -> serde_json::Value {
        let mut detail = detail.clone();
        if self.lean().messages && detail.get("kind") == Some(&serde_json::Value::from("duplicate"))
        {
            // The message set delivers and keeps: one step stands for both.
            detail["kind"] = serde_json::Value::from("deliver");
        }
        if self.lean().ages {
            if let Some(age) = detail
                .get_mut("envelope")
                .and_then(|envelope| envelope.get_mut("age_ticks"))
            {
                *age = serde_json::Value::from(0);
            }
        }
        detail
    }

    /// Ages and pause lengths the state does not store are counted along the path:
    /// the path is lifted to the system that stores them and explained there.
    fn explain_path(&self, path: &Path<Self>) -> TraceReport {
        if let Some(full) = TimedSystem::explaining(self) {
            if let Some(lifted) = self.lift_path(&full, path) {
                return full.explain_path(&lifted);
            }
        }
        let relaxed = self.assumptions().relaxed();
        let mut broken: Vec<Assumption> = Vec::new();
        let mut breaks = Vec::new();
        let mut steps = Vec::new();
        let mut time_ticks = 0u64;
        let mut crashes_so_far = 0u8;
        let mut offsets = vec![0i64; path.states[0].nodes.len()];
        for (index, (action, before)) in path.actions.iter().zip(&path.states).enumerate() {
            let mut annotations = Vec::new();
            for assumption in &relaxed {
                if broken.contains(assumption) {
                    continue;
                }
                let bound = self.annotation_bound(*assumption);
                let reason = if *assumption == Assumption::BoundedSkew {
                    skew_break(self, &offsets, action, bound)
                } else {
                    self.forbids(*assumption, bound, before, action, crashes_so_far)
                };
                if let Some(reason) = reason {
                    let held_as = assumption.with_bound(bound);
                    let sentence = format!("t={time_ticks}: {reason}: {held_as} broken here");
                    annotations.push(sentence.clone());
                    breaks.push(AssumptionBreak {
                        assumption: assumption.name().to_string(),
                        held_as,
                        step: index + 1,
                        time_ticks: Some(time_ticks),
                        sentence,
                        necessity: None,
                    });
                    broken.push(*assumption);
                }
            }
            let after = &path.states[index + 1];
            let time_before = time_ticks;
            match action {
                Action::Tick => time_ticks += 1,
                Action::Drift { node, forward } => offsets[*node] += if *forward { 1 } else { -1 },
                Action::Crash { .. } => crashes_so_far = crashes_so_far.saturating_add(1),
                _ => {}
            }
            let (text, detail) = self.explain_action(action);
            steps.push(StepReport {
                index: index + 1,
                time_ticks: Some(time_before),
                action: text,
                action_detail: detail,
                clock_offsets_ticks: Some(offsets.clone()),
                state: to_json(after),
                annotations,
                notes: self.dropped_as_ignored(before, action),
            });
        }
        TraceReport {
            length: path.len(),
            initial_state: to_json(&path.states[0]),
            steps,
            breaks,
            loop_start: None,
            fewest_breaks: None,
        }
    }
}

/// Where a Drift takes a clock past ±`bound`, with offsets counted along the path
/// (the state does not store offsets while `bounded_skew` is relaxed).
fn skew_break<P: Protocol>(
    system: &TimedSystem<P>,
    offsets: &[i64],
    action: &Action<P::Msg, P::Timer>,
    bound: u32,
) -> Option<String> {
    let Action::Drift { node, forward } = action else {
        return None;
    };
    let next = offsets[*node] + if *forward { 1 } else { -1 };
    (next.unsigned_abs() > u64::from(bound))
        .then(|| crate::system::drift_sentence(system.node_name(*node), next))
}

/// Builds the report of one check.
pub fn build<M: Explain>(
    model_name: &str,
    params: &Params,
    assumptions: Option<&AssumptionSet>,
    options: &CheckOptions,
    model: &M,
    outcome: &Outcome<M>,
) -> CheckReport {
    let properties = outcome
        .properties
        .iter()
        .map(|p| {
            let counterexample = match (p.verdict, &p.path) {
                (Verdict::Violated, Some(path)) => {
                    let mut trace = model.explain_path(path);
                    trace.loop_start = p.loop_start;
                    Some(trace)
                }
                _ => None,
            };
            let example_length = match (p.verdict, &p.path) {
                (Verdict::Reached, Some(path)) => Some(path.len()),
                _ => None,
            };
            PropertyReport {
                name: p.name.to_string(),
                kind: kind_of(&p.expectation),
                verdict: p.verdict,
                counterexample,
                example_length,
            }
        })
        .collect();
    CheckReport {
        schema_version: SCHEMA_VERSION,
        synccheck_version: VERSION.to_string(),
        model: model_name.to_string(),
        params: params.values().clone(),
        assumptions: assumptions.map(|set| AssumptionsReport {
            held: set.held(),
            relaxed: set.relaxed().iter().map(|a| a.name().to_string()).collect(),
        }),
        strategy: options.strategy.name().to_string(),
        threads: options.threads,
        complete: outcome.complete(),
        stop_reason: outcome.stop_reason,
        later_cut: outcome.later_cut,
        stats: outcome.stats,
        properties,
        only_properties: options.properties.clone(),
        nodes: model.node_names(),
        metrics: BTreeMap::new(),
        metrics_lower_bounds: false,
        fingerprint_collision_probability: crate::check::collision_probability(&outcome.stats),
        symmetry: None,
        symmetry_off: None,
        network: None,
        set_search: None,
        drift_classes: None,
        no_lean: false,
        deadlock_free_by: None,
        drift_classes_cut: None,
        seconds: 0.0,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_step_is_singular() {
        assert_eq!(super::steps(0), "0 steps");
        assert_eq!(super::steps(1), "1 step");
        assert_eq!(super::steps(22), "22 steps");
        assert_eq!(super::counted(1, "check", "checks"), "1 check");
        assert_eq!(super::counted(2, "check", "checks"), "2 checks");
    }

    /// Held assumptions are listed in the vocabulary's order, as relaxed ones are, and
    /// a name from another version comes last.
    #[test]
    fn held_assumptions_are_in_the_vocabularys_order() {
        let held = [
            ("durable_writes", 0),
            ("bounded_skew", 2),
            ("from_the_future", 0),
            ("reliable_links", 0),
            ("bounded_delay", 1),
        ];
        let report = super::AssumptionsReport {
            held: held.iter().map(|(n, b)| (n.to_string(), *b)).collect(),
            relaxed: Vec::new(),
        };
        assert_eq!(
            report.held_bounds(),
            [
                "bounded_delay(1)",
                "bounded_skew(2)",
                "reliable_links",
                "durable_writes",
                "from_the_future"
            ]
        );
        assert_eq!(
            report.held_specs(),
            [
                "bounded_delay=1",
                "bounded_skew=2",
                "reliable_links",
                "durable_writes",
                "from_the_future"
            ]
        );
    }
}
