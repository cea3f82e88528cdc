//! # C4 `two_phase_commit_timed` — two-phase commit with a coordinator that crashes
//!
//! **Protocol.** Two-phase commit in message-passing form, after the TLA+ `TwoPhase`
//! spec (form 1 of C4 is `two_phase_commit.rs`), with time and a crash-prone
//! transaction manager. Each resource manager, while `working`, either prepares
//! (`RmPrepare`: it sends `Prepared` to the TM) or chooses to abort on its own
//! (`RmChooseToAbort`) — two zero-tick timers, whichever fires first. The TM collects
//! votes (`TmRcvPrepared`); with both it decides commit (`TmCommit`); if its
//! `VoteTimeout` (`tm_timeout_ticks`) fires first it decides abort (`TmAbort`). A
//! decision is written to the TM's log (persisted) before it is sent, and the TM
//! sends it to one RM per step (`SendDecision{rm}`, zero-tick timers): a crash can
//! fall between the two sends. An RM applies `Commit` or `Abort`
//! (`RmRcvCommitMsg`, `RmRcvAbortMsg`). A restarted TM reads its log: a logged
//! decision is sent again; no decision means abort (presumed abort). A prepared RM
//! arms `DecisionTimeout` (`rm_timeout_ticks`). `variant`:
//! - `blocking`: on the timeout the RM asks the TM (`DecisionRequest`) and keeps
//!   waiting; a prepared RM never decides on its own.
//! - `heuristic_abort`: on the timeout a prepared RM aborts on its own (a "heuristic
//!   decision", as XA resource managers may take).
//!
//! **Source.** Gray & Lamport, "Consensus on Transaction Commit" (ACM TODS 2006), §2
//! and the `TwoPhase` TLA+ spec (action names); Gray & Reuter, "Transaction
//! Processing" (heuristic decisions and their damage).
//!
//! **Actors.** `tm`, `rm0`, `rm1`. Only `tm` may crash; no node pauses. The RMs stand for durable participants whose own recovery is not at issue.
//!
//! **Assumptions it leans on.** `max_crashes(0)`: with `heuristic_abort`, the TM's
//! outage must not exceed the RM timeout (an outage is unbounded once the TM may
//! crash: its restart is not fair), and with `blocking` the RMs decide only once
//! the TM is back. `durable_writes`: the logged decision survives the crash. The
//! default set holds `max_crashes(1)` (the TM may crash once), `bounded_delay(0)` (a
//! message arrives within the tick it is sent: the whole round fits in one tick, so
//! any RM timeout of one tick or more outlasts it) and every other assumption but
//! `fifo_links`.
//!
//! **Properties.**
//! - `consistent` (always): never is one RM committed while the other is aborted.
//! - `all_decide` (eventually): every RM reaches committed or aborted.
//! - `commit_reached` (sometimes): some RM commits.
//! - `abort_reached` (sometimes): some RM aborts.
//!
//! **Verdicts** (pinned in `models/recovery/plan.toml` and
//! `tests/suite/two_phase_commit_timed.rs`; defaults `rm_timeout_ticks = 1`,
//! `tm_timeout_ticks = 1`; unique states in brackets):
//!
//! | `variant` | defaults (`max_crashes(1)`) | `max_crashes(0)` |
//! |---|---|---|
//! | `blocking` | `consistent` holds; `all_decide` violated, lasso of 5 steps looping from step 4 (641) | both hold (94) |
//! | `heuristic_abort` | `consistent` violated, 9 steps; `all_decide` holds (355) | both hold (50) |
//!
//! Also pinned: `heuristic_abort` with no crash but `bounded_delay` relaxed —
//! `consistent` violated, 8 steps (180): a late vote delays the commit past `rm0`'s
//! timeout, which is the same outage seen from the RM. `blocking` with
//! `durable_writes` relaxed — `consistent` violated, 10 steps (1 345): the logged
//! commit is still in the page cache when the TM crashes, `rm1` has committed, and
//! the restarted TM presumes abort. Every check takes well under a second. With
//! everything relaxed, duplication included (`blocking`, in the plan; 44 516 states):
//! `consistent` violated in 10 steps, the commit lost in the crash the one necessary
//! break; `all_decide` violated by a 6-step fair loop (time passes while a due timer
//! waits and the clocks drift back and forth).
//!
//! The `blocking` lasso: the TM crashes first and never restarts (a restart is not
//! fair); `rm0` prepares, `rm1` chooses to abort; then, forever, the clock ticks and
//! `rm0`'s timeout fires and asks a TM that is not there (loop: steps 4–5). The
//! `heuristic_abort` counterexample (9 steps): both RMs prepare and the TM receives
//! both votes, logs commit and sends `Commit` to `rm1`, which commits; the TM crashes
//! before sending to `rm0`; the clock ticks past `rm0`'s timeout and `rm0` aborts on
//! its own — one committed, one aborted. `all_decide` holds there because a prepared RM
//! always decides, by message or by timeout.
//!
//! **Not declared yet.** RM crashes (the RM's own log), and the cooperative
//! termination protocol (RMs asking each other).

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::{DurableWrites, MaxCrashes};
use crate::system::Node as _;
use crate::system::{Assumption, AssumptionSet, Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes. Only the TM may crash; no node pauses.
    pub enum Node {
        /// The transaction manager.
        Tm = "tm" [no_pause],
        /// The first resource manager.
        Rm0 = "rm0" [stable],
        /// The second resource manager.
        Rm1 = "rm1" [stable],
    }
}

