//! The class guide: after the search on drift classes found a violation, an example or
//! a deadlock, the full system is searched for its run expanding only the states whose
//! depth plus their class's distance to such a finding is within a bound
//! (`check::Guide`, `system::ClassDistances`, `pipeline::check_system`).
//!
//! First the guided BFS on its own, on a small graph whose true distances the test
//! computes: with a lower bound that never overestimates it decides each property at
//! the unguided depth, for any bound; with one that does, it misses the run and says
//! so (never `Complete`). Then the catalog: guided and unguided checks agree on every
//! verdict and path length, the paths replay, and the guided search stores far fewer
//! states (pinned).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use synccheck::check::{self, Budget, CheckOptions, Facts, Guide, StopReason, Verdict};
use synccheck::models::recovery::fenced_lease_lock::FencedLeaseLock;
use synccheck::models::replication::lww_register::LwwRegister;
use synccheck::models::replication::tombstone_gc::TombstoneGc;
use synccheck::models::retry::at_least_once_queue::AtLeastOnceQueue;
use synccheck::system::{Assumption, AssumptionSet, Protocol, TimedSystem};
use synccheck::testing::{self, declared, system_holding};

/// Numbers from 0 up to [`TOP`]: a step adds 1 or 5, or doubles.
#[derive(Clone, Debug)]
struct Steps;

const TOP: u32 = 60;
/// The number the `sometimes` property looks for.
const WANTED: u32 = 37;
/// The number the `always` property forbids.
const FORBIDDEN: u32 = 23;

impl stateright::Model for Steps {
    type State = u32;
    type Action = u32;

    fn init_states(&self) -> Vec<u32> {
        vec![0]
    }

    fn actions(&self, state: &u32, out: &mut Vec<u32>) {
        for next in [state + 1, state + 5, state * 2] {
            if next <= TOP && next != *state {
                out.push(next);
            }
        }
    }

    fn next_state(&self, _: &u32, action: u32) -> Option<u32> {
        Some(action)
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        vec![
            stateright::Property::sometimes("wanted", |_, n| *n == WANTED),
            stateright::Property::always("not_forbidden", |_, n| *n != FORBIDDEN),
        ]
    }
}

/// Each state's true distance to `goal`, breadth-first backwards.
fn distances_to(goal: u32) -> HashMap<u32, usize> {
    let mut before: HashMap<u32, Vec<u32>> = HashMap::new();
    let model = Steps;
    for state in 0..=TOP {
        let mut actions = Vec::new();
        stateright::Model::actions(&model, &state, &mut actions);
        for next in actions {
            before.entry(next).or_default().push(state);
        }
    }
    let mut distance = HashMap::from([(goal, 0)]);
    let mut queue = VecDeque::from([goal]);
    while let Some(state) = queue.pop_front() {
        let next = distance[&state] + 1;
        for &earlier in before.get(&state).into_iter().flatten() {
            distance.entry(earlier).or_insert_with(|| {
                queue.push_back(earlier);
                next
            });
        }
    }
    distance
}

fn options() -> CheckOptions {
    CheckOptions {
        check_deadlock: false,
        ..CheckOptions::default()
    }
}

/// The BFS of [`Steps`], guided by `lower` within `bound` when given.
fn search(guide: Option<Guide<Steps>>) -> check::Outcome<Steps> {
    let facts = Facts {
        guide,
        ..Facts::default()
    };
    check::run_reduced(&Steps, &options(), None, facts, &Budget::unlimited())
}

/// (verdict, path length) of each property.
fn verdicts(outcome: &check::Outcome<Steps>) -> Vec<(Verdict, Option<usize>)> {
    let path = |p: &check::PropertyOutcome<Steps>| p.path.as_ref().map(check::Path::len);
    outcome
        .properties
        .iter()
        .map(|p| (p.verdict, path(p)))
        .collect()
}

