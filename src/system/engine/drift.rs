//! Drift classes: the safety search's quotient of the timed system by the clock
//! drifts a node can undo.
//!
//! A node's clock drift moves its offset from true time one tick (where `bounded_skew`
//! is held; relaxed, offsets are not stored) and every one of its timers one tick
//! nearer (ahead) or further (behind). A drift ahead at `(offset o, timers r)` is
//! undone by one behind exactly when no timer is at 0 (so none saturates); a drift
//! behind is always undone by one ahead (nothing saturates on the way back, and a timer
//! at ≥ 1 is not at its deadline). So the records a node reaches from its own by such
//! drifts form a segment of one line, `(o + j, r - j)`, bounded by the skew bound and
//! by timers at 0 and at the time cap, and every record of the segment reaches every
//! other: they are one *drift class*. Where skew is relaxed a class keeps only the
//! differences between a node's timers: a node with one timer may have it anywhere
//! between 0 and the time cap, which a drift makes true of the full system too.
//!
//! [`DriftClasses`] stores each state with every running or paused node's record at
//! its class's front (its representative: as far ahead as a reversible drift goes,
//! [`TimedSystem::ahead_room`]); crashed nodes do not drift and are stored as they
//! are. Its steps from a stored state `s` are those of every state of `s`'s class (each
//! node anywhere in its class), up to the class of where they lead:
//!
//! - a step of one node (a delivery or duplicate to it, a timer, a pause, a resume, a
//!   crash, a restart, a disk sync, a drift ahead that leaves the class) is taken with
//!   that node `back` drifts behind the front, for every `back` its class allows
//!   ([`TimedSystem::behind_room`]): such a step reads and writes only its node's
//!   record (besides the network and the observer state), and which of these steps are
//!   enabled does not depend on the other nodes' clocks;
//! - a loss touches no node and is taken at `s`;
//! - a Tick is taken with every node as far behind as its class allows. A Tick moves
//!   every node's timers one tick nearer and leaves offsets; at a node with a timer
//!   above 0 that is a step within the line `o + r - 1` (the same class, wherever in its
//!   class the node was), and only at a node with a timer at 0 does it saturate. Such a
//!   Tick from a state with the node `k` behind (`k ≥ 1` exists wherever the class has
//!   room) followed by that node's drift ahead from the front of its new class reaches
//!   the same state, and a Tick allowed anywhere in the class is allowed furthest
//!   behind (only `timely_timers` reads timers, and less so there);
//! - the drifts within classes are self-loops: not taken, but they make a state whose
//!   class has room not a deadlock, which is exact (a state is a deadlock of the full
//!   system exactly when its class is that state alone and it has no step).
//!
//! So every state of the full system has its class's representative stored, and every
//! stored state is the representative of a reachable state: the same reachable set up
//! to drift classes, which is all that `always` and `sometimes` verdicts and deadlock
//! freedom read — given that no property reads timers' remaining ticks or clock
//! offsets, the contract of [`Protocol::LEAN_STATE`](crate::system::Protocol) (audited
//! as for ages, [`TimedSystem::lean_contract_breach`]). Handlers may read their own
//! offset (`Context::clock_offset_ticks`): every position of the node's class is
//! tried. A path of this model is not a run of the full system (a step may need its
//! node's clock moved first, and the steps counted differ), so only what needs no path
//! is taken from it: an `always` that holds, a `sometimes` never reached, deadlock
//! freedom (`pipeline::check_system`); everything else is searched on the full system.

use super::{Action, NodeRecord, NodeStatus, Protocol, SystemAction, SystemState, TimedSystem};
use crate::system::Assumption;

/// A step of [`DriftClasses`]: a step of the full system taken from a state of the
/// stored state's drift class.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DriftStep<A> {
    /// A step of one node, taken with that node's clock `back` drifts behind the front
    /// of its class.
    Local {
        /// Drifts behind the front.
        back: u8,
        /// The step.
        action: A,
    },
    /// A step that touches no node's record (a loss), taken at the stored state.
    Network(A),
    /// A Tick, taken with every node's clock as far behind as its class allows.
    Tick,
    /// The drifts that stay within the nodes' classes (a self-loop: never built).
    Within,
}

/// The timed system's safety search up to drift classes (see the module docs); built
/// by [`TimedSystem::drift_classes`].
#[derive(Clone, Debug)]
pub struct DriftClasses<P: Protocol> {
    system: TimedSystem<P>,
}

