//! Liveness under weak fairness: cycles that stateright's `eventually` cannot see, and
//! cycles that fairness rules out.

use stateright::{Checker, Model, Property};
use synccheck::check::{self, Budget, CheckOptions, Verdict};
use synccheck::liveness::{check_eventually, decide_eventually, Fairness, LivenessResult};
use synccheck::system::*;

mod support;
use support::one_message::{Node, OneMessage};

/// A client that may fail and retry forever, or succeed.
#[derive(Clone, Debug)]
struct RetryStorm;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    Sending,
    BackingOff,
    Succeeded,
}

impl Model for RetryStorm {
    type State = Phase;
    type Action = &'static str;
    fn init_states(&self) -> Vec<Phase> {
        vec![Phase::Sending]
    }
    fn actions(&self, state: &Phase, actions: &mut Vec<&'static str>) {
        match state {
            Phase::Sending => actions.extend(["fail", "succeed"]),
            Phase::BackingOff => actions.push("retry"),
            Phase::Succeeded => {}
        }
    }
    fn next_state(&self, _: &Phase, action: &'static str) -> Option<Phase> {
        Some(match action {
            "fail" => Phase::BackingOff,
            "retry" => Phase::Sending,
            _ => Phase::Succeeded,
        })
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::eventually("succeeds", |_, s| {
            *s == Phase::Succeeded
        })]
    }
}

impl Fairness for RetryStorm {}

#[test]
fn a_retry_storm_cycle_is_found_where_stateright_sees_nothing() {
    let stateright = RetryStorm.checker().spawn_bfs().join();
    assert!(
        stateright.discovery("succeeds").is_none(),
        "stateright's eventually misses the cycle"
    );

    let mut outcome = check::run(&RetryStorm, &CheckOptions::default());
    assert_eq!(
        outcome.property("succeeds").map(|p| p.verdict),
        Some(Verdict::Unknown),
        "a plain search claims nothing"
    );
    decide_eventually(&RetryStorm, &mut outcome, &Budget::unlimited());
    let property = outcome.property("succeeds").expect("declared");
    assert_eq!(property.verdict, Verdict::Violated);
    assert_eq!(property.loop_start, Some(1));
    let path = property.path.as_ref().expect("a lasso");
    assert_eq!(path.actions, vec!["fail", "retry"]);
    assert_eq!(path.states.first(), path.states.last(), "the loop closes");
}

fn received(system: &TimedSystem<OneMessage>, state: &SystemState<OneMessage>) -> bool {
    let _ = system;
    state.node_state(Node::Receiver) == Some(&true)
}

#[test]
fn fairness_rules_out_a_message_that_lingers_forever() {
    let mut set = AssumptionSet::all_relaxed();
    set.hold(Assumption::ReliableLinks, None).expect("valid");
    set.hold(Assumption::NoDuplication, None).expect("valid");
    let system = TimedSystem::new(OneMessage, set).expect("within limits");
    // Ticking forever with the message in flight is a cycle, but Deliver stays enabled
    // and is never taken: not a fair behaviour.
    assert!(matches!(
        check_eventually(&system, received, 10_000),
        LivenessResult::Holds
    ));
}

#[test]
fn a_lost_message_is_a_fair_lasso_that_replays() {
    let set = AssumptionSet::all_relaxed();
    let system = TimedSystem::new(OneMessage, set.clone()).expect("within limits");
    let mut outcome = check::run(&system, &CheckOptions::default());
    decide_eventually(&system, &mut outcome, &Budget::unlimited());
    let property = outcome.property("received").expect("declared");
    assert_eq!(property.verdict, Verdict::Violated);
    let path = property.path.as_ref().expect("a lasso");
    assert!(
        matches!(path.actions[0], Action::Drop { .. }),
        "{:?}",
        path.actions
    );
    let loop_start = property.loop_start.expect("a loop");
    assert_eq!(
        path.states[loop_start - 1],
        *path.last_state(),
        "the loop closes"
    );
    assert!(
        path.actions[loop_start - 1..].contains(&Action::Tick),
        "time advances in the loop"
    );

    let params = synccheck::model::Params::default();
    let report = synccheck::report::build(
        "one_message",
        &params,
        Some(&set),
        &CheckOptions::default(),
        &system,
        &outcome,
    );
    let traces = synccheck::trace::traces_of(&report);
    let trace = traces
        .iter()
        .find(|t| t.property == "received")
        .expect("a trace");
    assert_eq!(trace.loop_start, Some(loop_start));
    assert_eq!(
        synccheck::trace::replay(&system, trace),
        synccheck::trace::ReplayOutcome::Reproduced { steps: path.len() }
    );
    let mut broken = trace.clone();
    broken.loop_start = Some(1);
    if path.len() > 1 {
        assert!(matches!(
            synccheck::trace::replay(&system, &broken),
            synccheck::trace::ReplayOutcome::Diverged { .. }
        ));
    }
}

