//! # T5 `backoff_jitter` — clients that fail together retry together, unless delays are random
//!
//! **Protocol.** Two clients send a request to one server at the same moment (a shared
//! failure, a deploy, a cache expiry synchronized them). The server serves one request
//! per slot: a request starts a slot of `service_ticks` (1); a second request arriving
//! while the slot is open collides with it (contention: a lock, a shared row, a
//! saturated worker), and both get `Fail`. A failed client retries up to `max_retries`
//! times with exponential backoff: retry *k* waits `base_backoff_ticks · 2^(k-1)` ticks.
//! `jitter = none`: exactly that long. `jitter = full`: any whole number of ticks from 0
//! up to it ("full jitter"; [`Context::set_timer_within`], so the checker explores
//! every choice). `server = contended`: as above. `server = fair_queue`: admission
//! control — the server queues a request that arrives during a slot and serves it in
//! the next one, so nobody collides.
//!
//! **Source.** Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog
//! (2015): without jitter, clients that failed together retry in lockstep and collide
//! again; full jitter spreads them out.
//!
//! **Actors.** `client_a`, `client_b`, `server`. Nothing crashes or pauses by default.
//!
//! **Actions.** `Request{client}`, `Ok`, `Fail`; timers `Retry` (client) and `SlotEnd`
//! (server: the open slot's service finishes).
//!
//! **Assumptions it leans on.** The design of plain exponential backoff leans on
//! *client failures not being synchronized* — something other than the backoff must
//! tell the clients apart. The default assumption set is the lockstep world in which
//! that is false: every assumption held with `bounded_delay(0)` (a message arrives in
//! the tick it is sent) and no skew, pauses or crashes. Each relaxation of timing
//! desynchronizes the clients on its own: with `jitter = none`, relaxing
//! `bounded_delay`, `bounded_pause` or `bounded_skew` makes `all_succeed` reachable
//! (the network, a GC pause or a drifting clock is the jitter). Jitter is the fix that
//! does not depend on luck — but only probabilistically.
//!
//! **Properties.**
//! - `all_succeed` (sometimes): both clients got `Ok`.
//! - `eventually_all_succeed` (eventually): on every fair run, both clients get `Ok`.
//!
//! **Verdicts** (pinned in `models/retry/plan.toml` and `tests/suite/backoff_jitter.rs`;
//! defaults `max_retries = 3`, `base_backoff_ticks = 1`; unique states in brackets):
//!
//! | variant | `all_succeed` | `eventually_all_succeed` |
//! |---|---|---|
//! | `jitter = none` | unreached (63) | violated: 38-step lasso, loop = step 38 |
//! | `jitter = full` | reached in 16 steps (190) | violated: 31-step lasso, loop = step 31 |
//! | `server = fair_queue` (either jitter) | reached in 8 steps (16) | holds |
//! | `jitter = none`, `bounded_delay` relaxed | reached in 8 steps (295) | violated: 38-step lasso |
//! | `server = fair_queue`, everything relaxed | reached in 8 steps | violated: 3-step lasso |
//!
//! With every assumption relaxed even the fair queue leaves a client waiting forever:
//! both requests are lost and a client does not time out a request it sent (the
//! loss is the one break; the safety search stops at 15 708 states once `all_succeed`
//! is reached, the liveness graph finds the loop in its first search).
//!
//! The `eventually` counterexample is the catalog's "some choice of delays collides
//! forever", made finite by the retry limit: every retry collides, both clients give
//! up, and the loop is time passing with nothing left to do. With full jitter the
//! checker picks the same delay for both clients at every retry.
//!
//! **How often jitter saves them.** An exhaustive checker says *whether* a schedule
//! exists; jitter is a probability. [`success_fraction`] counts the delay choices
//! (uniform, independent per client and retry) that let both succeed, under the
//! model's own collision rule: two requests `d` ticks apart collide surely when `d = 0`,
//! and may or may not when `d = 1` (the slot's end and the second arrival fall in the
//! same tick, in either order); from `d = 2` they never do. At the defaults (windows of
//! 1, 2 and 4 ticks) between 134/225 (59.6 %, counting every `d = 1` as a collision)
//! and 29/30 (96.7 %, counting none) of the delay choices succeed. The first attempt
//! always collides: the clients start together.
//!
//! **Agreement with docs/CATALOG.md.** As listed: no jitter unreachable, full jitter
//! reachable but `eventually` violated, admission control holds. The catalog's
//! "collides forever" is, with a retry limit, "collides until both give up".

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::{BoundedDelay, BoundedPause, BoundedSkew};
use crate::system::{AssumptionSet, Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes; nothing crashes, and only the clients may pause.
    pub enum Node {
        /// The first client.
        ClientA = "client_a" [no_crash],
        /// The second client.
        ClientB = "client_b" [no_crash],
        /// The server.
        Server = "server" [stable],
    }
}

