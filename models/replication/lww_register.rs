//! # R3 `lww_register` — last-writer-wins on physical vs hybrid timestamps
//!
//! **Protocol.** Two replicas hold one register as a cell `(value, timestamp, writer)`
//! and merge cells by last-writer-wins: the larger `(timestamp, writer)` survives
//! (ties go to the higher replica id, `replica_b`). A client writes value 1 at
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
//! **Actions:** `Gossip{cell}`; timers `ClockTick` (the replica's wall clock) and
//! `ClientWrite` (`replica_a`'s client, a zero-tick timer at start).
//!
//! **How physical time is modelled.** The engine stores no absolute time, and a node's
//! clock offset is readable (`ctx.clock_offset_ticks()`) only while `bounded_skew` is
//! held. So each replica keeps its wall clock as a counter, `clock`, advanced by a
//! periodic one-tick `ClockTick` timer and capped at `2 × write_gap_ticks + 2`. The
//! engine runs timers on local time: a Tick advances every clock, a Drift ahead fires
//! the timer early and a Drift behind delays it. The counter thus reads local time
//! under held and relaxed skew alike, without the offset accessor (adding the offset
//! to it would count a drift twice). `replica_b`'s client reads value 1 and writes
//! value 2 on the `write_gap_ticks`-th clock tick after the next one (a tick already
//! due at the read belongs to the time before it). The largest time constant is the
//! clock cap, not a timer length, so that a clock drifted behind never hits the
//! engine's cap on remaining ticks (which would lose the drift and inflate the clock).
//!
//! **Assumptions it leans on.** `bounded_skew(ε)`: with exact clocks the second write's
//! stamp exceeds the first's by at least `gap − 2ε`, and ties go to `replica_b`, so
//! physical timestamps are safe while 2ε ≤ `write_gap_ticks`.
//!
//! **Properties.**
//! - `no_lost_update` (always): a replica that has applied the second write holds it
//!   (the write that happened later is never discarded by a merge).
//! - `converged_on_second_write` (sometimes): both replicas hold value 2.
//!
//! **Verdicts** (pinned in `models/replication/plan.toml` and `tests/replication.rs`,
//! at the default `write_gap_ticks = 2`; BFS-shortest counterexamples):
//!
//! | variant | skew 0 (default) | `bounded_skew(1)` | skew relaxed | everything relaxed but duplication |
//! |---|---|---|---|---|
//! | `physical` | holds (65 states) | violated: 24 steps (71 048) | violated: 16 steps (64 725) | violated: 15 steps (82 221) |
//! | `hybrid` | holds (65) | holds (56 243) | holds (49 205) | holds (61 602) |
//!
//! The relaxed-skew counterexample is the catalog's story: `replica_a`'s clock drifts
//! 4 ticks ahead (step 1 is where `bounded_skew(0)` broke), it stamps the first write
//! 4; `replica_b` reads it, counts its gap on a clock at 3 and stamps the second write
//! 3, and its own merge keeps value 1: the later write is lost.
//!
//! **Update after the engine fix (open).** The engine now forbids, under
//! `timely_timers`, a clock jumping ahead past a due timer (a Drift ahead used to lose
//! the timer's tick). Measured since: physical holds at ε = 1 (as the catalog expects)
//! but also at ε = 2, 3, 4 with gap 2, and the relaxed-skew counterexample is 67 steps
//! (64 725 states). The first write fires at clock 0, before `replica_a`'s clock can run
//! ahead, so the model under-explores early skew: its write timing needs rework before
//! the boundary can be pinned (the boundary test is ignored until then). The text
//! below describes the measurements before the fix.
//!
//! **Disagreement with CATALOG.md (the boundary).** The catalog expects physical
//! timestamps to hold while ε is small (here 2ε ≤ 2, so ε = 1). Measured: the smallest
//! ε that breaks them is 1 at gap 2 (and at gap 3 and 4 too), so only ε = 0 holds. The
//! 24-step counterexample at ε = 1 is an engine artefact, not the protocol's: at step
//! 13 `replica_b` drifts ahead while its `ClockTick` is due and unfired. A Drift moves
//! each timer by one but saturates at 0, so the drift is lost to the timer (the clock
//! is now 1 ahead of the counter); a Drift behind then re-arms it (remaining 1), and a
//! Tick/ahead/behind cycle can repeat this without bound, with timely timers and the
//! offset within ±1 all along. Its clock counts 3 where it reads 4 in true time + offset,
//! so it stamps 3 against `replica_a`'s 4. Two timers of one node can therefore
//! disagree about local time, and a counter clock lags unboundedly under held skew.
//! The boundary test pins what is measured (ε = 1) and says why; with the engine fixed
//! (e.g. `timely_timers` forbidding a Drift ahead while a timer of that node is due,
//! as it forbids a Tick), the expected boundary is 2ε > gap.

