//! # R2 `quorum_register` — ABD quorum reads with and without the write-back phase
//!
//! **Protocol.** ABD (one writer): three replicas store `(timestamp, value)`. The
//! writer sends `Write{timestamp 1, value 1}` to every replica and returns after a
//! quorum (2) of `WriteAck`s. The reader makes two sequential reads: `Query` every
//! replica, take the freshest of a quorum of `QueryReply`s, then (`variant =
//! write_back`) send it back (`WriteBack`) and wait for a quorum of `WriteBackAck`s
//! before returning, or (`variant = no_write_back`) return at once. A write-back is
//! skipped when the quorum's timestamps agree (the value is already on a quorum; as
//! Cassandra repairs only on a digest mismatch). The second read starts
//! `read_gap_ticks` after the first returns (0, the default: at once).
//!
//! **Source.** Attiya, Bar-Noy, Dolev, "Sharing Memory Robustly in Message-Passing
//! Systems" (JACM 1995); Cassandra's blocking read repair ("monotonic quorum reads").
//!
//! **Actors.** `r0`, `r1`, `r2` (replicas; they persist what they store and only
//! they may crash or pause), `writer`, `reader`.
//!
//! **Actions:** `Write`, `WriteAck`, `Query`, `QueryReply`, `WriteBack`,
//! `WriteBackAck`; timer `NextRead` (reader, only when `read_gap_ticks > 0`).
//! Messages carry the read number, so late answers to read 1 are ignored by read 2;
//! quorums count distinct replicas, so duplicates count once.
//!
//! **Assumptions it leans on.** The plain read leans on "replicas converge before the
//! next read starts": with `read_gap_ticks ≥ 1` and `bounded_delay(0)` (the model's
//! default: a message lands within the tick it was sent), every `Write` has landed
//! before read 2 queries, so it holds. Relaxing `bounded_delay`, `reliable_links`,
//! `bounded_skew` (the reader's clock runs ahead) or `bounded_pause` (a replica sits
//! on its `Write`) exposes it; so does a gap of 0, under every assumption. ABD needs
//! no timing at all; it leans only on `durable_writes` (with crashes).
//!
//! **Properties.**
//! - `linearizable` (always): the history (write, two reads) recorded in the ghost is
//!   linearizable for a register initially 0 (stateright's `LinearizabilityTester`).
//! - `read_returned_new_value` (sometimes): some read returned the written value.
//! - `reads_completed` (sometimes): both reads returned.
//!
//! **Verdicts** (pinned in `models/replication/plan.toml` and
//! `tests/suite/quorum_register.rs`; BFS-shortest counterexamples; 2 threads):
//!
//! | checks | `no_write_back` | `write_back` |
//! |---|---|---|
//! | gap 0 (default), defaults | violated: 9 steps (45 329 states, 1 s) | holds (489 874 states, ~10 s) |
//! | gap 0, delay + skew + timers relaxed | violated: 9 steps | holds (489 874: the same states) |
//! | gap 1, defaults | holds (2 645) | holds (9 850) |
//! | gap 1, `bounded_delay` relaxed | violated: 11 steps (52 937) | not pinned |
//! | gap 1, `bounded_skew` relaxed | violated: 11 steps (53 612) | holds (568 774, 14 s, 1 thread) |
//! | gap 1, `reliable_links` relaxed | violated: 15 steps (19 610) | holds (84 261, 2 s) |
//! | gap 1, `bounded_pause` relaxed (gap 2) | violated: 17 steps (370 072) | not measured |
//! | gap 0, everything relaxed (`--relax-all`) | not pinned | violated: 12 steps (457 362 classes, ~24 CPU s) |
//! | gap 0, `no_duplication` relaxed, `drop_ignored = on` | not pinned | holds (214 254 classes, 5 CPU s, 1 thread) |
//!
//! **Symmetry.** The three replicas are interchangeable (`Protocol::symmetry`; the
//! reply sets are renamed bit by bit): a check stores one state per class of replica
//! renamings (up to 6 states per class), with the same verdicts and counterexample
//! lengths (`tests/suite/timed_symmetry.rs`). The counts in the table are the full space
//! (`--no-symmetry`); with symmetry, for example, 45 329 → 8 293 (`no_write_back`, gap
//! 0) and 84 261 → 15 028 (`write_back`, lossy links).
//!
//! At gap 0 relaxing `bounded_delay`, `bounded_skew` and `timely_timers` adds no state:
//! within tick 0 every message may already wait for every other, so this check is the
//! fully asynchronous one (pauses aside: a paused replica only delays its messages).
//! **Not feasible** for a plan check with every message kept, measured on 2 threads:
//! `write_back` with `no_duplication` relaxed (> 2.8 M states, unfinished after 47 s,
//! even at gap 1), with `reliable_links` relaxed at gap 0 (> 1.8 M, 45 s), with
//! `bounded_pause` relaxed at gap 0 (> 2.9 M, 62 s). `write_back` with one crash and
//! `durable_writes` relaxed holds under default timing at gap 2 (822 588 states, 14 s):
//! the replica that loses an unsynced write-back would have to be the only holder,
//! which needs a stale third replica too. So the catalog's "with write-back: holds, no
//! timing assumption needed" is confirmed for timing and loss, and for duplication with
//! the ignored answers dropped (next paragraph).
//!
//! **Ignored answers dropped** (`drop_ignored = on`, off by default so that the counts
//! above stay those of every message kept): the writer ignores a second `WriteAck`
//! of one replica and any after it returned; the reader an answer to an earlier read,
//! and one to the current read once that phase is over or has counted the replica —
//! true under duplication too, since reads and phases only move on
//! (`Protocol::ignores`, audited). The engine then takes those answers out of the
//! network, and `write_back` with `no_duplication` relaxed holds in 214 254 states
//! (one per class of replica renamings; 5.2 CPU s on one thread, where every message
//! kept passed 5.09 M states in 100 s unfinished), a plan check.
//!
//! **With every assumption relaxed** (duplication, crashes and `durable_writes`
//! included; pinned in the plan, by class: the full space was not run) `write_back` is
//! violated in 12 steps: `r0` acknowledges `Write { timestamp: 1 }` without syncing
//! it, read 1 returns 1 from `r0` and `r1`, `r0` crashes and restarts with timestamp 0,
//! and read 2 returns 0 from `r0` and `r2`. Both breaks (`max_crashes(0)` and
//! `durable_writes` at the crash) are necessary and no 12-step run breaks fewer: the
//! ABD result that acknowledged writes must be durable. The check completes once
//! every property is decided (457 362 classes; about 24 CPU s on one thread, most of
//! it the fewest-breaks search and the confirmation of the two breaks).
//!
//! **The counterexample** (`check quorum_register --set variant=no_write_back`, 9
//! steps, all in tick 0, no assumption broken) is the catalog's story: the writer's
//! `Write` reaches `r0` only (step 1); read 1 asks `r0` (timestamp 1) and `r1`
//! (timestamp 0) and returns the new value 1; read 2 starts at once and asks `r1` and
//! `r2`, which still hold timestamp 0, and returns 0. The write is still in flight,
//! but read 1 returned before read 2 began: no order of the three operations explains
//! new-then-old. With write-back, read 1 would first have put timestamp 1 on a quorum,
//! which read 2's quorum must meet.
//!
//! **Departures from docs/CATALOG.md.** None in verdicts. The default `bounded_delay` is 0
//! (the engine stores message ages up to Δ; Δ = 1 made the default check 415 316
//! states instead of 19 361 at gap 2), and the write-back is skipped on agreeing
//! quorums (490 k instead of 563 k states at gap 0): both keep the check in budget.

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::{
    BoundedDelay, BoundedPause, BoundedSkew, DurableWrites, ReliableLinks,
};
use crate::system::Node as _;
use crate::system::{
    AssumptionSet, Context, LeansOn, Property, Protocol, Renaming, Rewrite, Symmetry, SystemState,
};
use serde::{Serialize, Serializer};
use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester};

