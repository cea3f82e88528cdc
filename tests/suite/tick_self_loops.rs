//! A Tick that changes nothing (issue 15): where a state stores nothing a Tick would
//! move (no message age below its cap, no pause length below its cap, no timer with
//! ticks left), the Tick leads back to the state itself. The safety search skips that
//! successor (`TimedSystem::is_self_loop`, installed by `pipeline::check_system`): the
//! same verdicts, unique states, stop reasons and counterexamples, fewer generated
//! states. Everything else still takes the step: the state counts as not deadlocked,
//! a lasso may loop on it and replays, `graph` lists it.

use stateright::{Model, Property};
use std::collections::{HashSet, VecDeque};
use synccheck::check::{
    self, Budget, CheckOptions, Outcome, SelfLoop, StopReason, Strategy, Verdict,
};
use synccheck::liveness::Fairness;
use synccheck::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing};
use synccheck::models::recovery::two_phase_commit_timed::{TwoPhaseCommitTimed, Variant};
use synccheck::models::retry::retry_non_idempotent::{Retry, RetryNonIdempotent};
use synccheck::pipeline::{self, Label};
use synccheck::report::Explain;
use synccheck::system::*;
use synccheck::testing;

use crate::support;
use support::one_message::{Node, OneMessage};

// ------------------------------------------------------------------- systems ----

fn two_phase_commit(relax: &[Assumption]) -> TimedSystem<TwoPhaseCommitTimed> {
    let protocol = TwoPhaseCommitTimed {
        variant: Variant::Blocking,
        rm_timeout_ticks: 1,
        tm_timeout_ticks: 1,
    };
    testing::system_holding(protocol, &[(Assumption::MaxCrashes, Some(1))], relax)
}

fn lease_lock(relax: &[Assumption]) -> TimedSystem<FencedLeaseLock> {
    let protocol = FencedLeaseLock {
        fencing: Fencing::All,
        lease_ticks: 5,
        validity_ticks: 2,
    };
    testing::system(protocol, relax)
}

fn retry(retry: Retry, relax: &[Assumption]) -> TimedSystem<RetryNonIdempotent> {
    let protocol = RetryNonIdempotent {
        retry,
        timeout_ticks: 4,
        processing_ticks: 1,
    };
    testing::system(protocol, relax)
}

/// The paxos port of the benchmark (examples/peers/), one client, on the network
/// closest to stateright's: nothing timed is stored, so most Ticks are idle.
fn paxos_port() -> TimedSystem<paxos::PeerPaxos> {
    testing::system(
        paxos::PeerPaxos {
            client_count: 1,
            drop_ignored: false,
        },
        &[
            Assumption::BoundedDelay,
            Assumption::BoundedSkew,
            Assumption::TimelyTimers,
            Assumption::FifoLinks,
        ],
    )
}

// The Paxos port that peers.rs compares with stateright's checker (one copy of it
// in the suite's crate).
use crate::peers::paxos;

const ALL: &[Assumption] = &Assumption::ALL;
const DELAY_AND_SKEW: &[Assumption] = &[Assumption::BoundedDelay, Assumption::BoundedSkew];

