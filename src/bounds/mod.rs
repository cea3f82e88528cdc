//! How much is "sufficiently synchronized": the exact bounds a design needs.
//!
//! For each numeric assumption a model leans on (`bounded_delay` Δ, `bounded_skew` ε,
//! `bounded_pause` P, `max_crashes` k), with every other assumption as the request
//! leaves it, `synccheck bounds` finds per property the largest bound under which it
//! holds and the smallest under which it is violated, with the shortest counterexample
//! there. Each probe is a full check (of the named properties only, with `--property`).
//!
//! **The search.** Holding an assumption with a larger bound only adds behaviours, so
//! for a fixed model a safety property that is violated at N is violated at every
//! bound above N. The search leans on that: it first checks the assumption relaxed (an
//! `always` property that holds relaxed holds at every bound, and nothing more is
//! probed), then 0, then doubles (1, 2, 4, … up to `up_to`) until a bound is
//! violated, then bisects between the last bound that held and the first that did not.
//! It ends only on an explicit pair: N checked and holding, N + 1 checked and violated.
//! Where the probes it made disagree with monotonicity (a bound that holds above one
//! that is violated), the entry is reported as **non-monotone** with both runs;
//! `exhaustive` probes every bound from 0 to `up_to`, which checks monotonicity over
//! the whole range. A probe cut short by a limit is `unknown` at that bound, and the
//! search for that property stops there: never a guess.
//!
//! **Reuse and parallelism.** One probe decides every property at once, so probes are
//! shared between properties (a bound probed for one is read by all). The probes one
//! round of the search needs (every property, assumption and, for a sweep, parameter
//! value) are independent and run `jobs` at a time, each a single-threaded check.
//!
//! **Limits.** `BOUND_MAX` (60) is the largest bound the engine represents: a property
//! that holds at every bound up to it is reported as holding "up to the cap". The
//! model is the same at every probe; a model whose own parameter must grow with the
//! bound (`lww_register`'s `first_write_clock ≥ 2ε + 1`) must be given a value large
//! enough for the largest bound searched, or the probes above it are not faithful.

mod chart;

use crate::check::{CheckOptions, Verdict, DEADLOCK_PROPERTY};
use crate::registry::{Entry, Registry};
use crate::report::CheckReport;
use crate::request::{resolve_params, AssumptionChanges, RequestError};
use crate::system::{Assumption, PropertyKind, BOUND_MAX};
use crate::trace::{self, TraceFile};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The version of the `bounds` JSON output.
pub const BOUNDS_SCHEMA_VERSION: u32 = 1;

/// The largest bound searched when nobody says (`--up-to`).
pub const UP_TO_DEFAULT: u32 = 8;

/// How far and how to search.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SearchOptions {
    /// The largest bound probed (at most [`BOUND_MAX`]).
    pub up_to: u32,
    /// Probes run at once.
    pub jobs: usize,
    /// Probe every bound from 0 to `up_to` (checks monotonicity over the range).
    pub exhaustive: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            up_to: UP_TO_DEFAULT,
            jobs: 1,
            exhaustive: false,
        }
    }
}

impl SearchOptions {
    /// Options searching up to `up_to` with `jobs` probes at once.
    pub fn new(up_to: u32, jobs: usize) -> Self {
        SearchOptions {
            up_to,
            jobs: jobs.max(1),
            exhaustive: false,
        }
    }

    /// Probes every bound (see [`SearchOptions::exhaustive`]).
    pub fn exhaustive(mut self, exhaustive: bool) -> Self {
        self.exhaustive = exhaustive;
        self
    }
}

/// One bounds request against the catalog.
#[derive(Clone, Debug, Default)]
pub struct BoundsRequest {
    /// Model name.
    pub model: String,
    /// `--set` values.
    pub params: BTreeMap<String, String>,
    /// How the base assumption set differs from the model's defaults.
    pub changes: AssumptionChanges,
    /// Properties to search (empty: every `always` and `eventually` property;
    /// `deadlock_free` only when named).
    pub properties: Vec<String>,
    /// Assumptions to search (empty: the numeric assumptions the model leans on).
    pub assumptions: Vec<String>,
}

/// How a property fares as one assumption's bound grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundStatus {
    /// Holds at N, violated at N + 1 (both checked).
    Boundary,
    /// Violated already at bound 0.
    ViolatedAtZero,
    /// Holds with the assumption relaxed, hence at every bound.
    HoldsRelaxed,
    /// Holds at every bound probed up to the cap ([`BOUND_MAX`]).
    HoldsUpToCap,
    /// Holds at every bound probed up to `up_to` (below the cap); not searched further.
    HoldsUpToLimit,
    /// Holds at a bound above one where it is violated.
    NonMonotone,
    /// A limit cut a probe short before the boundary was found.
    Unknown,
}

impl BoundStatus {
    /// The public name.
    pub const fn name(self) -> &'static str {
        match self {
            BoundStatus::Boundary => "boundary",
            BoundStatus::ViolatedAtZero => "violated_at_zero",
            BoundStatus::HoldsRelaxed => "holds_relaxed",
            BoundStatus::HoldsUpToCap => "holds_up_to_cap",
            BoundStatus::HoldsUpToLimit => "holds_up_to_limit",
            BoundStatus::NonMonotone => "non_monotone",
            BoundStatus::Unknown => "unknown",
        }
    }
}

/// One probe as an entry records it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeRecord {
    /// The bound (`None`: the assumption relaxed).
    pub bound: Option<u32>,
    /// The property's verdict there.
    pub verdict: Verdict,
    /// Unique states of that check.
    pub unique_states: usize,
    /// Its counterexample's length, when violated.
    pub counterexample_steps: Option<usize>,
}

