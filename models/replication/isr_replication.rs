//! # R5 `isr_replication` — truncating to the high watermark loses an acknowledged record
//!
//! **Protocol.** Kafka-style leader/follower replication of one partition with two
//! replicas (`broker0` the leader of leader epoch 0, `broker1` its follower), one
//! producer with `acks=all`, `min.insync.replicas=2` and unclean leader election off.
//! The producer sends one `Produce` with `records` records; the leader appends them
//! (tagged with its leader epoch) and holds the acknowledgement. The follower fetches
//! every `fetch_interval_ticks`: `Fetch{fetch_offset}` tells the leader that the
//! follower holds every offset below `fetch_offset`; the leader raises its high
//! watermark (HW) to the offset both in-sync replicas hold, acknowledges the producer
//! once the HW covers its records, and answers `FetchResponse` with the records from
//! `fetch_offset` and its HW. The follower learns the HW only from that answer — one
//! fetch round behind the leader. Each broker persists its log, HW and leader epoch
//! (`ctx.persist`). On restart the follower either truncates its log to its own HW
//! (`variant = truncate_to_hw`, Kafka before 0.11) or asks the leader
//! `OffsetsForLeaderEpoch{leader_epoch}` and truncates to the `EpochEndOffset` it
//! gets back (`variant = leader_epoch`, KIP-101). A follower whose fetch (or epoch
//! request) is unanswered when its next fetch is due finds the leader gone; as the
//! only other member of the ISR it is elected leader of epoch 1 (the controller's
//! clean election, folded into the follower). A restarted `broker0` stays out of
//! service (rejoining as a follower is out of scope).
//!
//! **Source.** Apache Kafka KIP-101, "Alter Replication Protocol to use Leader Epoch
//! rather than High Watermark for Truncation" (scenario 1: data loss); KIP-966,
//! "Eligible Leader Replicas" (the last replica losing unflushed data on an unclean
//! shutdown — here that is `durable_writes` relaxed).
//!
//! **Actors.** `broker0`, `broker1`, `producer`. Both brokers may crash; the
//! producer does not.
//!
//! **Actions** (Kafka's vocabulary): `Produce{records}`, `ProduceResponse{records}`,
//! `Fetch{fetch_offset}`, `FetchResponse{fetch_offset, records, high_watermark}`,
//! `OffsetsForLeaderEpoch{leader_epoch}`, `EpochEndOffset{end_offset}`; timer
//! `FetchInterval` (follower). The ISR never shrinks (no `replica.lag.time.max.ms`):
//! with `min.insync.replicas=2` a shrunken ISR could not acknowledge anyway.
//!
//! **Assumptions it leans on.** Truncate-to-HW leans on crash timing: the follower's
//! HW must catch up (one more fetch round) before it restarts and the leader dies.
//! Both variants lean on `durable_writes` (a record the follower fetched is on its
//! disk). The default assumption set holds `max_crashes(2)` — the follower's restart
//! and the leader's crash are both needed for the KIP-101 sequence — and
//! `bounded_delay(0)` (a message arrives within the tick it is sent, so an
//! unanswered fetch really means a dead leader and delay plays no part); every other
//! timing assumption is held at its default.
//!
//! **Properties.**
//! - `acked_record_survives` (always): every record acknowledged to the producer is
//!   in the current leader's log (the running leader of the highest epoch; none while
//!   the partition is leaderless).
//! - `record_acked` (sometimes): the producer holds a `ProduceResponse`.
//! - `leader_elected_after_ack` (sometimes): `broker1` was elected after the producer
//!   got its acknowledgement — the failover really happens in the checked runs, so
//!   `holds` is not vacuous.
//!
//! **Verdicts** (pinned in `models/replication/plan.toml` and
//! `tests/suite/isr_replication.rs`; defaults `records = 1`, `fetch_interval_ticks = 1`;
//! BFS-shortest counterexamples; unique states in brackets):
//!
//! | variant | defaults (`max_crashes(2)`) | `max_crashes(1)` | `durable_writes` relaxed |
//! |---|---|---|---|
//! | `truncate_to_hw` | violated, 13 steps (523) | holds (156) | violated, 13 steps (2 689) |
//! | `leader_epoch` | holds (752) | holds (189) | violated, 13 steps (3 623) |
//!
//! Every check takes well under a second. `records = 2` (both in the one request)
//! gives the same counts: the two records always travel together.
//!
//! The counterexample (`truncate_to_hw`, 13 steps) is KIP-101's scenario 1:
//! (1) `broker0` takes the `Produce` and appends the record at offset 0 — produce;
//! (2–4) `broker1`'s `FetchInterval` fires and its `Fetch{0}` brings back the record
//! with HW 0 — the follower fetches and stores it; (5–7) a tick later its `Fetch{1}`
//! tells the leader both replicas hold offset 0: the leader's HW moves to 1 and it
//! sends `ProduceResponse` along with the `FetchResponse` that carries HW 1 — the HW
//! is not yet advanced on the follower; (8) the producer gets its acknowledgement —
//! leader acks; (9) `broker0` crashes — leader crashes (the `FetchResponse` with HW 1
//! is still in flight and is lost); (10–11) `broker1` crashes and restarts,
//! truncating its log to its HW 0 — follower restarts and truncates; (12–13) a tick
//! later its `Fetch{0}` is unanswered and `broker1` is elected leader of epoch 1 with
//! an empty log — follower elected: the acknowledged record is gone. BFS puts the
//! leader's crash before the follower's restart; the KIP's order (restart, then
//! crash) is the same length and equally reachable. With `leader_epoch` the
//! restarted follower keeps its log until the leader names the end offset of epoch 0
//! (1: nothing is truncated); if the leader is dead it is elected with the record.
//! `max_crashes(1)` hides the bug: it needs both the restart and the leader's death
//! (hence the default of 2). With `durable_writes` relaxed both variants lose the
//! record the same way KIP-966 describes: the follower's fetched record was still in
//! its page cache when it crashed, and it is elected without it.
//!
//! **Duplication.** The leader appends a batch once: a duplicated `Produce` finds its
//! records in the log and is dropped, as Kafka's idempotent producer (KIP-98) has the
//! broker recognise the batch's sequence number. Before, a duplicate was appended
//! again and acknowledged with the log's end offset, so the producer counted two
//! records where it had sent one, and `acked_record_survives` looked for a record 2
//! that never existed: a violation of the model, not of the protocol. With duplication
//! held (the pinned checks) nothing changes. With every assumption relaxed both
//! variants are violated in 12 steps (15 241 and 7 882 states unguided, 14 282 and
//! 7 063 guided by drift classes, under a second; the
//! search stops once every property is decided): the follower crashes with the fetched
//! record still unsynced (`durable_writes`, KIP-966, as above), and the break search
//! finds none of 12 steps that needs fewer breaks.
//!
//! **Not declared yet.** Nothing: the model has no liveness property.

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::{BoundedDelay, DurableWrites, MaxCrashes};
use crate::system::{AssumptionSet, Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes. Both brokers may crash; the producer does not.
    pub enum Node {
        /// The leader of leader epoch 0.
        Broker0 = "broker0",
        /// Its follower, elected leader of epoch 1 when `broker0` is gone.
        Broker1 = "broker1",
        /// The producer.
        Producer = "producer" [no_crash],
    }
}

