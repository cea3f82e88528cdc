//! The timed system: a `stateright::Model` built from a protocol and an assumption set.
//!
//! Candidate actions are generated as if every assumption were relaxed (up to the
//! caps); each held assumption then forbids some of them. The same `forbids` check
//! explains a counterexample: for a relaxed assumption, the first step it would have
//! forbidden is where the run broke it. One rule, two uses.

use super::assumption::{Assumption, AssumptionSet, Setting, BOUND_MAX};
use super::node::Node;
use super::protocol::{Context, NodeId, Property, Protocol, TimerEffect};
use super::state::{Envelope, NodeRecord, NodeStatus, Shared, SystemState, TimerEntry};
use super::symmetry::{Renamer, Renaming};
use crate::check::ModelFault;
use serde::Serialize;
use std::sync::Arc;

mod class_distance;
mod drift;
pub use class_distance::ClassDistances;
pub use drift::{DriftClasses, DriftStep};

/// A message is delivered as a duplicate (`no_duplication` relaxed) only while fewer
/// than this many messages are in flight: each duplicate delivery may make its receiver
/// send again while the duplicated message stays in flight, and this bounds the network
/// that feeds back.
pub const IN_FLIGHT_MAX: usize = 6;
/// The most properties one protocol may declare.
pub const PROPERTIES_MAX: usize = 16;
/// The most nodes one protocol may have.
pub const NODES_MAX: usize = 16;

/// A step of the timed system.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action<M, T> {
    /// Deliver a message to its (running) receiver.
    Deliver {
        /// The envelope delivered.
        envelope: Envelope<M>,
    },
    /// Lose a message (only when `reliable_links` is relaxed).
    Drop {
        /// The envelope lost.
        envelope: Envelope<M>,
        /// Which of the envelopes equal to `envelope` in flight is lost, counted from
        /// the first in the network: 0 but where `fifo_links` is held and a channel
        /// holds equal envelopes apart (`[m, x, m]`), whose losses leave different
        /// queues (`[x, m]`, `[m, x]`). Elsewhere equal envelopes are side by side and
        /// losing any of them leaves the same network. Not written out when 0.
        #[serde(skip_serializing_if = "is_first")]
        copy: usize,
    },
    /// Deliver a duplicate of a message to its (running) receiver: the message stays
    /// in flight, to be delivered (again), lost or duplicated later (only when
    /// `no_duplication` is relaxed). The network's copy is never a state of its own:
    /// duplicating and delivering the copy are one step.
    Duplicate {
        /// The envelope whose duplicate is delivered (it stays in flight).
        envelope: Envelope<M>,
    },
    /// Fire a due timer of a running node.
    Fire {
        /// The node.
        node: NodeId,
        /// The timer.
        timer: T,
    },
    /// Advance true time by one tick.
    Tick,
    /// Move one node's clock one tick ahead of (or behind) where it was.
    Drift {
        /// The node.
        node: NodeId,
        /// Ahead (true) or behind.
        forward: bool,
    },
    /// Pause a running node.
    Pause {
        /// The node.
        node: NodeId,
    },
    /// Resume a paused node.
    Resume {
        /// The node.
        node: NodeId,
    },
    /// Crash a node: volatile state, timers and unsynced writes are lost.
    Crash {
        /// The node.
        node: NodeId,
    },
    /// Restart a crashed node from its persisted state.
    Restart {
        /// The node.
        node: NodeId,
    },
    /// The disk syncs a node's pending write (only when `durable_writes` is relaxed).
    Sync {
        /// The node.
        node: NodeId,
    },
}

/// Whether a [`Action::Drop`] loses the first of its equal envelopes (serde's test).
fn is_first(copy: &usize) -> bool {
    *copy == 0
}

/// `action` with a loss taking the first of its equal envelopes: the same step up to
/// which copy it loses, for matching a step across systems that store different
/// quantities (two envelopes equal in one may differ in the other by their ages).
pub(crate) fn any_copy<M: Clone, T: Clone>(action: &Action<M, T>) -> Action<M, T> {
    match action {
        Action::Drop { envelope, .. } => Action::Drop {
            envelope: envelope.clone(),
            copy: 0,
        },
        other => other.clone(),
    }
}

/// The action type of the timed system over `P`.
pub type SystemAction<P> = Action<<P as Protocol>::Msg, <P as Protocol>::Timer>;

/// An error building a timed system.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SystemError {
    /// The protocol breaks a limit of the engine.
    #[error("protocol limit: {0}")]
    Limit(String),
    /// The protocol passed an engine cap while it was explored (see
    /// [`TimedSystem::cap_violation`]).
    #[error("engine cap exceeded: {0}")]
    CapExceeded(String),
    /// The protocol declares interchangeable nodes ([`Protocol::symmetry`]) that are
    /// not: they start differently, a property tells them apart, or their steps differ.
    #[error("{SYMMETRY_BROKEN}{0}")]
    Asymmetric(String),
    /// The protocol declares [`Protocol::LEAN_STATE`] or [`Protocol::MESSAGE_SET`] and
    /// a property or metric reads what it promised not to, or declares
    /// [`Protocol::DROPS_IGNORED`] and a message it says it ignores is not ignored
    /// ([`TimedSystem::audit_lean_state`]).
    #[error("the protocol does not keep a contract it declares: {0}")]
    LeanContract(String),
    /// A property selection ([`TimedSystem::searching_only`]) names a property the
    /// protocol does not declare: the name, what is close and what is valid.
    #[error("{0}")]
    UnknownProperty(String),
    /// A handler, property or metric reads what this check does not store: clock
    /// offsets while `bounded_skew` is relaxed (a handler's read is a model fault,
    /// [`Context::clock_offset_ticks`](super::Context::clock_offset_ticks); a property's
    /// or metric's is found by [`TimedSystem::audit_offset_readers`]).
    #[error("{OFFSETS_UNSTORED}{0}")]
    UnstoredRead(String),
}

/// The most states [`TimedSystem::audit_symmetry`] audits: each costs the classes of
/// its successors and of its swaps' (every audit of `check --all` together takes about
/// 3 CPU s with this cap; every renaming on 10 000 states took about 6 for the symmetry
/// audit alone, on a loaded machine: BENCHMARKS.md, "A soundness review").
pub const SYMMETRY_AUDIT_STATES: usize = 2_000;

/// The most states [`TimedSystem::audit_offset_readers`] audits (a property that reads
/// clock offsets usually shows it on the first states: every state stores none).
pub const OFFSET_AUDIT_STATES: usize = 1_000;

/// How a model fault about a broken symmetry starts (the search's fault slot holds
/// text; `pipeline::cap_check` turns this one into [`SystemError::Asymmetric`]).
pub(crate) const SYMMETRY_BROKEN: &str = "the declared symmetry does not hold: ";

/// How an error about a clock offset read where `bounded_skew` is relaxed starts (the
/// model fault's text, and [`SystemError::UnstoredRead`]'s): `bounds` tells it apart
/// from other errors (its probe with the skew relaxed is then not used).
pub const OFFSETS_UNSTORED: &str =
    "clock offsets are not stored while bounded_skew is relaxed (they have no bound): ";

/// What a step would break of one held assumption ([`TimedSystem::forbids`] writes it
/// out): references into the state and the action, so the search's filter formats
/// nothing.
enum Breach<'a, P: Protocol> {
    /// A Tick while this message is at the delay bound.
    Overdue(&'a Envelope<P::Msg>),
    /// A clock drifts past the skew bound.
    Skew { node: NodeId, offset_ticks: i64 },
    /// A node pauses with no pause allowed.
    Pause { node: NodeId },
    /// A Tick while a node is paused for the bound.
    OverlongPause { node: NodeId, ticks: u8 },
    /// A Tick while a running node's timer is at its deadline.
    DueTimer { node: NodeId, timer: &'a P::Timer },
    /// A clock jumps ahead while a timer of its node is at its deadline.
    JumpPastTimer { node: NodeId, timer: &'a P::Timer },
    /// A message is lost.
    Lost(&'a Envelope<P::Msg>),
    /// A message is copied.
    Duplicated(&'a Envelope<P::Msg>),
    /// A delivery overtakes an earlier message of its channel.
    Overtakes {
        envelope: &'a Envelope<P::Msg>,
        earlier: &'a Envelope<P::Msg>,
    },
    /// A crash past the crash bound (`number` counts it).
    Crash { node: NodeId, number: u32 },
    /// A crash with a persisted write not yet on disk.
    CrashBeforeSync { node: NodeId },
}

/// A protocol under an assumption set, as a model stateright (and synccheck's runner)
/// can explore.
#[derive(Clone, Debug)]
pub struct TimedSystem<P: Protocol> {
    protocol: P,
    assumptions: AssumptionSet,
    annotation_bounds: [u32; 9],
    properties: Vec<Property<P>>,
    time_cap: u8,
    age_cap: u8,
    pause_cap: u8,
    offset_cap: i8,
    lean: Lean,
    /// Messages in flight up to which a duplicate may be delivered: [`IN_FLIGHT_MAX`],
    /// or no cap in the system that explains a message-set system's runs.
    in_flight_cap: usize,
    /// Built by [`TimedSystem::without_lean_state`] (`--no-lean`): every quantity
    /// stored and the capped multiset network, also for the systems derived from it.
    keeps_everything: bool,
    /// The assumptions [`Protocol::ignores`] is asked under: the check's own, which the
    /// audit covered, also in a narrower system built to confirm a break (its runs are
    /// runs of the check's system, so what is ignored for ever there is here).
    ignores_under: AssumptionSet,
    symmetry: Option<Symmetric<P>>,
    fault: Arc<ModelFault>,
}

/// A renaming and the renaming that undoes it.
type RenamingAndInverse<N> = (Renaming<N>, Renaming<N>);

/// The renamings of a protocol's declared symmetry groups ([`Protocol::symmetry`]),
/// and how to rename a state.
struct Symmetric<P: Protocol> {
    /// Every renaming within the groups, the identity first, each with its inverse
    /// (which node a renamed state's node comes from).
    renamings: Arc<[RenamingAndInverse<P::Node>]>,
    rename: Renamer<P>,
    /// Node positions in the order a representative is chosen by
    /// ([`TimedSystem::least_renaming`]): the groups' nodes first, then the others.
    order: Arc<[usize]>,
    /// The groups as reports show them.
    groups: Arc<str>,
}

impl<P: Protocol> Clone for Symmetric<P> {
    fn clone(&self) -> Self {
        Symmetric {
            renamings: Arc::clone(&self.renamings),
            rename: self.rename,
            order: Arc::clone(&self.order),
            groups: Arc::clone(&self.groups),
        }
    }
}

impl<P: Protocol> std::fmt::Debug for Symmetric<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.renamings.iter().map(|(renaming, _)| renaming))
            .finish()
    }
}

/// The quantities a timed system does not store because nothing but an explanation
/// reads them; an explanation counts them along the path instead
/// ([`TimedSystem::lift_path`]).
///
/// **Message ages** (`Envelope::age_ticks`, kept 0) when `bounded_delay` is relaxed.
/// An age is read by: the `bounded_delay` constraint on Tick (held only); the
/// `fifo_links` explanation of an overtaking (with `fifo_links` held the constraint
/// uses queue positions, not ages); envelope equality, which splits otherwise equal
/// messages into different envelopes — no step's effect or precondition depends on
/// that (the duplication cap counts messages in flight, not copies of one envelope; a
/// loss names which of the envelopes equal to its own it takes, `Action::Drop`'s
/// `copy`, so in a channel whose order is kept every position can be lost with ages
/// stored or not). Handlers never see an age (`Context` has none), nor does any timer.
///
/// **Pause lengths** (`NodeStatus::Paused { ticks }`, kept 0) when `bounded_pause` is
/// relaxed. A pause length is read only by the `bounded_pause` constraint on Tick
/// (held only): Pause, Resume and every other step look at running / paused /
/// crashed, never at the count.
///
/// Only for protocols that opt in ([`Protocol::LEAN_STATE`]: no property or metric
/// reads the quantities) and have no `eventually` property: a lasso of the smaller
/// graph need not close in the full one (ages may still grow along it), so its length
/// and replay would differ.
///
/// Why verdicts and shortest counterexample lengths are unchanged: let α set those
/// quantities to 0 (and re-sort the network when it is a multiset). α relates each full
/// state to one stored state, and it is a bisimulation: every step of a full state `s`
/// is enabled in `α(s)` with the same label up to ages and leads to `α` of its target
/// (handlers, timers, faults and the held constraints do not read the quantities), and
/// every step of `α(s)` is such an image (a delivery, loss or copy of a message of `α(s)`
/// is one of some envelope of `s` with that message). Properties, metrics and the
/// deadlock check read the state through the protocol, which (by the contract of
/// `Protocol::LEAN_STATE`) does not read ages or pause lengths, so they
/// agree on related states; a bisimulation keeps every reachable property value at the
/// same BFS depth. Only the number of stored states drops.
///
/// **The message set** (`messages`) when `no_duplication`, `bounded_delay` and
/// `fifo_links` are relaxed, in a protocol that opts in with [`Protocol::MESSAGE_SET`]
/// (no property or metric reads which messages are in flight; an in-flight property,
/// `Property::always_or_in_flight`, keeps it off here too) and has no `eventually`
/// property. The network is then the *set* of messages sent and not yet lost to a
/// crash of their receiver: a delivery leaves the message in flight (it may arrive
/// again at any later time, or never), two sends of one message are one envelope,
/// and there is no loss step and no cap on messages in flight. This is not an
/// abstraction of the capped network above but of the same network without the cap:
/// with delay, order and duplication all relaxed no held constraint reads the network,
/// so a message left in flight changes no other step, and a state with more messages
/// in flight can do everything one with fewer can. A run of the multiset network maps
/// to a run of the set through states with the same nodes, ghost and crash count: a
/// consuming delivery or a duplicate becomes a keeping delivery, a loss becomes
/// nothing (so the run may get shorter). A run of the set maps to one of the same
/// length of the multiset: each keeping delivery becomes a consuming one, or a
/// duplicate where the run delivers the message again with no send of it in between
/// ([`TimedSystem::lift_path`]). So the properties, which read only nodes and ghost,
/// have the same verdicts, and at the same BFS depth: a shortest counterexample of the
/// multiset has no loss step (leaving the message in flight does as well), so lengths
/// agree. No state is deadlocked either way (with delay relaxed a Tick is allowed but
/// where a due timer or an overlong pause forbids it, and then a Fire or a Resume is
/// enabled).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lean {
    /// Message ages are not stored.
    pub ages: bool,
    /// Pause lengths are not stored.
    pub pauses: bool,
    /// The network is a set, and a delivery keeps the message in flight.
    pub messages: bool,
}