/// The nearer of the two properties' decisions, from each state.
fn nearest() -> HashMap<u32, usize> {
    let wanted = distances_to(WANTED);
    let forbidden = distances_to(FORBIDDEN);
    (0..=TOP)
        .map(|n| {
            let d = [wanted.get(&n), forbidden.get(&n)]
                .into_iter()
                .flatten()
                .min()
                .copied()
                .unwrap_or(usize::MAX);
            (n, d)
        })
        .collect()
}

#[test]
fn an_exact_lower_bound_finds_each_decision_at_its_unguided_depth() {
    let unguided = search(None);
    assert_eq!(unguided.stop_reason, StopReason::AllDecided);
    let expected = verdicts(&unguided);
    // 37 = (((0+1)*2+5)*2+5)*2+1, 6 steps; 23 = (0+5+5+1)*2+1, 5 steps.
    assert_eq!(
        expected,
        vec![(Verdict::Reached, Some(6)), (Verdict::Violated, Some(5))]
    );
    let exact = Arc::new(nearest());
    let lower = {
        let exact = Arc::clone(&exact);
        Arc::new(move |n: &u32| exact[n]) as check::LowerBound<u32>
    };
    // The deeper decision is 6 steps away: with the bound there, both are found at
    // their depths, and fewer states are stored than unguided.
    let guide = Guide::new(6, Arc::clone(&lower));
    let guided = search(Some(guide.clone()));
    assert_eq!(verdicts(&guided), expected);
    assert_eq!(guided.stop_reason, StopReason::AllDecided);
    assert!(guide.pruned() > 0);
    assert!(
        guided.stats.unique_states < unguided.stats.unique_states,
        "{} guided, {} unguided",
        guided.stats.unique_states,
        unguided.stats.unique_states
    );
    // At the nearer one's depth only that one is found, and the search says it was
    // cut (by the bound, as by a depth limit), naming the least bound that goes on.
    let guide = Guide::new(5, lower);
    let cut = search(Some(guide.clone()));
    assert_eq!(
        verdicts(&cut),
        vec![(Verdict::Unknown, None), (Verdict::Violated, Some(5))]
    );
    assert_eq!(cut.stop_reason, StopReason::DepthLimit);
    assert!(guide.pruned() > 0);
    assert_eq!(guide.least_pruned(), Some(6));
}

#[test]
fn any_admissible_lower_bound_finds_only_unguided_depths() {
    let expected = verdicts(&search(None));
    let exact = Arc::new(nearest());
    // Lower bounds that underestimate by state-dependent amounts, at every bound from
    // 0 to beyond the deepest decision: whatever is found is found at its depth.
    for scale in 0..=4 {
        for bound in 0..=9 {
            let exact = Arc::clone(&exact);
            let lower = Arc::new(move |n: &u32| {
                let d = exact[n];
                if d == usize::MAX {
                    d
                } else {
                    d * scale / 4 - usize::from(scale < 4 && n % 3 == 0).min(d * scale / 4)
                }
            }) as check::LowerBound<u32>;
            let outcome = search(Some(Guide::new(bound, lower)));
            for (got, want) in verdicts(&outcome).into_iter().zip(&expected) {
                assert!(
                    got.0 == Verdict::Unknown || got == *want,
                    "scale {scale}/4, bound {bound}: {got:?} where unguided {want:?}"
                );
            }
            if bound >= 6 {
                assert_eq!(
                    verdicts(&outcome),
                    expected,
                    "scale {scale}/4, bound {bound}"
                );
            }
        }
    }
}

#[test]
fn an_overestimate_misses_the_run_and_says_so() {
    // One more than the truth at 11 and 22, which every 5-step run to 23 passes
    // (0 5 10 11 22 23, 0 1 6 11 22 23): with the bound at 5 both are left out; the
    // search stops cut, never complete.
    let exact = Arc::new(nearest());
    let lower = Arc::new(move |n: &u32| match n {
        11 | 22 => exact[n] + 1,
        _ => exact[n],
    }) as check::LowerBound<u32>;
    let guide = Guide::new(5, lower);
    let outcome = search(Some(guide.clone()));
    assert_eq!(outcome.properties[1].verdict, Verdict::Unknown);
    assert_ne!(outcome.stop_reason, StopReason::Complete);
    assert!(guide.pruned() > 0);
}

