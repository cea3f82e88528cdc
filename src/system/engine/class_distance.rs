//! Distances in the drift-class graph: the guide of the full system's search after a
//! search on drift classes.
//!
//! Where the search on [`DriftClasses`] finds an `always` violated, a `sometimes`
//! reached or a deadlock, it has no run of the full system to show, and the full system
//! is searched for it (`pipeline::check_system`). Every step of the full system is a
//! drift within a class, or one step of the class graph between the classes of its two
//! states — but a Tick that saturates timers (a paused or late node's timer at 0 while
//! time passes), which is the class graph's Tick followed by a drift ahead from the
//! front for each node it saturates (see [`DriftClasses`]). The table below adds that
//! composite as one step: from every class, a Tick followed by drifts ahead of any
//! distinct nodes. Then a run of the full system from a state `s` to a state that
//! decides a property is at least as long as the shortest path in the table from the
//! class of `s` to a class that decides it (properties read the same on every member
//! of a class, the contract of `Protocol::LEAN_STATE`).
//!
//! [`ClassDistances`] holds that graph breadth-first up to a depth `D` (every class at
//! most `D` steps from the initial one indexed, those nearer expanded, their steps kept
//! as successor lists; `D` is where the class search found the deepest of the open
//! properties) and, per open property, each indexed class's distance within it to the
//! nearest class that decides the property or, where nearer, one more than its
//! distance to an unexpanded class of the last level that does not (a path to a deeper
//! class goes through one, and takes a step more). One breadth-first search backwards
//! per property. That distance never exceeds the length of a run of the full system to
//! a decision: [`lower`](ClassDistances::lower) is an admissible lower bound for the
//! guided BFS of the full system ([`crate::check::Guide`]), which finds every decision
//! at the depth where the unguided search finds it. A state whose class is not indexed
//! (deeper than `D`) gets 0: no pruning, never a wrong one. The levels are expanded on
//! the check's threads and indexed in order by one, so the table is the same for any
//! thread count. `tests/class_guide.rs`
//! checks the bound against true distances on whole spaces.

use super::{Action, DriftClasses, DriftStep, Protocol, SystemState};
use crate::check::{self, Budget, CheckOptions};
use crate::pool::side_by_side;
use stateright::{Expectation, Model};
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasherDefault;

type KeyMap = HashMap<u64, u32, BuildHasherDefault<check::FingerprintHasher>>;
type KeySet = HashSet<u64, BuildHasherDefault<check::FingerprintHasher>>;

/// The drift-class graph up to a depth, and each indexed class's distances to the
/// open properties (see the module docs); built by [`DriftClasses::distances`].
pub struct ClassDistances<P: Protocol> {
    classes: DriftClasses<P>,
    symmetric: bool,
    /// The open properties, by name, in the order of `goals` and `distance`.
    names: Vec<&'static str>,
    /// Every class at most `depth` steps from the initial one, by key: its index.
    index: KeyMap,
    depth: usize,
    /// The successor lists of the classes less than `depth` steps deep (the first
    /// `ends.len()` indexes): class `i`'s end at `ends[i]` in `successors`.
    successors: Vec<u32>,
    ends: Vec<u64>,
    /// The classes exactly `depth` steps deep (indexes `ends.len()..`), in index order.
    frontier: Vec<SystemState<P>>,
    /// Per open property, what decides it at a class.
    deciders: Vec<Decider<P>>,
    /// Per open property, the indexed classes that decide it.
    goals: Vec<Vec<u32>>,
    /// Per open property, per indexed class, its distance within the table to the
    /// nearest class that decides the property; `u32::MAX`: none.
    distance: Vec<Vec<u32>>,
}

impl<P: Protocol> std::fmt::Debug for ClassDistances<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClassDistances")
            .field("classes", &self.len())
            .field("depth", &self.depth)
            .field("names", &self.names)
            .field("symmetric", &self.symmetric)
            .finish()
    }
}

impl<P: Protocol> ClassDistances<P> {
    /// How many classes the table indexes.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether it indexes none.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The depth it indexes classes to.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The open properties, by name: `lower`'s `among` indexes this.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// The lower bound at a state of the full system for the nearest state that
    /// decides one of the properties `among` (indexes into [`ClassDistances::names`]):
    /// the least distance of its class (`usize::MAX` where it reaches neither a class
    /// that decides one nor the table's last level; 0 where its class is not indexed,
    /// which is deeper than the table).
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