impl<P: Protocol> AsRef<TimedSystem<P>> for DriftClasses<P> {
    fn as_ref(&self) -> &TimedSystem<P> {
        &self.system
    }
}

/// Where a step acts.
enum Place {
    Node(usize),
    Network,
    Time,
}

fn place<P: Protocol>(action: &SystemAction<P>) -> Place {
    match action {
        Action::Deliver { envelope } | Action::Duplicate { envelope } => Place::Node(envelope.dst),
        Action::Drop { .. } => Place::Network,
        Action::Tick => Place::Time,
        Action::Fire { node, .. }
        | Action::Drift { node, .. }
        | Action::Pause { node }
        | Action::Resume { node }
        | Action::Crash { node }
        | Action::Restart { node }
        | Action::Sync { node } => Place::Node(*node),
    }
}

impl<P: Protocol> TimedSystem<P> {
    /// The safety search of this system up to drift classes ([`DriftClasses`]), or
    /// `None` where it does not apply: a protocol that does not declare
    /// [`Protocol::LEAN_STATE`] (its properties might read timers or offsets),
    /// `--no-lean`, or `bounded_skew` held at 0 (no clock drifts: every class is one
    /// state).
    pub fn drift_classes(&self) -> Option<DriftClasses<P>> {
        let clocks_drift = self.assumptions.held_bound(Assumption::BoundedSkew) != Some(0);
        (P::LEAN_STATE && !self.keeps_everything && clocks_drift).then(|| DriftClasses {
            system: self.clone(),
        })
    }

    fn skew_held(&self) -> bool {
        self.assumptions.is_held(Assumption::BoundedSkew)
    }

    /// How many drifts ahead, each undone by a drift behind, `record`'s clock can make:
    /// none for a crashed node; else up to the skew bound (where held) and while no
    /// timer is at 0 (where skew is relaxed and the node has no timer, a drift moves
    /// nothing).
    pub(crate) fn ahead_room(&self, record: &NodeRecord<P>) -> u8 {
        if record.status == NodeStatus::Crashed {
            return 0;
        }
        let nearest = record.timers.iter().map(|e| e.remaining_ticks).min();
        if self.skew_held() {
            let offset_room =
                u8::try_from(i16::from(self.offset_cap) - i16::from(record.clock_offset_ticks))
                    .unwrap_or(0);
            nearest.map_or(offset_room, |nearest| nearest.min(offset_room))
        } else {
            nearest.unwrap_or(0)
        }
    }

    /// How many drifts behind `record`'s clock can make (each is undone by a drift
    /// ahead): none for a crashed node; else down to the skew bound (where held) and
    /// while every timer is below the time cap (where skew is relaxed and the node has
    /// no timer, a drift moves nothing).
    pub(crate) fn behind_room(&self, record: &NodeRecord<P>) -> u8 {
        if record.status == NodeStatus::Crashed {
            return 0;
        }
        let furthest = record.timers.iter().map(|e| e.remaining_ticks).max();
        let timer_room = furthest.map(|furthest| self.time_cap.saturating_sub(furthest));
        if self.skew_held() {
            let offset_room =
                u8::try_from(i16::from(self.offset_cap) + i16::from(record.clock_offset_ticks))
                    .unwrap_or(0);
            timer_room.map_or(offset_room, |room| room.min(offset_room))
        } else {
            timer_room.unwrap_or(0)
        }
    }

    /// Moves `record`'s clock `ticks` drifts ahead (negative: behind), within its
    /// class: no timer saturates.
    fn shift(&self, record: &mut NodeRecord<P>, ticks: i16) {
        if self.skew_held() {
            let offset = i16::from(record.clock_offset_ticks) + ticks;
            record.clock_offset_ticks = i8::try_from(offset).unwrap_or(record.clock_offset_ticks);
        }
        for entry in &mut record.timers {
            let remaining = i16::from(entry.remaining_ticks) - ticks;
            entry.remaining_ticks = u8::try_from(remaining).unwrap_or(entry.remaining_ticks);
        }
    }

    /// `record` at the front of its drift class (its representative).
    pub(crate) fn to_drift_front(&self, record: &mut NodeRecord<P>) {
        let ahead = self.ahead_room(record);
        if ahead > 0 {
            self.shift(record, i16::from(ahead));
        }
    }

