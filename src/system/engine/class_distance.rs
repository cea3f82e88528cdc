//! Distances in the drift-class graph: the guide of the full system's search after a
//! search on drift classes.
//!
//! Where the search on [`DriftClasses`] finds an `always` violated, a `sometimes`
//! reached or a deadlock, it has no run of the full system to show, and the full system
//! is searched for it (`pipeline::check_system`). Every step of the full system is a
//! drift within a class, or one step of the class graph between the classes of its two
//! states — but a Tick that saturates timers (a paused or late node's timer at 0 while
//! time passes), which is the class graph's Tick followed by a drift ahead from the
//! front for each node it saturates (see [`DriftClasses`]). The class search records
//! its graph with that composite as one step, a *shortcut* ([`check::Shortcuts`],
//! [`DriftClasses::shortcuts`]): from every class, a Tick followed by drifts ahead of
//! any distinct nodes. Then a run of the full system from a state `s` to a state that
//! decides a property is at least as long as the shortest path in that graph from the
//! class of `s` to a class that decides it (properties read the same on every member
//! of a class, the contract of `Protocol::LEAN_STATE`).
//!
//! [`ClassDistances`] takes the graph the class search recorded as it went
//! ([`check::run_recorded`]: no second pass over the classes) and computes, per open
//! property, each class's distance in it to the nearest class that decides the
//! property, by one breadth-first search backwards per property. Where the graph is
//! not whole, the bound stays below the truth:
//!
//! - a class the search left unexpanded because another covers it (subsumption,
//!   [`check::Subsume`]) is as far as the class that covers it: that one *simulates*
//!   it (every run from the covered class is matched, step by step, from the one that
//!   covers it, with the same property values), so it is never farther, and its
//!   distance bounds the covered one's (by induction on the true distance, then along
//!   the chain of covering classes, which ends at an expanded one);
//! - a class the search stopped before expanding (it stops once every property is
//!   decided) is one step away unless it decides the property itself;
//! - a shortcut to a class the search never stored is 0 away (nothing is known of it).
//!
//! That distance never exceeds the length of a run of the full system to a decision:
//! [`lower`](ClassDistances::lower) is an admissible lower bound for the guided BFS of
//! the full system ([`crate::check::Guide`]), which finds every decision at the depth
//! where the unguided search finds it. A state whose class is not in the graph gets 0:
//! no pruning, never a wrong one. The graph, hence every distance, is the same for any
//! thread count. `tests/suite/class_guide.rs` checks the bound against true distances on
//! whole spaces, with subsumption on and off.

use super::{Action, DriftClasses, DriftStep, Protocol, SystemState};
use crate::check::{self, Budget, CheckOptions, Recorded};
use std::collections::VecDeque;

/// Each class's distances to the open properties in the class graph a class search
/// recorded (see the module docs); built by [`ClassDistances::of`] or
/// [`DriftClasses::distances`].
pub struct ClassDistances<P: Protocol> {
    classes: DriftClasses<P>,
    symmetric: bool,
    /// The open properties, by name, in the order of `distance`.
    names: Vec<&'static str>,
    /// Every class of the graph, by key: its index.
    index: check::StateIndex,
    /// How many classes the search stored (the graph also names the classes
    /// shortcuts lead to that it never stored).
    stored: usize,
    /// How many classes the search left unexpanded because another covers them.
    covered: usize,
    /// Per open property, per class, its distance in the graph to the nearest class
    /// that decides the property; `u32::MAX`: none.
    distance: Vec<Vec<u32>>,
}

impl<P: Protocol> std::fmt::Debug for ClassDistances<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClassDistances")
            .field("classes", &self.len())
            .field("covered", &self.covered)
            .field("names", &self.names)
            .field("symmetric", &self.symmetric)
            .finish()
    }
}

impl<P: Protocol> ClassDistances<P> {
    /// How many classes the class search stored.
    pub fn len(&self) -> usize {
        self.stored
    }

    /// Whether it stored none.
    pub fn is_empty(&self) -> bool {
        self.stored == 0
    }