/// A slot lasts one tick.
const SERVICE_TICKS: u32 = 1;

/// How a client spreads its retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// Retry *k* waits exactly `base · 2^(k-1)` ticks.
    None,
    /// Retry *k* waits any whole number of ticks in `0..=base · 2^(k-1)`.
    Full,
}

/// What the server does with a request arriving during an open slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Server {
    /// Both requests of the slot fail.
    Contended,
    /// The request waits for the next slot (admission control).
    FairQueue,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct BackoffJitter {
    /// How clients spread their retries.
    pub jitter: Jitter,
    /// How the server treats a second request in a slot.
    pub server: Server,
    /// Retries after the first attempt.
    pub max_retries: u8,
    /// The first retry's backoff, in ticks.
    pub base_backoff_ticks: u32,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// A client's request.
    Request,
    /// The request was served.
    Ok,
    /// The request collided.
    Fail,
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// Client: the backoff is over; send again.
    Retry,
    /// Server: the open slot's service finishes.
    SlotEnd,
}

/// Where a client is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// A request is out.
    Waiting,
    /// Waiting for the `Retry` timer.
    BackingOff,
    /// Got `Ok`.
    Succeeded,
    /// Out of retries.
    GaveUp,
}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// A client.
    Client {
        /// Retries sent so far.
        retries: u8,
        /// Where it is.
        phase: Phase,
    },
    /// The server: the requests of the open slot (in arrival order), and with a fair
    /// queue the requests waiting for a later slot.
    Server {
        /// Clients whose request is in the open slot.
        slot: Vec<Node>,
        /// Clients queued for the next slots (`fair_queue` only).
        queue: Vec<Node>,
    },
}

impl BackoffJitter {
    /// The backoff before retry `retry` (1-based), in ticks.
    pub fn backoff_ticks(&self, retry: u8) -> u32 {
        self.base_backoff_ticks << retry.saturating_sub(1).min(16)
    }

    fn on_client_message(&self, state: &mut NodeState, msg: &Msg, ctx: &mut Context<'_, Self>) {
        let NodeState::Client { retries, phase } = state else {
            return;
        };
        if *phase != Phase::Waiting {
            return;
        }
        match msg {
            Msg::Ok => *phase = Phase::Succeeded,
            Msg::Fail if *retries >= self.max_retries => *phase = Phase::GaveUp,
            Msg::Fail => {
                *phase = Phase::BackingOff;
                let backoff = self.backoff_ticks(*retries + 1);
                match self.jitter {
                    Jitter::None => ctx.set_timer(Timer::Retry, backoff),
                    Jitter::Full => ctx.set_timer_within(Timer::Retry, 0, backoff),
                }
            }
            Msg::Request => {}
        }
    }

    fn on_server_request(&self, state: &mut NodeState, from: Node, ctx: &mut Context<'_, Self>) {
        let NodeState::Server { slot, queue } = state else {
            return;
        };
        if slot.is_empty() {
            slot.push(from);
            ctx.set_timer(Timer::SlotEnd, SERVICE_TICKS);
            return;
        }
        match self.server {
            Server::Contended => slot.push(from),
            Server::FairQueue => queue.push(from),
        }
    }

    fn on_slot_end(&self, state: &mut NodeState, ctx: &mut Context<'_, Self>) {
        let NodeState::Server { slot, queue } = state else {
            return;
        };
        let reply = if slot.len() == 1 { Msg::Ok } else { Msg::Fail };
        for client in slot.drain(..) {
            ctx.send(client, reply.clone());
        }
        if !queue.is_empty() {
            slot.push(queue.remove(0));
            ctx.set_timer(Timer::SlotEnd, SERVICE_TICKS);
        }
    }
}