    /// `state` with every node's record at the front of its drift class: the state
    /// [`DriftClasses`] stores for it.
    pub fn drift_representative(&self, mut state: SystemState<P>) -> SystemState<P> {
        for record in &mut state.nodes {
            if self.ahead_room(record) > 0 {
                self.to_drift_front(record.make_mut());
            }
        }
        state
    }

    /// Whether a Tick from the drift class of `state` (a representative) leads back to
    /// it: ages and pause lengths stay (at their caps, or not stored), skew is relaxed
    /// or no node has a timer, and no timer saturates with its node furthest behind.
    fn tick_stays_in_class(&self, state: &SystemState<P>) -> bool {
        let ages_stay = state.network.iter().all(|envelope| {
            envelope.age_ticks.saturating_add(1).min(self.age_cap) == envelope.age_ticks
        });
        let skew_held = self.skew_held();
        let nodes_stay = state.nodes.iter().all(|record| {
            let pause_stays = match record.status {
                NodeStatus::Paused { ticks } => {
                    ticks.saturating_add(1).min(self.pause_cap) == ticks
                }
                NodeStatus::Running | NodeStatus::Crashed => true,
            };
            // Furthest behind, a Tick saturates no timer when the nearest one is then
            // above 0; where skew is relaxed the class keeps only the timers'
            // differences, which such a Tick does not change.
            let nearest = record.timers.iter().map(|e| e.remaining_ticks).min();
            let timers_stay = match nearest {
                None => true,
                Some(nearest) => {
                    !skew_held && u16::from(nearest) + u16::from(self.behind_room(record)) > 0
                }
            };
            pause_stays && timers_stay
        });
        ages_stay && nodes_stay
    }
}

impl<P: Protocol> DriftClasses<P> {
    /// The system whose classes these are.
    pub fn system(&self) -> &TimedSystem<P> {
        &self.system
    }

    /// What the search may use of this model's rules ([`crate::check::Facts`]): the
    /// drifts within classes and a Tick that stays in its class are self-loops; a
    /// successor the same as the one before it is dropped (a node's step from the
    /// places of its class mostly leads to one class, at about a third of the
    /// successors); no
    /// deadlock where the full system has none; subsumption where the full system's
    /// applies and counts ages or pause lengths (a class's frame and counters are its
    /// representative's), never timers' remaining ticks: a class that a nearer one
    /// covers would be left unexpanded, and the class guide, which needs each class's
    /// own distance to a finding, would search the classes again without subsumption
    /// (`pipeline::class_guide`; measured in BENCHMARKS.md, "Timers in subsumption").
    pub fn facts(&self) -> crate::check::Facts<Self> {
        crate::check::Facts {
            self_loop: Some(Self::is_self_loop),
            repeat: Some(|one, other| one == other),
            never_deadlocks: self.system.never_deadlocks(),
            subsume: self
                .subsumes()
                .then_some(Self::slack as crate::check::Subsume<Self>),
            decided: Vec::new(),
            guide: None,
        }
    }

    pub(super) fn is_self_loop(
        &self,
        state: &SystemState<P>,
        step: &DriftStep<SystemAction<P>>,
    ) -> bool {
        match step {
            DriftStep::Within => true,
            DriftStep::Tick => self.system.tick_stays_in_class(state),
            DriftStep::Local { .. } | DriftStep::Network(_) => false,
        }
    }

    fn slack(&self, state: &SystemState<P>) -> crate::check::Slack {
        self.system.slack_counting(state, false)
    }

    /// The symmetry representative of a stored state (renaming moves whole records,
    /// so the fronts of their classes stay fronts), for the search's
    /// [`Canonicalize`](crate::check::Canonicalize).
    pub fn canonical(&self, state: SystemState<P>) -> (SystemState<P>, u64) {
        // Frames first only where this search subsumes, and never with timers as 0.
        let frames = self.subsumes().then_some(false);
        self.system.canonical_by_frames(state, frames)
    }

    /// Whether this search subsumes: where the full system's would and counts ages or
    /// pause lengths (timers are not counted here, see [`DriftClasses::facts`]).
    fn subsumes(&self) -> bool {
        let system = &self.system;
        system.subsumes() && (system.counts_ages() || system.counts_pauses())
    }

