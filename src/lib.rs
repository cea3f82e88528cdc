//! # synccheck
//!
//! A model-checking harness that makes a protocol's timing assumptions explicit and
//! breaks them on purpose. You write a protocol as per-node handlers; synccheck wraps
//! it in a *timed system* — discrete time, drifting clocks, a network that may delay,
//! lose, duplicate or reorder, nodes that pause and crash — where each timing
//! assumption is a constraint you can **hold** (with a bound) or **relax**. The runner
//! explores the result exhaustively and, for a violated property, returns the
//! shortest run and the step where each relaxed assumption broke.
//!
//! ## A protocol in forty lines
//!
//! A client sends a request and gives up after a timeout; the property says it never
//! gives up on a request the server answered in time. It holds while messages arrive
//! within Δ = 1 tick, and breaks when `bounded_delay` is relaxed. Nodes are values
//! ([`nodes!`]); the assumptions the design leans on are declared with the reason
//! (`LEANS_ON`); handlers a protocol does not need (`on_timer`, `on_restart`) have
//! defaults; [`model::Declared`] gives it a name and parameters ([`model::Param`]):
//!
//! ```
//! use synccheck::model::{Declared, Param, Params};
//! use synccheck::system::{Assumption::BoundedDelay, Context, LeansOn, Property, Protocol};
//!
//! synccheck::nodes! {
//!     pub enum Node { Client = "client" [stable], Server = "server" [stable] }
//! }
//!
//! #[derive(Clone, Debug)]
//! struct Ping { timeout_ticks: u32 }
//!
//! impl Protocol for Ping {
//!     type Node = Node;
//!     type State = bool; // client: gave up?  server: answered?
//!     type Durable = ();
//!     type Msg = &'static str;
//!     type Timer = &'static str;
//!     type Ghost = ();
//!     const LEANS_ON: &'static [LeansOn] = &[BoundedDelay.because("a late reply looks like none")];
//!
//!     fn largest_time_constant_ticks(&self) -> u32 { self.timeout_ticks }
//!     fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> bool {
//!         if node == Node::Client {
//!             ctx.send(Node::Server, "request");
//!             ctx.set_timer("timeout", self.timeout_ticks); // > 2Δ: the round trip fits
//!         }
//!         false
//!     }
//!     fn on_message(&self, node: Node, state: &mut bool, from: Node, _: &&'static str, ctx: &mut Context<'_, Self>) {
//!         match node {
//!             Node::Server => { ctx.send(from, "reply"); *state = true }
//!             Node::Client => ctx.cancel_timer("timeout"),
//!         }
//!     }
//!     fn on_timer(&self, _: Node, state: &mut bool, _: &&'static str, _: &mut Context<'_, Self>) {
//!         *state = true; // the client gives up
//!     }
//!     fn properties(&self) -> Vec<Property<Self>> {
//!         vec![
//!             Property::always("no_false_timeout", |_, s| {
//!                 !(s.node_state(Node::Client) == Some(&true)
//!                     && s.node_state(Node::Server) == Some(&true)
//!                     && s.network.is_empty())
//!             }),
//!             Property::sometimes("answered", |_, s| s.node_state(Node::Server) == Some(&true)),
//!         ]
//!     }
//! }
//!
//! impl Declared for Ping {
//!     const NAME: &'static str = "ping";
//!     const FAMILY: &'static str = "tutorial";
//!     const SUMMARY: &'static str = "a request, a reply, a client that gives up";
//!     const PARAMS: &'static [Param] =
//!         &[Param::integer("timeout_ticks", 3, 1..=8, "ticks before the client gives up")];
//!     fn from_params(params: &Params) -> Result<Self, String> {
//!         Ok(Ping { timeout_ticks: params.integer("timeout_ticks")? })
//!     }
//! }
//!
//! // In a test: the one pipeline (search, `eventually`, metrics, report) and assertions
//! // that panic with the counterexample.
//! let ping = Ping { timeout_ticks: 3 };
//! synccheck::testing::check(ping.clone()).run().assert_holds("no_false_timeout");
//! let late = synccheck::testing::check(ping).relax("bounded_delay").run();
//! assert!(late.assert_violated("no_false_timeout").length > 0);
//!
//! // Your binary's `main`: the whole command line (`synccheck check ping --set
//! // timeout_ticks=2 --relax bounded_delay`, plans, traces, ...) for your models.
//! let registry = synccheck::registry![Ping];
//! assert_eq!(registry.names(), ["ping"]);
//! // fn main() { synccheck::cli::main_with(registry) }
//! ```
//!
//! `examples/user_cli/` is a whole user project built this way (a protocol, its plan,
//! its binary, a CI workflow); the README's "As a library" section walks it.
//!
//! ## Where things are
//!
//! - [`system`]: the timed system — [`system::Protocol`], [`system::TimedSystem`], the
//!   assumption vocabulary [`system::Assumption`].
//! - [`check`]: the runner, generic over any `stateright::Model` (BFS, DFS, seeded
//!   simulation; limits on states, depth and time that work with any thread count).
//! - [`report`]: verdicts and counterexamples as text or versioned JSON.
//! - [`trace`]: saved counterexamples: replay, sequence charts (text, Mermaid, DOT, ShiViz).
//! - [`liveness`]: `eventually` under weak fairness, with lasso counterexamples.
//! - [`ablation`]: which assumptions are load-bearing; [`graph`]: state-graph export.
//! - [`testing`]: checks inside `cargo test` (`testing::check(protocol).relax(..).run().assert_holds(..)`).
//! - [`model`] (how a model declares its name and parameters), [`registry`](mod@registry) (the open
//!   registry: `registry![MyProtocol]`), [`pipeline`] (the one check pipeline),
//!   [`catalog`] (synccheck's own registry), [`plan`], [`cli`] (`cli::main_with`).
//! - [`models`]: the catalog's protocols (replication, retry, recovery).
//! - [`sync`]: node-local concurrent components, checked with loom.
//!
//! ## Limits of the checker, honestly
//!
//! - Exhaustive means exhaustive *within the caps*: time quantities are stored only as
//!   far as a held bound (or the bound an explanation is written against) can tell
//!   them apart; a duplicate is delivered only while fewer than six messages are in
//!   flight (the duplicated message stays in flight, so it may arrive again later).
//! - `eventually` properties are `unknown` after [`check::run`] alone: a plain search
//!   cannot see a cycle that never makes progress. [`liveness::decide_eventually`]
//!   (which the CLI and [`testing`] call) decides them on the explicit state graph
//!   under weak fairness, holding that graph in memory.
//! - A limit (states, depth, time, Ctrl-C, SIGTERM) yields `unknown`, never `holds`.

// No unsafe code but where it is allowed by name: the store's prefetch hint
// (`check::store::Store::prefetch`), which reads no memory.
#![deny(unsafe_code)]

// Lets the crate's own models use the exported macros' `synccheck::` paths.
extern crate self as synccheck;

#[doc(hidden)]
pub mod __private {
    pub use serde;
}

pub mod ablation;
pub mod bounds;
pub mod catalog;
pub mod check;
pub mod cli;
pub(crate) mod explore;
pub mod graph;
pub mod liveness;
pub mod model;
#[path = "../models/mod.rs"]
pub mod models;
pub mod pipeline;
pub mod plan;
pub(crate) mod pool;
pub mod registry;
pub mod report;
pub mod request;
pub mod schema;
pub(crate) mod suggest;
pub mod sync;
pub mod system;
pub mod testing;
pub mod trace;