synccheck::nodes! {
    /// The nodes. Only the replicas may crash or pause.
    pub enum Node {
        /// The first replica.
        R0 = "r0",
        /// The second replica.
        R1 = "r1",
        /// The third replica.
        R2 = "r2",
        /// The writer.
        Writer = "writer" [stable],
        /// The reader.
        Reader = "reader" [stable],
    }
}

/// The replicas.
const REPLICAS: [Node; 3] = [Node::R0, Node::R1, Node::R2];
/// A majority of the replicas.
const QUORUM: u32 = 2;
/// The register's value before the write (stored with timestamp 0).
const INITIAL_VALUE: u8 = 0;
/// The one value the writer writes.
const WRITTEN_VALUE: u8 = 1;
/// The writer's timestamp for it (one writer: no query phase is needed to pick it).
const WRITTEN_TIMESTAMP: u8 = 1;
/// The reader's reads, issued one after the other.
const READS: u8 = 2;

/// What a read does after its query quorum answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// Return the freshest value at once (a plain quorum read).
    NoWriteBack,
    /// Write the freshest value back to a quorum first (ABD's second phase).
    WriteBack,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct QuorumRegister {
    /// Whether reads write back.
    pub read_mode: ReadMode,
    /// How long the reader waits after its first read returns before it starts the
    /// second, in its local ticks.
    pub read_gap_ticks: u32,
    /// Drop the answers the writer and the reader ignore for ever
    /// ([`Protocol::ignores`]): a second `WriteAck` from one replica, any after the
    /// write returned, and an answer to a read (or a phase of it) that has moved on.
    pub drop_ignored: bool,
}

