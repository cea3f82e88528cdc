//! The timed system's state: only relative time, every quantity capped.

use super::node::Node;
use super::protocol::{NodeId, Protocol};
use serde::Serialize;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A part of a state — a node record, the observer state — that states share until
/// one of them changes it (copied on write, [`Shared::make_mut`]), with its
/// fingerprint kept once computed.
///
/// A step changes one node's record (a Tick: each with a timer running or a pause
/// counted) and leaves the others as they were, so a successor shares every other
/// record with its parent instead of copying it, and hashing the successor hashes only
/// the records the step changed: a `Shared` hashes as its value's 64-bit fingerprint
/// ([`crate::check::fingerprint`]). Reads go through `Deref`
/// (`state.nodes[i].status`, `state.ghost.history`); `state.nodes[i].clone()` is a
/// `Shared`, and a comparison with a plain value derefs (`*state.ghost == ghost`).
///
/// The fingerprint of a whole state is thus a hash of its parts' fingerprints: two
/// states collide when the outer hashes do or when two distinct parts' fingerprints
/// do, and there are far fewer distinct parts than distinct states, so the report's
/// collision estimate (from the number of states) stays the leading term.
///
/// The kept fingerprint is an atomic written only with the value's fingerprint (threads
/// that race write the same number; it is forgotten only through `&mut`), so a state's
/// hash never changes while it is a set or map key;
/// clippy's `mutable_key_type` cannot see that, and a crate that keys sets by states
/// names `synccheck::system::state::Shared` under `ignore-interior-mutability` in its
/// `clippy.toml`, as this one does.
pub struct Shared<T> {
    part: Arc<Part<T>>,
}

struct Part<T> {
    value: T,
    /// The value's fingerprint; 0 (which no fingerprint is) until computed.
    fingerprint: AtomicU64,
}

impl<T> Shared<T> {
    /// `value`, not shared yet.
    pub fn new(value: T) -> Self {
        Shared {
            part: Arc::new(Part {
                value,
                fingerprint: AtomicU64::new(0),
            }),
        }
    }

    /// Whether `self` and `other` are one part (so certainly equal).
    pub fn same_part(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.part, &other.part)
    }
}

impl<T: Clone> Shared<T> {
    /// The value, to change: copied first if another state shares it, and its kept
    /// fingerprint forgotten. Call it only where the step does change the value: a
    /// copy made for nothing is a copy the successor no longer shares.
    pub fn make_mut(&mut self) -> &mut T {
        let part = Arc::make_mut(&mut self.part);
        *part.fingerprint.get_mut() = 0;
        &mut part.value
    }
}

impl<T: Hash> Shared<T> {
    /// The value's fingerprint ([`crate::check::fingerprint`]), computed once.
    pub fn fingerprint(&self) -> u64 {
        match self.part.fingerprint.load(Ordering::Relaxed) {
            0 => {
                let fingerprint = crate::check::fingerprint(&self.part.value);
                // Threads that race here store the same value.
                self.part.fingerprint.store(fingerprint, Ordering::Relaxed);
                fingerprint
            }
            kept => kept,
        }
    }
}

impl<T: Clone> Clone for Part<T> {
    fn clone(&self) -> Self {
        // Only `make_mut` copies a part, to change it: nothing kept.
        Part {
            value: self.value.clone(),
            fingerprint: AtomicU64::new(0),
        }
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared {
            part: Arc::clone(&self.part),
        }
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.part.value
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared::new(value)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.same_part(other) || self.part.value == other.part.value
    }
}
impl<T: Eq> Eq for Shared<T> {}

impl<T: Hash> Hash for Shared<T> {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_u64(self.fingerprint());
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.part.value.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.part.value.serialize(serializer)
    }
}