    /// How many of its classes the class search left unexpanded because another
    /// covers them (their distance is the covering class's).
    pub fn covered(&self) -> usize {
        self.covered
    }

    /// The open properties, by name: `lower`'s `among` indexes this.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// The lower bound at a state of the full system for the nearest state that
    /// decides one of the properties `among` (indexes into [`ClassDistances::names`]):
    /// the least distance of its class (`usize::MAX` where it reaches no class that
    /// decides one; 0 where its class is not in the graph).
    pub fn lower(&self, state: &SystemState<P>, among: &[usize]) -> usize {
        let key = self.classes.class_key(state.clone(), self.symmetric);
        let Some(&at) = self.index.get(&key) else {
            return 0;
        };
        among
            .iter()
            .filter_map(|&property| self.distance.get(property))
            .map(|distance| distance[at as usize])
            .min()
            .map_or(usize::MAX, |least| match least {
                u32::MAX => usize::MAX,
                least => least as usize,
            })
    }

    /// The distances to each of `open` (property names: an `always` false there, a
    /// `sometimes` true there, [`check::DEADLOCK_PROPERTY`] a class with no step) in
    /// the graph a search on `classes` recorded with [`DriftClasses::shortcuts`]
    /// (keyed up to symmetry where `symmetric`, as that search was). `None` past 2^32
    /// classes or steps.
    pub fn of(
        classes: &DriftClasses<P>,
        symmetric: bool,
        open: &[&'static str],
        recorded: Recorded,
    ) -> Option<ClassDistances<P>> {
        let Recorded { graph, properties } = recorded;
        let nodes = graph.index.len();
        // The steps' segments are freed as they are reversed.
        let (expanded, ends) = (&graph.expanded, &graph.ends);
        let reversed = Reversed::of(expanded, ends, graph.steps, graph.step_count, nodes)?;
        let covered_by = Reversed::of_pairs(&graph.covered, nodes)?;
        // Shortcuts to classes the search never stored.
        let unknown: Vec<u32> = (graph.stored.iter().enumerate())
            .filter(|(_, &stored)| !stored)
            .map(|(node, _)| node as u32)
            .collect();
        let distance = open
            .iter()
            .map(|name| {
                let slot = properties.iter().position(|property| property == name);
                let mut zero: Vec<u32> = (graph.goals.iter())
                    .filter(|&&(_, at)| Some(at) == slot)
                    .map(|&(node, _)| node)
                    .collect();
                zero.extend(&unknown);
                reversed.distances(&covered_by, &zero, &graph.unexpanded)
            })
            .collect();
        Some(ClassDistances {
            classes: classes.clone(),
            symmetric,
            names: open.to_vec(),
            index: graph.index,
            stored: nodes - unknown.len(),
            covered: graph.covered.len(),
            distance,
        })
    }
}

impl<P: Protocol> DriftClasses<P> {
    /// The key of the class of a full-system state in [`ClassDistances`]: its front's
    /// fingerprint, under symmetry its representative's (the key the class search
    /// stores it by).
    fn class_key(&self, state: SystemState<P>, symmetric: bool) -> u64 {
        let front = self.system().drift_representative(state);
        if symmetric {
            self.canonical(front).1
        } else {
            check::fingerprint(&front)
        }
    }

    /// The class graph's shortcuts for [`ClassDistances`] ([`check::run_recorded`]): a
    /// Tick followed by drifts ahead of any distinct nodes, one step of the full system
    /// (see the module docs).
    pub fn shortcuts(&self) -> check::Shortcuts<Self> {
        check::Shortcuts {
            after: |_, step| *step == DriftStep::Tick,
            more: |classes, front, out| classes.drifts_ahead(front, out),
        }
    }

