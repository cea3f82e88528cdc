//! Subsumption (`check::Subsume`, `TimedSystem::slack`): under a held delay or pause
//! bound, a state whose messages are younger and whose pauses are shorter than
//! another's, all else equal, covers it, and the BFS expands only states no expanded one
//! covers. These tests check the contract on every covered pair of real state spaces,
//! and that the search with it gets the verdicts and counterexample lengths of the
//! search without it, with counts that do not depend on the thread count.

use stateright::Model;
use synccheck::check::{self, Budget, CheckOptions, StopReason, Verdict};
use synccheck::models::replication::primary_backup::{AckMode, PrimaryBackup};
use synccheck::system::{Assumption, TimedSystem};
use synccheck::testing;

/// With the catalog's default parameters (as `synccheck check primary_backup`).
fn primary_backup(ack_mode: AckMode) -> PrimaryBackup {
    PrimaryBackup {
        ack_mode,
        heartbeat_ticks: 2,
        failover_timeout_ticks: 4,
        write_after_ticks: 4,
    }
}

/// Every assumption relaxed but duplication, with the delay and the pause held at
/// `delay` and `pause` (`None`: relaxed).
fn held(ack_mode: AckMode, delay: Option<u32>, pause: Option<u32>) -> TimedSystem<PrimaryBackup> {
    let mut hold = vec![(Assumption::NoDuplication, None)];
    let mut relax: Vec<Assumption> = Assumption::ALL
        .into_iter()
        .filter(|a| *a != Assumption::NoDuplication)
        .collect();
    for (assumption, bound) in [
        (Assumption::BoundedDelay, delay),
        (Assumption::BoundedPause, pause),
    ] {
        if let Some(bound) = bound {
            relax.retain(|a| *a != assumption);
            hold.push((assumption, Some(bound)));
        }
    }
    testing::system_holding(primary_backup(ack_mode), &hold, &relax)
}

fn search(
    system: &TimedSystem<PrimaryBackup>,
    threads: usize,
    subsume: bool,
) -> check::Outcome<TimedSystem<PrimaryBackup>> {
    let options = CheckOptions {
        threads,
        fault: system.fault(),
        subsumption: subsume,
        ..CheckOptions::default()
    };
    check::run_reduced(
        system,
        &options,
        None,
        system.facts(),
        &Budget::start(&options),
    )
}