/// One property under one assumption.
#[derive(Clone, Debug, Serialize)]
pub struct BoundEntry {
    /// The property.
    pub property: String,
    /// Its kind.
    pub kind: PropertyKind,
    /// The assumption whose bound was searched.
    pub assumption: Assumption,
    /// What the search found.
    pub status: BoundStatus,
    /// The largest bound that holds (every bound probed below it held too), or null.
    pub holds_up_to: Option<u32>,
    /// The smallest bound that is violated, or null.
    pub violated_from: Option<u32>,
    /// For a non-monotone entry: a bound above `violated_from` that holds again.
    pub holds_again_at: Option<u32>,
    /// For an unknown entry: the bound whose probe hit a limit.
    pub unknown_at: Option<u32>,
    /// The verdict with the assumption relaxed, when that was checked.
    pub relaxed: Option<Verdict>,
    /// The check with the assumption relaxed could not run: the model reads clock
    /// offsets, which relaxed skew does not store (the search went on from 0).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relaxed_not_run: bool,
    /// The shortest counterexample at `violated_from`, as a replayable trace.
    pub counterexample: Option<TraceFile>,
    /// Every probe this entry read, in bound order (relaxed first).
    pub probes: Vec<ProbeRecord>,
    /// One sentence.
    pub sentence: String,
}

/// The bounds of one model at one parameter setting.
#[derive(Clone, Debug, Serialize)]
pub struct BoundsReport {
    /// Format version ([`BOUNDS_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The model.
    pub model: String,
    /// Its parameters, defaults filled in.
    pub params: BTreeMap<String, String>,
    /// The base assumption set (before a searched assumption is set), as `--hold`
    /// specs and relaxed names.
    pub base_held: Vec<String>,
    /// Relaxed in the base set.
    pub base_relaxed: Vec<String>,
    /// The assumptions whose bounds were searched (each with the others as above).
    pub searched: Vec<Assumption>,
    /// The largest bound probed.
    pub up_to: u32,
    /// Whether every bound up to `up_to` was probed.
    pub exhaustive: bool,
    /// Checks run.
    pub probes_run: usize,
    /// One entry per property and assumption.
    pub entries: Vec<BoundEntry>,
}

impl BoundsReport {
    /// The entry of a property and assumption.
    pub fn entry(&self, property: &str, assumption: Assumption) -> Option<&BoundEntry> {
        self.entries
            .iter()
            .find(|e| e.property == property && e.assumption == assumption)
    }

    /// 0 when every entry was decided, 3 when a limit left one unknown.
    pub fn exit_code(&self) -> i32 {
        if self
            .entries
            .iter()
            .any(|e| e.status == BoundStatus::Unknown)
        {
            3
        } else {
            0
        }
    }
}

/// One row of a sweep: the parameter's value and the bounds there.
#[derive(Clone, Debug, Serialize)]
pub struct SweepRow {
    /// The parameter's value.
    pub value: u32,
    /// The bounds at that value.
    pub bounds: BoundsReport,
}

/// Bounds as a function of a model parameter.
#[derive(Clone, Debug, Serialize)]
pub struct SweepReport {
    /// Format version ([`BOUNDS_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The model.
    pub model: String,
    /// The swept parameter.
    pub parameter: String,
    /// One row per value, in order.
    pub rows: Vec<SweepRow>,
}

impl SweepReport {
    /// 0 when every entry of every row was decided, 3 otherwise.
    pub fn exit_code(&self) -> i32 {
        self.rows
            .iter()
            .map(|r| r.bounds.exit_code())
            .max()
            .unwrap_or(0)
    }
}

/// What the search reports as it goes.
#[derive(Clone, Debug)]
pub struct ProbeEvent {
    /// The setting probed, e.g. `bounded_skew=2` or `write_gap_ticks=3 bounded_skew relaxed`.
    pub label: String,
    /// `None` when the probe starts; its per-property verdicts when it ends.
    pub finished: Option<String>,
}

/// The assumption changes of one probe: `base`, then `assumption` held at `bound` (or
/// relaxed). The probe replaces what `base` says of the same assumption (a `--hold` or
/// `--relax` of it): the base set applies to the other assumptions' searches, and
/// each searched assumption varies itself.
pub fn changes_at(
    base: &AssumptionChanges,
    assumption: Assumption,
    bound: Option<u32>,
) -> AssumptionChanges {
    let mut changes = base.clone();
    let other = |spec: &String| Assumption::of_spec(spec) != Some(assumption);
    changes.relax.retain(other);
    changes.hold.retain(other);
    match bound {
        Some(bound) => changes.hold.push(format!("{}={bound}", assumption.name())),
        None => changes.relax.push(assumption.name().to_string()),
    }
    changes
}

/// Parses `PARAM=A..B` (inclusive).
pub fn parse_sweep(text: &str) -> Result<(String, u32, u32), String> {
    let bad = || {
        format!(
            "--sweep {text}: expected PARAM=A..B with integers A ≤ B, e.g. write_gap_ticks=1..6"
        )
    };
    let (name, range) = text.split_once('=').ok_or_else(bad)?;
    let (low, high) = range.split_once("..").ok_or_else(bad)?;
    let low: u32 = low.trim().parse().map_err(|_| bad())?;
    let high: u32 = high.trim().parse().map_err(|_| bad())?;
    if name.trim().is_empty() || low > high {
        return Err(bad());
    }
    Ok((name.trim().to_string(), low, high))
}

fn searched_assumptions(
    requested: &[String],
    declared: &[Assumption],
) -> Result<Vec<Assumption>, RequestError> {
    if requested.is_empty() {
        return Ok(declared
            .iter()
            .copied()
            .filter(|a| a.takes_bound())
            .collect());
    }
    let mut chosen = Vec::new();
    for name in requested {
        let (assumption, _) =
            Assumption::parse(name.trim()).ok_or_else(|| RequestError::Option(format!(
                    "--assumption {name}: not an assumption; numeric ones: bounded_delay, bounded_skew, bounded_pause, max_crashes"
                )))?;
        if !assumption.takes_bound() {
            return Err(RequestError::Option(format!(
                    "--assumption {name}: takes no bound; numeric ones: bounded_delay, bounded_skew, bounded_pause, max_crashes"
                )));
        }
        if !chosen.contains(&assumption) {
            chosen.push(assumption);
        }
    }
    Ok(chosen)
}

