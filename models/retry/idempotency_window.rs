//! # T2 `idempotency_window` — an idempotency-key store whose keys expire after a TTL
//!
//! **Protocol.** A client sends a request carrying an idempotency key to `worker_a`
//! and, `retry_after_ticks` later, retries it to `worker_b` (a load balancer spreads
//! attempts). Workers consult a dedup store whose records expire `ttl_ticks` after
//! they were written. `variant = check_then_act`: a worker reads the key (`Get`),
//! executes if it is absent, and writes the completed record afterwards.
//! `put_if_absent`: a worker claims the key with an atomic put-if-absent of
//! IN_PROGRESS, executes only if the claim succeeded, then marks it completed. Both
//! take the decision with [`dedup_decision`], the function the dedup cache wraps; the
//! store measures a record's age with its own `Expire` timer.
//!
//! **Source.** Stripe idempotency keys (pruned after 24 hours); Amazon SQS FIFO's
//! 5-minute deduplication window; AWS Lambda Powertools idempotency (INPROGRESS
//! records with an expiry).
//!
//! **Actors.** `client`, `worker_a`, `worker_b`, `store`. No node crashes or pauses in
//! the pinned scenarios.
//!
//! **Actions.** `Request{attempt}`, `Get`, `PutIfAbsent`, `Record{decision}`,
//! `Complete`, `Reply`; timers `Retry` / `RetryAfterTtl` (client), `Process`
//! (worker), `Expire` (store).
//!
//! **Assumptions it leans on.** (a) Every retry arrives within the TTL. The engine's
//! vocabulary has no such assumption, so it is the model parameter
//! `retry_within_ttl = held | relaxed`: held, the retry goes out `retry_after_ticks`
//! after the first attempt (< TTL); relaxed, it goes out only after the record has
//! expired (`ttl_ticks + processing_ticks + 3` ticks later), and the step is the
//! client's timer `RetryAfterTtl` firing — the name says where (a) broke. Handlers are
//! deterministic, so "relaxed" checks the late retry rather than every retry time; the
//! early retry is the held case. (b) The IN_PROGRESS marker outlives the handler
//! (the marker is written, the handler runs and its `Complete` lands within the TTL:
//! `processing_ticks + 2Δ < ttl_ticks`, with `timely_timers`). Measured: with
//! `ttl_ticks = 3` put-if-absent is violated even with (a) held (16 steps): the
//! marker expires while `Complete` is in flight and the retry claims the key again.
//! Defaults: TTL 4, retry after 1, processing 1, Δ = 1.
//!
//! **Properties.**
//! - `at_most_once` (always): the request is executed at most once.
//! - `request_acknowledged` (sometimes): the client receives a reply.
//!
//! **Verdicts** (pinned in `models/retry/plan.toml` and `tests/suite/retry.rs`; unique
//! states at default parameters, BFS counterexample lengths in steps):
//!
//! | variant | `retry_within_ttl = held` | `retry_within_ttl = relaxed` |
//! |---|---|---|
//! | `check_then_act` | violated, 11 steps (290) | violated, 21 steps (116) |
//! | `put_if_absent` | holds (278) | violated, 21 steps (134) |
//!
//! Check-then-act: both workers `Get` the key before either completes, both see it
//! absent, both execute — no timing assumption is broken. Put-if-absent holds while
//! (a) holds; once the retry comes after the TTL, the store has forgotten the key and
//! the retry executes again: (a) is load-bearing and no dedup store can fix it alone.
//! The engine's annotation knows only its own vocabulary, so the human report says
//! "no relaxed assumption was needed"; the step `timer RetryAfterTtl fires at client`
//! is where (a) broke.

use crate::model::{Declared, Param, Params};
use crate::sync::decision::{dedup_decision, DedupDecision, DedupRecord};
use crate::system::Assumption::TimelyTimers;
use crate::system::{Context, LeansOn, Property, Protocol};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes; none crashes or pauses.
    pub enum Node {
        /// The client: the first attempt to `worker_a`, the retry to `worker_b`.
        Client = "client" [stable],
        /// The worker the first attempt reaches.
        WorkerA = "worker_a" [stable],
        /// The worker the retry reaches.
        WorkerB = "worker_b" [stable],
        /// The dedup store.
        Store = "store" [stable],
    }
}