/// Whether a node is running, paused (for how long), or crashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// Takes steps.
    Running,
    /// Takes no step while time runs on; the number is how long it has been paused
    /// (capped).
    Paused {
        /// Ticks paused so far (capped at the pause bound). Kept 0 while
        /// `bounded_pause` is relaxed in a protocol that opts in to the lean state
        /// (`Protocol::LEAN_STATE`, which promises no property reads it).
        ticks: u8,
    },
    /// Volatile state lost; waits for a restart.
    Crashed,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Envelope<M> {
    /// Sender.
    pub src: NodeId,
    /// Receiver.
    pub dst: NodeId,
    /// Ticks since it was sent, counted up to the delay bound Δ (with `bounded_delay`
    /// relaxed, its default bound): where a message may grow older than Δ (delay
    /// relaxed, or its receiver paused), an age at Δ means Δ or older, and a
    /// trace's step says "age ≥ Δ". Kept 0 while
    /// `bounded_delay` is relaxed in a protocol that opts in to the lean state
    /// (`Protocol::LEAN_STATE`, which promises no property reads it) when no property
    /// is an `eventually` one, and on the message set.
    pub age_ticks: u8,
    /// Payload.
    pub msg: M,
}

impl<M> Envelope<M> {
    pub(crate) fn same_channel(&self, other: &Envelope<M>) -> bool {
        self.src == other.src && self.dst == other.dst
    }
}

/// A set timer: its name, the local ticks left until its deadline, and how early
/// before the deadline it may fire (its window).
///
/// A plain timer has a window of 0: it is due exactly when `remaining_ticks` reaches 0.
/// A jittered timer (`Context::set_timer_within`) may fire at any local time in its
/// window: it is due once `remaining_ticks <= window_ticks`, and `timely_timers` lets
/// time pass its deadline no more than a plain timer's.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TimerEntry<T> {
    /// The protocol's timer name.
    pub timer: T,
    /// Local-clock ticks until the deadline; 0 means the deadline is now.
    pub remaining_ticks: u8,
    /// Ticks before the deadline from which the timer may already fire.
    #[serde(skip_serializing_if = "is_zero")]
    pub window_ticks: u8,
}

fn is_zero(value: &u8) -> bool {
    *value == 0
}

impl<T> TimerEntry<T> {
    /// A plain timer due in `remaining_ticks`.
    pub fn new(timer: T, remaining_ticks: u8) -> Self {
        TimerEntry {
            timer,
            remaining_ticks,
            window_ticks: 0,
        }
    }

    /// Whether the timer may fire now.
    pub fn is_due(&self) -> bool {
        self.remaining_ticks <= self.window_ticks
    }

    /// Whether the timer's deadline is now (time may not pass it while timers are
    /// timely).
    pub fn at_deadline(&self) -> bool {
        self.remaining_ticks == 0
    }
}

/// Everything about one node.
#[derive(Serialize)]
#[serde(bound = "")]
pub struct NodeRecord<P: Protocol> {
    /// Running, paused or crashed.
    pub status: NodeStatus,
    /// The protocol state; `None` while crashed.
    pub state: Option<P::State>,
    /// The synced persisted state.
    pub durable: P::Durable,
    /// A persisted write not yet synced (only when `durable_writes` is relaxed).
    pub unsynced: Option<P::Durable>,
    /// The node asked (`Context::persist_and_wait`) to be called back
    /// (`Protocol::on_durable`) once its writes are on disk; volatile: a crash clears
    /// it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub awaits_sync: bool,
    /// Set timers, sorted by name.
    pub timers: Vec<TimerEntry<P::Timer>>,
    /// Clock offset from true time, in ticks (capped).
    pub clock_offset_ticks: i8,
}

impl<P: Protocol> NodeRecord<P> {
    /// Whether the node can take steps.
    pub fn is_running(&self) -> bool {
        self.status == NodeStatus::Running
    }
}

// Manual impls: derives would demand `P: Clone + Hash + ...` instead of its types.
impl<P: Protocol> Clone for NodeRecord<P> {
    fn clone(&self) -> Self {
        NodeRecord {
            status: self.status,
            state: self.state.clone(),
            durable: self.durable.clone(),
            unsynced: self.unsynced.clone(),
            awaits_sync: self.awaits_sync,
            timers: self.timers.clone(),
            clock_offset_ticks: self.clock_offset_ticks,
        }
    }
}

impl<P: Protocol> PartialEq for NodeRecord<P> {
    fn eq(&self, other: &Self) -> bool {
        self.status == other.status
            && self.state == other.state
            && self.durable == other.durable
            && self.unsynced == other.unsynced
            && self.awaits_sync == other.awaits_sync
            && self.timers == other.timers
            && self.clock_offset_ticks == other.clock_offset_ticks
    }
}
impl<P: Protocol> Eq for NodeRecord<P> {}

