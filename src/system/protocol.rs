//! What a protocol author writes: per-node handlers that emit effects.

use super::assumption::{Assumption, AssumptionSet};
use super::node::Node;
use super::state::{Envelope, SystemState, TimerEntry};
use serde::Serialize;
use std::fmt::Debug;
use std::hash::Hash;

/// Index of a node in the protocol's node list (the engine's own numbering: protocols
/// name nodes by their [`Node`] values).
pub type NodeId = usize;

/// The kind of a property.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PropertyKind {
    /// Safety: true in every reachable state.
    Always,
    /// Reachability: true in at least one reachable state.
    Sometimes,
    /// Liveness: becomes true on every fair behaviour.
    Eventually,
}

impl PropertyKind {
    /// The public name.
    pub const fn name(self) -> &'static str {
        match self {
            PropertyKind::Always => "always",
            PropertyKind::Sometimes => "sometimes",
            PropertyKind::Eventually => "eventually",
        }
    }
}

/// A named predicate over the whole system state.
///
/// Built by [`Property::always`], [`Property::sometimes`], [`Property::eventually`], or
/// [`Property::always_or_in_flight`] for an invariant that a message in flight may
/// stand in for; evaluated by [`Property::holds`].
pub struct Property<P: Protocol> {
    /// Public ID (snake_case noun).
    pub name: &'static str,
    /// Always, sometimes or eventually.
    pub kind: PropertyKind,
    /// The predicate (for [`Property::always_or_in_flight`], its part that reads no
    /// network).
    condition: fn(&P, &SystemState<P>) -> bool,
    /// For [`Property::always_or_in_flight`]: the messages whose presence in flight
    /// makes the property hold too.
    in_flight: Option<InFlight<P>>,
}

/// A predicate on one message in flight.
pub type InFlight<P> = fn(&P, &Envelope<<P as Protocol>::Msg>) -> bool;

impl<P: Protocol> Clone for Property<P> {
    fn clone(&self) -> Self {
        Property {
            name: self.name,
            kind: self.kind,
            condition: self.condition,
            in_flight: self.in_flight,
        }
    }
}

impl<P: Protocol> Property<P> {
    fn new(
        name: &'static str,
        kind: PropertyKind,
        condition: fn(&P, &SystemState<P>) -> bool,
    ) -> Self {
        Property {
            name,
            kind,
            condition,
            in_flight: None,
        }
    }

    /// A safety invariant.
    pub fn always(name: &'static str, condition: fn(&P, &SystemState<P>) -> bool) -> Self {
        Property::new(name, PropertyKind::Always, condition)
    }

    /// A safety invariant that holds in a state where `holds` does **or** a message
    /// satisfying `in_flight` is in flight: "the request is applied, or a live node
    /// still holds it, or it is on its way". `holds` must not read the network (as
    /// every property of a protocol that opts in to [`Protocol::MESSAGE_SET`]); the
    /// engine composes the two, so the one part that reads the network is `in_flight`.
    ///
    /// Such an invariant is true with more messages in flight wherever it is true with
    /// fewer, and `holds` alone is stronger. So where the message set applies, the
    /// safety search checks `holds` alone on the set (`TimedSystem::for_safety_search`):
    /// if it holds in every state there, the invariant holds in every state of the
    /// multiset network (every such state has its nodes and ghost in a state of the
    /// set). If `holds` fails there, that alone proves nothing of the invariant: the
    /// run is replayed on the multiset network and reported only if the invariant is
    /// false at its end there; otherwise the multiset network is searched as without
    /// the set. A state's messages in flight
    /// are read only on the multiset network, where they are the messages sent and
    /// not yet delivered, lost or duplicated away.
    pub fn always_or_in_flight(
        name: &'static str,
        holds: fn(&P, &SystemState<P>) -> bool,
        in_flight: InFlight<P>,
    ) -> Self {
        Property {
            in_flight: Some(in_flight),
            ..Property::always(name, holds)
        }
    }

