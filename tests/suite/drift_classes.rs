//! Drift classes (`system::DriftClasses`): the safety search first stores one state per
//! class of the clock drifts a node can undo, and takes from it only what needs no
//! path (an `always` that holds, a `sometimes` never reached). These tests check the
//! claim that makes those verdicts sound on real spaces — the states it reaches are
//! exactly the class fronts of the full system's reachable states — and that checks
//! with and without it agree on every verdict and every path length.

use std::collections::HashSet;
use synccheck::check::{self, CheckOptions};
use synccheck::models::recovery::concurrent_failover::ConcurrentFailover;
use synccheck::models::replication::lww_register::LwwRegister;
use synccheck::models::replication::primary_backup::PrimaryBackup;
use synccheck::models::retry::at_least_once_queue::AtLeastOnceQueue;
use synccheck::models::retry::backoff_jitter::BackoffJitter;
use synccheck::report::CheckReport;
use synccheck::system::{
    Assumption, AssumptionSet, Context, Property, Protocol, SystemError, TimedSystem,
};
use synccheck::testing::{self, declared};

/// `protocol` under `set`, with each of `hold` held (after `set`).
fn under<P: Protocol>(
    protocol: P,
    mut set: AssumptionSet,
    hold: &[(Assumption, Option<u32>)],
) -> TimedSystem<P> {
    for (assumption, bound) in hold {
        set.hold(*assumption, *bound).expect("a valid bound");
    }
    TimedSystem::new(protocol, set).expect("within the engine's limits")
}

/// Every assumption relaxed but `hold`.
fn relaxed_but<P: Protocol>(protocol: P, hold: &[(Assumption, Option<u32>)]) -> TimedSystem<P> {
    under(protocol, AssumptionSet::all_relaxed(), hold)
}

/// The protocol's own defaults, then `hold`.
fn defaults_and<P: Protocol>(protocol: P, hold: &[(Assumption, Option<u32>)]) -> TimedSystem<P> {
    let set = protocol.default_assumptions();
    under(protocol, set, hold)
}

/// The full system has `states` reachable states, whose drift fronts are `classes`
/// distinct states, and those are exactly the states `DriftClasses` reaches: nothing
/// the full system reaches is missing (what a `holds` from it needs), and nothing is
/// there that the full system does not reach.
#[track_caller]
fn assert_fronts_of_the_full_space<P: Protocol>(
    system: &TimedSystem<P>,
    states: usize,
    classes: usize,
) {
    let full = check::first_states(system, usize::MAX);
    assert_eq!(full.len(), states, "states of the full system");
    let fronts: HashSet<u64> = full
        .into_iter()
        .map(|state| check::fingerprint(&system.drift_representative(state)))
        .collect();
    let drift = system.drift_classes().expect("drift classes apply");
    let reached: HashSet<u64> = check::first_states(&drift, usize::MAX)
        .iter()
        .map(check::fingerprint)
        .collect();
    assert_eq!(fronts.len(), classes, "fronts of the full system's states");
    assert_eq!(reached.len(), classes, "states of the drift classes");
    let missing = fronts.difference(&reached).count();
    let extra = reached.difference(&fronts).count();
    assert!(
        missing == 0 && extra == 0,
        "{missing} fronts not reached, {extra} states reached that are no front"
    );
}

/// Skew relaxed (offsets not stored): a node's one timer may be anywhere up to the
/// time cap, so a class keeps only the timers' differences.
#[test]
fn primary_backup_with_skew_relaxed() {
    let system = relaxed_but(
        declared::<PrimaryBackup>(&[("variant", "sync")]),
        &[(Assumption::NoDuplication, None)],
    );
    assert_fronts_of_the_full_space(&system, 10_884, 1_414);
}

/// Skew held: offsets within ±ε move with the timers along one line.
#[test]
fn primary_backup_with_skew_held() {
    let system = relaxed_but(
        declared::<PrimaryBackup>(&[("variant", "sync")]),
        &[
            (Assumption::NoDuplication, None),
            (Assumption::BoundedSkew, Some(1)),
        ],
    );
    assert_fronts_of_the_full_space(&system, 163_782, 8_800);
}

