//! The graph a breadth-first search explored, recorded as it goes
//! ([`run_recorded`](super::run_recorded)), for a caller that wants more of it than the
//! verdicts: the drift classes' distance table (`system::ClassDistances`), which
//! otherwise had to walk the graph a second time.
//!
//! Each worker records what its chunks expand (the steps by fingerprint, the states
//! that decide a property) in a [`RecordedGraph`]; the thread that runs the search appends the
//! parts between levels. Nothing about the order matters to a reader: the recording is
//! a set of edges and marks, the same for any thread count.

use stateright::Model;

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

/// The graph a BFS explored, by fingerprint (the stored states' keys: under symmetry,
/// the representatives'). Every stored state is expanded, covered or unexpanded; a
/// step may lead to a state that is none of these only where it is a shortcut
/// ([`Shortcuts`]) to a state the search never stored.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The part the workers recorded.
    pub graph: RecordedGraph,
    /// The property slots' names, as `goals` number them
    /// ([`DEADLOCK_PROPERTY`](super::DEADLOCK_PROPERTY) last where deadlock is
    /// checked).
    pub properties: Vec<&'static str>,
}

/// What a search recorded of its graph, or one worker of it (see [`Recorded`]).
#[derive(Debug, Default)]
pub struct RecordedGraph {
    /// The expanded states, in the order recorded.
    pub expanded: Vec<u64>,
    /// Where each expanded state's steps end in `steps` (`expanded[i]`'s are
    /// `steps[ends[i - 1]..ends[i]]`).
    pub ends: Vec<usize>,
    /// Each expanded state's steps: its successors' fingerprints and its shortcuts',
    /// each once (self-loops the search does not build are left out).
    pub steps: Vec<u64>,
    /// The stored states left unexpanded because another state covers them
    /// (subsumption, [`super::Subsume`]), each with the one that covers it (expanded, or
    /// covered in turn by a state with smaller counters).
    pub covered: Vec<(u64, u64)>,
    /// The stored states the search stopped before expanding: the level after the
    /// last one it expanded, where it stopped with every property decided.
    pub unexpanded: Vec<u64>,
    /// The stored states that decide a property, with its slot: an `always` false
    /// there, a `sometimes` true there, no enabled step for the deadlock slot. Every
    /// stored state is evaluated for every property but `eventually` ones and those
    /// another search decided ([`super::Facts::decided`]), whether the search still
    /// looked for it or not.
    pub goals: Vec<(u64, usize)>,
}

impl RecordedGraph {
    /// Appends `other` (its steps after this part's).
    pub(crate) fn append(&mut self, mut other: RecordedGraph) {
        let offset = self.steps.len();
        self.expanded.append(&mut other.expanded);
        self.ends.extend(other.ends.iter().map(|end| end + offset));
        self.steps.append(&mut other.steps);
        self.covered.append(&mut other.covered);
        self.unexpanded.append(&mut other.unexpanded);
        self.goals.append(&mut other.goals);
    }

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
    use super::RecordedGraph;

    #[test]
    fn a_state_keeps_each_step_once_and_parts_append_in_order() {
        let mut one = RecordedGraph::default();
        one.steps.extend([5, 3, 5, 3, 9]);
        one.end_expanded(1);
        one.end_expanded(2);
        let mut two = RecordedGraph::default();
        two.steps.extend([7, 7]);
        two.end_expanded(4);
        one.append(two);
        assert_eq!(one.expanded, vec![1, 2, 4]);
        assert_eq!(one.steps, vec![3, 5, 9, 7]);
        assert_eq!(one.ends, vec![3, 3, 4]);
    }
}
