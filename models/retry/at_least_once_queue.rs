//! # T4 `at_least_once_queue` — a queue with a visibility timeout and two consumers
//!
//! **Protocol.** A broker holds one message. A consumer that receives it makes it
//! invisible for `visibility_ticks` (the visibility timeout V); the consumer applies
//! a non-idempotent side effect to a database and deletes the message (the ack). If V
//! expires before the delete, the message becomes visible again and is delivered to
//! the other consumer. `variant = ack_after`: apply, then delete. `ack_before`:
//! delete, then apply. `idempotent_consumer`: apply, then delete, and the database
//! records the message ID in the same transaction as the effect and skips an ID it
//! has recorded (the decision is [`dedup_decision`], records never expiring).
//!
//! **Source.** Amazon SQS documentation, "Amazon SQS visibility timeout": a message
//! may be received more than once when processing outlives the timeout; consumers
//! must be idempotent.
//!
//! **Actors.** `broker`, `database`, `consumer_a`, `consumer_b`. Only the consumers
//! may crash or pause: the broker and the database stand for replicated services; a
//! consumer restarts empty-handed and asks for a message again.
//!
//! **Actions** (SQS vocabulary): `ReceiveMessage`, `Message{id}`,
//! `DeleteMessage{id}`, `Apply{id}`, `Applied{id}`; timers `VisibilityTimeout`
//! (broker) and `Process` (consumer: the handler's running time between receiving the
//! message and applying its effect).
//!
//! **Assumptions it leans on.** Processing plus the acknowledgement chain finishes
//! within V: `processing_ticks + 4Δ < visibility_ticks`, with no consumer pause
//! (`bounded_pause(0)`), messages within Δ (`bounded_delay`) and the processing timer
//! on time (`timely_timers`). Defaults: V = 6, processing 1, Δ = 1. `ack_before`
//! leans instead on the consumer surviving between delete and effect (`max_crashes`).
//!
//! **Properties.**
//! - `effect_at_most_once` (always): the side effect is applied at most once.
//! - `effect_at_least_once` (always): the message is never lost — once it is deleted
//!   from the queue, its effect is applied, or a live consumer is still processing it,
//!   or its `Apply` is on the way to the database. The last clause is the one read of
//!   the network, so the property is written `Property::always_or_in_flight` and the
//!   model opts in to the message set (`Protocol::MESSAGE_SET`): with the network
//!   faults relaxed the safety search runs on the set, checking the first two clauses
//!   alone, and where they hold everywhere so does the property.
//! - `message_processed` (sometimes): the effect is applied and the message deleted —
//!   the happy path exists, so no variant passes vacuously.
//!
//! **Verdicts** (pinned in `models/retry/plan.toml` and `tests/suite/retry.rs`; unique
//! states at default parameters, BFS counterexample lengths in steps):
//!
//! | variant | timing held | `bounded_pause` relaxed | `max_crashes(1)` | pause, timers, delay relaxed + `max_crashes(1)` |
//! |---|---|---|---|---|
//! | `ack_after` | both hold (76) | at-most-once violated, 17 steps (2 992) | at-most-once violated, 17 steps (1 161) | at-most-once violated |
//! | `ack_before` | both hold (86) | at-most-once violated, 18 steps (2 224) | at-least-once violated, 4 steps (986) | both violated |
//! | `idempotent_consumer` | both hold (76) | both hold (2 992) | both hold | both hold (27 428) |
//!
//! **With everything relaxed** (duplication and loss included; plan check
//! `at_least_once_queue idempotent_consumer, everything relaxed`): `idempotent_consumer`
//! holds both, 588 274 classes on the message set (about 9 CPU s), `effect_at_least_once`
//! by its network-free part (a consumer deletes only after `Applied`, so a deleted
//! message was applied). On the multiset network that check has no finite space: with
//! crashes unbounded a restarted consumer receives the message again and sends another
//! `Apply`, and sends are not capped. `ack_before`: both violated (the 4-step crash, a
//! 6-step duplicated `Apply`). `ack_after` (plan check `at_least_once_queue ack_after,
//! everything relaxed`): at-most-once violated in 6 steps (a duplicated `Apply`),
//! at-least-once holds, 435 119 classes on the set (868 760 states without symmetry,
//! about 6 CPU s) — the effect count is capped at 2 (`Ghost::effects`); uncapped it
//! grew with every duplicate delivered and the check stayed `unknown` after a minute.
//!
//! **Symmetry.** The two consumers are interchangeable (`Protocol::symmetry`): a
//! check stores one state per class of states that differ by swapping them, with the
//! same verdicts and counterexample lengths (`tests/suite/timed_symmetry.rs` runs every plan
//! check both ways). The counts above are the full space (`--no-symmetry`); with
//! symmetry about half: 39 / 44 / 39 with timing held, 1 560 (`ack_after`, pauses),
//! 13 862 (`idempotent_consumer`, timing relaxed, one crash).
//!
//! **Where this disagrees with docs/CATALOG.md** (both investigated, both real):
//! - `ack_after` also duplicates under a crash with timing held: the consumer applies
//!   the effect and crashes before its delete; V expires and the message is
//!   redelivered. That is the at-least-once contract itself, not a timing failure.
//! - `ack_before` is not at-most-once once a pause is allowed: consumer A pauses with
//!   the message in hand, V expires, B receives, deletes and applies it; A resumes,
//!   its delete (a stale receipt handle, which SQS answers with success without
//!   deleting anything) goes out and A applies the effect again. Ack-before gives
//!   at-most-once only if the delete is confirmed against the current receipt before
//!   the effect.
//!
//! The `ack_after` counterexample is the documentation's: consumer A receives the
//! message and pauses while processing (the step where `bounded_pause(0)` broke);
//! V expires; B receives the message and applies the effect; A resumes and applies it
//! again. The `ack_before` counterexample: A deletes the message and crashes before
//! applying the effect — nobody ever will.