    /// A reachability goal (so that no model passes vacuously).
    pub fn sometimes(name: &'static str, condition: fn(&P, &SystemState<P>) -> bool) -> Self {
        Property::new(name, PropertyKind::Sometimes, condition)
    }

    /// A liveness goal.
    pub fn eventually(name: &'static str, condition: fn(&P, &SystemState<P>) -> bool) -> Self {
        Property::new(name, PropertyKind::Eventually, condition)
    }

    /// Whether the property is true in `state`.
    pub fn holds(&self, protocol: &P, state: &SystemState<P>) -> bool {
        (self.condition)(protocol, state)
            || self.in_flight.is_some_and(|in_flight| {
                state
                    .in_flight()
                    .any(|envelope| in_flight(protocol, envelope))
            })
    }

    /// Whether a message in flight can make the property true
    /// ([`Property::always_or_in_flight`]).
    pub fn reads_in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The property with its in-flight part dropped: true only where its part that
    /// reads no network is. Stronger than the property; itself where there is no such
    /// part.
    pub(crate) fn without_in_flight(&self) -> Self {
        Property {
            in_flight: None,
            ..self.clone()
        }
    }
}

/// An assumption the protocol's design leans on, with the bound it is held at by default
/// and why the design needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeansOn {
    /// The assumption.
    pub assumption: Assumption,
    /// One sentence: what breaks without it.
    pub because: &'static str,
}

impl Assumption {
    /// The design leans on this assumption, `because` (one sentence: what breaks
    /// without it): `Assumption::BoundedPause.because("a paused client outlives its lease")`.
    pub const fn because(self, because: &'static str) -> LeansOn {
        LeansOn {
            assumption: self,
            because,
        }
    }
}

/// Marker bounds every protocol data type needs.
pub trait Data: Clone + Debug + Eq + Hash + Send + Sync + Serialize + 'static {}
impl<T: Clone + Debug + Eq + Hash + Send + Sync + Serialize + 'static> Data for T {}