    /// Indexes the classes to `depth`, then computes the distances. `None` where
    /// `budget` cut it or the graph outgrew 2^32 classes or steps.
    ///
    /// A level is expanded in batches of chunks, side by side on `options.threads`
    /// ([`side_by_side`]): each chunk's steps are looked up in the index as it was
    /// before the batch (read only while the batch is expanded), and the classes not
    /// found there are then indexed in level order by the calling thread, so the
    /// indexes, and with them the table, are the same for any thread count.
    fn extend_to(&mut self, depth: usize, options: &CheckOptions, budget: &Budget) -> Option<()> {
        while self.depth < depth && !self.frontier.is_empty() {
            let mut level = std::mem::take(&mut self.frontier).into_iter();
            // Chunks of at most `CHUNK_CLASSES`, smaller where the level is short, so
            // that every thread gets some of it.
            let chunks_per_batch = BATCH_CHUNKS_PER_THREAD * options.threads;
            let chunk = level
                .len()
                .div_ceil(chunks_per_batch)
                .clamp(1, CHUNK_CLASSES);
            let batch = chunk * chunks_per_batch;
            // Each batch's classes are dropped once it is indexed (as the next level
            // grows).
            while level.len() > 0 {
                if budget.states_exceeded(self.len()) {
                    return None;
                }
                let batch: Vec<SystemState<P>> = level.by_ref().take(batch).collect();
                let chunks: Vec<&[SystemState<P>]> = batch.chunks(chunk).collect();
                let expanded = side_by_side(chunks.len(), options, |chunk, _| {
                    if budget.exhausted().is_some() {
                        return None;
                    }
                    Some(self.expand_chunk(chunks[chunk]))
                });
                for chunk in expanded {
                    for steps in chunk? {
                        let at = u32::try_from(self.ends.len()).ok()?;
                        for step in steps {
                            let target = match step {
                                Successor::Indexed(target) => target,
                                Successor::Unindexed(candidate) => self.insert(*candidate)?,
                                Successor::Carried(key) => *self.index.get(&key)?,
                            };
                            if target != at {
                                self.successors.push(target);
                            }
                        }
                        self.ends.push(self.successors.len() as u64);
                    }
                }
            }
            self.depth += 1;
        }
        let reversed = Reversed::of(&self.ends, &self.successors, self.len())?;
        let last = u32::try_from(self.ends.len()).ok()?;
        let last_level: Vec<u32> = (last..u32::try_from(self.len()).ok()?).collect();
        self.distance = self
            .goals
            .iter()
            .map(|goals| reversed.distances(goals, &last_level))
            .collect();
        // The last level's states are not needed any more.
        self.frontier = Vec::new();
        Some(())
    }

    /// The steps of the classes of `chunk`, each class's in order (but those that
    /// stay in it): a class the levels before indexed by its index, any other as a
    /// candidate for the calling thread to index.
    fn expand_chunk(&self, chunk: &[SystemState<P>]) -> Vec<Vec<Successor<P>>> {
        let mut actions = Vec::new();
        let mut expanded = Vec::with_capacity(chunk.len());
        // The classes this chunk already carries as candidates: carried once.
        let mut carried = KeySet::default();
        // A class's successors as the steps build them.
        let mut built = Vec::new();
        for state in chunk {
            actions.clear();
            self.classes.actions(state, &mut actions);
            for action in actions.drain(..) {
                let tick = action == DriftStep::Tick;
                if self.classes.is_self_loop(state, &action) {
                    // No step of its own; a Tick that stays in its class still
                    // saturates with the drifts ahead from there.
                    if tick {
                        built.extend(self.drifts_ahead(state));
                    }
                    continue;
                }
                let Some(next) = self.classes.next_state(state, action) else {
                    continue;
                };
                // A Tick that saturates timers: the Tick and the drifts ahead.
                if tick {
                    let saturated = self.drifts_ahead(&next);
                    built.push(next);
                    built.extend(saturated);
                } else {
                    built.push(next);
                }
            }
            // A successor the same as the one before it adds no step (as in the class
            // search, `DriftClasses::facts`).
            built.dedup();
            let mut steps = Vec::with_capacity(built.len());
            for next in built.drain(..) {
                let (front, key) = self.classes.keyed_front(next, self.symmetric);
                steps.push(match self.index.get(&key) {
                    Some(&target) => Successor::Indexed(target),
                    None if !carried.insert(key) => Successor::Carried(key),
                    None => Successor::Unindexed(Box::new(self.candidate(front, key))),
                });
            }
            expanded.push(steps);
        }
        expanded
    }