/// Messages (the ABD paper's two phases: query, then update).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Writer → replica: store this value if its timestamp is newer.
    Write {
        /// The write's timestamp.
        timestamp: u8,
        /// The value.
        value: u8,
    },
    /// Replica → writer: the write is stored.
    WriteAck {
        /// The write's timestamp.
        timestamp: u8,
    },
    /// Reader → replica: what do you hold? (`read` is 1 or 2.)
    Query {
        /// Which of the reader's reads.
        read: u8,
    },
    /// Replica → reader: what it holds.
    QueryReply {
        /// Which read this answers.
        read: u8,
        /// The stored timestamp.
        timestamp: u8,
        /// The stored value.
        value: u8,
    },
    /// Reader → replica: store the value the read is about to return, if newer.
    WriteBack {
        /// Which read.
        read: u8,
        /// The timestamp.
        timestamp: u8,
        /// The value.
        value: u8,
    },
    /// Replica → reader: the write-back is stored.
    WriteBackAck {
        /// Which read.
        read: u8,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// Reader: time to start the second read.
    NextRead,
}

/// Where the reader is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ReadPhase {
    /// Collecting `QueryReply`s; the freshest seen so far.
    Querying {
        /// Replicas that answered (bit per replica).
        replied_by: u8,
        /// The largest timestamp answered.
        timestamp: u8,
        /// Its value.
        value: u8,
        /// Two answers carried different timestamps (the quorum is not in sync).
        disagree: bool,
    },
    /// Waiting for a quorum of `WriteBackAck`s before returning `value`.
    WritingBack {
        /// Replicas that acknowledged (bit per replica).
        acked_by: u8,
        /// The value the read will return.
        value: u8,
    },
    /// The read returned; the next one starts when `NextRead` fires (or never).
    Returned,
}

/// The stored register of a replica (persisted on every change).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Stored {
    /// The timestamp of the stored value (0: the initial value).
    pub timestamp: u8,
    /// The value.
    pub value: u8,
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// A replica.
    Replica(Stored),
    /// The writer.
    Writer {
        /// Replicas that acknowledged the write (bit per replica).
        acked_by: u8,
        /// The write returned (a quorum acknowledged).
        returned: bool,
    },
    /// The reader.
    Reader {
        /// The current read (1 or 2).
        read: u8,
        /// Its phase.
        phase: ReadPhase,
    },
}

/// An operation of the register's history, as a client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryEvent {
    /// The writer invoked `write(value)`.
    WriteInvoked {
        /// The value.
        value: u8,
    },
    /// The write returned.
    WriteReturned,
    /// The reader invoked a read.
    ReadInvoked,
    /// The read returned `value`.
    ReadReturned {
        /// The value.
        value: u8,
    },
}

type Tester = LinearizabilityTester<Node, Register<u8>>;

/// The recorded history: stateright's linearizability tester and the same events as a
/// list (what reports and traces show). `Register` is not `Eq` and the tester is not
/// `Serialize`, hence the manual impls.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct History {
    tester: Tester,
    events: Vec<HistoryEvent>,
}

impl Eq for History {}

impl Default for History {
    fn default() -> Self {
        History {
            tester: LinearizabilityTester::new(Register(INITIAL_VALUE)),
            events: Vec::new(),
        }
    }
}

impl Serialize for History {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.events.serialize(serializer)
    }
}

impl History {
    /// Records an invocation or a return. A malformed history (an operation invoked
    /// twice, a return without an invocation) makes the tester reject every later
    /// check, so it reads as not linearizable rather than being lost.
    fn record(&mut self, client: Node, event: HistoryEvent) {
        self.events.push(event);
        let _malformed_is_inconsistent = match event {
            HistoryEvent::WriteInvoked { value } => {
                self.tester.on_invoke(client, RegisterOp::Write(value))
            }
            HistoryEvent::ReadInvoked => self.tester.on_invoke(client, RegisterOp::Read),
            HistoryEvent::WriteReturned => self.tester.on_return(client, RegisterRet::WriteOk),
            HistoryEvent::ReadReturned { value } => {
                self.tester.on_return(client, RegisterRet::ReadOk(value))
            }
        }
        .is_ok();
    }

