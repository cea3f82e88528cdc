//! # T1 `retry_non_idempotent` — a client retries a request whose effect is not idempotent
//!
//! **Protocol.** A client sends a request to a server and starts a timeout; the server
//! takes `processing_ticks` to execute it (a non-idempotent effect: charge a card,
//! append a row) and replies. If the timeout fires before the reply, the client
//! retries once. `variant = plain`: the server executes every request it receives.
//! `variant = token`: the client's request token is stored in the server's durable
//! state in the same step as the effect, and a request whose token is already stored
//! is answered without executing (the decision is [`dedup_decision`] with a store that
//! never expires).
//!
//! **Source.** AWS Builders' Library, "Making retries safe with idempotent APIs": a
//! timeout does not mean the request was not executed; a client request token stored
//! atomically with the effect makes the retry safe.
//!
//! **Actors.** `client`, `server`. Only the server may crash (it restarts from its
//! durable state); the client stands for the caller whose retry is in question.
//!
//! **Actions** (the article's vocabulary): `Request{token, attempt}`, `Reply{token}`;
//! timers `Timeout` (client) and `Process{attempt}` (server, the handler's running
//! time).
//!
//! **Assumptions it leans on.** The client's timeout is longer than processing plus a
//! round trip, `timeout_ticks > processing_ticks + 2Δ`, so that "timed out" implies
//! "not executed": messages within Δ (`bounded_delay`) and the processing timer on
//! time (`timely_timers`: a late `Process` is a slow handler). Defaults: timeout 4,
//! processing 1, Δ = 1.
//!
//! **Properties.**
//! - `at_most_once` (always): the effect is executed at most once.
//! - `request_acknowledged` (sometimes): the client receives a reply — the happy path
//!   exists, so no variant passes vacuously.
//!
//! **Verdicts** (pinned in `models/retry/plan.toml` and `tests/suite/retry.rs`; unique
//! states at default parameters, BFS counterexample lengths in steps):
//!
//! | variant | timing held | `bounded_delay` relaxed | `timely_timers` relaxed | delay, timers, loss, duplication relaxed + `max_crashes(1)` |
//! |---|---|---|---|---|
//! | `plain` | holds (11) | violated, 10 steps (115) | violated, 10 steps (74) | violated |
//! | `token` | holds (11) | holds (115) | holds (74) | holds (10 353) |
//!
//! The `bounded_delay` counterexample is the article's story, with the request as the
//! late message (BFS finds that one first; a late reply is one step longer): the
//! request lingers (step 2: the annotation names the tick where `bounded_delay(1)`
//! broke), the client times out and retries, and the server executes both. Relaxing `timely_timers` tells it with a slow handler
//! instead: `Process` fires late, the client times out, and both attempts execute.
//!
//! **Finding.** `token` needs `durable_writes`: with the write of the token left in the
//! page cache, a server crash loses the token but not the effect, and the retry
//! executes again (violated, 12 steps, 21 668 states, with `durable_writes` relaxed). "Stored atomically with the effect" includes
//! "stored durably". With every assumption relaxed (the plan's check) `token` breaks
//! the same way: 12 steps, the fewest breaks being clock skew, the crash and the
//! unsynced write.

use crate::model::{Declared, Param, Params};
use crate::sync::decision::{dedup_decision, DedupDecision, DedupRecord};
use crate::system::Assumption::{BoundedDelay, TimelyTimers};
use crate::system::{Context, LeansOn, Property, Protocol};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes.
    pub enum Node {
        /// The caller whose retry is in question: spared every fault.
        Client = "client" [stable],
        /// The server: may crash (it restarts from its durable state) and pause.
        Server = "server",
    }
}

/// The client's request token (one logical request).
const TOKEN: u8 = 1;
/// The client's attempts: the first one and one retry.
const ATTEMPTS_MAX: u8 = 2;

/// How the server treats a retried request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Retry {
    /// Every request received is executed.
    Plain,
    /// The request token is stored with the effect; a stored token is not executed.
    Token,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct RetryNonIdempotent {
    /// How the server treats a retry.
    pub retry: Retry,
    /// The client's timeout, in its local ticks.
    pub timeout_ticks: u32,
    /// How long the server's handler runs, in its local ticks.
    pub processing_ticks: u32,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// The client's request.
    Request {
        /// The client request token (the same on every attempt).
        token: u8,
        /// 1 for the first attempt, 2 for the retry.
        attempt: u8,
    },
    /// The server's answer.
    Reply {
        /// The token answered.
        token: u8,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// Client: no reply in time.
    Timeout,
    /// Server: the handler for `attempt` finishes.
    Process {
        /// The attempt being processed.
        attempt: u8,
    },
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// The client.
    Client {
        /// Attempts sent so far.
        attempts: u8,
        /// Whether a reply arrived.
        replied: bool,
    },
    /// The server; what it is processing lives in its `Process` timers.
    Server,
}

/// The server's durable state: the tokens stored with their effects (`token` only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Durable {
    /// Whether the client's token is stored.
    pub token_stored: bool,
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// Times the effect was executed.
    pub executions: u8,
    /// Whether the client received a reply.
    pub acknowledged: bool,
}