/// Every timing assumption held (`timely_timers`: a Tick forbidden at a front may be
/// allowed with the clocks behind; `bounded_delay`: deadlocks are searched), skew 1.
#[test]
fn at_least_once_queue_with_timing_held_and_skew_one() {
    let system = defaults_and(
        declared::<AtLeastOnceQueue>(&[("variant", "ack_after")]),
        &[(Assumption::BoundedSkew, Some(1))],
    );
    assert_fronts_of_the_full_space(&system, 41_751, 577);
}

/// A replica keeps its wall clock with a one-tick timer, which drifts move: every
/// position of the node's class is tried. (Handlers that read their clock offset are
/// compared in `generated_protocols.rs`.)
#[test]
fn lww_register_keeps_its_clock_with_a_timer() {
    let system = defaults_and(
        declared::<LwwRegister>(&[("variant", "physical")]),
        &[(Assumption::BoundedSkew, Some(2))],
    );
    assert_fronts_of_the_full_space(&system, 37_912, 2_927);
}

/// Timers with a firing window (jitter), every assumption relaxed but duplication.
#[test]
fn backoff_jitter_windows() {
    let system = relaxed_but(
        declared::<BackoffJitter>(&[("jitter", "full")]),
        &[(Assumption::NoDuplication, None)],
    );
    assert_fronts_of_the_full_space(&system, 3_924, 904);
}

/// Pauses and crashes relaxed (a crashed node keeps its offset and does not drift; a
/// paused one drifts), with its `eventually` property keeping every quantity stored.
#[test]
fn concurrent_failover_with_pauses_and_crashes() {
    let system = relaxed_but(
        declared::<ConcurrentFailover>(&[]),
        &[(Assumption::NoDuplication, None)],
    );
    assert_fronts_of_the_full_space(&system, 4_861, 3_581);
}

fn run(
    registry: &synccheck::registry::Registry,
    check: &synccheck::plan::PlanCheck,
    drift_classes: bool,
    base: CheckOptions,
    states_max: usize,
) -> Option<CheckReport> {
    let options = CheckOptions {
        max_states: Some(check.max_states.unwrap_or(states_max).min(states_max)),
        drift_classes,
        ..base
    };
    registry.run(&check.request, &options).ok()
}

/// The plan checks compared: those whose search without drift classes completes within
/// this many states.
const PLAN_STATES_MAX: usize = 60_000;

/// Plan checks the depth-first comparison leaves out without searching them to
/// [`PLAN_STATES_MAX`]: their DFS without drift classes does not finish within it
/// (`at_least_once_queue`'s space on the multiset network does not end: with crashes
/// unbounded a restarted consumer sends again, and sends are not capped), and goes
/// about 27 000 deep, into states that grow with the depth. Searched to 60 000 states,
/// they took 18 of the 28 CPU seconds the DFS without classes took over the whole plan.
/// Each is asserted still unfinished within [`TOO_DEEP_PROBE_STATES`], where the whole
/// plan's DFS takes about 7 CPU seconds.
const DFS_TOO_DEEP: [&str; 3] = [
    "at_least_once_queue idempotent_consumer, everything relaxed",
    "at_least_once_queue ack_after, everything relaxed",
    "two_phase_commit_timed blocking, everything relaxed",
];
const TOO_DEEP_PROBE_STATES: usize = 20_000;