/// The check `check` builds, guided and unguided (`no_class_guide`): asserts they
/// agree on every verdict, path length and number of breaks, that every path is a run
/// of the full system, and that only the first was guided; returns both and the
/// guided search's report.
#[track_caller]
fn guided_and_unguided<P: synccheck::system::Protocol>(
    check: impl Fn() -> testing::CheckBuilder<P>,
) -> (
    testing::Checked<P>,
    testing::Checked<P>,
    synccheck::report::GuidedSearch,
) {
    let (guided, unguided) = (check().run(), check().no_class_guide().run());
    assert_eq!(
        testing::summary(&guided.report),
        testing::summary(&unguided.report)
    );
    let breaks = |report: &synccheck::report::CheckReport| -> Vec<Option<usize>> {
        report
            .properties
            .iter()
            .map(|p| p.counterexample.as_ref().map(|t| t.breaks.len()))
            .collect()
    };
    assert_eq!(breaks(&guided.report), breaks(&unguided.report));
    for property in &guided.outcome.properties {
        if let Some(path) = &property.path {
            testing::assert_replays(&guided.system, path);
        }
    }
    let guide = |checked: &testing::Checked<P>| {
        let used = checked.report.drift_classes.as_ref();
        used.and_then(|used| used.guided.clone())
    };
    assert!(guide(&unguided).is_none(), "the unguided check was guided");
    let report = guide(&guided).expect("the check was guided");
    (guided, unguided, report)
}

#[test]
fn fenced_lease_lock_with_skew_one_stores_a_seventh() {
    let (guided, unguided, report) = guided_and_unguided(|| {
        testing::check(declared::<FencedLeaseLock>(&[("variant", "none")])).hold("bounded_skew=1")
    });
    assert_eq!(guided.assert_violated("no_lost_increment").length, 21);
    unguided.assert_states(130_989);
    // Five runs, the bound raised from the initial class distance to 21 (the drifts a
    // run needs, which the classes do not count); the last stores 5 372 states, the
    // four before it 2 523 (19 151 and 5 689 when the distances were those of a table
    // cut at the depth of the class search's finding; 11 366 and 6 878 with a covered
    // class as far as the one that covers it, where the classes are not searched again
    // without subsumption).
    assert_eq!((report.runs, report.bound), (5, 21));
    assert_eq!(guided.report.stats.unique_states, 5_372);
    assert_eq!(report.earlier_states, 2_523);
}

#[test]
fn fenced_lease_lock_everything_relaxed_finds_its_example_in_one_run() {
    let (guided, unguided, report) = guided_and_unguided(|| {
        testing::check(declared::<FencedLeaseLock>(&[("variant", "all")])).relax_all()
    });
    guided.assert_holds("no_lost_increment");
    assert_eq!((report.runs, report.bound), (1, 15));
    assert_eq!(guided.report.stats.unique_states, 203);
    // Unguided 23 914 before subsumption counted the late timers.
    assert_eq!(unguided.report.stats.unique_states, 10_820);
}

#[test]
fn tombstone_gc_everything_relaxed_on_the_message_set() {
    let (guided, unguided, report) = guided_and_unguided(|| {
        let variant = [("variant", "purge_after_all_acks")];
        testing::check(declared::<TombstoneGc>(&variant)).relax_all()
    });
    assert!(report.on_set, "the message set's search is the one guided");
    assert_eq!(guided.assert_violated("deleted_stays_deleted").length, 11);
    assert_eq!(guided.report.stats.unique_states, 28_568);
    assert_eq!(unguided.report.stats.unique_states, 213_982);
}