/// The leader epoch of `broker0`; an elected `broker1` serves the next one.
const FIRST_LEADER_EPOCH: u8 = 0;

/// How a restarted follower decides where its log ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Truncation {
    /// Truncate to its own high watermark (Kafka before 0.11).
    TruncateToHw,
    /// Ask the leader for the end offset of its leader epoch (KIP-101).
    LeaderEpoch,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct IsrReplication {
    /// How a restarted follower truncates.
    pub truncation: Truncation,
    /// Records in the producer's one request.
    pub records: u8,
    /// The follower's fetch interval, in its local ticks.
    pub fetch_interval_ticks: u32,
}

/// One log entry: the record and the leader epoch it was appended in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Record {
    /// The leader epoch of the append.
    pub leader_epoch: u8,
    /// The producer's record (1-based).
    pub value: u8,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Producer → leader: append records 1..=`records` (`acks=all`).
    Produce {
        /// How many records.
        records: u8,
    },
    /// Leader → producer: the records are committed (below the HW).
    ProduceResponse {
        /// How many records.
        records: u8,
    },
    /// Follower → leader: send records from `fetch_offset`; every offset below it is
    /// in the follower's log.
    Fetch {
        /// The follower's log end offset.
        fetch_offset: u8,
    },
    /// Leader → follower: the records from `fetch_offset`, and the leader's HW.
    FetchResponse {
        /// Where `records` start.
        fetch_offset: u8,
        /// The records.
        records: Vec<Record>,
        /// The leader's high watermark.
        high_watermark: u8,
    },
    /// Restarted follower → leader: where does `leader_epoch` end in your log?
    OffsetsForLeaderEpoch {
        /// The epoch of the follower's last entry.
        leader_epoch: u8,
    },
    /// Leader → follower: the end offset of the asked epoch.
    EpochEndOffset {
        /// The first offset after that epoch's entries.
        end_offset: u8,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// Follower: time for the next fetch.
    FetchInterval,
}