use crate::model::{Declared, Param, Params};
use crate::sync::decision::{dedup_decision, DedupDecision, DedupRecord};
use crate::system::Assumption::{BoundedDelay, BoundedPause, MaxCrashes, TimelyTimers};
use crate::system::{Context, LeansOn, Property, Protocol, Symmetry, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes. The broker and the database stand for replicated services.
    pub enum Node {
        /// The queue.
        Broker = "broker" [stable],
        /// The database the side effect goes to.
        Database = "database" [stable],
        /// The first consumer.
        ConsumerA = "consumer_a",
        /// The second consumer.
        ConsumerB = "consumer_b",
    }
}

/// The one message's ID.
const MESSAGE_ID: u8 = 1;

/// When a consumer acknowledges (deletes) the message, and whether its effect dedups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ack {
    /// Apply the effect, then delete the message.
    After,
    /// Delete the message, then apply the effect.
    Before,
    /// Apply the effect with the message ID recorded in the same transaction, then
    /// delete.
    IdempotentConsumer,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct AtLeastOnceQueue {
    /// When consumers acknowledge.
    pub ack: Ack,
    /// The visibility timeout V, in the broker's local ticks.
    pub visibility_ticks: u32,
    /// How long a consumer's handler runs before it applies the effect, in its ticks.
    pub processing_ticks: u32,
}

synccheck::rewrite! {
    Node;

    /// Messages.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    pub enum Msg {
        /// Consumer → broker: give me a message (long poll).
        ReceiveMessage,
        /// Broker → consumer: the message.
        Message {
            /// Its ID.
            id: u8,
        },
        /// Consumer → broker: the ack.
        DeleteMessage {
            /// The message's ID.
            id: u8,
        },
        /// Consumer → database: apply the message's side effect.
        Apply {
            /// The message's ID.
            id: u8,
        },
        /// Database → consumer: done (or already done).
        Applied {
            /// The message's ID.
            id: u8,
        },
    }

    /// Timers.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    pub enum Timer {
        /// Broker: the in-flight message becomes visible again.
        VisibilityTimeout,
        /// Consumer: the handler is ready to apply the effect.
        Process,
    }

    /// Where the message is, as the broker sees it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum Visibility {
        /// Deliverable.
        Visible,
        /// Delivered and invisible until `VisibilityTimeout`.
        InFlight,
        /// Deleted (acknowledged).
        Deleted,
    }

    /// A consumer's progress with the message.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum ConsumerPhase {
        /// Waiting for a message.
        Polling,
        /// Holding the message, `Process` set.
        Processing,
        /// `Apply` sent, waiting for `Applied`.
        Applying,
        /// Finished.
        Done,
    }

    /// Node states.
    #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
    pub enum NodeState {
        /// The broker.
        Broker {
            /// The message's visibility.
            visibility: Visibility,
            /// Consumers waiting in `ReceiveMessage`, in arrival order.
            waiting: Vec<Node>,
        },
        /// The database; its dedup records are durable.
        Database,
        /// A consumer.
        Consumer {
            /// Progress.
            phase: ConsumerPhase,
        },
    }

    /// The database's durable state: message IDs recorded with their effect
    /// (`idempotent_consumer` only).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
    pub struct Durable {
        /// Whether the message's ID is recorded.
        pub recorded: bool,
    }

    /// Observer state.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
    pub struct Ghost {
        /// Times the side effect was applied, counted up to 2: the properties tell
        /// only none, once and more than once apart, and nothing else reads it, so
        /// states that differ in a count above 2 are the same to every check (without
        /// the cap a duplicated `Apply` delivered again and again grows the space).
        pub effects: u8,
    }
}

