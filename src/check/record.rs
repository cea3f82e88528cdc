//! The graph a breadth-first search explored, recorded as it goes
//! ([`run_recorded`](super::run_recorded)), for a caller that wants more of it than the
//! verdicts: the drift classes' distance table (`system::ClassDistances`), which
//! otherwise had to walk the graph a second time.
//!
//! Each worker records what its chunks expand (the steps by fingerprint, the states
//! that decide a property) in a [`Part`]; between levels, the thread that runs the
//! search gives the next level's states their indexes and turns the parts into steps
//! between indexes ([`RecordedGraph::add`]), so a step costs four bytes kept, and
//! eight only while its level is expanded. The indexes depend on the order the parts
//! come in; the graph they describe is the same for any thread count.

use super::FingerprintHasher;
use stateright::Model;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Steps of the recorded graph that stand for more than one of the model's. Where
/// `after` holds for an action, taken from a state to `next` (or to the state itself,
/// where it is a self-loop the search does not build, [`super::SelfLoop`]), `more`
/// adds the states the recorded graph also has one step away: states that further
/// steps from `next` reach and that the caller counts as part of that one step (the
/// drift classes' Tick that saturates timers, which is the Tick and a drift ahead
/// between classes). They are edges of the recording only: the search neither stores
/// nor expands them (where they are reachable, it reaches them by the steps they stand
/// for).
pub struct Shortcuts<M: Model> {
    /// Whether an action's step has shortcuts.
    pub after: fn(&M, &M::Action) -> bool,
    /// The shortcuts from the state such a step leads to, added to the vector.
    pub more: fn(&M, &M::State, &mut Vec<M::State>),
}

impl<M: Model> Clone for Shortcuts<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: Model> Copy for Shortcuts<M> {}

/// The states of a recorded graph, by fingerprint (the stored states' keys: under
/// symmetry, the representatives'): each one's index.
pub(crate) type StateIndex = HashMap<u64, u32, BuildHasherDefault<FingerprintHasher>>;

/// The graph a BFS explored ([`run_recorded`](super::run_recorded)), its states by
/// index. Every stored state is expanded, covered or unexpanded; a step may lead to a
/// state that is none of these only where it is a shortcut ([`Shortcuts`]) to a state
/// the search never stored.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The graph.
    pub graph: RecordedGraph,
    /// The property slots' names, as `graph.goals` numbers them
    /// ([`DEADLOCK_PROPERTY`](super::DEADLOCK_PROPERTY) last where deadlock is
    /// checked).
    pub properties: Vec<&'static str>,
}

/// What a search recorded of its graph (see [`Recorded`]).
#[derive(Debug, Default)]
pub struct RecordedGraph {
    /// Every state the graph names, by fingerprint: its index (`0..stored.len()`;
    /// [`RecordedGraph::index_of`]).
    pub(crate) index: StateIndex,
    /// Per index, whether the search stored that state (not: a shortcut to a state it
    /// never stored).
    pub stored: Vec<bool>,
    /// The expanded states.
    pub expanded: Vec<u32>,
    /// Where each expanded state's steps end in the concatenation of `steps`
    /// (`expanded[i]`'s are its `ends[i - 1]..ends[i]`).
    pub ends: Vec<usize>,
    /// Each expanded state's steps, in segments (one per part added: no copy of the
    /// whole as it grows, and a reader may free them one by one): its successors and
    /// its shortcuts, each once (self-loops the search does not build are left out).
    pub steps: Vec<Vec<u32>>,
    /// How many steps `steps` holds.
    pub step_count: usize,
    /// The stored states left unexpanded because another state covers them
    /// (subsumption, [`super::Subsume`]), each with the one that covers it (expanded, on
    /// the level the search stopped before expanding, or covered in turn by a state
    /// with smaller counters).
    pub covered: Vec<(u32, u32)>,
    /// The stored states the search stopped before expanding: the level after the
    /// last one it expanded, where it stopped with every property decided.
    pub unexpanded: Vec<u32>,
    /// The stored states that decide a property, with its slot: an `always` false
    /// there, a `sometimes` true there, no enabled step for the deadlock slot. Every
    /// stored state is evaluated for every property but `eventually` ones and those
    /// another search decided ([`super::Facts::decided`]), whether the search still
    /// looked for it or not; for deadlock, the expanded ones and the level the search
    /// stopped before expanding (a covered state has a step where the one covering it
    /// has one, [`super::Subsume`]).
    pub goals: Vec<(u32, usize)>,
}

