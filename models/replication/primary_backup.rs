//! # R1 `primary_backup` — asynchronous vs synchronous acknowledgement under failover
//!
//! **Protocol.** A primary serves one client's write and replicates it to a backup. A
//! failure detector on the backup promotes it to primary (epoch 1) when the primary's
//! heartbeats stop for `failover_timeout_ticks`. The primary acknowledges the write
//! either at once and ships it to the backup in the same step (`variant = async`), or
//! only after the backup has applied it (`variant = sync`). After its acknowledgement
//! the client reads from the node it believes is primary (a promoted backup tells it).
//!
//! **Source.** Classic primary/backup replication (Alsberg & Day, 1976; Budhiraja et
//! al., "The Primary-Backup Approach", 1993). Seen in production: GitHub's 2018-10-21
//! incident analysis (a promoted primary missing seconds of acknowledged writes);
//! Jepsen on MongoDB write concerns below majority.
//!
//! **Actors.** `primary` (epoch 0), `backup` (runs the failure detector), `client`.
//! Only the primary may crash or pause: those are the failures the detector is there to
//! handle. A restarted primary stays out of service (rejoining is out of scope).
//!
//! **Actions** (the protocol's vocabulary): `Write{value}`, `WriteAck`,
//! `Replicate{epoch, value}`, `ReplicateAck`, `Heartbeat{epoch}`, `HeartbeatAck`,
//! `Promoted{epoch}`, `Read`, `ReadReply{value}`; timers `HeartbeatInterval` (primary)
//! and `FailoverTimeout` (backup). One heartbeat is outstanding at a time (the next goes
//! out when the interval has passed and the last one was acknowledged), so the network
//! stays bounded however long messages linger. A promoted backup fences epoch 0: it
//! ignores the old primary's `Replicate` and `Heartbeat`.
//!
//! **Assumptions it leans on.** Replication lag < detection timeout: a write shipped
//! before the primary goes silent reaches the backup before the detector fires. With
//! `bounded_delay(Δ)` and `timely_timers`, heartbeats arrive every `heartbeat_ticks` +
//! Δ, so `failover_timeout_ticks ≥ heartbeat_ticks + 2Δ` (defaults 2 and 4, Δ = 1)
//! means the detector fires only after the primary really is gone — and by then the
//! last `Replicate` (at most Δ old) has landed. Held by default: everything, with
//! `max_crashes(1)` (the primary may crash once, so failover happens at all) and
//! `bounded_pause(0)`.
//!
//! **Properties.**
//! - `acked_write_survives` (always): once the client holds a `WriteAck`, the current
//!   primary (the promoted backup, else a running epoch-0 primary) has the write.
//! - `read_your_writes` (always): a read the client issues after its acknowledgement
//!   returns the write.
//! - `write_read_back` (sometimes): the client read back its acknowledged write.
//! - `failover_after_ack` (sometimes): the backup was promoted after the client's write
//!   was acknowledged — failover really happens in the checked runs, so `holds` is
//!   not vacuous.
//!
//! **Verdicts** (pinned in `models/replication/plan.toml` and `tests/suite/replication.rs`;
//! measured at the default parameters; counterexample lengths are BFS-shortest):
//!
//! | variant | timing held, 1 crash | `bounded_delay` relaxed | `timely_timers` relaxed | `bounded_pause` relaxed | everything relaxed but duplication | everything relaxed |
//! |---|---|---|---|---|---|---|
//! | `async` | holds (1 053 states) | violated: 9 steps (2 001 states) | violated: 10 steps (3 786) | violated: 11 steps (8 336) | violated: 8 steps (21 856) | violated: 8 steps (6 703) |
//! | `sync` | holds (535 states) | holds (1 008) | holds (1 477) | holds (3 151) | holds (10 884) | holds (5 447) |
//!
//! (`read_your_writes` counterexamples are 3 steps longer: the client's `Read` and the
//! new primary's empty `ReadReply`.) With everything relaxed the network is the message
//! set (`Protocol::MESSAGE_SET`: a delivered message stays in flight, to arrive again or
//! never), which is why that column has fewer states than the one with duplication
//! held; on the multiset network (`--no-lean`) duplication is what costs, 1 487 718
//! states for `sync`. The plan checks `sync` with everything relaxed (0.02 s) and
//! `async` with everything but duplication.
//!
//! The `async` counterexample under relaxed delay reads as the catalog's story: the
//! primary's `Heartbeat` lingers in the network (step 2, "Tick while Heartbeat … is 1
//! tick old: bounded_delay(1) broken here"); at t=4 the client's `Write` reaches the
//! primary, which appends it, ships `Replicate` and sends `WriteAck`; the backup's
//! `FailoverTimeout` fires before the `Replicate` lands, it is promoted to epoch 1
//! without the write, and the acknowledged write is gone (the late `Replicate` is then
//! refused as coming from epoch 0). With relaxed `timely_timers` the primary's
//! `HeartbeatInterval` fires late instead, with the same ending. The client writes at
//! `write_after_ticks` (a timer), not at start: a write sent at t=0 lands long before
//! any detector could fire, and the race would be unreachable with timers on time.

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::{BoundedDelay, BoundedPause, MaxCrashes, TimelyTimers};
use crate::system::{AssumptionSet, Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes. Only the primary may crash or pause: the failures the detector handles.
    pub enum Node {
        /// The original primary (epoch 0).
        Primary = "primary",
        /// The backup, running the failure detector.
        Backup = "backup" [stable],
        /// The client.
        Client = "client" [stable],
    }
}