    /// The classes a drift ahead of each of some distinct nodes leads to from `front`
    /// (a class's front), `front` itself left out, into `out`.
    fn drifts_ahead(&self, front: &SystemState<P>, out: &mut Vec<SystemState<P>>) {
        let system = self.system();
        let start = out.len();
        for node in 0..front.nodes.len() {
            let action = Action::Drift {
                node,
                forward: true,
            };
            // `front` and every state reached so far, each with the drift ahead of
            // this node where it may drift.
            let reached = out.len();
            for at in start..=reached {
                let state = if at == start { front } else { &out[at - 1] };
                if !system.drift_enabled(state, node, true) {
                    continue;
                }
                if let Some(next) = system.step(state, &action) {
                    out.push(system.drift_representative(next));
                }
            }
        }
    }

    /// The class graph a search on these classes records (up to symmetry where
    /// `symmetric`, on `options.threads` threads, within `budget`), and each class's
    /// distance in it to the nearest class that decides each of `open` (see
    /// [`ClassDistances::of`]). `None` where a limit cut the search (a graph that is
    /// not whole), or a graph too large to index (2^32 classes or steps).
    pub fn distances(
        &self,
        open: &[&'static str],
        symmetric: bool,
        options: &CheckOptions,
        budget: &Budget,
    ) -> Option<ClassDistances<P>> {
        let options = CheckOptions {
            strategy: check::Strategy::Bfs,
            ..options.clone()
        };
        let canonical = symmetric.then_some(Self::canonical as check::Canonicalize<Self>);
        let facts = self.facts();
        let (_, recorded) = check::run_recorded(
            self,
            &options,
            canonical,
            facts,
            budget,
            Some(self.shortcuts()),
        );
        ClassDistances::of(self, symmetric, open, recorded?)
    }
}

/// A graph's predecessor lists: `predecessors[starts[n]..starts[n + 1]]` are node
/// `n`'s.
struct Reversed {
    starts: Vec<u32>,
    predecessors: Vec<u32>,
}

impl Reversed {
    /// The reverse of the graph of `nodes` nodes given by successor lists (the
    /// concatenation of `segments`, `count` steps, node `sources[i]`'s ending at
    /// `ends[i]`; other nodes have none). Each segment is freed once placed. `None` past
    /// 2^32 edges.
    fn of(
        sources: &[u32],
        ends: &[usize],
        segments: Vec<Vec<u32>>,
        count: usize,
        nodes: usize,
    ) -> Option<Reversed> {
        let mut starts = vec![0u32; nodes + 1];
        for &to in segments.iter().flatten() {
            starts[to as usize + 1] += 1;
        }
        for node in 0..nodes {
            starts[node + 1] = starts[node].checked_add(starts[node + 1])?;
        }
        let mut fill = starts.clone();
        let mut predecessors = vec![0u32; count];
        // The step being placed, and the expanded node whose steps it is among.
        let (mut step, mut at) = (0usize, 0usize);
        for segment in segments {
            for to in segment {
                while ends.get(at).is_some_and(|&end| end <= step) {
                    at += 1;
                }
                let slot = &mut fill[to as usize];
                predecessors[*slot as usize] = *sources.get(at)?;
                *slot += 1;
                step += 1;
            }
        }
        Some(Reversed {
            starts,
            predecessors,
        })
    }

    /// The reverse of the graph of `nodes` nodes with the edges `pairs` (from, to).
    fn of_pairs(pairs: &[(u32, u32)], nodes: usize) -> Option<Reversed> {
        let sources: Vec<u32> = pairs.iter().map(|&(from, _)| from).collect();
        let ends: Vec<usize> = (1..=pairs.len()).collect();
        let targets = pairs.iter().map(|&(_, to)| to).collect();
        Reversed::of(&sources, &ends, vec![targets], pairs.len(), nodes)
    }

    /// Node `node`'s predecessors.
    fn before(&self, node: u32) -> &[u32] {
        let from = self.starts[node as usize] as usize;
        let to = self.starts[node as usize + 1] as usize;
        &self.predecessors[from..to]
    }