/// A protocol: per-node handlers that react to start, messages, timers and restarts by
/// emitting effects through a [`Context`]. The timed system owns time, the network and
/// faults; the protocol owns only its nodes' logic.
///
/// Handlers must be deterministic functions of their inputs and do no I/O.
pub trait Protocol: Clone + Debug + Send + Sync + Sized + 'static {
    /// The nodes, as values: declare them with [`nodes!`](crate::nodes) (names, and
    /// which may crash or pause).
    type Node: Node;
    /// A node's volatile state (lost in a crash).
    type State: Data;
    /// A node's persisted state (survives a crash when `durable_writes` is held); `()`
    /// when nothing is persisted.
    type Durable: Data + Default;
    /// Messages between nodes. `Ord` gives the network a canonical order.
    type Msg: Data + Ord;
    /// Timer names.
    type Timer: Data + Ord;
    /// Observer state shared by all nodes (history, ghost variables); never lost; `()`
    /// when there is none.
    type Ghost: Data + Default;

    /// The assumptions the design leans on (for `list`, reports and ablation), each
    /// with the sentence saying what breaks without it.
    const LEANS_ON: &'static [LeansOn] = &[];

    /// Opt in to the lean state ([`crate::system::Lean`]): with `bounded_delay`
    /// relaxed the engine does not store message ages, and
    /// with `bounded_pause` relaxed it does not store pause lengths; they read 0. And
    /// with them held, a state is not expanded where one with younger messages and
    /// shorter pauses, all else equal, was (subsumption, `TimedSystem::slack`), nor,
    /// with `timely_timers` relaxed, where one whose timers are nearer their deadlines
    /// was. And the
    /// safety search runs first up to clock-drift classes
    /// ([`DriftClasses`](crate::system::DriftClasses): a node's clock anywhere a drift
    /// it can undo takes it), taking from it what needs no path. Fewer states, same
    /// verdicts and counterexample lengths, **provided** no property and no metric of
    /// the protocol reads [`Envelope::age_ticks`](crate::system::Envelope) or the
    /// `ticks` of [`NodeStatus::Paused`](crate::system::NodeStatus), nor the order of
    /// the messages in flight (a multiset network is sorted with ages before
    /// messages), and no property reads a timer's
    /// [`remaining_ticks`](crate::system::TimerEntry) or a node's `clock_offset_ticks`
    /// (handlers may: `Context::clock_offset_ticks`): the engine cannot see what a
    /// property reads, so with this `true` such a property would get a wrong verdict. A
    /// check that relies on it audits the claim first on the first states of its space
    /// (`TimedSystem::audit_lean_state`, `--lean-audit`): a property or metric that
    /// tells a state from the same state with younger messages, shorter pauses or its
    /// messages in another order, or a property that tells it from the same state with
    /// its timers at their deadlines or from the front of its
    /// drift class, is an error naming it. (An `eventually` property may read them: it
    /// is decided only on the full state.) Off by default (every quantity stored, every verdict right); the
    /// catalog's models opt in. `--no-lean` (`CheckOptions::no_lean`) turns it off for
    /// one check.
    const LEAN_STATE: bool = false;

    /// Opt in to the message set ([`crate::system::Lean`]): with `no_duplication`,
    /// `bounded_delay` and `fifo_links` relaxed (a safety check), the engine keeps the
    /// network as the set of messages sent: a delivery leaves the message in flight,
    /// to arrive again or never, and loss is not a step of its own. Far fewer states
    /// (every subset of the messages sent is no longer a state of its own), same
    /// verdicts and counterexample lengths, **provided** no property and no metric
    /// reads which messages are in flight ([`SystemState::in_flight`],
    /// `state.network`; ages included): in this network a delivered message is still
    /// there, so a property such as "no request in flight" gets a wrong verdict. The
    /// one way a property may read the network here is the in-flight part of
    /// [`Property::always_or_in_flight`], which the engine reads only on the multiset
    /// network (the safety search on the set checks such a property by its other
    /// part). Off by default; the catalog's timed models opt in. `--no-lean` turns it off for one check (and then, as always, a
    /// duplicate is delivered only while fewer than
    /// [`IN_FLIGHT_MAX`](crate::system::IN_FLIGHT_MAX) messages are in flight; the
    /// message set has no such cap). An `eventually` property may read the network:
    /// a check that has one searches its safety properties on the set only where
    /// that gives the multiset network's verdicts (`pipeline::check_system`), and
    /// decides `eventually` on the multiset network. A check that searches on the set
    /// audits the claim first, as for [`Protocol::LEAN_STATE`]: a property or metric
    /// that tells a state from the same state with no message in flight is an error
    /// naming it.
    const MESSAGE_SET: bool = false;

    /// Opt in to dropping the messages a node ignores for ever
    /// ([`Protocol::ignores`]): after every handler step the engine takes each message
    /// in flight that its receiver ignores out of the network, as if it had been
    /// delivered at once to no effect. A message that can never change anything no
    /// longer tells states apart, so there are fewer of them (stateright's actors leave
    /// such a message in flight for ever, one state for all; this is fewer still), and
    /// the same verdicts, **provided** [`Protocol::ignores`] keeps its contract. A
    /// counterexample may be shorter than without it: it needs no step that delivers a
    /// message to no effect (one that a full network would need first, ahead of a
    /// later message of a FIFO link or a Tick at the delay bound); and with
    /// duplication relaxed, a duplicate may be made where the full network would be at
    /// its cap of [`IN_FLIGHT_MAX`](crate::system::IN_FLIGHT_MAX) messages in flight
    /// (the drop stands closer to the uncapped network, as the message set does). A
    /// check audits the
    /// contract first on the first states of its space with every message kept
    /// (`TimedSystem::audit_lean_state`, `--lean-audit`): a message said to be ignored
    /// whose delivery changes something, that a handler step of its receiver makes
    /// wanted again, or without which a property or metric has another value, is an
    /// error naming it. Off by default; `--no-lean` turns it off for one check.
    const DROPS_IGNORED: bool = false;

    /// Whether `node`, in `state`, ignores `msg` from `from` now and for ever under the
    /// check's `assumptions` (read only with [`Protocol::DROPS_IGNORED`]): delivering
    /// it changes nothing — no state, timer, persisted value, ghost or send — and no
    /// handler step of `node` from here makes it change something (a ballot that only
    /// grows, a decision that is final; a request handled once only while
    /// `no_duplication` is held, since a duplicate may start it again), whatever the
    /// ghost, the clock and the node's timers are when it would arrive (other nodes'
    /// steps change the ghost, drifts the clock); and no property or metric, `eventually`
    /// ones included, reads whether it is in flight. Crashes need no thought (a crash
    /// takes every message to the node out of the network). Like the properties, it
    /// must give the same answer on renamed nodes where the protocol declares symmetry
    /// (audited too: on every renaming of each audited state).
    fn ignores(
        &self,
        _node: Self::Node,
        _state: &Self::State,
        _from: Self::Node,
        _msg: &Self::Msg,
        _assumptions: &AssumptionSet,
    ) -> bool {
        false
    }

    /// The largest time constant the protocol uses (timer lengths, leases), in ticks.
    /// Time quantities in the state are capped just above the largest constant in play.
    fn largest_time_constant_ticks(&self) -> u32;

    /// [`Protocol::LEANS_ON`]; override only when the assumptions depend on parameters.
    fn leans_on(&self) -> Vec<LeansOn> {
        Self::LEANS_ON.to_vec()
    }

    /// The assumption set a check holds when the user says nothing.
    fn default_assumptions(&self) -> AssumptionSet {
        AssumptionSet::default()
    }

    /// The node's first state; may send and set timers.
    fn on_start(&self, node: Self::Node, ctx: &mut Context<'_, Self>) -> Self::State;

    /// Handles a delivered message.
    fn on_message(
        &self,
        node: Self::Node,
        state: &mut Self::State,
        from: Self::Node,
        msg: &Self::Msg,
        ctx: &mut Context<'_, Self>,
    );

    /// Handles a fired timer (nothing by default).
    fn on_timer(
        &self,
        _node: Self::Node,
        _state: &mut Self::State,
        _timer: &Self::Timer,
        _ctx: &mut Context<'_, Self>,
    ) {
    }

    /// Called back once the writes of a handler that used
    /// [`Context::persist_and_wait`] are on disk, in a Sync step of its own. With
    /// `durable_writes` held the write is durable at once and only the call back waits;
    /// relaxed, a first Sync step flushes the write and a second one calls back. A crash
    /// before the flush loses the write; a crash before the call back always loses the
    /// call back (and keeps a flushed write); after it, the write survives any crash.
    fn on_durable(
        &self,
        _node: Self::Node,
        _state: &mut Self::State,
        _ctx: &mut Context<'_, Self>,
    ) {
    }

    /// The node's state after a crash and restart; `ctx.durable()` is what survived.
    /// By default a restarted node starts afresh: [`Protocol::on_start`].
    fn on_restart(&self, node: Self::Node, ctx: &mut Context<'_, Self>) -> Self::State {
        self.on_start(node, ctx)
    }

    /// The properties to check.
    fn properties(&self) -> Vec<Property<Self>>;

    /// Groups of interchangeable nodes (none by default): a check stores one state per
    /// class of states that differ by a renaming within the groups, fewer states for
    /// the same verdicts. Nodes of a group must be handled alike (by role, never by
    /// which one), share their fault flags, and every property and metric must have
    /// the same value on a state and on its renamings. Every protocol type implements
    /// [`Rewrite`](super::Rewrite) (wrap their definitions in
    /// [`rewrite!`](crate::rewrite)):
    ///
    /// ```ignore
    /// fn symmetry(&self) -> Symmetry<Self> {
    ///     Symmetry::groups(&[&[Node::ClientA, Node::ClientB]])
    /// }
    /// ```
    fn symmetry(&self) -> super::Symmetry<Self> {
        super::Symmetry::none()
    }

    /// Model-defined figures of a state (e.g. database attempts per user request). A
    /// check reports, for each name, the maximum over the reachable states, under
    /// `metrics` in the JSON report and as a line in the human one.
    fn metrics(&self, _state: &SystemState<Self>) -> Vec<(&'static str, u64)> {
        Vec::new()
    }

    /// Where the check pipeline and the searches are compiled for this protocol.
    /// [`pipeline::check_system`](crate::pipeline::check_system) (and so
    /// `testing::check` and the registry) and the searches of
    /// [`testing`](crate::testing) (`assert_pinned`, `assert_pinned_symmetric`, `search`,
    /// `search_reduced`) call them through this; `check::run` and its kin, replay and
    /// the break explanations do not. Leave it to its default. Where the protocol (a
    /// non-generic `impl`) is defined in a library and checked from other crates (test
    /// crates, binaries), write [`compiled_here!()`](crate::compiled_here) in the
    /// `impl` instead: they are then compiled once, in the crate of the `impl`, and
    /// every crate that checks the protocol calls that copy. With the default, each such
    /// crate compiles them again for the protocol (an optimized build shares no generic
    /// code between crates; at `opt-level` 0 or 1 rustc shares it anyway). Verdicts,
    /// counts and reports are the same either way.
    fn compiled() -> crate::pipeline::Compiled<Self> {
        crate::pipeline::Compiled::here()
    }
}