/// The one value the client writes.
const WRITTEN_VALUE: u8 = 1;
/// The epoch of the original primary; a promoted backup serves epoch 1.
const FIRST_EPOCH: u8 = 0;

/// When the primary acknowledges a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckMode {
    /// At once, shipping the write to the backup in the same step.
    Async,
    /// Only after the backup has applied it.
    Sync,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct PrimaryBackup {
    /// When the primary acknowledges.
    pub ack_mode: AckMode,
    /// The primary's heartbeat interval, in its local ticks.
    pub heartbeat_ticks: u32,
    /// The backup's failure-detector timeout, in its local ticks.
    pub failover_timeout_ticks: u32,
    /// When the client issues its write, in its local ticks from the start.
    pub write_after_ticks: u32,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Client → primary: write a value.
    Write {
        /// The value.
        value: u8,
    },
    /// Primary → client: the write is acknowledged.
    WriteAck,
    /// Primary → backup: apply this write.
    Replicate {
        /// The sender's epoch.
        epoch: u8,
        /// The value.
        value: u8,
    },
    /// Backup → primary: the write is applied.
    ReplicateAck,
    /// Primary → backup: still alive.
    Heartbeat {
        /// The sender's epoch.
        epoch: u8,
    },
    /// Backup → primary: heartbeat received.
    HeartbeatAck,
    /// Promoted backup → client: I am the primary now.
    Promoted {
        /// The new epoch.
        epoch: u8,
    },
    /// Client → primary: read the register.
    Read,
    /// Primary → client: the last value in its log.
    ReadReply {
        /// The value, if any.
        value: Option<u8>,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// Primary: time for the next heartbeat.
    HeartbeatInterval,
    /// Backup: no heartbeat for too long; promote.
    FailoverTimeout,
    /// Client: time to write.
    IssueWrite,
}

/// A server's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// Serving clients in this epoch.
    Primary {
        /// The epoch.
        epoch: u8,
    },
    /// Following the primary, watching its heartbeats.
    Backup,
    /// Restarted after a crash; out of service.
    Stopped,
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// The primary or the backup.
    Server {
        /// Its role.
        role: Role,
        /// Applied writes.
        log: Vec<u8>,
        /// Primary (sync): a write waits for the backup before its `WriteAck`.
        ack_pending: bool,
        /// Primary: a heartbeat is unacknowledged.
        heartbeat_outstanding: bool,
        /// Primary: the interval passed while a heartbeat was outstanding.
        heartbeat_due: bool,
    },
    /// The client.
    Client {
        /// Where it sends reads.
        primary: Node,
        /// Its write is acknowledged.
        acked: bool,
    },
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// The client holds a `WriteAck`.
    pub acked: bool,
    /// The client's read after its acknowledgement: did it return the write?
    pub read_saw_write: Option<bool>,
    /// The backup was promoted after the acknowledgement.
    pub promoted_after_ack: bool,
}

