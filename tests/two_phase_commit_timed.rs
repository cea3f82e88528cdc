//! Verdicts of the timed two-phase commit (docs/CATALOG.md C4, form 2): the buggy cases
//! violated with a pinned shortest counterexample (or lasso) that replays, the fixed
//! cases holding on a complete search, unique-state counts pinned and equal for 1 and
//! 2 threads.

use stateright::Model;
use synccheck::check::{self, Budget, CheckOptions, Outcome, Strategy, Verdict};
use synccheck::liveness::decide_eventually;
use synccheck::models::recovery::two_phase_commit_timed::{TwoPhaseCommitTimed, Variant};
use synccheck::system::{Action, Assumption, Protocol, TimedSystem};

type System = TimedSystem<TwoPhaseCommitTimed>;

fn options(threads: usize) -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Bfs,
        threads,
        ..CheckOptions::default()
    }
}

/// The protocol at its default timeouts, under its default assumptions with the TM
/// allowed `max_crashes` crashes and `relax` relaxed.
fn system(variant: Variant, max_crashes: u32, relax: &[Assumption]) -> System {
    let protocol = TwoPhaseCommitTimed {
        variant,
        rm_timeout_ticks: 1,
        tm_timeout_ticks: 1,
    };
    let mut set = protocol.default_assumptions();
    set.hold(Assumption::MaxCrashes, Some(max_crashes))
        .expect("a valid bound");
    for assumption in relax {
        set.relax(*assumption);
    }
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

/// Replays a path: every step is enabled and leads to the recorded state.
fn assert_replays(system: &System, path: &check::Path<System>) {
    assert!(
        system.init_states().contains(&path.states[0]),
        "initial state"
    );
    for (index, action) in path.actions.iter().enumerate() {
        let mut enabled = Vec::new();
        system.actions(&path.states[index], &mut enabled);
        assert!(enabled.contains(action), "step {} is enabled", index + 1);
        let next = system
            .next_state(&path.states[index], action.clone())
            .expect("the action applies");
        assert_eq!(
            next,
            path.states[index + 1],
            "step {} reproduces",
            index + 1
        );
    }
}

/// What a check must find for one property: its verdict and, for a violation, the
/// counterexample's length and (for a lasso) where its loop starts.
struct Expected {
    name: &'static str,
    verdict: Verdict,
    steps: Option<usize>,
    loop_start: Option<usize>,
}

const fn expect(name: &'static str, verdict: Verdict) -> Expected {
    Expected {
        name,
        verdict,
        steps: None,
        loop_start: None,
    }
}

/// Checks with 1 and 2 threads, decides `all_decide`, and asserts `states` and
/// `expected` for both; returns the 1-thread outcome.
fn assert_check(
    system: &System,
    label: &str,
    states: usize,
    expected: &[Expected],
) -> Outcome<System> {
    let mut outcomes = Vec::new();
    for threads in [1, 2] {
        let mut outcome = check::run(system, &options(threads));
        decide_eventually(system, &mut outcome, &Budget::unlimited());
        assert!(outcome.complete(), "{label} x{threads}: a complete search");
        assert_eq!(outcome.stats.unique_states, states, "{label} x{threads}");
        for want in expected {
            let property = outcome.property(want.name).expect("declared");
            assert_eq!(
                property.verdict, want.verdict,
                "{label} {} x{threads}",
                want.name
            );
            assert_eq!(
                property.loop_start, want.loop_start,
                "{label} {} x{threads}",
                want.name
            );
            let Some(steps) = want.steps else {
                continue;
            };
            let path = property.path.as_ref().expect("a counterexample");
            assert_eq!(path.len(), steps, "{label} {} x{threads}", want.name);
            assert_replays(system, path);
            if let Some(loop_start) = want.loop_start {
                assert_eq!(
                    path.states[loop_start - 1],
                    *path.last_state(),
                    "{label}: the loop closes"
                );
            }
        }
        outcomes.push(outcome);
    }
    outcomes.swap_remove(0)
}

#[test]
fn blocking_is_consistent_but_blocks_while_the_tm_stays_down() {
    let system = system(Variant::Blocking, 1, &[]);
    let outcome = assert_check(
        &system,
        "blocking, one crash",
        641,
        &[
            expect("consistent", Verdict::Holds),
            Expected {
                steps: Some(5),
                loop_start: Some(4),
                ..expect("all_decide", Verdict::Violated)
            },
            expect("commit_reached", Verdict::Reached),
            expect("abort_reached", Verdict::Reached),
        ],
    );
    let path = outcome
        .property("all_decide")
        .and_then(|p| p.path.as_ref())
        .expect("a lasso");
    assert_eq!(
        path.actions[0],
        Action::Crash { node: 0 },
        "the TM crashes first"
    );
    assert!(
        !path.actions.contains(&Action::Restart { node: 0 }),
        "and never restarts"
    );
    assert!(
        path.actions[3..].contains(&Action::Tick),
        "time advances in the loop"
    );
}

#[test]
fn blocking_decides_while_the_tm_cannot_crash() {
    let system = system(Variant::Blocking, 0, &[]);
    assert_check(
        &system,
        "blocking, no crash",
        94,
        &[
            expect("consistent", Verdict::Holds),
            expect("all_decide", Verdict::Holds),
            expect("commit_reached", Verdict::Reached),
            expect("abort_reached", Verdict::Reached),
        ],
    );
}

#[test]
fn a_heuristic_abort_contradicts_a_commit_sent_before_the_tm_crashed() {
    let system = system(Variant::HeuristicAbort, 1, &[]);
    let outcome = assert_check(
        &system,
        "heuristic_abort, one crash",
        355,
        &[
            Expected {
                steps: Some(9),
                ..expect("consistent", Verdict::Violated)
            },
            expect("all_decide", Verdict::Holds),
            expect("commit_reached", Verdict::Reached),
        ],
    );
    let path = outcome
        .property("consistent")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    assert_eq!(
        path.actions[6],
        Action::Crash { node: 0 },
        "the TM crashes at step 7"
    );
}

#[test]
fn a_heuristic_abort_is_safe_while_the_tm_cannot_crash() {
    let system = system(Variant::HeuristicAbort, 0, &[]);
    assert_check(
        &system,
        "heuristic_abort, no crash",
        50,
        &[
            expect("consistent", Verdict::Holds),
            expect("all_decide", Verdict::Holds),
            expect("commit_reached", Verdict::Reached),
            expect("abort_reached", Verdict::Reached),
        ],
    );
}

#[test]
fn a_heuristic_abort_is_unsafe_when_a_vote_is_late_even_without_crashes() {
    let system = system(Variant::HeuristicAbort, 0, &[Assumption::BoundedDelay]);
    assert_check(
        &system,
        "heuristic_abort, delay relaxed",
        180,
        &[
            Expected {
                steps: Some(8),
                ..expect("consistent", Verdict::Violated)
            },
            expect("all_decide", Verdict::Holds),
        ],
    );
}

#[test]
fn a_lost_commit_log_becomes_a_presumed_abort() {
    let system = system(Variant::Blocking, 1, &[Assumption::DurableWrites]);
    assert_check(
        &system,
        "blocking, durable_writes relaxed",
        1345,
        &[
            Expected {
                steps: Some(10),
                ..expect("consistent", Verdict::Violated)
            },
            Expected {
                steps: Some(5),
                loop_start: Some(4),
                ..expect("all_decide", Verdict::Violated)
            },
        ],
    );
}
