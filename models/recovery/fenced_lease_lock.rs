//! # C1 `fenced_lease_lock` — a lease lock guarding read-modify-write increments
//!
//! **Protocol.** A lock service grants time-bounded leases, each with a fencing token
//! (a number that grows with every grant). Two clients each want to increment a counter
//! kept by a storage service: acquire the lease, read the counter, check the lease is
//! still valid, write the counter + 1, release. The storage may check fencing tokens:
//! `variant = none` (no checks), `writes` (a write carrying a token lower than the
//! highest seen is rejected), `all` (every read and write is checked, and reads raise
//! the highest token seen too).
//!
//! **Source.** Martin Kleppmann, "How to do distributed locking" (2016): a client that
//! pauses between checking its lease and writing corrupts data unless the storage
//! fences it; fencing only writes does not protect read-modify-write.
//!
//! **Actors.** `lock` (lock service), `storage`, `client_a`, `client_b`. Only the
//! clients may crash or pause: the lock service and storage stand for fault-tolerant
//! services, and the failures of interest are the clients'.
//!
//! **Actions** (the article's vocabulary): `Acquire`, `Grant{token}`, `Read{token}`,
//! `ReadReply{value}`, `Write{value, token}`, `WriteAck`, `Rejected`, `Release{token}`;
//! timers `LeaseExpiry` (lock service), `LeaseValidity` (a client's own, shorter, view
//! of the lease), and `IssueWrite` — a zero-tick step between the client's lease check
//! and its write, so that a pause can fall between the two, as in the article.
//!
//! **Assumptions it leans on.** The client's validity window `validity_ticks` is
//! chosen so that a client that passes its check has its write land before the lock
//! service's lease expires: `validity + 2Δ + 4ε < lease_ticks`, with no pause
//! (`bounded_pause(0)`), messages within Δ (`bounded_delay`), clocks within ±ε of true
//! time (`bounded_skew`) and timers on time (`timely_timers`). The defaults (lease 5,
//! validity 2, Δ = 1, ε = 0) meet it.
//!
//! **Properties.**
//! - `no_lost_increment` (always): every increment acknowledged to a client is in the
//!   counter (acknowledged increments ≤ counter).
//! - `both_incremented` (sometimes): both clients' increments are acknowledged — the
//!   happy path exists, so no variant passes vacuously.
//!
//! **Verdicts** (pinned in `models/recovery/plan.toml` and `tests/suite/models.rs`; states
//! at the defaults, BFS):
//!
//! | variant | timing held | `bounded_pause` relaxed | everything relaxed but `no_duplication` | everything relaxed |
//! |---|---|---|---|---|
//! | `none` | holds (782) | violated, 22 steps (66 584) | violated, 20 steps (995 568) | violated, 16 steps (2 082 435) |
//! | `writes` | holds (782) | violated, 22 steps (69 832): a read is not fenced | violated, 20 steps (1 031 328) | violated, 20 steps (1 875 971) |
//! | `all` | holds (782) | holds (60 720) | holds (1 015 042) | holds (1 302 709) |
//!
//! With everything relaxed the network is the message set (`Protocol::MESSAGE_SET`: a
//! delivered message stays in flight, to arrive again or never), and the lock service
//! answers a repeated `Acquire` from a client it has already served with no new grant
//! (a retransmission, as a lock service with client sessions treats it). Without that
//! the space passed 24 M states unfinished: every duplicated `Acquire` made the lock
//! grant a fresh lease, with a fresh token, to a client that no longer wanted one, up
//! to token 255. With duplication held it changes no run (each client sends one
//! `Acquire`); it only tells apart a few states (773 → 782 with timing held). `none`
//! also breaks with `bounded_skew(1)` held (validity + 2Δ + 4ε ≥ lease), and each of
//! the four timing assumptions is load-bearing for it (`synccheck assumptions
//! fenced_lease_lock --set variant=none`).
//!
//! **Symmetry.** The two clients are interchangeable (`Protocol::symmetry`): a check
//! stores one state per class of states that differ by swapping them, with the same
//! verdicts and counterexample lengths (`tests/suite/timed_symmetry.rs` runs every plan check
//! both ways). The counts above are the full space (`--no-symmetry`); with symmetry:
//! 392 / 392 / 392 with timing held, 33 294 / 34 918 / 30 362 with pauses, 651 357 for
//! `all` with everything relaxed.
//!
//! The `writes` counterexample is the article's: A is granted token 1, reads 0, passes
//! its check and pauses; the lease expires; B is granted token 2 and reads 0; A resumes
//! and writes 1 with token 1 (accepted: the storage has seen no higher token on a
//! write); B writes 1 with token 2; both are acknowledged and the counter is 1.

