//! # C2 `failover_split_brain` — a failure detector promotes the replica while the old
//! primary still writes
//!
//! **Protocol.** Primary `p` (epoch 1) and replica `r` front a shared storage service
//! (the database disk, or the proxy in front of it). Each has one client:
//! `client_a` writes through `p`, `client_b` through `r` (one client on each side of
//! the partition). A primary takes a client's `Write`, and at its next step
//! (`IssueWrite`, a zero-tick timer: a pause can fall between the decision and the
//! write, as in C1) sends `StorageWrite{epoch}`; the storage answers `StorageAck` or
//! `StorageRejected`, and the primary answers the client `Ack{epoch}` or `Rejected`.
//! The replica holds its client's write until it is promoted. The model starts at the
//! last heartbeat `p` delivered: from there `p` is silent, and the detector's
//! `FailoverTimeout` (`failover_ticks`) fires and sends `Promote{epoch: 2}` to `r`.
//! `variant`:
//! - `no_fencing`: nothing stops `p`; the storage applies every write.
//! - `epoch_fencing`: the storage rejects a write whose epoch is below the highest it
//!   has seen (`fencing_token_accepted`, shared with C1 and the lease table).
//! - `lease_demotion`: `p` holds a lease of `lease_ticks` from the last heartbeat and
//!   demotes itself when its `LeaseExpiry` timer fires; it decides to write only while
//!   the lease is valid. The storage checks nothing.
//!
//! **Source.** GitHub, "Downtime last Saturday" (2012-12-26: a failover under a
//! partition left two nodes taking writes); GitHub, "October 21 post-incident
//! analysis" (2018); Kleppmann, "How to do distributed locking" (fencing tokens).
//!
//! **Actors.** `p`, `r`, `detector`, `storage`, `client_a`, `client_b`. Only `p` may
//! crash or pause: the detector and storage stand for fault-tolerant services, and the
//! failure of interest is the old primary's.
//!
//! **Assumptions it leans on.** The detector's timeout outlasts the old primary's last
//! write: with the lease, `lease_ticks + Δ < failover_ticks` with no pause
//! (`bounded_pause(0)`), clocks within ±ε (`bounded_skew(0)`) and timers on time; without
//! the lease, the same holds only because, under `bounded_delay(1)`, `p` handles its
//! client's write within a tick. The defaults (lease 1, failover 3, Δ = 1, ε = 0) meet it.
//!
//! **Properties.**
//! - `single_writer_per_epoch` (always): the storage applies writes in non-decreasing
//!   epoch order — once the new primary has written, the old one never writes again.
//! - `no_divergent_acks` (always): no client is acknowledged a write that the storage
//!   applied after a write of a newer epoch — nobody hears "committed" for a deposed
//!   primary's write on top of the new primary's history.
//! - `both_acked` (sometimes): both clients' writes are acknowledged.
//!
//! **Verdicts** (pinned in `models/recovery/plan.toml` and `tests/suite/recovery.rs`; unique
//! states in brackets, counterexample lengths for `single_writer_per_epoch`):
//!
//! | variant | timing held | `bounded_pause` relaxed | `bounded_skew` relaxed | `bounded_delay` relaxed | all relaxed but `no_duplication` | everything relaxed |
//! |---|---|---|---|---|---|---|
//! | `no_fencing` | holds (73) | violated, 13 / 15 steps (322) | violated, 11 / 13 (459) | violated, 11 / 13 (107) | violated, 11 / 13 (1 680) | violated, 11 / 13 (2 663) |
//! | `epoch_fencing` | holds (73) | holds (320) | holds (458) | holds (106) | holds (1 621) | holds (2 325) |
//! | `lease_demotion` | holds (108) | violated, 13 / 15 (700) | violated, 11 / 13 (2 509) | violated, 12 / 14 (135) | violated, 11 / 13 (5 991) | violated, 11 / 13 (7 778) |
//!
//! (n / m: shortest counterexamples of `single_writer_per_epoch` / `no_divergent_acks`.)
//! Relaxing `reliable_links` alone breaks nothing: a lost write delays nobody, and the
//! model has no retries; a partition is a message held back, i.e. `bounded_delay`
//! relaxed. With everything relaxed the network is the message set
//! (`Protocol::MESSAGE_SET`: a delivered message stays in flight, to arrive again or
//! never). The storage keeps what the properties read of its history — the newest
//! epoch applied, and whether a write ever landed after a newer one — rather than the
//! log of applied epochs, and a client keeps the first acknowledgement it receives:
//! a duplicated write or acknowledgement changes neither, where the log and the list
//! of acknowledgements grew with each (the space then passed 16 M states unfinished).