use crate::catalog::{CatalogProtocol, Family, ParamKind, ParamSpec, Params};
use crate::system::{Assumption, Context, LeansOn, NodeId, Property, Protocol, SystemState};
use serde::Serialize;

const REPLICA_A: NodeId = 0;
const REPLICA_B: NodeId = 1;
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
}

/// A register cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Cell {
    /// The value.
    pub value: u8,
    /// Its write's timestamp.
    pub timestamp: u8,
    /// The replica that accepted the write (breaks ties).
    pub writer: u8,
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
    /// `replica_a`: its client writes (at start, a zero-tick timer).
    ClientWrite,
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
        u8::try_from(2 * self.write_gap_ticks + 2).unwrap_or(u8::MAX)
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

    fn write(&self, node: NodeId, replica: &mut Replica, value: u8, ctx: &mut Context<'_, Self>) {
        let timestamp = match self.timestamps {
            Timestamps::Physical => replica.clock,
            Timestamps::Hybrid => replica.clock.max(replica.timestamp_seen.saturating_add(1)),
        };
        let cell = Cell {
            value,
            timestamp,
            writer: u8::try_from(node).unwrap_or(u8::MAX),
        };
        Self::merge(replica, cell);
        ctx.send(1 - node, Msg::Gossip { cell });
    }
}

impl Protocol for LwwRegister {
    type State = Replica;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();

    fn node_count(&self) -> usize {
        2
    }

    fn node_name(&self, node: NodeId) -> String {
        match node {
            REPLICA_A => "replica_a",
            _ => "replica_b",
        }
        .to_string()
    }

    /// The clock cap, not a timer length: a clock drifted behind by up to 2ε must not
    /// hit the engine's cap on remaining timer ticks (that would lose the drift).
    fn largest_time_constant_ticks(&self) -> u32 {
        u32::from(self.clock_max())
    }

    fn leans_on(&self) -> Vec<LeansOn> {
        vec![LeansOn {
            assumption: Assumption::BoundedSkew,
            because: "a clock ahead by more than half the write gap stamps the earlier write later, and the merge discards the later one",
        }]
    }

    fn may_crash(&self, _node: NodeId) -> bool {
        false
    }

    fn may_pause(&self, _node: NodeId) -> bool {
        false
    }

    fn on_start(&self, node: NodeId, ctx: &mut Context<'_, Self>) -> Replica {
        ctx.set_timer(Timer::ClockTick, 1);
        if node == REPLICA_A {
            ctx.set_timer(Timer::ClientWrite, 0);
        }
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
        node: NodeId,
        replica: &mut Replica,
        _from: NodeId,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let Msg::Gossip { cell } = msg;
        let first_news = replica.cell.is_none();
        Self::merge(replica, *cell);
        // The client at replica_b reads the first write, then writes after the gap.
        if node == REPLICA_B && first_news && cell.value == FIRST_VALUE {
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
        node: NodeId,
        replica: &mut Replica,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match timer {
            Timer::ClockTick => {
                replica.clock = replica.clock.saturating_add(1);
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
            Timer::ClientWrite => self.write(node, replica, FIRST_VALUE, ctx),
        }
    }

    /// Replicas never crash in this model (`may_crash` is false).
    fn on_restart(&self, _node: NodeId, _ctx: &mut Context<'_, Self>) -> Replica {
        Replica {
            clock: 0,
            timestamp_seen: 0,
            cell: None,
            second_write_applied: false,
            read_first_write: false,
            write_at_clock: None,
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
}

fn replicas(state: &SystemState<LwwRegister>) -> impl Iterator<Item = &Replica> {
    [REPLICA_A, REPLICA_B]
        .into_iter()
        .filter_map(|node| state.node_state(node))
}

impl CatalogProtocol for LwwRegister {
    const NAME: &'static str = "lww_register";
    const FAMILY: Family = Family::Replication;
    const SUMMARY: &'static str =
        "two replicas merging a register by last-writer-wins on physical or hybrid timestamps";

    fn parameters() -> Vec<ParamSpec> {
        vec![
            ParamSpec {
                name: "variant",
                help: "how writes are timestamped",
                default: "hybrid",
                kind: ParamKind::Choice(&["physical", "hybrid"]),
            },
            ParamSpec {
                name: "write_gap_ticks",
                help: "how long after reading the first write replica_b writes (physical safe while 2ε ≤ gap)",
                default: "2",
                kind: ParamKind::Integer { min: 1, max: 20 },
            },
        ]
    }

    fn from_params(params: &Params) -> Result<Self, String> {
        let timestamps = match params.choice("variant")? {
            "physical" => Timestamps::Physical,
            _ => Timestamps::Hybrid,
        };
        Ok(LwwRegister {
            timestamps,
            write_gap_ticks: params.integer("write_gap_ticks")?,
        })
    }
}