use crate::model::{Declared, Param, Params};
use crate::sync::decision::fencing_token_accepted;
use crate::system::Assumption::{BoundedDelay, BoundedPause, BoundedSkew, TimelyTimers};
use crate::system::{Context, LeansOn, Property, Protocol, Symmetry, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes. The lock service and storage stand for fault-tolerant services.
    pub enum Node {
        /// The lock service.
        Lock = "lock" [stable],
        /// The storage service.
        Storage = "storage" [stable],
        /// The first client.
        ClientA = "client_a",
        /// The second client.
        ClientB = "client_b",
    }
}

/// Where the storage checks fencing tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fencing {
    /// No checks: the lease alone is trusted.
    None,
    /// Writes with a stale token are rejected; reads are not checked.
    Writes,
    /// Every operation is checked, and reads raise the highest token seen.
    All,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct FencedLeaseLock {
    /// Where tokens are checked.
    pub fencing: Fencing,
    /// Lease length at the lock service, in its local ticks.
    pub lease_ticks: u32,
    /// How long a client trusts a grant, in its local ticks.
    pub validity_ticks: u32,
}

synccheck::rewrite! {
    Node;

    /// Messages.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    pub enum Msg {
        /// Client asks for the lease.
        Acquire,
        /// Lock service grants the lease with a fencing token.
        Grant {
            /// The fencing token.
            token: u8,
        },
        /// Client gives the lease back.
        Release {
            /// The token it held.
            token: u8,
        },
        /// Client reads the counter.
        Read {
            /// The client's token.
            token: u8,
        },
        /// Storage returns the counter.
        ReadReply {
            /// The counter.
            value: u8,
        },
        /// Client writes the counter.
        Write {
            /// The new counter.
            value: u8,
            /// The client's token.
            token: u8,
        },
        /// Storage applied the write.
        WriteAck,
        /// Storage refused a stale token.
        Rejected,
    }

    /// Timers.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    pub enum Timer {
        /// Lock service: the current lease runs out.
        LeaseExpiry,
        /// Client: its own view of the lease runs out.
        LeaseValidity,
        /// Client: the write decided at the lease check goes out.
        IssueWrite,
    }

    /// A client's progress.
    #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum ClientPhase {
        /// Waiting for a grant.
        Acquiring,
        /// Holding a token, waiting for the read.
        Reading {
            /// The token.
            token: u8,
        },
        /// Lease checked; the write goes out at the next `IssueWrite`.
        CheckedLease {
            /// The token.
            token: u8,
            /// The value to write.
            value: u8,
        },
        /// Write sent.
        Writing {
            /// The token.
            token: u8,
        },
        /// Finished (incremented or gave up).
        Done {
            /// Whether its increment was acknowledged.
            incremented: bool,
        },
    }

    /// Node states.
    #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum NodeState {
        /// The lock service.
        Lock {
            /// Current holder and token.
            holder: Option<(Node, u8)>,
            /// Clients waiting, in arrival order.
            waiting: Vec<Node>,
            /// The next token to grant.
            next_token: u8,
            /// Clients granted a lease so far, in grant order: a repeated `Acquire`
            /// from one of them is a retransmission, answered by no new grant.
            served: Vec<Node>,
        },
        /// The storage service.
        Storage {
            /// The counter.
            value: u8,
            /// The highest token seen (by fenced operations).
            highest_token: u8,
        },
        /// A client.
        Client {
            /// Progress.
            phase: ClientPhase,
            /// Whether its own lease view is still valid.
            lease_valid: bool,
        },
    }

    /// Observer state.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
    pub struct Ghost {
        /// Increments acknowledged to clients.
        pub acknowledged: u8,
    }
}