impl AtLeastOnceQueue {
    fn deliver_next(
        &self,
        visibility: &mut Visibility,
        waiting: &mut Vec<Node>,
        ctx: &mut Context<'_, Self>,
    ) {
        if *visibility != Visibility::Visible || waiting.is_empty() {
            return;
        }
        let consumer = waiting.remove(0);
        *visibility = Visibility::InFlight;
        ctx.send(consumer, Msg::Message { id: MESSAGE_ID });
        ctx.set_timer(Timer::VisibilityTimeout, self.visibility_ticks);
    }

    fn on_broker_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Broker {
            visibility,
            waiting,
        } = state
        else {
            return;
        };
        match msg {
            Msg::ReceiveMessage => {
                if !waiting.contains(&from) {
                    waiting.push(from);
                }
            }
            Msg::DeleteMessage { .. } => {
                *visibility = Visibility::Deleted;
                waiting.clear();
                ctx.cancel_timer(Timer::VisibilityTimeout);
            }
            _ => return,
        }
        self.deliver_next(visibility, waiting, ctx);
    }

    fn on_database_message(&self, from: Node, msg: &Msg, ctx: &mut Context<'_, Self>) {
        let Msg::Apply { id } = msg else {
            return;
        };
        let apply = match self.ack {
            Ack::After | Ack::Before => true,
            Ack::IdempotentConsumer => {
                let record = if ctx.durable().recorded {
                    DedupRecord::Completed {
                        written_at_ticks: 0,
                    }
                } else {
                    DedupRecord::Absent
                };
                // Records never expire: the decision ignores time.
                dedup_decision(record, 0, u64::MAX) == DedupDecision::Execute
            }
        };
        if apply {
            let ghost = ctx.ghost_mut();
            ghost.effects = ghost.effects.saturating_add(1).min(2);
            if self.ack == Ack::IdempotentConsumer {
                ctx.persist(Durable { recorded: true });
            }
        }
        ctx.send(from, Msg::Applied { id: *id });
    }

    fn on_consumer_message(&self, state: &mut NodeState, msg: &Msg, ctx: &mut Context<'_, Self>) {
        let NodeState::Consumer { phase } = state else {
            return;
        };
        match (msg, *phase) {
            (Msg::Message { id }, ConsumerPhase::Polling) => {
                if self.ack == Ack::Before {
                    ctx.send(Node::Broker, Msg::DeleteMessage { id: *id });
                }
                *phase = ConsumerPhase::Processing;
                ctx.set_timer(Timer::Process, self.processing_ticks);
            }
            (Msg::Applied { id }, ConsumerPhase::Applying) => {
                if self.ack != Ack::Before {
                    ctx.send(Node::Broker, Msg::DeleteMessage { id: *id });
                }
                *phase = ConsumerPhase::Done;
            }
            _ => {}
        }
    }
}

