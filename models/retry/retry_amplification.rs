//! # T3 `retry_amplification` — retries at every layer of a call stack multiply
//!
//! **Protocol.** A user sends one request into a stack of `layers` service layers
//! (default 3); the bottom layer calls a database that fails every call. Each layer
//! makes up to `attempts` attempts (default 3) per call from above and, when they are
//! used up, answers its caller with the failure. `variant = every_layer`: every layer
//! retries, so the database sees `attempts^layers` attempts for one user request.
//! `variant = single_layer_budget`: only the bottom layer (the database client)
//! retries, and only while its retry budget — a token bucket — grants it: each call
//! from above deposits one token ([`retry_budget_deposit`], clipped to
//! `retry_tokens_cap`), each retry takes one ([`retry_budget_grant`]); the bucket starts
//! with `retry_tokens_initial` tokens. The other layers make one attempt and pass the
//! failure up.
//!
//! **Source.** AWS Builders' Library, "Timeouts, retries, and backoff with jitter":
//! retries at every layer of a stack multiply (three attempts per layer, five layers
//! deep: 3^5 = 243 database calls per request); retry at a single point in the stack
//! and cap retries with a token bucket. Bronson et al.,
//! "Metastable Failures in Distributed Systems" (HotOS '21): retry amplification is
//! the sustaining effect that keeps an overloaded system down after its trigger.
//!
//! **Actors.** `user` (one request, no retry of its own), `layer_1` (called by the user)
//! to `layer_N` (calls the database), `database`. Nobody crashes or pauses: the bug
//! needs no fault beyond the failing database. The node set is fixed at four layers,
//! the most `layers` allows; a shorter stack leaves `layer_{N+1}` to `layer_4` idle
//! (no call reaches them).
//!
//! **Actions** (the article's vocabulary): `Call` (a request down the stack, one per
//! attempt), `Failed` (the error answered up the stack).
//!
//! **Assumptions it leans on.** The design leans on failures being transient and the
//! database having headroom for the retries — load, which the timing and fault
//! vocabulary does not express, so `LEANS_ON` is empty and the model takes the worst
//! case instead: the database fails every call. Messages arrive within the tick they
//! are sent (`bounded_delay(0)` by default): time plays no part in the count, and
//! message ages would only multiply the space.
//!
//! **Properties.**
//! - `attempts_within_budget` (always): the database sees at most `attempts_budget`
//!   attempts (default 3) for the user's request. The default budget is one layer's
//!   retry policy: the amplification the AWS guidance accepts from retrying at a single
//!   point; anything above it is the stack multiplying retries.
//! - `failure_returned_to_user` (sometimes): the failure reaches the user — the stack
//!   gives up in the end, so no variant passes vacuously.
//!
//! The **amplification factor** (database attempts per user request) is reported as
//! the metric `database_attempts_per_request`, the maximum over the reachable states.
//!
//! **Verdicts** (pinned in `models/retry/plan.toml` and `tests/suite/retry_amplification.rs`;
//! default parameters, unique states, BFS counterexample length in steps):
//!
//! | variant | `attempts_within_budget` | `failure_returned_to_user` | states |
//! |---|---|---|---|
//! | `every_layer` | violated, 12 steps | reached | 81 |
//! | `single_layer_budget` | holds | reached | 13 |
//!
//! **Amplification factor**, measured with
//! `cargo run --release -- check retry_amplification --set layers=N --set variant=V
//! --format json` (`attempts = 3`, `metrics.database_attempts_per_request`; every run
//! completes in well under a second):
//!
//! | layers | `every_layer` | `single_layer_budget` |
//! |---|---|---|
//! | 1 | 3 | 3 |
//! | 2 | 9 | 3 |
//! | 3 | 27 | 3 |
//! | 4 | 81 | 3 |
//!
//! Unique states: `every_layer` 9, 27, 81, 243 (one per step: the one request makes
//! the run a single path); `single_layer_budget` 9, 11, 13, 15. With one layer the two
//! variants agree (3 ≤ 3: `every_layer` holds). The counterexample at the defaults is
//! the fourth call to reach the database: layers 1 and 2 pass the call down, layer 3
//! burns its three attempts and fails up, layer 2 retries, and layer 3 calls again.
//!
//! **Everything relaxed** (`--relax-all`, pinned in the plan): `single_layer_budget`
//! still holds with every timing and fault assumption broken but duplication (a
//! complete search of 25 states on the message set; metric 3). With duplication it is
//! violated in 7 steps: the Call to the database is duplicated and each copy delivered
//! is one more attempt (the fourth breaks the budget of 3). The bucket counts the
//! client's retries, not the network's copies: only an idempotent database call (or
//! deduplication in front of it) bounds those. Duplication is the one break, and the
//! fewest-breaks search says none shorter breaks fewer. The attempts then have no
//! finite maximum, so the metrics pass stops at its state limit and reports a lower
//! bound (`at least 28176` at the default 2 M states).
//!
//! The budget is load-bearing, not the per-call limit alone: with `attempts = 5` the
//! single retrying layer is stopped by the bucket after 1 + 2 tokens = 3 database
//! attempts (holds, 13 states), while `every_layer` is violated in 10 steps (layer 3's
//! own fourth attempt).