/// How workers use the dedup store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dedup {
    /// Read the key, execute if absent, write the record after completion.
    CheckThenAct,
    /// Claim the key atomically (IN_PROGRESS), execute only after a successful claim.
    PutIfAbsent,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct IdempotencyWindow {
    /// How workers use the store.
    pub dedup: Dedup,
    /// Whether every retry arrives within the TTL (model-level assumption (a)).
    pub retry_within_ttl: bool,
    /// Record time-to-live at the store, in its ticks.
    pub ttl_ticks: u32,
    /// The client's retry delay while (a) holds, in its ticks.
    pub retry_after_ticks: u32,
    /// How long a worker's handler runs, in its ticks.
    pub processing_ticks: u32,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Client → worker: the request (the key is implicit: there is one).
    Request {
        /// 1 or 2.
        attempt: u8,
    },
    /// Worker → store: read the key (check-then-act).
    Get,
    /// Worker → store: claim the key with IN_PROGRESS if no live record exists.
    PutIfAbsent,
    /// Store → worker: the decision for the key.
    Record {
        /// What the worker must do.
        decision: DedupDecision,
    },
    /// Worker → store: the request completed; store the result.
    Complete,
    /// Worker → client: the answer.
    Reply,
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// Client: retry within the TTL.
    Retry,
    /// Client: retry after the record expired (only with `retry_within_ttl` relaxed).
    RetryAfterTtl,
    /// Worker: the handler finishes.
    Process,
    /// Store: the record's TTL runs out.
    Expire,
}

/// What the store holds for the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum StoredRecord {
    /// Nothing.
    Absent,
    /// Claimed.
    InProgress,
    /// Completed.
    Completed,
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// The client.
    Client {
        /// Whether a reply arrived.
        replied: bool,
    },
    /// A worker.
    Worker {
        /// Whether it is executing (claimed, `Process` set).
        executing: bool,
    },
    /// The dedup store.
    Store {
        /// The key's record.
        record: StoredRecord,
        /// Whether its TTL ran out.
        expired: bool,
    },
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// Times the request was executed.
    pub executions: u8,
    /// Whether the client received a reply.
    pub acknowledged: bool,
}

impl IdempotencyWindow {
    /// The store's decision, through the shared [`dedup_decision`]: the record was
    /// written at tick 0 of its own life; `now` is 0 while `Expire` has not fired and
    /// the TTL once it has.
    fn decide(&self, record: StoredRecord, expired: bool) -> DedupDecision {
        let ttl = u64::from(self.ttl_ticks);
        let now = if expired { ttl } else { 0 };
        let record = match record {
            StoredRecord::Absent => DedupRecord::Absent,
            StoredRecord::InProgress => DedupRecord::InProgress {
                written_at_ticks: 0,
            },
            StoredRecord::Completed => DedupRecord::Completed {
                written_at_ticks: 0,
            },
        };
        dedup_decision(record, now, ttl)
    }

    fn on_store_message(
        &self,
        state: &mut NodeState,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        let NodeState::Store { record, expired } = state else {
            return;
        };
        match msg {
            Msg::Get => {
                let decision = self.decide(*record, *expired);
                ctx.send(from, Msg::Record { decision });
            }
            Msg::PutIfAbsent => {
                let decision = self.decide(*record, *expired);
                if decision == DedupDecision::Execute {
                    *record = StoredRecord::InProgress;
                    *expired = false;
                    ctx.set_timer(Timer::Expire, self.ttl_ticks);
                }
                ctx.send(from, Msg::Record { decision });
            }
            Msg::Complete => {
                *record = StoredRecord::Completed;
                *expired = false;
                ctx.set_timer(Timer::Expire, self.ttl_ticks);
            }
            _ => {}
        }
    }

    fn on_worker_message(&self, state: &mut NodeState, msg: &Msg, ctx: &mut Context<'_, Self>) {
        let NodeState::Worker { executing } = state else {
            return;
        };
        match msg {
            Msg::Request { .. } => {
                let ask = match self.dedup {
                    Dedup::CheckThenAct => Msg::Get,
                    Dedup::PutIfAbsent => Msg::PutIfAbsent,
                };
                ctx.send(Node::Store, ask);
            }
            Msg::Record { decision } => {
                if *decision == DedupDecision::Execute {
                    *executing = true;
                    ctx.set_timer(Timer::Process, self.processing_ticks);
                } else {
                    ctx.send(Node::Client, Msg::Reply);
                }
            }
            _ => {}
        }
    }