//! The `no_fencing` counterexample with pauses (13 steps): both clients' writes
//! arrive; `p` has decided to write and pauses (`bounded_pause(0)` broken here); two
//! ticks later it resumes and sends its write; the detector's timeout fires, `r` is
//! promoted to epoch 2 and writes; the storage applies `r`'s epoch-2 write, then
//! `p`'s epoch-1 write — two writers, and two more steps acknowledge `p`'s client.
//! With `lease_demotion` and skew relaxed (11 steps) the detector's clock runs two
//! ticks ahead (`bounded_skew(0)` broken at the first drift), so it fails `p` over
//! while `p`'s lease, by `p`'s clock, is still valid.
//!
//! **Not declared yet.** Nothing: the model has no liveness property.

use crate::model::{Declared, Param, Params};
use crate::sync::decision::fencing_token_accepted;
use crate::system::Assumption::{BoundedDelay, BoundedPause, BoundedSkew, TimelyTimers};
use crate::system::{Context, LeansOn, Property, Protocol};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes. Only the old primary may crash or pause: the detector and storage
    /// stand for fault-tolerant services.
    pub enum Node {
        /// The old primary (epoch 1).
        Primary = "p",
        /// The replica, promoted to epoch 2.
        Replica = "r" [stable],
        /// The failure detector.
        Detector = "detector" [stable],
        /// The shared storage.
        Storage = "storage" [stable],
        /// The client writing through the old primary.
        ClientA = "client_a" [stable],
        /// The client writing through the replica.
        ClientB = "client_b" [stable],
    }
}

const OLD_EPOCH: u8 = 1;
const NEW_EPOCH: u8 = 2;

/// How the old primary is kept from writing after the failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// Nothing.
    NoFencing,
    /// The storage rejects writes from an older epoch.
    EpochFencing,
    /// The old primary demotes itself when its lease runs out.
    LeaseDemotion,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct FailoverSplitBrain {
    /// The guard against the old primary.
    pub guard: Guard,
    /// The old primary's lease from its last heartbeat, in its local ticks.
    pub lease_ticks: u32,
    /// The detector's timeout from the last heartbeat, in its local ticks.
    pub failover_ticks: u32,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// A client's write.
    Write,
    /// The primary acknowledges the client's write.
    Ack {
        /// The epoch of the primary that acknowledged it.
        epoch: u8,
        /// The newest epoch among the writes the storage applied before it (0: none).
        newest_before: u8,
    },
    /// The primary refuses the client's write.
    Rejected,
    /// The detector promotes the replica.
    Promote {
        /// The new epoch.
        epoch: u8,
    },
    /// A primary writes to the storage.
    StorageWrite {
        /// The writer's epoch.
        epoch: u8,
    },
    /// The storage applied the write.
    StorageAck {
        /// The newest epoch among the writes applied before it (0: none).
        newest_before: u8,
    },
    /// The storage refused a stale epoch.
    StorageRejected,
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// Detector: no heartbeat from the primary for `failover_ticks`.
    FailoverTimeout,
    /// Old primary: its lease runs out (`lease_demotion` only).
    LeaseExpiry,
    /// Primary: the write decided on goes out.
    IssueWrite,
}

/// A database node's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// Takes writes in its epoch.
    Primary,
    /// Holds its client's write until promoted.
    Replica,
    /// Gave up the primary role (lease expired, or restarted after a crash).
    Demoted,
}