/// The properties a search decides: the requested ones (validated; `deadlock_free`
/// may be named), or every `always`/`eventually` property of the model.
fn searched_properties(
    model: &str,
    requested: &[String],
    declared: &[(String, PropertyKind)],
) -> Result<Vec<(String, PropertyKind)>, RequestError> {
    let mut searchable: Vec<(String, PropertyKind)> = declared
        .iter()
        .filter(|(_, kind)| *kind != PropertyKind::Sometimes)
        .cloned()
        .collect();
    if requested.is_empty() {
        return Ok(searchable);
    }
    searchable.push((DEADLOCK_PROPERTY.to_string(), PropertyKind::Always));
    requested
        .iter()
        .map(|name| {
            searchable
                .iter()
                .find(|(p, _)| p == name)
                .cloned()
                .ok_or_else(|| RequestError::Build {
                    model: model.to_string(),
                    reason: format!(
                        "--property {name}: no such always/eventually property; valid: {}",
                        searchable
                            .iter()
                            .map(|(p, _)| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
        })
        .collect()
}

/// What one property needs next, or what it found.
enum Decision {
    Probe(Vec<Option<u32>>),
    Done(BoundStatus),
}

/// The probes of one search: bound (`None`: relaxed) → report.
type Probes = BTreeMap<Option<u32>, Arc<CheckReport>>;

fn verdict_at(probes: &Probes, property: &str, bound: Option<u32>) -> Option<Verdict> {
    probes.get(&bound).map(|report| {
        report
            .property(property)
            .map_or(Verdict::Unknown, |p| p.verdict)
    })
}

/// Whether "holds relaxed ⇒ holds at every bound" may be used: safety properties of
/// the model (holding more only removes behaviours). Not deadlock freedom (removing
/// actions can create deadlocks) nor liveness (fairness changes with the actions).
fn relaxed_settles(property: &str, kind: PropertyKind) -> bool {
    kind == PropertyKind::Always && property != DEADLOCK_PROPERTY
}

/// `relaxed_usable`: whether the probe with the assumption relaxed can run (not where
/// the model reads what relaxing it leaves unstored: [`Search::relaxed_unusable`]).
fn decide(
    property: &str,
    kind: PropertyKind,
    probes: &Probes,
    options: &SearchOptions,
    relaxed_usable: bool,
) -> Decision {
    let settles = relaxed_usable && relaxed_settles(property, kind);
    if settles {
        match verdict_at(probes, property, None) {
            None => return Decision::Probe(vec![None, Some(0)]),
            Some(Verdict::Holds) => return Decision::Done(BoundStatus::HoldsRelaxed),
            Some(_) => {}
        }
    }
    let held: BTreeMap<u32, Verdict> = probes
        .keys()
        .filter_map(|bound| *bound)
        .filter(|bound| *bound <= options.up_to)
        .filter_map(|bound| verdict_at(probes, property, Some(bound)).map(|v| (bound, v)))
        .collect();
    if options.exhaustive {
        let missing: Vec<Option<u32>> = (0..=options.up_to)
            .filter(|b| !held.contains_key(b))
            .map(Some)
            .collect();
        if !missing.is_empty() {
            return Decision::Probe(missing);
        }
    }
    if !held.contains_key(&0) {
        return Decision::Probe(vec![Some(0)]);
    }
    let first_bad = held
        .iter()
        .find(|(_, v)| **v != Verdict::Holds)
        .map(|(b, v)| (*b, *v));
    let Some((bad, bad_verdict)) = first_bad else {
        let largest = held.keys().max().copied().unwrap_or(0);
        if largest >= options.up_to {
            return Decision::Done(if options.up_to >= BOUND_MAX {
                BoundStatus::HoldsUpToCap
            } else {
                BoundStatus::HoldsUpToLimit
            });
        }
        let next = if largest == 0 { 1 } else { largest * 2 };
        return Decision::Probe(vec![Some(next.min(options.up_to))]);
    };
    if bad == 0 {
        return Decision::Done(if bad_verdict == Verdict::Violated {
            BoundStatus::ViolatedAtZero
        } else {
            BoundStatus::Unknown
        });
    }
    let below = held
        .range(..bad)
        .next_back()
        .map(|(b, _)| *b)
        .expect("bound 0 holds and is below the first bound that does not");
    if below + 1 < bad {
        return Decision::Probe(vec![Some(below + (bad - below) / 2)]);
    }
    if bad_verdict != Verdict::Violated {
        return Decision::Done(BoundStatus::Unknown);
    }
    let holds_again = held
        .range(bad + 1..)
        .any(|(_, verdict)| *verdict == Verdict::Holds);
    Decision::Done(if holds_again {
        BoundStatus::NonMonotone
    } else {
        BoundStatus::Boundary
    })
}

/// One search: one assumption (at one sweep value), every property.
struct Search {
    label: String,
    assumption: Assumption,
    probes: Probes,
    /// Its probe with the assumption relaxed ended with the model reading clock
    /// offsets, which relaxed skew does not store (`system::OFFSETS_UNSTORED`): the
    /// search goes on from bound 0 without it, as for a property it does not settle.
    relaxed_unusable: bool,
}

/// A probe to run: the search it belongs to and the bound.
type Task = (usize, Option<u32>);

/// Runs `tasks` `jobs` at a time; each result lands in its search.
fn run_round<F>(
    searches: &mut [Search],
    tasks: &[Task],
    jobs: usize,
    probe: &F,
    on_event: &(dyn Fn(&ProbeEvent) + Sync),
) -> Result<(), RequestError>
where
    F: Fn(usize, Assumption, Option<u32>) -> Result<CheckReport, RequestError> + Sync,
{
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(Task, Result<CheckReport, RequestError>)>> = Mutex::new(Vec::new());
    let labels: Vec<(String, Assumption)> = searches
        .iter()
        .map(|s| (s.label.clone(), s.assumption))
        .collect();
    crate::pool::on_threads(jobs.min(tasks.len()), &|_| loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(&(search, bound)) = tasks.get(index) else {
            break;
        };
        let (prefix, assumption) = &labels[search];
        let label = format!(
            "{prefix}{}",
            match bound {
                Some(bound) => format!("{}={bound}", assumption.name()),
                None => format!("{} relaxed", assumption.name()),
            }
        );
        on_event(&ProbeEvent {
            label: label.clone(),
            finished: None,
        });
        let result = probe(search, *assumption, bound);
        on_event(&ProbeEvent {
            label,
            finished: Some(match &result {
                Ok(report) => probe_summary(report),
                Err(error) => format!("error: {error}"),
            }),
        });
        results
            .lock()
            .expect("no probe thread panics while holding the results")
            .push(((search, bound), result));
    });
    let results = results
        .into_inner()
        .expect("every probe thread has finished");
    for ((search, bound), result) in results {
        match result {
            Err(RequestError::Build { reason, .. })
                if bound.is_none() && reason.starts_with(crate::system::OFFSETS_UNSTORED) =>
            {
                searches[search].relaxed_unusable = true;
            }
            result => {
                searches[search].probes.insert(bound, Arc::new(result?));
            }
        }
    }
    Ok(())
}

fn probe_summary(report: &CheckReport) -> String {
    let verdicts: Vec<String> = report
        .properties
        .iter()
        .filter(|p| p.kind != PropertyKind::Sometimes)
        .map(|p| format!("{} {}", p.name, p.verdict.name()))
        .collect();
    format!(
        "{} ({} states, {:.2} s)",
        verdicts.join(", "),
        report.stats.unique_states,
        report.stats.seconds
    )
}

/// Runs every search to its end, round by round; returns the searches with their
/// probes.
fn drive<F>(
    mut searches: Vec<Search>,
    properties: &[(String, PropertyKind)],
    options: &SearchOptions,
    probe: &F,
    on_event: &(dyn Fn(&ProbeEvent) + Sync),
) -> Result<Vec<Search>, RequestError>
where
    F: Fn(usize, Assumption, Option<u32>) -> Result<CheckReport, RequestError> + Sync,
{
    loop {
        let mut tasks: Vec<Task> = Vec::new();
        for (index, search) in searches.iter().enumerate() {
            for (property, kind) in properties {
                let usable = !search.relaxed_unusable;
                if let Decision::Probe(bounds) =
                    decide(property, *kind, &search.probes, options, usable)
                {
                    for bound in bounds {
                        if !search.probes.contains_key(&bound) && !tasks.contains(&(index, bound)) {
                            tasks.push((index, bound));
                        }
                    }
                }
            }
        }
        if tasks.is_empty() {
            return Ok(searches);
        }
        run_round(&mut searches, &tasks, options.jobs, probe, on_event)?;
    }
}

fn entry_of(
    search: &Search,
    property: &str,
    kind: PropertyKind,
    options: &SearchOptions,
) -> BoundEntry {
    let status = match decide(
        property,
        kind,
        &search.probes,
        options,
        !search.relaxed_unusable,
    ) {
        Decision::Done(status) => status,
        Decision::Probe(_) => BoundStatus::Unknown,
    };
    let verdict = |bound| verdict_at(&search.probes, property, bound);
    let held: Vec<(u32, Verdict)> = search
        .probes
        .keys()
        .filter_map(|b| *b)
        .filter_map(|b| verdict(Some(b)).map(|v| (b, v)))
        .collect();
    let first_bad = held.iter().find(|(_, v)| *v != Verdict::Holds).copied();
    let holds_up_to = match status {
        BoundStatus::HoldsRelaxed | BoundStatus::HoldsUpToCap => Some(BOUND_MAX),
        BoundStatus::HoldsUpToLimit => Some(options.up_to),
        _ => held
            .iter()
            .take_while(|(_, v)| *v == Verdict::Holds)
            .last()
            .map(|(b, _)| *b),
    };
    let violated_from = first_bad
        .filter(|(_, v)| *v == Verdict::Violated)
        .map(|(b, _)| b);
    let unknown_at = (status == BoundStatus::Unknown)
        .then(|| first_bad.map(|(b, _)| b))
        .flatten();
    let holds_again_at = violated_from.and_then(|from| {
        held.iter()
            .find(|(b, v)| *b > from && *v == Verdict::Holds)
            .map(|(b, _)| *b)
    });
    let counterexample = violated_from.and_then(|from| {
        search.probes.get(&Some(from)).and_then(|report| {
            trace::traces_of(report)
                .into_iter()
                .find(|t| t.property == property)
        })
    });
    let probes = search
        .probes
        .iter()
        .map(|(bound, report)| {
            let found = report.property(property);
            ProbeRecord {
                bound: *bound,
                verdict: found.map_or(Verdict::Unknown, |p| p.verdict),
                unique_states: report.stats.unique_states,
                counterexample_steps: found
                    .and_then(|p| p.counterexample.as_ref())
                    .map(|t| t.length),
            }
        })
        .collect();
    let mut entry = BoundEntry {
        property: property.to_string(),
        kind,
        assumption: search.assumption,
        status,
        holds_up_to,
        violated_from,
        holds_again_at,
        unknown_at,
        relaxed: verdict(None),
        relaxed_not_run: search.relaxed_unusable,
        counterexample,
        probes,
        sentence: String::new(),
    };
    entry.sentence = sentence(&entry, options.up_to);
    if entry.relaxed_not_run {
        entry.sentence.push_str(&format!(
            " (Not checked with {} relaxed: the model reads clock offsets, which relaxed \
             skew does not store.)",
            entry.assumption.name()
        ));
    }
    entry
}

fn sentence(entry: &BoundEntry, up_to: u32) -> String {
    let name = entry.assumption.name();
    let property = &entry.property;
    let steps = entry
        .counterexample
        .as_ref()
        .map(|t| format!(" ({})", crate::report::steps(t.trace.length)))
        .unwrap_or_default();
    match entry.status {
        BoundStatus::Boundary => format!(
            "{property} holds with {name}({}) and is violated with {name}({}){steps}: both checked.",
            entry.holds_up_to.unwrap_or(0),
            entry.violated_from.unwrap_or(0)
        ),
        BoundStatus::ViolatedAtZero => {
            format!("{property} is violated already with {name}(0){steps}: no bound makes it hold.")
        }
        BoundStatus::HoldsRelaxed => format!(
            "{property} holds with {name} relaxed, hence at every bound: it does not lean on {name}."
        ),
        BoundStatus::HoldsUpToCap => format!(
            "{property} holds up to the cap, {name}({BOUND_MAX}), the largest bound the engine represents."
        ),
        BoundStatus::HoldsUpToLimit => format!(
            "{property} holds at every bound probed up to {name}({up_to}) (--up-to){}; larger bounds were not searched.",
            match entry.relaxed {
                Some(Verdict::Violated) => ", and is violated with it relaxed",
                _ => "",
            }
        ),
        BoundStatus::NonMonotone => format!(
            "{property} is NOT monotone in {name}: violated with {name}({}){steps} but holds again with {name}({}); the boundary found ({} holds, {} violated) is not a threshold.",
            entry.violated_from.unwrap_or(0),
            entry.holds_again_at.unwrap_or(0),
            entry.holds_up_to.unwrap_or(0),
            entry.violated_from.unwrap_or(0)
        ),
        BoundStatus::Unknown => format!(
            "{property}: unknown at {name}({}): a limit cut the check short{}.",
            entry.unknown_at.unwrap_or(0),
            entry
                .holds_up_to
                .map(|b| format!("; it holds up to {name}({b})"))
                .unwrap_or_default()
        ),
    }
}

/// The base assumption set of a catalog request, as held specs and relaxed names.
fn base_assumptions(report: Option<&CheckReport>) -> (Vec<String>, Vec<String>) {
    report
        .and_then(|r| r.assumptions.as_ref())
        .map(|a| (a.held_specs(), a.relaxed.clone()))
        .unwrap_or_default()
}

/// A registered model, resolved once for every probe of a request.
struct Resolved<'a> {
    entry: &'a dyn Entry,
    properties: Vec<(String, PropertyKind)>,
    assumptions: Vec<Assumption>,
}

fn resolve<'a>(
    registry: &'a Registry,
    request: &BoundsRequest,
) -> Result<Resolved<'a>, RequestError> {
    let entry = registry.find(&request.model)?;
    let description = entry.describe_with(&request.params)?;
    if !description.timed {
        return Err(RequestError::Untimed(request.model.clone()));
    }
    let declared: Vec<(String, PropertyKind)> = description
        .properties
        .iter()
        .map(|p| (p.name.to_string(), p.kind))
        .collect();
    let properties = searched_properties(entry.name(), &request.properties, &declared)?;
    let assumptions = searched_assumptions(&request.assumptions, &description.leans_on_ids)?;
    if assumptions.is_empty() {
        return Err(RequestError::Build {
            model: entry.name().to_string(),
            reason: "it leans on no numeric assumption; name one with --assumption".to_string(),
        });
    }
    Ok(Resolved {
        entry,
        properties,
        assumptions,
    })
}

