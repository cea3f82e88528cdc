//! The one check pipeline: search, `eventually` under weak fairness, model metrics,
//! report. The registry, [`testing`](crate::testing), the CLI, the examples and the
//! tests all run a check through here, so a verdict means the same everywhere.

use crate::check::{self, Canonicalize, CheckOptions, Facts, Outcome};
use crate::liveness::Fairness;
use crate::model::Params;
use crate::report::fewest::Fewer;
use crate::report::{self, CheckReport, Explain, FewestBreaks};
use crate::system::{
    AssumptionSet, ClassDistances, DriftClasses, PropertyKind, Protocol, SystemError, TimedSystem,
};
use std::collections::BTreeMap;
use std::hash::Hash;

/// What one check produced: the search's outcome (verdicts, paths, counts) and the
/// report built from it.
pub struct Checked<M: stateright::Model> {
    /// Verdicts and paths, as the runner found them.
    pub outcome: Outcome<M>,
    /// The report (what `check --format json` prints).
    pub report: CheckReport,
}

/// How a check is named in its report.
#[derive(Clone, Copy, Debug)]
pub struct Label<'a> {
    /// The registry name of the model (for a protocol checked with
    /// [`testing::check`](crate::testing::check), its type's name).
    pub model: &'a str,
    /// The parameter values it was built from.
    pub params: &'a Params,
}

/// Checks any model: the search (under `canonical` symmetry when given), then its
/// `eventually` properties, then the maxima of its metrics; returns outcome and report.
/// All three phases spend one [`Budget`](check::Budget) started here from `options`:
/// a phase a limit stops leaves its verdicts `unknown` and the outcome says which limit.
pub fn check_model<M>(
    model: &M,
    label: Label<'_>,
    assumptions: Option<&AssumptionSet>,
    options: &CheckOptions,
    canonical: Option<Canonicalize<M>>,
) -> Checked<M>
where
    M: Explain + Fairness + Send + Sync,
    M::State: Hash + Eq + Clone + std::fmt::Debug + Send + Sync,
    M::Action: Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    check_model_within(
        model,
        label,
        assumptions,
        options,
        (canonical, Facts::default()),
        &check::Budget::start(options),
    )
}

/// [`check_model`] within a budget the caller started (and may spend further), the
/// search also using what `reductions.1` says of the model (timed systems only:
/// [`TimedSystem::facts`]).
fn check_model_within<M>(
    model: &M,
    label: Label<'_>,
    assumptions: Option<&AssumptionSet>,
    options: &CheckOptions,
    reductions: (Option<Canonicalize<M>>, Facts<M>),
    budget: &check::Budget,
) -> Checked<M>
where
    M: Explain + Fairness + Send + Sync,
    M::State: Hash + Eq + Clone + std::fmt::Debug + Send + Sync,
    M::Action: Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    let (canonical, facts) = reductions;
    check::Progress::search_starts(options);
    let outcome = check::run_reduced(model, options, canonical, facts, budget);
    let after = check::Progress::search_done(options);
    finish_check(model, label, assumptions, &after, outcome, budget)
}

/// The phases after the search: `eventually` on the explicit graph, the metrics'
/// maxima, then the report, all on `model` and within `budget`.
fn finish_check<M>(
    model: &M,
    label: Label<'_>,
    assumptions: Option<&AssumptionSet>,
    options: &CheckOptions,
    mut outcome: check::Outcome<M>,
    budget: &check::Budget,
) -> Checked<M>
where
    M: Explain + Fairness + Send + Sync,
    M::State: Hash + Eq + Clone + std::fmt::Debug + Send + Sync,
    M::Action: Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    crate::liveness::decide_eventually(model, &mut outcome, budget);
    let (metrics, lower_bounds) = match metric_maxima(model, budget) {
        Ok(metrics) => (metrics, false),
        Err((mut partial, reason)) => {
            outcome.cut_by(reason, check::Phase::Metrics);
            // The states of the paths the report shows are reachable too: a lower bound
            // below a value the report's own counterexample reaches would be a weak one.
            let shown = (outcome.properties.iter()).filter_map(|p| p.path.as_ref());
            for state in shown.flat_map(|path| &path.states) {
                for (name, value) in model.metrics(state) {
                    let slot = partial.entry(name.to_string()).or_insert(0);
                    *slot = (*slot).max(value);
                }
            }
            (partial, true)
        }
    };
    let mut report = report::build(
        label.model,
        label.params,
        assumptions,
        options,
        model,
        &outcome,
    );
    budget.progress().phases_done();
    report.metrics = metrics;
    report.metrics_lower_bounds = lower_bounds;
    report.seconds = budget.elapsed_seconds();
    Checked { outcome, report }
}

