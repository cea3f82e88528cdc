//! # R4 `tombstone_gc` — purging tombstones after a grace period vs after every ack
//!
//! **Protocol.** Three replicas hold one key. A client writes value 1 at `replica_0`
//! and deletes it `delete_after_ticks` later there; a delete stores a *tombstone*,
//! which beats the value in every merge. Replicas converge by anti-entropy: every
//! `gossip_interval_ticks` each replica sends its entry to the next one in a ring
//! (`replica_0 → replica_1 → replica_2 → replica_0`) in a `Sync`, and the receiver
//! merges it and answers with its own merged entry in a `SyncReply` (push-pull). A
//! replica has at most one `Sync` unanswered (so the network stays bounded however
//! long a replica is away); a lost exchange ends that ring link's gossip, as a
//! partitioned link would. Tombstones are then garbage-collected (*purged*): the
//! replica forgets the key, and a purged key merges like a key never written — the
//! value, offered by a replica that missed the delete, is taken back.
//! `variant = purge_after_grace` purges a tombstone `grace_ticks` after the replica
//! stored it (Cassandra's `gc_grace_seconds`); `variant = purge_after_all_acks`
//! purges it only once both peers have been heard holding the tombstone (or having
//! purged it), as a repair-driven purge does.
//!
//! **Source.** Apache Cassandra: tombstones, `gc_grace_seconds`, and the "zombie"
//! (resurrected) data a node brings back when it rejoins after being down longer than
//! the grace period without a repair. Cassandra counts the grace period from the
//! deletion time carried by the tombstone; here each replica counts it from when it
//! stored the tombstone, which only purges later, so every zombie found here exists
//! there too.
//!
//! **Actors.** `replica_0` (with the client folded in), `replica_1`, `replica_2`.
//! Only `replica_2` may pause or crash: it is the replica that goes away. The entry is
//! persisted on every change (a restart resumes from it).
//!
//! **Actions:** `Sync{entry}`, `SyncReply{entry}`; timers `ClientWrite` (at start),
//! `ClientDelete`, `GossipInterval` (each replica) and `GcGrace` (grace variant: armed
//! when a tombstone is stored). An entry is `Absent`, `Value`, `Tombstone` or `Purged`.
//!
//! **Assumptions it leans on.** Every replica hears the tombstone, and every message
//! carrying the value is delivered, within the grace period: `bounded_pause(P)` with
//! P < G and `bounded_delay(Δ)` (held by default at Δ = 0, P = 0, G = 2, no crash).
//! Measured, only P = 0 keeps the grace rule safe (see the disagreements below). With
//! `reliable_links` relaxed both rules stay safe here: a lost exchange ends that link's
//! gossip, so the replica that missed the tombstone cannot hand the value back on it
//! (a model limit: real anti-entropy retries), and convergence fails instead.
//!
//! **Properties.**
//! - `deleted_stays_deleted` (always): no replica that has stored the tombstone ever
//!   holds the value again (a delete, once applied at a replica, is never undone there:
//!   no read at it returns the deleted value).
//! - `tombstone_purged` (sometimes): some replica purged the tombstone (garbage
//!   collection really happens in the checked runs).
//! - `eventually_converged` (eventually, under weak fairness): the delete has been
//!   issued and all three replicas are up and show the same value (all absent, or —
//!   after a resurrection — all the zombie value). There are no writes after the
//!   delete, and gossip, timers, Tick and Resume are fair.
//!
//! **Verdicts** (pinned in `models/replication/plan.toml` and `tests/suite/tombstone_gc.rs`,
//! at the defaults; BFS-shortest counterexamples; lassos as steps / loop start):
//!
//! | run | states | `deleted_stays_deleted` | `eventually_converged` |
//! |---|---|---|---|
//! | grace, timing held | 3 383 | holds | holds |
//! | all acks, timing held | 1 000 | holds | holds |
//! | grace, `bounded_pause` relaxed | 231 654 | violated: 19 steps | violated: lasso 26, loop from 20 |
//! | all acks, `bounded_pause` relaxed | 6 546 | holds | violated: lasso 19, loop from 13 |
//! | grace, `bounded_pause(3)` (P > G) | 257 817 | violated: 19 steps | violated: 36 steps |
//! | grace, `bounded_pause(1)` (P < G) | 249 419 | violated: 21 steps | violated: 28 steps |
//! | grace, `max_crashes(1)` | 18 830 | violated: 20 steps | violated: 21 steps |
//! | all acks, `max_crashes(1)` | 4 462 | holds | violated: lasso 13, loop from 9 |
//! | grace, `bounded_delay(1)` (G = 2) | 1 061 196 | violated: 16 steps | violated: 57 steps |
//! | grace, `bounded_delay(1)`, G = 4 | 242 727 | holds | holds |
//! | grace, `reliable_links` relaxed | 17 875 | holds | violated: 20 steps |
//! | all acks, `reliable_links` relaxed | 4 100 | holds | violated: 14 steps |
//! | all acks, timing relaxed (delay, skew, pause, timers) | 311 552 | holds | violated: lasso 8 |
//! | all acks, timing and `reliable_links` relaxed | 667 136 | holds | violated: lasso 8 |
//! | all acks, `max_crashes(1)` and `bounded_delay` relaxed | 455 867 | violated: 16 steps | violated: 13 steps |
//! | all acks, everything relaxed (`--relax-all`, duplication included) | 1 927 778, every property decided | violated: 11 steps | violated: lasso 8 |
//!
//! (Release build, one thread: every row but the last finishes within 15 s, the last
//! in about 21 CPU s. The
//! lassos of the pause rows loop on `replica_2` resuming and pausing again at once;
//! the timing-relaxed lasso loops on clocks drifting back and forth so that the client's
//! write timer is never continuously due — both are runs weak fairness allows, since
//! Pause and Drift are not fair.)
//!
//! **Everything relaxed** (pinned in the plan): purging after every ack is not what
//! fails — `replica_2` stores the tombstone without syncing it, crashes and restarts
//! with the value it had synced, a replica that saw the delete holding the value again
//! (11 steps). The three breaks are each necessary for a run that short: a duplicated
//! `Sync` (it saves `replica_2` a second gossip round), the crash, and the unsynced
//! write (`durable_writes`); no 11-step run breaks fewer.
//!
//! **What each rule gives when pauses are relaxed.** Grace: the zombie (19 steps), and
//! convergence fails with `replica_0` and `replica_1` purged while `replica_2` holds the
//! value and is never running long enough to gossip it (lasso loop steps 20–26: gossip
//! between the two, a Tick, `replica_2` resumes and pauses). All acks: safe, and GC
//! stalls: `replica_0` and `replica_1` hold the tombstone, waiting for `replica_2`'s
//! acknowledgement, while it resumes and pauses forever (loop steps 13–19); with a crash
//! instead, it simply never restarts (loop 9–13). Under held pauses (the only way back
//! is a Resume, which is fair) both converge.
//!
//! **Counterexample (grace, `bounded_pause` relaxed).** The shortest zombie:
//! - Step 1: `replica_0`'s client writes value 1 (t=0).
//! - Step 2: `replica_2` pauses — **where `bounded_pause(0)` broke**.
//! - Steps 3–6: a Tick; `replica_0` gossips the value to `replica_1`.
//! - Step 7: the client deletes at `replica_0` (t=1): it stores the tombstone.
//! - Step 8: `replica_1` sends `Sync{Value}` to `replica_2`, which is paused.
//! - Steps 9–14: `replica_0` gossips the tombstone to `replica_1` (t=2); a Tick.
//! - Step 15: `replica_0`'s grace period (G = 2) ends: it purges (t=3).
//! - Step 16: `replica_2` resumes, away for 3 ticks > G.
//! - Step 17: it takes the value from `replica_1`'s old `Sync` (it never saw the
//!   delete).
//! - Steps 18–19: it gossips `Sync{Value}` to `replica_0`, which has forgotten the key
//!   and takes the value back: the deleted value is readable at `replica_0` again.
//!
//! With a crash instead (`max_crashes(1)`, 20 steps), `replica_2` stores the value,
//! crashes, stays down while the others purge, restarts from its persisted value and
//! gossips it back.
//!
//! **Disagreements with docs/CATALOG.md.** docs/CATALOG.md says the grace rule leans on "node
//! downtime/pause < G". Measured: `bounded_pause(P)` bounds each pause, not the time a
//! replica is away — `replica_2` may resume and pause again without taking a step, so
//! `bounded_pause(1)` with G = 2 is violated too (21 steps; at G = 3 and 4 as well).
//! Only `bounded_pause(0)` holds. Delay matters the same way: at `bounded_delay(1)`,
//! G = 2 is violated (a `Sync{Value}` sent before the delete lands after a purge) and
//! G = 4 holds. The catalog says the all-acks rule is "safe with timing relaxed":
//! measured true for every timing assumption (delay, skew, pauses, late timers,
//! reordering), with loss too, and with one crash under bounded delay. It is violated
//! with a crash **and** unbounded delay (16 steps): `replica_2` sends a `Sync`, crashes
//! and restarts; `replica_0` answers the old `Sync` with the value (before the delete),
//! and that reply lingers (step 11, where `bounded_delay(0)` broke) while the restarted
//! `replica_2` acquires the tombstone, collects both acknowledgements and purges; the
//! stale reply then lands and the value comes back. Ack-based purging trusts "one
//! exchange outstanding per link", which a restart breaks; exchanges tagged with the
//! replica's incarnation would close it (not modelled). Duplicated messages are stale
//! copies too (Cassandra drops hints older than `gc_grace_seconds` for this reason);
//! everything relaxed but duplication did not finish within 120 s, so no verdict is
//! pinned for it.

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::{BoundedDelay, BoundedPause, MaxCrashes};
use crate::system::Node as _;
use crate::system::{Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The replicas, in gossip ring order. Only `replica_2` may pause or crash.
    pub enum Node {
        /// The replica with the client folded in.
        Replica0 = "replica_0" [stable],
        /// The second replica.
        Replica1 = "replica_1" [stable],
        /// The replica that goes away.
        Replica2 = "replica_2",
    }
}