const RMS: [Node; 2] = [Node::Rm0, Node::Rm1];

/// What a prepared RM does when the decision is late.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Variant {
    /// Asks the TM again and keeps waiting.
    Blocking,
    /// Aborts on its own.
    HeuristicAbort,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct TwoPhaseCommitTimed {
    /// What a prepared RM does on its timeout.
    pub variant: Variant,
    /// How long a prepared RM waits for the decision, in its local ticks.
    pub rm_timeout_ticks: u32,
    /// How long the TM waits for the votes before it aborts, in its local ticks.
    pub tm_timeout_ticks: u32,
}

/// The TM's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Decision {
    /// `TmCommit`.
    Commit,
    /// `TmAbort`.
    Abort,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// An RM's vote to commit.
    Prepared,
    /// The TM's decision: commit.
    Commit,
    /// The TM's decision: abort.
    Abort,
    /// A prepared RM asks the TM for the decision (`blocking`).
    DecisionRequest,
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// RM: vote to commit (due at start).
    RmPrepare,
    /// RM: abort on its own while working (due at start).
    RmChooseToAbort,
    /// RM: the decision is late.
    DecisionTimeout,
    /// TM: the votes are late; abort.
    VoteTimeout,
    /// TM: send the logged decision to one RM.
    SendDecision {
        /// The RM.
        rm: Node,
    },
}

/// An RM's state (`rmState` in `TwoPhase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RmState {
    /// Has not voted.
    Working,
    /// Voted to commit; waits for the decision.
    Prepared,
    /// Committed.
    Committed,
    /// Aborted.
    Aborted,
}

/// A node's volatile state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// The TM: votes received (one bit per RM) and the decision, once taken.
    Tm {
        /// `tmPrepared`, one bit per RM.
        prepared: u8,
        /// The decision, once taken.
        decision: Option<Decision>,
    },
    /// An RM.
    Rm(RmState),
}

impl TwoPhaseCommitTimed {
    /// Logs `decision`, then arms one send per RM.
    fn decide(&self, decision: Decision, ctx: &mut Context<'_, Self>) -> NodeState {
        ctx.persist(Some(decision));
        ctx.cancel_timer(Timer::VoteTimeout);
        for rm in RMS {
            ctx.set_timer(Timer::SendDecision { rm }, 0);
        }
        NodeState::Tm {
            prepared: 0,
            decision: Some(decision),
        }
    }

    fn on_tm_message(
        &self,
        tm: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Tm { prepared, decision } = tm else {
            return;
        };
        match (msg, *decision) {
            (Msg::Prepared, None) => {
                *prepared |= 1 << from.index();
                let all = RMS.iter().all(|rm| *prepared & (1 << rm.index()) != 0);
                if all {
                    *tm = self.decide(Decision::Commit, ctx);
                }
            }
            (Msg::DecisionRequest, Some(decided)) => ctx.send(from, decision_msg(decided)),
            _ => {}
        }
    }

    fn on_rm_message(&self, rm: &mut RmState, msg: &Msg, ctx: &mut Context<'_, Self>) {
        let applies = matches!(rm, RmState::Working | RmState::Prepared);
        match msg {
            Msg::Commit if *rm == RmState::Prepared => *rm = RmState::Committed,
            Msg::Abort if applies => *rm = RmState::Aborted,
            _ => return,
        }
        ctx.cancel_timer(Timer::RmPrepare);
        ctx.cancel_timer(Timer::RmChooseToAbort);
        ctx.cancel_timer(Timer::DecisionTimeout);
    }

    fn on_tm_timer(&self, tm: &mut NodeState, timer: &Timer, ctx: &mut Context<'_, Self>) {
        let NodeState::Tm { decision, .. } = tm else {
            return;
        };
        match (timer, *decision) {
            (Timer::VoteTimeout, None) => *tm = self.decide(Decision::Abort, ctx),
            (Timer::SendDecision { rm }, Some(decided)) => {
                ctx.send(*rm, decision_msg(decided));
            }
            _ => {}
        }
    }

    fn on_rm_timer(&self, rm: &mut RmState, timer: &Timer, ctx: &mut Context<'_, Self>) {
        match (timer, *rm) {
            (Timer::RmPrepare, RmState::Working) => {
                *rm = RmState::Prepared;
                ctx.cancel_timer(Timer::RmChooseToAbort);
                ctx.send(Node::Tm, Msg::Prepared);
                ctx.set_timer(Timer::DecisionTimeout, self.rm_timeout_ticks);
            }
            (Timer::RmChooseToAbort, RmState::Working) => {
                *rm = RmState::Aborted;
                ctx.cancel_timer(Timer::RmPrepare);
            }
            (Timer::DecisionTimeout, RmState::Prepared) => match self.variant {
                Variant::Blocking => {
                    ctx.send(Node::Tm, Msg::DecisionRequest);
                    ctx.set_timer(Timer::DecisionTimeout, self.rm_timeout_ticks);
                }
                Variant::HeuristicAbort => *rm = RmState::Aborted,
            },
            _ => {}
        }
    }
}

