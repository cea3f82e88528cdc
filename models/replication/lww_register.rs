//! # R3 `lww_register` — last-writer-wins on physical vs hybrid timestamps
//!
//! **Protocol.** Two replicas hold one register as a cell `(value, timestamp, writer)`
//! and merge cells by last-writer-wins: the larger `(timestamp, writer)` survives
//! (ties go to `replica_b`, declared second). A client writes value 1 at
//! `replica_a`; `replica_b` receives it by anti-entropy (`Gossip`), and
//! `write_gap_ticks` later (on its own clock) a client that read value 1 there writes
//! value 2 — the second write happened after the first. `variant = physical` stamps a
//! write with the replica's wall clock; `variant = hybrid` with
//! `max(wall clock, largest timestamp seen + 1)` (a hybrid/Lamport clock).
//!
//! **Source.** Kyle Kingsbury, "The trouble with timestamps" (2013); Cassandra's
//! last-write-wins cells; Kulkarni et al., "Logical Physical Clocks" (HLC, 2014).
//!
//! **Actors.** `replica_a`, `replica_b` (each with its client folded in). Nothing
//! crashes or pauses: the failure of interest is the clocks'.
//!
//! **Actions:** `Gossip{cell}`; timer `ClockTick` (the replica's wall clock).
//!
//! **How physical time is modelled.** The engine stores no absolute time, and a node's
//! clock offset is readable (`ctx.clock_offset_ticks()`) only while `bounded_skew` is
//! held. So each replica keeps its wall clock as a counter, `clock`, advanced by a
//! periodic one-tick `ClockTick` timer and capped at `first_write_clock + 2 ×
//! write_gap_ticks + 2`. The engine runs timers on local time: a Tick advances every
//! clock, a Drift ahead fires the timer early and a Drift behind delays it (and, with
//! `timely_timers`, a clock cannot jump past a due tick). The counter thus reads local
//! time under held and relaxed skew alike. `replica_a`'s client writes value 1 when
//! `replica_a`'s clock reads `first_write_clock` (default 5) — late enough that its
//! clock may have run up to ε ahead and `replica_b`'s ε behind by then, which needs
//! `first_write_clock ≥ 2ε + 1` (measured: at 3, ε = 2 never breaks; from 5 on the
//! verdicts below no longer change). `replica_b`'s client reads value 1 and writes
//! value 2 `write_gap_ticks` local ticks later, counted from its next clock tick (a
//! tick already due at the read belongs to the time before it).
//!
//! **Assumptions it leans on.** `bounded_skew(ε)`: the second write's stamp exceeds
//! the first's by at least `gap − 2ε`, and ties go to `replica_b`, so physical
//! timestamps are safe while 2ε ≤ `write_gap_ticks`.
//!
//! **Properties.**
//! - `no_lost_update` (always): a replica that has applied the second write holds it
//!   (the write that happened later is never discarded by a merge).
//! - `converged_on_second_write` (sometimes): both replicas hold value 2.
//!
//! **Verdicts** (pinned in `models/replication/plan.toml` and `tests/suite/replication.rs`,
//! at the defaults `write_gap_ticks = 2`, `first_write_clock = 5`; BFS-shortest
//! counterexamples, unique states in brackets):
//!
//! | variant | skew 0 (default) | `bounded_skew(1)` | `bounded_skew(2)` | skew relaxed | everything relaxed but duplication | everything relaxed |
//! |---|---|---|---|---|---|---|
//! | `physical` | holds (116) | holds (5 619) | violated: 18 steps (37 912) | violated: 16 steps (168 861) | violated: 16 steps (161 593) | violated: 16 steps (127 070) |
//! | `hybrid` | holds (116) | holds (5 018) | holds (29 401) | holds (119 960) | holds (119 960) | holds (89 624) |
//!
//! With everything relaxed the network is the message set (`Protocol::MESSAGE_SET`: a
//! delivered message stays in flight, to arrive again or never), which is why that
//! column has fewer states than the one with duplication held (`--no-lean`: 439 752 for
//! `hybrid`, the multiset network).
//!
//! **The boundary** (`tests/suite/replication.rs` pins it, with `first_write_clock = 2ε + 1`
//! for each ε tried): the smallest held ε at which physical timestamps lose the later
//! write is ⌊gap/2⌋ + 1, i.e. exactly where 2ε > gap — 1 at gap 1, 2 at gaps 2 and 3.
//! This agrees with docs/CATALOG.md ("violated once skew exceeds the write gap": the two
//! clocks may be 2ε apart). Hybrid timestamps never break.
//!
//! The relaxed-skew counterexample is the catalog's story: `replica_a`'s clock runs
//! ahead (step 1 is where `bounded_skew(0)` broke) and stamps the first write 5 at true
//! time 1; `replica_b` reads it with its clock at 1, counts its 2-tick gap (one tick
//! of it by drifting ahead) and stamps the second write 3 at true time 2 — lower than
//! the first — so its own merge keeps value 1: the later write is lost.
//!
//! **History.** An earlier version fired the first write at clock 0, before either
//! clock could drift; together with an engine bug (a Drift ahead past a due timer, now
//! forbidden under `timely_timers`) it reported ε = 1 as breaking at every gap. Both are
//! fixed; the boundary above is the physical one.

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::BoundedSkew;
use crate::system::{Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes: nothing crashes or pauses, the failure of interest is the clocks'.
    pub enum Node {
        /// The replica where the first value is written.
        ReplicaA = "replica_a" [stable],
        /// The replica where the second value is written.
        ReplicaB = "replica_b" [stable],
    }
}