impl Node {
    /// The next replica in the gossip ring.
    fn next(self) -> Node {
        match self {
            Node::Replica0 => Node::Replica1,
            Node::Replica1 => Node::Replica2,
            Node::Replica2 => Node::Replica0,
        }
    }
}

/// When a tombstone is purged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purge {
    /// `grace_ticks` after the replica stored it (`gc_grace_seconds`).
    AfterGrace,
    /// Once both peers have been heard holding (or having purged) the tombstone.
    AfterAllAcks,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct TombstoneGc {
    /// The purge rule.
    pub purge: Purge,
    /// The grace period G, in ticks.
    pub grace_ticks: u32,
    /// How long after the write the client deletes, in ticks.
    pub delete_after_ticks: u32,
    /// How often each replica starts an exchange with the next one, in ticks.
    pub gossip_interval_ticks: u32,
}

/// A replica's entry for the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// Never written here.
    #[default]
    Absent,
    /// The written value (1).
    Value,
    /// The delete's tombstone.
    Tombstone,
    /// The tombstone was purged: the key is forgotten and merges like `Absent`.
    Purged,
}

impl Entry {
    /// What a read at this replica returns: the value, or nothing.
    pub fn visible_value(self) -> Option<u8> {
        (self == Entry::Value).then_some(1)
    }
}

/// Messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Anti-entropy: the sender's entry; the receiver merges and answers.
    Sync {
        /// The sender's entry.
        entry: Entry,
    },
    /// The receiver's merged entry.
    SyncReply {
        /// The replier's entry after merging.
        entry: Entry,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// `replica_0`: the client writes value 1 (at start).
    ClientWrite,
    /// `replica_0`: the client deletes the key.
    ClientDelete,
    /// Start an exchange with the next replica in the ring.
    GossipInterval,
    /// Grace variant: the grace period of the stored tombstone is over.
    GcGrace,
}

/// A replica's state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Replica {
    /// The key's entry.
    pub entry: Entry,
    /// A `Sync` of this replica is unanswered.
    pub awaiting_reply: bool,
    /// Peers heard holding (or having purged) the tombstone, as a bit per node.
    pub tombstone_acks: u8,
}

/// Observer state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Ghost {
    /// The client issued the delete.
    pub delete_issued: bool,
    /// Replicas that have stored the tombstone, as a bit per node.
    pub stored_tombstone: u8,
    /// Replicas that have purged the tombstone, as a bit per node.
    pub purged: u8,
}

fn bit(node: Node) -> u8 {
    1 << node.index()
}

fn peers_mask(node: Node) -> u8 {
    ((1u8 << Node::ALL.len()) - 1) & !bit(node)
}

