//! Verdicts of every catalog model, pinned state counts and counterexample lengths,
//! thread-count independence, and counterexamples that replay step by step.

use stateright::Model;
use synccheck::check::{self, CheckOptions, StopReason, Strategy, Verdict};
use synccheck::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing};
use synccheck::models::recovery::two_phase_commit::TwoPhaseCommit;
use synccheck::system::{Assumption, AssumptionSet, TimedSystem};
use synccheck::testing::{self, assert_replays, options};

fn lease_lock(fencing: Fencing, relax: &[Assumption]) -> TimedSystem<FencedLeaseLock> {
    let protocol = FencedLeaseLock {
        fencing,
        lease_ticks: 5,
        validity_ticks: 2,
    };
    let mut set = AssumptionSet::default();
    for assumption in relax {
        set.relax(*assumption);
    }
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

#[test]
fn two_phase_commit_counts_equal_tlc_with_any_strategy_and_thread_count() {
    // TLC's distinct-state counts for TwoPhase with 3..6 resource managers.
    for (rms, tlc_states) in [(3, 288), (4, 1_568), (5, 8_832), (6, 50_816)] {
        let model = TwoPhaseCommit::new(rms).expect("valid rms");
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            for threads in [1, 2] {
                let outcome = check::run(&model, &options(strategy, threads));
                assert_eq!(
                    outcome.stop_reason,
                    StopReason::Complete,
                    "rms={rms} {strategy:?} x{threads}"
                );
                assert_eq!(
                    outcome.stats.unique_states, tlc_states,
                    "rms={rms} {strategy:?} x{threads}"
                );
                for name in ["consistent", "type_ok", "deadlock_free"] {
                    assert_eq!(
                        outcome.property(name).map(|p| p.verdict),
                        Some(Verdict::Holds),
                        "{name}"
                    );
                }
                for name in ["commit_reached", "abort_reached"] {
                    assert_eq!(
                        outcome.property(name).map(|p| p.verdict),
                        Some(Verdict::Reached),
                        "{name}"
                    );
                }
            }
        }
    }
}

#[test]
fn two_phase_commit_bfs_examples_are_shortest() {
    let model = TwoPhaseCommit::new(3).expect("valid rms");
    let outcome = check::run(&model, &options(Strategy::Bfs, 2));
    let commit = outcome
        .property("commit_reached")
        .and_then(|p| p.path.as_ref())
        .expect("an example");
    assert_eq!(commit.len(), 10, "3 × rms + 1 steps");
    let abort = outcome
        .property("abort_reached")
        .and_then(|p| p.path.as_ref())
        .expect("an example");
    assert_eq!(abort.len(), 1);
}

#[test]
fn fenced_lease_lock_holds_in_every_variant_while_timing_holds() {
    for (fencing, states) in [
        (Fencing::None, 782),
        (Fencing::Writes, 782),
        (Fencing::All, 782),
    ] {
        let system = lease_lock(fencing, &[]);
        for threads in [1, 2] {
            let outcome = testing::search(&system, &options(Strategy::Bfs, threads));
            assert!(outcome.complete());
            assert_eq!(
                outcome.stats.unique_states, states,
                "{fencing:?} x{threads}"
            );
            let verdict = |name: &str| outcome.property(name).map(|p| p.verdict);
            assert_eq!(
                verdict("no_lost_increment"),
                Some(Verdict::Holds),
                "{fencing:?}"
            );
            assert_eq!(
                verdict("both_incremented"),
                Some(Verdict::Reached),
                "{fencing:?}"
            );
            assert_eq!(
                verdict("deadlock_free"),
                Some(Verdict::Holds),
                "{fencing:?}"
            );
            let example = outcome
                .property("both_incremented")
                .and_then(|p| p.path.as_ref())
                .expect("example");
            assert_eq!(example.len(), 15);
        }
    }
}

#[test]
fn fenced_lease_lock_pauses_break_none_and_writes_but_not_all() {
    let cases = [
        (Fencing::None, 66_584, Some(22)),
        (Fencing::Writes, 69_832, Some(22)),
        (Fencing::All, 60_720, None),
    ];
    for (fencing, states, counterexample_steps) in cases {
        let system = lease_lock(fencing, &[Assumption::BoundedPause]);
        let one = testing::search(&system, &options(Strategy::Bfs, 1));
        let two = testing::search(&system, &options(Strategy::Bfs, 2));
        assert_eq!(one.stats.unique_states, states, "{fencing:?}");
        assert_eq!(
            two.stats.unique_states, states,
            "{fencing:?} with 2 threads"
        );
        let property = one.property("no_lost_increment").expect("declared");
        match counterexample_steps {
            Some(steps) => {
                assert_eq!(property.verdict, Verdict::Violated, "{fencing:?}");
                let path = property.path.as_ref().expect("a counterexample");
                assert_eq!(path.len(), steps, "{fencing:?}");
                assert_eq!(
                    two.property("no_lost_increment")
                        .and_then(|p| p.path.as_ref())
                        .map(|p| p.len()),
                    Some(steps)
                );
                assert_replays(&system, path);
                let last = path.last_state();
                assert_eq!(last.ghost.acknowledged, 2, "both increments acknowledged");
                let properties = system.properties();
                let condition = properties
                    .iter()
                    .find(|p| p.name == "no_lost_increment")
                    .expect("declared")
                    .condition;
                assert!(
                    !condition(&system, last),
                    "the last state violates the property"
                );
            }
            None => {
                assert_eq!(property.verdict, Verdict::Holds, "{fencing:?}");
                assert!(one.complete());
            }
        }
    }
}