impl Node {
    /// The other replica.
    fn peer(self) -> Node {
        match self {
            Node::ReplicaA => Node::ReplicaB,
            Node::ReplicaB => Node::ReplicaA,
        }
    }
}

const FIRST_VALUE: u8 = 1;
const SECOND_VALUE: u8 = 2;

/// How a write is stamped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timestamps {
    /// The replica's wall clock.
    Physical,
    /// `max(wall clock, largest timestamp seen + 1)`.
    Hybrid,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct LwwRegister {
    /// How writes are stamped.
    pub timestamps: Timestamps,
    /// How long after receiving the first write `replica_b` writes, in its local ticks.
    pub write_gap_ticks: u32,
    /// `replica_a`'s clock reading when its client writes the first value.
    pub first_write_clock: u32,
}

/// A register cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Cell {
    /// The value.
    pub value: u8,
    /// Its write's timestamp.
    pub timestamp: u8,
    /// The replica that accepted the write (breaks ties).
    pub writer: Node,
}

impl Cell {
    /// The last-writer-wins order: timestamp, then writer.
    fn wins_over(&self, other: &Cell) -> bool {
        (self.timestamp, self.writer) > (other.timestamp, other.writer)
    }
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Anti-entropy: the sender's newly written cell.
    Gossip {
        /// The cell.
        cell: Cell,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// The wall clock advances one tick.
    ClockTick,
}

/// A replica's state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Replica {
    /// Wall-clock reading, in ticks (capped).
    pub clock: u8,
    /// Largest timestamp seen (hybrid clocks).
    pub timestamp_seen: u8,
    /// The register.
    pub cell: Option<Cell>,
    /// Whether the second write has been applied here.
    pub second_write_applied: bool,
    /// `replica_b`: its client read the first write; the gap starts at the next tick.
    pub read_first_write: bool,
    /// `replica_b`: the clock reading at which its client writes.
    pub write_at_clock: Option<u8>,
}

impl LwwRegister {
    fn clock_max(&self) -> u8 {
        u8::try_from(self.first_write_clock + 2 * self.write_gap_ticks + 2).unwrap_or(u8::MAX)
    }

    fn merge(replica: &mut Replica, incoming: Cell) {
        replica.timestamp_seen = replica.timestamp_seen.max(incoming.timestamp);
        if incoming.value == SECOND_VALUE {
            replica.second_write_applied = true;
        }
        let keep_incoming = replica
            .cell
            .is_none_or(|current| incoming.wins_over(&current));
        if keep_incoming {
            replica.cell = Some(incoming);
        }
    }

    fn write(&self, node: Node, replica: &mut Replica, value: u8, ctx: &mut Context<'_, Self>) {
        let timestamp = match self.timestamps {
            Timestamps::Physical => replica.clock,
            Timestamps::Hybrid => replica.clock.max(replica.timestamp_seen.saturating_add(1)),
        };
        let cell = Cell {
            value,
            timestamp,
            writer: node,
        };
        Self::merge(replica, cell);
        ctx.send(node.peer(), Msg::Gossip { cell });
    }
}