/// A database node's write in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum WritePhase {
    /// No write.
    Idle,
    /// The client's write waits for the node to be primary (replica only).
    Held,
    /// Decided; goes out at `IssueWrite`.
    Decided,
    /// Sent to the storage.
    Sent,
    /// Answered.
    Done,
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// `p` or `r`.
    Database {
        /// Role.
        role: Role,
        /// Epoch.
        epoch: u8,
        /// The client's write.
        write: WritePhase,
    },
    /// The failure detector.
    Detector {
        /// Whether it has promoted the replica.
        promoted: bool,
    },
    /// The storage.
    Storage {
        /// The newest epoch among the applied writes (0: none yet).
        newest_applied: u8,
        /// Whether a write was applied after a write of a newer epoch.
        out_of_order: bool,
        /// The highest epoch seen (fencing).
        highest_epoch: u8,
    },
    /// A client.
    Client {
        /// The epoch that acknowledged its write, if any.
        acked: Option<u8>,
    },
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// The acknowledgements clients received (the first each client received), in
    /// order: the acknowledging epoch and the newest epoch the storage had applied
    /// before the write.
    pub acks: Vec<(u8, u8)>,
}

impl FailoverSplitBrain {
    fn on_database_message(
        &self,
        node: Node,
        state: &mut NodeState,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Database { role, epoch, write } = state else {
            return;
        };
        let client = client_of(node);
        match (msg, *write) {
            (Msg::Write, WritePhase::Idle) => match role {
                Role::Primary => {
                    *write = WritePhase::Decided;
                    ctx.set_timer(Timer::IssueWrite, 0);
                }
                Role::Replica => *write = WritePhase::Held,
                Role::Demoted => {
                    *write = WritePhase::Done;
                    ctx.send(client, Msg::Rejected);
                }
            },
            (Msg::Promote { epoch: new_epoch }, _) if *role == Role::Replica => {
                *role = Role::Primary;
                *epoch = *new_epoch;
                if *write == WritePhase::Held {
                    *write = WritePhase::Decided;
                    ctx.set_timer(Timer::IssueWrite, 0);
                }
            }
            (Msg::StorageAck { newest_before }, WritePhase::Sent) => {
                *write = WritePhase::Done;
                let ack = Msg::Ack {
                    epoch: *epoch,
                    newest_before: *newest_before,
                };
                ctx.send(client, ack);
            }
            (Msg::StorageRejected, WritePhase::Sent) => {
                *write = WritePhase::Done;
                ctx.send(client, Msg::Rejected);
            }
            _ => {}
        }
    }

    fn on_storage_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let (
            NodeState::Storage {
                newest_applied,
                out_of_order,
                highest_epoch,
            },
            Msg::StorageWrite { epoch },
        ) = (state, msg)
        else {
            return;
        };
        let fenced = self.guard == Guard::EpochFencing;
        if fenced && !fencing_token_accepted(u64::from(*epoch), u64::from(*highest_epoch)) {
            ctx.send(from, Msg::StorageRejected);
            return;
        }
        *highest_epoch = (*highest_epoch).max(*epoch);
        let newest_before = *newest_applied;
        *out_of_order |= *epoch < newest_before;
        *newest_applied = newest_before.max(*epoch);
        ctx.send(from, Msg::StorageAck { newest_before });
    }
}

/// The client that writes through database node `node`.
fn client_of(node: Node) -> Node {
    if node == Node::Primary {
        Node::ClientA
    } else {
        Node::ClientB
    }
}