impl Lean {
    fn of<P: Protocol>(assumptions: &AssumptionSet, properties: &[Property<P>]) -> Self {
        let safety_only = properties
            .iter()
            .all(|property| property.kind != super::PropertyKind::Eventually);
        let network_free = !properties.iter().any(Property::reads_in_flight);
        let relaxed = |assumption| !assumptions.is_held(assumption);
        let messages = P::MESSAGE_SET
            && safety_only
            && network_free
            && relaxed(Assumption::NoDuplication)
            && relaxed(Assumption::BoundedDelay)
            && relaxed(Assumption::FifoLinks);
        if !P::LEAN_STATE {
            // The message set's contract covers ages (they are in the network).
            return Lean {
                ages: messages,
                pauses: false,
                messages,
            };
        }
        Lean {
            ages: safety_only && relaxed(Assumption::BoundedDelay),
            pauses: safety_only && relaxed(Assumption::BoundedPause),
            messages,
        }
    }
}

impl<P: Protocol> std::fmt::Debug for Property<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.name(), self.name)
    }
}

impl<P: Protocol> TimedSystem<P> {
    /// Builds the system. Fails when the protocol exceeds the engine's limits.
    pub fn new(protocol: P, assumptions: AssumptionSet) -> Result<Self, SystemError> {
        let properties = protocol.properties();
        if properties.len() > PROPERTIES_MAX {
            return Err(SystemError::Limit(format!(
                "{} properties declared; at most {PROPERTIES_MAX}",
                properties.len()
            )));
        }
        let node_count = P::Node::ALL.len();
        if node_count == 0 || node_count > NODES_MAX {
            return Err(SystemError::Limit(format!(
                "{node_count} nodes; between 1 and {NODES_MAX} supported"
            )));
        }
        if let Some((position, node)) = P::Node::ALL
            .iter()
            .enumerate()
            .find(|(position, node)| node.index() != *position)
        {
            return Err(SystemError::Limit(format!(
                "node `{}` is listed at position {position} of Node::ALL but says its index is {}",
                node.name(),
                node.index()
            )));
        }
        let constant = protocol.largest_time_constant_ticks();
        if constant > BOUND_MAX {
            return Err(SystemError::Limit(format!(
                "largest time constant {constant} ticks; at most {BOUND_MAX}"
            )));
        }
        let defaults = protocol.default_assumptions();
        let mut annotation_bounds = [0u32; 9];
        for (slot, assumption) in annotation_bounds.iter_mut().zip(Assumption::ALL) {
            *slot = match (
                assumptions.setting(assumption),
                defaults.setting(assumption),
            ) {
                (Setting::Held(bound), _) | (Setting::Relaxed, Setting::Held(bound)) => bound,
                (Setting::Relaxed, Setting::Relaxed) => assumption.default_bound(),
            };
        }
        // A timer is set at most `constant` local ticks ahead (checked when it is set);
        // a clock falling back afterwards moves its deadline further away. Held skew ε:
        // the offset moves at most 2ε between setting and now, so `constant + 2ε`
        // ticks is the most a timer can be away: derived, never exceeded. Relaxed skew:
        // `constant + 1`, and a clock does not fall back while one of its timers is
        // that far away (the bound of the relaxed fault model, see `node_candidates`).
        let drift_room = match assumptions.held_bound(Assumption::BoundedSkew) {
            Some(skew) => (2 * skew).max(1),
            None => 1,
        };
        let time_cap = u8::try_from(constant + drift_room)
            .map_err(|_| SystemError::Limit("time cap does not fit a byte".to_string()))?;
        // Each quantity is stored only as far as a constraint can tell values apart:
        // ages up to Δ, pauses up to P, offsets up to ε; not at all where only an
        // explanation reads it (see `Lean`; the caps are set by `with_lean`).
        let lean = Lean::of(&assumptions, &properties);
        // Relaxed skew: offsets are not stored at all (only timers feel a drift); an
        // explanation recomputes them from the Drift steps of the path.
        let offset_cap = match assumptions.held_bound(Assumption::BoundedSkew) {
            Some(skew) => i8::try_from(skew).expect("bounds fit a byte"),
            None => 0,
        };
        let symmetry = Self::symmetric(&protocol)?;
        let ignores_under = assumptions.clone();
        let system = TimedSystem {
            protocol,
            assumptions,
            annotation_bounds,
            properties,
            time_cap,
            age_cap: 0,
            pause_cap: 0,
            offset_cap,
            lean: Lean::default(),
            in_flight_cap: IN_FLIGHT_MAX,
            keeps_everything: false,
            ignores_under,
            symmetry,
            fault: Arc::new(ModelFault::default()),
        }
        .with_lean(lean);
        system.check_initial_symmetry()?;
        Ok(system)
    }

    /// This system storing what `lean` says: message ages up to Δ and pause lengths up
    /// to P, or not at all where `lean` leaves them out.
    fn with_lean(mut self, lean: Lean) -> Self {
        let bounds = self.annotation_bounds;
        let cap = |assumption: Assumption, left_out: bool| -> u8 {
            if left_out {
                return 0;
            }
            u8::try_from(bounds[assumption as usize].min(BOUND_MAX)).unwrap_or(u8::MAX)
        };
        self.age_cap = cap(Assumption::BoundedDelay, lean.ages);
        self.pause_cap = cap(Assumption::BoundedPause, lean.pauses);
        self.lean = lean;
        self
    }

    /// The protocol's symmetry groups as renamings, or why they cannot be used.
    fn symmetric(protocol: &P) -> Result<Option<Symmetric<P>>, SystemError> {
        let declared = protocol.symmetry();
        let Some(rename) = declared.renamer().filter(|_| declared.is_declared()) else {
            return Ok(None);
        };
        let renamings = Renaming::within_groups(declared.declared()).map_err(SystemError::Limit)?;
        let groups = declared
            .declared()
            .iter()
            .filter(|group| group.len() > 1)
            .map(|group| {
                let names: Vec<&str> = group.iter().map(|node| node.name()).collect();
                names.join(", ")
            })
            .collect::<Vec<_>>()
            .join(" | ");
        let node_count = P::Node::ALL.len();
        let grouped: Vec<usize> = declared
            .declared()
            .iter()
            .filter(|group| group.len() > 1)
            .flatten()
            .map(|node| node.index())
            .collect();
        let order: Vec<usize> = grouped
            .iter()
            .copied()
            .chain((0..node_count).filter(|index| !grouped.contains(index)))
            .collect();
        Ok(Some(Symmetric {
            renamings: renamings
                .iter()
                .map(|renaming| (*renaming, renaming.inverse()))
                .collect(),
            rename,
            order: order.into(),
            groups: groups.into(),
        }))
    }

    /// A symmetric protocol's one initial state is its own renaming: each node of a
    /// group starts as its group-mates do (`on_start` goes by role). Checked once,
    /// here, so an asymmetric start is an error rather than a wrong count.
    fn check_initial_symmetry(&self) -> Result<(), SystemError> {
        let Some(symmetry) = &self.symmetry else {
            return Ok(());
        };
        let initial = self.initial_state();
        for (renaming, _) in symmetry.renamings.iter().skip(1) {
            if self.renamed(&initial, renaming, symmetry) != initial {
                return Err(SystemError::Asymmetric(format!(
                    "the initial state changes under the renaming {}, so those nodes do not start alike; declare only nodes \
                     that on_start treats the same",
                    renaming.describe()
                )));
            }
        }
        Ok(())
    }

    /// Audits the declared symmetry ([`Protocol::symmetry`]) where a check relies on
    /// it: on the first `states` states (at most [`SYMMETRY_AUDIT_STATES`]),
    /// breadth-first, of this system, a state and each of its renamings that swaps two
    /// nodes of a group (the swaps generate every renaming within the groups) must lead
    /// to the same classes of states
    /// (the representatives [`TimedSystem::canonical`] picks of their successors),
    /// which is what storing one state per class needs. The initial state and the
    /// properties are checked elsewhere (`TimedSystem::check_symmetric_properties`);
    /// this catches a handler that tells a group's nodes apart (`if from ==
    /// client_b`), or a `Rewrite` that leaves a node it names unrenamed, on the states
    /// audited. A difference is [`SystemError::Asymmetric`] naming the renaming and
    /// one step whose image its renaming lacks.
    pub fn audit_symmetry(&self, states: usize) -> Result<(), SystemError> {
        let Some(symmetry) = &self.symmetry else {
            return Ok(());
        };
        let mut actions = Vec::new();
        let mut classes = |state: &SystemState<P>| -> Vec<(u64, SystemAction<P>)> {
            actions.clear();
            self.enabled_actions(state, &mut actions);
            let mut found: Vec<(u64, SystemAction<P>)> = (actions.iter())
                .filter_map(|action| {
                    let next = self.step(state, action)?;
                    Some((self.canonical(next).1, action.clone()))
                })
                .collect();
            found.sort_unstable_by_key(|(class, _)| *class);
            found.dedup_by_key(|(class, _)| *class);
            found
        };
        let nodes = P::Node::ALL.len();
        let swaps: Vec<&Renaming<P::Node>> = (symmetry.renamings.iter())
            .map(|(renaming, _)| renaming)
            .filter(|renaming| (0..nodes).filter(|&at| renaming.index(at) != at).count() == 2)
            .collect();
        let audited = crate::check::first_states(self, states.min(SYMMETRY_AUDIT_STATES));
        for (index, state) in audited.iter().enumerate() {
            let own = classes(state);
            for renaming in &swaps {
                let renamed = self.renamed(state, renaming, symmetry);
                let theirs = classes(&renamed);
                let differs = |(ours, action): &(u64, SystemAction<P>)| {
                    theirs
                        .binary_search_by_key(ours, |(class, _)| *class)
                        .is_err()
                        .then(|| self.describe_action(action))
                };
                let lacking = (own.iter().find_map(differs)).or_else(|| {
                    (theirs.len() != own.len()).then(|| "a step of the renamed state".to_string())
                });
                if let Some(step) = lacking {
                    return Err(SystemError::Asymmetric(format!(
                        "at state {} of a breadth-first search, `{step}` leads to a state whose \
                         renaming {} is not reached from the renamed state: the handlers must \
                         treat a group's nodes alike, and the `Rewrite` of its states, \
                         messages, timers and ghost must rename every node they name (or \
                         check with --no-symmetry)",
                        index + 1,
                        renaming.describe()
                    )));
                }
            }
        }
        Ok(())
    }

    /// `state` with its nodes renamed, in the order this system stores states in.
    fn renamed(
        &self,
        state: &SystemState<P>,
        renaming: &Renaming<P::Node>,
        symmetry: &Symmetric<P>,
    ) -> SystemState<P> {
        let mut renamed = symmetry.rename.state(state, renaming);
        self.canonicalize_network(&mut renamed.network);
        renamed
    }

    /// Whether the protocol declares interchangeable nodes ([`Protocol::symmetry`]).
    pub fn is_symmetric(&self) -> bool {
        self.symmetry.is_some()
    }

    /// The declared groups of interchangeable nodes, as reports show them
    /// (`client_a, client_b`; several separated by ` | `).
    pub fn symmetry_groups(&self) -> Option<String> {
        self.symmetry
            .as_ref()
            .map(|symmetry| symmetry.groups.to_string())
    }

    /// The representative of `state`'s symmetry class (the state itself when the
    /// protocol declares no symmetry), with its fingerprint: the renaming of `state`
    /// within the declared groups whose parts (node records position by position, the
    /// groups' nodes first, then the network, then the observer state) have the least
    /// fingerprints, compared part by part (their frames first where subsumption may
    /// apply, [`TimedSystem::subsumes`]) — the same state for every member of the
    /// class, on any thread. Pass it as the
    /// search's [`Canonicalize`](crate::check::Canonicalize)
    /// (`pipeline::check_system` does). A state that is its own representative comes
    /// back as it is (no copy).
    ///
    /// When the representative is a renaming, every property is evaluated on both: a
    /// property that tells them apart is not symmetric, so no verdict under this
    /// symmetry would hold; that is recorded as a model fault naming the property
    /// (the check ends with an error, exit 2).
    pub fn canonical(&self, state: SystemState<P>) -> (SystemState<P>, u64) {
        self.canonical_by_frames(state, self.frames_first())
    }

    /// Whether [`TimedSystem::least_renaming`] keys frames first, and with timers
    /// taken as 0: where this system's search subsumes.
    fn frames_first(&self) -> Option<bool> {
        self.subsumes().then(|| self.counts_timers())
    }

    /// [`TimedSystem::canonical`], keying frames first where `frames` says so (with
    /// timers' remaining ticks taken as 0 where it holds `true`): for a search whose
    /// subsumption counts other quantities than this system's ([`DriftClasses`]).
    pub(crate) fn canonical_by_frames(
        &self,
        state: SystemState<P>,
        frames: Option<bool>,
    ) -> (SystemState<P>, u64) {
        match self.least_renaming_by_frames(&state, None::<fn(usize)>, frames) {
            None => {
                let fingerprint = crate::check::fingerprint(&state);
                (state, fingerprint)
            }
            Some(renaming) => {
                let renamed = self.image(&state, &renaming);
                self.check_symmetric_properties(&state, &renamed, &renaming);
                let fingerprint = crate::check::fingerprint(&renamed);
                (renamed, fingerprint)
            }
        }
    }

    /// Which renaming of `state` is its class's representative: `None` when it is
    /// `state` itself (always, when the protocol declares no symmetry).
    ///
    /// Each renaming's image is keyed by the fingerprints of its parts, compared in a
    /// fixed order: its node records position by position (the groups' nodes first),
    /// each with `node_extra` of the node it came from where given (what a search
    /// stores per node beside the system state, moved with the node; without it the
    /// identity's records are keyed by their kept fingerprints), then its network (in the
    /// engine's order), then its observer state. The key is a function of the image,
    /// so the least key picks the same state from every member of a class; the
    /// identity wins a tie (equal keys: the same state). Where subsumption may apply
    /// ([`TimedSystem::subsumes`], whether or not a search turns it off) the parts'
    /// frames come first (node records with
    /// pause lengths and, where counted, timers' remaining ticks as 0, the network with
    /// ages as 0 in its frame order, the observer
    /// state), then the full parts: states whose frames are renamings of each other get
    /// representatives of one frame, which subsumption can compare. Renamings are dropped as soon
    /// as one part's key is larger than another's, so with the nodes of a group in
    /// different states one or two records per renaming are renamed and hashed, not
    /// whole states.
    pub(crate) fn least_renaming<E: std::hash::Hash>(
        &self,
        state: &SystemState<P>,
        node_extra: Option<impl Fn(usize) -> E>,
    ) -> Option<Renaming<P::Node>> {
        self.least_renaming_by_frames(state, node_extra, self.frames_first())
    }

