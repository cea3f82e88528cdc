//! The assumption vocabulary, one action at a time: for each assumption, an action the
//! timed system disables while the assumption is held and enables once it is relaxed;
//! the sentence `forbids` gives for it; the caps that keep the state space finite; and
//! what a crash does to messages, timers and persisted writes.
//!
//! The protocol under test is a two-node ping-pong written for these tests:
//! - `pinger` sends `Ping(1)` then `Ping(2)` to `ponger` on start, sets a `Retry` timer
//!   of 2 ticks and persists `count = 1`. When `Retry` fires it sends `Ping(2)` again.
//!   On restart it reads its count back from the persisted state.
//! - `ponger` records each distinct ping it receives, in delivery order.
//!
//! Each assumption is tested in isolation: the "held" system holds only that
//! assumption, the "relaxed" one holds nothing (`AssumptionSet::all_relaxed()`).

use serde::Serialize;
use synccheck::check::{self, CheckOptions, StopReason, Verdict, DEADLOCK_PROPERTY};
use synccheck::system::Assumption::DurableWrites;
use synccheck::system::{
    Action, Assumption, AssumptionSet, Context, Envelope, LeansOn, NodeId, NodeStatus, Property,
    Protocol, SystemAction, SystemState, TimedSystem, TimerEntry, IN_FLIGHT_MAX,
};

synccheck::nodes! {
    enum Node {
        Pinger = "pinger",
        Ponger = "ponger",
    }
}

/// The engine's numbering of the nodes, for actions, envelopes and `state.nodes`.
const PINGER: NodeId = Node::Pinger as NodeId;
const PONGER: NodeId = Node::Ponger as NodeId;
const RETRY_TICKS: u32 = 2;

#[derive(Clone, Debug)]
struct PingPong;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
enum Msg {
    Ping(u8),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
enum Timer {
    Retry,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
enum NodeState {
    Pinger { count: u8, restarted: bool },
    Ponger { received: Vec<u8> },
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
struct Durable {
    count: u8,
}

impl Protocol for PingPong {
    type Node = Node;
    type State = NodeState;
    type Durable = Durable;
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();

    const LEANS_ON: &'static [LeansOn] =
        &[DurableWrites.because("a restarted pinger reads back a count it never synced")];
    // No property reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        RETRY_TICKS
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Ponger => NodeState::Ponger {
                received: Vec::new(),
            },
            Node::Pinger => {
                ctx.send(Node::Ponger, Msg::Ping(1));
                ctx.send(Node::Ponger, Msg::Ping(2));
                ctx.set_timer(Timer::Retry, RETRY_TICKS);
                ctx.persist(Durable { count: 1 });
                NodeState::Pinger {
                    count: ctx.durable().count,
                    restarted: false,
                }
            }
        }
    }

    fn on_message(
        &self,
        _node: Node,
        state: &mut NodeState,
        _from: Node,
        msg: &Msg,
        _ctx: &mut Context<'_, Self>,
    ) {
        let (NodeState::Ponger { received }, Msg::Ping(seq)) = (state, msg) else {
            return;
        };
        if !received.contains(seq) {
            received.push(*seq);
        }
    }

    fn on_timer(
        &self,
        _node: Node,
        _state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match timer {
            Timer::Retry => ctx.send(Node::Ponger, Msg::Ping(2)),
        }
    }

    fn on_restart(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Ponger => NodeState::Ponger {
                received: Vec::new(),
            },
            Node::Pinger => NodeState::Pinger {
                count: ctx.durable().count,
                restarted: true,
            },
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("count_survives", |_, state| {
                !matches!(
                    state.node_state(Node::Pinger),
                    Some(NodeState::Pinger { count: 0, .. })
                )
            }),
            Property::sometimes("ponger_got_both", |_, state| {
                matches!(
                    state.node_state(Node::Ponger),
                    Some(NodeState::Ponger { received }) if received.len() == 2
                )
            }),
        ]
    }
}

type Step = SystemAction<PingPong>;
type State = SystemState<PingPong>;

/// The system storing every quantity: these tests look at ages and pause lengths
/// (`lean_system` is the one a check of this protocol explores).
fn system(assumptions: AssumptionSet) -> TimedSystem<PingPong> {
    lean_system(assumptions).without_lean_state()
}

fn lean_system(assumptions: AssumptionSet) -> TimedSystem<PingPong> {
    TimedSystem::new(PingPong, assumptions).expect("two nodes and a 2-tick timer are within limits")
}

/// Holds only `assumption` (with `bound`); everything else is relaxed.
fn holding(assumption: Assumption, bound: Option<u32>) -> TimedSystem<PingPong> {
    let mut set = AssumptionSet::all_relaxed();
    set.hold(assumption, bound)
        .expect("the bounds used here are valid");
    system(set)
}

fn relaxed() -> TimedSystem<PingPong> {
    system(AssumptionSet::all_relaxed())
}

fn enabled(system: &TimedSystem<PingPong>, state: &State) -> Vec<Step> {
    let mut actions = Vec::new();
    system.enabled_actions(state, &mut actions);
    actions
}

fn is_enabled(system: &TimedSystem<PingPong>, state: &State, action: &Step) -> bool {
    enabled(system, state).contains(action)
}

/// Takes `actions` in order from the initial state, each of which must be enabled.
fn after(system: &TimedSystem<PingPong>, actions: &[Step]) -> State {
    let mut state = system.initial_state();
    for action in actions {
        assert!(
            is_enabled(system, &state, action),
            "{action:?} is not enabled in {state:?}"
        );
        state = system
            .step(&state, action)
            .expect("an enabled action applies");
    }
    state
}

fn ping(seq: u8, age_ticks: u8) -> Envelope<Msg> {
    Envelope {
        src: PINGER,
        dst: PONGER,
        age_ticks,
        msg: Msg::Ping(seq),
    }
}

fn deliver(seq: u8, age_ticks: u8) -> Step {
    Action::Deliver {
        envelope: ping(seq, age_ticks),
    }
}

fn drift(node: NodeId, forward: bool) -> Step {
    Action::Drift { node, forward }
}

fn retry_timer(remaining_ticks: u8) -> Vec<TimerEntry<Timer>> {
    vec![TimerEntry::new(Timer::Retry, remaining_ticks)]
}

