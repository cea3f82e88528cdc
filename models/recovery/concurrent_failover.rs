//! # C3 `concurrent_failover` — two controllers recover from the same failure
//!
//! **Protocol.** The primary `p` has failed (the one failure event, before the model
//! starts). Two controllers (automation, or an operator and automation) each detect
//! it (`Detect` timer: `c1` at tick 0, `c2` at `window_ticks`, the anti-flapping
//! window), read the versioned topology record (`ReadTopology` →
//! `Topology{version, primary}`), and if it still names `p`, promote their candidate
//! (`c1` picks `r1`, `c2` picks `r2`: their views of which replica is most caught up
//! differ). `variant`:
//! - `independent`: the controller sends `Promote{epoch}` and overwrites the record
//!   (`SetTopology`), trusting that nobody else is acting.
//! - `compare_and_set`: the controller sends `CompareAndSet{expected_version, primary}`;
//!   the record store decides with `recovery_decision` (shared with the single-flight
//!   guard of `src/sync`) and answers `CasOk` or `CasFailed`; only on `CasOk` does the
//!   controller send `Promote{epoch}`, and a replica refuses a `Promote` whose epoch is
//!   not newer than its own.
//!
//! **Source.** GitHub, "GitHub availability this week" (2012-09: two failovers in
//! quick succession); Orchestrator's anti-flapping `RecoveryPeriodBlockSeconds`.
//!
//! **Actors.** `p` (failed, takes no step), `r1`, `r2`, `topology` (the record store),
//! `c1`, `c2`. Only the controllers may crash or pause.
//!
//! **Assumptions it leans on.** Controller actions are serialized: `c1`'s whole
//! recovery (read, promote, write the record: 3 message delays) completes before `c2`
//! looks, i.e. `3Δ < window_ticks` with no pause (`bounded_pause(0)`), clocks within
//! ±ε (`bounded_skew(0)`) and timers on time. Defaults: window 4, Δ = 1, ε = 0.
//!
//! **Properties.**
//! - `at_most_one_primary` (always): at most one replica believes it is primary.
//! - `primary_promoted` (sometimes): some replica is primary.
//! - `eventually_one_primary` (eventually): recovery settles with exactly one primary
//!   — one replica believes it is primary, no controller is still watching or
//!   mid-recovery (a crashed one counts as gone), no message in flight. Once settled,
//!   nothing can change, so this is "eventually always one primary".
//!
//! **Verdicts** (pinned in `models/recovery/plan.toml` and `tests/suite/recovery.rs`):
//!
//! | variant | timing held | `bounded_pause` relaxed | `bounded_delay` relaxed | `bounded_skew` relaxed | `timely_timers` relaxed | all relaxed but `no_duplication` |
//! |---|---|---|---|---|---|---|
//! | `independent` | holds (35) | violated, 14 steps (848) | violated, 12 (182) | violated, 12 (314) | violated, 12 (212) | violated, 12 (5 788) |
//! | `compare_and_set` | holds (51) | holds (816) | holds (174) | holds (306) | holds (204) | holds (4 861) |
//!
//! Unique states in brackets; `primary_promoted` is reached in 4 (`independent`) and
//! 6 (`compare_and_set`) steps. With duplication relaxed too (everything relaxed, the
//! plan's check) `compare_and_set` still holds: 8 599 states on the message set, which
//! its safety search uses (only `eventually_one_primary` reads the network, and it
//! is decided on the multiset; 6 212 656 states and about 30 s on 2 threads with
//! `--no-lean`); `eventually_one_primary` is violated there by a 4-step fair loop:
//! time passes, `c2`'s clock drifts behind, `c1` pauses and resumes.
//!
//! `eventually_one_primary` (decided on the state graph under weak fairness, lassos
//! pinned in `tests/suite/recovery.rs`): holds for both variants with timing held, and for
//! `compare_and_set` with delay relaxed (174); `independent` with delay relaxed is a
//! 15-step lasso (two primaries, then time passing). Two findings beyond docs/CATALOG.md:
//! - `compare_and_set` with one controller crash (`max_crashes(1)`, 227 states) is
//!   violated, 13-step lasso: `c1`'s compare-and-set is applied, `c1` crashes before
//!   it handles `CasOk`, `c2` reads a record naming `r1` and stands down — and nobody
//!   ever promotes `r1`. The record and the replicas disagree forever: a recovery
//!   coordinator must itself be recoverable (Orchestrator re-checks and expires an
//!   unacknowledged recovery for this reason). Safety still holds.
//! - With `bounded_pause` relaxed, both variants are violated (10-step lasso, loop at
//!   step 6): weak fairness lets a controller pause every time it could act (a GC
//!   storm). The loop is fair — its `Detect` firing is disabled while it is paused,
//!   its `Resume` is taken, time advances — so an unbounded number of pauses is enough
//!   to stop any recovery; only a bound on pauses makes liveness a question.
//!
//! The `independent` counterexample with pauses (14 steps): `c1` detects the failure
//! at t=0, its read reaches the record, and `c1` pauses (`bounded_pause(0)` broken
//! here) before it handles the answer; three ticks later it resumes and promotes
//! `r1`, but its `SetTopology` is still in flight when `c2`'s window ends at t=4;
//! `c2` reads version 1 naming `p` and promotes `r2`: two primaries.