    /// The classes a drift ahead of each of some distinct nodes leads to from `front`
    /// (a class's front), `front` itself left out.
    fn drifts_ahead(&self, front: &SystemState<P>) -> Vec<SystemState<P>> {
        let system = self.classes.system();
        let mut reached = vec![front.clone()];
        let mut enabled = Vec::new();
        for node in 0..front.nodes.len() {
            let action = Action::Drift {
                node,
                forward: true,
            };
            let mut more = Vec::new();
            for state in &reached {
                enabled.clear();
                system.enabled_actions(state, &mut enabled);
                if enabled.contains(&action) {
                    more.extend(
                        system
                            .step(state, &action)
                            .map(|next| system.drift_representative(next)),
                    );
                }
            }
            reached.extend(more);
        }
        reached.remove(0);
        reached
    }

    /// A class not indexed before this level, with the open properties it decides.
    fn candidate(&self, front: SystemState<P>, key: u64) -> Candidate<P> {
        let mut stuck = None;
        let decides = (self.deciders.iter().enumerate())
            .filter(|(_, decider)| match decider {
                Decider::Value(condition, value) => condition(&self.classes, &front) == *value,
                Decider::Stuck => *stuck.get_or_insert_with(|| {
                    let mut actions = Vec::new();
                    self.classes.actions(&front, &mut actions);
                    actions.is_empty()
                }),
                Decider::Never => false,
            })
            .map(|(opened, _)| opened)
            .collect();
        Candidate {
            front,
            key,
            decides,
        }
    }

    /// Indexes a class if new (a class of the next level, noting the properties it
    /// decides); its index.
    fn insert(&mut self, candidate: Candidate<P>) -> Option<u32> {
        if let Some(&at) = self.index.get(&candidate.key) {
            return Some(at);
        }
        let at = u32::try_from(self.index.len()).ok()?;
        self.index.insert(candidate.key, at);
        for opened in candidate.decides {
            self.goals[opened].push(at);
        }
        self.frontier.push(candidate.front);
        Some(at)
    }
}

/// Classes per unit of work, at most, when a level of the table is expanded.
const CHUNK_CLASSES: usize = 256;
/// Chunks per thread expanded before the calling thread indexes what they found: the
/// next batch sees those classes indexed, so few classes are carried twice (the
/// classes a batch finds new are held whole until they are indexed).
const BATCH_CHUNKS_PER_THREAD: usize = 4;

/// A step of a class, as a chunk's expansion found it ([`ClassDistances::extend_to`]).
enum Successor<P: Protocol> {
    /// To a class indexed before (its index).
    Indexed(u32),
    /// To a class not indexed before this level: perhaps new.
    Unindexed(Box<Candidate<P>>),
    /// To a class an earlier step of the chunk carries (by key): indexed by the time
    /// this step is.
    Carried(u64),
}

/// A class (its front, a state of [`DriftClasses`]) that may be new to the table.
struct Candidate<P: Protocol> {
    front: SystemState<P>,
    key: u64,
    /// The open properties it decides (indexes into `ClassDistances::names`).
    decides: Vec<usize>,
}

/// What decides an open property at a class.
enum Decider<P: Protocol> {
    /// The property's condition has this value (`false` for an `always`, `true` for a
    /// `sometimes`).
    Value(fn(&DriftClasses<P>, &SystemState<P>) -> bool, bool),
    /// The class has no step (`deadlock_free`).
    Stuck,
    /// Nothing (an `eventually`, or a name the model does not have).
    Never,
}

impl<P: Protocol> DriftClasses<P> {
    /// The key of the class of a full-system state in [`ClassDistances`]: its front's
    /// fingerprint, under symmetry its representative's.
    fn class_key(&self, state: SystemState<P>, symmetric: bool) -> u64 {
        self.keyed_front(self.system().drift_representative(state), symmetric)
            .1
    }

    /// A front (a state of this model), its symmetry representative where
    /// `symmetric`, with its key in [`ClassDistances`].
    fn keyed_front(&self, front: SystemState<P>, symmetric: bool) -> (SystemState<P>, u64) {
        if symmetric {
            self.canonical(front)
        } else {
            let key = check::fingerprint(&front);
            (front, key)
        }
    }