    /// Whether some total order of the operations respects real time and a register's
    /// semantics (operations in flight may take effect or not).
    pub fn is_linearizable(&self) -> bool {
        self.tester.is_consistent()
    }

    /// The events in the order they happened.
    pub fn events(&self) -> &[HistoryEvent] {
        &self.events
    }
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// The register's history.
    pub history: History,
}

/// A replica keeps the newer of what it stores and what it is sent, and persists a change.
fn store(stored: &mut Stored, sent: Stored, ctx: &mut Context<'_, QuorumRegister>) {
    if sent.timestamp > stored.timestamp {
        *stored = sent;
        ctx.persist(sent);
    }
}

/// A replica's bit in a set of replicas.
fn bit(replica: Node) -> u8 {
    1 << replica.index()
}

fn count(set: u8) -> u32 {
    set.count_ones()
}

/// A set of replicas (bits by node index) with each replica renamed.
fn renamed_set(set: u8, renaming: &Renaming<Node>) -> u8 {
    REPLICAS
        .iter()
        .filter(|replica| set & bit(**replica) != 0)
        .fold(0, |renamed, replica| renamed | bit(renaming.node(*replica)))
}

// Symmetry: the replicas are interchangeable. Messages, timers and stored values name
// no node; the reader's and writer's reply sets are bit sets of replicas, renamed bit
// by bit; the history names only the writer and the reader, outside the group.
macro_rules! no_node_inside {
    ($($type:ty),*) => {
        $(impl Rewrite<Node> for $type {
            fn rewrite(&self, _: &Renaming<Node>) -> Self {
                self.clone()
            }
        })*
    };
}
no_node_inside!(Msg, Timer, Stored, Ghost);

impl Rewrite<Node> for ReadPhase {
    fn rewrite(&self, renaming: &Renaming<Node>) -> Self {
        match *self {
            ReadPhase::Querying {
                replied_by,
                timestamp,
                value,
                disagree,
            } => ReadPhase::Querying {
                replied_by: renamed_set(replied_by, renaming),
                timestamp,
                value,
                disagree,
            },
            ReadPhase::WritingBack { acked_by, value } => ReadPhase::WritingBack {
                acked_by: renamed_set(acked_by, renaming),
                value,
            },
            ReadPhase::Returned => ReadPhase::Returned,
        }
    }
}

impl Rewrite<Node> for NodeState {
    fn rewrite(&self, renaming: &Renaming<Node>) -> Self {
        match self {
            NodeState::Replica(stored) => NodeState::Replica(*stored),
            NodeState::Writer { acked_by, returned } => NodeState::Writer {
                acked_by: renamed_set(*acked_by, renaming),
                returned: *returned,
            },
            NodeState::Reader { read, phase } => NodeState::Reader {
                read: *read,
                phase: phase.rewrite(renaming),
            },
        }
    }
}

impl QuorumRegister {
    /// The reader invokes read number `read` and queries every replica.
    fn start_read(read: u8, ctx: &mut Context<'_, Self>) -> ReadPhase {
        ctx.ghost_mut()
            .history
            .record(Node::Reader, HistoryEvent::ReadInvoked);
        for replica in REPLICAS {
            ctx.send(replica, Msg::Query { read });
        }
        ReadPhase::Querying {
            replied_by: 0,
            timestamp: 0,
            value: INITIAL_VALUE,
            disagree: false,
        }
    }

    fn on_replica_message(
        &self,
        stored: &mut Stored,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match *msg {
            Msg::Write { timestamp, value } => {
                store(stored, Stored { timestamp, value }, ctx);
                ctx.send(from, Msg::WriteAck { timestamp });
            }
            Msg::WriteBack {
                read,
                timestamp,
                value,
            } => {
                store(stored, Stored { timestamp, value }, ctx);
                ctx.send(from, Msg::WriteBackAck { read });
            }
            Msg::Query { read } => ctx.send(
                from,
                Msg::QueryReply {
                    read,
                    timestamp: stored.timestamp,
                    value: stored.value,
                },
            ),
            _ => {}
        }
    }