#[test]
fn the_counterexample_names_where_bounded_pause_broke() {
    let system = lease_lock(Fencing::Writes, &[Assumption::BoundedPause]);
    let outcome = testing::search(&system, &options(Strategy::Bfs, 1));
    let params = synccheck::model::Params::default();
    let report = synccheck::report::build(
        "fenced_lease_lock",
        &params,
        Some(system.assumptions()),
        &options(Strategy::Bfs, 1),
        &system,
        &outcome,
    );
    let trace = report
        .property("no_lost_increment")
        .and_then(|p| p.counterexample.as_ref())
        .expect("a counterexample");
    assert_eq!(trace.breaks.len(), 1);
    let broken = &trace.breaks[0];
    assert_eq!(broken.assumption, "bounded_pause");
    assert_eq!(broken.held_as, "bounded_pause(0)");
    assert!(
        broken
            .sentence
            .ends_with("pauses: bounded_pause(0) broken here"),
        "{}",
        broken.sentence
    );
    let step = &trace.steps[broken.step - 1];
    assert!(step.action.ends_with("pauses"), "{}", step.action);
}

#[test]
fn a_slow_clock_breaks_the_unfenced_lease() {
    let protocol = FencedLeaseLock {
        fencing: Fencing::None,
        lease_ticks: 5,
        validity_ticks: 2,
    };
    let mut set = AssumptionSet::default();
    set.hold(Assumption::BoundedSkew, Some(1))
        .expect("valid bound");
    let system = TimedSystem::new(protocol, set).expect("within limits");
    let outcome = testing::search(&system, &options(Strategy::Bfs, 2));
    assert_eq!(
        outcome.property("no_lost_increment").map(|p| p.verdict),
        Some(Verdict::Violated)
    );
}

#[test]
fn a_state_limit_gives_unknown_never_holds() {
    let system = lease_lock(Fencing::All, &[Assumption::BoundedPause]);
    for strategy in [Strategy::Bfs, Strategy::Dfs] {
        for threads in [1, 2] {
            let limited = CheckOptions {
                max_states: Some(500),
                ..options(strategy, threads)
            };
            let outcome = testing::search(&system, &limited);
            assert_eq!(
                outcome.stop_reason,
                StopReason::StateLimit,
                "{strategy:?} x{threads}"
            );
            assert_eq!(
                outcome.property("no_lost_increment").map(|p| p.verdict),
                Some(Verdict::Unknown)
            );
        }
    }
}

#[test]
fn a_depth_limit_gives_unknown_and_a_timeout_stops_with_one_thread() {
    let system = lease_lock(Fencing::All, &[Assumption::BoundedPause]);
    let shallow = CheckOptions {
        max_depth: Some(5),
        ..options(Strategy::Bfs, 1)
    };
    let outcome = testing::search(&system, &shallow);
    assert_eq!(outcome.stop_reason, StopReason::DepthLimit);
    assert_eq!(
        outcome.property("no_lost_increment").map(|p| p.verdict),
        Some(Verdict::Unknown)
    );
    let instant = CheckOptions {
        timeout: Some(std::time::Duration::from_nanos(1)),
        ..options(Strategy::Dfs, 1)
    };
    let outcome = testing::search(&system, &instant);
    assert_eq!(outcome.stop_reason, StopReason::TimeLimit);
    assert_eq!(
        outcome.property("no_lost_increment").map(|p| p.verdict),
        Some(Verdict::Unknown)
    );
}

#[test]
fn dfs_finds_the_same_verdicts_as_bfs() {
    let system = lease_lock(Fencing::Writes, &[Assumption::BoundedPause]);
    let outcome = testing::search(&system, &options(Strategy::Dfs, 2));
    assert_eq!(
        outcome.property("no_lost_increment").map(|p| p.verdict),
        Some(Verdict::Violated)
    );
    let path = outcome
        .property("no_lost_increment")
        .and_then(|p| p.path.as_ref())
        .expect("path");
    assert!(path.len() >= 22, "DFS paths are never shorter than BFS's");
    assert_replays(&system, path);
}

#[test]
fn simulation_finds_the_bug_but_never_claims_holds() {
    let buggy = lease_lock(Fencing::Writes, &[Assumption::BoundedPause]);
    let walks = CheckOptions {
        seed: 7,
        simulation_walks: 3_000,
        ..options(Strategy::Simulation, 1)
    };
    let outcome = testing::search(&buggy, &walks);
    assert_eq!(
        outcome.property("no_lost_increment").map(|p| p.verdict),
        Some(Verdict::Violated)
    );
    let path = outcome
        .property("no_lost_increment")
        .and_then(|p| p.path.as_ref())
        .expect("path");
    assert_replays(&buggy, path);
    let fixed = lease_lock(Fencing::All, &[Assumption::BoundedPause]);
    let outcome = testing::search(&fixed, &walks);
    assert_eq!(outcome.stop_reason, StopReason::WalksDone);
    assert_eq!(
        outcome.property("no_lost_increment").map(|p| p.verdict),
        Some(Verdict::Unknown)
    );
    let again = testing::search(&fixed, &walks);
    assert_eq!(
        again.stats.unique_states, outcome.stats.unique_states,
        "a seed replays"
    );
}