impl TombstoneGc {
    fn replica(entry: Entry) -> Replica {
        Replica {
            entry,
            awaiting_reply: false,
            tombstone_acks: 0,
        }
    }

    /// Stores a tombstone: records it in the ghost and, in the grace variant, starts
    /// the grace period.
    fn store_tombstone(&self, node: Node, replica: &mut Replica, ctx: &mut Context<'_, Self>) {
        replica.entry = Entry::Tombstone;
        replica.tombstone_acks = 0;
        ctx.ghost_mut().stored_tombstone |= bit(node);
        if self.purge == Purge::AfterGrace {
            ctx.set_timer(Timer::GcGrace, self.grace_ticks);
        }
    }

    fn purge_tombstone(node: Node, replica: &mut Replica, ctx: &mut Context<'_, Self>) {
        replica.entry = Entry::Purged;
        replica.tombstone_acks = 0;
        ctx.ghost_mut().purged |= bit(node);
    }

    /// Merges a peer's entry: the tombstone beats the value; a key never written or
    /// purged takes whatever the peer has (the zombie's way back); a purged replica
    /// does not take the tombstone back.
    fn merge(
        &self,
        node: Node,
        replica: &mut Replica,
        from: Node,
        incoming: Entry,
        ctx: &mut Context<'_, Self>,
    ) {
        let before = replica.entry;
        match (before, incoming) {
            (Entry::Absent | Entry::Purged, Entry::Value) => replica.entry = Entry::Value,
            (Entry::Absent | Entry::Value, Entry::Tombstone) => {
                self.store_tombstone(node, replica, ctx)
            }
            _ => {}
        }
        if before != replica.entry {
            ctx.persist(replica.entry);
        }
        let acknowledges = matches!(incoming, Entry::Tombstone | Entry::Purged);
        if replica.entry == Entry::Tombstone && acknowledges {
            replica.tombstone_acks |= bit(from);
            if self.purge == Purge::AfterAllAcks && replica.tombstone_acks == peers_mask(node) {
                Self::purge_tombstone(node, replica, ctx);
                ctx.persist(replica.entry);
            }
        }
    }

    fn arm_timers_for(&self, entry: Entry, ctx: &mut Context<'_, Self>) {
        ctx.set_timer(Timer::GossipInterval, self.gossip_interval_ticks);
        if entry == Entry::Tombstone && self.purge == Purge::AfterGrace {
            ctx.set_timer(Timer::GcGrace, self.grace_ticks);
        }
    }
}