/// A broker's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// Leads the partition in its leader epoch.
    Leader,
    /// Fetches from `broker0`.
    Follower,
    /// A restarted former leader: out of service.
    Stopped,
}

/// What a broker keeps on disk: its log, HW checkpoint and leader epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Durable {
    /// The log.
    pub log: Vec<Record>,
    /// The high-watermark checkpoint.
    pub high_watermark: u8,
    /// The leader epoch the broker last served or followed.
    pub leader_epoch: u8,
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// A broker.
    Broker {
        /// Its role.
        role: Role,
        /// Log, HW and leader epoch (mirrored to disk).
        durable: Durable,
        /// Leader: the producer's records wait for the HW.
        ack_pending: bool,
        /// Follower: a `Fetch` or `OffsetsForLeaderEpoch` is unanswered.
        request_outstanding: bool,
    },
    /// The producer.
    Producer,
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// Records acknowledged to the producer.
    pub acked_records: u8,
    /// `broker1` was elected after the acknowledgement.
    pub elected_after_ack: bool,
}

impl IsrReplication {
    fn persist(durable: &Durable, ctx: &mut Context<'_, Self>) {
        if ctx.durable() != durable {
            ctx.persist(durable.clone());
        }
    }

    fn send_fetch(
        &self,
        durable: &Durable,
        request_outstanding: &mut bool,
        ctx: &mut Context<'_, Self>,
    ) {
        *request_outstanding = true;
        ctx.send(
            Node::Broker0,
            Msg::Fetch {
                fetch_offset: log_end_offset(&durable.log),
            },
        );
        ctx.set_timer(Timer::FetchInterval, self.fetch_interval_ticks);
    }

    fn on_leader_message(
        durable: &mut Durable,
        ack_pending: &mut bool,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match msg {
            Msg::Produce { records } => {
                // The idempotent producer (KIP-98): the leader knows the batch's
                // sequence number from its log and does not append a duplicate again;
                // the producer waits for the one response of the first append.
                if durable.log.iter().any(|record| record.value == 1) {
                    return;
                }
                let leader_epoch = durable.leader_epoch;
                durable.log.extend((1..=*records).map(|value| Record {
                    leader_epoch,
                    value,
                }));
                *ack_pending = true;
                Self::persist(durable, ctx);
            }
            Msg::Fetch { fetch_offset } => {
                let end = log_end_offset(&durable.log);
                let replicated = (*fetch_offset).min(end);
                durable.high_watermark = durable.high_watermark.max(replicated);
                Self::persist(durable, ctx);
                if *ack_pending && durable.high_watermark >= end {
                    *ack_pending = false;
                    ctx.send(Node::Producer, Msg::ProduceResponse { records: end });
                }
                ctx.send(
                    from,
                    Msg::FetchResponse {
                        fetch_offset: replicated,
                        records: durable.log[usize::from(replicated)..].to_vec(),
                        high_watermark: durable.high_watermark,
                    },
                );
            }
            Msg::OffsetsForLeaderEpoch { leader_epoch } => {
                // The first offset of any later epoch, else the log end offset.
                let end_offset = durable
                    .log
                    .iter()
                    .filter(|record| record.leader_epoch <= *leader_epoch)
                    .count();
                ctx.send(
                    from,
                    Msg::EpochEndOffset {
                        end_offset: offset_byte(end_offset),
                    },
                );
            }
            _ => {}
        }
    }