/// A sweep names an integer parameter and stays inside its range: the error names the
/// `--sweep` the user wrote, not the first value outside.
fn check_sweep_range(
    entry: &dyn Entry,
    name: &str,
    low: u32,
    high: u32,
) -> Result<(), RequestError> {
    let sweep = format!("--sweep {name}={low}..{high}");
    let spec = entry.parameters().iter().find(|p| p.name == name);
    let range = match spec.map(|p| p.kind) {
        Some(crate::model::ParamKind::Integer { min, max }) => min..=max,
        Some(crate::model::ParamKind::Choice(_)) => {
            return Err(RequestError::Option(format!(
                "{sweep}: `{name}` is not an integer parameter of `{}`",
                entry.name()
            )))
        }
        None => {
            let valid: Vec<&str> = (entry.parameters().iter())
                .filter(|p| matches!(p.kind, crate::model::ParamKind::Integer { .. }))
                .map(|p| p.name)
                .collect();
            return Err(RequestError::Option(format!(
                "{sweep}: `{}` has no parameter `{name}`; integer ones: {}",
                entry.name(),
                if valid.is_empty() {
                    "(none)".to_string()
                } else {
                    valid.join(", ")
                }
            )));
        }
    };
    if !range.contains(&low) || !range.contains(&high) {
        return Err(RequestError::Option(format!(
            "{sweep}: `{name}` takes {} to {}; keep the range inside it",
            range.start(),
            range.end()
        )));
    }
    Ok(())
}