/// Every reachable state (through the model's own steps, none skipped), at most `cap`.
fn reachable<P: Protocol>(system: &TimedSystem<P>, cap: usize) -> Vec<SystemState<P>> {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::new();
    let mut states = Vec::new();
    for state in system.init_states() {
        if seen.insert(state.clone()) {
            queue.push_back(state);
        }
    }
    let mut actions = Vec::new();
    while let Some(state) = queue.pop_front() {
        actions.clear();
        system.actions(&state, &mut actions);
        for action in actions.drain(..) {
            if let Some(next) = system.next_state(&state, action) {
                if seen.len() < cap && seen.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
        states.push(state);
    }
    states
}

/// Reachable states whose Tick is enabled and changes nothing, checking on each
/// reachable state that `tick_changes_nothing` says exactly whether the Tick leads back.
fn idle_ticks<P: Protocol>(system: &TimedSystem<P>, label: &str) -> (usize, usize) {
    let states = reachable(system, 200_000);
    assert!(states.len() < 200_000, "{label}: too large for this test");
    let mut idle = 0;
    let mut actions = Vec::new();
    for state in &states {
        let leads_back = system.step(state, &Action::Tick).as_ref() == Some(state);
        assert_eq!(
            system.tick_changes_nothing(state),
            leads_back,
            "{label}: {state:?}"
        );
        actions.clear();
        system.actions(state, &mut actions);
        let tick_enabled = actions.contains(&Action::Tick);
        assert_eq!(
            system.is_self_loop(state, &Action::Tick),
            leads_back,
            "{label}: the hook"
        );
        for action in actions.iter().filter(|a| **a != Action::Tick) {
            assert!(!system.is_self_loop(state, action), "{label}: {action:?}");
        }
        if leads_back && tick_enabled {
            idle += 1;
        }
    }
    (idle, states.len())
}

#[test]
fn tick_changes_nothing_exactly_when_the_tick_leads_back_to_its_state() {
    // (idle Ticks, reachable states), measured on this change (every reachable state
    // in full, no symmetry).
    let cases = [
        (
            "2pc timed, one crash",
            idle_ticks(&two_phase_commit(&[]), "2pc"),
            (7, 641),
        ),
        (
            "lease lock",
            idle_ticks(&lease_lock(&[]), "lease lock"),
            (18, 782),
        ),
        (
            "lease lock, pause relaxed",
            idle_ticks(
                &lease_lock(&[Assumption::BoundedPause]),
                "lease lock paused",
            ),
            (482, 60_720),
        ),
        (
            "retry token, all relaxed",
            idle_ticks(&retry(Retry::Token, ALL), "retry token"),
            (209, 3_277),
        ),
        (
            "retry plain, delay and skew relaxed",
            idle_ticks(&retry(Retry::Plain, DELAY_AND_SKEW), "retry plain"),
            (9, 499),
        ),
        (
            "paxos port, one client",
            idle_ticks(&paxos_port(), "paxos"),
            (701, 701),
        ),
    ];
    for (label, found, pinned) in cases {
        assert_eq!(found, pinned, "{label}: (idle Ticks, reachable states)");
    }
}

// ------------------------------------------------------- the search, compared ----

fn search<P: Protocol>(
    system: &TimedSystem<P>,
    strategy: Strategy,
    threads: usize,
    skip: bool,
) -> Outcome<TimedSystem<P>> {
    let options = CheckOptions {
        strategy,
        threads,
        fault: system.fault(),
        ..CheckOptions::default()
    };
    let facts = check::Facts {
        self_loop: skip.then_some(TimedSystem::<P>::is_self_loop as SelfLoop<TimedSystem<P>>),
        ..check::Facts::default()
    };
    synccheck::testing::search_reduced(system, &options, None, facts, &Budget::start(&options))
}

/// With and without the skip: everything equal but `generated`, which falls by the
/// number of idle Ticks (each state is expanded once in a complete search).
fn compare<P: Protocol>(system: &TimedSystem<P>, label: &str) {
    let (idle, _) = idle_ticks(system, label);
    for strategy in [Strategy::Bfs, Strategy::Dfs] {
        for threads in [1, 2] {
            let run = format!("{label}, {strategy:?} x{threads}");
            let taken = search(system, strategy, threads, false);
            let skipped = search(system, strategy, threads, true);
            assert_eq!(taken.stop_reason, StopReason::Complete, "{run}");
            assert_eq!(skipped.stop_reason, taken.stop_reason, "{run}");
            assert_eq!(
                skipped.stats.unique_states, taken.stats.unique_states,
                "{run}"
            );
            // DFS with two workers reaches its deepest state in a racy order; the
            // other runs are deterministic, so they must agree on everything.
            let deterministic = strategy == Strategy::Bfs || threads == 1;
            if deterministic {
                assert_eq!(skipped.stats.max_depth, taken.stats.max_depth, "{run}");
            }
            assert_eq!(
                taken.stats.generated_states - skipped.stats.generated_states,
                idle,
                "{run}: generated"
            );
            for (a, b) in taken.properties.iter().zip(&skipped.properties) {
                assert_eq!(a.verdict, b.verdict, "{run}: {}", a.name);
                if deterministic {
                    assert_eq!(
                        a.path.as_ref().map(|p| &p.actions),
                        b.path.as_ref().map(|p| &p.actions),
                        "{run}: {}",
                        a.name
                    );
                }
            }
        }
    }
}

#[test]
fn skipping_idle_ticks_changes_only_the_generated_count() {
    compare(&two_phase_commit(&[]), "2pc timed, one crash");
    compare(
        &lease_lock(&[Assumption::BoundedPause]),
        "lease lock, pause relaxed",
    );
    compare(&retry(Retry::Token, ALL), "retry token, all relaxed");
    compare(&paxos_port(), "paxos port, one client");
}

#[test]
fn the_check_pipeline_skips_idle_ticks_under_symmetry_too() {
    // fenced_lease_lock declares its two clients interchangeable: the skip asks about
    // the stored representative, whose idle Tick leads back to it.
    let checked = testing::check(FencedLeaseLock {
        fencing: Fencing::Writes,
        lease_ticks: 5,
        validity_ticks: 2,
    })
    .relax("bounded_pause")
    .threads(1)
    .no_subsumption()
    .run();
    checked.assert_violated("no_lost_increment");
    assert_eq!(
        checked.report.symmetry.as_deref(),
        Some("client_a, client_b")
    );
    let stats = checked.outcome.stats;
    // Measured on that change: the same classes as before it (34 905 then, README's
    // sample output), 139 709 generated instead of 139 973; 34 918 and 139 735 since the
    // lock service answers a repeated Acquire with no new grant.
    assert_eq!(
        (stats.unique_states, stats.generated_states),
        (34_918, 139_735)
    );
}

// ------------------------------------------------ what still takes the step ----

#[test]
fn a_state_whose_only_step_is_an_idle_tick_is_not_a_deadlock() {
    // Delivered, nothing in flight, no timer, no pause, no drift (skew held at 0):
    // the only enabled step is a Tick that changes nothing.
    let checked = testing::check(OneMessage::default()).threads(1).run();
    checked.assert_holds("deadlock_free");
    checked.assert_holds("received");
    let system = &checked.system;
    let states = reachable(system, 1_000);
    let delivered = states
        .iter()
        .find(|s| s.node_state(Node::Receiver) == Some(&true) && s.network.is_empty())
        .expect("the delivered state is reachable");
    let mut actions = Vec::new();
    system.actions(delivered, &mut actions);
    assert_eq!(actions, vec![Action::Tick]);
    assert!(system.tick_changes_nothing(delivered));
    // Measured: 3 states, 4 generated; 5 without the skip (its one idle Tick).
    let stats = checked.outcome.stats;
    assert_eq!((stats.unique_states, stats.generated_states), (3, 4));
    let taken = search(system, Strategy::Bfs, 1, false);
    assert_eq!(taken.stats.generated_states, 5);
    assert_eq!(
        taken.property(check::DEADLOCK_PROPERTY).map(|p| p.verdict),
        Some(Verdict::Holds)
    );
}

#[test]
fn a_lasso_looping_on_an_idle_tick_is_found_and_replays() {
    // All relaxed: the message is lost, and time passing forever is a fair behaviour in
    // which it is never received. The lasso's loop is the idle Tick.
    let set = AssumptionSet::all_relaxed();
    let params = synccheck::model::Params::default();
    let label = Label {
        model: "one_message",
        params: &params,
    };
    let (system, checked) =
        pipeline::check_protocol(OneMessage::default(), set, label, &CheckOptions::default())
            .expect("within limits");
    let property = checked.outcome.property("received").expect("declared");
    assert_eq!(property.verdict, Verdict::Violated);
    let path = property.path.as_ref().expect("a lasso");
    let loop_start = property.loop_start.expect("a loop");
    let looped = &path.actions[loop_start - 1..];
    assert_eq!(looped, &[Action::Tick], "{:?}", path.actions);
    let state = &path.states[loop_start - 1];
    assert!(system.tick_changes_nothing(state));
    assert_eq!(state, path.last_state(), "the loop closes on itself");
    let traces = synccheck::trace::traces_of(&checked.report);
    let trace = traces
        .iter()
        .find(|t| t.property == "received")
        .expect("a trace");
    assert_eq!(
        synccheck::trace::replay(&system, trace),
        synccheck::trace::ReplayOutcome::Reproduced { steps: path.len() }
    );
    // `graph` lists the idle Tick as a stuttering edge from the state to itself.
    let graph = synccheck::graph::export(&system, 1_000);
    let idle = graph
        .edges
        .iter()
        .filter(|e| e.from == e.to && e.action == "tick" && e.stutter)
        .count();
    assert!(idle > 0, "no idle Tick edge in the graph");
}

// -------------------------------------------------------- plain models ----

/// A plain stateright model with a self-loop (`wait`): no hook is installed for it.
struct Counter;

impl Model for Counter {
    type State = u8;
    type Action = &'static str;
    fn init_states(&self) -> Vec<u8> {
        vec![0]
    }
    fn actions(&self, state: &u8, actions: &mut Vec<&'static str>) {
        if *state < 3 {
            actions.push("count");
        }
        actions.push("wait");
    }
    fn next_state(&self, state: &u8, action: &'static str) -> Option<u8> {
        Some(if action == "count" { state + 1 } else { *state })
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("small", |_, s| *s <= 3)]
    }
}

impl Fairness for Counter {}

impl Explain for Counter {
    fn explain_state(&self, state: &u8) -> serde_json::Value {
        serde_json::json!(state)
    }
    fn explain_action(&self, action: &&'static str) -> (String, serde_json::Value) {
        (action.to_string(), serde_json::json!(action))
    }
}

#[test]
fn a_plain_models_self_loops_are_still_generated() {
    let params = synccheck::model::Params::default();
    let label = Label {
        model: "test",
        params: &params,
    };
    let checked = pipeline::check_model(&Counter, label, None, &CheckOptions::default(), None);
    let stats = checked.outcome.stats;
    // The initial state, three counts and four waits.
    assert_eq!((stats.unique_states, stats.generated_states), (4, 8));
    assert_eq!(
        checked.outcome.property("small").map(|p| p.verdict),
        Some(Verdict::Holds)
    );
}