    /// Whether any of the first `states` states, breadth-first, of the full system has
    /// a node whose drift class holds more than its own record: where none does (a
    /// protocol that sets no timer, with skew relaxed), the classes are likely the
    /// states themselves, and a search of them would only repeat the full one. A
    /// guess about cost, never about a verdict.
    pub fn collapses_any(&self, states: usize) -> bool {
        let system = &self.system;
        crate::check::first_states(system, states)
            .iter()
            .flat_map(|state| &state.nodes)
            .any(|record| system.ahead_room(record) > 0 || system.behind_room(record) > 0)
    }

    /// `state` with `node`'s clock `back` drifts behind where it is.
    fn behind(&self, state: &SystemState<P>, node: usize, back: u8) -> SystemState<P> {
        let mut member = state.clone();
        if let Some(record) = member.nodes.get_mut(node).filter(|_| back > 0) {
            self.system.shift(record.make_mut(), -i16::from(back));
        }
        member
    }

    /// `state` with every node's clock as far behind as its class allows.
    fn furthest_behind(&self, state: &SystemState<P>) -> SystemState<P> {
        let mut member = state.clone();
        for record in &mut member.nodes {
            let back = self.system.behind_room(record);
            if back > 0 {
                self.system.shift(record.make_mut(), -i16::from(back));
            }
        }
        member
    }
}

impl<P: Protocol> stateright::Model for DriftClasses<P> {
    type State = SystemState<P>;
    type Action = DriftStep<SystemAction<P>>;

    fn init_states(&self) -> Vec<Self::State> {
        vec![self
            .system
            .drift_representative(self.system.initial_state())]
    }

    fn actions(&self, state: &Self::State, out: &mut Vec<Self::Action>) {
        let system = &self.system;
        let mut enabled = Vec::new();
        system.enabled_actions(state, &mut enabled);
        let behind: Vec<u8> = state
            .nodes
            .iter()
            .map(|record| system.behind_room(record))
            .collect();
        let mut tick = false;
        for action in enabled {
            let node = match place::<P>(&action) {
                Place::Network => {
                    out.push(DriftStep::Network(action));
                    continue;
                }
                Place::Time => {
                    tick = true;
                    continue;
                }
                Place::Node(node) => node,
            };
            match &action {
                // Behind: within the class. Ahead from the front: it leaves the class
                // (a timer saturates), or it would not be enabled.
                Action::Drift { forward: false, .. } => continue,
                Action::Drift { forward: true, .. } => {
                    out.push(DriftStep::Local { back: 0, action });
                    continue;
                }
                _ => {}
            }
            let room = behind.get(node).copied().unwrap_or(0);
            for back in 1..=room {
                // Only a timer's firing depends on where the clock is: due while at
                // most its window away.
                let due_there = match &action {
                    Action::Fire { timer, .. } => state.nodes[node].timers.iter().any(|e| {
                        e.timer == *timer
                            && u16::from(e.remaining_ticks) + u16::from(back)
                                <= u16::from(e.window_ticks)
                    }),
                    _ => true,
                };
                if due_there {
                    out.push(DriftStep::Local {
                        back,
                        action: action.clone(),
                    });
                }
            }
            out.push(DriftStep::Local { back: 0, action });
        }
        // A Tick where the front forbids it (a running node's timer at its deadline,
        // with `timely_timers` held) may be allowed with the clocks behind.
        if tick
            || (system.assumptions.is_held(Assumption::TimelyTimers)
                && behind.iter().any(|&room| room > 0)
                && system.allowed(&self.furthest_behind(state), &Action::Tick))
        {
            out.push(DriftStep::Tick);
        }
        if behind.iter().any(|&room| room > 0) {
            out.push(DriftStep::Within);
        }
    }

    fn next_state(&self, state: &Self::State, step: Self::Action) -> Option<Self::State> {
        let system = &self.system;
        let next = match step {
            DriftStep::Within => return Some(state.clone()),
            DriftStep::Network(action) => return system.step(state, &action),
            DriftStep::Local { back: 0, action } => system.step(state, &action)?,
            DriftStep::Local { back, action } => {
                let Place::Node(node) = place::<P>(&action) else {
                    return None;
                };
                system.step_owned(self.behind(state, node, back), &action)?
            }
            DriftStep::Tick => system.step_owned(self.furthest_behind(state), &Action::Tick)?,
        };
        Some(system.drift_representative(next))
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        self.system.properties_for()
    }
}
