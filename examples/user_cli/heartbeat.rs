//! # `heartbeat_detector` — a user's own protocol: a heartbeat failure detector
//!
//! **Protocol.** A `worker` sends `heartbeats` heartbeats to a `monitor`, `period_ticks`
//! apart. The monitor (re-)arms `Suspect` for `timeout_ticks` at start and on each heartbeat
//! but the last; when it fires, it suspects the worker. Neither node crashes or pauses.
//!
//! **Assumptions.** Heartbeats leave on time and arrive within Δ, so arrivals are at most
//! `period + Δ` apart: accurate while `timeout_ticks > period_ticks + Δ` (4 > 2 + 1).
//!
//! **Properties and verdicts** (`plan.toml`): `no_false_suspicion` (always: the monitor
//! never suspects the live worker) holds with timing held, and is violated with
//! `bounded_delay` or `timely_timers` relaxed; `all_heartbeats_heard` (sometimes) is reached.

use serde::Serialize;
use synccheck::model::{Declared, Param, Params};
use synccheck::system::Assumption::{BoundedDelay, BoundedSkew, TimelyTimers};
use synccheck::system::{Context, LeansOn, Property, Protocol, SystemState};

synccheck::nodes! {
    pub enum Node {
        Monitor = "monitor" [stable],
        Worker = "worker" [stable],
    }
}

/// The failure detector; time constants in ticks.
#[derive(Clone, Debug)]
pub struct HeartbeatDetector {
    pub period_ticks: u32,
    pub timeout_ticks: u32,
    pub heartbeats: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    Heartbeat { seq: u8 },
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    SendHeartbeat,
    Suspect,
}

/// Each node's state: the monitor uses `heard` and `suspects`, the worker `sent`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct State {
    heard: u8,
    suspects: bool,
    sent: u8,
}

impl HeartbeatDetector {
    fn send_heartbeat(&self, state: &mut State, ctx: &mut Context<'_, Self>) {
        state.sent += 1;
        ctx.send(Node::Monitor, Msg::Heartbeat { seq: state.sent });
        if state.sent < self.heartbeats {
            ctx.set_timer(Timer::SendHeartbeat, self.period_ticks);
        }
    }
}

impl Protocol for HeartbeatDetector {
    type Node = Node;
    type State = State;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();

    // The properties read only the monitor's state, never the messages in flight:
    // with duplication, delay and order relaxed the check may run on the message set.
    const MESSAGE_SET: bool = true;
    // Nor message ages, pause lengths or the order of messages: with the delay held a
    // state whose messages are younger covers an older one (subsumption), and with it
    // relaxed ages are not stored. Each check audits this claim on the first states of
    // its space first (`--lean-audit`).
    const LEAN_STATE: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        BoundedDelay.because("a heartbeat that lingers past the timeout looks like a dead worker"),
        TimelyTimers.because("a late heartbeat timer leaves the monitor without news"),
        BoundedSkew.because("a fast monitor clock or a slow worker clock stretches the silence"),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.period_ticks.max(self.timeout_ticks)
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> State {
        let mut state = State::default();
        match node {
            Node::Monitor => ctx.set_timer(Timer::Suspect, self.timeout_ticks),
            Node::Worker => self.send_heartbeat(&mut state, ctx),
        }
        state
    }

    fn on_message(
        &self,
        _: Node,
        state: &mut State,
        _: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let Msg::Heartbeat { seq } = msg;
        state.heard = state.heard.max(*seq);
        state.suspects = false;
        if state.heard == self.heartbeats {
            ctx.cancel_timer(Timer::Suspect);
        } else {
            ctx.set_timer(Timer::Suspect, self.timeout_ticks);
        }
    }

    fn on_timer(&self, _: Node, state: &mut State, timer: &Timer, ctx: &mut Context<'_, Self>) {
        match timer {
            Timer::Suspect => state.suspects = true,
            Timer::SendHeartbeat => self.send_heartbeat(state, ctx),
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("no_false_suspicion", |_, s| !monitor(s).suspects),
            Property::sometimes("all_heartbeats_heard", |p, s| {
                monitor(s).heard == p.heartbeats
            }),
        ]
    }
}

fn monitor(state: &SystemState<HeartbeatDetector>) -> State {
    state.node_state(Node::Monitor).cloned().unwrap_or_default()
}

impl Declared for HeartbeatDetector {
    const NAME: &'static str = "heartbeat_detector";
    const FAMILY: &'static str = "failure_detection";
    const SUMMARY: &'static str = "heartbeats; suspect after a silence of timeout_ticks";
    const PARAMS: &'static [Param] = &[
        Param::integer("period_ticks", 2, 1..=8, "ticks between heartbeats"),
        Param::integer(
            "timeout_ticks",
            4,
            1..=16,
            "silence before the monitor suspects",
        ),
        Param::integer(
            "heartbeats",
            3,
            1..=5,
            "heartbeats sent before the worker retires",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(HeartbeatDetector {
            period_ticks: params.integer("period_ticks")?,
            timeout_ticks: params.integer("timeout_ticks")?,
            heartbeats: params.integer("heartbeats")? as u8, // declared 1..=5
        })
    }
}