fn check_up_to(options: &SearchOptions) -> Result<(), RequestError> {
    if options.up_to == 0 || options.up_to > BOUND_MAX {
        return Err(RequestError::Option(format!(
            "--up-to {}: expected 1 to {BOUND_MAX} (the largest bound the engine represents)",
            options.up_to
        )));
    }
    Ok(())
}

/// Searches the bounds of a registered model.
pub fn bounds(
    registry: &Registry,
    request: &BoundsRequest,
    search: &SearchOptions,
    check: &CheckOptions,
    on_event: &(dyn Fn(&ProbeEvent) + Sync),
) -> Result<BoundsReport, RequestError> {
    let mut sweep = sweep_values(registry, request, None, search, check, on_event)?;
    Ok(sweep.remove(0))
}

/// Searches the bounds of a registered model at each value of `parameter` in
/// `low..=high`; the searches of every value run together (`jobs` probes at once).
pub fn sweep(
    registry: &Registry,
    request: &BoundsRequest,
    (parameter, low, high): (&str, u32, u32),
    search: &SearchOptions,
    check: &CheckOptions,
    on_event: &(dyn Fn(&ProbeEvent) + Sync),
) -> Result<SweepReport, RequestError> {
    if request.params.contains_key(parameter) {
        return Err(RequestError::Build {
            model: request.model.clone(),
            reason: format!("--sweep {parameter}: also given with --set; give it once"),
        });
    }
    let rows = sweep_values(
        registry,
        request,
        Some((parameter, low, high)),
        search,
        check,
        on_event,
    )?;
    Ok(SweepReport {
        schema_version: BOUNDS_SCHEMA_VERSION,
        model: request.model.clone(),
        parameter: parameter.to_string(),
        rows: (low..=high)
            .zip(rows)
            .map(|(value, bounds)| SweepRow { value, bounds })
            .collect(),
    })
}