impl Protocol for AtLeastOnceQueue {
    type Node = Node;
    type State = NodeState;
    type Durable = Durable;
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    // `effect_at_least_once` reads the network only through its in-flight part.
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        BoundedPause.because(
            "a consumer paused past the visibility timeout applies the effect after another consumer did",
        ),
        TimelyTimers
            .because("a handler running past the visibility timeout races the redelivery"),
        BoundedDelay.because(
            "a delete delayed past the visibility timeout arrives after the redelivery",
        ),
        MaxCrashes.because(
            "acking before the effect loses the message when the consumer crashes in between",
        ),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.visibility_ticks.max(self.processing_ticks)
    }

    /// A consumer (re)starts holding nothing and asks the broker for a message.
    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Broker => NodeState::Broker {
                visibility: Visibility::Visible,
                waiting: Vec::new(),
            },
            Node::Database => NodeState::Database,
            Node::ConsumerA | Node::ConsumerB => {
                ctx.send(Node::Broker, Msg::ReceiveMessage);
                NodeState::Consumer {
                    phase: ConsumerPhase::Polling,
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
            Node::Broker => self.on_broker_message(state, from, msg, ctx),
            Node::Database => self.on_database_message(from, msg, ctx),
            Node::ConsumerA | Node::ConsumerB => self.on_consumer_message(state, msg, ctx),
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
                NodeState::Broker {
                    visibility,
                    waiting,
                },
                Timer::VisibilityTimeout,
            ) if *visibility == Visibility::InFlight => {
                *visibility = Visibility::Visible;
                self.deliver_next(visibility, waiting, ctx);
            }
            (NodeState::Consumer { phase }, Timer::Process)
                if *phase == ConsumerPhase::Processing =>
            {
                *phase = ConsumerPhase::Applying;
                ctx.send(Node::Database, Msg::Apply { id: MESSAGE_ID });
            }
            _ => {}
        }
    }

    /// The two consumers are interchangeable: handled by role, alike in their faults,
    /// and the properties count effects and look for *a* consumer still processing.
    fn symmetry(&self) -> Symmetry<Self> {
        Symmetry::groups(&[&[Node::ConsumerA, Node::ConsumerB]])
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("effect_at_most_once", |_, state| state.ghost.effects <= 1),
            Property::always_or_in_flight(
                "effect_at_least_once",
                |_, state| !message_unapplied(state),
                |_, envelope| matches!(envelope.msg, Msg::Apply { .. }),
            ),
            Property::sometimes("message_processed", |_, state| {
                state.ghost.effects >= 1 && visibility(state) == Some(Visibility::Deleted)
            }),
        ]
    }

    crate::compiled_here!();
}

fn visibility(state: &SystemState<AtLeastOnceQueue>) -> Option<Visibility> {
    match state.node_state(Node::Broker) {
        Some(NodeState::Broker { visibility, .. }) => Some(*visibility),
        _ => None,
    }
}

/// Deleted from the queue, never applied, and no live consumer processing it: lost
/// unless its `Apply` is on the way (`effect_at_least_once`'s in-flight part).
fn message_unapplied(state: &SystemState<AtLeastOnceQueue>) -> bool {
    let processing = state.node_states().any(|(_, node_state)| {
        matches!(
            node_state,
            Some(NodeState::Consumer {
                phase: ConsumerPhase::Processing
            })
        )
    });
    visibility(state) == Some(Visibility::Deleted) && state.ghost.effects == 0 && !processing
}

impl Declared for AtLeastOnceQueue {
    const NAME: &'static str = "at_least_once_queue";
    const FAMILY: &'static str = "retry";
    const SUMMARY: &'static str =
        "queue with a visibility timeout, two consumers; ack after the effect, before it, or an idempotent consumer";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "idempotent_consumer",
            &["ack_after", "ack_before", "idempotent_consumer"],
            "when consumers ack, and whether the effect dedups",
        ),
        Param::integer(
            "visibility_ticks",
            6,
            1..=20,
            "visibility timeout V (safe while processing + 4Δ < V)",
        ),
        Param::integer(
            "processing_ticks",
            1,
            0..=20,
            "how long a consumer's handler runs before the effect",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(AtLeastOnceQueue {
            ack: params.pick(
                "variant",
                &[
                    ("ack_after", Ack::After),
                    ("ack_before", Ack::Before),
                    ("idempotent_consumer", Ack::IdempotentConsumer),
                ],
            )?,
            visibility_ticks: params.integer("visibility_ticks")?,
            processing_ticks: params.integer("processing_ticks")?,
        })
    }
}