    fn on_follower_message(
        &self,
        durable: &mut Durable,
        request_outstanding: &mut bool,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match msg {
            Msg::FetchResponse {
                fetch_offset,
                records,
                high_watermark,
            } => {
                *request_outstanding = false;
                if *fetch_offset == log_end_offset(&durable.log) {
                    durable.log.extend_from_slice(records);
                }
                let end = log_end_offset(&durable.log);
                durable.high_watermark = (*high_watermark).min(end);
                Self::persist(durable, ctx);
            }
            Msg::EpochEndOffset { end_offset } if *request_outstanding => {
                durable.log.truncate(usize::from(*end_offset));
                let end = log_end_offset(&durable.log);
                durable.high_watermark = durable.high_watermark.min(end);
                Self::persist(durable, ctx);
                self.send_fetch(durable, request_outstanding, ctx);
            }
            _ => {}
        }
    }

    /// The follower's fetch is due: fetch again, or — the last request unanswered — the
    /// leader is gone and the follower, the only other ISR member, is elected.
    fn on_fetch_interval(
        &self,
        role: &mut Role,
        durable: &mut Durable,
        request_outstanding: &mut bool,
        ctx: &mut Context<'_, Self>,
    ) {
        if !*request_outstanding {
            self.send_fetch(durable, request_outstanding, ctx);
            return;
        }
        *request_outstanding = false;
        *role = Role::Leader;
        durable.leader_epoch = FIRST_LEADER_EPOCH + 1;
        Self::persist(durable, ctx);
        let ghost = ctx.ghost_mut();
        ghost.elected_after_ack = ghost.acked_records > 0;
    }

    fn restart_follower(&self, ctx: &mut Context<'_, Self>) -> NodeState {
        let mut durable = ctx.durable().clone();
        let mut request_outstanding = false;
        match self.truncation {
            Truncation::TruncateToHw => {
                durable.log.truncate(usize::from(durable.high_watermark));
                Self::persist(&durable, ctx);
                self.send_fetch(&durable, &mut request_outstanding, ctx);
            }
            Truncation::LeaderEpoch => {
                let leader_epoch = durable
                    .log
                    .last()
                    .map_or(durable.leader_epoch, |record| record.leader_epoch);
                request_outstanding = true;
                ctx.send(Node::Broker0, Msg::OffsetsForLeaderEpoch { leader_epoch });
                ctx.set_timer(Timer::FetchInterval, self.fetch_interval_ticks);
            }
        }
        NodeState::Broker {
            role: Role::Follower,
            durable,
            ack_pending: false,
            request_outstanding,
        }
    }
}

fn log_end_offset(log: &[Record]) -> u8 {
    offset_byte(log.len())
}

fn offset_byte(offset: usize) -> u8 {
    u8::try_from(offset).unwrap_or(u8::MAX)
}

fn broker(role: Role) -> NodeState {
    NodeState::Broker {
        role,
        durable: Durable::default(),
        ack_pending: false,
        request_outstanding: false,
    }
}