impl PrimaryBackup {
    fn server(role: Role) -> NodeState {
        NodeState::Server {
            role,
            log: Vec::new(),
            ack_pending: false,
            heartbeat_outstanding: false,
            heartbeat_due: false,
        }
    }

    fn send_heartbeat(&self, outstanding: &mut bool, ctx: &mut Context<'_, Self>) {
        *outstanding = true;
        ctx.send(Node::Backup, Msg::Heartbeat { epoch: FIRST_EPOCH });
        ctx.set_timer(Timer::HeartbeatInterval, self.heartbeat_ticks);
    }

    fn on_server_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Server {
            role,
            log,
            ack_pending,
            heartbeat_outstanding,
            heartbeat_due,
        } = state
        else {
            return;
        };
        match (*role, msg) {
            (Role::Primary { epoch }, Msg::Write { value }) => {
                if log.contains(value) {
                    return;
                }
                log.push(*value);
                ctx.send(
                    Node::Backup,
                    Msg::Replicate {
                        epoch,
                        value: *value,
                    },
                );
                match self.ack_mode {
                    AckMode::Async => ctx.send(from, Msg::WriteAck),
                    AckMode::Sync => *ack_pending = true,
                }
            }
            (Role::Primary { .. }, Msg::ReplicateAck) if *ack_pending => {
                *ack_pending = false;
                ctx.send(Node::Client, Msg::WriteAck);
            }
            (Role::Primary { .. }, Msg::HeartbeatAck) => {
                *heartbeat_outstanding = false;
                if *heartbeat_due {
                    *heartbeat_due = false;
                    self.send_heartbeat(heartbeat_outstanding, ctx);
                }
            }
            (Role::Primary { .. }, Msg::Read) => {
                ctx.send(
                    from,
                    Msg::ReadReply {
                        value: log.last().copied(),
                    },
                );
            }
            (Role::Backup, Msg::Heartbeat { .. }) => {
                ctx.set_timer(Timer::FailoverTimeout, self.failover_timeout_ticks);
                ctx.send(from, Msg::HeartbeatAck);
            }
            (Role::Backup, Msg::Replicate { value, .. }) => {
                if !log.contains(value) {
                    log.push(*value);
                }
                ctx.send(from, Msg::ReplicateAck);
            }
            // A promoted backup fences epoch 0: its Replicate and Heartbeat are refused.
            _ => {}
        }
    }

    fn on_client_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Client { primary, acked } = state else {
            return;
        };
        match msg {
            Msg::WriteAck if !*acked => {
                *acked = true;
                ctx.ghost_mut().acked = true;
                ctx.send(*primary, Msg::Read);
            }
            Msg::Promoted { .. } => *primary = from,
            Msg::ReadReply { value } => {
                ctx.ghost_mut().read_saw_write = Some(*value == Some(WRITTEN_VALUE));
            }
            _ => {}
        }
    }
}