    /// [`TimedSystem::least_renaming`], keying the parts' frames first where `frames`
    /// is given (timers' remaining ticks taken as 0 where it is `true`).
    fn least_renaming_by_frames<E: std::hash::Hash>(
        &self,
        state: &SystemState<P>,
        node_extra: Option<impl Fn(usize) -> E>,
        frames: Option<bool>,
    ) -> Option<Renaming<P::Node>> {
        use crate::check::fingerprint;
        let symmetry = self.symmetry.as_ref()?;
        // The identity's parts are keyed as stored: states are kept in the order a
        // renaming is put back in (timers sorted, the network canonical).
        debug_assert!(
            self.renamed(state, &Renaming::identity(), symmetry) == *state,
            "a state in the engine's order"
        );
        // Indices into `symmetry.renamings`, ascending: the identity (0) first.
        let mut alive: Vec<usize> = (0..symmetry.renamings.len()).collect();
        let mut keys: Vec<u64> = Vec::with_capacity(alive.len());
        // The image's record at `position` under the renaming at `index`, its kept
        // fingerprint (the identity's), and the node it came from.
        let record_at = |index: usize, position: usize| {
            let (renaming, inverse) = &symmetry.renamings[index];
            let source = inverse.index(position);
            if index == 0 {
                let record = &state.nodes[position];
                return (
                    std::borrow::Cow::Borrowed(&**record),
                    Some(record.fingerprint()),
                    source,
                );
            }
            let mut record = symmetry.rename.record(&state.nodes[source], renaming);
            record.timers.sort();
            (std::borrow::Cow::Owned(record), None, source)
        };
        let network_of = |index: usize| {
            if index == 0 {
                return std::borrow::Cow::Borrowed(&state.network[..]);
            }
            let mut network = symmetry
                .rename
                .network(&state.network, &symmetry.renamings[index].0);
            self.canonicalize_network(&mut network);
            std::borrow::Cow::Owned(network)
        };
        // A record's key, hashed as if its status were `status`: without an extra, the
        // hash of the record alone, which for its own status is its fingerprint (kept
        // for the identity's); with one, the record and its node's extra together.
        let record_key = |record: &NodeRecord<P>, kept: Option<u64>, status, timers, source| {
            let at = RecordAs {
                record,
                status,
                timers_at_zero: timers,
            };
            match &node_extra {
                None if status == record.status && !timers => {
                    kept.unwrap_or_else(|| fingerprint(record))
                }
                None => fingerprint(&at),
                Some(extra) => fingerprint(&(at, extra(source))),
            }
        };
        // The observer state's fingerprint (kept for the identity's).
        let ghost_key = |index: usize| {
            if index == 0 {
                return state.ghost.fingerprint();
            }
            fingerprint(
                &symmetry
                    .rename
                    .ghost(&state.ghost, &symmetry.renamings[index].0),
            )
        };
        if let Some(timers) = frames {
            // Where subsumption compares states (`TimedSystem::subsumes`), the parts'
            // frames first (`TimedSystem::slack`: ages, pause lengths and timers'
            // remaining ticks taken as 0 where counted):
            // two classes whose frames are renamings of each other get representatives
            // of one frame, so the one with younger messages, shorter pauses and
            // nearer timers covers the other whichever renamings they were reached by. The full parts then
            // break the ties; the key is still a function of the image.
            let (ages, pauses) = (self.counts_ages(), self.counts_pauses());
            for &position in symmetry.order.iter() {
                keep_least(&mut alive, &mut keys, |index| {
                    let (record, kept, source) = record_at(index, position);
                    let status = match record.status {
                        NodeStatus::Paused { .. } if pauses => NodeStatus::Paused { ticks: 0 },
                        status => status,
                    };
                    let timers = timers && !record.timers.is_empty();
                    record_key(&record, kept, status, timers, source)
                });
            }
            keep_least(&mut alive, &mut keys, |index| {
                let network = network_of(index);
                let order = self.frame_order(&network, ages);
                fingerprint(&NetworkFrame {
                    network: &network,
                    order: &order,
                    ages,
                })
            });
            keep_least(&mut alive, &mut keys, &ghost_key);
        }
        for &position in symmetry.order.iter() {
            keep_least(&mut alive, &mut keys, |index| {
                let (record, kept, source) = record_at(index, position);
                record_key(&record, kept, record.status, false, source)
            });
        }
        keep_least(&mut alive, &mut keys, |index| {
            fingerprint(&network_of(index).as_ref())
        });
        if frames.is_none() {
            keep_least(&mut alive, &mut keys, ghost_key);
        }
        let chosen = *alive.first()?;
        (chosen != 0).then(|| symmetry.renamings[chosen].0)
    }

    /// `state` renamed by `renaming` — node records moved, every node value inside
    /// them, the messages and the observer state renamed — in the order this system
    /// stores states in; `None` unless `renaming` permutes the protocol's declared
    /// groups (none when it declares no symmetry): only those map a state to a state
    /// of the same class.
    pub fn renamed_by(
        &self,
        state: &SystemState<P>,
        renaming: &Renaming<P::Node>,
    ) -> Option<SystemState<P>> {
        let symmetry = self.symmetry.as_ref()?;
        symmetry
            .renamings
            .iter()
            .any(|(declared, _)| declared == renaming)
            .then(|| self.renamed(state, renaming, symmetry))
    }

    /// `state` renamed by `renaming`, one that [`TimedSystem::least_renaming`] chose
    /// (the state itself, copied, when the protocol declares no symmetry).
    pub(crate) fn image(
        &self,
        state: &SystemState<P>,
        renaming: &Renaming<P::Node>,
    ) -> SystemState<P> {
        match &self.symmetry {
            Some(symmetry) => self.renamed(state, renaming, symmetry),
            None => state.clone(),
        }
    }

    /// Evaluates every property on `state` and on `renamed`, its renaming by
    /// `renaming`, and records a model fault naming the first property that tells them
    /// apart (see [`TimedSystem::canonical`]).
    pub(crate) fn check_symmetric_properties(
        &self,
        state: &SystemState<P>,
        renamed: &SystemState<P>,
        renaming: &Renaming<P::Node>,
    ) {
        for property in &self.properties {
            let before = property.holds(&self.protocol, state);
            let after = property.holds(&self.protocol, renamed);
            if before != after {
                self.fault.raise(format!(
                    "{SYMMETRY_BROKEN}property `{}` is not symmetric: it is {before} on a \
                     state and {after} \
                     on its renaming {}; a property checked under the protocol's symmetry \
                     must not tell the nodes of a group apart (make it symmetric, or check \
                     the full space with --no-symmetry)",
                    property.name,
                    renaming.describe()
                ));
            }
        }
    }

    /// Which quantities this system does not store (see [`Lean`]).
    pub fn lean(&self) -> Lean {
        self.lean
    }

    /// This system checking only the properties named in `names` (`--property`,
    /// [`CheckOptions::properties`](crate::check::CheckOptions::properties); empty:
    /// every one). For a protocol that declares [`Protocol::LEAN_STATE`] a selection
    /// without `eventually` properties stores no message ages or pause lengths where
    /// their assumptions are relaxed ([`Lean`]), so it may search fewer states. The
    /// network stays what it is for every property: a selection never puts the check on
    /// the message set (its safety search may still run there, as the whole check's
    /// does: [`TimedSystem::for_safety_search`]), so its paths are runs of the
    /// unselected system, explained and replayed alike ([`TimedSystem::explaining`]).
    /// `deadlock_free` may be named; the search decides it, it is not kept here. The
    /// check's options must carry the same selection. A `--no-lean` system
    /// ([`TimedSystem::without_lean_state`]) stays one.
    ///
    /// # Errors
    /// [`SystemError::UnknownProperty`] for a name the protocol does not declare.
    pub fn searching_only(self, names: &[String]) -> Result<Self, SystemError> {
        if names.is_empty() {
            return Ok(self);
        }
        let declared: Vec<&str> = self.properties.iter().map(|p| p.name).collect();
        if let Some(error) = crate::check::unknown_property(names, &declared) {
            return Err(SystemError::UnknownProperty(error));
        }
        let selected = (self.properties.iter())
            .filter(|property| names.iter().any(|name| name == property.name))
            .cloned()
            .collect();
        Ok(self.with_properties(selected))
    }