impl RetryNonIdempotent {
    fn on_server_message(&self, msg: &Msg, ctx: &mut Context<'_, Self>) {
        if let Msg::Request { attempt, .. } = msg {
            ctx.set_timer(Timer::Process { attempt: *attempt }, self.processing_ticks);
        }
    }

    /// The handler finishes: execute (unless the token says it already was), reply.
    fn process(&self, ctx: &mut Context<'_, Self>) {
        let execute = match self.retry {
            Retry::Plain => true,
            Retry::Token => {
                let record = if ctx.durable().token_stored {
                    DedupRecord::Completed {
                        written_at_ticks: 0,
                    }
                } else {
                    DedupRecord::Absent
                };
                // The token store never expires: the decision ignores time.
                dedup_decision(record, 0, u64::MAX) == DedupDecision::Execute
            }
        };
        if execute {
            let ghost = ctx.ghost_mut();
            ghost.executions = ghost.executions.saturating_add(1);
            if self.retry == Retry::Token {
                ctx.persist(Durable { token_stored: true });
            }
        }
        ctx.send(Node::Client, Msg::Reply { token: TOKEN });
    }

    fn on_client_timeout(&self, state: &mut NodeState, ctx: &mut Context<'_, Self>) {
        let NodeState::Client { attempts, replied } = state else {
            return;
        };
        if *replied || *attempts >= ATTEMPTS_MAX {
            return;
        }
        *attempts += 1;
        ctx.send(
            Node::Server,
            Msg::Request {
                token: TOKEN,
                attempt: *attempts,
            },
        );
        ctx.set_timer(Timer::Timeout, self.timeout_ticks);
    }
}

impl Protocol for RetryNonIdempotent {
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
        BoundedDelay
            .because("a reply delayed past the timeout makes an executed request look lost"),
        TimelyTimers
            .because("a handler that runs past the client's timeout is retried while it executes"),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.timeout_ticks.max(self.processing_ticks)
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        if node == Node::Server {
            return NodeState::Server;
        }
        ctx.send(
            Node::Server,
            Msg::Request {
                token: TOKEN,
                attempt: 1,
            },
        );
        ctx.set_timer(Timer::Timeout, self.timeout_ticks);
        NodeState::Client {
            attempts: 1,
            replied: false,
        }
    }

    fn on_message(
        &self,
        node: Node,
        state: &mut NodeState,
        _from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        if node == Node::Server {
            self.on_server_message(msg, ctx);
            return;
        }
        if let (NodeState::Client { replied, .. }, Msg::Reply { .. }) = (state, msg) {
            if !*replied {
                *replied = true;
                ctx.ghost_mut().acknowledged = true;
                ctx.cancel_timer(Timer::Timeout);
            }
        }
    }

    fn on_timer(
        &self,
        node: Node,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match (node, timer) {
            (Node::Server, Timer::Process { .. }) => self.process(ctx),
            (Node::Client, Timer::Timeout) => self.on_client_timeout(state, ctx),
            (Node::Server, Timer::Timeout) | (Node::Client, Timer::Process { .. }) => {}
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

impl Declared for RetryNonIdempotent {
    const NAME: &'static str = "retry_non_idempotent";
    const FAMILY: &'static str = "retry";
    const SUMMARY: &'static str =
        "client retries a non-idempotent request after a timeout; plain retry or a request token stored with the effect";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "token",
            &["plain", "token"],
            "how the server treats a retry",
        ),
        Param::integer(
            "timeout_ticks",
            4,
            1..=20,
            "client timeout (safe while timeout > processing + 2Δ)",
        ),
        Param::integer(
            "processing_ticks",
            1,
            0..=20,
            "how long the server's handler runs",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(RetryNonIdempotent {
            retry: params.pick(
                "variant",
                &[("plain", Retry::Plain), ("token", Retry::Token)],
            )?,
            timeout_ticks: params.integer("timeout_ticks")?,
            processing_ticks: params.integer("processing_ticks")?,
        })
    }
}
