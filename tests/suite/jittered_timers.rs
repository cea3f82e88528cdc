//! `Context::set_timer_within`: a timer that may fire anywhere in a window of local
//! time. It is due from the window's start; `timely_timers` keeps time from passing
//! its end; a drift moves it like any timer; and every firing time is explored.

use serde::Serialize;
use synccheck::system::{
    Action, Assumption, AssumptionSet, Context, Property, Protocol, SystemState, TimedSystem,
    TimerEntry,
};

/// One node that arms `Backoff` for 1 to 3 ticks and counts its firings.
#[derive(Clone, Debug)]
struct Jittered;

synccheck::nodes! {
    enum Node {
        N0 = "n0",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
enum Timer {
    Backoff,
}

impl Protocol for Jittered {
    type Node = Node;
    type State = u8;
    type Durable = ();
    type Msg = ();
    type Timer = Timer;
    type Ghost = ();

    fn largest_time_constant_ticks(&self) -> u32 {
        3
    }
    fn on_start(&self, _node: Node, ctx: &mut Context<'_, Self>) -> u8 {
        ctx.set_timer_within(Timer::Backoff, 1, 3);
        0
    }
    fn on_message(&self, _: Node, _: &mut u8, _: Node, _: &(), _: &mut Context<'_, Self>) {}
    fn on_timer(&self, _: Node, fired: &mut u8, _: &Timer, _: &mut Context<'_, Self>) {
        *fired += 1;
    }
    fn on_restart(&self, _node: Node, _ctx: &mut Context<'_, Self>) -> u8 {
        0
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::sometimes("fired", |_, s| {
            s.node_state(Node::N0) == Some(&1)
        })]
    }
}

type State = SystemState<Jittered>;
const FIRE: Action<(), Timer> = Action::Fire {
    node: 0,
    timer: Timer::Backoff,
};

fn system(assumptions: AssumptionSet) -> TimedSystem<Jittered> {
    TimedSystem::new(Jittered, assumptions).expect("within limits")
}

fn enabled(system: &TimedSystem<Jittered>, state: &State) -> Vec<Action<(), Timer>> {
    let mut out = Vec::new();
    system.enabled_actions(state, &mut out);
    out
}

fn ticks(system: &TimedSystem<Jittered>, n: usize) -> State {
    let mut state = system.initial_state();
    for _ in 0..n {
        state = system.step(&state, &Action::Tick).expect("tick applies");
    }
    state
}

#[test]
fn a_windowed_timer_may_fire_at_every_tick_of_its_window_and_no_later() {
    let held = system(AssumptionSet::default());
    let start = held.initial_state();
    assert_eq!(
        start.nodes[0].timers,
        vec![TimerEntry {
            timer: Timer::Backoff,
            remaining_ticks: 3,
            window_ticks: 2
        }]
    );
    assert!(!enabled(&held, &start).contains(&FIRE), "not before 1 tick");
    for elapsed in 1..=3 {
        let state = ticks(&held, elapsed);
        assert!(
            enabled(&held, &state).contains(&FIRE),
            "due after {elapsed}"
        );
        let fired = held.step(&state, &FIRE).expect("fires");
        assert_eq!(fired.node_state(Node::N0), Some(&1));
        assert!(fired.nodes[0].timers.is_empty());
    }
    let deadline = ticks(&held, 3);
    assert!(
        !enabled(&held, &deadline).contains(&Action::Tick),
        "timely_timers: time does not pass the window's end"
    );
    let explanation = held.forbids(Assumption::TimelyTimers, 0, &deadline, &Action::Tick, 0);
    assert!(explanation.is_some_and(|s| s.contains("Backoff")));

    let mut late = AssumptionSet::default();
    late.relax(Assumption::TimelyTimers);
    let late = system(late);
    assert!(enabled(&late, &ticks(&late, 3)).contains(&Action::Tick));
}

#[test]
fn a_clock_drifting_back_reopens_the_wait_and_ahead_shortens_it() {
    let mut set = AssumptionSet::default();
    set.hold(Assumption::BoundedSkew, Some(1)).expect("valid");
    let skewed = system(set);
    let one = ticks(&skewed, 1);
    let behind = skewed
        .step(
            &one,
            &Action::Drift {
                node: 0,
                forward: false,
            },
        )
        .expect("drift applies");
    assert!(
        !enabled(&skewed, &behind).contains(&FIRE),
        "the window starts later"
    );
    let ahead = skewed
        .step(
            &skewed.initial_state(),
            &Action::Drift {
                node: 0,
                forward: true,
            },
        )
        .expect("drift applies");
    assert!(
        enabled(&skewed, &ahead).contains(&FIRE),
        "the window starts earlier"
    );
}

#[test]
fn a_plain_timer_is_a_window_of_zero() {
    let entry = TimerEntry::new(Timer::Backoff, 0);
    assert!(entry.is_due() && entry.at_deadline());
    let later = TimerEntry::new(Timer::Backoff, 1);
    assert!(!later.is_due() && !later.at_deadline());
}