    /// `self`, a system built from the protocol to search runs of `checked`
    /// (a break's confirmation, a wider search of the fewest breaks), with the
    /// properties `checked` searches ([`TimedSystem::searching_only`]): a property's
    /// condition reads the list by position, so a property of `checked` is one of this
    /// system's only when the lists are the same.
    pub(crate) fn searching_as(self, checked: &Self) -> Self {
        let names = |system: &Self| -> Vec<&'static str> {
            system.properties.iter().map(|p| p.name).collect()
        };
        if names(&self) == names(checked) {
            return self;
        }
        self.with_properties(checked.properties.clone())
    }

    /// This system with `properties`, a part of its protocol's list in the protocol's
    /// order: ages and pauses as lean as those properties allow, the network as it is.
    fn with_properties(mut self, properties: Vec<Property<P>>) -> Self {
        self.properties = properties;
        if self.keeps_everything || !P::LEAN_STATE {
            // Without the lean state, ages are left out only with the message set.
            return self;
        }
        let narrowed = Lean::of(&self.assumptions, &self.properties);
        let lean = Lean {
            messages: self.lean.messages,
            ..narrowed
        };
        self.with_lean(lean)
    }

    /// The same system storing every quantity its explanations show (message ages up
    /// to Δ, pause lengths up to P), or `None` when this one already does. Traces are
    /// explained and replayed on it: a path of this system lifts to a path of that one
    /// with the same actions up to ages ([`TimedSystem::lift_path`]).
    ///
    /// A message-set system's runs are explained on the network without the duplicate
    /// cap (see [`Lean`]): a run that keeps more than [`IN_FLIGHT_MAX`] messages in
    /// flight and delivers one of them again is a run of that network.
    pub fn explaining(&self) -> Option<Self> {
        let full = self.storing_everything()?;
        Some(if self.lean.messages {
            full.without_duplicate_cap()
        } else {
            full
        })
    }

    /// The system the safety search of this one may run on when only its `eventually`
    /// properties, or the in-flight parts of its `always` properties
    /// ([`Property::always_or_in_flight`]), keep the message set off ([`Lean`]): the
    /// same protocol and assumptions, lean as a check of its properties without those
    /// would be, each in-flight property checked by its part that reads no network.
    /// `None` when that changes nothing, or for `--no-lean`.
    ///
    /// Its verdicts carry over to this system one way only: an `always` that holds there
    /// holds here (an in-flight property's network-free part is stronger than the
    /// property), and a `sometimes` unreached there is unreached here (the set stands
    /// for the multiset network without the duplicate cap, which has every run of this
    /// capped one). A violation there, or a reached example, is one here only when its
    /// path lifts to this system ([`TimedSystem::lift_path`]) and, for an in-flight
    /// property, the property is false at the lifted path's end
    /// ([`TimedSystem::property_holds`]); `pipeline::check_system` takes the set's
    /// verdicts only where every property carries over so, and otherwise searches this
    /// system.
    pub fn for_safety_search(&self) -> Option<Self> {
        if self.keeps_everything || self.lean.messages {
            return None;
        }
        let lean = Lean::of::<P>(&self.assumptions, &[]);
        if !lean.messages {
            return None;
        }
        let mut safety = self.clone();
        safety.properties = self
            .properties
            .iter()
            .map(Property::without_in_flight)
            .collect();
        safety.lean = lean;
        if lean.ages {
            safety.age_cap = 0;
        }
        if lean.pauses {
            safety.pause_cap = 0;
        }
        Some(safety)
    }

    /// This system with no cap on the messages in flight for a duplicate: the network a
    /// message-set system stands for (see [`Lean`]). Its break confirmations search
    /// on it, as its explanations do.
    pub(crate) fn without_duplicate_cap(mut self) -> Self {
        self.in_flight_cap = usize::MAX;
        self
    }

    fn storing_everything(&self) -> Option<Self> {
        if self.lean == Lean::default() {
            return None;
        }
        Some(self.clone().with_lean(Lean::default()))
    }

    /// What `state`, a state of this system, says against the contract of
    /// [`Protocol::LEAN_STATE`]: the first property (but an `eventually` one, never
    /// decided on the lean state) or metric whose value changes when
    /// every message in flight is made 0 ticks old, when every paused node's pause
    /// length is made 0, or (in a network whose order is not kept, a multiset sorted by
    /// age first) when the messages in flight are taken in reverse order; with `drift`,
    /// the first property whose value changes when every clock is moved as far ahead
    /// as a drift it can undo takes it (timers' remaining ticks and clock offsets, which
    /// [`DriftClasses`] does not tell apart; metrics are not taken there); with `timers`
    /// (subsumption counts them), the first property whose value changes when every
    /// timer is put at its deadline (metrics are not taken there either: their maxima
    /// come from a search that leaves no state out). `None` when
    /// nothing does, or `state` has nothing to change. Meaningful on a system that
    /// stores every quantity ([`TimedSystem::without_lean_state`]).
    pub fn lean_contract_breach(
        &self,
        state: &SystemState<P>,
        drift: bool,
        timers: bool,
    ) -> Option<String> {
        // Timers where subsumption counts them: whole properties and their
        // network-free parts, as for drifts; not metrics, whose maxima are taken on a
        // search that leaves nothing out.
        let timer_ahead = |record: &Shared<NodeRecord<P>>| {
            record.timers.iter().any(|entry| entry.remaining_ticks > 0)
        };
        if timers && state.nodes.iter().any(timer_ahead) {
            let mut due = state.clone();
            for record in &mut due.nodes {
                if timer_ahead(record) {
                    for entry in &mut record.make_mut().timers {
                        entry.remaining_ticks = 0;
                    }
                }
            }
            let reader = self
                .reader_of(state, &due, true, false)
                .or_else(|| self.reader_of(state, &due, false, false));
            if let Some(reader) = reader {
                return Some(format!(
                    "{} (a `LEAN_STATE` protocol must not read them; --no-subsumption \
                     expands every state)",
                    reader.reads("timers' remaining ticks", "every timer at its deadline")
                ));
            }
        }
        if drift {
            // Whole properties, and their network-free parts (what the safety search on
            // the message set reads).
            let front = self.drift_representative(state.clone());
            let reader = (front != *state)
                .then(|| {
                    self.reader_of(state, &front, true, false)
                        .or_else(|| self.reader_of(state, &front, false, false))
                })
                .flatten();
            if let Some(reader) = reader {
                return Some(format!(
                    "{} (a `LEAN_STATE` protocol must not read them; --no-drift-classes \
                     searches every state)",
                    reader.reads(
                        "timers' remaining ticks or clock offsets",
                        "every clock as far ahead as a drift it can undo takes it"
                    )
                ));
            }
        }
        let mut variants: Vec<(&str, &str, SystemState<P>)> = Vec::new();
        if state.network.iter().any(|envelope| envelope.age_ticks > 0) {
            let mut younger = state.clone();
            for envelope in &mut younger.network {
                envelope.age_ticks = 0;
            }
            self.canonicalize_network(&mut younger.network);
            variants.push((
                "message ages",
                "every message in flight 0 ticks old",
                younger,
            ));
        }
        let paused_a_while = |record: &Shared<NodeRecord<P>>| matches!(record.status, NodeStatus::Paused { ticks } if ticks > 0);
        if state.nodes.iter().any(paused_a_while) {
            let mut shorter = state.clone();
            for record in &mut shorter.nodes {
                if paused_a_while(record) {
                    record.make_mut().status = NodeStatus::Paused { ticks: 0 };
                }
            }
            variants.push(("pause lengths", "every paused node paused 0 ticks", shorter));
        }
        if state.network.len() > 1 && !self.assumptions.is_held(Assumption::FifoLinks) {
            let mut reversed = state.clone();
            reversed.network.reverse();
            variants.push((
                "the order of the messages in flight",
                "its messages in flight in reverse order",
                reversed,
            ));
        }
        variants
            .iter()
            .find_map(|(what, change, variant)| {
                self.reader_of(state, variant, true, true)
                    .map(|reader| reader.reads(what, change))
            })
            .map(|breach| format!("{breach} (a `LEAN_STATE` protocol must not read them)"))
    }

    /// What `state` says against the contract of [`Protocol::MESSAGE_SET`]: the first
    /// property (its part that reads no network, for one declared with
    /// [`Property::always_or_in_flight`]; not an `eventually` one, never decided on
    /// the set) or metric whose value changes when no
    /// message is in flight. `None` when nothing does, or nothing is in flight.
    pub fn message_set_breach(&self, state: &SystemState<P>) -> Option<String> {
        if state.network.is_empty() {
            return None;
        }
        let mut silent = state.clone();
        silent.network.clear();
        self.reader_of(state, &silent, false, true).map(|reader| {
            format!(
                "{} (a `MESSAGE_SET` protocol must not read them; a property that a message \
                 on its way may make true is declared with `Property::always_or_in_flight`)",
                reader.reads("the messages in flight", "no message in flight")
            )
        })
    }

    /// What `state`, a state of this system with every message kept
    /// ([`TimedSystem::without_lean_state`]), says against the contract of
    /// [`Protocol::ignores`]: the first message in flight its receiver is said to ignore
    /// for ever whose delivery changes more than the network, here or after an enabled
    /// step that leaves it in flight (any node's: a handler may read the ghost, the
    /// clock or its timers), or that such a step leaves no longer ignored; or a property
    /// (`eventually` ones included: the drop is not turned off for them) or metric whose
    /// value differs on the same state with every ignored message taken out. `None`
    /// when nothing does. Each checked state is one step of an induction: a message
    /// ignored and inert in a state whose steps all keep it so stays so.
    pub fn ignored_breach(&self, state: &SystemState<P>) -> Option<String> {
        if let Some(breach) = self.asymmetric_ignores(state) {
            return Some(breach);
        }
        let ignored: Vec<&Envelope<P::Msg>> = state
            .network
            .iter()
            .filter(|envelope| self.is_ignored(&state.nodes, envelope))
            .collect();
        if ignored.is_empty() {
            return None;
        }
        let mut actions = Vec::new();
        self.enabled_actions(state, &mut actions);
        for envelope in &ignored {
            let said = format!(
                "`ignores` says {} ignores {} for ever",
                self.node_name(envelope.dst),
                self.describe_envelope(envelope)
            );
            if !self.delivers_to_no_effect(state, envelope) {
                return Some(format!(
                    "{said}, but delivering it changes more than the network"
                ));
            }
            for action in &actions {
                let Some(next) = self.step(state, action) else {
                    continue;
                };
                let Some(still) = next
                    .network
                    .iter()
                    .find(|other| same_message(other, envelope))
                else {
                    continue;
                };
                let breach = if !self.is_ignored(&next.nodes, still) {
                    "it no longer does"
                } else if !self.delivers_to_no_effect(&next, still) {
                    "delivering it then changes more than the network"
                } else {
                    continue;
                };
                return Some(format!(
                    "{said}, but after the step `{}` {breach}",
                    self.describe_action(action)
                ));
            }
        }
        let mut without = state.clone();
        without
            .network
            .retain(|envelope| !self.is_ignored(&state.nodes, envelope));
        let eventually = self
            .properties
            .iter()
            .filter(|property| property.kind == super::PropertyKind::Eventually)
            .find_map(|property| {
                let before = property.holds(&self.protocol, state);
                let after = property.holds(&self.protocol, &without);
                (before != after).then(|| Reader {
                    name: format!("property `{}`", property.name),
                    before: before.to_string(),
                    after: after.to_string(),
                })
            });
        let names: Vec<String> = ignored
            .iter()
            .map(|envelope| self.describe_envelope(envelope))
            .collect();
        eventually
            .or_else(|| self.reader_of(state, &without, true, true))
            .map(|reader| {
                reader.reads(
                    "whether an ignored message is in flight",
                    &format!("{} taken out of the network", names.join(", ")),
                )
            })
    }

    /// Where the protocol declares symmetry: the first renaming of `state` on which
    /// [`Protocol::ignores`] does not say the renamed messages are ignored (the engine
    /// drops before it picks a representative, so an `ignores` that tells the nodes of
    /// a group apart would make the representatives depend on which member was stored).
    fn asymmetric_ignores(&self, state: &SystemState<P>) -> Option<String> {
        let symmetry = self.symmetry.as_ref()?;
        let kept = |state: &SystemState<P>| -> Vec<Envelope<P::Msg>> {
            state
                .network
                .iter()
                .filter(|envelope| !self.is_ignored(&state.nodes, envelope))
                .cloned()
                .collect()
        };
        let kept_here = kept(state);
        let mut without = state.clone();
        without.network = kept_here;
        symmetry.renamings.iter().skip(1).find_map(|(renaming, _)| {
            let renamed = self.renamed(state, renaming, symmetry);
            (kept(&renamed) != self.renamed(&without, renaming, symmetry).network).then(|| {
                format!(
                    "`ignores` is not symmetric: on a state and on its renaming {} it says \
                     different messages are ignored (it must not tell the nodes of a \
                     symmetry group apart)",
                    renaming.describe()
                )
            })
        })
    }

    /// Whether delivering `envelope` at `state` leaves the same state without it.
    fn delivers_to_no_effect(&self, state: &SystemState<P>, envelope: &Envelope<P::Msg>) -> bool {
        let deliver = Action::Deliver {
            envelope: envelope.clone(),
        };
        let Some(after) = self.step(state, &deliver) else {
            return true;
        };
        let mut without = state.clone();
        if let Some(index) = without.network.iter().position(|other| other == envelope) {
            without.network.remove(index);
        }
        after == without
    }

    /// The first property (not an `eventually` one) or, where `metrics`, metric whose
    /// value differs between `state` and `variant`, named, with the two values;
    /// in-flight parts of properties read only where `in_flight`.
    fn reader_of(
        &self,
        state: &SystemState<P>,
        variant: &SystemState<P>,
        in_flight: bool,
        metrics: bool,
    ) -> Option<Reader> {
        // An `eventually` property is decided only where nothing is left out (the lean
        // state, subsumption and the message set are off for a check with one, and the
        // safety search on the set leaves it to the multiset network).
        let decided_lean = self
            .properties
            .iter()
            .filter(|property| property.kind != super::PropertyKind::Eventually);
        for property in decided_lean {
            let property = if in_flight {
                property.clone()
            } else {
                property.without_in_flight()
            };
            let before = property.holds(&self.protocol, state);
            let after = property.holds(&self.protocol, variant);
            if before != after {
                return Some(Reader {
                    name: format!("property `{}`", property.name),
                    before: before.to_string(),
                    after: after.to_string(),
                });
            }
        }
        if !metrics {
            return None;
        }
        self.metric_reader(state, variant)
    }

    /// The first metric whose value differs on `state` and `variant`.
    fn metric_reader(&self, state: &SystemState<P>, variant: &SystemState<P>) -> Option<Reader> {
        let (before, after) = (self.protocol.metrics(state), self.protocol.metrics(variant));
        let value = |metrics: &[(&str, u64)], name: &str| {
            metrics
                .iter()
                .find(|(other, _)| *other == name)
                .map_or_else(|| "absent".to_string(), |(_, value)| value.to_string())
        };
        before
            .iter()
            .chain(&after)
            .map(|(name, _)| *name)
            .find(|name| value(&before, name) != value(&after, name))
            .map(|name| Reader {
                name: format!("metric `{name}`"),
                before: value(&before, name),
                after: value(&after, name),
            })
    }

    /// Where `bounded_skew` is relaxed (no offset is stored, every one reads 0), the
    /// first property (of any kind, whole or without its in-flight part) or metric
    /// whose value on `state` changes when clock offsets are set: each node's alone,
    /// then every node's, to ±1 and to ±[`BOUND_MAX`](super::BOUND_MAX) (the widest an
    /// offset is stored), then to distinct values.
    fn offset_reader(&self, state: &SystemState<P>) -> Option<Reader> {
        let nodes = state.nodes.len();
        let widest = i8::try_from(super::BOUND_MAX).unwrap_or(i8::MAX);
        let mut settings: Vec<Vec<i8>> = Vec::new();
        for value in [1, -1, widest, -widest] {
            for node in 0..nodes {
                let mut offsets = vec![0; nodes];
                offsets[node] = value;
                settings.push(offsets);
            }
            settings.push(vec![value; nodes]);
        }
        settings.push(
            (0..nodes)
                .map(|node| i8::try_from(node + 1).unwrap_or(i8::MAX))
                .collect(),
        );
        settings.into_iter().find_map(|offsets| {
            let mut variant = state.clone();
            for (record, offset) in variant.nodes.iter_mut().zip(offsets) {
                record.make_mut().clock_offset_ticks = offset;
            }
            // Whole, and without the in-flight part (what the safety search on the
            // message set evaluates).
            (self.properties.iter())
                .flat_map(|property| [property.clone(), property.without_in_flight()])
                .find_map(|property| {
                    let (before, after) = (
                        property.holds(&self.protocol, state),
                        property.holds(&self.protocol, &variant),
                    );
                    (before != after).then(|| Reader {
                        name: format!("property `{}`", property.name),
                        before: before.to_string(),
                        after: after.to_string(),
                    })
                })
                .or_else(|| self.metric_reader(state, &variant))
        })
    }

    /// Audits, where `bounded_skew` is relaxed, that no property and no metric reads
    /// clock offsets (`TimedSystem::offset_reader` on the first `states` states of a
    /// BFS; the check audits [`OFFSET_AUDIT_STATES`], whatever `--lean-audit` says):
    /// the engine stores none there, so such a reader would see 0 whatever the clocks
    /// did and its verdict would be wrong. For every protocol, declared contracts or
    /// not. A read that only later states show is not caught.
    pub fn audit_offset_readers(&self, states: usize) -> Result<(), SystemError> {
        if self.assumptions.is_held(Assumption::BoundedSkew) {
            return Ok(());
        }
        for (index, state) in crate::check::first_states(self, states).iter().enumerate() {
            if let Some(reader) = self.offset_reader(state) {
                return Err(SystemError::UnstoredRead(format!(
                    "{}, seen at state {} of a breadth-first search (each offset reads 0 \
                     there, whatever the clocks did); hold bounded_skew at a bound \
                     (--hold bounded_skew=2; hold = [\"bounded_skew=2\"] in a plan) to \
                     check it",
                    reader.reads("clock offsets", "clock offsets set"),
                    index + 1
                )));
            }
        }
        Ok(())
    }

    /// Audits the contracts of [`Protocol::LEAN_STATE`] and [`Protocol::MESSAGE_SET`]
    /// where this check relies on them: `LEAN_STATE` where the lean state drops ages or
    /// pause lengths (here or in the safety search on the message set,
    /// [`TimedSystem::for_safety_search`]), `subsumption` is on and this system or one
    /// holding more assumptions (a break's confirmation) may subsume
    /// ([`TimedSystem::subsumes`]), or `drift` (the safety search runs first on drift
    /// classes, [`TimedSystem::drift_classes`]); `MESSAGE_SET` where either search runs
    /// on the message set; [`Protocol::ignores`] where this system drops ignored
    /// messages ([`Protocol::DROPS_IGNORED`]). On the first `states` states,
    /// breadth-first, of this system with every quantity stored and every message kept
    /// ([`TimedSystem::lean_contract_breach`], [`TimedSystem::message_set_breach`],
    /// [`TimedSystem::ignored_breach`]), and for the message set on the first `states`
    /// of the set's own search too (a delivered message stays in flight there, so it
    /// holds states no capped run has). The engine cannot see what a property
    /// reads, so a protocol that declares a contract and breaks it would get a wrong
    /// verdict; this turns what the audited states show of it into an error
    /// ([`SystemError::LeanContract`]). A read that only states beyond the audited ones
    /// reveal is not caught: raise `states` in a test of the protocol
    /// (`testing::CheckBuilder::lean_audit`).
    pub fn audit_lean_state(
        &self,
        states: usize,
        subsumption: bool,
        drift: bool,
    ) -> Result<(), SystemError> {
        let safety = self.for_safety_search();
        let leans: Vec<Lean> = std::iter::once(self.lean)
            .chain(safety.map(|safety| safety.lean))
            .collect();
        let drift = drift && self.drift_classes().is_some();
        let timers = subsumption && self.subsumes() && self.counts_timers();
        // A break's confirmation searches this system with one more assumption held,
        // which may count what this one does not (ages once `bounded_delay` or
        // `reliable_links` is held, pause lengths once `bounded_pause` is): its
        // subsumption rests on this audit too.
        let narrowed_subsumes = subsumption
            && !self.keeps_everything
            && (self.properties.iter()).all(|p| p.kind != super::PropertyKind::Eventually);
        let lean_state = P::LEAN_STATE
            && (leans.iter().any(|lean| lean.ages || lean.pauses) || narrowed_subsumes || drift);
        let message_set = P::MESSAGE_SET && leans.iter().any(|lean| lean.messages);
        let drops_ignored = self.drops_ignored();
        if !(lean_state || message_set || drops_ignored) || states == 0 {
            return Ok(());
        }
        let full = self.clone().without_lean_state();
        for (index, state) in crate::check::first_states(&full, states).iter().enumerate() {
            let breach = lean_state
                .then(|| full.lean_contract_breach(state, drift, timers))
                .flatten()
                .or_else(|| {
                    message_set
                        .then(|| full.message_set_breach(state))
                        .flatten()
                })
                .or_else(|| drops_ignored.then(|| full.ignored_breach(state)).flatten());
            if let Some(breach) = breach {
                return Err(SystemError::LeanContract(format!(
                    "{breach}, seen at state {} of a breadth-first search storing every \
                     quantity; drop the declaration from the protocol, or check with --no-lean",
                    index + 1
                )));
            }
        }
        // The message set holds states no capped run has (every message delivered is
        // still in flight), so a property that reads the network may agree with its
        // network-free part on every capped state and not on those: the set's own
        // first states are audited as well.
        let sets = std::iter::once(self.clone())
            .chain(self.for_safety_search())
            .filter(|system| message_set && system.lean.messages);
        for set in sets {
            for (index, state) in crate::check::first_states(&set, states).iter().enumerate() {
                if let Some(breach) = set.message_set_breach(state) {
                    return Err(SystemError::LeanContract(format!(
                        "{breach}, seen at state {} of a breadth-first search on the message \
                         set (a delivered message stays in flight there); drop the declaration \
                         from the protocol, or check with --no-lean",
                        index + 1
                    )));
                }
            }
        }
        Ok(())
    }

    /// This system storing every quantity, with a multiset network and its duplicate
    /// cap, keeping every message (the lean state off: `--no-lean`). Same verdicts and counterexample
    /// lengths (longer by deliveries that do nothing where the protocol drops the
    /// messages it ignores, [`Protocol::DROPS_IGNORED`]) when the protocol keeps the
    /// contracts of [`Protocol::LEAN_STATE`] and [`Protocol::MESSAGE_SET`] (and, for the message set, no run needs a duplicate
    /// delivered while [`IN_FLIGHT_MAX`] messages are in flight); more states.
    pub fn without_lean_state(self) -> Self {
        let mut plain = match self.storing_everything() {
            Some(full) => full,
            None => self,
        };
        plain.keeps_everything = true;
        plain
    }

    /// This system asking [`Protocol::ignores`] under `wider`'s assumptions, which its
    /// audit covered: for a system that holds more assumptions than `wider`, built to
    /// search runs of `wider` (`report::confirm`).
    pub(crate) fn ignoring_as(mut self, wider: &Self) -> Self {
        self.ignores_under = wider.ignores_under.clone();
        self
    }

    /// Whether this system was built by [`TimedSystem::without_lean_state`]
    /// (`--no-lean`): its break confirmations and fewest-breaks searches run on the
    /// capped multiset network too, and its traces say so.
    pub fn keeps_everything(&self) -> bool {
        self.keeps_everything
    }

    /// Whether a duplicate may be made with any number of messages in flight: the
    /// network a message-set system stands for ([`TimedSystem::explaining`]).
    pub(crate) fn is_uncapped(&self) -> bool {
        self.in_flight_cap == usize::MAX
    }

    /// `state` as this system stores it: a state of [`TimedSystem::explaining`] with
    /// the quantities this one does not store set to 0.
    pub fn stored(&self, state: &SystemState<P>) -> SystemState<P> {
        let mut stored = state.clone();
        if self.lean.ages {
            for envelope in &mut stored.network {
                envelope.age_ticks = 0;
            }
            self.canonicalize_network(&mut stored.network);
        }
        if self.lean.messages {
            stored.network.dedup();
        }
        if self.lean.pauses {
            for record in &mut stored.nodes {
                if matches!(record.status, NodeStatus::Paused { ticks } if ticks > 0) {
                    record.make_mut().status = NodeStatus::Paused { ticks: 0 };
                }
            }
        }
        stored
    }

    /// `action` as this system stores it (a message's age set to 0 when ages are not
    /// stored).
    pub fn stored_action(&self, action: &SystemAction<P>) -> SystemAction<P> {
        let mut action = match action {
            // A message-set delivery keeps the message: it stands for either.
            Action::Duplicate { envelope } if self.lean.messages => Action::Deliver {
                envelope: envelope.clone(),
            },
            _ => action.clone(),
        };
        if self.lean.ages {
            if let Action::Deliver { envelope }
            | Action::Drop { envelope, .. }
            | Action::Duplicate { envelope } = &mut action
            {
                envelope.age_ticks = 0;
            }
        }
        action
    }

    /// The path of `full` (this system's [`TimedSystem::explaining`]) that `path` of
    /// this system abstracts: the same actions, each message step taking the oldest
    /// matching message (the choice that breaks `bounded_delay` and `fifo_links` least).
    /// In a message-set system (see [`Lean`]) a delivery becomes one that consumes the
    /// message, or a duplicate where the path delivers the message again later and
    /// nothing sends it again in between and no other copy is in flight: so a
    /// duplicate is named exactly where the run needs one.
    /// `None` if a step has no counterpart (it cannot happen: each run of this system
    /// is one of that one's), so a caller can fall back to the stored path.
    pub fn lift_path(
        &self,
        full: &TimedSystem<P>,
        path: &crate::check::Path<Self>,
    ) -> Option<crate::check::Path<Self>> {
        let needs_copy = if self.lean.messages {
            self.needs_copy(full, path)?
        } else {
            vec![false; path.actions.len()]
        };
        let mut state = full.initial_state();
        if !self.abstracts(path.states.first()?, &state) {
            return None;
        }
        let mut lifted = crate::check::Path {
            states: vec![state.clone()],
            actions: Vec::with_capacity(path.actions.len()),
        };
        for (index, (action, after)) in path.actions.iter().zip(&path.states[1..]).enumerate() {
            let mut enabled = Vec::new();
            full.enabled_actions(&state, &mut enabled);
            let duplicate = needs_copy[index]
                && match action {
                    Action::Deliver { envelope } => {
                        state
                            .network
                            .iter()
                            .filter(|e| same_message(e, envelope))
                            .count()
                            < 2
                    }
                    _ => false,
                };
            // A loss is matched up to which of its equal envelopes it takes: with ages
            // not stored, envelopes equal here may differ in `full` (and the other way
            // round), so the one whose loss leaves the path's queue is the one taken.
            let matching: Vec<SystemAction<P>> = enabled
                .into_iter()
                .filter(|candidate| any_copy(&self.stored_action(candidate)) == any_copy(action))
                .filter(|candidate| match candidate {
                    Action::Deliver { .. } if self.lean.messages => !duplicate,
                    Action::Duplicate { .. } if self.lean.messages => duplicate,
                    _ => true,
                })
                .collect();
            let oldest = (matching.iter().enumerate())
                .max_by_key(|(_, candidate)| match candidate {
                    Action::Deliver { envelope }
                    | Action::Drop { envelope, .. }
                    | Action::Duplicate { envelope } => envelope.age_ticks,
                    _ => 0,
                })
                .map(|(at, _)| at)?;
            let others = (0..matching.len()).filter(|at| *at != oldest);
            let (chosen, next) = std::iter::once(oldest).chain(others).find_map(|at| {
                let next = full.step(&state, &matching[at])?;
                self.abstracts(after, &next)
                    .then(|| (matching[at].clone(), next))
            })?;
            lifted.actions.push(chosen);
            lifted.states.push(next.clone());
            state = next;
        }
        Some(lifted)
    }

    /// Whether `stored`, a state of this system, stands for `full`, one of
    /// [`TimedSystem::explaining`]: equal once the quantities this system does not
    /// store are set to 0, except that a message set may hold messages that `full`'s
    /// run consumed.
    pub(crate) fn abstracts(&self, stored: &SystemState<P>, full: &SystemState<P>) -> bool {
        let seen = self.stored(full);
        if !self.lean.messages {
            return seen == *stored;
        }
        seen.nodes == stored.nodes
            && seen.ghost == stored.ghost
            && seen.crashes == stored.crashes
            && seen.network.iter().all(|e| stored.network.contains(e))
    }

    /// For each step of a message-set `path`: whether it delivers a message that the
    /// path delivers again later with no send of it in between (so a run that consumed
    /// it here would need another copy). Found by running the path on `full` with every
    /// delivery keeping its message, which sends the same messages at the same steps.
    fn needs_copy(
        &self,
        full: &TimedSystem<P>,
        path: &crate::check::Path<Self>,
    ) -> Option<Vec<bool>> {
        let mut state = full.initial_state();
        let mut sent: Vec<Vec<Envelope<P::Msg>>> = Vec::with_capacity(path.actions.len());
        for action in &path.actions {
            let step = match action {
                Action::Deliver { envelope } => Action::Duplicate {
                    envelope: state
                        .network
                        .iter()
                        .find(|e| same_message(e, envelope))?
                        .clone(),
                },
                other => other.clone(),
            };
            let next = full.step(&state, &step)?;
            let mut new = Vec::new();
            for envelope in &next.network {
                let count = |network: &[Envelope<P::Msg>]| {
                    network.iter().filter(|e| same_message(e, envelope)).count()
                };
                if count(&next.network) > count(&state.network)
                    && !new.iter().any(|e| same_message(e, envelope))
                {
                    new.push(envelope.clone());
                }
            }
            sent.push(new);
            state = next;
        }
        let delivered = |index: usize| match &path.actions[index] {
            Action::Deliver { envelope } => Some(envelope),
            _ => None,
        };
        Some(
            (0..path.actions.len())
                .map(|index| {
                    let Some(envelope) = delivered(index) else {
                        return false;
                    };
                    let again = (index + 1..path.actions.len())
                        .find(|later| delivered(*later).is_some_and(|e| same_message(e, envelope)));
                    again.is_some_and(|again| {
                        !sent[index..again]
                            .iter()
                            .flatten()
                            .any(|e| same_message(e, envelope))
                    })
                })
                .collect(),
        )
    }

    /// Where the engine records the first value that would pass one of its caps (a
    /// timer set beyond `largest_time_constant_ticks`). Pass it as
    /// `CheckOptions::fault` so a search stops on it; after any use of the system
    /// (check, replay, graph), [`TimedSystem::cap_violation`] says whether one was hit.
    pub fn fault(&self) -> Arc<ModelFault> {
        Arc::clone(&self.fault)
    }

    /// The cap violation recorded so far, if any: the protocol is in error (it did
    /// something the engine cannot represent), and no verdict about it can be trusted.
    pub fn cap_violation(&self) -> Option<String> {
        self.fault.message()
    }

    /// The protocol.
    pub fn protocol(&self) -> &P {
        &self.protocol
    }

    /// The assumption set the system runs under.
    pub fn assumptions(&self) -> &AssumptionSet {
        &self.assumptions
    }

    /// The protocol's properties.
    pub fn protocol_properties(&self) -> &[Property<P>] {
        &self.properties
    }

    /// Whether the property named `name` is true in `state` (`None`: no such property).
    pub fn property_holds(&self, name: &str, state: &SystemState<P>) -> Option<bool> {
        self.properties
            .iter()
            .find(|property| property.name == name)
            .map(|property| property.holds(&self.protocol, state))
    }

    /// The cap on remaining timer ticks (largest time constant + 1).
    pub fn time_cap_ticks(&self) -> u8 {
        self.time_cap
    }

    /// The bound used to explain a relaxed assumption (the protocol's default bound).
    pub fn annotation_bound(&self, assumption: Assumption) -> u32 {
        self.annotation_bounds[assumption as usize]
    }

    /// The name of the node at engine index `node`.
    pub fn node_name(&self, node: NodeId) -> &'static str {
        P::Node::ALL.get(node).map_or("?", |n| n.name())
    }

    /// The initial state: every node started, clocks agreeing.
    pub fn initial_state(&self) -> SystemState<P> {
        let node_count = P::Node::ALL.len();
        let mut state = SystemState {
            nodes: (0..node_count)
                .map(|_| {
                    Shared::new(NodeRecord {
                        status: NodeStatus::Running,
                        state: None,
                        durable: P::Durable::default(),
                        unsynced: None,
                        awaits_sync: false,
                        timers: Vec::new(),
                        clock_offset_ticks: 0,
                    })
                })
                .collect(),
            network: Vec::new(),
            ghost: Shared::new(P::Ghost::default()),
            crashes: 0,
        };
        for node in 0..node_count {
            self.run_handler(&mut state, node, |protocol, _, ctx| {
                Some(protocol.on_start(P::Node::ALL[node], ctx))
            });
        }
        state
    }

    /// All actions enabled in `state` under the held assumptions, appended to `out`.
    pub fn enabled_actions(&self, state: &SystemState<P>, out: &mut Vec<SystemAction<P>>) {
        // The candidates go straight into `out` and the forbidden ones are compacted
        // away in place: no second buffer per state.
        let start = out.len();
        self.candidate_actions(state, out);
        let mut kept = start;
        for index in start..out.len() {
            if self.allowed(state, &out[index]) {
                out.swap(kept, index);
                kept += 1;
            }
        }
        out.truncate(kept);
        debug_assert!(
            kept > start || !self.never_deadlocks(),
            "no step enabled with bounded_delay relaxed"
        );
    }

    /// Every action the fully relaxed system could take (within the caps).
    fn candidate_actions(&self, state: &SystemState<P>, out: &mut Vec<SystemAction<P>>) {
        let network = &state.network;
        // A multiset network is sorted: equal envelopes are side by side, one loss
        // stands for any of them.
        let order_kept = self.assumptions.is_held(Assumption::FifoLinks);
        for (index, envelope) in network.iter().enumerate() {
            let repeated = index > 0 && network[index - 1] == *envelope;
            if repeated {
                continue;
            }
            let receiver_runs = state.nodes[envelope.dst].is_running();
            if self.lean.messages {
                // Delivery keeps the message; losing it is left out: leaving it in
                // flight can do all a loss can (see `Lean`).
                if receiver_runs {
                    out.push(Action::Deliver {
                        envelope: envelope.clone(),
                    });
                }
                continue;
            }
            if receiver_runs {
                out.push(Action::Deliver {
                    envelope: envelope.clone(),
                });
            }
            // Equal envelopes apart in the network are in one channel whose order is
            // kept: each may be lost, each loss leaving its own queue.
            let copy = if order_kept {
                network[..index].iter().filter(|e| *e == envelope).count()
            } else {
                0
            };
            out.push(Action::Drop {
                envelope: envelope.clone(),
                copy,
            });
            if receiver_runs && network.len() < self.in_flight_cap {
                out.push(Action::Duplicate {
                    envelope: envelope.clone(),
                });
            }
        }
        for (node, record) in state.nodes.iter().enumerate() {
            self.node_candidates(node, record, out);
        }
        out.push(Action::Tick);
    }

    fn node_candidates(
        &self,
        node: NodeId,
        record: &NodeRecord<P>,
        out: &mut Vec<SystemAction<P>>,
    ) {
        match record.status {
            NodeStatus::Running => {
                for entry in record.timers.iter().filter(|e| e.is_due()) {
                    out.push(Action::Fire {
                        node,
                        timer: entry.timer.clone(),
                    });
                }
                if P::Node::ALL[node].may_pause() {
                    out.push(Action::Pause { node });
                }
            }
            NodeStatus::Paused { .. } => out.push(Action::Resume { node }),
            NodeStatus::Crashed => out.push(Action::Restart { node }),
        }
        if record.status != NodeStatus::Crashed {
            let (ahead, behind) = self.drift_candidates(record);
            if ahead {
                out.push(Action::Drift {
                    node,
                    forward: true,
                });
            }
            if behind {
                out.push(Action::Drift {
                    node,
                    forward: false,
                });
            }
            if P::Node::ALL[node].may_crash() {
                out.push(Action::Crash { node });
            }
        }
        // The disk flushes a pending write (running or paused node), or, once flushed,
        // a running node that waits for it is called back (a Sync step each).
        if record.unsynced.is_some() || (record.awaits_sync && record.is_running()) {
            out.push(Action::Sync { node });
        }
    }

    /// Whether a drift of a (not crashed) node's clock ahead, and behind, is a
    /// candidate step ([`TimedSystem::enabled_actions`] then asks the held assumptions).
    fn drift_candidates(&self, record: &NodeRecord<P>) -> (bool, bool) {
        let offset = record.clock_offset_ticks;
        // A drift is a step only if it moves the offset or some timer.
        let ahead = offset < self.offset_cap || record.timers.iter().any(|e| e.remaining_ticks > 0);
        // A clock does not fall back while a timer of its node is at the time cap
        // (it would be stored nearer than it is): with skew held the cap is never
        // reached; with skew relaxed this is the bound of the fault model.
        let timers_have_room = record
            .timers
            .iter()
            .all(|e| e.remaining_ticks < self.time_cap);
        let behind = timers_have_room && (offset > -self.offset_cap || !record.timers.is_empty());
        (ahead, behind)
    }

    /// Whether `node`'s clock may drift one tick ahead (`forward`) or behind at
    /// `state`: what [`TimedSystem::enabled_actions`] says of that one step, without
    /// listing the others.
    pub(crate) fn drift_enabled(
        &self,
        state: &SystemState<P>,
        node: NodeId,
        forward: bool,
    ) -> bool {
        let record = &state.nodes[node];
        if record.status == NodeStatus::Crashed {
            return false;
        }
        let (ahead, behind) = self.drift_candidates(record);
        (if forward { ahead } else { behind })
            && self.allowed(state, &Action::Drift { node, forward })
    }

    /// Why `assumption`, held with `bound`, forbids `action` in `state`; `None` when it
    /// allows it. `crashes_so_far` counts crashes before this step.
    pub fn forbids(
        &self,
        assumption: Assumption,
        bound: u32,
        state: &SystemState<P>,
        action: &SystemAction<P>,
        crashes_so_far: u8,
    ) -> Option<String> {
        self.breach(assumption, bound, state, action, crashes_so_far)
            .map(|breach| self.describe_breach(&breach))
    }

    /// Whether every held assumption allows `action` in `state` (the search's filter:
    /// [`TimedSystem::forbids`] without writing the reason).
    fn allowed(&self, state: &SystemState<P>, action: &SystemAction<P>) -> bool {
        Assumption::ALL
            .into_iter()
            .all(|assumption| match self.assumptions.setting(assumption) {
                Setting::Relaxed => true,
                Setting::Held(bound) => self
                    .breach(assumption, bound, state, action, state.crashes)
                    .is_none(),
            })
    }

    /// The rule behind [`TimedSystem::forbids`]: what `action` would break, as data (the
    /// search asks on every candidate action, so nothing is formatted here).
    fn breach<'a>(
        &self,
        assumption: Assumption,
        bound: u32,
        state: &'a SystemState<P>,
        action: &'a SystemAction<P>,
        crashes_so_far: u8,
    ) -> Option<Breach<'a, P>> {
        match (assumption, action) {
            (Assumption::BoundedDelay, Action::Tick) => self.overdue_message(state, bound),
            (Assumption::BoundedSkew, Action::Drift { node, forward }) => {
                let offset = i64::from(state.nodes[*node].clock_offset_ticks);
                let next = if *forward { offset + 1 } else { offset - 1 };
                (next.unsigned_abs() > u64::from(bound)).then_some(Breach::Skew {
                    node: *node,
                    offset_ticks: next,
                })
            }
            (Assumption::BoundedPause, Action::Pause { node }) => {
                (bound == 0).then_some(Breach::Pause { node: *node })
            }
            (Assumption::BoundedPause, Action::Tick) => Self::overlong_pause(state, bound),
            (Assumption::TimelyTimers, Action::Tick) => Self::due_timer(state),
            // A clock jumping ahead passes a due timer's deadline just as a Tick does.
            (
                Assumption::TimelyTimers,
                Action::Drift {
                    node,
                    forward: true,
                },
            ) => {
                let record = &state.nodes[*node];
                let due = record.timers.iter().find(|e| e.at_deadline());
                due.filter(|_| record.is_running())
                    .map(|entry| Breach::JumpPastTimer {
                        node: *node,
                        timer: &entry.timer,
                    })
            }
            (Assumption::ReliableLinks, Action::Drop { envelope, .. }) => {
                Some(Breach::Lost(envelope))
            }
            (Assumption::NoDuplication, Action::Duplicate { envelope }) => {
                Some(Breach::Duplicated(envelope))
            }
            (
                Assumption::FifoLinks,
                Action::Deliver { envelope } | Action::Duplicate { envelope },
            ) => self.overtakes(state, envelope),
            (Assumption::MaxCrashes, Action::Crash { node }) => {
                (u32::from(crashes_so_far) >= bound).then_some(Breach::Crash {
                    node: *node,
                    number: u32::from(crashes_so_far) + 1,
                })
            }
            (Assumption::DurableWrites, Action::Crash { node }) => state.nodes[*node]
                .unsynced
                .as_ref()
                .map(|_| Breach::CrashBeforeSync { node: *node }),
            // A Sync is a successful flush: nothing is lost, so it breaks nothing (with
            // durable_writes held there is never a pending write to sync).
            _ => None,
        }
    }

    /// The sentence an explanation shows for `breach`.
    fn describe_breach(&self, breach: &Breach<'_, P>) -> String {
        match breach {
            Breach::Overdue(envelope) => format!(
                "Tick while {} is {} old",
                self.describe_envelope(envelope),
                ticks(envelope.age_ticks, false)
            ),
            Breach::Skew { node, offset_ticks } => {
                drift_sentence(self.node_name(*node), *offset_ticks)
            }
            Breach::Pause { node } => format!("{} pauses", self.node_name(*node)),
            Breach::OverlongPause {
                node,
                ticks: paused,
            } => format!(
                "Tick while {} has been paused {}",
                self.node_name(*node),
                ticks(*paused, false)
            ),
            Breach::DueTimer { node, timer } => format!(
                "Tick while timer {timer:?} of {} is due",
                self.node_name(*node)
            ),
            Breach::JumpPastTimer { node, timer } => format!(
                "the clock of {} jumps ahead while its timer {timer:?} is due",
                self.node_name(*node)
            ),
            Breach::Lost(envelope) => format!("{} is lost", self.describe_envelope(envelope)),
            Breach::Duplicated(envelope) => {
                format!("{} is duplicated", self.describe_envelope(envelope))
            }
            Breach::Overtakes { envelope, earlier } => format!(
                "{} overtakes the earlier {:?}",
                self.describe_envelope(envelope),
                earlier.msg
            ),
            Breach::Crash { node, number } => {
                format!("{} crashes (crash #{number})", self.node_name(*node))
            }
            Breach::CrashBeforeSync { node } => format!(
                "{} crashes before its last persisted write reached the disk",
                self.node_name(*node)
            ),
        }
    }

    fn overdue_message<'a>(&self, state: &'a SystemState<P>, bound: u32) -> Option<Breach<'a, P>> {
        state
            .network
            .iter()
            .filter(|e| state.nodes[e.dst].is_running())
            .find(|e| u32::from(e.age_ticks) >= bound)
            .map(Breach::Overdue)
    }

    fn overlong_pause(state: &SystemState<P>, bound: u32) -> Option<Breach<'_, P>> {
        state
            .nodes
            .iter()
            .enumerate()
            .find_map(|(node, record)| match record.status {
                NodeStatus::Paused { ticks } if u32::from(ticks) >= bound => {
                    Some(Breach::OverlongPause { node, ticks })
                }
                _ => None,
            })
    }

    fn due_timer(state: &SystemState<P>) -> Option<Breach<'_, P>> {
        state.nodes.iter().enumerate().find_map(|(node, record)| {
            if !record.is_running() {
                return None;
            }
            record
                .timers
                .iter()
                .find(|e| e.at_deadline())
                .map(|entry| Breach::DueTimer {
                    node,
                    timer: &entry.timer,
                })
        })
    }

    fn overtakes<'a>(
        &self,
        state: &'a SystemState<P>,
        envelope: &'a Envelope<P::Msg>,
    ) -> Option<Breach<'a, P>> {
        let position = state.network.iter().position(|e| e == envelope)?;
        let order_kept = self.assumptions.is_held(Assumption::FifoLinks);
        // Order kept: the channel's queue position decides. Not kept (the network is
        // sorted): an older message of the same channel still in flight is overtaken.
        let earlier = state.network.iter().enumerate().find(|(index, other)| {
            let before = if order_kept {
                *index < position
            } else {
                other.age_ticks > envelope.age_ticks
            };
            other.same_channel(envelope) && *other != envelope && before
        });
        earlier.map(|(_, earlier)| Breach::Overtakes { envelope, earlier })
    }

    /// `Grant{..} lock→client_a` for reports.
    pub fn describe_envelope(&self, envelope: &Envelope<P::Msg>) -> String {
        format!(
            "{:?} {}→{}",
            envelope.msg,
            self.node_name(envelope.src),
            self.node_name(envelope.dst)
        )
    }

    /// A message's age in words, `None` where it says nothing. Ages are counted only
    /// up to the cap Δ, so an age at the cap is "≥ Δ" wherever a message may grow
    /// older: `bounded_delay` relaxed, or a receiver that may pause (a tick is held
    /// back only for a message its running receiver is overdue to take; a crash drops
    /// the messages to its node). No age where ages are not stored, or where the cap is
    /// 0 and messages may grow older.
    fn age_text(&self, age: u8) -> Option<String> {
        let older = !self.assumptions.is_held(Assumption::BoundedDelay)
            || self.assumptions.held_bound(Assumption::BoundedPause) != Some(0);
        if self.lean.ages || (self.age_cap == 0 && older) {
            return None;
        }
        Some(if age >= self.age_cap && older {
            format!("≥ {age}")
        } else {
            age.to_string()
        })
    }

    /// A one-line description of an action.
    pub fn describe_action(&self, action: &SystemAction<P>) -> String {
        let name = |node: &NodeId| self.node_name(*node);
        match action {
            Action::Deliver { envelope } => match self.age_text(envelope.age_ticks) {
                Some(age) => format!("deliver {} (age {age})", self.describe_envelope(envelope)),
                None => format!("deliver {}", self.describe_envelope(envelope)),
            },
            Action::Drop { envelope, copy: 0 } => {
                format!("lose {}", self.describe_envelope(envelope))
            }
            Action::Drop { envelope, copy } => format!(
                "lose {} (copy {} of it in its channel, counted from the first)",
                self.describe_envelope(envelope),
                copy + 1
            ),
            Action::Duplicate { envelope } => format!(
                "deliver a duplicate of {} ({}it stays in flight)",
                self.describe_envelope(envelope),
                self.age_text(envelope.age_ticks)
                    .map(|age| format!("age {age}; "))
                    .unwrap_or_default()
            ),
            Action::Fire { node, timer } => format!("timer {timer:?} fires at {}", name(node)),
            Action::Tick => "tick".to_string(),
            Action::Drift { node, forward } => format!(
                "clock of {} drifts {}",
                name(node),
                if *forward { "ahead" } else { "behind" }
            ),
            Action::Pause { node } => format!("{} pauses", name(node)),
            Action::Resume { node } => format!("{} resumes", name(node)),
            Action::Crash { node } => format!("{} crashes", name(node)),
            Action::Restart { node } => format!("{} restarts", name(node)),
            Action::Sync { node } => format!("{} syncs its disk", name(node)),
        }
    }

    /// The state after `action`, or `None` if the action does not apply to `state`.
    pub fn step(&self, state: &SystemState<P>, action: &SystemAction<P>) -> Option<SystemState<P>> {
        self.step_owned(state.clone(), action)
    }

    /// [`TimedSystem::step`] from a state of the caller's own, changed in place (no
    /// copy of it is made): for a caller that built the state only to step from it.
    pub(crate) fn step_owned(
        &self,
        mut next: SystemState<P>,
        action: &SystemAction<P>,
    ) -> Option<SystemState<P>> {
        match action {
            Action::Deliver { envelope } | Action::Duplicate { envelope } => {
                let index = next.network.iter().position(|e| e == envelope)?;
                let consumed = matches!(action, Action::Deliver { .. }) && !self.lean.messages;
                let envelope = if consumed {
                    next.network.remove(index)
                } else {
                    next.network[index].clone()
                };
                self.run_handler(&mut next, envelope.dst, |protocol, state, ctx| {
                    let mut node_state = state?;
                    protocol.on_message(
                        P::Node::ALL[envelope.dst],
                        &mut node_state,
                        P::Node::ALL[envelope.src],
                        &envelope.msg,
                        ctx,
                    );
                    Some(node_state)
                });
            }
            Action::Drop { envelope, copy } => {
                let (index, _) = (next.network.iter().enumerate())
                    .filter(|(_, e)| *e == envelope)
                    .nth(*copy)?;
                next.network.remove(index);
            }
            Action::Fire { node, timer } => {
                let record = next.nodes.get_mut(*node).filter(|r| r.is_running())?;
                let index = record
                    .timers
                    .iter()
                    .position(|e| e.timer == *timer && e.is_due())?;
                record.make_mut().timers.remove(index);
                self.run_handler(&mut next, *node, |protocol, state, ctx| {
                    let mut node_state = state?;
                    protocol.on_timer(P::Node::ALL[*node], &mut node_state, timer, ctx);
                    Some(node_state)
                });
            }
            Action::Tick => self.tick(&mut next),
            Action::Drift { node, forward } => {
                let record = next
                    .nodes
                    .get_mut(*node)
                    .filter(|r| r.status != NodeStatus::Crashed)?;
                self.drift(record.make_mut(), *forward);
            }
            Action::Pause { node } => {
                let record = next.nodes.get_mut(*node).filter(|r| r.is_running())?;
                record.make_mut().status = NodeStatus::Paused { ticks: 0 };
            }
            Action::Resume { node } => {
                let record = next.nodes.get_mut(*node)?;
                if !matches!(record.status, NodeStatus::Paused { .. }) {
                    return None;
                }
                record.make_mut().status = NodeStatus::Running;
            }
            Action::Crash { node } => {
                if next.nodes.get(*node)?.status == NodeStatus::Crashed {
                    return None;
                }
                self.crash(&mut next, *node);
            }
            Action::Restart { node } => {
                let record = next.nodes.get_mut(*node)?;
                if record.status != NodeStatus::Crashed {
                    return None;
                }
                record.make_mut().status = NodeStatus::Running;
                self.run_handler(&mut next, *node, |protocol, _, ctx| {
                    Some(protocol.on_restart(P::Node::ALL[*node], ctx))
                });
            }
            Action::Sync { node } => {
                let shared = next.nodes.get_mut(*node)?;
                if shared.unsynced.is_none() && !(shared.awaits_sync && shared.is_running()) {
                    return None;
                }
                let record = shared.make_mut();
                // The flush and the call back are two steps, as the disk and the
                // process are two things: a crash between them keeps the write and loses
                // the call back, a run `durable_writes` held has (its write is on disk
                // at once, its call back a step of its own), so relaxing the assumption
                // only adds runs.
                if let Some(durable) = record.unsynced.take() {
                    record.durable = durable;
                } else if record.awaits_sync && record.is_running() {
                    record.awaits_sync = false;
                    self.run_handler(&mut next, *node, |protocol, state, ctx| {
                        let mut node_state = state?;
                        protocol.on_durable(P::Node::ALL[*node], &mut node_state, ctx);
                        Some(node_state)
                    });
                }
            }
        }
        Some(next)
    }

    /// Whether a Tick at `state` leaves it as it is: every quantity a Tick moves is
    /// already where a Tick would put it — each message's age at the age cap (0 where
    /// ages are not stored, see [`Lean`]), each paused node's pause length at the pause
    /// cap, each timer at 0 remaining ticks (clock offsets a Tick never moves). Decided
    /// from the state, without building the successor; exact (`true` exactly when
    /// [`TimedSystem::step`] would return the state itself), given that the network is
    /// in the order this system keeps it in, as in every state it builds.
    pub fn tick_changes_nothing(&self, state: &SystemState<P>) -> bool {
        // The same saturating arithmetic as `tick`, so the two cannot disagree at a cap.
        let ages_stay = state.network.iter().all(|envelope| {
            envelope.age_ticks.saturating_add(1).min(self.age_cap) == envelope.age_ticks
        });
        let nodes_stay = state.nodes.iter().all(|record| {
            let pause_stays = match record.status {
                NodeStatus::Paused { ticks } => {
                    ticks.saturating_add(1).min(self.pause_cap) == ticks
                }
                NodeStatus::Running | NodeStatus::Crashed => true,
            };
            pause_stays && record.timers.iter().all(|entry| entry.remaining_ticks == 0)
        });
        let unchanged = ages_stay && nodes_stay;
        debug_assert!(
            !unchanged || self.step(state, &Action::Tick).as_ref() == Some(state),
            "a Tick said to change nothing changes the state"
        );
        unchanged
    }

    /// The safety search's [`SelfLoop`](crate::check::SelfLoop) hook
    /// (`pipeline::check_system` installs it): whether `action` is a Tick that changes
    /// nothing at `state` ([`TimedSystem::tick_changes_nothing`]). Every other step is
    /// taken.
    pub fn is_self_loop(&self, state: &SystemState<P>, action: &SystemAction<P>) -> bool {
        matches!(action, Action::Tick) && self.tick_changes_nothing(state)
    }

    /// Whether no reachable state can be a deadlock, by the rules of the timed system
    /// alone: `bounded_delay` is relaxed. A Tick is a candidate in every state, and only
    /// three held constraints can forbid it: `bounded_delay` (relaxed here);
    /// `bounded_pause`, only while some node has been paused for its bound, and that
    /// node may then resume (nothing forbids a Resume); `timely_timers`, only while a
    /// running node's timer is at its deadline, and that timer may then fire (a timer at
    /// its deadline is due, and nothing forbids a Fire). So some step is always enabled
    /// and `deadlock_free` holds without search. Debug builds check it on every state
    /// the engine lists steps for.
    pub fn never_deadlocks(&self) -> bool {
        self.assumptions.setting(Assumption::BoundedDelay) == Setting::Relaxed
    }

    /// What the search may use of the timed system's own rules
    /// ([`Facts`](crate::check::Facts)): idle Ticks are self-loops
    /// ([`TimedSystem::is_self_loop`]), and with `bounded_delay` relaxed no state
    /// deadlocks ([`TimedSystem::never_deadlocks`]).
    pub fn facts(&self) -> crate::check::Facts<Self> {
        crate::check::Facts {
            self_loop: Some(Self::is_self_loop),
            repeat: None,
            never_deadlocks: self.never_deadlocks(),
            subsume: self
                .subsumes()
                .then_some(Self::slack as crate::check::Subsume<Self>),
            decided: Vec::new(),
            guide: None,
        }
    }

    /// Whether the BFS may leave out a state that another covers ([`TimedSystem::slack`]):
    /// a protocol that keeps the contract of [`Protocol::LEAN_STATE`] (no property or
    /// metric reads an age or a pause length, no property a timer's remaining ticks),
    /// with no `eventually` property (a lasso needs the states themselves), and
    /// something to count: message ages (see [`TimedSystem::counts_ages`]), pause
    /// lengths under a held `bounded_pause` (else not stored, [`Lean`]), or timers'
    /// remaining ticks under a relaxed `timely_timers` ([`TimedSystem::counts_timers`]);
    /// not with `--no-lean`.
    pub fn subsumes(&self) -> bool {
        P::LEAN_STATE
            && !self.keeps_everything
            && self
                .properties
                .iter()
                .all(|property| property.kind != super::PropertyKind::Eventually)
            && (self.counts_ages() || self.counts_pauses() || self.counts_timers())
    }

    /// Whether [`TimedSystem::slack`] counts message ages: `bounded_delay` held (else
    /// they are not stored, or only for explanations), and not `fifo_links` held with
    /// `reliable_links` relaxed. In a channel whose send order is kept, two copies of
    /// one message with different ages are two envelopes, each of which may be lost,
    /// while at the same age they are equal and a loss takes the first: a younger state
    /// could not lose the later copy as the older one can.
    pub fn counts_ages(&self) -> bool {
        let held = |assumption| self.assumptions.is_held(assumption);
        let no_loss_of_a_later_copy =
            !held(Assumption::FifoLinks) || held(Assumption::ReliableLinks);
        held(Assumption::BoundedDelay) && self.age_cap > 0 && no_loss_of_a_later_copy
    }

    /// Whether [`TimedSystem::slack`] counts pause lengths: `bounded_pause` held.
    pub fn counts_pauses(&self) -> bool {
        self.assumptions.is_held(Assumption::BoundedPause) && self.pause_cap > 0
    }

    /// Whether [`TimedSystem::slack`] counts timers' remaining ticks: `timely_timers`
    /// relaxed. Held, a timer at its deadline forbids a Tick, so a nearer timer is not
    /// freer than a further one: with timers t1, t2 at (0, 1) against (1, 1), the
    /// second state may Tick to (0, 0) and fire t2 before t1, which the first, held at
    /// its Tick until t1 fires, cannot.
    pub fn counts_timers(&self) -> bool {
        !self.assumptions.is_held(Assumption::TimelyTimers) && self.time_cap > 0
    }

    /// `state` split for subsumption ([`crate::check::Subsume`]): its counters are the
    /// ages of its messages where they are counted ([`TimedSystem::counts_ages`]), the
    /// pause lengths of its paused nodes where `bounded_pause` is held, and its timers'
    /// remaining ticks where `timely_timers` is relaxed
    /// ([`TimedSystem::counts_timers`]); its frame is everything else, with a multiset
    /// network's messages in an order that does not depend on their ages. A state with
    /// nothing to count gets frame 0 and no counters: it covers nothing and nothing
    /// covers it ([`Slack::covers`](crate::check::Slack::covers)), so its frame is not
    /// hashed.
    ///
    /// Why a state `a` whose counters are at most those of `b` (same frame) simulates
    /// `b`, ages and pauses first (timers counted or not, below): the two have the same
    /// nodes, offsets, ghost and messages; how long each message has been in flight
    /// and each node paused differ, with `a`'s younger and shorter. Handlers, timers,
    /// faults and every held constraint but two
    /// read neither count, so every step of `b` but a Tick is a step of `a` and leaves
    /// the counters as they were, one message fewer or one new message at age 0 on both
    /// sides: in a multiset network a delivery, loss or copy of a message of `b` is one of
    /// the same message at `a`, the copies of one message matched by age rank (taking
    /// the same rank on both sides keeps every matched pair ordered); in a channel whose
    /// send order is kept a delivery or copy takes the channel's first message on both
    /// sides, and loss, which could take a later copy, is excluded by `counts_ages`. A Tick is forbidden by `bounded_delay` while a
    /// message to a running node is Δ old and by `bounded_pause` while a node has been
    /// paused P: where `b` allows a Tick, so does `a`, and a Tick adds one to every
    /// counter on both sides (up to the same caps). Properties and metrics agree on
    /// `a` and `b` by the contract of [`Protocol::LEAN_STATE`]. And `b` has a step
    /// wherever `a` has one: of the steps ages and pauses decide, only a Tick can be
    /// enabled at `a` and not at `b`, and a Tick
    /// that `b`'s counters forbid leaves `b` a step, the delivery of the first message
    /// of the overdue one's channel (nothing but `fifo_links` forbids a delivery, and it
    /// does not forbid the first) or the paused node's Resume (nothing forbids one).
    ///
    /// Timers, where `timely_timers` is relaxed: `a`'s timers are those of `b` (the
    /// same names and windows at the same nodes), each at most as far from its deadline.
    /// Handlers see whether a timer is set, never how far it is
    /// (`Context::timer_is_set`), and by the contract of [`Protocol::LEAN_STATE`] no
    /// property or metric reads it either. A timer of `b` that may fire (within its
    /// window of its deadline) may fire at `a`, where it is nearer, and the firing
    /// removes it on both sides; setting a timer puts it at the same distance on both;
    /// cancelling, a crash and a restart remove timers on both. A Tick and a drift
    /// ahead take one tick off every timer (none below 0) on both sides, which keeps
    /// each pair ordered; a drift behind adds one (up to the time cap), and is enabled
    /// at `b` only while every timer of its node is below the cap, where `a`'s, nearer,
    /// are too. Relaxed, `timely_timers` forbids nothing, and no other assumption reads
    /// a timer, so a nearer timer forbids no step. And a Fire of `a` that `b` lacks
    /// leaves `b` its Tick, which timers do not forbid here (and where ages or pauses
    /// forbid it, `b` has the delivery or Resume above).
    pub fn slack(&self, state: &SystemState<P>) -> crate::check::Slack {
        self.slack_counting(state, self.counts_timers())
    }

    /// [`TimedSystem::slack`], counting timers' remaining ticks only with `timers`
    /// (the drift classes do not: [`DriftClasses`]).
    pub(crate) fn slack_counting(
        &self,
        state: &SystemState<P>,
        timers: bool,
    ) -> crate::check::Slack {
        let ages = self.counts_ages();
        let pauses = self.counts_pauses();
        // The ages' order is built first only where ages are counted; else only for a
        // frame that is hashed (not for a state with nothing counted).
        let aged = ages.then(|| self.frame_order(&state.network, true));
        let mut counters = Vec::new();
        if let Some(order) = &aged {
            counters.extend(order.iter().map(|&index| state.network[index].age_ticks));
        }
        if pauses {
            counters.extend(state.nodes.iter().filter_map(|record| match record.status {
                NodeStatus::Paused { ticks } => Some(ticks),
                _ => None,
            }));
        }
        if timers {
            counters.extend(
                state
                    .nodes
                    .iter()
                    .flat_map(|record| record.timers.iter().map(|entry| entry.remaining_ticks)),
            );
        }
        if counters.is_empty() {
            // Nothing counted: the frame is the state itself, which only the state
            // covers (`Slack::covers`); not hashed.
            return crate::check::Slack { frame: 0, counters };
        }
        let order = aged.unwrap_or_else(|| self.frame_order(&state.network, false));
        let frame = Frame {
            state,
            order: &order,
            ages,
            pauses,
            timers,
        };
        crate::check::Slack {
            frame: crate::check::fingerprint(&frame),
            counters,
        }
    }

    /// The order a [`Frame`] takes the messages of `network` in: the engine's, but
    /// where ages are counted in a multiset network, which is sorted with ages before
    /// messages, the order with ages taken last, so that it does not depend on them and
    /// two frames that agree match each message to the one of the same age rank.
    fn frame_order(&self, network: &[Envelope<P::Msg>], ages: bool) -> Vec<usize> {
        let mut order: Vec<usize> = (0..network.len()).collect();
        if ages && !self.assumptions.is_held(Assumption::FifoLinks) {
            order.sort_by(|&a, &b| {
                let (a, b) = (&network[a], &network[b]);
                (a.src, a.dst, &a.msg, a.age_ticks).cmp(&(b.src, b.dst, &b.msg, b.age_ticks))
            });
        }
        order
    }

    fn tick(&self, next: &mut SystemState<P>) {
        for envelope in &mut next.network {
            envelope.age_ticks = envelope.age_ticks.saturating_add(1).min(self.age_cap);
        }
        // The cap can make a younger message as old as an older one of its channel,
        // and ages are part of the order a multiset network is sorted in.
        if self.age_cap > 0 {
            self.canonicalize_network(&mut next.network);
        }
        for shared in &mut next.nodes {
            let pause_moves = matches!(shared.status, NodeStatus::Paused { ticks } if ticks.saturating_add(1).min(self.pause_cap) != ticks);
            let timer_moves = shared.timers.iter().any(|entry| entry.remaining_ticks > 0);
            if !pause_moves && !timer_moves {
                // Left shared, with its fingerprint.
                continue;
            }
            let record = shared.make_mut();
            if let NodeStatus::Paused { ticks } = &mut record.status {
                *ticks = ticks.saturating_add(1).min(self.pause_cap);
            }
            for entry in &mut record.timers {
                entry.remaining_ticks = entry.remaining_ticks.saturating_sub(1);
            }
        }
    }

    fn drift(&self, record: &mut NodeRecord<P>, forward: bool) {
        let cap = self.time_cap;
        if forward {
            record.clock_offset_ticks = (record.clock_offset_ticks + 1).min(self.offset_cap);
            for entry in &mut record.timers {
                entry.remaining_ticks = entry.remaining_ticks.saturating_sub(1);
            }
        } else {
            record.clock_offset_ticks = (record.clock_offset_ticks - 1).max(-self.offset_cap);
            for entry in &mut record.timers {
                debug_assert!(entry.remaining_ticks < cap, "drift behind at the time cap");
                entry.remaining_ticks = entry.remaining_ticks.saturating_add(1).min(cap);
            }
        }
    }

    fn crash(&self, next: &mut SystemState<P>, node: NodeId) {
        let record = next.nodes[node].make_mut();
        record.status = NodeStatus::Crashed;
        record.state = None;
        record.unsynced = None;
        record.awaits_sync = false;
        record.timers.clear();
        next.network.retain(|e| e.dst != node);
        if self.assumptions.is_held(Assumption::MaxCrashes) {
            next.crashes = next.crashes.saturating_add(1);
        }
    }

    /// Runs one handler on `node` and applies its effects.
    fn run_handler(
        &self,
        next: &mut SystemState<P>,
        node: NodeId,
        handler: impl FnOnce(&P, Option<P::State>, &mut Context<'_, P>) -> Option<P::State>,
    ) {
        let SystemState {
            nodes,
            ghost,
            network,
            ..
        } = &mut *next;
        let record = nodes[node].make_mut();
        let mut ctx = Context {
            node,
            ghost,
            durable: record.unsynced.as_ref().unwrap_or(&record.durable),
            persisted: None,
            awaits_sync: false,
            sends: Vec::new(),
            timer_effects: Vec::new(),
            armed_timers: &record.timers,
            clock_offset_ticks: i32::from(record.clock_offset_ticks),
            offset_read: std::cell::Cell::new(false),
        };
        let new_state = handler(&self.protocol, record.state.take(), &mut ctx);
        let Context {
            persisted,
            awaits_sync,
            sends,
            timer_effects,
            offset_read,
            ..
        } = ctx;
        if offset_read.get() && !self.assumptions.is_held(Assumption::BoundedSkew) {
            // Stored as 0, the offset would hide the skew the check relaxes.
            self.fault.raise(format!(
                "{OFFSETS_UNSTORED}node {} reads its clock offset \
                 (Context::clock_offset_ticks), which would read 0 whatever its clock did; \
                 hold bounded_skew at a bound (--hold bounded_skew=2; hold = \
                 [\"bounded_skew=2\"] in a plan), or keep the clock with a timer",
                self.node_name(node)
            ));
        }
        record.awaits_sync |= awaits_sync;
        record.state = new_state;
        self.apply_timer_effects(node, &mut record.timers, timer_effects);
        if let Some(durable) = persisted {
            if self.assumptions.is_held(Assumption::DurableWrites) {
                record.durable = durable;
                record.unsynced = None;
            } else {
                record.unsynced = Some(durable);
            }
        }
        for (to, msg) in sends {
            // A message to a crashed node reaches no process: it is gone.
            if nodes
                .get(to)
                .is_some_and(|r| r.status != NodeStatus::Crashed)
            {
                network.push(Envelope {
                    src: node,
                    dst: to,
                    age_ticks: 0,
                    msg,
                });
            }
        }
        self.drop_ignored(nodes, network);
        self.canonicalize_network(network);
        if self.lean.messages {
            network.dedup();
        }
    }

    /// Whether this system drops the messages their receivers ignore for ever
    /// ([`Protocol::DROPS_IGNORED`]; not with `--no-lean`, nor in the audit of the
    /// contract, which needs them kept).
    fn drops_ignored(&self) -> bool {
        P::DROPS_IGNORED && !self.keeps_everything
    }

    /// Takes out of `network` every message its receiver ignores for ever
    /// ([`Protocol::ignores`]), where this system drops them. Run after every handler:
    /// only a handler changes a node's state or sends, and a node not yet started (at
    /// the first state, before its `on_start`) or crashed (its messages are gone
    /// already) has no state to ask.
    fn drop_ignored(&self, nodes: &[Shared<NodeRecord<P>>], network: &mut Vec<Envelope<P::Msg>>) {
        if !self.drops_ignored() {
            return;
        }
        network.retain(|envelope| !self.is_ignored(nodes, envelope));
    }

    /// What the step `action` from `state` took out of the network as ignored
    /// ([`Protocol::ignores`]), one sentence per message, for a trace's notes: what the
    /// same step leaves in flight with every message kept and this system does not.
    pub fn dropped_as_ignored(
        &self,
        state: &SystemState<P>,
        action: &SystemAction<P>,
    ) -> Vec<String> {
        if !self.drops_ignored() {
            return Vec::new();
        }
        let mut keeping = self.clone();
        keeping.keeps_everything = true;
        let (Some(kept), Some(after)) = (keeping.step(state, action), self.step(state, action))
        else {
            return Vec::new();
        };
        let mut left = after.network;
        kept.network
            .iter()
            .filter(
                |envelope| match left.iter().position(|other| other == *envelope) {
                    Some(index) => {
                        left.remove(index);
                        false
                    }
                    None => true,
                },
            )
            .map(|envelope| {
                format!(
                    "{} ignores {} for ever: taken out of the network",
                    self.node_name(envelope.dst),
                    self.describe_envelope(envelope)
                )
            })
            .collect()
    }

    /// Whether `envelope`'s receiver, in `nodes`, ignores it for ever.
    fn is_ignored(&self, nodes: &[Shared<NodeRecord<P>>], envelope: &Envelope<P::Msg>) -> bool {
        nodes
            .get(envelope.dst)
            .and_then(|record| record.state.as_ref())
            .is_some_and(|state| {
                self.protocol.ignores(
                    P::Node::ALL[envelope.dst],
                    state,
                    P::Node::ALL[envelope.src],
                    &envelope.msg,
                    &self.ignores_under,
                )
            })
    }

    fn apply_timer_effects(
        &self,
        node: NodeId,
        timers: &mut Vec<TimerEntry<P::Timer>>,
        effects: Vec<TimerEffect<P::Timer>>,
    ) {
        let declared = self.protocol.largest_time_constant_ticks();
        for effect in effects {
            match effect {
                TimerEffect::Set {
                    timer,
                    earliest,
                    latest,
                } => {
                    if latest > declared {
                        // Stored shorter, it would fire early and change the verdict.
                        self.fault.raise(format!(
                            "node {} sets timer {timer:?} to {}, above the \
                             {declared} its largest_time_constant_ticks() declares; \
                             declare the largest time constant the protocol uses",
                            self.node_name(node),
                            ticks(latest, false)
                        ));
                    }
                    timers.retain(|e| e.timer != timer);
                    let cap = u32::from(self.time_cap);
                    let remaining_ticks =
                        u8::try_from(latest.min(cap)).expect("the time cap fits a byte");
                    let window = latest.saturating_sub(earliest).min(latest.min(cap));
                    timers.push(TimerEntry {
                        timer,
                        remaining_ticks,
                        window_ticks: u8::try_from(window).expect("the time cap fits a byte"),
                    });
                }
                TimerEffect::Cancel(timer) => timers.retain(|e| e.timer != timer),
            }
        }
        timers.sort();
    }

    fn canonicalize_network(&self, network: &mut [Envelope<P::Msg>]) {
        if self.assumptions.is_held(Assumption::FifoLinks) {
            // Stable: keeps each channel's send order.
            network.sort_by_key(|e| (e.src, e.dst));
        } else {
            network.sort();
        }
    }
}