fn decision_msg(decision: Decision) -> Msg {
    match decision {
        Decision::Commit => Msg::Commit,
        Decision::Abort => Msg::Abort,
    }
}

impl Protocol for TwoPhaseCommitTimed {
    type Node = Node;
    type State = NodeState;
    /// The TM's decision log (the RMs keep nothing: they do not crash).
    type Durable = Option<Decision>;
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        MaxCrashes.because("a TM outage longer than the RM timeout lets a heuristic abort contradict a commit, and blocks the RMs otherwise"),
        DurableWrites.because("a logged commit lost in the crash becomes a presumed abort after some RM committed"),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.rm_timeout_ticks.max(self.tm_timeout_ticks)
    }

    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        // The TM may crash once; a message arrives within the tick it is sent (the
        // whole round fits in one tick). Both bounds are valid by construction.
        let _ = set.hold(Assumption::MaxCrashes, Some(1));
        let _ = set.hold(Assumption::BoundedDelay, Some(0));
        set
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Tm => {
                ctx.set_timer(Timer::VoteTimeout, self.tm_timeout_ticks);
                NodeState::Tm {
                    prepared: 0,
                    decision: None,
                }
            }
            Node::Rm0 | Node::Rm1 => {
                ctx.set_timer(Timer::RmPrepare, 0);
                ctx.set_timer(Timer::RmChooseToAbort, 0);
                NodeState::Rm(RmState::Working)
            }
        }
    }

    fn on_message(
        &self,
        _node: Node,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match state {
            NodeState::Tm { .. } => self.on_tm_message(state, from, msg, ctx),
            NodeState::Rm(rm) => self.on_rm_message(rm, msg, ctx),
        }
    }

    fn on_timer(
        &self,
        _node: Node,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match state {
            NodeState::Tm { .. } => self.on_tm_timer(state, timer, ctx),
            NodeState::Rm(rm) => self.on_rm_timer(rm, timer, ctx),
        }
    }

    /// A restarted TM sends its logged decision again, or presumes abort.
    fn on_restart(&self, _node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match *ctx.durable() {
            Some(decision) => {
                for rm in RMS {
                    ctx.set_timer(Timer::SendDecision { rm }, 0);
                }
                NodeState::Tm {
                    prepared: 0,
                    decision: Some(decision),
                }
            }
            None => self.decide(Decision::Abort, ctx),
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("consistent", |_, state| consistent(state)),
            Property::eventually("all_decide", |_, state| {
                rm_states(state).all(|rm| matches!(rm, RmState::Committed | RmState::Aborted))
            }),
            Property::sometimes("commit_reached", |_, state| {
                rm_states(state).any(|rm| rm == RmState::Committed)
            }),
            Property::sometimes("abort_reached", |_, state| {
                rm_states(state).any(|rm| rm == RmState::Aborted)
            }),
        ]
    }

    crate::compiled_here!();
}

/// The RMs' states (an RM never crashes, so each has one).
fn rm_states(state: &SystemState<TwoPhaseCommitTimed>) -> impl Iterator<Item = RmState> + '_ {
    RMS.iter().filter_map(|rm| match state.node_state(*rm) {
        Some(NodeState::Rm(rm_state)) => Some(*rm_state),
        _ => None,
    })
}

/// Not one RM committed and another aborted.
fn consistent(state: &SystemState<TwoPhaseCommitTimed>) -> bool {
    let committed = rm_states(state).any(|rm| rm == RmState::Committed);
    let aborted = rm_states(state).any(|rm| rm == RmState::Aborted);
    !(committed && aborted)
}

impl Declared for TwoPhaseCommitTimed {
    const NAME: &'static str = "two_phase_commit_timed";
    const FAMILY: &'static str = "recovery";
    const SUMMARY: &'static str =
        "two-phase commit, TM and 2 RMs, the TM may crash; prepared RMs block, or abort on a timeout";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "blocking",
            &["blocking", "heuristic_abort"],
            "what a prepared RM does when the decision is late",
        ),
        Param::integer(
            "rm_timeout_ticks",
            1,
            0..=10,
            "how long a prepared RM waits for the decision",
        ),
        Param::integer(
            "tm_timeout_ticks",
            1,
            0..=10,
            "how long the TM waits for the votes before it aborts",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(TwoPhaseCommitTimed {
            variant: params.pick(
                "variant",
                &[
                    ("blocking", Variant::Blocking),
                    ("heuristic_abort", Variant::HeuristicAbort),
                ],
            )?,
            rm_timeout_ticks: params.integer("rm_timeout_ticks")?,
            tm_timeout_ticks: params.integer("tm_timeout_ticks")?,
        })
    }
}