type Verdicts = Vec<(&'static str, Verdict, Option<usize>)>;

fn verdicts(outcome: &check::Outcome<TimedSystem<PrimaryBackup>>) -> Verdicts {
    outcome
        .properties
        .iter()
        .map(|p| (p.name, p.verdict, p.path.as_ref().map(|path| path.len())))
        .collect()
}

/// The contract of `check::Subsume`, pair by pair: where one reachable state covers
/// another, the two agree on every property, the covered one has a step wherever the
/// covering one has, and each successor of the covered one is covered by a successor of
/// the covering one.
#[test]
fn a_state_with_younger_messages_and_shorter_pauses_simulates_the_older_one() {
    for ack_mode in [AckMode::Sync, AckMode::Async] {
        let system = held(ack_mode, Some(2), Some(2));
        assert!(system.subsumes());
        let states = testing::first_states(&system, 40_000);
        let mut by_frame: std::collections::HashMap<u64, Vec<usize>> = Default::default();
        let slacks: Vec<_> = states.iter().map(|s| system.slack(s)).collect();
        for (index, slack) in slacks.iter().enumerate() {
            by_frame.entry(slack.frame).or_default().push(index);
        }
        let successors = |state| {
            let mut actions = Vec::new();
            system.actions(state, &mut actions);
            actions
                .into_iter()
                .filter_map(|action| system.next_state(state, action))
                .map(|next| system.slack(&next))
                .collect::<Vec<_>>()
        };
        let properties = system.properties();
        let mut pairs = 0;
        for members in by_frame.values() {
            for &young in members {
                for &old in members {
                    if young == old || !slacks[young].covers(&slacks[old]) {
                        continue;
                    }
                    pairs += 1;
                    let (a, b) = (&states[young], &states[old]);
                    for property in &properties {
                        assert_eq!(
                            (property.condition)(&system, a),
                            (property.condition)(&system, b),
                            "{ack_mode:?}: `{}` differs on a covered pair",
                            property.name
                        );
                    }
                    let (from_a, from_b) = (successors(a), successors(b));
                    assert!(
                        from_b.is_empty() <= from_a.is_empty(),
                        "{ack_mode:?}: the older state is stuck where the younger is not"
                    );
                    for next in &from_b {
                        assert!(
                            from_a.iter().any(|candidate| candidate.covers(next)),
                            "{ack_mode:?}: a step of the older state no step of the \
                             younger one matches"
                        );
                    }
                }
            }
        }
        assert!(pairs > 1_000, "{ack_mode:?}: only {pairs} covered pairs");
    }
}

/// The search with subsumption against the search without: the same verdicts and
/// counterexample lengths, fewer states, and the same counts at 1, 2 and 3 threads.
#[test]
fn subsumption_keeps_every_verdict_and_length_and_its_counts_do_not_depend_on_threads() {
    let cases = [
        ("sync, delay 2", held(AckMode::Sync, Some(2), None)),
        ("async, delay 2", held(AckMode::Async, Some(2), None)),
        ("sync, pause 2", held(AckMode::Sync, None, Some(2))),
        (
            "async, delay 4, pause 2",
            held(AckMode::Async, Some(4), Some(2)),
        ),
        (
            "sync, default assumptions",
            testing::system(primary_backup(AckMode::Sync), &[]),
        ),
    ];
    for (label, system) in &cases {
        assert!(system.subsumes(), "{label}");
        let full = search(system, 1, false);
        let reduced = search(system, 1, true);
        assert_eq!(verdicts(&full), verdicts(&reduced), "{label}");
        assert_eq!(full.stop_reason, reduced.stop_reason, "{label}");
        assert!(
            matches!(
                full.stop_reason,
                StopReason::Complete | StopReason::AllDecided
            ),
            "{label}"
        );
        assert_eq!(full.stats.subsumed_states, None, "{label}");
        let subsumed = reduced.stats.subsumed_states.unwrap_or(0);
        assert!(subsumed > 0, "{label}: nothing subsumed");
        assert!(
            reduced.stats.unique_states < full.stats.unique_states,
            "{label}"
        );
        for property in &reduced.properties {
            if let Some(path) = &property.path {
                testing::assert_replays(system, path);
            }
        }
        for threads in [2, 3] {
            let parallel = search(system, threads, true);
            assert_eq!(
                parallel.stats.unique_states, reduced.stats.unique_states,
                "{label}"
            );
            assert_eq!(
                parallel.stats.generated_states, reduced.stats.generated_states,
                "{label}"
            );
            assert_eq!(
                parallel.stats.subsumed_states, reduced.stats.subsumed_states,
                "{label}"
            );
            assert_eq!(verdicts(&parallel), verdicts(&reduced), "{label}");
        }
    }
}

/// Issue 15's growth target, on `primary_backup`'s fixed design with everything relaxed
/// but duplication and the delay bound held at 1, 2, 4, 8: at most 2× states per
/// doubling (24 372, 44 200, 106 296, 344 188 states without subsumption: 1.81×, 2.40×,
/// 3.24×).
#[test]
fn with_subsumption_states_grow_less_than_twofold_per_doubling_of_the_delay_bound() {
    let counts: Vec<usize> = [1, 2, 4, 8]
        .into_iter()
        .map(|delay| {
            let outcome = search(&held(AckMode::Sync, Some(delay), None), 2, true);
            assert_eq!(outcome.stop_reason, StopReason::Complete, "Δ = {delay}");
            outcome.stats.unique_states
        })
        .collect();
    assert_eq!(counts, [18_297, 20_841, 27_639, 29_493]);
    for pair in counts.windows(2) {
        assert!(pair[1] <= 2 * pair[0], "{counts:?}");
    }
    let unreduced = search(&held(AckMode::Sync, Some(8), None), 2, false);
    assert_eq!(unreduced.stats.unique_states, 344_188);
}

/// Off where it cannot apply: where no held bound counts anything, and with
/// `--no-lean`.
#[test]
fn subsumption_is_off_without_a_held_bound_and_with_no_lean() {
    assert!(!held(AckMode::Sync, None, None).subsumes());
    assert!(held(AckMode::Sync, None, None).facts().subsume.is_none());
    assert!(!held(AckMode::Sync, Some(2), None)
        .without_lean_state()
        .subsumes());
}

/// Every small check of the catalog plans, with and without subsumption (all else
/// equal): the same verdicts, counterexample and example lengths, stop reasons, and
/// never more states with it.
#[test]
fn subsumption_changes_no_verdict_or_length_on_the_catalog_plans() {
    let registry = synccheck::catalog::registry();
    let run = |check: &synccheck::plan::PlanCheck, subsumption: bool| {
        let options = CheckOptions {
            max_states: Some(check.max_states.unwrap_or(200_000).min(200_000)),
            subsumption,
            ..CheckOptions::default()
        };
        registry.run(&check.request, &options).ok()
    };
    let (mut compared, mut reduced) = (0, 0);
    for source in registry.plans() {
        let plan = synccheck::plan::parse(&source.file, &source.text, &registry).expect("parses");
        for check in &plan.checks {
            let Some(on) = run(check, true) else {
                continue;
            };
            let Some(subsumed) = on.stats.subsumed_states else {
                continue;
            };
            let off = run(check, false).expect("runs without subsumption");
            if !on.complete || !off.complete {
                eprintln!("{}: not small", check.name);
                continue;
            }
            compared += 1;
            assert_eq!(on.stop_reason, off.stop_reason, "{}", check.name);
            assert!(
                on.stats.unique_states <= off.stats.unique_states,
                "{}",
                check.name
            );
            if subsumed > 0 {
                reduced += 1;
            }
            for (a, b) in on.properties.iter().zip(&off.properties) {
                let name = format!("{} {}", check.name, a.name);
                assert_eq!(
                    (a.name.as_str(), a.verdict),
                    (b.name.as_str(), b.verdict),
                    "{name}"
                );
                assert_eq!(a.example_length, b.example_length, "{name}");
                assert_eq!(
                    a.counterexample
                        .as_ref()
                        .map(|t| (t.length, t.breaks.len())),
                    b.counterexample
                        .as_ref()
                        .map(|t| (t.length, t.breaks.len())),
                    "{name}"
                );
            }
        }
    }
    eprintln!("{compared} compared, {reduced} with states left out");
    assert!(compared >= 30, "only {compared} checks under subsumption");
    assert!(
        reduced >= 20,
        "only {reduced} checks where subsumption left states out"
    );
}