use crate::model::{Declared, Param, Params};
use crate::sync::decision::{retry_budget_deposit, retry_budget_grant};
use crate::system::Assumption::BoundedDelay;
use crate::system::{AssumptionSet, Context, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The nodes, top to bottom; nobody crashes or pauses.
    pub enum Node {
        /// The user.
        User = "user" [stable],
        /// The layer the user calls.
        Layer1 = "layer_1" [stable],
        /// The second layer.
        Layer2 = "layer_2" [stable],
        /// The third layer.
        Layer3 = "layer_3" [stable],
        /// The fourth layer.
        Layer4 = "layer_4" [stable],
        /// The database under the stack's bottom layer.
        Database = "database" [stable],
    }
}

/// The service layers, top to bottom: the most a stack has.
const LAYERS: [Node; 4] = [Node::Layer1, Node::Layer2, Node::Layer3, Node::Layer4];
/// Tokens one retry takes from the bucket.
const TOKENS_PER_RETRY: u64 = 1;
/// Tokens each call from above deposits into the bucket.
const TOKENS_PER_CALL: u64 = 1;

/// Where the stack retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// Every layer retries up to `attempts` attempts.
    EveryLayer,
    /// Only the bottom layer retries, within a token-bucket retry budget.
    SingleLayerBudget,
}

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct RetryAmplification {
    /// Where the stack retries.
    pub variant: Variant,
    /// Service layers between the user and the database.
    pub layers: u8,
    /// Attempts a retrying layer makes per call from above (first attempt included).
    pub attempts: u8,
    /// The most database attempts the user's request may cause.
    pub attempts_budget: u16,
    /// Tokens in the bottom layer's retry budget at the start.
    pub retry_tokens_initial: u8,
    /// The most tokens the retry budget holds.
    pub retry_tokens_cap: u8,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// A request down the stack (one per attempt).
    Call,
    /// The error answered up the stack.
    Failed,
}

/// Timers: none (the stack reacts to answers; time plays no part).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {}

/// Node states.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NodeState {
    /// The user.
    User,
    /// A service layer.
    Layer {
        /// Attempts made for the call in hand (0: idle).
        attempts: u8,
        /// Tokens in the retry budget (the bottom layer of `single_layer_budget`).
        retry_tokens: u8,
    },
    /// The database.
    Database,
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// Calls the database received for the user's request.
    pub database_attempts: u16,
    /// Whether the failure reached the user.
    pub user_failed: bool,
}

impl RetryAmplification {
    /// The depth of `node` in this stack (1: called by the user), if it is one of its
    /// layers.
    fn depth(&self, node: Node) -> Option<u8> {
        let depth = LAYERS.iter().position(|layer| *layer == node)?;
        u8::try_from(depth + 1)
            .ok()
            .filter(|depth| *depth <= self.layers)
    }

    /// The node the layer at `depth` calls: the next layer down, or the database
    /// under the bottom layer.
    fn below(&self, depth: u8) -> Node {
        LAYERS
            .get(usize::from(depth))
            .filter(|_| depth < self.layers)
            .copied()
            .unwrap_or(Node::Database)
    }

    /// The node the layer at `depth` answers: the layer above, or the user.
    fn above(depth: u8) -> Node {
        depth
            .checked_sub(2)
            .and_then(|index| LAYERS.get(usize::from(index)))
            .copied()
            .unwrap_or(Node::User)
    }

    /// Whether the layer at `depth` retries at all, and whether through the retry
    /// budget.
    fn retries(&self, depth: u8) -> bool {
        match self.variant {
            Variant::EveryLayer => true,
            Variant::SingleLayerBudget => depth == self.layers,
        }
    }

    fn budgeted(&self, depth: u8) -> bool {
        self.variant == Variant::SingleLayerBudget && self.retries(depth)
    }

    /// A call from above: deposit into the budget (if any) and make the first attempt.
    fn on_call(
        &self,
        depth: u8,
        attempts: &mut u8,
        retry_tokens: &mut u8,
        ctx: &mut Context<'_, Self>,
    ) {
        if self.budgeted(depth) {
            let deposited = retry_budget_deposit(
                u64::from(*retry_tokens),
                TOKENS_PER_CALL,
                u64::from(self.retry_tokens_cap),
            );
            *retry_tokens = u8::try_from(deposited).unwrap_or(self.retry_tokens_cap);
        }
        *attempts = 1;
        ctx.send(self.below(depth), Msg::Call);
    }