use crate::model::{Declared, Param, Params};
use crate::sync::decision::{recovery_decision, RecoveryDecision};
use crate::system::Assumption::{BoundedDelay, BoundedPause, BoundedSkew, TimelyTimers};
use crate::system::{Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes. Only the controllers may crash or pause.
    pub enum Node {
        /// The failed primary: takes no step.
        FailedPrimary = "p" [stable],
        /// `c1`'s candidate.
        R1 = "r1" [stable],
        /// `c2`'s candidate.
        R2 = "r2" [stable],
        /// The topology record store.
        Topology = "topology" [stable],
        /// The controller that looks at tick 0.
        C1 = "c1",
        /// The controller that looks at the end of the anti-flapping window.
        C2 = "c2",
    }
}

const REPLICAS: [Node; 2] = [Node::R1, Node::R2];
const CONTROLLERS: [Node; 2] = [Node::C1, Node::C2];

/// How the controllers coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordination {
    /// Each promotes on its own and overwrites the record.
    Independent,
    /// Compare-and-set on the versioned record; epochs refused when old.
    CompareAndSet,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct ConcurrentFailover {
    /// How the controllers coordinate.
    pub coordination: Coordination,
    /// When the second controller looks, in its local ticks (the anti-flapping window).
    pub window_ticks: u32,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// A controller reads the record.
    ReadTopology,
    /// The record.
    Topology {
        /// Its version (the epoch).
        version: u8,
        /// The primary it names.
        primary: Node,
    },
    /// Blind overwrite (`independent`).
    SetTopology {
        /// The new primary.
        primary: Node,
    },
    /// Conditional write (`compare_and_set`).
    CompareAndSet {
        /// The version the controller read.
        expected_version: u8,
        /// The new primary.
        primary: Node,
    },
    /// The conditional write took effect.
    CasOk {
        /// The new version.
        version: u8,
    },
    /// The record moved on: somebody else recovered.
    CasFailed,
    /// A controller promotes a replica.
    Promote {
        /// The new epoch.
        epoch: u8,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// The controller notices the failure.
    Detect,
}

/// A controller's progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ControllerPhase {
    /// Has not noticed the failure.
    Watching,
    /// Reading the record.
    Reading,
    /// Waiting for its compare-and-set.
    Proposing,
    /// Finished (promoted or stood down).
    Done,
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// The failed primary.
    Failed,
    /// A replica.
    Replica {
        /// The newest epoch it accepted.
        epoch: u8,
        /// Whether it is primary.
        primary: bool,
    },
    /// The topology record store.
    Topology {
        /// Version (epoch) of the record.
        version: u8,
        /// The primary it names.
        primary: Node,
    },
    /// A controller.
    Controller {
        /// Progress.
        phase: ControllerPhase,
    },
}

impl ConcurrentFailover {
    fn candidate(controller: Node) -> Node {
        if controller == Node::C1 {
            Node::R1
        } else {
            Node::R2
        }
    }

    fn on_topology_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Topology { version, primary } = state else {
            return;
        };
        match msg {
            Msg::ReadTopology => ctx.send(
                from,
                Msg::Topology {
                    version: *version,
                    primary: *primary,
                },
            ),
            Msg::SetTopology { primary: new } => {
                *version = version.saturating_add(1);
                *primary = *new;
            }
            Msg::CompareAndSet {
                expected_version,
                primary: new,
            } => {
                // The store applies one request at a time: no recovery is ever in
                // flight inside it.
                let decision =
                    recovery_decision(u64::from(*expected_version), u64::from(*version), false);
                if decision == RecoveryDecision::Start {
                    *version = version.saturating_add(1);
                    *primary = *new;
                    ctx.send(from, Msg::CasOk { version: *version });
                } else {
                    ctx.send(from, Msg::CasFailed);
                }
            }
            _ => {}
        }
    }

    fn on_controller_message(
        &self,
        node: Node,
        state: &mut NodeState,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Controller { phase } = state else {
            return;
        };
        let candidate = Self::candidate(node);
        match (msg, *phase) {
            (Msg::Topology { version, primary }, ControllerPhase::Reading) => {
                if *primary != Node::FailedPrimary {
                    *phase = ControllerPhase::Done;
                    return;
                }
                match self.coordination {
                    Coordination::Independent => {
                        *phase = ControllerPhase::Done;
                        let epoch = version.saturating_add(1);
                        ctx.send(candidate, Msg::Promote { epoch });
                        ctx.send(Node::Topology, Msg::SetTopology { primary: candidate });
                    }
                    Coordination::CompareAndSet => {
                        *phase = ControllerPhase::Proposing;
                        ctx.send(
                            Node::Topology,
                            Msg::CompareAndSet {
                                expected_version: *version,
                                primary: candidate,
                            },
                        );
                    }
                }
            }
            (Msg::CasOk { version }, ControllerPhase::Proposing) => {
                *phase = ControllerPhase::Done;
                ctx.send(candidate, Msg::Promote { epoch: *version });
            }
            (Msg::CasFailed, ControllerPhase::Proposing) => *phase = ControllerPhase::Done,
            _ => {}
        }
    }
}