/// A property or metric that tells a state from a variant of it
/// ([`TimedSystem::lean_contract_breach`]): its name and its two values.
struct Reader {
    name: String,
    before: String,
    after: String,
}

impl Reader {
    /// "`name` reads `what`: it is `before` on a state and `after` on the same state
    /// with `change`".
    fn reads(&self, what: &str, change: &str) -> String {
        format!(
            "{} reads {what}: it is {} on a state and {} on the same state with {change}",
            self.name, self.before, self.after
        )
    }
}

/// A state with its message ages (where `ages`), pause lengths (where `pauses`) and
/// timers' remaining ticks (where `timers`) taken as 0 and its network in `order`,
/// hashed without a copy ([`TimedSystem::slack`]): a node record with nothing to take
/// as 0 as its `Shared` hashes (its kept fingerprint), a paused one (where `pauses`) or
/// one with a timer (where `timers`) field by field.
struct Frame<'a, P: Protocol> {
    state: &'a SystemState<P>,
    order: &'a [usize],
    ages: bool,
    pauses: bool,
    timers: bool,
}

impl<P: Protocol> std::hash::Hash for Frame<'_, P> {
    fn hash<H: std::hash::Hasher>(&self, hasher: &mut H) {
        let state = self.state;
        state.nodes.len().hash(hasher);
        for record in &state.nodes {
            // Decided by what is counted, not by what the counters are, so that two
            // records differing only in them hash alike.
            let (status, paused) = match record.status {
                NodeStatus::Paused { .. } if self.pauses => (NodeStatus::Paused { ticks: 0 }, true),
                status => (status, false),
            };
            let timers = self.timers && !record.timers.is_empty();
            if paused || timers {
                record.hash_as(status, timers, hasher);
            } else {
                // As its `Shared` hashes.
                hasher.write_u64(record.fingerprint());
            }
        }
        NetworkFrame {
            network: &state.network,
            order: self.order,
            ages: self.ages,
        }
        .hash(hasher);
        state.ghost.hash(hasher);
        state.crashes.hash(hasher);
    }
}