impl Protocol for PrimaryBackup {
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
        BoundedDelay.because(
            "a Replicate or heartbeat lingering past the failover timeout lets the backup be promoted without an acknowledged write",
        ),
        TimelyTimers.because(
            "a late heartbeat looks like a dead primary while its last write is still in flight",
        ),
        BoundedPause.because(
            "a paused primary is declared dead, then resumes and acknowledges a write the new primary never gets",
        ),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.heartbeat_ticks
            .max(self.failover_timeout_ticks)
            .max(self.write_after_ticks)
    }

    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        set.hold(MaxCrashes, Some(1))
            .expect("1 is a valid crash bound");
        set
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Primary => {
                let mut outstanding = false;
                self.send_heartbeat(&mut outstanding, ctx);
                let mut state = Self::server(Role::Primary { epoch: FIRST_EPOCH });
                if let NodeState::Server {
                    heartbeat_outstanding,
                    ..
                } = &mut state
                {
                    *heartbeat_outstanding = outstanding;
                }
                state
            }
            Node::Backup => {
                ctx.set_timer(Timer::FailoverTimeout, self.failover_timeout_ticks);
                Self::server(Role::Backup)
            }
            Node::Client => {
                ctx.set_timer(Timer::IssueWrite, self.write_after_ticks);
                NodeState::Client {
                    primary: Node::Primary,
                    acked: false,
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
            Node::Primary | Node::Backup => self.on_server_message(state, from, msg, ctx),
            Node::Client => self.on_client_message(state, from, msg, ctx),
        }
    }

    fn on_timer(
        &self,
        _node: Node,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        if let (NodeState::Client { primary, .. }, Timer::IssueWrite) = (&*state, timer) {
            ctx.send(
                *primary,
                Msg::Write {
                    value: WRITTEN_VALUE,
                },
            );
            return;
        }
        let NodeState::Server {
            role,
            heartbeat_outstanding,
            heartbeat_due,
            ..
        } = state
        else {
            return;
        };
        match (*role, timer) {
            (Role::Primary { .. }, Timer::HeartbeatInterval) => {
                if *heartbeat_outstanding {
                    *heartbeat_due = true;
                } else {
                    self.send_heartbeat(heartbeat_outstanding, ctx);
                }
            }
            (Role::Backup, Timer::FailoverTimeout) => {
                let epoch = FIRST_EPOCH + 1;
                *role = Role::Primary { epoch };
                let ghost = ctx.ghost_mut();
                ghost.promoted_after_ack = ghost.acked;
                ctx.send(Node::Client, Msg::Promoted { epoch });
            }
            _ => {}
        }
    }

    /// A restarted primary has lost its role; it stays out of service.
    fn on_restart(&self, _node: Node, _ctx: &mut Context<'_, Self>) -> NodeState {
        Self::server(Role::Stopped)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("acked_write_survives", |_, state| {
                !state.ghost.acked
                    || current_primary_log(state).is_none_or(|log| log.contains(&WRITTEN_VALUE))
            }),
            Property::always("read_your_writes", |_, state| {
                state.ghost.read_saw_write != Some(false)
            }),
            Property::sometimes("write_read_back", |_, state| {
                state.ghost.read_saw_write == Some(true)
            }),
            Property::sometimes("failover_after_ack", |_, state| {
                state.ghost.promoted_after_ack
            }),
        ]
    }

    crate::compiled_here!();
}

fn role_and_log(state: &SystemState<PrimaryBackup>, node: Node) -> Option<(Role, &[u8])> {
    match state.node_state(node) {
        Some(NodeState::Server { role, log, .. }) => Some((*role, log.as_slice())),
        _ => None,
    }
}

/// The log of the primary clients are served by: the promoted backup, else a running
/// epoch-0 primary; `None` while there is none (the primary crashed, no promotion yet).
fn current_primary_log(state: &SystemState<PrimaryBackup>) -> Option<&[u8]> {
    [Node::Backup, Node::Primary].into_iter().find_map(|node| {
        role_and_log(state, node)
            .filter(|(role, _)| matches!(role, Role::Primary { .. }))
            .map(|(_, log)| log)
    })
}

impl Declared for PrimaryBackup {
    const NAME: &'static str = "primary_backup";
    const FAMILY: &'static str = "replication";
    const SUMMARY: &'static str =
        "primary/backup with a failure detector that promotes the backup; acknowledge before (async) or after (sync) the backup applied the write";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "sync",
            &["async", "sync"],
            "when the primary acknowledges a write",
        ),
        Param::integer(
            "heartbeat_ticks",
            2,
            1..=20,
            "the primary's heartbeat interval",
        ),
        Param::integer(
            "failover_timeout_ticks",
            4,
            1..=40,
            "the backup's failure-detector timeout (safe while ≥ heartbeat + 2Δ)",
        ),
        Param::integer(
            "write_after_ticks",
            4,
            0..=40,
            "when the client issues its write",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(PrimaryBackup {
            ack_mode: params.pick(
                "variant",
                &[("async", AckMode::Async), ("sync", AckMode::Sync)],
            )?,
            heartbeat_ticks: params.integer("heartbeat_ticks")?,
            failover_timeout_ticks: params.integer("failover_timeout_ticks")?,
            write_after_ticks: params.integer("write_after_ticks")?,
        })
    }
}