/// Every plan check of the catalog whose search without drift classes completes
/// within [`PLAN_STATES_MAX`] states, searched under `options` without and with them:
/// `agree(name, without, with)` on each pair, and what the classes decided is an
/// `always` that holds or a `sometimes` never reached. The checks named in `too_deep`
/// are asserted incomplete within [`TOO_DEEP_PROBE_STATES`] and left out. Returns how
/// many were compared, in how many the report names the classes, and in how many they
/// decided everything.
fn each_small_plan_check_both_ways(
    too_deep: &[&str],
    options: impl Fn() -> CheckOptions,
    agree: impl Fn(&str, &CheckReport, &CheckReport),
) -> (usize, usize, usize) {
    let registry = synccheck::catalog::registry();
    let (mut compared, mut used, mut whole, mut left_out) = (0, 0, 0, 0);
    let explored = |report: &CheckReport| {
        report.complete || report.stop_reason == check::StopReason::AllDecided
    };
    for source in registry.plans() {
        let plan = synccheck::plan::parse(&source.file, &source.text, &registry).expect("parses");
        for check in &plan.checks {
            if too_deep.contains(&check.name.as_str()) {
                let probe =
                    run(&registry, check, false, options(), TOO_DEEP_PROBE_STATES).expect("runs");
                assert!(
                    !explored(&probe),
                    "{}: explored within {TOO_DEEP_PROBE_STATES} states: compare it",
                    check.name
                );
                left_out += 1;
                continue;
            }
            let Some(full) = run(&registry, check, false, options(), PLAN_STATES_MAX) else {
                continue;
            };
            if !explored(&full) {
                continue;
            }
            let drift = run(&registry, check, true, options(), PLAN_STATES_MAX)
                .expect("runs with drift classes");
            agree(&check.name, &full, &drift);
            if let Some(use_) = &drift.drift_classes {
                used += 1;
                for name in &use_.decided {
                    let verdict = drift.property(name).expect("a property").verdict;
                    assert!(
                        matches!(verdict, check::Verdict::Holds | check::Verdict::Unreached),
                        "{}: {name} {verdict:?}",
                        check.name
                    );
                }
                if use_.search.is_none() {
                    whole += 1;
                }
            }
            compared += 1;
        }
    }
    assert_eq!(
        left_out,
        too_deep.len(),
        "a check named as too deep is not in the plans"
    );
    eprintln!("{compared} compared, drift classes used in {used}, deciding all in {whole}");
    (compared, used, whole)
}

/// Every plan check of the catalog small enough, with and without drift classes: the
/// same verdicts, example and counterexample lengths and numbers of breaks; where the
/// drift classes decided something, the report says what.
#[test]
fn plan_checks_agree_with_and_without_drift_classes() {
    let breaks = |report: &CheckReport| -> Vec<Option<usize>> {
        report
            .properties
            .iter()
            .map(|p| p.counterexample.as_ref().map(|t| t.breaks.len()))
            .collect()
    };
    let (compared, used, _) =
        each_small_plan_check_both_ways(&[], CheckOptions::default, |name, full, drift| {
            assert_eq!(testing::summary(drift), testing::summary(full), "{name}");
            assert_eq!(breaks(drift), breaks(full), "{name}");
            if let Some(use_) = &drift.drift_classes {
                // Named only where it decided something or guided the full search.
                assert!(!use_.decided.is_empty() || use_.guided.is_some(), "{name}");
            }
        });
    assert!(compared >= 80, "only {compared} compared");
    assert!(used >= 7, "drift classes used in only {used}");
}

/// The same plan checks searched depth first: the classes are searched depth first too
/// (unguided), and every verdict is the one the DFS gives without them; what they
/// decide is a `holds` or an `unreached`, and the full system's DFS finds the rest.
#[test]
fn plan_checks_agree_with_and_without_drift_classes_depth_first() {
    let dfs = || CheckOptions {
        strategy: check::Strategy::Dfs,
        threads: 1,
        ..CheckOptions::default()
    };
    let verdicts = |report: &CheckReport| -> Vec<(String, check::Verdict)> {
        (report.properties.iter())
            .map(|p| (p.name.clone(), p.verdict))
            .collect()
    };
    let (compared, used, _) =
        each_small_plan_check_both_ways(&DFS_TOO_DEEP, dfs, |name, full, drift| {
            assert_eq!(verdicts(drift), verdicts(full), "{name}");
            if let Some(use_) = &drift.drift_classes {
                assert!(!use_.decided.is_empty(), "{name}");
            }
        });
    assert!(compared >= 80, "only {compared} compared");
    // Named where they decided something (no guide follows a DFS): 6 when written.
    assert!(used >= 5, "drift classes used in only {used}");
}

synccheck::nodes! {
    enum Node {
        Ticker = "ticker" [stable],
    }
}

/// One node with a timer of 2 ticks, re-armed each time it fires. Its property reads
/// the timer's remaining ticks, which drift classes do not tell apart.
#[derive(Clone, Debug)]
struct TimerReader;