fn ages(state: &State) -> Vec<u8> {
    state.network.iter().map(|e| e.age_ticks).collect()
}

fn received(state: &State) -> Vec<u8> {
    match state.node_state(Node::Ponger) {
        Some(NodeState::Ponger { received }) => received.clone(),
        other => panic!("ponger is not running a ponger state: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// Each assumption: disabled while held, enabled once relaxed.
// ---------------------------------------------------------------------------------

#[test]
fn bounded_delay_forbids_tick_while_a_deliverable_message_is_delta_old() {
    let held = holding(Assumption::BoundedDelay, Some(1));
    let initial = held.initial_state();
    assert_eq!(initial.network, vec![ping(1, 0), ping(2, 0)]);
    assert!(is_enabled(&held, &initial, &Action::Tick), "ages 0 < Δ = 1");
    let aged = after(&held, &[Action::Tick]);
    assert_eq!(ages(&aged), vec![1, 1]);
    assert!(!is_enabled(&held, &aged, &Action::Tick));
    // Delivering one is not enough: the other is still 1 tick old.
    let one_left = held.step(&aged, &deliver(1, 1)).expect("in flight");
    assert!(!is_enabled(&held, &one_left, &Action::Tick));
    let none_left = held.step(&one_left, &deliver(2, 1)).expect("in flight");
    assert!(is_enabled(&held, &none_left, &Action::Tick));
    // A message to a paused node is not deliverable, so it does not hold time back.
    let paused = held
        .step(&aged, &Action::Pause { node: PONGER })
        .expect("pause applies");
    assert!(is_enabled(&held, &paused, &Action::Tick));

    let relaxed = relaxed();
    let aged = after(&relaxed, &[Action::Tick]);
    assert!(is_enabled(&relaxed, &aged, &Action::Tick));
    let lingering = after(&relaxed, &[Action::Tick, Action::Tick, Action::Tick]);
    assert_eq!(lingering.network, vec![ping(1, 1), ping(2, 1)]);
}

#[test]
fn bounded_delay_zero_forbids_every_tick_while_a_message_is_deliverable() {
    let held = holding(Assumption::BoundedDelay, Some(0));
    let initial = held.initial_state();
    assert!(!is_enabled(&held, &initial, &Action::Tick));
    assert!(is_enabled(&held, &initial, &deliver(1, 0)));
}

#[test]
fn bounded_skew_forbids_drift_beyond_epsilon() {
    let held = holding(Assumption::BoundedSkew, Some(1));
    let initial = held.initial_state();
    assert!(is_enabled(&held, &initial, &drift(PINGER, true)));
    assert!(is_enabled(&held, &initial, &drift(PINGER, false)));
    let ahead = after(&held, &[drift(PINGER, true)]);
    assert_eq!(ahead.nodes[PINGER].clock_offset_ticks, 1);
    assert_eq!(ahead.nodes[PINGER].timers, retry_timer(1));
    assert!(
        !is_enabled(&held, &ahead, &drift(PINGER, true)),
        "+2 > ε = 1"
    );
    assert!(is_enabled(&held, &ahead, &drift(PINGER, false)));
    let behind = after(&held, &[drift(PINGER, false)]);
    assert_eq!(behind.nodes[PINGER].clock_offset_ticks, -1);
    assert!(
        !is_enabled(&held, &behind, &drift(PINGER, false)),
        "-2 < -ε"
    );

    let exact = holding(Assumption::BoundedSkew, Some(0));
    let drifts = enabled(&exact, &exact.initial_state())
        .into_iter()
        .filter(|a| matches!(a, Action::Drift { .. }))
        .count();
    assert_eq!(drifts, 0);

    let relaxed = relaxed();
    let ahead = after(&relaxed, &[drift(PINGER, true)]);
    assert!(is_enabled(&relaxed, &ahead, &drift(PINGER, true)));
    // Relaxed skew stores no offsets; the drift is felt by the timers only.
    let further = after(&relaxed, &[drift(PINGER, true), drift(PINGER, true)]);
    assert_eq!(further.nodes[PINGER].clock_offset_ticks, 0);
    assert_eq!(further.nodes[PINGER].timers, retry_timer(0));
}

#[test]
fn bounded_pause_zero_forbids_pause() {
    let never = holding(Assumption::BoundedPause, Some(0));
    let initial = never.initial_state();
    assert!(!is_enabled(
        &never,
        &initial,
        &Action::Pause { node: PINGER }
    ));
    assert!(!is_enabled(
        &never,
        &initial,
        &Action::Pause { node: PONGER }
    ));

    let relaxed = relaxed();
    let initial = relaxed.initial_state();
    assert!(is_enabled(
        &relaxed,
        &initial,
        &Action::Pause { node: PINGER }
    ));
    assert!(is_enabled(
        &relaxed,
        &initial,
        &Action::Pause { node: PONGER }
    ));
}

#[test]
fn bounded_pause_forbids_tick_once_a_node_has_been_paused_p_ticks() {
    let held = holding(Assumption::BoundedPause, Some(1));
    let pause = || Action::Pause { node: PONGER };
    let paused = after(&held, &[pause()]);
    assert_eq!(paused.nodes[PONGER].status, NodeStatus::Paused { ticks: 0 });
    assert!(is_enabled(&held, &paused, &Action::Tick));
    let paused_long = after(&held, &[pause(), Action::Tick]);
    assert_eq!(
        paused_long.nodes[PONGER].status,
        NodeStatus::Paused { ticks: 1 }
    );
    assert!(!is_enabled(&held, &paused_long, &Action::Tick));
    assert!(is_enabled(
        &held,
        &paused_long,
        &Action::Resume { node: PONGER }
    ));

    let relaxed = relaxed();
    let paused_long = after(
        &relaxed,
        &[pause(), Action::Tick, Action::Tick, Action::Tick],
    );
    assert!(is_enabled(&relaxed, &paused_long, &Action::Tick));
    // Relaxed, the pause length is not told apart beyond the annotation bound (0).
    assert_eq!(
        paused_long.nodes[PONGER].status,
        NodeStatus::Paused { ticks: 0 }
    );
}

#[test]
fn timely_timers_forbids_tick_while_a_running_nodes_timer_is_due() {
    let held = holding(Assumption::TimelyTimers, None);
    let fire = Action::Fire {
        node: PINGER,
        timer: Timer::Retry,
    };
    let almost = after(&held, &[Action::Tick]);
    assert_eq!(almost.nodes[PINGER].timers, retry_timer(1));
    assert!(is_enabled(&held, &almost, &Action::Tick));
    assert!(!is_enabled(&held, &almost, &fire));
    let due = after(&held, &[Action::Tick, Action::Tick]);
    assert_eq!(due.nodes[PINGER].timers, retry_timer(0));
    assert!(!is_enabled(&held, &due, &Action::Tick));
    assert!(is_enabled(&held, &due, &fire));
    // A paused node's due timer does not hold time back (it cannot fire).
    let paused = held
        .step(&due, &Action::Pause { node: PINGER })
        .expect("pause applies");
    assert!(is_enabled(&held, &paused, &Action::Tick));
    assert!(!is_enabled(&held, &paused, &fire));

    let relaxed = relaxed();
    let late = after(&relaxed, &[Action::Tick, Action::Tick, Action::Tick]);
    assert!(is_enabled(&relaxed, &late, &Action::Tick));
    assert_eq!(late.nodes[PINGER].timers, retry_timer(0));
    assert!(is_enabled(&relaxed, &late, &fire));
}

#[test]
fn reliable_links_forbids_drop() {
    let held = holding(Assumption::ReliableLinks, None);
    let drops = enabled(&held, &held.initial_state())
        .into_iter()
        .filter(|a| matches!(a, Action::Drop { .. }))
        .count();
    assert_eq!(drops, 0);

    let relaxed = relaxed();
    let drop_first = Action::Drop {
        envelope: ping(1, 0),
        copy: 0,
    };
    let initial = relaxed.initial_state();
    assert!(is_enabled(&relaxed, &initial, &drop_first));
    assert!(is_enabled(
        &relaxed,
        &initial,
        &Action::Drop {
            envelope: ping(2, 0),
            copy: 0,
        }
    ));
    let lost = after(&relaxed, &[drop_first]);
    assert_eq!(lost.network, vec![ping(2, 0)]);
}

#[test]
fn no_duplication_forbids_delivering_a_duplicate() {
    let held = holding(Assumption::NoDuplication, None);
    let duplicates = enabled(&held, &held.initial_state())
        .into_iter()
        .filter(|a| matches!(a, Action::Duplicate { .. }))
        .count();
    assert_eq!(duplicates, 0);

    let relaxed = relaxed();
    let duplicate = |seq| Action::Duplicate {
        envelope: ping(seq, 0),
    };
    // A duplicate is delivered and the message stays in flight, as often as the
    // network allows.
    let once = after(&relaxed, &[duplicate(1)]);
    assert_eq!(once.network, vec![ping(1, 0), ping(2, 0)]);
    assert_eq!(received(&once), vec![1]);
    let actions = enabled(&relaxed, &once);
    assert!(actions.contains(&duplicate(1)) && actions.contains(&duplicate(2)));
    let then_delivered = after(&relaxed, &[duplicate(1), duplicate(1), deliver(1, 0)]);
    assert_eq!(then_delivered.network, vec![ping(2, 0)]);
    assert_eq!(received(&then_delivered), vec![1]);

    // Only while fewer than IN_FLIGHT_MAX messages are in flight, and only to a
    // running receiver.
    let mut crowded = relaxed.initial_state();
    crowded.network = vec![ping(1, 0); IN_FLIGHT_MAX];
    assert!(!enabled(&relaxed, &crowded).contains(&duplicate(1)));
    crowded.network.pop();
    assert!(enabled(&relaxed, &crowded).contains(&duplicate(1)));
    let paused = after(&relaxed, &[Action::Pause { node: PONGER }]);
    assert!(!enabled(&relaxed, &paused).contains(&duplicate(1)));
}

#[test]
fn fifo_links_forbids_delivering_the_second_message_of_a_channel_first() {
    let held = holding(Assumption::FifoLinks, None);
    let initial = held.initial_state();
    assert!(is_enabled(&held, &initial, &deliver(1, 0)));
    assert!(!is_enabled(&held, &initial, &deliver(2, 0)));
    let first_delivered = after(&held, &[deliver(1, 0)]);
    assert!(is_enabled(&held, &first_delivered, &deliver(2, 0)));
    let in_order = after(&held, &[deliver(1, 0), deliver(2, 0)]);
    assert_eq!(received(&in_order), vec![1, 2]);

    let relaxed = relaxed();
    let initial = relaxed.initial_state();
    assert!(is_enabled(&relaxed, &initial, &deliver(1, 0)));
    assert!(is_enabled(&relaxed, &initial, &deliver(2, 0)));
    let reordered = after(&relaxed, &[deliver(2, 0), deliver(1, 0)]);
    assert_eq!(received(&reordered), vec![2, 1]);
}

#[test]
fn max_crashes_forbids_the_crash_after_k() {
    let held = holding(Assumption::MaxCrashes, Some(1));
    let initial = held.initial_state();
    assert!(is_enabled(&held, &initial, &Action::Crash { node: PINGER }));
    assert!(is_enabled(&held, &initial, &Action::Crash { node: PONGER }));
    let crashed = after(&held, &[Action::Crash { node: PINGER }]);
    assert_eq!(crashed.crashes, 1);
    assert!(!is_enabled(
        &held,
        &crashed,
        &Action::Crash { node: PONGER }
    ));
    let restarted = after(
        &held,
        &[
            Action::Crash { node: PINGER },
            Action::Restart { node: PINGER },
        ],
    );
    assert_eq!(restarted.crashes, 1, "a restart does not give a crash back");
    assert!(!is_enabled(
        &held,
        &restarted,
        &Action::Crash { node: PINGER }
    ));

    let relaxed = relaxed();
    let crashed = after(&relaxed, &[Action::Crash { node: PINGER }]);
    assert!(is_enabled(
        &relaxed,
        &crashed,
        &Action::Crash { node: PONGER }
    ));
    assert_eq!(crashed.crashes, 0, "not counted while relaxed");
}

#[test]
fn no_crash_is_max_crashes_zero() {
    let mut set = AssumptionSet::all_relaxed();
    set.hold_spec("no_crash").expect("no_crash is a valid name");
    assert_eq!(set.held_bound(Assumption::MaxCrashes), Some(0));
    let held = system(set);
    let crashes = enabled(&held, &held.initial_state())
        .into_iter()
        .filter(|a| matches!(a, Action::Crash { .. }))
        .count();
    assert_eq!(crashes, 0);
}

#[test]
fn durable_writes_relaxed_leaves_a_pending_write_that_a_crash_loses() {
    let relaxed = relaxed();
    let initial = relaxed.initial_state();
    assert_eq!(initial.nodes[PINGER].durable, Durable { count: 0 });
    assert_eq!(initial.nodes[PINGER].unsynced, Some(Durable { count: 1 }));
    // The node reads its own unsynced write back.
    assert_eq!(
        initial.node_state(Node::Pinger),
        Some(&NodeState::Pinger {
            count: 1,
            restarted: false
        })
    );
    assert!(is_enabled(
        &relaxed,
        &initial,
        &Action::Sync { node: PINGER }
    ));
    assert!(!is_enabled(
        &relaxed,
        &initial,
        &Action::Sync { node: PONGER }
    ));

    let crash_restart = [
        Action::Crash { node: PINGER },
        Action::Restart { node: PINGER },
    ];
    let lost = after(&relaxed, &crash_restart[..1]);
    assert_eq!(lost.nodes[PINGER].unsynced, None);
    assert_eq!(lost.nodes[PINGER].durable, Durable { count: 0 });
    let restarted = after(&relaxed, &crash_restart);
    assert_eq!(
        restarted.node_state(Node::Pinger),
        Some(&NodeState::Pinger {
            count: 0,
            restarted: true
        })
    );

    let synced = after(&relaxed, &[Action::Sync { node: PINGER }]);
    assert_eq!(synced.nodes[PINGER].durable, Durable { count: 1 });
    assert_eq!(synced.nodes[PINGER].unsynced, None);
    assert!(!is_enabled(
        &relaxed,
        &synced,
        &Action::Sync { node: PINGER }
    ));
    let restarted = after(
        &relaxed,
        &[
            Action::Sync { node: PINGER },
            Action::Crash { node: PINGER },
            Action::Restart { node: PINGER },
        ],
    );
    assert_eq!(
        restarted.node_state(Node::Pinger),
        Some(&NodeState::Pinger {
            count: 1,
            restarted: true
        })
    );
}

#[test]
fn durable_writes_held_persists_at_once_and_survives_crash_and_restart() {
    let held = holding(Assumption::DurableWrites, None);
    let initial = held.initial_state();
    assert_eq!(initial.nodes[PINGER].durable, Durable { count: 1 });
    assert_eq!(initial.nodes[PINGER].unsynced, None);
    let syncs = enabled(&held, &initial)
        .into_iter()
        .filter(|a| matches!(a, Action::Sync { .. }))
        .count();
    assert_eq!(syncs, 0);
    let restarted = after(
        &held,
        &[
            Action::Crash { node: PINGER },
            Action::Restart { node: PINGER },
        ],
    );
    assert_eq!(restarted.nodes[PINGER].durable, Durable { count: 1 });
    assert_eq!(
        restarted.node_state(Node::Pinger),
        Some(&NodeState::Pinger {
            count: 1,
            restarted: true
        })
    );
}

// ---------------------------------------------------------------------------------
// The sentences annotations use.
// ---------------------------------------------------------------------------------

#[test]
fn forbids_gives_the_annotation_sentence_for_each_assumption() {
    let system = relaxed();
    let initial = system.initial_state();
    let aged = after(&system, &[Action::Tick]);
    let due = after(&system, &[Action::Tick, Action::Tick]);
    let paused = after(&system, &[Action::Pause { node: PONGER }]);
    let pause_held = holding(Assumption::BoundedPause, Some(1));
    let paused_long = after(&pause_held, &[Action::Pause { node: PONGER }, Action::Tick]);
    let fifo = holding(Assumption::FifoLinks, None);
    let fifo_initial = fifo.initial_state();
    let said = |assumption, bound, state: &State, action: &Step, crashes| {
        system.forbids(assumption, bound, state, action, crashes)
    };

    assert_eq!(
        said(Assumption::BoundedDelay, 1, &aged, &Action::Tick, 0).as_deref(),
        Some("Tick while Ping(1) pinger→ponger is 1 tick old")
    );
    assert_eq!(
        said(Assumption::BoundedDelay, 1, &initial, &Action::Tick, 0),
        None
    );
    assert_eq!(
        said(
            Assumption::BoundedSkew,
            0,
            &initial,
            &drift(PINGER, true),
            0
        )
        .as_deref(),
        Some("the clock of pinger drifts to +1 tick from true time")
    );
    assert_eq!(
        said(
            Assumption::BoundedSkew,
            0,
            &initial,
            &drift(PINGER, false),
            0
        )
        .as_deref(),
        Some("the clock of pinger drifts to -1 tick from true time")
    );
    assert_eq!(
        said(
            Assumption::BoundedSkew,
            1,
            &initial,
            &drift(PINGER, true),
            0
        ),
        None
    );
    assert_eq!(
        said(
            Assumption::BoundedPause,
            0,
            &initial,
            &Action::Pause { node: PONGER },
            0
        )
        .as_deref(),
        Some("ponger pauses")
    );
    assert_eq!(
        pause_held
            .forbids(Assumption::BoundedPause, 1, &paused_long, &Action::Tick, 0)
            .as_deref(),
        Some("Tick while ponger has been paused 1 tick")
    );
    assert_eq!(
        said(Assumption::BoundedPause, 1, &paused, &Action::Tick, 0),
        None
    );
    assert_eq!(
        said(Assumption::TimelyTimers, 0, &due, &Action::Tick, 0).as_deref(),
        Some("Tick while timer Retry of pinger is due")
    );
    assert_eq!(
        said(Assumption::TimelyTimers, 0, &aged, &Action::Tick, 0),
        None
    );
    assert_eq!(
        said(
            Assumption::ReliableLinks,
            0,
            &initial,
            &Action::Drop {
                envelope: ping(1, 0),
                copy: 0,
            },
            0
        )
        .as_deref(),
        Some("Ping(1) pinger→ponger is lost")
    );
    assert_eq!(
        said(
            Assumption::NoDuplication,
            0,
            &initial,
            &Action::Duplicate {
                envelope: ping(2, 0)
            },
            0
        )
        .as_deref(),
        Some("Ping(2) pinger→ponger is duplicated")
    );
    assert_eq!(
        fifo.forbids(Assumption::FifoLinks, 0, &fifo_initial, &deliver(2, 0), 0)
            .as_deref(),
        Some("Ping(2) pinger→ponger overtakes the earlier Ping(1)")
    );
    assert_eq!(
        fifo.forbids(Assumption::FifoLinks, 0, &fifo_initial, &deliver(1, 0), 0),
        None
    );
    // Relaxed, the network forgets send order: the annotation sees an overtake only
    // where ages differ (here the retry's fresh Ping(2) passes the older Ping(1)).
    let retried = after(
        &system,
        &[
            Action::Tick,
            Action::Tick,
            Action::Fire {
                node: PINGER,
                timer: Timer::Retry,
            },
        ],
    );
    assert_eq!(
        said(Assumption::FifoLinks, 0, &retried, &deliver(2, 0), 0).as_deref(),
        Some("Ping(2) pinger→ponger overtakes the earlier Ping(1)")
    );
    assert_eq!(
        said(Assumption::FifoLinks, 0, &initial, &deliver(2, 0), 0),
        None
    );
    assert_eq!(
        said(
            Assumption::MaxCrashes,
            1,
            &initial,
            &Action::Crash { node: PONGER },
            1
        )
        .as_deref(),
        Some("ponger crashes (crash #2)")
    );
    assert_eq!(
        said(
            Assumption::MaxCrashes,
            0,
            &initial,
            &Action::Crash { node: PINGER },
            0
        )
        .as_deref(),
        Some("pinger crashes (crash #1)")
    );
    assert_eq!(
        said(
            Assumption::MaxCrashes,
            1,
            &initial,
            &Action::Crash { node: PINGER },
            0
        ),
        None
    );
    assert_eq!(
        said(
            Assumption::DurableWrites,
            0,
            &initial,
            &Action::Crash { node: PINGER },
            0
        )
        .as_deref(),
        Some("pinger crashes before its last persisted write reached the disk")
    );
    assert_eq!(
        said(
            Assumption::DurableWrites,
            0,
            &initial,
            &Action::Crash { node: PONGER },
            0
        ),
        None,
        "the ponger has nothing pending"
    );
    assert_eq!(
        said(
            Assumption::DurableWrites,
            0,
            &initial,
            &Action::Sync { node: PINGER },
            0
        ),
        None,
        "a Sync is a successful flush: nothing is lost, nothing is broken"
    );
    // An assumption says nothing about actions it does not constrain.
    assert_eq!(
        said(Assumption::ReliableLinks, 0, &initial, &Action::Tick, 0),
        None
    );
}

// ---------------------------------------------------------------------------------
// Caps: a finite space without a horizon.
// ---------------------------------------------------------------------------------

#[test]
fn ages_never_exceed_delta() {
    let held = holding(Assumption::BoundedDelay, Some(2));
    let oldest = after(&held, &[Action::Tick, Action::Tick]);
    assert_eq!(ages(&oldest), vec![2, 2]);
    assert!(!is_enabled(&held, &oldest, &Action::Tick));

    // Relaxed, ages are capped at the bound annotations use (the default Δ = 1).
    let relaxed = relaxed();
    assert_eq!(relaxed.annotation_bound(Assumption::BoundedDelay), 1);
    let mut state = relaxed.initial_state();
    for _ in 0..5 {
        state = relaxed.step(&state, &Action::Tick).expect("tick applies");
        assert!(ages(&state).iter().all(|age| *age <= 1), "{state:?}");
    }
    assert_eq!(ages(&state), vec![1, 1]);
}

#[test]
fn timers_stay_between_zero_and_the_time_cap() {
    let relaxed = relaxed();
    assert_eq!(relaxed.time_cap_ticks(), 3, "largest constant 2, plus 1");
    let later = after(&relaxed, &[drift(PINGER, false)]);
    assert_eq!(later.nodes[PINGER].timers, retry_timer(3));
    assert!(
        !is_enabled(&relaxed, &later, &drift(PINGER, false)),
        "a drift that moves nothing is no step"
    );
    assert!(is_enabled(&relaxed, &later, &drift(PINGER, true)));
    let ponger_drifts = enabled(&relaxed, &relaxed.initial_state())
        .into_iter()
        .filter(|a| matches!(a, Action::Drift { node: PONGER, .. }))
        .count();
    assert_eq!(
        ponger_drifts, 0,
        "no timer, no stored offset: nothing to move"
    );
}

#[test]
fn repeated_ticks_reach_a_fixed_point_with_everything_relaxed() {
    let relaxed = relaxed();
    let mut state = relaxed.initial_state();
    let mut ticks = 0;
    loop {
        let next = relaxed.step(&state, &Action::Tick).expect("tick applies");
        if next == state {
            break;
        }
        state = next;
        ticks += 1;
        assert!(ticks <= 10, "no fixed point after 10 ticks: {state:?}");
    }
    assert_eq!(ticks, 2);
    assert_eq!(state.network, vec![ping(1, 1), ping(2, 1)]);
    assert_eq!(state.nodes[PINGER].timers, retry_timer(0));
}

#[test]
fn everything_relaxed_has_a_finite_space() {
    // The lean state (ages and pause lengths not stored) is a smaller, bisimilar
    // space: the same verdicts.
    let lean = check::run(
        &lean_system(AssumptionSet::all_relaxed()),
        &CheckOptions::default(),
    );
    assert_eq!(lean.stop_reason, StopReason::Complete);
    assert_eq!(lean.stats.unique_states, 1_266);
    let model = relaxed();
    let outcome = check::run(&model, &CheckOptions::default());
    assert_eq!(outcome.stop_reason, StopReason::Complete);
    assert_eq!(outcome.stats.unique_states, 2_546);
    for property in &outcome.properties {
        let same = lean.property(property.name).map(|p| p.verdict);
        assert_eq!(same, Some(property.verdict), "{}", property.name);
    }
    assert_eq!(outcome.stats.max_depth, 12);
    let count_survives = outcome.property("count_survives").expect("declared");
    assert_eq!(count_survives.verdict, Verdict::Violated);
    let path = count_survives
        .path
        .as_ref()
        .expect("a violation has a path");
    assert_eq!(
        path.actions,
        vec![
            Action::Crash { node: PINGER },
            Action::Restart { node: PINGER }
        ]
    );
    let got_both = outcome.property("ponger_got_both").expect("declared");
    assert_eq!(got_both.verdict, Verdict::Reached);
    assert_eq!(got_both.path.as_ref().map(|p| p.len()), Some(2));
    let deadlock = outcome.property(DEADLOCK_PROPERTY).expect("checked");
    assert_eq!(deadlock.verdict, Verdict::Holds, "Tick is always enabled");
}

#[test]
fn durable_writes_held_keeps_the_count_through_a_crash() {
    let mut set = AssumptionSet::default();
    set.hold(Assumption::MaxCrashes, Some(1))
        .expect("1 is a valid bound");
    let model = system(set);
    let outcome = check::run(&model, &CheckOptions::default());
    assert_eq!(outcome.stop_reason, StopReason::Complete);
    assert_eq!(outcome.stats.unique_states, 53);
    assert_eq!(outcome.stats.max_depth, 9);
    let verdict = |name| outcome.property(name).map(|p| p.verdict);
    assert_eq!(verdict("count_survives"), Some(Verdict::Holds));
    assert_eq!(verdict("ponger_got_both"), Some(Verdict::Reached));
}

// ---------------------------------------------------------------------------------
// Crashes: messages, timers, restart.
// ---------------------------------------------------------------------------------

#[test]
fn messages_to_a_crashed_node_vanish() {
    let relaxed = relaxed();
    let crashed = after(&relaxed, &[Action::Crash { node: PONGER }]);
    assert_eq!(crashed.network, Vec::new());
    assert_eq!(crashed.nodes[PONGER].status, NodeStatus::Crashed);
    assert_eq!(crashed.node_state(Node::Ponger), None);
    // The retry the pinger sends while the ponger is down is gone too.
    let fire = Action::Fire {
        node: PINGER,
        timer: Timer::Retry,
    };
    let retried = after(
        &relaxed,
        &[
            Action::Crash { node: PONGER },
            Action::Tick,
            Action::Tick,
            fire.clone(),
        ],
    );
    assert_eq!(retried.network, Vec::new());
    // With the ponger up, the same retry is in flight (the network is kept in its
    // canonical order: by channel, then age, then message).
    let retried = after(&relaxed, &[Action::Tick, Action::Tick, fire]);
    assert_eq!(retried.network, vec![ping(2, 0), ping(1, 1), ping(2, 1)]);
    // Nothing comes back on restart.
    let restarted = after(
        &relaxed,
        &[
            Action::Crash { node: PONGER },
            Action::Restart { node: PONGER },
        ],
    );
    assert_eq!(restarted.network, Vec::new());
    assert_eq!(received(&restarted), Vec::<u8>::new());
}

#[test]
fn a_crashed_nodes_timers_are_cleared_and_restart_runs_on_restart() {
    let relaxed = relaxed();
    let crashed = after(&relaxed, &[Action::Tick, Action::Crash { node: PINGER }]);
    assert_eq!(crashed.nodes[PINGER].status, NodeStatus::Crashed);
    assert_eq!(crashed.nodes[PINGER].timers, Vec::new());
    assert_eq!(crashed.node_state(Node::Pinger), None);
    let actions = enabled(&relaxed, &crashed);
    assert!(actions.contains(&Action::Restart { node: PINGER }));
    assert!(!actions.contains(&Action::Crash { node: PINGER }));
    assert!(!actions.contains(&Action::Pause { node: PINGER }));
    assert!(!actions
        .iter()
        .any(|a| matches!(a, Action::Drift { node: PINGER, .. })));
    // The pinger's messages already sent are still in flight.
    assert_eq!(crashed.network, vec![ping(1, 1), ping(2, 1)]);
    let restarted = after(
        &relaxed,
        &[
            Action::Tick,
            Action::Sync { node: PINGER },
            Action::Crash { node: PINGER },
            Action::Restart { node: PINGER },
        ],
    );
    assert_eq!(restarted.nodes[PINGER].status, NodeStatus::Running);
    assert_eq!(
        restarted.nodes[PINGER].timers,
        Vec::new(),
        "on_restart sets none"
    );
    assert_eq!(
        restarted.node_state(Node::Pinger),
        Some(&NodeState::Pinger {
            count: 1,
            restarted: true
        })
    );
}

// ---------------------------------------------------------------------------------
// Known engine bug (see the ignore reason): kept as the regression test for its fix.
// ---------------------------------------------------------------------------------

#[test]
fn a_tick_that_caps_ages_keeps_the_network_in_canonical_order() {
    // Ages are capped at Δ = 1 here. After the retry, a fresh Ping(2) (age 0) sorts
    // before the capped Ping(1) (age 1); one Tick makes them equal in age, and the
    // network must be sorted again, or one multiset of messages is stored as two
    // states.
    let relaxed = relaxed();
    let retry = Action::Fire {
        node: PINGER,
        timer: Timer::Retry,
    };
    let retried = after(&relaxed, &[Action::Tick, Action::Tick, retry.clone()]);
    assert_eq!(retried.network, vec![ping(2, 0), ping(1, 1), ping(2, 1)]);
    let ticked = after(&relaxed, &[Action::Tick, Action::Tick, retry, Action::Tick]);
    assert_eq!(ticked.network, vec![ping(1, 1), ping(2, 1), ping(2, 1)]);
    let copies = enabled(&relaxed, &ticked)
        .into_iter()
        .filter(|action| *action == deliver(2, 1))
        .count();
    assert_eq!(copies, 1, "equal messages are one delivery");
}

/// Ages are counted up to Δ: where a message may grow older (`bounded_delay` relaxed,
/// or a receiver that may pause or crash) an age at the cap may stand for any older
/// one, and a step says so; otherwise ages never pass Δ and are exact.
#[test]
fn an_age_at_the_cap_reads_at_least_when_delay_is_relaxed() {
    assert_eq!(
        relaxed().describe_action(&deliver(1, 1)),
        "deliver Ping(1) pinger→ponger (age ≥ 1)"
    );
    assert_eq!(
        relaxed().describe_action(&deliver(1, 0)),
        "deliver Ping(1) pinger→ponger (age 0)"
    );
    // Held, with no node that may pause or crash: exact.
    let mut exact = AssumptionSet::all_relaxed();
    for (assumption, bound) in [
        (Assumption::BoundedDelay, Some(1)),
        (Assumption::BoundedPause, Some(0)),
        (Assumption::MaxCrashes, Some(0)),
    ] {
        exact.hold(assumption, bound).expect("valid bounds");
    }
    assert_eq!(
        system(exact).describe_action(&deliver(1, 1)),
        "deliver Ping(1) pinger→ponger (age 1)"
    );
    // Held, but a receiver may pause: the message may have waited longer.
    assert_eq!(
        holding(Assumption::BoundedDelay, Some(1)).describe_action(&deliver(1, 1)),
        "deliver Ping(1) pinger→ponger (age ≥ 1)"
    );
}

#[test]
fn fifo_links_lets_only_a_channel_head_be_delivered_as_a_duplicate() {
    let held = holding(Assumption::FifoLinks, None);
    let duplicate = |seq| Action::Duplicate {
        envelope: ping(seq, 0),
    };
    let initial = held.initial_state();
    assert!(is_enabled(&held, &initial, &duplicate(1)));
    assert!(
        !is_enabled(&held, &initial, &duplicate(2)),
        "Ping(2) would overtake Ping(1)"
    );
    assert_eq!(
        held.forbids(Assumption::FifoLinks, 0, &initial, &duplicate(2), 0)
            .as_deref(),
        Some("Ping(2) pinger→ponger overtakes the earlier Ping(1)")
    );
    // The duplicated head stays at the head of its channel.
    let duplicated = after(&held, &[duplicate(1)]);
    assert_eq!(duplicated.network, vec![ping(1, 0), ping(2, 0)]);
    assert!(is_enabled(&held, &duplicated, &deliver(1, 0)));
    assert!(!is_enabled(&held, &duplicated, &deliver(2, 0)));
}

// Lean state: quantities only explanations read are not stored, and explanations
// count them along the path.

#[test]
fn relaxed_delay_and_pause_are_not_stored_but_explained_along_the_path() {
    use synccheck::report::Explain;
    let mut set = AssumptionSet::all_relaxed();
    set.hold(Assumption::NoDuplication, None)
        .expect("takes no bound");
    let lean = lean_system(set);
    assert!(lean.lean().ages && lean.lean().pauses);
    assert!(
        lean_system(AssumptionSet::all_relaxed()).lean().ages,
        "duplication relaxed too: no step reads a copy count"
    );
    let mut delay_held = AssumptionSet::all_relaxed();
    delay_held
        .hold(Assumption::BoundedDelay, Some(1))
        .expect("a valid bound");
    assert!(!lean_system(delay_held).lean().ages);
    assert!(!relaxed().lean().ages, "the tests' full system");
    let actions = vec![
        Action::Pause { node: PINGER },
        Action::Tick,
        Action::Tick,
        deliver(1, 0),
    ];
    let mut states = vec![lean.initial_state()];
    for action in &actions {
        let last = states.last().expect("the initial state");
        assert!(is_enabled(&lean, last, action), "{action:?}");
        states.push(lean.step(last, action).expect("enabled"));
    }
    assert_eq!(ages(&states[3]), vec![0, 0], "ages are not stored");
    assert_eq!(
        states[3].nodes[PINGER].status,
        NodeStatus::Paused { ticks: 0 }
    );

    let trace = lean.explain_path(&check::Path { states, actions });
    let delta = lean.annotation_bound(Assumption::BoundedDelay);
    let pause = lean.annotation_bound(Assumption::BoundedPause);
    let age = 2.min(delta);
    // Counted up to Δ: at the cap it may be older.
    let shown = if age >= delta {
        format!("≥ {age}")
    } else {
        age.to_string()
    };
    assert!(
        trace.steps[3].action.ends_with(&format!("(age {shown})")),
        "{}",
        trace.steps[3].action
    );
    assert_eq!(
        trace.steps[2].state["nodes"][PINGER]["status"]["paused"]["ticks"],
        serde_json::json!(2.min(pause))
    );
    let step_of = |name: &str| {
        trace
            .breaks
            .iter()
            .find(|b| b.assumption == name)
            .map(|b| b.step)
    };
    let expected_break = |bound: u32| (bound < 2).then(|| 2 + bound as usize);
    assert_eq!(step_of("bounded_delay"), expected_break(delta), "{trace:?}");
    if pause > 0 {
        assert_eq!(step_of("bounded_pause"), expected_break(pause), "{trace:?}");
    }
}

// ------------------------------------------- equal messages apart in a kept order ----

synccheck::nodes! {
    enum BurstNode {
        Sender = "sender",
        Receiver = "receiver",
    }
}

/// A sender that puts `M`, `X`, `M` into its one channel in one step. With `fifo_links`
/// held the two `M`s are equal envelopes (same sender, receiver, payload and age) apart
/// in a queue, and a loss may take either: `[X, M]` or `[M, X]` are both left.
#[derive(Clone, Debug)]
struct Burst;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
enum BurstMsg {
    M,
    X,
}

impl Protocol for Burst {
    type Node = BurstNode;
    type State = ();
    type Durable = ();
    type Msg = BurstMsg;
    type Timer = ();
    type Ghost = ();

    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }

    fn on_start(&self, node: BurstNode, ctx: &mut Context<'_, Self>) {
        if node == BurstNode::Sender {
            for msg in [BurstMsg::M, BurstMsg::X, BurstMsg::M] {
                ctx.send(BurstNode::Receiver, msg);
            }
        }
    }

    fn on_message(
        &self,
        _: BurstNode,
        _: &mut (),
        _: BurstNode,
        _: &BurstMsg,
        _: &mut Context<'_, Self>,
    ) {
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("x_never_last_behind_m", |_, state| {
            let queue: Vec<&BurstMsg> = state.network.iter().map(|e| &e.msg).collect();
            queue != [&BurstMsg::M, &BurstMsg::X]
        })]
    }
}

/// The payloads in flight, in the network's order.
fn queue(state: &SystemState<Burst>) -> Vec<BurstMsg> {
    state.network.iter().map(|e| e.msg.clone()).collect()
}

#[test]
fn a_loss_may_take_either_of_two_equal_messages_apart_in_a_kept_order_channel() {
    use BurstMsg::{M, X};
    let mut set = AssumptionSet::all_relaxed();
    set.hold(Assumption::FifoLinks, None)
        .expect("takes no bound");
    let system = TimedSystem::new(Burst, set).expect("within limits");
    let initial = system.initial_state();
    assert_eq!(queue(&initial), [M, X, M]);
    let mut actions = Vec::new();
    system.enabled_actions(&initial, &mut actions);
    let mut left: Vec<(usize, Vec<BurstMsg>)> = (actions.iter())
        .filter_map(|action| match action {
            Action::Drop { copy, .. } => {
                let after = system.step(&initial, action).expect("enabled");
                Some((*copy, queue(&after)))
            }
            _ => None,
        })
        .collect();
    left.sort();
    assert_eq!(
        left,
        [(0, vec![M, M]), (0, vec![X, M]), (1, vec![M, X])],
        "each of the three may be lost"
    );
    // Order not kept: the network is a multiset, losing either `M` leaves the same one.
    let unordered = TimedSystem::new(Burst, AssumptionSet::all_relaxed()).expect("within limits");
    let sorted = unordered.initial_state();
    actions.clear();
    unordered.enabled_actions(&sorted, &mut actions);
    let drops = actions.iter().filter(|a| matches!(a, Action::Drop { .. }));
    assert_eq!(drops.count(), 2);

    // The check finds the later copy's loss, names it, and the trace replays.
    let checked = synccheck::testing::check(Burst)
        .relax_all()
        .hold("fifo_links")
        .run();
    let trace = checked.assert_violated("x_never_last_behind_m");
    assert_eq!(trace.length, 1);
    assert_eq!(
        trace.steps[0].action,
        "lose M sender→receiver (copy 2 of it in its channel, counted from the first)"
    );
    assert_eq!(trace.steps[0].action_detail["copy"], 1);
    let files = synccheck::trace::traces_of(&checked.report);
    assert!(matches!(
        synccheck::trace::replay(&checked.system, &files[0]),
        synccheck::trace::ReplayOutcome::Reproduced { steps: 1 }
    ));
}

/// [`Burst`] spread over two instants, with a lean state: `M` at time 0, then `X` and
/// `M` at time 1 from a timer. The queue is `[M (age 1), X, M (age 0)]`: the two `M`s
/// differ by age in the full system, which records the later one's loss as copy 0 of
/// its envelope, and are equal in the lean one, where copy 0 is the *first* `M`.
#[derive(Clone, Debug)]
struct Staggered;

impl Protocol for Staggered {
    type Node = BurstNode;
    type State = ();
    type Durable = ();
    type Msg = BurstMsg;
    type Timer = ();
    type Ghost = ();
    const LEAN_STATE: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }

    fn on_start(&self, node: BurstNode, ctx: &mut Context<'_, Self>) {
        if node == BurstNode::Sender {
            ctx.send(BurstNode::Receiver, BurstMsg::M);
            ctx.set_timer((), 1);
        }
    }

    fn on_message(
        &self,
        _: BurstNode,
        _: &mut (),
        _: BurstNode,
        _: &BurstMsg,
        _: &mut Context<'_, Self>,
    ) {
    }

    fn on_timer(&self, _: BurstNode, _: &mut (), _: &(), ctx: &mut Context<'_, Self>) {
        for msg in [BurstMsg::X, BurstMsg::M] {
            ctx.send(BurstNode::Receiver, msg);
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("x_never_last_behind_m", |_, state| {
            queue_of(state) != [BurstMsg::M, BurstMsg::X]
        })]
    }
}