/// On the whole reachable space of `system`: for every property (and deadlock), every
/// state's class distance to a state that decides it is at most the state's true
/// distance (the shortest run to one, breadth-first backwards over the full graph).
/// This is what the guided search's lengths rest on. The distances are computed on
/// the graph the class search records, with subsumption (where the system allows it:
/// a covered class as far as the one that covers it) on one thread and on three (the
/// same bound everywhere), and without it. Returns how many (state, property) pairs
/// were compared, how many of them were exact, and how many classes subsumption left
/// unexpanded.
#[track_caller]
fn assert_admissible<P: Protocol>(system: &TimedSystem<P>) -> (usize, usize, usize) {
    use stateright::Model;
    let states = check::first_states(system, usize::MAX);
    let index: HashMap<u64, usize> = states
        .iter()
        .enumerate()
        .map(|(at, state)| (check::fingerprint(state), at))
        .collect();
    let mut before = vec![Vec::new(); states.len()];
    let mut stuck = vec![false; states.len()];
    let mut actions = Vec::new();
    for (at, state) in states.iter().enumerate() {
        actions.clear();
        system.actions(state, &mut actions);
        stuck[at] = actions.is_empty();
        for action in actions.drain(..) {
            if let Some(next) = system.next_state(state, action) {
                before[index[&check::fingerprint(&next)]].push(at);
            }
        }
    }
    let properties = system.properties();
    let mut names: Vec<&'static str> = properties
        .iter()
        .filter(|p| p.expectation != stateright::Expectation::Eventually)
        .map(|p| p.name)
        .collect();
    names.push(check::DEADLOCK_PROPERTY);
    let drift = system.drift_classes().expect("drift classes apply");
    let table_on = |threads: usize, subsumption: bool| {
        let options = CheckOptions {
            threads,
            subsumption,
            ..CheckOptions::default()
        };
        drift
            .distances(&names, false, &options, &Budget::unlimited())
            .expect("the whole class graph")
    };
    let table = table_on(1, true);
    // Recorded on three threads (workers recording their chunks, appended between
    // levels), the graph is the same.
    let threaded = table_on(3, true);
    assert_eq!(threaded.len(), table.len(), "classes on three threads");
    assert_eq!(
        threaded.covered(),
        table.covered(),
        "covered on three threads"
    );
    let unsubsumed = table_on(1, false);
    assert_eq!(unsubsumed.covered(), 0, "covered without subsumption");
    let (mut compared, mut exact) = (0, 0);
    for (opened, name) in names.iter().enumerate() {
        let decides = |at: usize| match properties.iter().find(|p| p.name == *name) {
            Some(property) => {
                let value = (property.condition)(system, &states[at]);
                match property.expectation {
                    stateright::Expectation::Always => !value,
                    _ => value,
                }
            }
            None => stuck[at],
        };
        let mut distance = vec![usize::MAX; states.len()];
        let mut queue = VecDeque::new();
        for at in (0..states.len()).filter(|&at| decides(at)) {
            distance[at] = 0;
            queue.push_back(at);
        }
        while let Some(at) = queue.pop_front() {
            for &earlier in &before[at] {
                if distance[earlier] == usize::MAX {
                    distance[earlier] = distance[at] + 1;
                    queue.push_back(earlier);
                }
            }
        }
        for (at, state) in states.iter().enumerate() {
            let truth = distance[at];
            let lower = table.lower(state, &[opened]);
            assert_eq!(
                threaded.lower(state, &[opened]),
                lower,
                "{name}: state #{at}'s class distance on three threads"
            );
            assert!(
                lower <= truth,
                "{name}: state #{at} is {truth} steps from a decision, its class {lower}"
            );
            let unsubsumed = unsubsumed.lower(state, &[opened]);
            assert!(
                unsubsumed <= truth,
                "{name}: state #{at} is {truth} steps from a decision, its class \
                 {unsubsumed} without subsumption"
            );
            if truth != usize::MAX {
                compared += 1;
                exact += usize::from(lower == truth);
            }
        }
    }
    (compared, exact, table.covered())
}