impl RecordedGraph {
    /// The index of the state with this fingerprint (the key the search stored it by),
    /// if the graph names it.
    pub fn index_of(&self, fingerprint: u64) -> Option<u32> {
        self.index.get(&fingerprint).copied()
    }

    /// The index of the state `fingerprint`, a new one where it has none (`u32::MAX`
    /// past 2^32 - 1 states: the caller's [`Recorded`] is then refused).
    pub(crate) fn at(&mut self, fingerprint: u64) -> u32 {
        let next = u32::try_from(self.index.len()).unwrap_or(u32::MAX);
        let at = *self.index.entry(fingerprint).or_insert(next);
        if at == next && next != u32::MAX {
            self.stored.push(false);
        }
        at
    }

    /// Notes the state `fingerprint` as stored.
    pub(crate) fn store(&mut self, fingerprint: u64) {
        let at = self.at(fingerprint);
        if let Some(stored) = self.stored.get_mut(at as usize) {
            *stored = true;
        }
    }

    /// Whether every state got an index of its own (fewer than 2^32 - 1 of them).
    pub(crate) fn indexed(&self) -> bool {
        self.index.len() < u32::MAX as usize
    }

    /// Adds what a worker recorded; every stored state it names has been noted
    /// ([`RecordedGraph::store`]) before.
    pub(crate) fn add(&mut self, part: Part) {
        let mut begin = 0;
        let mut steps = Vec::with_capacity(part.steps.len());
        for (&state, &end) in part.expanded.iter().zip(&part.ends) {
            let at = self.at(state);
            self.expanded.push(at);
            for &step in &part.steps[begin..end] {
                steps.push(self.at(step));
            }
            self.ends.push(self.step_count + steps.len());
            begin = end;
        }
        self.step_count += steps.len();
        if !steps.is_empty() {
            self.steps.push(steps);
        }
        for (state, slot) in part.goals {
            let at = self.at(state);
            self.goals.push((at, slot));
        }
    }
}

/// What one worker recorded of a level, by fingerprint (see [`RecordedGraph::add`]).
#[derive(Debug, Default)]
pub(crate) struct Part {
    /// The expanded states.
    pub expanded: Vec<u64>,
    /// Where each one's steps end in `steps`.
    pub ends: Vec<usize>,
    /// Their steps, each state's once each.
    pub steps: Vec<u64>,
    /// The states that decide a property, with its slot.
    pub goals: Vec<(u64, usize)>,
}

impl Part {
    /// Ends the steps of the expanded state `fingerprint`, the steps recorded since the
    /// last one ended: each kept once.
    pub(crate) fn end_expanded(&mut self, fingerprint: u64) {
        let start = self.ends.last().copied().unwrap_or(0);
        let own = &mut self.steps[start..];
        own.sort_unstable();
        let mut kept = 0;
        for at in 0..own.len() {
            if at == 0 || own[at] != own[kept - 1] {
                own[kept] = own[at];
                kept += 1;
            }
        }
        self.steps.truncate(start + kept);
        self.expanded.push(fingerprint);
        self.ends.push(self.steps.len());
    }
}

#[cfg(test)]
mod tests {
    use super::{Part, RecordedGraph};

    #[test]
    fn a_state_keeps_each_step_once_and_parts_become_indexes() {
        let mut graph = RecordedGraph::default();
        for state in [1, 2, 3, 5] {
            graph.store(state);
        }
        let mut one = Part::default();
        one.steps.extend([5, 3, 5, 3, 9]);
        one.end_expanded(1);
        one.end_expanded(2);
        one.goals.push((3, 0));
        graph.add(one);
        let mut two = Part::default();
        two.steps.extend([9, 9]);
        two.end_expanded(3);
        graph.add(two);
        // 9 was never stored: a shortcut's target, indexed after the stored ones.
        assert_eq!(graph.index.len(), 5);
        assert_eq!(graph.stored, vec![true, true, true, true, false]);
        let at = |state: u64| graph.index[&state];
        assert_eq!(graph.expanded, vec![at(1), at(2), at(3)]);
        assert_eq!(graph.steps, vec![vec![at(3), at(5), at(9)], vec![at(9)]]);
        assert_eq!(graph.step_count, 4);
        assert_eq!(graph.ends, vec![3, 3, 4]);
        assert_eq!(graph.goals, vec![(at(3), 0)]);
        assert!(graph.indexed());
    }
}