impl Protocol for BackoffJitter {
    type Node = Node;
    type State = NodeState;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = ();
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] = &[
        BoundedDelay.because("with equal delays, clients that failed together retry together"),
        BoundedSkew.because("with agreeing clocks, equal backoffs end at the same moment"),
        BoundedPause
            .because("without pauses nothing delays one client's retry against the other's"),
    ];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.backoff_ticks(self.max_retries).max(SERVICE_TICKS)
    }

    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        // The lockstep world: a message arrives in the tick it is sent. Valid by
        // construction.
        let _ = set.hold(BoundedDelay, Some(0));
        set
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        if node == Node::Server {
            return NodeState::Server {
                slot: Vec::new(),
                queue: Vec::new(),
            };
        }
        ctx.send(Node::Server, Msg::Request);
        NodeState::Client {
            retries: 0,
            phase: Phase::Waiting,
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
        if node == Node::Server {
            if *msg == Msg::Request {
                self.on_server_request(state, from, ctx);
            }
            return;
        }
        self.on_client_message(state, msg, ctx);
    }

    fn on_timer(
        &self,
        node: Node,
        state: &mut NodeState,
        timer: &Timer,
        ctx: &mut Context<'_, Self>,
    ) {
        match (node, timer) {
            (Node::Server, Timer::SlotEnd) => self.on_slot_end(state, ctx),
            (Node::ClientA | Node::ClientB, Timer::Retry) => {
                if let NodeState::Client { retries, phase } = state {
                    if *phase == Phase::BackingOff {
                        *retries += 1;
                        *phase = Phase::Waiting;
                        ctx.send(Node::Server, Msg::Request);
                    }
                }
            }
            (Node::ClientA | Node::ClientB, Timer::SlotEnd) | (Node::Server, Timer::Retry) => {}
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::sometimes("all_succeed", |_, state| all_succeeded(state)),
            Property::eventually("eventually_all_succeed", |_, state| all_succeeded(state)),
        ]
    }

    crate::compiled_here!();
}

/// Both clients got `Ok`.
fn all_succeeded(state: &SystemState<BackoffJitter>) -> bool {
    [Node::ClientA, Node::ClientB].into_iter().all(|client| {
        matches!(
            state.node_state(client),
            Some(NodeState::Client {
                phase: Phase::Succeeded,
                ..
            })
        )
    })
}

/// The share of full-jitter delay choices with which both clients succeed, as
/// `(successes, choices)` over the product of every retry's window, under the
/// model's collision rule: requests `d` ticks apart collide when `d <= close`
/// (`close = 0`: only equal delays collide — the optimistic reading of a `d = 1`
/// race; `close = 1`: the pessimistic one). After a collision both clients hear
/// `Fail` in the same tick, so each retry starts in lockstep again and the retries
/// are independent. The first attempt always collides.
pub fn success_fraction(max_retries: u8, base_backoff_ticks: u32, close: u32) -> (u128, u128) {
    let mut all_collide: (u128, u128) = (1, 1);
    for retry in 1..=max_retries {
        let window = u128::from(base_backoff_ticks << (retry - 1)) + 1;
        let mut colliding = 0u128;
        for a in 0..window {
            for b in 0..window {
                if a.abs_diff(b) <= u128::from(close) {
                    colliding += 1;
                }
            }
        }
        all_collide = (all_collide.0 * colliding, all_collide.1 * window * window);
    }
    let (bad, total) = all_collide;
    let (good, total) = (total - bad, total);
    let divisor = gcd(good, total).max(1);
    (good / divisor, total / divisor)
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl Declared for BackoffJitter {
    const NAME: &'static str = "backoff_jitter";
    const FAMILY: &'static str = "retry";
    const SUMMARY: &'static str =
        "two clients that failed together retry with exponential backoff, with or without jitter";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "jitter",
            "full",
            &["none", "full"],
            "none: wait exactly the backoff; full: any delay from 0 up to it",
        ),
        Param::choice(
            "server",
            "contended",
            &["contended", "fair_queue"],
            "contended: requests in one slot collide; fair_queue: admission control",
        ),
        Param::integer("max_retries", 3, 1..=5, "retries after the first attempt"),
        Param::integer(
            "base_backoff_ticks",
            1,
            1..=4,
            "the first retry's backoff; retry k waits base * 2^(k-1)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let max_retries = u8::try_from(params.integer("max_retries")?)
            .map_err(|_| "parameter `max_retries` does not fit a byte".to_string())?;
        Ok(BackoffJitter {
            jitter: params.pick("jitter", &[("none", Jitter::None), ("full", Jitter::Full)])?,
            server: params.pick(
                "server",
                &[
                    ("contended", Server::Contended),
                    ("fair_queue", Server::FairQueue),
                ],
            )?,
            max_retries,
            base_backoff_ticks: params.integer("base_backoff_ticks")?,
        })
    }
}