impl Protocol for IsrReplication {
    type Node = Node;
    type State = NodeState;
    type Durable = Durable;
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        MaxCrashes.because(
            "truncating to the high watermark loses an acknowledged record when the follower restarts before its HW catches up and the leader then dies",
        ),
        DurableWrites.because(
            "a fetched record lost from the follower's page cache is gone when it is elected",
        ),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.fetch_interval_ticks
    }

    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        // Two crashes: the follower's restart and the leader's death (KIP-101). A
        // message arrives within the tick it is sent (Δ = 0), so an unanswered fetch
        // means a dead leader. Both bounds are valid by construction.
        let _ = set.hold(MaxCrashes, Some(2));
        let _ = set.hold(BoundedDelay, Some(0));
        set
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Broker0 => broker(Role::Leader),
            Node::Broker1 => {
                ctx.set_timer(Timer::FetchInterval, 0);
                broker(Role::Follower)
            }
            Node::Producer => {
                ctx.send(
                    Node::Broker0,
                    Msg::Produce {
                        records: self.records,
                    },
                );
                NodeState::Producer
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
            NodeState::Producer => {
                if let Msg::ProduceResponse { records } = msg {
                    ctx.ghost_mut().acked_records = *records;
                }
            }
            NodeState::Broker {
                role: Role::Leader,
                durable,
                ack_pending,
                ..
            } => Self::on_leader_message(durable, ack_pending, from, msg, ctx),
            NodeState::Broker {
                role: Role::Follower,
                durable,
                request_outstanding,
                ..
            } => self.on_follower_message(durable, request_outstanding, msg, ctx),
            NodeState::Broker { .. } => {}
        }
    }

    fn on_timer(
        &self,
        _node: Node,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        if let (
            NodeState::Broker {
                role: role @ Role::Follower,
                durable,
                request_outstanding,
                ..
            },
            Timer::FetchInterval,
        ) = (state, timer)
        {
            self.on_fetch_interval(role, durable, request_outstanding, ctx);
        }
    }

    /// `broker1` comes back as a follower (truncating per the variant), or as the
    /// leader it had been elected; a restarted `broker0` stays out of service.
    fn on_restart(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Broker1 if ctx.durable().leader_epoch > FIRST_LEADER_EPOCH => NodeState::Broker {
                role: Role::Leader,
                durable: ctx.durable().clone(),
                ack_pending: false,
                request_outstanding: false,
            },
            Node::Broker1 => self.restart_follower(ctx),
            // The producer never crashes.
            Node::Broker0 | Node::Producer => broker(Role::Stopped),
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("acked_record_survives", |_, state| {
                acked_record_survives(state)
            }),
            Property::sometimes("record_acked", |_, state| state.ghost.acked_records > 0),
            Property::sometimes("leader_elected_after_ack", |_, state| {
                state.ghost.elected_after_ack
            }),
        ]
    }

    crate::compiled_here!();
}

/// The current leader's log: the running leader of the highest epoch; `None` while
/// the partition is leaderless.
fn current_leader_log(state: &SystemState<IsrReplication>) -> Option<&[Record]> {
    [Node::Broker0, Node::Broker1]
        .into_iter()
        .filter_map(|node| match state.node_state(node) {
            Some(NodeState::Broker {
                role: Role::Leader,
                durable,
                ..
            }) => Some(durable),
            _ => None,
        })
        .max_by_key(|durable| durable.leader_epoch)
        .map(|durable| durable.log.as_slice())
}

fn acked_record_survives(state: &SystemState<IsrReplication>) -> bool {
    let acked = state.ghost.acked_records;
    current_leader_log(state)
        .is_none_or(|log| (1..=acked).all(|value| log.iter().any(|record| record.value == value)))
}

impl Declared for IsrReplication {
    const NAME: &'static str = "isr_replication";
    const FAMILY: &'static str = "replication";
    const SUMMARY: &'static str =
        "Kafka leader/follower with a high watermark, acks=all, two crashes; a restarted follower truncates to its HW or asks for its leader epoch's end offset (KIP-101)";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "leader_epoch",
            &["truncate_to_hw", "leader_epoch"],
            "how a restarted follower truncates its log",
        ),
        Param::integer("records", 1, 1..=2, "records in the producer's one request"),
        Param::integer(
            "fetch_interval_ticks",
            1,
            1..=4,
            "the follower's fetch interval",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let truncation = params.pick(
            "variant",
            &[
                ("truncate_to_hw", Truncation::TruncateToHw),
                ("leader_epoch", Truncation::LeaderEpoch),
            ],
        )?;
        let records = u8::try_from(params.integer("records")?)
            .map_err(|_| "parameter `records` does not fit a byte".to_string())?;
        Ok(IsrReplication {
            truncation,
            records,
            fetch_interval_ticks: params.integer("fetch_interval_ticks")?,
        })
    }
}