/// Checks a timed protocol under `assumptions`: builds the timed system (with only the
/// properties `options` selects, [`TimedSystem::searching_only`]) and runs
/// [`check_system`] on it. Returns the system too, so its paths can be replayed.
pub fn check_protocol<P: Protocol>(
    protocol: P,
    assumptions: AssumptionSet,
    label: Label<'_>,
    options: &CheckOptions,
) -> Result<(TimedSystem<P>, Checked<TimedSystem<P>>), SystemError> {
    let mut system =
        TimedSystem::new(protocol, assumptions)?.searching_only(&options.properties)?;
    if options.no_lean {
        system = system.without_lean_state();
    }
    let checked = check_system(&system, label, options)?;
    Ok((system, checked))
}

/// Checks a built timed system: [`check_model`] with the system's fault slot wired
/// in (a fresh one per system, so one check's error does not stop the next), and an
/// error, not a verdict, when the protocol passed an engine cap mid-search. When the
/// protocol declares symmetry ([`Protocol::symmetry`]) and `options.symmetry` is on,
/// the search stores one state per class ([`TimedSystem::canonical`]), and so do the
/// fewest-breaks search and the confirmation of breaks; `eventually` and metrics run
/// on the full space. The safety search skips each Tick that changes nothing
/// ([`TimedSystem::is_self_loop`]): fewer generated states, nothing else different;
/// and with `bounded_delay` relaxed `deadlock_free` holds without search
/// ([`TimedSystem::never_deadlocks`]), so a search that decides every other property
/// stops there.
///
/// The pipeline is compiled where the protocol says ([`Protocol::compiled`]): in the
/// crate that calls this, or, with [`compiled_here!`](crate::compiled_here), in the
/// protocol's own crate.
pub fn check_system<P: Protocol>(
    system: &TimedSystem<P>,
    label: Label<'_>,
    options: &CheckOptions,
) -> Result<Checked<TimedSystem<P>>, SystemError> {
    (P::compiled().pipeline)(system, label, options)
}

/// The check pipeline and the searches, compiled for one protocol: function pointers to
/// the copies the crate that built this value compiled ([`Protocol::compiled`],
/// [`compiled_here!`](crate::compiled_here)). Other crates call through it instead of
/// compiling their own.
pub struct Compiled<P: Protocol> {
    pipeline: CheckSystem<P>,
    searches: crate::liveness::Searches<TimedSystem<P>>,
}