synccheck::nodes! {
    enum Node {
        Ticker = "ticker" [no_crash],
    }
}

/// One pausable node with two timers, of 2 and 4 ticks, each re-armed when it fires;
/// it counts the firings (up to 3).
#[derive(Clone, Debug)]
struct TwoTimers;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
enum Timer {
    Short,
    Long,
}

impl Protocol for TwoTimers {
    type Node = Node;
    type State = (u8, u8);
    type Durable = ();
    type Msg = ();
    type Timer = Timer;
    type Ghost = ();
    const LEAN_STATE: bool = true;
    fn largest_time_constant_ticks(&self) -> u32 {
        4
    }
    fn default_assumptions(&self) -> AssumptionSet {
        AssumptionSet::all_relaxed()
    }
    fn on_start(&self, _: Node, ctx: &mut synccheck::system::Context<'_, Self>) -> (u8, u8) {
        ctx.set_timer(Timer::Short, 2);
        ctx.set_timer(Timer::Long, 4);
        (0, 0)
    }
    fn on_message(
        &self,
        _: Node,
        _: &mut (u8, u8),
        _: Node,
        _: &(),
        _: &mut synccheck::system::Context<'_, Self>,
    ) {
    }
    fn on_timer(
        &self,
        _: Node,
        fired: &mut (u8, u8),
        timer: &Timer,
        ctx: &mut synccheck::system::Context<'_, Self>,
    ) {
        match timer {
            Timer::Short => {
                fired.0 = fired.0.saturating_add(1).min(3);
                ctx.set_timer(Timer::Short, 2);
            }
            Timer::Long => {
                fired.1 = fired.1.saturating_add(1).min(3);
                ctx.set_timer(Timer::Long, 4);
            }
        }
    }
    fn properties(&self) -> Vec<synccheck::system::Property<Self>> {
        use synccheck::system::Property;
        vec![
            Property::sometimes("short_thrice_before_long", |_, state| {
                state.nodes[0].state == Some((3, 0))
            }),
            Property::always("long_never_first", |_, state| {
                let (short, long) = state.nodes[0].state.unwrap_or((0, 0));
                !(long >= 1 && short == 0)
            }),
        ]
    }
}

/// The table is the same built on one thread or three. A Tick that saturates a timer
/// (a paused node's timer at 0 while time passes, or a late one) is two steps between
/// classes, the Tick and a drift ahead: `TwoTimers`
/// with skew held at 2 and every other assumption relaxed, and catalog spaces with
/// skew held, pauses and late timers. With pauses bounded, subsumption leaves classes
/// unexpanded, which take the distance of the class that covers them.
#[test]
fn class_distances_never_exceed_the_true_distance() {
    let cases = [
        // Its defaults relax everything.
        assert_admissible(&system_holding(
            TwoTimers,
            &[(Assumption::BoundedSkew, Some(2))],
            &[],
        )),
        assert_admissible(&system_holding(
            declared::<AtLeastOnceQueue>(&[("variant", "ack_after")]),
            &[(Assumption::BoundedSkew, Some(1))],
            &[],
        )),
        assert_admissible(&system_holding(
            declared::<LwwRegister>(&[("variant", "physical")]),
            &[(Assumption::BoundedSkew, Some(2))],
            &[],
        )),
        assert_admissible(&system_holding(
            TwoTimers,
            &[
                (Assumption::BoundedSkew, Some(2)),
                (Assumption::BoundedPause, Some(2)),
            ],
            &[],
        )),
    ];
    for (compared, exact, _) in cases {
        assert!(
            compared > 0 && exact > 0,
            "{compared} compared, {exact} exact"
        );
    }
    let covered: Vec<usize> = cases.iter().map(|case| case.2).collect();
    assert!(
        covered.iter().any(|&covered| covered > 0),
        "no class left unexpanded under subsumption: {covered:?}"
    );
}