/// A node record hashed as if its status were `status` and, with `timers_at_zero`, its
/// timers' remaining ticks 0 (a frame's pause length and timers taken as 0,
/// [`TimedSystem::least_renaming`]).
struct RecordAs<'a, P: Protocol> {
    record: &'a NodeRecord<P>,
    status: NodeStatus,
    timers_at_zero: bool,
}

impl<P: Protocol> std::hash::Hash for RecordAs<'_, P> {
    fn hash<H: std::hash::Hasher>(&self, hasher: &mut H) {
        self.record
            .hash_as(self.status, self.timers_at_zero, hasher);
    }
}

/// The network's part of a [`Frame`]: its messages in `order`, ages taken as 0 where
/// `ages`.
struct NetworkFrame<'a, M> {
    network: &'a [Envelope<M>],
    order: &'a [usize],
    ages: bool,
}

impl<M: std::hash::Hash> std::hash::Hash for NetworkFrame<'_, M> {
    fn hash<H: std::hash::Hasher>(&self, hasher: &mut H) {
        self.order.len().hash(hasher);
        for &index in self.order {
            let envelope = &self.network[index];
            envelope.src.hash(hasher);
            envelope.dst.hash(hasher);
            if !self.ages {
                envelope.age_ticks.hash(hasher);
            }
            envelope.msg.hash(hasher);
        }
    }
}