    /// The read returns `value`; the first one starts the second at once
    /// (`read_gap_ticks = 0`) or schedules it.
    fn read_returns(&self, read: &mut u8, value: u8, ctx: &mut Context<'_, Self>) -> ReadPhase {
        ctx.ghost_mut()
            .history
            .record(Node::Reader, HistoryEvent::ReadReturned { value });
        if *read >= READS {
            return ReadPhase::Returned;
        }
        if self.read_gap_ticks == 0 {
            *read += 1;
            return Self::start_read(*read, ctx);
        }
        ctx.set_timer(Timer::NextRead, self.read_gap_ticks);
        ReadPhase::Returned
    }

    fn on_reader_message(
        &self,
        current: &mut u8,
        phase: &mut ReadPhase,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match (*phase, *msg) {
            (
                ReadPhase::Querying {
                    replied_by,
                    timestamp,
                    value,
                    disagree,
                },
                Msg::QueryReply {
                    read,
                    timestamp: replied_timestamp,
                    value: replied_value,
                },
            ) if read == *current && replied_by & bit(from) == 0 => {
                let disagree = disagree || (replied_by != 0 && replied_timestamp != timestamp);
                let (timestamp, value) = if replied_timestamp > timestamp {
                    (replied_timestamp, replied_value)
                } else {
                    (timestamp, value)
                };
                let replied_by = replied_by | bit(from);
                *phase = if count(replied_by) < QUORUM {
                    ReadPhase::Querying {
                        replied_by,
                        timestamp,
                        value,
                        disagree,
                    }
                } else if self.read_mode == ReadMode::NoWriteBack || !disagree {
                    // A quorum that agrees already holds the value: nothing to repair.
                    self.read_returns(current, value, ctx)
                } else {
                    for replica in REPLICAS {
                        ctx.send(
                            replica,
                            Msg::WriteBack {
                                read: *current,
                                timestamp,
                                value,
                            },
                        );
                    }
                    ReadPhase::WritingBack { acked_by: 0, value }
                };
            }
            (ReadPhase::WritingBack { acked_by, value }, Msg::WriteBackAck { read })
                if read == *current && acked_by & bit(from) == 0 =>
            {
                let acked_by = acked_by | bit(from);
                *phase = if count(acked_by) < QUORUM {
                    ReadPhase::WritingBack { acked_by, value }
                } else {
                    self.read_returns(current, value, ctx)
                };
            }
            // Late or duplicated answers of an earlier phase or read.
            _ => {}
        }
    }
}

