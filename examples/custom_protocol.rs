//! # A protocol of your own: a heartbeat failure detector
//!
//! This example writes a protocol from scratch against synccheck's public API, as a
//! user would outside the built-in `models/`, and checks it under three assumption
//! sets to show which timing assumption its correctness rests on.
//!
//! **Protocol.** A `worker` sends `Heartbeat{seq}` to a `monitor` when it starts and
//! every `period_ticks` after, `heartbeats` times in all (then it retires, and its
//! last heartbeat tells the monitor to stop watching). The monitor arms a `Suspect`
//! timer of `timeout_ticks` at start and re-arms it on every heartbeat; when it fires,
//! the monitor suspects the worker has failed. A heartbeat arriving later clears the
//! suspicion.
//!
//! **Why it is correct.** Heartbeats leave exactly `period_ticks` apart (timers on time,
//! clocks exact) and each arrives within Δ ticks, so two arrivals are at most
//! `period_ticks + Δ` apart; with `timeout_ticks > period_ticks + Δ` (defaults: 4 > 2 + 1)
//! the timer never fires while the worker is alive.
//!
//! **Properties.**
//! - `no_false_suspicion` (always): the monitor never suspects the worker while the
//!   worker is up. The worker never crashes here, so every suspicion is false.
//! - `all_heartbeats_heard` (sometimes): the monitor hears the last heartbeat, so the
//!   check does not pass vacuously.
//!
//! **Expected verdicts** (`main` checks them and exits non-zero on a mismatch):
//!
//! | assumption set | `no_false_suspicion` |
//! |---|---|
//! | the default (timing held: `bounded_delay(1)`, `timely_timers`, …) | holds |
//! | `bounded_delay` relaxed | violated: a heartbeat lingers in the network |
//! | `timely_timers` relaxed | violated: the worker's heartbeat timer fires late |
//!
//! Run it with `cargo run --example custom_protocol`.

use serde::Serialize;
use std::process::ExitCode;
use synccheck::check::{self, CheckOptions, Verdict};
use synccheck::model::Params;
use synccheck::report::{build, render_human};
use synccheck::system::{
    Assumption, AssumptionSet, Context, LeansOn, NodeId, NodeStatus, Property, Protocol,
    SystemState, TimedSystem,
};

const MONITOR: NodeId = 0;
const WORKER: NodeId = 1;

/// The failure detector, with its time constants in ticks.
#[derive(Clone, Debug)]
struct HeartbeatDetector {
    /// Ticks between two heartbeats, on the worker's clock.
    period_ticks: u32,
    /// Ticks of silence after which the monitor suspects the worker.
    timeout_ticks: u32,
    /// How many heartbeats the worker sends before it retires.
    heartbeats: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
enum Msg {
    /// "I am alive"; the `heartbeats`-th one also says "and now I retire".
    Heartbeat { seq: u8 },
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
enum Timer {
    /// Worker: time to send the next heartbeat.
    SendHeartbeat,
    /// Monitor: too long without a heartbeat.
    Suspect,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
enum NodeState {
    Monitor {
        /// The highest heartbeat heard.
        heard_seq: u8,
        /// Whether the monitor currently suspects the worker.
        suspected: bool,
    },
    Worker {
        /// Heartbeats sent so far.
        sent: u8,
    },
}

impl HeartbeatDetector {
    fn send_heartbeat(&self, sent: &mut u8, ctx: &mut Context<'_, Self>) {
        *sent += 1;
        ctx.send(MONITOR, Msg::Heartbeat { seq: *sent });
        if *sent < self.heartbeats {
            ctx.set_timer(Timer::SendHeartbeat, self.period_ticks);
        }
    }
}

impl Protocol for HeartbeatDetector {
    type State = NodeState;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();

    fn node_count(&self) -> usize {
        2
    }

    fn node_name(&self, node: NodeId) -> String {
        if node == MONITOR { "monitor" } else { "worker" }.to_string()
    }

    fn largest_time_constant_ticks(&self) -> u32 {
        self.period_ticks.max(self.timeout_ticks)
    }

    fn leans_on(&self) -> Vec<LeansOn> {
        vec![
            LeansOn {
                assumption: Assumption::BoundedDelay,
                because: "a heartbeat that lingers past the timeout looks like a dead worker",
            },
            LeansOn {
                assumption: Assumption::TimelyTimers,
                because: "a late heartbeat timer leaves the monitor without news",
            },
            LeansOn {
                assumption: Assumption::BoundedSkew,
                because: "a fast monitor clock or a slow worker clock stretches the silence",
            },
        ]
    }

    /// The worker never fails here: the question is whether the detector is accurate.
    fn may_crash(&self, _node: NodeId) -> bool {
        false
    }