impl FencedLeaseLock {
    fn grant_next(
        &self,
        holder: &mut Option<(Node, u8)>,
        waiting: &mut Vec<Node>,
        next_token: &mut u8,
        served: &mut Vec<Node>,
        ctx: &mut Context<'_, Self>,
    ) {
        if holder.is_some() || waiting.is_empty() {
            return;
        }
        let client = waiting.remove(0);
        let token = *next_token;
        *next_token = next_token.saturating_add(1);
        *holder = Some((client, token));
        served.push(client);
        ctx.send(client, Msg::Grant { token });
        ctx.set_timer(Timer::LeaseExpiry, self.lease_ticks);
    }

    fn on_lock_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Lock {
            holder,
            waiting,
            next_token,
            served,
        } = state
        else {
            return;
        };
        match msg {
            Msg::Acquire => {
                let holds = holder.is_some_and(|(client, _)| client == from);
                if !holds && !waiting.contains(&from) && !served.contains(&from) {
                    waiting.push(from);
                }
            }
            Msg::Release { token } => {
                if *holder == Some((from, *token)) {
                    *holder = None;
                    ctx.cancel_timer(Timer::LeaseExpiry);
                }
            }
            _ => return,
        }
        self.grant_next(holder, waiting, next_token, served, ctx);
    }

    fn storage_accepts(&self, token: u8, highest_token: u8, is_write: bool) -> bool {
        let checked = match self.fencing {
            Fencing::None => false,
            Fencing::Writes => is_write,
            Fencing::All => true,
        };
        !checked || fencing_token_accepted(u64::from(token), u64::from(highest_token))
    }

    fn on_storage_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Storage {
            value,
            highest_token,
        } = state
        else {
            return;
        };
        match msg {
            Msg::Read { token } => {
                if !self.storage_accepts(*token, *highest_token, false) {
                    ctx.send(from, Msg::Rejected);
                    return;
                }
                if self.fencing == Fencing::All {
                    *highest_token = (*highest_token).max(*token);
                }
                ctx.send(from, Msg::ReadReply { value: *value });
            }
            Msg::Write { value: new, token } => {
                if !self.storage_accepts(*token, *highest_token, true) {
                    ctx.send(from, Msg::Rejected);
                    return;
                }
                if self.fencing != Fencing::None {
                    *highest_token = (*highest_token).max(*token);
                }
                *value = *new;
                ctx.send(from, Msg::WriteAck);
            }
            _ => {}
        }
    }

    fn on_client_message(&self, state: &mut NodeState, msg: &Msg, ctx: &mut Context<'_, Self>) {
        let NodeState::Client { phase, lease_valid } = state else {
            return;
        };
        match (msg, phase.clone()) {
            (Msg::Grant { token }, ClientPhase::Acquiring) => {
                *phase = ClientPhase::Reading { token: *token };
                *lease_valid = true;
                ctx.set_timer(Timer::LeaseValidity, self.validity_ticks);
                ctx.send(Node::Storage, Msg::Read { token: *token });
            }
            (Msg::ReadReply { value }, ClientPhase::Reading { token }) => {
                if *lease_valid {
                    *phase = ClientPhase::CheckedLease {
                        token,
                        value: value.saturating_add(1),
                    };
                    ctx.set_timer(Timer::IssueWrite, 0);
                } else {
                    *phase = ClientPhase::Done { incremented: false };
                }
            }
            (Msg::WriteAck, ClientPhase::Writing { token }) => {
                ctx.ghost_mut().acknowledged += 1;
                *phase = ClientPhase::Done { incremented: true };
                ctx.cancel_timer(Timer::LeaseValidity);
                ctx.send(Node::Lock, Msg::Release { token });
            }
            (Msg::Rejected, ClientPhase::Reading { token } | ClientPhase::Writing { token }) => {
                *phase = ClientPhase::Done { incremented: false };
                ctx.cancel_timer(Timer::LeaseValidity);
                ctx.send(Node::Lock, Msg::Release { token });
            }
            _ => {}
        }
    }
}