fn sweep_values(
    registry: &Registry,
    request: &BoundsRequest,
    swept: Option<(&str, u32, u32)>,
    search: &SearchOptions,
    check: &CheckOptions,
    on_event: &(dyn Fn(&ProbeEvent) + Sync),
) -> Result<Vec<BoundsReport>, RequestError> {
    check_up_to(search)?;
    let resolved = resolve(registry, request)?;
    if let Some((name, low, high)) = swept {
        check_sweep_range(resolved.entry, name, low, high)?;
    }
    let values: Vec<Option<u32>> = match swept {
        Some((_, low, high)) => (low..=high).map(Some).collect(),
        None => vec![None],
    };
    let mut params_of = Vec::new();
    for value in &values {
        let mut given = request.params.clone();
        if let (Some(value), Some((name, _, _))) = (value, swept) {
            given.insert(name.to_string(), value.to_string());
        }
        let params = resolve_params(resolved.entry.name(), resolved.entry.parameters(), &given)?;
        params_of.push(params);
    }
    let mut searches = Vec::new();
    let mut value_of_search = Vec::new();
    for (index, value) in values.iter().enumerate() {
        for assumption in &resolved.assumptions {
            let label = match (value, swept) {
                (Some(value), Some((name, _, _))) => format!("{name}={value} "),
                _ => String::new(),
            };
            searches.push(Search {
                label,
                assumption: *assumption,
                probes: BTreeMap::new(),
                relaxed_unusable: false,
            });
            value_of_search.push(index);
        }
    }
    let mut probe_options = check.clone();
    probe_options.threads = 1;
    // With `--property`, a probe searches only the named properties, as `check
    // --property` does: a timed system keeps message ages and pause lengths only for
    // a named `eventually` property. Without it a probe checks the whole model (its
    // properties may depend on the parameters a sweep sets, so the list described at
    // the defaults is not imposed on every probe).
    if !request.properties.is_empty() {
        probe_options.properties = (resolved.properties.iter())
            .map(|(name, _)| name.clone())
            .collect();
    }
    let probe = |search: usize, assumption: Assumption, bound: Option<u32>| {
        let changes = changes_at(&request.changes, assumption, bound);
        let mut options = probe_options.clone();
        options.progress = Arc::default();
        resolved
            .entry
            .check(&params_of[value_of_search[search]], &changes, &options)
    };
    let searches = drive(searches, &resolved.properties, search, &probe, on_event)?;
    let mut reports = Vec::new();
    for (index, params) in params_of.iter().enumerate() {
        let mine: Vec<&Search> = searches
            .iter()
            .zip(&value_of_search)
            .filter(|(_, value)| **value == index)
            .map(|(s, _)| s)
            .collect();
        let base = resolved.entry.check(
            params,
            &request.changes,
            &CheckOptions {
                max_states: Some(1),
                ..CheckOptions::default()
            },
        )?;
        let (base_held, base_relaxed) = base_assumptions(Some(&base));
        let entries = mine
            .iter()
            .flat_map(|s| {
                resolved
                    .properties
                    .iter()
                    .map(|(property, kind)| entry_of(s, property, *kind, search))
            })
            .collect();
        reports.push(BoundsReport {
            schema_version: BOUNDS_SCHEMA_VERSION,
            model: resolved.entry.name().to_string(),
            params: params.values().clone(),
            base_held,
            base_relaxed,
            searched: resolved.assumptions.clone(),
            up_to: search.up_to,
            exhaustive: search.exhaustive,
            probes_run: mine.iter().map(|s| s.probes.len()).sum(),
            entries,
        });
    }
    Ok(reports)
}

/// Searches the bounds of any protocol outside the catalog (an example, a test
/// model): `probe(assumption, bound)` runs one check, `None` meaning the assumption
/// relaxed. Every `always`/`eventually` property of the first probe's report is
/// searched (not `deadlock_free`).
pub fn search_with<F>(
    model: &str,
    assumptions: &[Assumption],
    search: &SearchOptions,
    probe: F,
    on_event: &(dyn Fn(&ProbeEvent) + Sync),
) -> Result<BoundsReport, RequestError>
where
    F: Fn(Assumption, Option<u32>) -> Result<CheckReport, RequestError> + Sync,
{
    check_up_to(search)?;
    let first = assumptions.first().ok_or_else(|| RequestError::Build {
        model: model.to_string(),
        reason: "no assumption to search".to_string(),
    })?;
    let sample = probe(*first, Some(0))?;
    let properties: Vec<(String, PropertyKind)> = sample
        .properties
        .iter()
        .filter(|p| p.kind != PropertyKind::Sometimes && p.name != DEADLOCK_PROPERTY)
        .map(|p| (p.name.clone(), p.kind))
        .collect();
    let mut searches: Vec<Search> = assumptions
        .iter()
        .map(|a| Search {
            label: String::new(),
            assumption: *a,
            probes: BTreeMap::new(),
            relaxed_unusable: false,
        })
        .collect();
    searches[0].probes.insert(Some(0), Arc::new(sample.clone()));
    let searches = drive(
        searches,
        &properties,
        search,
        &|_, assumption, bound| probe(assumption, bound),
        on_event,
    )?;
    let (base_held, base_relaxed) = base_assumptions(Some(&sample));
    Ok(BoundsReport {
        schema_version: BOUNDS_SCHEMA_VERSION,
        model: model.to_string(),
        params: sample.params.clone(),
        base_held,
        base_relaxed,
        searched: assumptions.to_vec(),
        up_to: search.up_to,
        exhaustive: search.exhaustive,
        probes_run: searches.iter().map(|s| s.probes.len()).sum(),
        entries: searches
            .iter()
            .flat_map(|s| {
                properties
                    .iter()
                    .map(|(property, kind)| entry_of(s, property, *kind, search))
            })
            .collect(),
    })
}