impl Protocol for ConcurrentFailover {
    type Node = Node;
    type State = NodeState;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    // Only `eventually_one_primary` reads the network (`settled`: nothing in flight),
    // and it is decided on the multiset network.
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        BoundedPause
            .because("a controller paused mid-recovery lets the other look at a stale record"),
        BoundedDelay.because("a slow record update is not visible when the other controller looks"),
        BoundedSkew.because("a fast clock ends the anti-flapping window early"),
        TimelyTimers.because("a late detection of the first controller overlaps the second"),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.window_ticks
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::FailedPrimary => NodeState::Failed,
            Node::Topology => NodeState::Topology {
                version: 1,
                primary: Node::FailedPrimary,
            },
            Node::C1 | Node::C2 => {
                let delay = if node == Node::C1 {
                    0
                } else {
                    self.window_ticks
                };
                ctx.set_timer(Timer::Detect, delay);
                NodeState::Controller {
                    phase: ControllerPhase::Watching,
                }
            }
            Node::R1 | Node::R2 => NodeState::Replica {
                epoch: 1,
                primary: false,
            },
        }
    }

    fn on_message(
        &self,
        node: Node,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match node {
            Node::Topology => self.on_topology_message(state, from, msg, ctx),
            Node::C1 | Node::C2 => self.on_controller_message(node, state, msg, ctx),
            Node::FailedPrimary | Node::R1 | Node::R2 => {
                if let (NodeState::Replica { epoch, primary }, Msg::Promote { epoch: new }) =
                    (state, msg)
                {
                    let fresh = *new > *epoch || self.coordination == Coordination::Independent;
                    if fresh {
                        *epoch = *new;
                        *primary = true;
                    }
                }
            }
        }
    }

    fn on_timer(
        &self,
        _node: Node,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        if let (NodeState::Controller { phase }, Timer::Detect) = (state, timer) {
            if *phase == ControllerPhase::Watching {
                *phase = ControllerPhase::Reading;
                ctx.send(Node::Topology, Msg::ReadTopology);
            }
        }
    }

    /// A restarted controller has forgotten the recovery it was running: it stands down.
    fn on_restart(&self, _node: Node, _ctx: &mut Context<'_, Self>) -> NodeState {
        NodeState::Controller {
            phase: ControllerPhase::Done,
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("at_most_one_primary", |_, state| primaries(state) <= 1),
            Property::sometimes("primary_promoted", |_, state| primaries(state) >= 1),
            Property::eventually("eventually_one_primary", |_, state| settled(state)),
        ]
    }

    crate::compiled_here!();
}

/// Recovery is over with exactly one primary: one replica believes it is primary, no
/// controller is still watching or mid-recovery (crashed counts as gone), and no
/// message is in flight — nothing left can change who is primary.
fn settled(state: &SystemState<ConcurrentFailover>) -> bool {
    let controllers_done = CONTROLLERS.iter().all(|controller| {
        matches!(
            state.node_state(*controller),
            None | Some(NodeState::Controller {
                phase: ControllerPhase::Done
            })
        )
    });
    primaries(state) == 1 && controllers_done && state.network.is_empty()
}

fn primaries(state: &SystemState<ConcurrentFailover>) -> usize {
    REPLICAS
        .iter()
        .filter(|replica| {
            matches!(
                state.node_state(**replica),
                Some(NodeState::Replica { primary: true, .. })
            )
        })
        .count()
}

impl Declared for ConcurrentFailover {
    const NAME: &'static str = "concurrent_failover";
    const FAMILY: &'static str = "recovery";
    const SUMMARY: &'static str =
        "two controllers recover from one primary failure; independent promotion or compare-and-set on a versioned record";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "compare_and_set",
            &["independent", "compare_and_set"],
            "how the controllers coordinate",
        ),
        Param::integer(
            "window_ticks",
            4,
            0..=20,
            "when the second controller looks (safe while 3Δ < window)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(ConcurrentFailover {
            coordination: params.pick(
                "variant",
                &[
                    ("independent", Coordination::Independent),
                    ("compare_and_set", Coordination::CompareAndSet),
                ],
            )?,
            window_ticks: params.integer("window_ticks")?,
        })
    }
}