/// Put in a protocol's `impl Protocol for …` block: the check pipeline and the searches
/// are compiled for the protocol in this crate, once, and other crates that check it
/// call this copy instead of compiling their own ([`Protocol::compiled`]). For a
/// protocol in a library that several test crates or binaries check; the catalog's
/// models use it, so that the tests do not compile their pipelines again.
///
/// ```ignore
/// impl Protocol for MyProtocol {
///     // …the handlers and properties…
///     synccheck::compiled_here!();
/// }
/// ```
#[macro_export]
macro_rules! compiled_here {
    () => {
        // `inline(never)`: a small function may be inlined into another crate, and
        // with it the generic code it stands for.
        #[inline(never)]
        fn compiled() -> $crate::pipeline::Compiled<Self> {
            $crate::pipeline::Compiled::here()
        }
    };
}

/// Effects a handler asks for. Applied by the engine after the handler returns.
pub(crate) enum TimerEffect<T> {
    /// Set a timer to fire at a local time in `earliest..=latest` ticks from now.
    Set {
        timer: T,
        earliest: u32,
        latest: u32,
    },
    Cancel(T),
}

/// The handler's window on the system: its node, its persisted state, the shared ghost
/// state, and the effects it emits (send, set/cancel timer, persist).
pub struct Context<'a, P: Protocol> {
    pub(crate) node: NodeId,
    pub(crate) ghost: &'a mut super::Shared<P::Ghost>,
    pub(crate) durable: &'a P::Durable,
    pub(crate) persisted: Option<P::Durable>,
    pub(crate) awaits_sync: bool,
    pub(crate) sends: Vec<(NodeId, P::Msg)>,
    pub(crate) timer_effects: Vec<TimerEffect<P::Timer>>,
    /// The node's timers when the handler started; `timer_effects` says what changed
    /// since (no copy of the timer list per step).
    pub(crate) armed_timers: &'a [TimerEntry<P::Timer>],
    pub(crate) clock_offset_ticks: i32,
    /// Whether the handler read `clock_offset_ticks` (an error where `bounded_skew` is
    /// relaxed: the engine stores no offset there).
    pub(crate) offset_read: std::cell::Cell<bool>,
}