/// Keeps the entries of `alive` whose `key` is the least; nothing to do once one is
/// left. `keys` is scratch space.
fn keep_least(alive: &mut Vec<usize>, keys: &mut Vec<u64>, mut key: impl FnMut(usize) -> u64) {
    if alive.len() <= 1 {
        return;
    }
    keys.clear();
    keys.extend(alive.iter().map(|&index| key(index)));
    let Some(least) = keys.iter().min().copied() else {
        return;
    };
    let mut position = 0;
    alive.retain(|_| {
        let keep = keys[position] == least;
        position += 1;
        keep
    });
}

type Condition<M, P> = fn(&M, &SystemState<P>) -> bool;

fn condition_at<P: Protocol, M: AsRef<TimedSystem<P>>, const INDEX: usize>(
    model: &M,
    state: &SystemState<P>,
) -> bool {
    let system = model.as_ref();
    system.properties[INDEX].holds(&system.protocol, state)
}

impl<P: Protocol> AsRef<TimedSystem<P>> for TimedSystem<P> {
    fn as_ref(&self) -> &TimedSystem<P> {
        self
    }
}

/// stateright wants plain function pointers; one instance per property slot bridges to
/// the protocol's property list.
fn condition_table<P: Protocol, M: AsRef<TimedSystem<P>>>() -> [Condition<M, P>; PROPERTIES_MAX] {
    [
        condition_at::<P, M, 0>,
        condition_at::<P, M, 1>,
        condition_at::<P, M, 2>,
        condition_at::<P, M, 3>,
        condition_at::<P, M, 4>,
        condition_at::<P, M, 5>,
        condition_at::<P, M, 6>,
        condition_at::<P, M, 7>,
        condition_at::<P, M, 8>,
        condition_at::<P, M, 9>,
        condition_at::<P, M, 10>,
        condition_at::<P, M, 11>,
        condition_at::<P, M, 12>,
        condition_at::<P, M, 13>,
        condition_at::<P, M, 14>,
        condition_at::<P, M, 15>,
    ]
}