impl Protocol for TombstoneGc {
    type Node = Node;
    type State = Replica;
    type Durable = Entry;
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        BoundedPause.because(
            "a replica away longer than the grace period misses the tombstone, the others purge it, and its value comes back",
        ),
        BoundedDelay.because(
            "a message carrying the value that lands after the grace period resurrects it at a replica that purged",
        ),
        MaxCrashes.because(
            "a replica down longer than the grace period restarts with the value and gossips it back",
        ),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.grace_ticks
            .max(self.delete_after_ticks)
            .max(self.gossip_interval_ticks)
    }

    fn default_assumptions(&self) -> crate::system::AssumptionSet {
        let mut set = crate::system::AssumptionSet::default();
        // A message arrives within the tick it is sent. Valid by construction.
        let _ = set.hold(BoundedDelay, Some(0));
        set
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> Replica {
        if node == Node::Replica0 {
            ctx.set_timer(Timer::ClientWrite, 0);
        }
        ctx.set_timer(Timer::GossipInterval, self.gossip_interval_ticks);
        Self::replica(Entry::Absent)
    }

    fn on_message(
        &self,
        node: Node,
        replica: &mut Replica,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match *msg {
            Msg::Sync { entry } => {
                self.merge(node, replica, from, entry, ctx);
                ctx.send(
                    from,
                    Msg::SyncReply {
                        entry: replica.entry,
                    },
                );
            }
            Msg::SyncReply { entry } => {
                self.merge(node, replica, from, entry, ctx);
                replica.awaiting_reply = false;
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
            Timer::ClientWrite => {
                replica.entry = Entry::Value;
                ctx.persist(replica.entry);
                ctx.set_timer(Timer::ClientDelete, self.delete_after_ticks);
            }
            Timer::ClientDelete => {
                ctx.ghost_mut().delete_issued = true;
                self.store_tombstone(node, replica, ctx);
                ctx.persist(replica.entry);
            }
            Timer::GossipInterval => {
                if !replica.awaiting_reply {
                    replica.awaiting_reply = true;
                    ctx.send(
                        node.next(),
                        Msg::Sync {
                            entry: replica.entry,
                        },
                    );
                }
                ctx.set_timer(Timer::GossipInterval, self.gossip_interval_ticks);
            }
            Timer::GcGrace => {
                if replica.entry == Entry::Tombstone {
                    Self::purge_tombstone(node, replica, ctx);
                    ctx.persist(replica.entry);
                }
            }
        }
    }

    /// A restarted replica resumes from its persisted entry with no exchange pending
    /// (a reply to its old `Sync` was lost in the crash); a tombstone's grace period
    /// starts again.
    fn on_restart(&self, _node: Node, ctx: &mut Context<'_, Self>) -> Replica {
        let entry = *ctx.durable();
        self.arm_timers_for(entry, ctx);
        Self::replica(entry)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("deleted_stays_deleted", |_, state| {
                state.node_states().all(|(node, replica)| {
                    state.ghost.stored_tombstone & bit(node) == 0
                        || replica.is_none_or(|replica| replica.entry != Entry::Value)
                })
            }),
            Property::sometimes("tombstone_purged", |_, state| state.ghost.purged != 0),
            Property::eventually("eventually_converged", |_, state| {
                state.ghost.delete_issued && converged(state)
            }),
        ]
    }

    crate::compiled_here!();
}

/// All replicas are up and show the same value.
fn converged(state: &SystemState<TombstoneGc>) -> bool {
    let mut values = state
        .node_states()
        .map(|(_, replica)| replica.map(|r| r.entry.visible_value()));
    let Some(Some(first)) = values.next() else {
        return false;
    };
    values.all(|value| value == Some(first))
}

impl Declared for TombstoneGc {
    const NAME: &'static str = "tombstone_gc";
    const FAMILY: &'static str = "replication";
    const SUMMARY: &'static str =
        "three replicas, write then delete, anti-entropy; tombstones purged after a grace period or after every replica acknowledged them (Cassandra zombies)";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "purge_after_all_acks",
            &["purge_after_grace", "purge_after_all_acks"],
            "when a replica purges its tombstone",
        ),
        Param::integer(
            "grace_ticks",
            2,
            1..=8,
            "the grace period G (gc_grace_seconds), in ticks",
        ),
        Param::integer(
            "delete_after_ticks",
            1,
            0..=4,
            "how long after the write the client deletes",
        ),
        Param::integer(
            "gossip_interval_ticks",
            1,
            1..=4,
            "how often each replica starts an exchange with the next",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(TombstoneGc {
            purge: params.pick(
                "variant",
                &[
                    ("purge_after_grace", Purge::AfterGrace),
                    ("purge_after_all_acks", Purge::AfterAllAcks),
                ],
            )?,
            grace_ticks: params.integer("grace_ticks")?,
            delete_after_ticks: params.integer("delete_after_ticks")?,
            gossip_interval_ticks: params.integer("gossip_interval_ticks")?,
        })
    }
}