    fn retry_after_ttl_ticks(&self) -> u32 {
        self.ttl_ticks + self.processing_ticks + 3
    }
}

impl Protocol for IdempotencyWindow {
    type Node = Node;
    type State = NodeState;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[TimelyTimers.because(
        "a handler that outlives its IN_PROGRESS marker lets a retry claim the key again",
    )];

    fn largest_time_constant_ticks(&self) -> u32 {
        let retry = if self.retry_within_ttl {
            self.retry_after_ticks
        } else {
            self.retry_after_ttl_ticks()
        };
        retry.max(self.ttl_ticks).max(self.processing_ticks)
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::Client => {
                ctx.send(Node::WorkerA, Msg::Request { attempt: 1 });
                if self.retry_within_ttl {
                    ctx.set_timer(Timer::Retry, self.retry_after_ticks);
                } else {
                    ctx.set_timer(Timer::RetryAfterTtl, self.retry_after_ttl_ticks());
                }
                NodeState::Client { replied: false }
            }
            Node::Store => NodeState::Store {
                record: StoredRecord::Absent,
                expired: false,
            },
            Node::WorkerA | Node::WorkerB => NodeState::Worker { executing: false },
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
            Node::Client => {
                if let NodeState::Client { replied } = state {
                    *replied = true;
                    ctx.ghost_mut().acknowledged = true;
                }
            }
            Node::Store => self.on_store_message(state, from, msg, ctx),
            Node::WorkerA | Node::WorkerB => self.on_worker_message(state, msg, ctx),
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
            // The retry goes out whether or not the first reply arrived: the client
            // retries because it did not see one in time (or, late, because a user or
            // a replayed queue sends it again).
            (NodeState::Client { .. }, Timer::Retry | Timer::RetryAfterTtl) => {
                ctx.send(Node::WorkerB, Msg::Request { attempt: 2 });
            }
            (NodeState::Worker { executing }, Timer::Process) if *executing => {
                *executing = false;
                let ghost = ctx.ghost_mut();
                ghost.executions = ghost.executions.saturating_add(1);
                ctx.send(Node::Store, Msg::Complete);
                ctx.send(Node::Client, Msg::Reply);
            }
            (NodeState::Store { expired, .. }, Timer::Expire) => *expired = true,
            _ => {}
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("at_most_once", |_, state| state.ghost.executions <= 1),
            Property::sometimes("request_acknowledged", |_, state| state.ghost.acknowledged),
        ]
    }

    crate::compiled_here!();
}

impl Declared for IdempotencyWindow {
    const NAME: &'static str = "idempotency_window";
    const FAMILY: &'static str = "retry";
    const SUMMARY: &'static str =
        "idempotency keys with a TTL, two workers; check-then-act or atomic put-if-absent; retry within the TTL held or relaxed";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "put_if_absent",
            &["check_then_act", "put_if_absent"],
            "how workers use the dedup store",
        ),
        Param::choice(
            "retry_within_ttl",
            "held",
            &["held", "relaxed"],
            "model-level assumption (a): every retry arrives within the TTL (relaxed: the retry comes after the key expired)",
        ),
        Param::integer(
            "ttl_ticks",
            4,
            1..=10,
            "record time-to-live at the store (an IN_PROGRESS marker must outlive the handler: > processing + 2Δ)",
        ),
        Param::integer(
            "retry_after_ticks",
            1,
            0..=10,
            "the client's retry delay while retry_within_ttl is held (< ttl)",
        ),
        Param::integer(
            "processing_ticks",
            1,
            0..=10,
            "how long a worker's handler runs (< ttl)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(IdempotencyWindow {
            dedup: params.pick(
                "variant",
                &[
                    ("check_then_act", Dedup::CheckThenAct),
                    ("put_if_absent", Dedup::PutIfAbsent),
                ],
            )?,
            retry_within_ttl: params
                .pick("retry_within_ttl", &[("held", true), ("relaxed", false)])?,
            ttl_ticks: params.integer("ttl_ticks")?,
            retry_after_ticks: params.integer("retry_after_ticks")?,
            processing_ticks: params.integer("processing_ticks")?,
        })
    }
}