    /// The class graph to `depth` and each class's distance in it to the nearest class
    /// that decides each of `open` (property names: an `always` false there, a
    /// `sometimes` true there, [`check::DEADLOCK_PROPERTY`] a class with no step),
    /// searching classes up to symmetry where `symmetric`, on `threads` threads (the
    /// table is the same for any number). `None` where `budget` cut the search, or a
    /// class graph too large to index (2^32 classes or steps).
    pub fn distances(
        &self,
        open: &[&'static str],
        symmetric: bool,
        depth: usize,
        threads: usize,
        budget: &Budget,
    ) -> Option<ClassDistances<P>> {
        let properties = self.properties();
        let deciders = open
            .iter()
            .map(|name| {
                let property = properties.iter().find(|property| property.name == *name);
                match property.map(|property| (&property.expectation, property.condition)) {
                    Some((Expectation::Always, condition)) => Decider::Value(condition, false),
                    Some((Expectation::Sometimes, condition)) => Decider::Value(condition, true),
                    None if *name == check::DEADLOCK_PROPERTY => Decider::Stuck,
                    Some((Expectation::Eventually, _)) | None => Decider::Never,
                }
            })
            .collect();
        let mut table = ClassDistances {
            classes: self.clone(),
            symmetric,
            names: open.to_vec(),
            deciders,
            index: KeyMap::default(),
            depth: 0,
            successors: Vec::new(),
            ends: Vec::new(),
            frontier: Vec::new(),
            goals: vec![Vec::new(); open.len()],
            distance: Vec::new(),
        };
        for state in self.init_states() {
            let (front, key) = self.keyed_front(state, symmetric);
            let candidate = table.candidate(front, key);
            table.insert(candidate)?;
        }
        let options = CheckOptions {
            threads: threads.max(1),
            ..CheckOptions::default()
        };
        table.extend_to(depth, &options, budget)?;
        Some(table)
    }
}

/// A graph's predecessor lists: `predecessors[starts[n]..starts[n + 1]]` are node
/// `n`'s.
struct Reversed {
    starts: Vec<u32>,
    predecessors: Vec<u32>,
}

impl Reversed {
    /// The reverse of the graph of `nodes` nodes given by successor lists
    /// (`successors`, node `n`'s ending at `ends[n]`; nodes past `ends` have none).
    /// `None` past 2^32 edges.
    fn of(ends: &[u64], successors: &[u32], nodes: usize) -> Option<Reversed> {
        let mut starts = vec![0u32; nodes + 1];
        for &target in successors {
            starts[target as usize + 1] += 1;
        }
        for node in 0..nodes {
            starts[node + 1] = starts[node].checked_add(starts[node + 1])?;
        }
        let mut fill = starts.clone();
        let mut predecessors = vec![0u32; successors.len()];
        let mut begin = 0usize;
        for (node, &end) in ends.iter().enumerate() {
            let end = usize::try_from(end).ok()?;
            let node = u32::try_from(node).ok()?;
            for &target in &successors[begin..end] {
                let slot = &mut fill[target as usize];
                predecessors[*slot as usize] = node;
                *slot += 1;
            }
            begin = end;
        }
        Some(Reversed {
            starts,
            predecessors,
        })
    }

    /// Breadth-first along the reversed edges from `goals` (at 0) and `beyond` (the
    /// nodes whose successors are unknown: at 1 where not goals): each node's distance
    /// to the nearest goal, or one more than to the nearest of `beyond` where nearer
    /// (`u32::MAX`: neither reachable).
    fn distances(&self, goals: &[u32], beyond: &[u32]) -> Vec<u32> {
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
            let next = distance[node as usize] + 1;
            let from = self.starts[node as usize] as usize;
            let to = self.starts[node as usize + 1] as usize;
            for &before in &self.predecessors[from..to] {
                if distance[before as usize] == u32::MAX {
                    distance[before as usize] = next;
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
        let reversed = Reversed::of(&ends, &successors, 6).expect("small graph");
        let none = u32::MAX;
        assert_eq!(reversed.distances(&[2], &[]), vec![2, 1, 0, none, 1, none]);
        assert_eq!(
            reversed.distances(&[3], &[]),
            vec![1, none, none, 0, none, none]
        );
        assert_eq!(reversed.distances(&[2, 3], &[]), vec![1, 1, 0, 0, 1, none]);
        // Node 5 has no successor list (it is beyond the graph's last level): a goal
        // may lie past it, one step on at least.
        let reversed = Reversed::of(&[1, 2, 2], &[1, 5], 6).expect("small graph");
        assert_eq!(reversed.distances(&[2], &[5]), vec![3, 2, 0, none, none, 1]);
        assert_eq!(
            reversed.distances(&[1], &[5]),
            vec![1, 0, none, none, none, 1]
        );
    }
}