impl Protocol for QuorumRegister {
    type Node = Node;
    type State = NodeState;
    type Durable = Stored;
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;
    const DROPS_IGNORED: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        self.read_gap_ticks
    }

    fn leans_on(&self) -> Vec<LeansOn> {
        match self.read_mode {
            ReadMode::NoWriteBack => vec![
                BoundedDelay.because(
                    "a Write lingering past the read gap leaves r1 and r2 stale when the second read queries them",
                ),
                BoundedSkew.because(
                    "a reader clock running ahead starts the second read before the Write has reached every replica",
                ),
                ReliableLinks.because(
                    "a lost Write leaves a replica stale for good, and a later read may ask it",
                ),
                BoundedPause.because(
                    "a paused replica holds its Write undelivered while the reads go on",
                ),
            ],
            ReadMode::WriteBack => vec![DurableWrites.because(
                "a replica that acknowledged a write-back and lost it in a crash breaks the intersection of the read's two quorums",
            )],
        }
    }

    /// Messages land within the tick they are sent (`bounded_delay(0)`): a tick is
    /// the reader's think time, long against a round trip. It also keeps message ages
    /// out of the state (the engine stores them only up to Δ).
    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        set.hold(BoundedDelay, Some(0))
            .expect("0 is a valid delay bound");
        set
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Writer => {
                ctx.ghost_mut().history.record(
                    Node::Writer,
                    HistoryEvent::WriteInvoked {
                        value: WRITTEN_VALUE,
                    },
                );
                for replica in REPLICAS {
                    ctx.send(
                        replica,
                        Msg::Write {
                            timestamp: WRITTEN_TIMESTAMP,
                            value: WRITTEN_VALUE,
                        },
                    );
                }
                NodeState::Writer {
                    acked_by: 0,
                    returned: false,
                }
            }
            Node::Reader => NodeState::Reader {
                read: 1,
                phase: Self::start_read(1, ctx),
            },
            Node::R0 | Node::R1 | Node::R2 => NodeState::Replica(Stored::default()),
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
            NodeState::Replica(stored) => self.on_replica_message(stored, from, msg, ctx),
            NodeState::Writer { acked_by, returned } => {
                let fresh = *acked_by & bit(from) == 0;
                if let (Msg::WriteAck { .. }, false, true) = (msg, *returned, fresh) {
                    *acked_by |= bit(from);
                    if count(*acked_by) >= QUORUM {
                        *returned = true;
                        ctx.ghost_mut()
                            .history
                            .record(Node::Writer, HistoryEvent::WriteReturned);
                    }
                }
            }
            NodeState::Reader { read, phase } => {
                self.on_reader_message(read, phase, from, msg, ctx)
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
        if let (NodeState::Reader { read, phase }, Timer::NextRead) = (state, timer) {
            *read += 1;
            *phase = Self::start_read(*read, ctx);
        }
    }

    /// The writer ignores a `WriteAck` once it returned or from a replica it counted;
    /// the reader ignores an answer to an earlier read, and one to the current read
    /// once that phase is over or has counted the replica (reads and phases only move
    /// on, and the counted bits only grow). Replicas act on everything. No property
    /// reads the network.
    fn ignores(
        &self,
        _: Node,
        state: &NodeState,
        from: Node,
        msg: &Msg,
        _: &AssumptionSet,
    ) -> bool {
        if !self.drop_ignored {
            return false;
        }
        match (state, *msg) {
            (NodeState::Writer { acked_by, returned }, Msg::WriteAck { .. }) => {
                *returned || acked_by & bit(from) != 0
            }
            (
                NodeState::Reader {
                    read: current,
                    phase,
                },
                Msg::QueryReply { read, .. },
            ) => {
                read < *current
                    || (read == *current
                        && !matches!(phase, ReadPhase::Querying { replied_by, .. } if replied_by & bit(from) == 0))
            }
            (
                NodeState::Reader {
                    read: current,
                    phase,
                },
                Msg::WriteBackAck { read },
            ) => {
                read < *current
                    || (read == *current
                        && match phase {
                            ReadPhase::Returned => true,
                            ReadPhase::WritingBack { acked_by, .. } => acked_by & bit(from) != 0,
                            ReadPhase::Querying { .. } => false,
                        })
            }
            _ => false,
        }
    }

    /// Only replicas crash; a restarted replica serves what it persisted.
    fn on_restart(&self, _node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        NodeState::Replica(*ctx.durable())
    }

    /// The three replicas are interchangeable: written, queried and counted alike,
    /// alike in their faults; the properties read only the history.
    fn symmetry(&self) -> Symmetry<Self> {
        Symmetry::groups(&[&REPLICAS])
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("linearizable", |_, state| {
                state.ghost.history.is_linearizable()
            }),
            Property::sometimes("read_returned_new_value", |_, state| {
                read_returned(state, WRITTEN_VALUE)
            }),
            Property::sometimes("reads_completed", |_, state| {
                let returned = state.ghost.history.events().iter();
                returned
                    .filter(|e| matches!(e, HistoryEvent::ReadReturned { .. }))
                    .count()
                    == usize::from(READS)
            }),
        ]
    }

    crate::compiled_here!();
}

fn read_returned(state: &SystemState<QuorumRegister>, value: u8) -> bool {
    state
        .ghost
        .history
        .events()
        .contains(&HistoryEvent::ReadReturned { value })
}

impl Declared for QuorumRegister {
    const NAME: &'static str = "quorum_register";
    const FAMILY: &'static str = "replication";
    const SUMMARY: &'static str =
        "ABD register on 3 replicas, one write and two sequential quorum reads; reads return at once (no_write_back) or write back first (write_back)";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "write_back",
            &["no_write_back", "write_back"],
            "whether a read writes the value back to a quorum before returning",
        ),
        Param::integer(
            "read_gap_ticks",
            0,
            0..=20,
            "the reader's pause between its two reads (no_write_back is safe while > Δ)",
        ),
        Param::switch(
            "drop_ignored",
            false,
            "drop the answers the writer and reader ignore for ever (a duplicate ack, an answer to a read that moved on); off: every one stays in flight until delivered",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(QuorumRegister {
            read_mode: params.pick(
                "variant",
                &[
                    ("no_write_back", ReadMode::NoWriteBack),
                    ("write_back", ReadMode::WriteBack),
                ],
            )?,
            read_gap_ticks: params.integer("read_gap_ticks")?,
            drop_ignored: params.on("drop_ignored")?,
        })
    }
}