impl<P: Protocol> Hash for NodeRecord<P> {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        self.hash_as(self.status, false, hasher);
    }
}

impl<P: Protocol> NodeRecord<P> {
    /// Hashes the record as if its status were `status` and, with `timers_at_zero`,
    /// every timer's remaining ticks were 0 (a subsumption frame hashes a paused node
    /// with its pause length set to 0 and, where they are counted, its timers at 0,
    /// `TimedSystem::slack`); with its own status and `false`, as it hashes.
    pub(crate) fn hash_as<H: Hasher>(
        &self,
        status: NodeStatus,
        timers_at_zero: bool,
        hasher: &mut H,
    ) {
        status.hash(hasher);
        self.state.hash(hasher);
        self.durable.hash(hasher);
        self.unsynced.hash(hasher);
        if timers_at_zero {
            self.timers.len().hash(hasher);
            for entry in &self.timers {
                entry.timer.hash(hasher);
                entry.window_ticks.hash(hasher);
            }
        } else {
            self.timers.hash(hasher);
        }
        self.clock_offset_ticks.hash(hasher);
        // Only when set: fingerprints of protocols that never wait stay as they were.
        if self.awaits_sync {
            u64::MAX.hash(hasher);
        }
    }
}

impl<P: Protocol> fmt::Debug for NodeRecord<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("status", &self.status)
            .field("state", &self.state)
            .field("durable", &self.durable)
            .field("unsynced", &self.unsynced)
            .field("awaits_sync", &self.awaits_sync)
            .field("timers", &self.timers)
            .field("clock_offset_ticks", &self.clock_offset_ticks)
            .finish()
    }
}

/// The whole system: nodes, the network, the observer state, the crash count.
#[derive(Serialize)]
#[serde(bound = "")]
pub struct SystemState<P: Protocol> {
    /// One record per node, each shared with the states it was not changed from.
    pub nodes: Vec<Shared<NodeRecord<P>>>,
    /// Messages in flight, in canonical order (per-channel send order kept under
    /// `fifo_links`).
    pub network: Vec<Envelope<P::Msg>>,
    /// Observer state (history, ghost variables), shared with the states it was not
    /// changed from.
    pub ghost: Shared<P::Ghost>,
    /// Crashes so far (tracked only while `max_crashes` is held).
    pub crashes: u8,
}

impl<P: Protocol> SystemState<P> {
    /// The protocol state of `node`, if it is not crashed.
    pub fn node_state(&self, node: P::Node) -> Option<&P::State> {
        self.nodes
            .get(node.index())
            .and_then(|record| record.state.as_ref())
    }

    /// The synced persisted state of `node`.
    pub fn durable(&self, node: P::Node) -> Option<&P::Durable> {
        self.nodes.get(node.index()).map(|record| &record.durable)
    }

    /// Each node with its protocol state (crashed nodes have none).
    pub fn node_states(&self) -> impl Iterator<Item = (P::Node, Option<&P::State>)> {
        <P::Node as Node>::ALL
            .iter()
            .zip(&self.nodes)
            .map(|(node, record)| (*node, record.state.as_ref()))
    }

    /// Messages in flight.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope<P::Msg>> {
        self.network.iter()
    }
}

impl<P: Protocol> Clone for SystemState<P> {
    fn clone(&self) -> Self {
        SystemState {
            nodes: self.nodes.clone(),
            network: self.network.clone(),
            ghost: self.ghost.clone(),
            crashes: self.crashes,
        }
    }
}

impl<P: Protocol> PartialEq for SystemState<P> {
    fn eq(&self, other: &Self) -> bool {
        self.nodes == other.nodes
            && self.network == other.network
            && self.ghost == other.ghost
            && self.crashes == other.crashes
    }
}
impl<P: Protocol> Eq for SystemState<P> {}

impl<P: Protocol> Hash for SystemState<P> {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        self.nodes.hash(hasher);
        self.network.hash(hasher);
        self.ghost.hash(hasher);
        self.crashes.hash(hasher);
    }
}

impl<P: Protocol> fmt::Debug for SystemState<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemState")
            .field("nodes", &self.nodes)
            .field("network", &self.network)
            .field("ghost", &self.ghost)
            .field("crashes", &self.crashes)
            .finish()
    }
}