    /// A failure from below: retry while the policy (and the budget) allow, else fail up.
    fn on_failed(
        &self,
        depth: u8,
        attempts: &mut u8,
        retry_tokens: &mut u8,
        ctx: &mut Context<'_, Self>,
    ) {
        if *attempts == 0 {
            return;
        }
        if self.retries(depth) && *attempts < self.attempts {
            let granted = if self.budgeted(depth) {
                retry_budget_grant(u64::from(*retry_tokens), TOKENS_PER_RETRY)
            } else {
                Some(u64::from(*retry_tokens))
            };
            if let Some(left) = granted {
                *retry_tokens = u8::try_from(left).unwrap_or(0);
                *attempts += 1;
                ctx.send(self.below(depth), Msg::Call);
                return;
            }
        }
        *attempts = 0;
        ctx.send(Self::above(depth), Msg::Failed);
    }
}

impl Protocol for RetryAmplification {
    type Node = Node;
    type State = NodeState;
    type Durable = ();
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        0
    }

    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        // Messages arrive within the tick they are sent: 0 is a valid delay bound.
        let _ = set.hold(BoundedDelay, Some(0));
        set
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> NodeState {
        match node {
            Node::User => {
                ctx.send(Node::Layer1, Msg::Call);
                NodeState::User
            }
            Node::Database => NodeState::Database,
            Node::Layer1 | Node::Layer2 | Node::Layer3 | Node::Layer4 => {
                let budgeted = self.depth(node).is_some_and(|depth| self.budgeted(depth));
                NodeState::Layer {
                    attempts: 0,
                    retry_tokens: if budgeted {
                        self.retry_tokens_initial
                    } else {
                        0
                    },
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
        match (state, msg, self.depth(node)) {
            (NodeState::User, Msg::Failed, _) => ctx.ghost_mut().user_failed = true,
            (NodeState::Database, Msg::Call, _) => {
                let ghost = ctx.ghost_mut();
                ghost.database_attempts = ghost.database_attempts.saturating_add(1);
                ctx.send(from, Msg::Failed);
            }
            (
                NodeState::Layer {
                    attempts,
                    retry_tokens,
                },
                Msg::Call,
                Some(depth),
            ) => self.on_call(depth, attempts, retry_tokens, ctx),
            (
                NodeState::Layer {
                    attempts,
                    retry_tokens,
                },
                Msg::Failed,
                Some(depth),
            ) => self.on_failed(depth, attempts, retry_tokens, ctx),
            _ => {}
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("attempts_within_budget", |protocol, state| {
                state.ghost.database_attempts <= protocol.attempts_budget
            }),
            Property::sometimes("failure_returned_to_user", |_, state| {
                state.ghost.user_failed
            }),
        ]
    }

    fn metrics(&self, state: &SystemState<Self>) -> Vec<(&'static str, u64)> {
        vec![(
            "database_attempts_per_request",
            u64::from(state.ghost.database_attempts),
        )]
    }

    crate::compiled_here!();
}

impl Declared for RetryAmplification {
    const NAME: &'static str = "retry_amplification";
    const FAMILY: &'static str = "retry";
    const SUMMARY: &'static str =
        "layers of services over a failing database; retry at every layer, or at one layer within a token-bucket retry budget";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "variant",
            "single_layer_budget",
            &["every_layer", "single_layer_budget"],
            "where the stack retries",
        ),
        Param::integer(
            "layers",
            3,
            1..=LAYERS.len() as u32,
            "service layers between the user and the database",
        ),
        Param::integer(
            "attempts",
            3,
            1..=5,
            "attempts a retrying layer makes per call (first included)",
        ),
        Param::integer(
            "attempts_budget",
            3,
            1..=1000,
            "the most database attempts one user request may cause",
        ),
        Param::integer(
            "retry_tokens_initial",
            1,
            0..=10,
            "tokens in the retry budget at the start (single_layer_budget)",
        ),
        Param::integer(
            "retry_tokens_cap",
            2,
            0..=10,
            "the most tokens the retry budget holds (single_layer_budget)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let variant = params.pick(
            "variant",
            &[
                ("every_layer", Variant::EveryLayer),
                ("single_layer_budget", Variant::SingleLayerBudget),
            ],
        )?;
        let narrow = |name: &str| -> Result<u8, String> {
            u8::try_from(params.integer(name)?)
                .map_err(|_| format!("parameter `{name}` does not fit a byte"))
        };
        let retry_tokens_initial = narrow("retry_tokens_initial")?;
        let retry_tokens_cap = narrow("retry_tokens_cap")?;
        if retry_tokens_initial > retry_tokens_cap {
            return Err(format!(
                "retry_tokens_initial ({retry_tokens_initial}) exceeds retry_tokens_cap ({retry_tokens_cap})"
            ));
        }
        let attempts_budget = u16::try_from(params.integer("attempts_budget")?)
            .map_err(|_| "parameter `attempts_budget` does not fit 16 bits".to_string())?;
        Ok(RetryAmplification {
            variant,
            layers: narrow("layers")?,
            attempts: narrow("attempts")?,
            attempts_budget,
            retry_tokens_initial,
            retry_tokens_cap,
        })
    }
}