/// A counter that may loop at `loop_at` (a step back to itself) and otherwise counts up
/// to 50; `eventually` "reached 1000" never holds.
#[derive(Clone, Debug)]
struct CountWithLoop {
    loop_at: u8,
}

impl Model for CountWithLoop {
    type State = u8;
    type Action = &'static str;
    fn init_states(&self) -> Vec<u8> {
        vec![0]
    }
    fn actions(&self, state: &u8, actions: &mut Vec<&'static str>) {
        if *state < 50 {
            actions.push("count");
        }
        if *state == self.loop_at {
            actions.push("stay");
        }
    }
    fn next_state(&self, state: &u8, action: &'static str) -> Option<u8> {
        Some(if action == "count" { state + 1 } else { *state })
    }
}

impl Fairness for CountWithLoop {}

/// The graph cut by the state limit is still searched: a loop among the states
/// expanded is a behaviour (reported); where none was built yet the verdict is
/// `unknown`, never `holds`. (At 50 the counter stops, a dead end: either way the
/// property is violated on the whole graph.)
#[test]
fn a_graph_cut_by_the_state_limit_still_reports_a_loop_it_built() {
    let never = |_: &CountWithLoop, _: &u8| false;
    match check_eventually(&CountWithLoop { loop_at: 2 }, never, 10) {
        LivenessResult::Violated(lasso) => {
            assert_eq!(lasso.loop_start, Some(3), "two counts, then the loop");
            assert_eq!(lasso.path.len(), 3);
        }
        other => panic!("expected the loop at 2: {:?}", verdict_name(&other)),
    }
    match check_eventually(&CountWithLoop { loop_at: 40 }, never, 10) {
        LivenessResult::Unknown(reason) => assert_eq!(reason, check::StopReason::StateLimit),
        other => panic!("the loop at 40 was not built: {:?}", verdict_name(&other)),
    }
    assert!(matches!(
        check_eventually(&CountWithLoop { loop_at: 40 }, never, 1_000),
        LivenessResult::Violated(_)
    ));
}

fn verdict_name<M: Model>(result: &LivenessResult<M>) -> &'static str {
    match result {
        LivenessResult::Holds => "holds",
        LivenessResult::Violated(_) => "violated",
        LivenessResult::Unknown(_) => "unknown",
    }
}

/// A loop at the initial state beside a wide space of ¬P states (every pair below
/// `side`; counted with each expansion).
#[derive(Debug)]
struct LoopBesideWideSpace {
    side: u32,
    expanded: std::sync::atomic::AtomicUsize,
}

impl Model for LoopBesideWideSpace {
    type State = (u32, u32);
    type Action = u8;
    fn init_states(&self) -> Vec<(u32, u32)> {
        vec![(0, 0)]
    }
    fn actions(&self, state: &(u32, u32), actions: &mut Vec<u8>) {
        self.expanded
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if state.0 + 1 < self.side {
            actions.push(0);
        }
        if state.1 + 1 < self.side {
            actions.push(1);
        }
        if *state == (0, 0) {
            actions.push(2);
        }
    }
    fn next_state(&self, state: &(u32, u32), action: u8) -> Option<(u32, u32)> {
        Some(match action {
            0 => (state.0 + 1, state.1),
            1 => (state.0, state.1 + 1),
            _ => *state,
        })
    }
}

impl Fairness for LoopBesideWideSpace {}

/// The graph is searched while it is built: the loop at the initial state is reported
/// after the first search (at 4 096 states and edges), not after the 1 000 000 states of
/// the whole graph, and it is the loop a search of the whole graph reports.
#[test]
fn a_loop_near_the_start_is_reported_without_building_the_whole_graph() {
    let never = |_: &LoopBesideWideSpace, _: &(u32, u32)| false;
    let model = LoopBesideWideSpace {
        side: 1_000,
        expanded: Default::default(),
    };
    match check_eventually(&model, never, 2_000_000) {
        LivenessResult::Violated(lasso) => {
            assert_eq!(lasso.loop_start, Some(1), "the loop at the initial state");
            assert_eq!(lasso.path.len(), 1);
        }
        other => panic!("expected the loop at (0, 0): {:?}", verdict_name(&other)),
    }
    let expanded = model.expanded.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        expanded < 10_000,
        "{expanded} states expanded for a loop at the initial state"
    );
}