fn bound_text(bound: Option<u32>) -> String {
    bound.map_or_else(|| "-".to_string(), |b| b.to_string())
}

fn holds_text(entry: &BoundEntry) -> String {
    match entry.status {
        BoundStatus::HoldsRelaxed => "every bound".to_string(),
        BoundStatus::HoldsUpToCap => format!("{BOUND_MAX} (cap)"),
        BoundStatus::HoldsUpToLimit => format!("≥ {}", bound_text(entry.holds_up_to)),
        _ => bound_text(entry.holds_up_to),
    }
}

fn probes_text(entry: &BoundEntry) -> String {
    entry
        .probes
        .iter()
        .map(|p| {
            let mark = match p.verdict {
                Verdict::Holds => "✓",
                Verdict::Violated => "✗",
                _ => "?",
            };
            match p.bound {
                Some(bound) => format!("{bound}{mark}"),
                None => format!("relaxed{mark}"),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The table for people.
pub fn render(report: &BoundsReport) -> String {
    let mut out = String::new();
    let params: Vec<String> = report
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(out, "model: {}  {}", report.model, params.join(" "));
    let searched: Vec<&str> = report.searched.iter().map(|a| a.name()).collect();
    // A searched assumption's own probes replace whatever the base set said of it.
    let unsearched = |specs: &[String]| -> Vec<String> {
        (specs.iter())
            .filter(|spec| !searched.contains(&spec.split('=').next().unwrap_or(spec)))
            .cloned()
            .collect()
    };
    let held = unsearched(&report.base_held);
    let relaxed = unsearched(&report.base_relaxed);
    let _ = writeln!(out, "searched: {}", searched.join(", "));
    let _ = writeln!(out, "held: {}", held.join(", "));
    if !relaxed.is_empty() {
        let _ = writeln!(out, "relaxed: {}", relaxed.join(", "));
    }
    let _ = writeln!(
        out,
        "search: bounds 0..={}{}, {} checks\n",
        report.up_to,
        if report.exhaustive {
            " (every bound)"
        } else {
            " (relaxed, 0, doubling, bisection)"
        },
        report.probes_run
    );
    let width = report
        .entries
        .iter()
        .map(|e| e.property.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        out,
        "{:<width$}  {:<14}  {:<12}  {:<13}  {:<14}  probes (✓ holds, ✗ violated, ? unknown)",
        "property", "assumption", "holds up to", "violated from", "counterexample"
    );
    for entry in &report.entries {
        let steps = entry
            .counterexample
            .as_ref()
            .map_or_else(|| "-".to_string(), |t| crate::report::steps(t.trace.length));
        let _ = writeln!(
            out,
            "{:<width$}  {:<14}  {:<12}  {:<13}  {:<14}  {}",
            entry.property,
            entry.assumption.name(),
            holds_text(entry),
            bound_text(entry.violated_from),
            steps,
            probes_text(entry)
        );
    }
    out.push('\n');
    for entry in &report.entries {
        let _ = writeln!(out, "- {}", entry.sentence);
    }
    out
}

/// The sweep as a table: one row per value, one column per property and assumption
/// (`holds up to / violated from`).
pub fn render_sweep(sweep: &SweepReport) -> String {
    let mut out = String::new();
    let Some(first) = sweep.rows.first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "model: {}  sweep: {}  (cells: largest bound that holds / smallest violated)\n",
        sweep.model, sweep.parameter
    );
    let columns: Vec<String> = first
        .bounds
        .entries
        .iter()
        .map(|e| format!("{} · {}", e.property, e.assumption.name()))
        .collect();
    let width = sweep.parameter.chars().count().max(5);
    let _ = write!(out, "{:<width$}", sweep.parameter);
    for column in &columns {
        let _ = write!(out, "  {column:<30}");
    }
    out.push('\n');
    for row in &sweep.rows {
        let _ = write!(out, "{:<width$}", row.value);
        for entry in &row.bounds.entries {
            let mut cell = format!(
                "{} / {}",
                holds_text(entry),
                bound_text(entry.violated_from)
            );
            if entry.status == BoundStatus::NonMonotone {
                cell.push_str(" (non-monotone)");
            } else if entry.status == BoundStatus::Unknown {
                cell.push_str(" (unknown)");
            }
            let _ = write!(out, "  {cell:<30}");
        }
        out.push('\n');
    }
    out
}

/// The sweep as an SVG chart: per property and assumption, the bounds that hold as a
/// shaded column up to the largest one, and the smallest violated bound as a red mark.
pub fn sweep_svg(sweep: &SweepReport) -> Result<String, String> {
    chart::render(sweep)
}

/// Checks one pinned boundary exactly: `property` must hold with `assumption` held at
/// `bound` and be violated at `bound + 1`. Returns the two reports.
pub fn check_pinned_pair(
    registry: &Registry,
    model: &str,
    params: &BTreeMap<String, String>,
    base: &AssumptionChanges,
    assumption: Assumption,
    bound: u32,
    options: &CheckOptions,
) -> Result<(CheckReport, CheckReport), RequestError> {
    let entry = registry.find(model)?;
    let params = resolve_params(entry.name(), entry.parameters(), params)?;
    let at = entry.check(&params, &changes_at(base, assumption, Some(bound)), options)?;
    let above = entry.check(
        &params,
        &changes_at(base, assumption, Some(bound + 1)),
        options,
    )?;
    Ok((at, above))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with(verdict: Verdict) -> Arc<CheckReport> {
        let mut report: CheckReport = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "model": "m", "params": {}, "assumptions": null,
            "strategy": "bfs", "threads": 1, "complete": true, "stop_reason": "complete",
            "stats": {"unique_states": 1, "generated_states": 1, "max_depth": 0, "seconds": 0.0},
            "properties": [], "nodes": []
        }))
        .expect("a minimal report");
        report.properties.push(crate::report::PropertyReport {
            name: "p".to_string(),
            kind: PropertyKind::Always,
            verdict,
            counterexample: None,
            example_length: None,
        });
        Arc::new(report)
    }

    /// Runs `decide` against a verdict function until it is done; returns the status
    /// and the bounds probed.
    fn run(
        truth: impl Fn(Option<u32>) -> Verdict,
        options: &SearchOptions,
    ) -> (BoundStatus, Vec<Option<u32>>) {
        let mut probes = Probes::new();
        loop {
            match decide("p", PropertyKind::Always, &probes, options, true) {
                Decision::Done(status) => return (status, probes.keys().copied().collect()),
                Decision::Probe(bounds) => {
                    for bound in bounds {
                        probes.insert(bound, report_with(truth(bound)));
                    }
                }
            }
        }
    }

    fn threshold(from: u32) -> impl Fn(Option<u32>) -> Verdict {
        move |bound| match bound {
            Some(b) if b < from => Verdict::Holds,
            _ => Verdict::Violated,
        }
    }

    #[test]
    fn doubling_then_bisection_ends_on_the_explicit_pair() {
        let (status, probed) = run(threshold(6), &SearchOptions::new(16, 1));
        assert_eq!(status, BoundStatus::Boundary);
        // relaxed, 0, 1, 2, 4, 8, then 6 and 5 by bisection.
        assert_eq!(
            probed,
            vec![
                None,
                Some(0),
                Some(1),
                Some(2),
                Some(4),
                Some(5),
                Some(6),
                Some(8)
            ]
        );
    }

    #[test]
    fn holds_relaxed_settles_every_bound_and_the_cap_is_named() {
        let (status, probed) = run(|_| Verdict::Holds, &SearchOptions::new(16, 1));
        assert_eq!(status, BoundStatus::HoldsRelaxed);
        assert_eq!(probed, vec![None, Some(0)]);
        let violated_relaxed = |bound: Option<u32>| {
            if bound.is_some() {
                Verdict::Holds
            } else {
                Verdict::Violated
            }
        };
        let (status, _) = run(violated_relaxed, &SearchOptions::new(4, 1));
        assert_eq!(status, BoundStatus::HoldsUpToLimit);
        let (status, probed) = run(violated_relaxed, &SearchOptions::new(BOUND_MAX, 1));
        assert_eq!(status, BoundStatus::HoldsUpToCap);
        assert_eq!(probed.last(), Some(&Some(BOUND_MAX)));
    }

    #[test]
    fn violated_at_zero_unknown_and_non_monotone_are_told_apart() {
        let (status, _) = run(threshold(0), &SearchOptions::new(8, 1));
        assert_eq!(status, BoundStatus::ViolatedAtZero);
        let unknown_at_two = |bound: Option<u32>| match bound {
            Some(0 | 1) => Verdict::Holds,
            Some(_) => Verdict::Unknown,
            None => Verdict::Violated,
        };
        assert_eq!(
            run(unknown_at_two, &SearchOptions::new(8, 1)).0,
            BoundStatus::Unknown
        );
        // Violated at odd bounds only: the doubling probes 1 (violated), so the pair
        // 0/1 is a boundary unless every bound is probed.
        let odd = |bound: Option<u32>| match bound {
            Some(b) if b % 2 == 0 => Verdict::Holds,
            _ => Verdict::Violated,
        };
        assert_eq!(run(odd, &SearchOptions::new(4, 1)).0, BoundStatus::Boundary);
        assert_eq!(
            run(odd, &SearchOptions::new(4, 1).exhaustive(true)).0,
            BoundStatus::NonMonotone
        );
    }

    #[test]
    fn changes_at_replaces_what_the_base_says_of_the_searched_assumption() {
        let base = AssumptionChanges {
            relax_all: false,
            hold: vec![],
            relax: vec!["bounded_skew".to_string(), "bounded_pause".to_string()],
        };
        let changes = changes_at(&base, Assumption::BoundedSkew, Some(2));
        assert_eq!(changes.relax, vec!["bounded_pause".to_string()]);
        assert_eq!(changes.hold, vec!["bounded_skew=2".to_string()]);
        let relaxed = changes_at(&base, Assumption::BoundedSkew, None);
        assert_eq!(relaxed.relax, vec!["bounded_pause", "bounded_skew"]);
        // `--hold bounded_skew=1`: it holds for the other assumptions' searches, and
        // bounded_skew's own probes replace it.
        let held = AssumptionChanges {
            relax_all: false,
            hold: vec!["bounded_skew=1".to_string(), "bounded_delay=2".to_string()],
            relax: vec![],
        };
        let at_zero = changes_at(&held, Assumption::BoundedSkew, Some(0));
        assert_eq!(at_zero.hold, vec!["bounded_delay=2", "bounded_skew=0"]);
        let relaxed = changes_at(&held, Assumption::BoundedSkew, None);
        assert_eq!(relaxed.hold, vec!["bounded_delay=2"]);
        assert_eq!(relaxed.relax, vec!["bounded_skew"]);
        let other = changes_at(&held, Assumption::BoundedPause, Some(1));
        assert_eq!(
            other.hold,
            vec!["bounded_skew=1", "bounded_delay=2", "bounded_pause=1"]
        );
        assert_eq!(
            parse_sweep("write_gap_ticks=1..6"),
            Ok(("write_gap_ticks".to_string(), 1, 6))
        );
        assert!(parse_sweep("write_gap_ticks=6..1").is_err());
        assert!(parse_sweep("=1..2").is_err());
    }
}