impl synccheck::model::Declared for Staggered {
    const NAME: &'static str = "staggered";
    const FAMILY: &'static str = "test";
    const SUMMARY: &'static str = "M, then X and M a tick later, in one kept-order channel";
    const PARAMS: &'static [synccheck::model::Param] = &[];
    fn from_params(_: &synccheck::model::Params) -> Result<Self, String> {
        Ok(Staggered)
    }
}

/// The Explorer link of the later `M`'s loss leads, in the lean system the Explorer
/// serves, to the state where the later `M` is gone (`[M, X]`), not the first
/// (`[X, M]`, which a match of the recorded step's copy number alone gives).
#[test]
fn the_explorer_link_of_a_loss_takes_the_copy_the_trace_lost() {
    use BurstMsg::{M, X};
    let checked = synccheck::testing::check(Staggered)
        .relax_all()
        .hold("fifo_links")
        .run();
    assert!(checked.system.lean().ages, "the check stores no ages");
    let trace = checked.assert_violated("x_never_last_behind_m");
    let lost = trace.steps.last().expect("a step");
    assert_eq!(lost.action_detail["kind"], "drop");
    assert_eq!(
        lost.action_detail["copy"],
        serde_json::Value::Null,
        "copy 0"
    );
    let file = synccheck::trace::traces_of(&checked.report).remove(0);
    let registry = synccheck::registry![Staggered];
    let entry = registry.find("staggered").expect("registered");
    let indices = entry
        .explorer_path(
            &synccheck::model::Params::from_values(Default::default()),
            Some(checked.system.assumptions()),
            &file,
            false,
        )
        .expect("no error")
        .expect("the trace runs on the lean system");
    assert_eq!(indices.len(), trace.length + 1);
    let mut state = checked.system.initial_state();
    for index in &indices[1..] {
        let mut actions = Vec::new();
        checked.system.enabled_actions(&state, &mut actions);
        state = checked
            .system
            .step(&state, &actions[*index])
            .expect("enabled");
    }
    assert_eq!(queue_of(&state), [M, X]);
}

fn queue_of<P: Protocol<Msg = BurstMsg>>(state: &SystemState<P>) -> Vec<BurstMsg> {
    state.network.iter().map(|e| e.msg.clone()).collect()
}