impl Protocol for LwwRegister {
    type Node = Node;
    type State = Replica;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[BoundedSkew.because(
        "a clock ahead by more than half the write gap stamps the earlier write later, and the merge discards the later one",
    )];

    /// The clock cap, not a timer length: a clock drifted behind by up to 2ε must not
    /// hit the engine's cap on remaining timer ticks (that would lose the drift).
    fn largest_time_constant_ticks(&self) -> u32 {
        u32::from(self.clock_max())
    }

    fn on_start(&self, _node: Node, ctx: &mut Context<'_, Self>) -> Replica {
        ctx.set_timer(Timer::ClockTick, 1);
        Replica {
            clock: 0,
            timestamp_seen: 0,
            cell: None,
            second_write_applied: false,
            read_first_write: false,
            write_at_clock: None,
        }
    }

    fn on_message(
        &self,
        node: Node,
        replica: &mut Replica,
        _from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let Msg::Gossip { cell } = msg;
        let first_news = replica.cell.is_none();
        Self::merge(replica, *cell);
        // The client at replica_b reads the first write, then writes after the gap.
        if node == Node::ReplicaB && first_news && cell.value == FIRST_VALUE {
            // The gap is counted from the next clock tick: a tick already due belongs to
            // the time before the read. A clock at its cap ticks no more: write now.
            if ctx.timer_is_set(&Timer::ClockTick) {
                replica.read_first_write = true;
            } else {
                self.write(node, replica, SECOND_VALUE, ctx);
            }
        }
    }

    fn on_timer(
        &self,
        node: Node,
        replica: &mut Replica,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match timer {
            Timer::ClockTick => {
                replica.clock = replica.clock.saturating_add(1);
                // replica_a's client writes when replica_a's clock reads
                // `first_write_clock`: late enough for the clock to have run ahead.
                if node == Node::ReplicaA
                    && replica.cell.is_none()
                    && u32::from(replica.clock) == self.first_write_clock
                {
                    self.write(node, replica, FIRST_VALUE, ctx);
                }
                if std::mem::take(&mut replica.read_first_write) {
                    let gap = u8::try_from(self.write_gap_ticks).unwrap_or(u8::MAX);
                    replica.write_at_clock = Some(replica.clock.saturating_add(gap));
                }
                if replica.write_at_clock.is_some_and(|at| replica.clock >= at) {
                    replica.write_at_clock = None;
                    self.write(node, replica, SECOND_VALUE, ctx);
                }
                if replica.clock < self.clock_max() {
                    ctx.set_timer(Timer::ClockTick, 1);
                }
            }
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("no_lost_update", |_, state| {
                replicas(state).all(|replica| {
                    !replica.second_write_applied
                        || replica.cell.map(|c| c.value) == Some(SECOND_VALUE)
                })
            }),
            Property::sometimes("converged_on_second_write", |_, state| {
                replicas(state).count() == 2
                    && replicas(state).all(|r| r.cell.map(|c| c.value) == Some(SECOND_VALUE))
            }),
        ]
    }

    crate::compiled_here!();
}

fn replicas(state: &SystemState<LwwRegister>) -> impl Iterator<Item = &Replica> {
    state.node_states().filter_map(|(_, replica)| replica)
}

impl Declared for LwwRegister {
    const NAME: &'static str = "lww_register";
    const FAMILY: &'static str = "replication";
    const SUMMARY: &'static str =
        "two replicas merging a register by last-writer-wins on physical or hybrid timestamps";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "hybrid",
            &["physical", "hybrid"],
            "how writes are timestamped",
        ),
        Param::integer(
            "first_write_clock",
            5,
            1..=20,
            "replica_a's clock reading when its client writes (≥ ε lets its clock run ε ahead first)",
        ),
        Param::integer(
            "write_gap_ticks",
            2,
            1..=20,
            "how long after reading the first write replica_b writes (physical safe while 2ε ≤ gap)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(LwwRegister {
            timestamps: params.pick(
                "variant",
                &[
                    ("physical", Timestamps::Physical),
                    ("hybrid", Timestamps::Hybrid),
                ],
            )?,
            write_gap_ticks: params.integer("write_gap_ticks")?,
            first_write_clock: params.integer("first_write_clock")?,
        })
    }
}