impl Protocol for FailoverSplitBrain {
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
            .because("an old primary paused past the failover timeout writes after the promotion"),
        BoundedSkew
            .because("a slow primary clock keeps a lease the detector has already counted out"),
        BoundedDelay
            .because("a write delayed past the failover timeout lands after the new primary's"),
        TimelyTimers.because("a late lease timer lets the old primary write after the promotion"),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.lease_ticks.max(self.failover_ticks)
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Primary | Node::Replica => {
                let primary = node == Node::Primary;
                if primary && self.guard == Guard::LeaseDemotion {
                    ctx.set_timer(Timer::LeaseExpiry, self.lease_ticks);
                }
                NodeState::Database {
                    role: if primary {
                        Role::Primary
                    } else {
                        Role::Replica
                    },
                    epoch: OLD_EPOCH,
                    write: WritePhase::Idle,
                }
            }
            Node::Detector => {
                ctx.set_timer(Timer::FailoverTimeout, self.failover_ticks);
                NodeState::Detector { promoted: false }
            }
            Node::Storage => NodeState::Storage {
                newest_applied: 0,
                out_of_order: false,
                highest_epoch: 0,
            },
            Node::ClientA | Node::ClientB => {
                let database = if node == Node::ClientA {
                    Node::Primary
                } else {
                    Node::Replica
                };
                ctx.send(database, Msg::Write);
                NodeState::Client { acked: None }
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
            Node::Primary | Node::Replica => self.on_database_message(node, state, msg, ctx),
            Node::Storage => self.on_storage_message(state, from, msg, ctx),
            Node::Detector => {}
            Node::ClientA | Node::ClientB => {
                // A duplicated `Ack` tells the client nothing new.
                if let (
                    NodeState::Client {
                        acked: acked @ None,
                    },
                    Msg::Ack {
                        epoch,
                        newest_before,
                    },
                ) = (state, msg)
                {
                    *acked = Some(*epoch);
                    ctx.ghost_mut().acks.push((*epoch, *newest_before));
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
        match (state, timer) {
            (NodeState::Detector { promoted }, Timer::FailoverTimeout) => {
                *promoted = true;
                ctx.send(Node::Replica, Msg::Promote { epoch: NEW_EPOCH });
            }
            (NodeState::Database { role, .. }, Timer::LeaseExpiry) if *role == Role::Primary => {
                *role = Role::Demoted;
            }
            (NodeState::Database { epoch, write, .. }, Timer::IssueWrite)
                if *write == WritePhase::Decided =>
            {
                *write = WritePhase::Sent;
                ctx.send(Node::Storage, Msg::StorageWrite { epoch: *epoch });
            }
            _ => {}
        }
    }

    /// A restarted old primary knows it may have been replaced: it stays demoted and
    /// has forgotten its client's write.
    fn on_restart(&self, _node: Node, _ctx: &mut Context<'_, Self>) -> NodeState {
        NodeState::Database {
            role: Role::Demoted,
            epoch: OLD_EPOCH,
            write: WritePhase::Done,
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("single_writer_per_epoch", |_, state| {
                !matches!(
                    state.node_state(Node::Storage),
                    Some(NodeState::Storage {
                        out_of_order: true,
                        ..
                    })
                )
            }),
            Property::always("no_divergent_acks", |_, state| {
                state
                    .ghost
                    .acks
                    .iter()
                    .all(|(epoch, newest_before)| newest_before <= epoch)
            }),
            Property::sometimes("both_acked", |_, state| state.ghost.acks.len() == 2),
        ]
    }

    crate::compiled_here!();
}

impl Declared for FailoverSplitBrain {
    const NAME: &'static str = "failover_split_brain";
    const FAMILY: &'static str = "recovery";
    const SUMMARY: &'static str =
        "failover of a primary over shared storage; no fencing, epoch fencing at the storage, or lease self-demotion";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "epoch_fencing",
            &["no_fencing", "epoch_fencing", "lease_demotion"],
            "what keeps the old primary from writing after the failover",
        ),
        Param::integer(
            "lease_ticks",
            1,
            0..=20,
            "the old primary's lease from its last heartbeat (lease_demotion)",
        ),
        Param::integer(
            "failover_ticks",
            3,
            0..=20,
            "the detector's timeout from the last heartbeat (safe while lease + Δ < failover)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(FailoverSplitBrain {
            guard: params.pick(
                "variant",
                &[
                    ("no_fencing", Guard::NoFencing),
                    ("epoch_fencing", Guard::EpochFencing),
                    ("lease_demotion", Guard::LeaseDemotion),
                ],
            )?,
            lease_ticks: params.integer("lease_ticks")?,
            failover_ticks: params.integer("failover_ticks")?,
        })
    }
}