    fn on_start(&self, node: NodeId, ctx: &mut Context<'_, Self>) -> NodeState {
        if node == MONITOR {
            ctx.set_timer(Timer::Suspect, self.timeout_ticks);
            return NodeState::Monitor {
                heard_seq: 0,
                suspected: false,
            };
        }
        let mut sent = 0;
        self.send_heartbeat(&mut sent, ctx);
        NodeState::Worker { sent }
    }

    fn on_message(
        &self,
        _node: NodeId,
        state: &mut NodeState,
        _from: NodeId,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let (
            NodeState::Monitor {
                heard_seq,
                suspected,
            },
            Msg::Heartbeat { seq },
        ) = (state, msg)
        else {
            return;
        };
        *heard_seq = (*heard_seq).max(*seq);
        *suspected = false;
        if *heard_seq == self.heartbeats {
            ctx.cancel_timer(Timer::Suspect);
        } else {
            ctx.set_timer(Timer::Suspect, self.timeout_ticks);
        }
    }

    fn on_timer(
        &self,
        _node: NodeId,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match (state, timer) {
            (NodeState::Monitor { suspected, .. }, Timer::Suspect) => *suspected = true,
            (NodeState::Worker { sent }, Timer::SendHeartbeat) => self.send_heartbeat(sent, ctx),
            _ => {}
        }
    }

    /// Unreachable here (`may_crash` is false), but a protocol must say what a
    /// restarted node is: a monitor that has heard nothing, a worker that has retired.
    fn on_restart(&self, node: NodeId, _ctx: &mut Context<'_, Self>) -> NodeState {
        if node == MONITOR {
            NodeState::Monitor {
                heard_seq: 0,
                suspected: false,
            }
        } else {
            NodeState::Worker {
                sent: self.heartbeats,
            }
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("no_false_suspicion", |_, state| {
                !(monitor_suspects(state) && state.nodes[WORKER].status != NodeStatus::Crashed)
            }),
            Property::sometimes("all_heartbeats_heard", |detector, state| {
                matches!(
                    state.node_state(MONITOR),
                    Some(NodeState::Monitor { heard_seq, .. }) if *heard_seq == detector.heartbeats
                )
            }),
        ]
    }
}

fn monitor_suspects(state: &SystemState<HeartbeatDetector>) -> bool {
    matches!(
        state.node_state(MONITOR),
        Some(NodeState::Monitor {
            suspected: true,
            ..
        })
    )
}

/// One check: an assumption set and the verdict `no_false_suspicion` must get.
struct Scenario {
    title: &'static str,
    relax: Option<Assumption>,
    expected: Verdict,
}

fn main() -> ExitCode {
    let detector = HeartbeatDetector {
        period_ticks: 2,
        timeout_ticks: 4,
        heartbeats: 3,
    };
    let scenarios = [
        Scenario {
            title: "timing held (the default assumption set)",
            relax: None,
            expected: Verdict::Holds,
        },
        Scenario {
            title: "bounded_delay relaxed",
            relax: Some(Assumption::BoundedDelay),
            expected: Verdict::Violated,
        },
        Scenario {
            title: "timely_timers relaxed",
            relax: Some(Assumption::TimelyTimers),
            expected: Verdict::Violated,
        },
    ];
    let options = CheckOptions::default();
    let mut mismatches = Vec::new();
    for scenario in &scenarios {
        let mut assumptions = AssumptionSet::default();
        if let Some(assumption) = scenario.relax {
            assumptions.relax(assumption);
        }
        let model = match TimedSystem::new(detector.clone(), assumptions.clone()) {
            Ok(model) => model,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        };
        let outcome = check::run(&model, &options);
        let report = build(
            "heartbeat_detector",
            &Params::default(),
            Some(&assumptions),
            &options,
            &model,
            &outcome,
        );
        println!("=== {} ===", scenario.title);
        println!("{}", render_human(&report));
        let expectations = [
            ("no_false_suspicion", scenario.expected),
            ("all_heartbeats_heard", Verdict::Reached),
        ];
        for (name, expected) in expectations {
            let actual = outcome.property(name).map(|p| p.verdict);
            if actual != Some(expected) {
                mismatches.push(format!(
                    "{}: `{name}` expected {}, got {}",
                    scenario.title,
                    expected.name(),
                    actual.map_or("nothing", Verdict::name)
                ));
            }
        }
    }
    if mismatches.is_empty() {
        println!("every verdict is the expected one");
        ExitCode::SUCCESS
    } else {
        for mismatch in &mismatches {
            eprintln!("unexpected verdict: {mismatch}");
        }
        ExitCode::FAILURE
    }
}
