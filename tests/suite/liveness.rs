//! Liveness under weak fairness: cycles that stateright's `eventually` cannot see, and
//! cycles that fairness rules out.

use stateright::{Checker, Model, Property};
use synccheck::check::{self, Budget, CheckOptions, Verdict};
use synccheck::liveness::{check_eventually, decide_eventually, Fairness, LivenessResult};
use synccheck::system::*;

use crate::support;
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
    let system = TimedSystem::new(OneMessage::default(), set).expect("within limits");
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
    let system = TimedSystem::new(OneMessage::default(), set.clone()).expect("within limits");
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

/// A counter that counts to `top` and then loops there: a ¬P path as long as the graph.
#[derive(Clone, Debug)]
struct LongChain {
    top: u32,
}

impl Model for LongChain {
    type State = u32;
    type Action = bool;
    fn init_states(&self) -> Vec<u32> {
        vec![0]
    }
    fn actions(&self, state: &u32, actions: &mut Vec<bool>) {
        actions.push(*state < self.top);
    }
    fn next_state(&self, state: &u32, count: bool) -> Option<u32> {
        Some(if count { state + 1 } else { *state })
    }
}

impl Fairness for LongChain {}

/// The components of a graph whose only path is 300 000 states long are found without
/// recursing along it (a recursive search overflowed a test thread's stack, and the
/// process aborted, long before the main thread's 8 MiB). The loop at the end is the
/// counterexample.
#[test]
fn a_path_longer_than_the_stack_allows_is_searched() {
    let never = |_: &LongChain, _: &u32| false;
    match check_eventually(&LongChain { top: 300_000 }, never, 2_000_000) {
        LivenessResult::Violated(lasso) => {
            assert_eq!(
                lasso.loop_start,
                Some(300_001),
                "every count, then the loop"
            );
            assert_eq!(lasso.path.len(), 300_001);
        }
        other => panic!("expected the loop at the top: {:?}", verdict_name(&other)),
    }
}

/// Four interchangeable counters, each counting up to 4 in any order: `eventually`
/// every counter at 4 holds (the graph has no loop and one end, where it is true). 625
/// states, 70 classes of renamings; the metric is the highest counter.
#[derive(Debug)]
struct Counters;

impl Model for Counters {
    type State = [u8; 4];
    type Action = usize;
    fn init_states(&self) -> Vec<[u8; 4]> {
        vec![[0; 4]]
    }
    fn actions(&self, state: &[u8; 4], actions: &mut Vec<usize>) {
        actions.extend((0..4).filter(|i| state[*i] < 4));
    }
    fn next_state(&self, state: &[u8; 4], counter: usize) -> Option<[u8; 4]> {
        let mut next = *state;
        next[counter] += 1;
        Some(next)
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("in_range", |_, s: &[u8; 4]| s.iter().all(|c| *c <= 4)),
            Property::eventually("all_counted", |_, s: &[u8; 4]| s.iter().all(|c| *c == 4)),
        ]
    }
}

impl Fairness for Counters {
    fn fair_class(&self, counter: &usize) -> Option<u64> {
        Some(*counter as u64)
    }
}

impl synccheck::report::Explain for Counters {
    fn explain_state(&self, state: &[u8; 4]) -> serde_json::Value {
        serde_json::json!(state)
    }
    fn explain_action(&self, counter: &usize) -> (String, serde_json::Value) {
        (format!("count {counter}"), serde_json::json!(counter))
    }
    fn metrics(&self, state: &[u8; 4]) -> Vec<(&'static str, u64)> {
        vec![(
            "highest",
            u64::from(state.iter().copied().max().unwrap_or(0)),
        )]
    }
}

fn sorted(_: &Counters, mut state: [u8; 4]) -> ([u8; 4], u64) {
    state.sort_unstable();
    (state, check::fingerprint(&state))
}

/// The liveness graph says how far it got on the check's progress counters (a progress
/// line shows them once the search is done): here every ¬P state of `Counters`, 624;
/// a new search clears it.
#[test]
fn the_liveness_graph_counts_its_states_where_a_progress_line_reads_them() {
    let options = CheckOptions {
        check_deadlock: false,
        ..CheckOptions::default()
    };
    assert_eq!(options.progress.phase(), None);
    let mut outcome = check::run(&Counters, &options);
    decide_eventually(&Counters, &mut outcome, &Budget::start(&options));
    assert_eq!(
        outcome.property("all_counted").map(|p| p.verdict),
        Some(Verdict::Holds)
    );
    assert_eq!(
        options.progress.phase(),
        Some((check::Phase::Liveness, 624))
    );
    check::Progress::search_starts(&options);
    assert_eq!(options.progress.phase(), None);
}

/// The search stores one state per class (70), the liveness graph and the metrics pass
/// the full states (624 ¬P states, 625 in all): with room for 100 the search finishes
/// and the liveness graph does not. The report names that phase, keeps the search's own
/// ending, and leaves the `eventually` verdict `unknown`, never `holds`; with room for
/// 1 000 every phase finishes.
#[test]
fn a_limit_that_stops_the_liveness_graph_is_reported_there() {
    let params = synccheck::model::Params::default();
    let label = || synccheck::pipeline::Label {
        model: "counters",
        params: &params,
    };
    let canonical: check::Canonicalize<Counters> = sorted;
    let options = |max_states| CheckOptions {
        max_states: Some(max_states),
        check_deadlock: false,
        ..CheckOptions::default()
    };
    let cut =
        synccheck::pipeline::check_model(&Counters, label(), None, &options(100), Some(canonical));
    let report = &cut.report;
    assert_eq!(report.stats.unique_states, 70, "the search's own count");
    assert_eq!(report.stop_reason, check::StopReason::StateLimit);
    assert_eq!(
        report.later_cut,
        Some(check::LaterCut {
            phase: check::Phase::Liveness,
            search: check::StopReason::Complete,
        })
    );
    assert!(!report.complete);
    assert_eq!(report.properties[1].verdict, Verdict::Unknown);
    assert!(
        report.metrics_lower_bounds,
        "the metrics pass is cut as well"
    );
    let text = synccheck::report::render_human(report);
    for line in [
        "search: bfs, 1 thread, complete (70 unique states",
        "liveness graph: stopped: state limit of --max-states, or of 2000000 states where it sets none (`eventually` verdicts it had not reached are unknown; the check is incomplete)",
        "eventually  unknown (liveness graph: the state limit was hit first)",
        "metric highest: at least ",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }

    let whole = synccheck::pipeline::check_model(
        &Counters,
        label(),
        None,
        &options(1_000),
        Some(canonical),
    );
    let report = &whole.report;
    assert_eq!(report.stop_reason, check::StopReason::Complete);
    assert_eq!(report.later_cut, None);
    assert_eq!(report.properties[1].verdict, Verdict::Holds);
    let text = synccheck::report::render_human(report);
    assert!(
        text.contains("metric highest: 4 (maximum over the reachable states)"),
        "{text}"
    );
}