impl Protocol for FencedLeaseLock {
    type Node = Node;
    type State = NodeState;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        BoundedPause
            .because("a client paused between its lease check and its write outlives its lease"),
        BoundedDelay.because("a write delayed in the network lands after the lease expired"),
        BoundedSkew
            .because("a slow client clock keeps trusting a lease the lock service has expired"),
        TimelyTimers.because("a late validity timer lets a client act on an expired lease"),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.lease_ticks.max(self.validity_ticks)
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Lock => NodeState::Lock {
                holder: None,
                waiting: Vec::new(),
                next_token: 1,
                served: Vec::new(),
            },
            Node::Storage => NodeState::Storage {
                value: 0,
                highest_token: 0,
            },
            _ => {
                ctx.send(Node::Lock, Msg::Acquire);
                NodeState::Client {
                    phase: ClientPhase::Acquiring,
                    lease_valid: false,
                }
            }
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
            Node::Lock => self.on_lock_message(state, from, msg, ctx),
            Node::Storage => self.on_storage_message(state, from, msg, ctx),
            Node::ClientA | Node::ClientB => self.on_client_message(state, msg, ctx),
        }
    }

    fn on_timer(
        &self,
        _node: Node,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match (state, timer) {
            (
                NodeState::Lock {
                    holder,
                    waiting,
                    next_token,
                    served,
                },
                Timer::LeaseExpiry,
            ) => {
                *holder = None;
                self.grant_next(holder, waiting, next_token, served, ctx);
            }
            (NodeState::Client { lease_valid, .. }, Timer::LeaseValidity) => *lease_valid = false,
            (NodeState::Client { phase, .. }, Timer::IssueWrite) => {
                if let ClientPhase::CheckedLease { token, value } = phase.clone() {
                    ctx.send(Node::Storage, Msg::Write { value, token });
                    *phase = ClientPhase::Writing { token };
                }
            }
            _ => {}
        }
    }

    /// A restarted client has lost its lease and its progress: it gives up.
    fn on_restart(&self, _node: Node, _ctx: &mut Context<'_, Self>) -> NodeState {
        NodeState::Client {
            phase: ClientPhase::Done { incremented: false },
            lease_valid: false,
        }
    }

    /// The two clients are interchangeable: handled by role, alike in their faults,
    /// and both properties count acknowledgements, never whose.
    fn symmetry(&self) -> Symmetry<Self> {
        Symmetry::groups(&[&[Node::ClientA, Node::ClientB]])
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("no_lost_increment", |_, state| {
                state.ghost.acknowledged <= counter(state)
            }),
            Property::sometimes("both_incremented", |_, state| state.ghost.acknowledged == 2),
        ]
    }

    crate::compiled_here!();
}

fn counter(state: &SystemState<FencedLeaseLock>) -> u8 {
    match state.node_state(Node::Storage) {
        Some(NodeState::Storage { value, .. }) => *value,
        _ => 0,
    }
}

impl Declared for FencedLeaseLock {
    const NAME: &'static str = "fenced_lease_lock";
    const FAMILY: &'static str = "recovery";
    const SUMMARY: &'static str =
        "lease lock + read-modify-write storage; fencing tokens checked nowhere, on writes, or on every operation";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "all",
            &["none", "writes", "all"],
            "where the storage checks fencing tokens",
        ),
        Param::integer("lease_ticks", 5, 1..=20, "lease length at the lock service"),
        Param::integer(
            "validity_ticks",
            2,
            0..=20,
            "how long a client trusts a grant (safe while validity + 2Δ + 4ε < lease)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(FencedLeaseLock {
            fencing: params.pick(
                "variant",
                &[
                    ("none", Fencing::None),
                    ("writes", Fencing::Writes),
                    ("all", Fencing::All),
                ],
            )?,
            lease_ticks: params.integer("lease_ticks")?,
            validity_ticks: params.integer("validity_ticks")?,
        })
    }
}