type CheckSystem<P> =
    fn(&TimedSystem<P>, Label<'_>, &CheckOptions) -> Result<Checked<TimedSystem<P>>, SystemError>;

impl<P: Protocol> Compiled<P> {
    /// The pipeline and the searches compiled in the crate that calls this.
    pub fn here() -> Self {
        Compiled {
            pipeline: check_system_here::<P>,
            searches: crate::liveness::Searches::here(),
        }
    }

    /// The searches of a timed system of the protocol
    /// ([`Fairness::searches`]).
    pub fn searches(&self) -> crate::liveness::Searches<TimedSystem<P>> {
        self.searches
    }
}

/// [`check_system`]'s body, compiled in the crate that names it for a protocol
/// ([`Compiled::here`]).
fn check_system_here<P: Protocol>(
    system: &TimedSystem<P>,
    label: Label<'_>,
    options: &CheckOptions,
) -> Result<Checked<TimedSystem<P>>, SystemError> {
    let started = std::time::Instant::now();
    // `--exact` searches without subsumption, but the break confirmations' narrower
    // searches may use it: audited alike.
    let drift_model = drift_model(system, options);
    system.audit_lean_state(
        options.lean_audit_states,
        options.subsumption,
        drift_model.is_some(),
    )?;
    system.audit_offset_readers(crate::system::OFFSET_AUDIT_STATES)?;
    let options = CheckOptions {
        fault: system.fault(),
        ..options.clone()
    };
    let budget = check::Budget::start(&options);
    let canonical = (options.symmetry && system.is_symmetric())
        .then_some(TimedSystem::<P>::canonical as Canonicalize<TimedSystem<P>>);
    if canonical.is_some() {
        system.audit_symmetry(options.lean_audit_states)?;
    }
    check::Progress::search_starts(&options);
    let mut drift_cut = None;
    let mut drift = drift_model.as_ref().and_then(|(model, on_set)| {
        safety_on_drift_classes(model, *on_set, &options, &budget)
            .map_err(|cut| drift_cut = cut)
            .ok()
    });
    cap_check(system)?;
    let whole = drift.as_mut().and_then(|drift| drift.outcome.take());
    let drift_whole = whole.is_some();
    let mut guided: Option<report::GuidedSearch> = None;
    let (outcome, on_set) = match whole {
        Some(outcome) => {
            let on_set = match drift.as_ref() {
                Some(drift) if drift.on_set => SetUse::Whole,
                _ => SetUse::None,
            };
            (outcome, on_set)
        }
        None => {
            let drift_decided: Vec<&'static str> = drift
                .as_ref()
                .map(|drift| drift.decided.iter().map(|property| property.name).collect())
                .unwrap_or_default();
            let mut guide = match (&drift_model, drift.as_mut()) {
                (Some((model, on_set)), Some(drift)) => {
                    class_guide(model, *on_set, drift, &options, &budget)
                }
                _ => None,
            };
            let (mut outcome, on_set) = search_full_system(
                system,
                &options,
                canonical,
                &drift_decided,
                &budget,
                guide.as_mut(),
            );
            guided = guide.and_then(|guide| guide.report);
            if let Some(drift) = &drift {
                for property in &mut outcome.properties {
                    if let Some(found) = drift.decided.iter().find(|d| d.name == property.name) {
                        property.verdict = found.verdict;
                        property.path = None;
                    }
                }
            }
            (outcome, on_set)
        }
    };
    cap_check(system)?;
    let after = check::Progress::search_done(&options);
    let mut checked = finish_check(
        system,
        label,
        Some(system.assumptions()),
        &after,
        outcome,
        &budget,
    );
    cap_check(system)?;
    budget.progress().claims_start();
    take_fewest_breaks(system, &mut checked, &after, &budget);
    if canonical.is_some() {
        checked.report.symmetry = system.symmetry_groups();
    } else if !options.symmetry {
        checked.report.symmetry_off = system.symmetry_groups();
    }
    // Only where the rule's verdict stands (a model fault voids it).
    let settled = checked
        .outcome
        .property(check::DEADLOCK_PROPERTY)
        .is_some_and(|p| p.verdict == check::Verdict::Holds);
    if settled && system.never_deadlocks() {
        checked.report.deadlock_free_by = Some(
            "bounded_delay is relaxed, so time may always pass or a due timer fire or a \
             paused node resume"
                .to_string(),
        );
    }
    if system.lean().messages {
        checked.report.network = Some("message set".to_string());
    } else if let SetUse::Partly(set_stats) = on_set {
        checked.report.network = Some(SAFETY_PARTLY_ON_SET.to_string());
        // Its `holds` verdicts rest on its fingerprints too: a collision in either
        // search could hide a state (a union bound over the two).
        checked.report.fingerprint_collision_probability +=
            check::collision_probability(&set_stats);
        checked.report.set_search = Some(set_stats);
    } else if let SetUse::Whole = on_set {
        let in_flight = system
            .protocol_properties()
            .iter()
            .any(crate::system::Property::reads_in_flight);
        checked.report.network = Some(
            if in_flight {
                SAFETY_ON_SET_BY_NETWORK_FREE_PARTS
            } else {
                SAFETY_ON_SET
            }
            .to_string(),
        );
    }
    if let Some(drift) =
        drift.filter(|drift| !drift.reported(system).is_empty() || guided.is_some())
    {
        checked.report.drift_classes = Some(report::DriftUse {
            decided: drift.reported(system),
            search: (!drift_whole).then_some(drift.stats),
            guided,
        });
        if !drift_whole {
            checked.report.fingerprint_collision_probability +=
                check::collision_probability(&drift.stats);
        }
    }
    checked.report.no_lean = system.keeps_everything();
    checked.report.drift_classes_cut = drift_cut;
    report::confirm::confirm_report(system, &mut checked.report, &after, &budget);
    // From before the audits, which the budget's clock does not count.
    checked.report.seconds = started.elapsed().as_secs_f64();
    Ok(checked)
}

/// The safety search on the full system (after the search on drift classes, which
/// decided `drift_decided`): on the message set first where it applies, then on the
/// multiset network for what the set did not decide. The search on the system the
/// classes were of (the set's, or `system` where there is no set search) is guided by
/// the classes' distances where `guide` has them (after a BFS of the classes only,
/// [`run_guided`]), which fills in `guide`'s report.
fn search_full_system<P: Protocol>(
    system: &TimedSystem<P>,
    options: &CheckOptions,
    canonical: Option<Canonicalize<TimedSystem<P>>>,
    drift_decided: &[&'static str],
    budget: &check::Budget,
    guide: Option<&mut ClassGuide<P>>,
) -> (check::Outcome<TimedSystem<P>>, SetUse) {
    let (set_guide, guide) = match guide {
        Some(guide) if guide.on_set => (Some(guide), None),
        guide => (None, guide),
    };
    let on_set =
        safety_on_message_set(system, options, canonical, drift_decided, budget, set_guide);
    match on_set {
        OnSet::Taken(outcome) => (outcome, SetUse::Whole),
        OnSet::Partly(decided, set_stats) => {
            // The rest on the multiset network, without the properties the set decided:
            // they are not evaluated there and do not keep that search going.
            let facts = check::Facts {
                decided: decided
                    .iter()
                    .map(|property| property.name)
                    .chain(drift_decided.iter().copied())
                    .collect(),
                ..system.facts()
            };
            let mut outcome = check::run_reduced(system, options, canonical, facts, budget);
            for property in &mut outcome.properties {
                if let Some(set) = decided.iter().find(|d| d.name == property.name) {
                    property.verdict = set.verdict;
                    property.path = set.path.clone();
                }
            }
            (outcome, SetUse::Partly(set_stats))
        }
        OnSet::NotUsed => {
            let facts = check::Facts {
                decided: drift_decided.to_vec(),
                ..system.facts()
            };
            (
                run_guided(system, options, canonical, facts, budget, guide),
                SetUse::None,
            )
        }
    }
}

/// How many states of the full system are looked at for a node whose clock can drift
/// before a search on drift classes ([`DriftClasses::collapses_any`]).
const DRIFT_SAMPLE_STATES: usize = 2_000;

impl<P: Protocol> DriftSearch<P> {
    /// The properties the report names as decided here: `deadlock_free` only where
    /// the search decided it (not where the timed system's rules settle it,
    /// [`TimedSystem::never_deadlocks`], which the report says on its own).
    fn reported(&self, system: &TimedSystem<P>) -> Vec<String> {
        self.decided
            .iter()
            .filter(|property| {
                property.name != check::DEADLOCK_PROPERTY || !system.never_deadlocks()
            })
            .map(|property| property.name.to_string())
            .collect()
    }
}

/// Whether `options` let the safety search run first on drift classes: asked for, an
/// exhaustive strategy (the BFS, or the DFS: the classes are then searched depth first
/// too, and unguided, the class guide needing the graph a BFS records), and no depth
/// bound (a class's depth is not a run's).
fn drift_classes_apply(options: &CheckOptions) -> bool {
    let exhaustive = matches!(
        options.strategy,
        check::Strategy::Bfs | check::Strategy::Dfs
    );
    options.drift_classes && exhaustive && options.max_depth.is_none()
}

/// The drift classes a check's safety search runs on first, where it does
/// ([`safety_on_drift_classes`]): asked for and applicable (the BFS or the DFS, no
/// depth bound, [`TimedSystem::drift_classes`]) on the system the safety search would
/// run on (for a BFS the message set's, [`TimedSystem::for_safety_search`], where there
/// is one: then `true`; a DFS searches no message set, [`safety_on_message_set`], so its
/// classes are of `system` itself), and some node of the first [`DRIFT_SAMPLE_STATES`]
/// states can drift.
fn drift_model<P: Protocol>(
    system: &TimedSystem<P>,
    options: &CheckOptions,
) -> Option<(DriftClasses<P>, bool)> {
    if !drift_classes_apply(options) {
        return None;
    }
    let safety = (options.strategy == check::Strategy::Bfs)
        .then(|| system.for_safety_search())
        .flatten();
    let on_set = safety.is_some();
    safety
        .as_ref()
        .unwrap_or(system)
        .drift_classes()
        .filter(|drift| drift.collapses_any(DRIFT_SAMPLE_STATES))
        .map(|drift| (drift, on_set))
}

/// What the safety search on drift classes settled ([`safety_on_drift_classes`]).
struct DriftSearch<P: Protocol> {
    /// It ran on the message set's safety system ([`TimedSystem::for_safety_search`]).
    on_set: bool,
    /// The properties it decided: each `always` that holds (`deadlock_free`
    /// included), each `sometimes` never reached; no paths.
    decided: Vec<check::PropertyOutcome<TimedSystem<P>>>,
    /// The properties it found violated or reached (none is `unknown` in a complete
    /// search), which the full system is searched for with their runs; by name.
    open: Vec<&'static str>,
    /// Its statistics.
    stats: check::Stats,
    /// Where it decided every property the search decides (all but `eventually`):
    /// the whole safety outcome, and no search of the full system is needed.
    outcome: Option<check::Outcome<TimedSystem<P>>>,
    /// The class graph it recorded (with the class guide on, kept where something is
    /// open), for [`class_guide`].
    recorded: Option<check::Recorded>,
}

/// The safety search up to clock-drift classes ([`DriftClasses`]) on `drift`
/// ([`drift_model`]), first. The drift classes have the same reachable states as the
/// full system up to where each clock is within what a drift it can undo changes, so
/// an `always` that holds there (deadlock freedom included) holds, and a `sometimes`
/// never reached there is never reached; a violation or an example found there has no
/// run of the full system to show, so those properties are searched again on the full
/// system, which finds them with their shortest paths. It gets half of the time left
/// (with a timeout), so that the search of the full system after it has time of its
/// own. An error when the search did not complete: a limit cut it (the full system is
/// then searched within the check's limits, as without drift classes; the error says
/// which and how far it got, for the report) or the model faulted (`None`).
fn safety_on_drift_classes<P: Protocol>(
    drift: &DriftClasses<P>,
    on_set: bool,
    options: &CheckOptions,
    budget: &check::Budget,
) -> Result<DriftSearch<P>, Option<report::DriftCut>> {
    let canonical = (options.symmetry && drift.system().is_symmetric())
        .then_some(DriftClasses::<P>::canonical as Canonicalize<DriftClasses<P>>);
    let own = budget.half_of_the_time_left();
    // With the class guide on, the graph is recorded as it is searched: the guide's
    // distances are computed on it where something is left open.
    let (outcome, recorded) = if options.class_guide {
        let shortcuts = Some(drift.shortcuts());
        check::run_recorded(drift, options, canonical, drift.facts(), &own, shortcuts)
    } else {
        let outcome = check::run_reduced(drift, options, canonical, drift.facts(), &own);
        (outcome, None)
    };
    if outcome.fault.is_some() {
        return Err(None);
    }
    if !outcome.complete() {
        return Err(Some(report::DriftCut {
            stop_reason: outcome.stop_reason,
            stats: outcome.stats,
        }));
    }
    let mut decided = Vec::new();
    let mut all = true;
    let mut properties = Vec::new();
    for property in outcome.properties {
        let carried = matches!(
            (&property.expectation, property.verdict),
            (stateright::Expectation::Always, check::Verdict::Holds)
                | (
                    stateright::Expectation::Sometimes,
                    check::Verdict::Unreached
                )
        );
        let eventually = property.expectation == stateright::Expectation::Eventually;
        all &= carried || eventually;
        let verdict = if carried {
            property.verdict
        } else {
            check::Verdict::Unknown
        };
        let converted = || check::PropertyOutcome {
            name: property.name,
            expectation: property.expectation.clone(),
            verdict,
            path: None,
            loop_start: None,
        };
        if carried {
            decided.push(converted());
        }
        properties.push(converted());
    }
    let open = properties
        .iter()
        .filter(|property| {
            property.verdict == check::Verdict::Unknown
                && property.expectation != stateright::Expectation::Eventually
        })
        .map(|property| property.name)
        .collect::<Vec<_>>();
    // Nothing open: no distance is needed.
    let recorded = recorded.filter(|_| !open.is_empty());
    let whole = all.then(|| check::Outcome {
        properties,
        stats: outcome.stats,
        stop_reason: outcome.stop_reason,
        fault: None,
        later_cut: None,
    });
    Ok(DriftSearch {
        on_set,
        decided,
        open,
        stats: outcome.stats,
        outcome: whole,
        recorded,
    })
}

/// The drift-class table that guides the full system's search ([`run_guided`]),
/// which system it is of, and what the guided search did.
struct ClassGuide<P: Protocol> {
    /// Taken out while a search uses it (and for good where it became unusable).
    table: Option<ClassDistances<P>>,
    /// Of the message set's safety system ([`TimedSystem::for_safety_search`]), not the
    /// system itself.
    on_set: bool,
    /// The wall time spent computing the distances: on the recorded graph, and in the
    /// second class search without subsumption where one ran.
    seconds: f64,
    /// Filled in by the guided search.
    report: Option<report::GuidedSearch>,
}

/// The guide for the full system's search of what the search on drift classes found
/// but cannot show a run of (`drift.open`): each class's distance to the nearest class
/// that decides each, in the class graph that search recorded
/// ([`ClassDistances::of`]). Where subsumption left classes of that graph unexpanded,
/// their distance would be that of a class that covers them, a weaker bound (and a
/// guided search that stores more): the classes are searched again without it, within
/// half of the time left, for the whole graph ([`DriftClasses::distances`]); where
/// that search is cut, the weaker bound is used. `None` where nothing is open, the
/// guide is off, or the graph is too large to index.
fn class_guide<P: Protocol>(
    model: &DriftClasses<P>,
    on_set: bool,
    drift: &mut DriftSearch<P>,
    options: &CheckOptions,
    budget: &check::Budget,
) -> Option<ClassGuide<P>> {
    let recorded = drift.recorded.take()?;
    if drift.open.is_empty() || !options.class_guide {
        return None;
    }
    let started = std::time::Instant::now();
    let symmetric = options.symmetry && model.system().is_symmetric();
    let whole = || {
        let options = CheckOptions {
            subsumption: false,
            ..options.clone()
        };
        let own = budget.half_of_the_time_left();
        model.distances(&drift.open, symmetric, &options, &own)
    };
    // The recording's own distances first, so that its graph is freed before any
    // second search.
    let covered = !recorded.graph.covered.is_empty();
    let recorded = ClassDistances::of(model, symmetric, &drift.open, recorded);
    let table = match covered.then(whole).flatten() {
        Some(exact) => exact,
        None => recorded?,
    };
    Some(ClassGuide {
        table: Some(table),
        on_set,
        seconds: started.elapsed().as_secs_f64(),
        report: None,
    })
}

/// [`check::run_reduced`] guided by drift-class distances where `guide` has them
/// ([`check::Guide`]): the BFS expands only the states whose depth plus the distance of
/// their class to the nearest class that decides a property still open is within a
/// bound, starting at the initial state's. A run that decides some properties hands
/// them on (each at the depth the unguided search decides it, with its path); where a
/// run ends with states left unexpanded and something still open, the next searches
/// for the rest alone, with the bound raised to the least that expands one of them.
/// So it ends with everything decided, or with nothing pruned (the full search), or at
/// a limit of the check; where the table contradicts the class search, the rest is
/// searched unguided. The class distance never exceeds a run's length, so verdicts
/// and path lengths are the unguided search's. Fills in `guide.report`.
fn run_guided<P: Protocol>(
    model: &TimedSystem<P>,
    options: &CheckOptions,
    canonical: Option<Canonicalize<TimedSystem<P>>>,
    facts: Facts<TimedSystem<P>>,
    budget: &check::Budget,
    guide: Option<&mut ClassGuide<P>>,
) -> check::Outcome<TimedSystem<P>> {
    let Some((guide, table)) = guide.and_then(|guide| guide.table.take().map(|t| (guide, t)))
    else {
        return check::run_reduced(model, options, canonical, facts, budget);
    };
    let names = table.names().to_vec();
    let mut open: Vec<usize> = (0..names.len())
        .filter(|&at| !facts.decided.contains(&names[at]))
        .collect();
    let mut report = report::GuidedSearch {
        classes: table.len(),
        table_seconds: guide.seconds,
        runs: 0,
        bound: 0,
        unexpanded: 0,
        earlier_states: 0,
        earlier_seconds: 0.0,
        on_set: guide.on_set,
        unguided_last: false,
    };
    // What earlier runs decided, with their paths.
    let mut found: Vec<check::PropertyOutcome<TimedSystem<P>>> = Vec::new();
    let mut table = Some(table);
    let mut bound = 0;
    let unguided = |found: &[check::PropertyOutcome<TimedSystem<P>>],
                    report: &mut report::GuidedSearch| {
        report.unguided_last = true;
        let facts = Facts {
            decided: with_found(&facts.decided, found),
            ..facts.clone()
        };
        check::run_reduced(model, options, canonical, facts, budget)
    };
    let outcome = loop {
        let Some(shared) = table.take().map(std::sync::Arc::new) else {
            break unguided(&found, &mut report);
        };
        let among = open.clone();
        let distances = std::sync::Arc::clone(&shared);
        let lower: check::LowerBound<crate::system::SystemState<P>> =
            std::sync::Arc::new(move |state| distances.lower(state, &among));
        let start = stateright::Model::init_states(model)
            .iter()
            .map(|state| lower(state))
            .min()
            .unwrap_or(usize::MAX);
        // No class that decides what is open is within reach in the table, yet the
        // class search found one there: the table is not to be trusted.
        if start == usize::MAX {
            break unguided(&found, &mut report);
        }
        bound = bound.max(start);
        let run = check::Guide::new(bound, lower);
        let guided_facts = Facts {
            guide: Some(run.clone()),
            decided: with_found(&facts.decided, &found),
            ..facts.clone()
        };
        let outcome = check::run_reduced(model, options, canonical, guided_facts, budget);
        report.runs += 1;
        report.bound = bound;
        report.unexpanded = run.pruned();
        let cut_by_guide = outcome.stop_reason == check::StopReason::DepthLimit
            && run.pruned() > 0
            && options.max_depth.is_none();
        let least = run.least_pruned();
        drop(run);
        table = std::sync::Arc::try_unwrap(shared).ok();
        if !cut_by_guide {
            break outcome;
        }
        let decided_here = |property: &check::PropertyOutcome<TimedSystem<P>>| {
            property.verdict != check::Verdict::Unknown && names.contains(&property.name)
        };
        open.retain(|&at| {
            let property = outcome.properties.iter().find(|p| p.name == names[at]);
            !property.is_some_and(decided_here)
        });
        // This run decided the last of them: everything is decided.
        if open.is_empty() {
            let mut outcome = outcome;
            outcome.stop_reason = check::StopReason::AllDecided;
            break outcome;
        }
        report.earlier_states += outcome.stats.unique_states;
        report.earlier_seconds += outcome.stats.seconds;
        found.extend(outcome.properties.into_iter().filter(decided_here));
        // Every state left out reaches neither a class that decides what is open nor
        // the table's last level, so none is left on a run to one, yet something
        // stayed open: the table is not to be trusted (as above).
        let Some(least) = least else {
            break unguided(&found, &mut report);
        };
        bound = least.max(bound + 1);
    };
    guide.report = Some(report);
    let mut outcome = outcome;
    for property in &mut outcome.properties {
        if let Some(earlier) = found.iter().position(|f| f.name == property.name) {
            *property = found.swap_remove(earlier);
        }
    }
    outcome
}

/// `decided` and the names of `found`.
fn with_found<M: stateright::Model>(
    decided: &[&'static str],
    found: &[check::PropertyOutcome<M>],
) -> Vec<&'static str> {
    let names = found.iter().map(|property| property.name);
    decided.iter().copied().chain(names).collect()
}

/// The report's `network` when only the safety search ran on the message set.
pub const SAFETY_ON_SET: &str =
    "message set for the safety search (`eventually` and metrics on the multiset network)";

/// The report's `network` when the safety search on the message set decided some
/// properties and the rest were searched on the multiset network: the set's search
/// completed, but a violation of an in-flight property's network-free part, or a run
/// needing more messages in flight than the cap allows, does not carry over. The
/// state counts (`stats`) are the multiset search's, the set's are in `set_search`.
pub const SAFETY_PARTLY_ON_SET: &str =
    "message set for the safety properties it decided (an `always` that holds there, a \
     run found there that replays on the multiset network); the rest, `eventually` and \
     metrics on the multiset network";

/// The report's `network` when only the safety search ran on the message set and the
/// check has an `always` property with an in-flight part
/// ([`Property::always_or_in_flight`](crate::system::Property::always_or_in_flight)),
/// searched there by its part that reads no network (held there, or violated by a run
/// that violates the whole property on the multiset network).
pub const SAFETY_ON_SET_BY_NETWORK_FREE_PARTS: &str =
    "message set for the safety search (a property that a message in flight may make \
     true checked there by its part that reads no network; `eventually` and metrics on \
     the multiset network)";

/// The safety search of a check whose `eventually` properties, or the in-flight parts
/// of its `always` properties, alone keep the message set off
/// ([`TimedSystem::for_safety_search`]), run on the set, when its verdicts are
/// the system's own: the search completed (or stopped with every property decided),
/// every `always` property holds (deadlock freedom included, which may hold by its
/// rule before the end) or is violated by a run that lifts to `system` and violates
/// it there too, and every `sometimes` property is unreached or reached by an example
/// that lifts to `system` ([`TimedSystem::lift_path`]: the same length, and no path
/// of `system` is shorter, since the set's shortest is the uncapped network's). The
/// paths come back lifted, so every path of the outcome is one of `system`;
/// `eventually` and the metrics are then decided on `system` as before
/// ([`OnSet::Taken`]). Where the set's search completed but some property does not
/// carry over (a dead end, a violation of an in-flight property's network-free part,
/// or a run that needs more messages in flight than `system` allows), those are
/// searched on `system` and the rest kept ([`OnSet::Partly`]).
fn safety_on_message_set<P: Protocol>(
    system: &TimedSystem<P>,
    options: &CheckOptions,
    canonical: Option<Canonicalize<TimedSystem<P>>>,
    decided_before: &[&'static str],
    budget: &check::Budget,
    guide: Option<&mut ClassGuide<P>>,
) -> OnSet<TimedSystem<P>> {
    if options.strategy != check::Strategy::Bfs {
        return OnSet::NotUsed;
    }
    let Some(safety) = system.for_safety_search() else {
        return OnSet::NotUsed;
    };
    let facts = check::Facts {
        decided: decided_before.to_vec(),
        ..safety.facts()
    };
    let mut outcome = run_guided(&safety, options, canonical, facts, budget, guide);
    // Complete, or stopped once every property was decided (an `always` decided
    // before the end is violated, or holds by a rule: `deadlock_free`). Or cut by a
    // limit of the whole check (time, memory, cancellation), which leaves nothing for
    // a search of `system`: then what carries over is reported, the rest `unknown`.
    let complete = outcome.complete();
    if !complete && budget.exhausted().is_none() {
        return OnSet::NotUsed;
    }
    let mut all_carried = true;
    for property in &mut outcome.properties {
        let carried = match (&property.expectation, property.verdict) {
            (stateright::Expectation::Always, check::Verdict::Holds)
            | (stateright::Expectation::Sometimes, check::Verdict::Unreached)
            | (stateright::Expectation::Eventually, _)
            | (_, check::Verdict::Unknown) => true,
            (stateright::Expectation::Sometimes, check::Verdict::Reached) => {
                lift_into(&safety, system, property, false)
            }
            // A violation whose run lifts and is one on `system` too (not so for a
            // property searched by its network-free part, or a dead end of the set).
            (stateright::Expectation::Always, check::Verdict::Violated) => {
                property.name != check::DEADLOCK_PROPERTY
                    && lift_into(&safety, system, property, true)
            }
            _ => false,
        };
        if !carried {
            all_carried = false;
            property.verdict = check::Verdict::Unknown;
            property.path = None;
        }
    }
    if all_carried || !complete {
        return OnSet::Taken(outcome);
    }
    let decided: Vec<_> = outcome
        .properties
        .into_iter()
        .filter(|property| {
            property.verdict != check::Verdict::Unknown
                && property.expectation != stateright::Expectation::Eventually
                && property.name != check::DEADLOCK_PROPERTY
        })
        .collect();
    if decided.is_empty() {
        OnSet::NotUsed
    } else {
        OnSet::Partly(decided, outcome.stats)
    }
}

/// How much of a check's safety search ran on the message set, for its report.
enum SetUse {
    /// None of it.
    None,
    /// All of it.
    Whole,
    /// The properties it decided; the rest searched on the multiset network, with the
    /// set search's statistics.
    Partly(check::Stats),
}

/// What the safety search on the message set settled ([`safety_on_message_set`]).
enum OnSet<M: stateright::Model> {
    /// Not tried, or nothing of it carries over: search the system as it is.
    NotUsed,
    /// The whole safety outcome (paths lifted): the rest of the check goes on from it.
    Taken(check::Outcome<M>),
    /// The safety properties it decided (paths lifted); the others are searched on the
    /// system.
    Partly(Vec<check::PropertyOutcome<M>>, check::Stats),
}

/// Replaces `property`'s path, a run of `set`, by the same run of `system`; `false`
/// when it does not lift (it needs more messages in flight than `system` allows) or
/// the property's value at its end in `system` is not the one found on the set: false
/// for a `violation`, true for an example (which, by `Protocol::MESSAGE_SET`'s
/// contract, it always is; checked all the same).
fn lift_into<P: Protocol>(
    set: &TimedSystem<P>,
    system: &TimedSystem<P>,
    property: &mut check::PropertyOutcome<TimedSystem<P>>,
    violation: bool,
) -> bool {
    let Some(lifted) = property
        .path
        .as_ref()
        .and_then(|path| set.lift_path(system, path))
    else {
        return false;
    };
    if system.property_holds(property.name, lifted.last_state()) != Some(!violation) {
        return false;
    }
    property.path = Some(lifted);
    true
}

/// Replaces each shortest safety counterexample by one of the same length that breaks
/// the fewest relaxed assumptions, and records whether that was established
/// (`report/fewest.rs`). BFS only: other strategies' counterexamples are not the
/// shortest, so "equally short" means nothing there.
fn take_fewest_breaks<P: Protocol>(
    system: &TimedSystem<P>,
    checked: &mut Checked<TimedSystem<P>>,
    options: &CheckOptions,
    budget: &check::Budget,
) {
    if options.strategy != check::Strategy::Bfs {
        return;
    }
    let Checked { outcome, report } = checked;
    for (found, property) in outcome.properties.iter_mut().zip(&mut report.properties) {
        if property.kind != PropertyKind::Always || property.name == check::DEADLOCK_PROPERTY {
            continue;
        }
        let Some(trace) = property.counterexample.as_mut() else {
            continue;
        };
        while trace.loop_start.is_none() && !trace.breaks.is_empty() {
            match report::fewest::fewer(system, trace, &property.name, options, budget) {
                Fewer::Found(path, explained) => {
                    *trace = explained;
                    found.path = Some(path);
                }
                Fewer::None => {
                    trace.fewest_breaks = Some(FewestBreaks::Fewest);
                    break;
                }
                Fewer::Unconfirmed => {
                    trace.fewest_breaks = Some(FewestBreaks::Unconfirmed);
                    break;
                }
            }
        }
    }
}

/// An error when the protocol did something the engine cannot represent (a timer
/// longer than its declared largest time constant): no verdict about it holds.
pub fn cap_check<P: Protocol>(system: &TimedSystem<P>) -> Result<(), SystemError> {
    match system.cap_violation() {
        Some(violation) => match violation.strip_prefix(crate::system::SYMMETRY_BROKEN) {
            Some(reason) => Err(SystemError::Asymmetric(reason.to_string())),
            None => match violation.strip_prefix(crate::system::OFFSETS_UNSTORED) {
                Some(reason) => Err(SystemError::UnstoredRead(reason.to_string())),
                None => Err(SystemError::CapExceeded(violation)),
            },
        },
        None => Ok(()),
    }
}

/// The maximum of each model metric ([`Explain::metrics`]) over the reachable states:
/// a second pass, run only for models that define metrics, within `budget`. When a
/// limit stops it, the maxima seen so far (lower bounds) come back with the limit.
#[allow(clippy::type_complexity)]
fn metric_maxima<M>(
    model: &M,
    budget: &check::Budget,
) -> Result<BTreeMap<String, u64>, (BTreeMap<String, u64>, check::StopReason)>
where
    M: Explain,
    M::State: Hash,
{
    let initial = model.init_states();
    if initial
        .first()
        .is_none_or(|state| model.metrics(state).is_empty())
    {
        return Ok(BTreeMap::new());
    }
    let graph_limit = budget
        .max_states()
        .unwrap_or(crate::liveness::LIVENESS_STATES_DEFAULT);
    (budget.progress()).phase_at(check::Phase::Metrics, 0);
    let mut maxima = BTreeMap::new();
    let mut seen: std::collections::HashSet<u64> = initial.iter().map(check::fingerprint).collect();
    let mut queue: std::collections::VecDeque<(M::State, usize)> =
        initial.into_iter().map(|state| (state, 0)).collect();
    let mut cut = None;
    let mut expanded = 0usize;
    while let Some((state, depth)) = queue.pop_front() {
        for (name, value) in model.metrics(&state) {
            let slot = maxima.entry(name.to_string()).or_insert(0);
            *slot = (*slot).max(value);
        }
        expanded += 1;
        if expanded % check::CHECK_EVERY_STATES == 0 {
            (budget.progress()).phase_at(check::Phase::Metrics, seen.len());
            if let Some(reason) = budget.exhausted() {
                return Err((maxima, reason));
            }
        }
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        for action in actions {
            let Some(next) = model.next_state(&state, action) else {
                continue;
            };
            if budget.depth_reached(depth) {
                cut.get_or_insert(check::StopReason::DepthLimit);
                break;
            }
            if !seen.insert(check::fingerprint(&next)) {
                continue;
            }
            if seen.len() > graph_limit {
                return Err((maxima, check::StopReason::StateLimit));
            }
            queue.push_back((next, depth + 1));
        }
    }
    match cut {
        Some(reason) => Err((maxima, reason)),
        None => Ok(maxima),
    }
}