impl<P: Protocol> stateright::Model for TimedSystem<P> {
    type State = SystemState<P>;
    type Action = SystemAction<P>;

    fn init_states(&self) -> Vec<Self::State> {
        vec![self.initial_state()]
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        self.enabled_actions(state, actions);
    }

    fn next_state(&self, last_state: &Self::State, action: Self::Action) -> Option<Self::State> {
        self.step(last_state, &action)
    }

    fn format_action(&self, action: &Self::Action) -> String {
        self.describe_action(action)
    }

    /// The Explorer's "Current State": node by node, by name, then the network.
    fn format_step(&self, last_state: &Self::State, action: Self::Action) -> Option<String> {
        let next = self.step(last_state, &action)?;
        Some(crate::explore::step_text(self, &next))
    }

    /// The Explorer's panel above it: true time, true clock offsets and pause lengths
    /// (counted along the path), the network, and where relaxed assumptions broke.
    fn as_svg(&self, path: stateright::Path<Self::State, Self::Action>) -> Option<String> {
        crate::explore::path_svg(self, path)
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        self.properties_for()
    }
}

impl<P: Protocol> TimedSystem<P> {
    /// The protocol's properties as stateright's, for a model that reads them from
    /// this system (itself, or [`DriftClasses`] over it).
    fn properties_for<M>(&self) -> Vec<stateright::Property<M>>
    where
        M: AsRef<TimedSystem<P>> + stateright::Model<State = SystemState<P>>,
    {
        let table = condition_table::<P, M>();
        self.properties
            .iter()
            .zip(table)
            .map(|(property, condition)| match property.kind {
                super::PropertyKind::Always => {
                    stateright::Property::always(property.name, condition)
                }
                super::PropertyKind::Sometimes => {
                    stateright::Property::sometimes(property.name, condition)
                }
                super::PropertyKind::Eventually => {
                    stateright::Property::eventually(property.name, condition)
                }
            })
            .collect()
    }
}

/// Whether two envelopes carry the same message on the same channel (ages aside).
fn same_message<M: PartialEq>(a: &Envelope<M>, b: &Envelope<M>) -> bool {
    a.src == b.src && a.dst == b.dst && a.msg == b.msg
}

/// `1 tick`, `3 ticks`; with `signed`, `+1 tick`, `-2 ticks`.
pub(crate) fn ticks(count: impl Into<i128>, signed: bool) -> String {
    let count = count.into();
    let unit = if count.unsigned_abs() == 1 {
        "tick"
    } else {
        "ticks"
    };
    if signed {
        format!("{count:+} {unit}")
    } else {
        format!("{count} {unit}")
    }
}

/// The sentence of a clock drifting past `bounded_skew`: `the clock of lock drifts to
/// +1 tick from true time`.
pub(crate) fn drift_sentence(node: &str, offset_ticks: i64) -> String {
    format!(
        "the clock of {node} drifts to {} from true time",
        ticks(offset_ticks, true)
    )
}