impl<'a, P: Protocol> Context<'a, P> {
    /// The node running the handler.
    pub fn node(&self) -> P::Node {
        P::Node::ALL[self.node]
    }

    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: P::Node, msg: P::Msg) {
        self.sends.push((to.index(), msg));
    }

    /// Sets (or resets) `timer` to fire after `ticks` ticks of this node's local clock.
    /// Zero means "due now": it fires before time advances, unless the node pauses.
    pub fn set_timer(&mut self, timer: P::Timer, ticks: u32) {
        self.timer_effects.push(TimerEffect::Set {
            timer,
            earliest: ticks,
            latest: ticks,
        });
    }

    /// Sets (or resets) `timer` to fire at some local time between `earliest` and
    /// `latest` ticks from now (inclusive): a randomized delay, such as a backoff with
    /// jitter. The checker explores every firing time in the window; with
    /// `timely_timers` held, time does not pass `latest` while the timer is unfired.
    /// `latest` below `earliest` is read as `earliest`.
    pub fn set_timer_within(&mut self, timer: P::Timer, earliest: u32, latest: u32) {
        self.timer_effects.push(TimerEffect::Set {
            timer,
            earliest,
            latest: latest.max(earliest),
        });
    }

    /// Cancels `timer` if set.
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.timer_effects.push(TimerEffect::Cancel(timer));
    }

    /// Whether `timer` is set (and has not fired).
    pub fn timer_is_set(&self, timer: &P::Timer) -> bool {
        // The handler's last set or cancel of `timer` decides; without one, whether it
        // was armed when the handler started.
        let last = self
            .timer_effects
            .iter()
            .rev()
            .find_map(|effect| match effect {
                TimerEffect::Set { timer: set, .. } => (set == timer).then_some(true),
                TimerEffect::Cancel(cancelled) => (cancelled == timer).then_some(false),
            });
        last.unwrap_or_else(|| self.armed_timers.iter().any(|entry| entry.timer == *timer))
    }

    /// The node's persisted state as the node reads it back (including a write not yet
    /// synced, when `durable_writes` is relaxed).
    pub fn durable(&self) -> &P::Durable {
        self.persisted.as_ref().unwrap_or(self.durable)
    }

    /// Persists `durable`. Held `durable_writes`: synced before the step ends. Relaxed:
    /// it sits in the page cache until a Sync step, and a crash before that loses it.
    pub fn persist(&mut self, durable: P::Durable) {
        self.persisted = Some(durable);
    }

    /// Persists `durable` and asks to be called back ([`Protocol::on_durable`]) once it
    /// is on disk: "persist, wait for the flush, then acknowledge" (fsync, then reply).
    /// The write may be lost by a crash before its flush (`durable_writes` relaxed),
    /// never after it; the call back, by a crash before it runs.
    pub fn persist_and_wait(&mut self, durable: P::Durable) {
        self.persisted = Some(durable);
        self.awaits_sync = true;
    }

    /// The shared observer state (history, ghost variables).
    pub fn ghost(&self) -> &P::Ghost {
        self.ghost
    }

    /// Records an observation in the shared observer state (copied first if other
    /// states share it: call it only to change it).
    pub fn ghost_mut(&mut self) -> &mut P::Ghost {
        self.ghost.make_mut()
    }

    /// This node's clock offset from true time, in ticks: within ±ε while
    /// `bounded_skew(ε)` is held (0 while it is held at 0). Where it is relaxed the
    /// offset has no bound and the engine stores none (a relaxed skew is felt through
    /// timers, which is what a protocol should use), so reading it there ends the check
    /// with an error (exit 2) naming the node, rather than reading 0 and hiding the
    /// skew: hold `bounded_skew` at a bound to check a handler that reads its clock, or
    /// keep the clock with a timer (as `lww_register` does).
    pub fn clock_offset_ticks(&self) -> i32 {
        self.offset_read.set(true);
        self.clock_offset_ticks
    }
}