    /// Breadth-first along the reversed edges (each one step), and along `covered_by`'s
    /// (a covered node to the node that covers it: no step), from `goals` (at 0) and
    /// `beyond` (the nodes whose successors are unknown: at 1 where not goals): each
    /// node's distance to the nearest goal, or one more than to the nearest of
    /// `beyond` where nearer (`u32::MAX`: neither reachable). Nodes whose distance
    /// falls are queued again (in front for a step of 0), so each ends at its least.
    fn distances(&self, covered_by: &Reversed, goals: &[u32], beyond: &[u32]) -> Vec<u32> {
        let mut distance = vec![u32::MAX; self.starts.len() - 1];
        let mut queue = VecDeque::new();
        for &goal in goals {
            distance[goal as usize] = 0;
            queue.push_back(goal);
        }
        // After every 0 in the queue: the queue stays in order of distance.
        for &node in beyond {
            if distance[node as usize] == u32::MAX {
                distance[node as usize] = 1;
                queue.push_back(node);
            }
        }
        while let Some(node) = queue.pop_front() {
            let here = distance[node as usize];
            for &covered in covered_by.before(node) {
                if here < distance[covered as usize] {
                    distance[covered as usize] = here;
                    queue.push_front(covered);
                }
            }
            for &before in self.before(node) {
                if here + 1 < distance[before as usize] {
                    distance[before as usize] = here + 1;
                    queue.push_back(before);
                }
            }
        }
        distance
    }
}

#[cfg(test)]
mod tests {
    use super::Reversed;

    #[test]
    fn distances_run_backwards_from_the_goals() {
        // 0 → 1 → 2, 0 → 3, 4 → 2 (3 → 3 is left out, as self-loops are).
        let ends = [2, 3, 3, 3, 4];
        let successors = [1, 3, 2, 2];
        // In two segments.
        let segments = vec![successors[..1].to_vec(), successors[1..].to_vec()];
        let reversed = Reversed::of(&[0, 1, 2, 3, 4], &ends, segments, 4, 6).expect("small graph");
        let none = u32::MAX;
        let uncovered = Reversed::of_pairs(&[], 6).expect("no pairs");
        let distances =
            |goals: &[u32], beyond: &[u32]| reversed.distances(&uncovered, goals, beyond);
        assert_eq!(distances(&[2], &[]), vec![2, 1, 0, none, 1, none]);
        assert_eq!(distances(&[3], &[]), vec![1, none, none, 0, none, none]);
        assert_eq!(distances(&[2, 3], &[]), vec![1, 1, 0, 0, 1, none]);
        // Node 5 has no successor list (it is beyond the graph's last level): a goal
        // may lie past it, one step on at least.
        let reversed =
            Reversed::of(&[0, 1, 2], &[1, 2, 2], vec![vec![1, 5]], 2, 6).expect("small graph");
        assert_eq!(
            reversed.distances(&uncovered, &[2], &[5]),
            vec![3, 2, 0, none, none, 1]
        );
        assert_eq!(
            reversed.distances(&uncovered, &[1], &[5]),
            vec![1, 0, none, none, none, 1]
        );
    }

    #[test]
    fn a_covered_node_is_as_far_as_the_one_that_covers_it() {
        // 0 → 1 → 2 → 3, 0 → 4; 4 has no steps of its own: 2 covers it, 5 covers 1
        // (the expanded nodes listed out of order).
        let ends = [1, 3, 4];
        let successors = [3, 1, 4, 2];
        let reversed =
            Reversed::of(&[2, 0, 1], &ends, vec![successors.to_vec()], 4, 6).expect("small graph");
        let covered_by = Reversed::of_pairs(&[(4, 2), (1, 5)], 6).expect("two pairs");
        let none = u32::MAX;
        // 4 is as far from 3 as 2 is (1), so 0 is 2 away through it, not 3 through 1;
        // 1 is covered by 5, which reaches nothing: 1 keeps its own distance.
        assert_eq!(
            reversed.distances(&covered_by, &[3], &[]),
            vec![2, 2, 1, 0, 1, none]
        );
        // A goal at the node that covers: the covered one is a goal too.
        assert_eq!(
            reversed.distances(&covered_by, &[5], &[]),
            vec![1, 0, none, none, none, 0]
        );
    }
}