impl Protocol for TimerReader {
    type Node = Node;
    type State = u8;
    type Durable = ();
    type Msg = ();
    type Timer = ();
    type Ghost = ();
    const LEAN_STATE: bool = true;
    fn largest_time_constant_ticks(&self) -> u32 {
        2
    }
    fn default_assumptions(&self) -> AssumptionSet {
        AssumptionSet::default()
    }
    fn on_start(&self, _: Node, ctx: &mut Context<'_, Self>) -> u8 {
        ctx.set_timer((), 2);
        0
    }
    fn on_message(&self, _: Node, _: &mut u8, _: Node, _: &(), _: &mut Context<'_, Self>) {}
    fn on_timer(&self, _: Node, fired: &mut u8, _: &(), ctx: &mut Context<'_, Self>) {
        *fired = fired.saturating_add(1).min(2);
        ctx.set_timer((), 2);
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("timer_never_two_away", |_, state| {
            state
                .nodes
                .iter()
                .all(|record| record.timers.iter().all(|timer| timer.remaining_ticks != 2))
        })]
    }
}

/// The check `builder` makes ends with the audit's error (`SystemError::LeanContract`),
/// whose message says every one of `needles`.
#[track_caller]
fn assert_contract_error(builder: testing::CheckBuilder<TimerReader>, needles: &[&str]) {
    match builder.try_run() {
        Err(error @ SystemError::LeanContract(_)) => {
            let message = error.to_string();
            assert!(
                needles.iter().all(|needle| message.contains(needle)),
                "{message}"
            );
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("the check ran"),
    }
}

/// A `LEAN_STATE` protocol whose property reads timers' remaining ticks: drift
/// classes would mislead it (every front has its timer at 0, the property holds on
/// all of them), so the audit ends the check with an error naming the property;
/// `--no-drift-classes` gets the violation.
#[test]
fn a_property_that_reads_timers_breaks_the_contract_drift_classes_rely_on() {
    let builder = || testing::check(TimerReader).relax("bounded_skew");
    assert_contract_error(
        builder(),
        &[
            "property `timer_never_two_away` reads timers' remaining ticks or clock offsets",
            "--no-drift-classes",
        ],
    );
    let misled = builder().lean_audit(0).run();
    misled.assert_holds("timer_never_two_away");
    let right = builder().no_drift_classes().run();
    assert_eq!(right.assert_violated("timer_never_two_away").length, 0);
}

/// The same property where timers may fire late and clocks keep exact time (no drift
/// classes): subsumption counts timers' remaining ticks there (a nearer timer covers a
/// further one), so the audit ends the check with an error naming the property;
/// `--no-subsumption` gets the violation.
#[test]
fn a_property_that_reads_timers_breaks_the_contract_subsumption_relies_on() {
    let builder = || testing::check(TimerReader).relax("timely_timers");
    assert_contract_error(
        builder(),
        &[
            "property `timer_never_two_away` reads timers' remaining ticks",
            "every timer at its deadline",
            "--no-subsumption",
        ],
    );
    let right = builder().no_subsumption().run();
    assert_eq!(right.assert_violated("timer_never_two_away").length, 0);
    // Held, `timely_timers` lets no nearer timer cover a further one: nothing to audit.
    let held = testing::check(TimerReader).run();
    assert_eq!(held.assert_violated("timer_never_two_away").length, 0);
}

/// A search on drift classes that a limit stops before it decides anything is in the
/// report (why, and how far it got), not a silent share of the check's budget; the
/// full system is searched after it, and the classes decided nothing.
#[test]
fn a_drift_class_search_cut_short_is_reported() {
    let request = synccheck::request::CheckRequest {
        model: "raft_vote_persistence".to_string(),
        params: Default::default(),
        changes: synccheck::request::AssumptionChanges {
            relax_all: true,
            hold: vec!["no_duplication".to_string()],
            relax: Vec::new(),
        },
    };
    let options = CheckOptions {
        max_states: Some(50_000),
        ..CheckOptions::default()
    };
    let report = synccheck::catalog::registry()
        .run(&request, &options)
        .expect("the check runs");
    let cut = report
        .drift_classes_cut
        .as_ref()
        .expect("the class search was cut");
    assert_eq!(cut.stop_reason, check::StopReason::StateLimit);
    assert!(cut.stats.unique_states >= 50_000, "{cut:?}");
    assert!(report.drift_classes.is_none(), "it decided nothing");
    let text = synccheck::report::render_human(&report);
    assert!(
        text.contains("drift classes: stopped: state limit after "),
        "{text}"
    );
    // Without the limit it finishes, and nothing is reported cut.
    let whole = synccheck::catalog::registry()
        .run(&request, &CheckOptions::default())
        .expect("the check runs");
    assert!(whole.drift_classes_cut.is_none());
    assert!(whole.complete);
}
