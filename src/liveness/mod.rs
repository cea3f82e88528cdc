//! Liveness under weak fairness: `eventually P` checked on the explicit state graph.
//!
//! stateright reports an `eventually` failure only on a path that ends; a behaviour
//! that loops forever without P (a retry storm, a controller flapping) is missed. Here
//! the graph of states reachable through ¬P states is built explicitly (petgraph), its
//! strongly connected components are computed, and a component is a counterexample
//! when a *fair* cycle can stay inside it: for every weakly fair action class that is
//! enabled in every state of the component, some edge inside the component takes it.
//! (Within a strongly connected component one cycle can visit every state and edge, so
//! this test is exact for weak fairness.) A ¬P state with no enabled action is a
//! counterexample too: the behaviour stutters there forever. A model may name a
//! *progress* class that every loop must take ([`Fairness::progress_class`]): for the
//! timed system that is `Tick`, so a loop in which time never advances (infinitely
//! many steps in no time: Zeno) is not a behaviour.
//!
//! The result is a lasso: the shortest prefix to the loop, then the loop, which ends
//! in the state where it started.

use crate::check::{Outcome, Path, StopReason, Verdict};
use petgraph::graph::{DiGraph, NodeIndex};
use stateright::{Expectation, Model};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::Hash;

/// Which actions are weakly fair: an action class that stays enabled is eventually
/// taken. `None`: the action is not fair (crashes, losses, pauses may happen or not).
pub trait Fairness: Model {
    /// The fair class of `action`, as a stable key; `None` when it is not fair.
    fn fair_class(&self, _action: &Self::Action) -> Option<u64> {
        None
    }

    /// A fair class that every infinite behaviour must take infinitely often (for a
    /// timed model, time advancing: a loop without a Tick is Zeno, infinitely many
    /// steps in no time, and is not a behaviour). `None`: no such requirement.
    fn progress_class(&self) -> Option<u64> {
        None
    }
}

impl<P: crate::system::Protocol> Fairness for crate::system::TimedSystem<P> {
    /// Weakly fair: delivering a given message, firing a given timer, time advancing,
    /// a pause ending, a pending write reaching the disk. Not fair: crashes,
    /// restarts, losses, duplicates, drifts, pauses.
    fn fair_class(&self, action: &Self::Action) -> Option<u64> {
        use crate::check::fingerprint;
        use crate::system::Action;
        match action {
            Action::Deliver { envelope } => Some(fingerprint(&(
                "deliver",
                envelope.src,
                envelope.dst,
                &envelope.msg,
            ))),
            Action::Fire { node, timer } => Some(fingerprint(&("fire", node, timer))),
            Action::Tick => Some(fingerprint(&"tick")),
            Action::Resume { node } => Some(fingerprint(&("resume", node))),
            Action::Sync { node } => Some(fingerprint(&("sync", node))),
            _ => None,
        }
    }

    /// Time diverges: every loop of a behaviour contains a Tick.
    fn progress_class(&self) -> Option<u64> {
        Some(crate::check::fingerprint(&"tick"))
    }
}

/// How far the explicit graph may grow.
pub const LIVENESS_STATES_DEFAULT: usize = 2_000_000;

/// A liveness result.
pub struct Lasso<M: Model> {
    /// Prefix and loop as one path; the last state equals the loop's first.
    pub path: Path<M>,
    /// 1-based step at which the loop starts; `None` for a ¬P dead end.
    pub loop_start: Option<usize>,
}

/// The verdict of one `eventually` property.
pub enum LivenessResult<M: Model> {
    /// Every fair behaviour reaches P.
    Holds,
    /// A fair behaviour never reaches P.
    Violated(Lasso<M>),
    /// The graph outgrew the state limit.
    Unknown,
}

struct Graph<M: Model> {
    states: Vec<M::State>,
    graph: DiGraph<(), Option<u64>>,
    parent: Vec<Option<usize>>,
    enabled: Vec<BTreeSet<u64>>,
    dead_ends: Vec<usize>,
}

/// Checks `eventually condition` on `model` within `max_states`.
pub fn check_eventually<M>(
    model: &M,
    condition: fn(&M, &M::State) -> bool,
    max_states: usize,
) -> LivenessResult<M>
where
    M: Fairness,
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    let Some(graph) = build(model, condition, max_states) else {
        return LivenessResult::Unknown;
    };
    let components = petgraph::algo::tarjan_scc(&graph.graph);
    let mut best: Option<(usize, Vec<NodeIndex>)> = None;
    for component in components {
        if !is_cycle(&graph, &component) || !is_fair(model, &graph, &component) {
            continue;
        }
        let entry = component
            .iter()
            .map(|n| n.index())
            .min_by_key(|i| depth(&graph, *i))
            .expect("non-empty");
        if best
            .as_ref()
            .is_none_or(|(e, _)| depth(&graph, entry) < depth(&graph, *e))
        {
            best = Some((entry, component));
        }
    }
    if let Some((entry, component)) = best {
        return LivenessResult::Violated(lasso(model, &graph, entry, &component));
    }
    match graph
        .dead_ends
        .iter()
        .copied()
        .min_by_key(|i| depth(&graph, *i))
    {
        Some(end) => LivenessResult::Violated(Lasso {
            path: replay_indices(model, &graph, &prefix(&graph, end)),
            loop_start: None,
        }),
        None => LivenessResult::Holds,
    }
}

fn build<M>(model: &M, condition: fn(&M, &M::State) -> bool, max_states: usize) -> Option<Graph<M>>
where
    M: Fairness,
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    let mut graph = Graph {
        states: Vec::new(),
        graph: DiGraph::new(),
        parent: Vec::new(),
        enabled: Vec::new(),
        dead_ends: Vec::new(),
    };
    let mut index: HashMap<M::State, usize> = HashMap::new();
    let mut queue = VecDeque::new();
    let mut add = |graph: &mut Graph<M>,
                   state: M::State,
                   parent: Option<usize>,
                   queue: &mut VecDeque<usize>|
     -> usize {
        if let Some(existing) = index.get(&state) {
            return *existing;
        }
        let id = graph.states.len();
        index.insert(state.clone(), id);
        graph.states.push(state);
        graph.graph.add_node(());
        graph.parent.push(parent);
        graph.enabled.push(BTreeSet::new());
        queue.push_back(id);
        id
    };
    for state in model.init_states() {
        if !condition(model, &state) {
            add(&mut graph, state, None, &mut queue);
        }
    }
    while let Some(current) = queue.pop_front() {
        if graph.states.len() > max_states {
            return None;
        }
        let state = graph.states[current].clone();
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        if actions.is_empty() {
            graph.dead_ends.push(current);
        }
        for action in actions {
            let class = model.fair_class(&action);
            if let Some(class) = class {
                graph.enabled[current].insert(class);
            }
            let next = model
                .next_state(&state, action)
                .unwrap_or_else(|| state.clone());
            if condition(model, &next) {
                continue;
            }
            let target = add(&mut graph, next, Some(current), &mut queue);
            graph
                .graph
                .add_edge(NodeIndex::new(current), NodeIndex::new(target), class);
        }
    }
    Some(graph)
}

fn depth<M: Model>(graph: &Graph<M>, mut node: usize) -> usize {
    let mut steps = 0;
    while let Some(parent) = graph.parent[node] {
        node = parent;
        steps += 1;
    }
    steps
}

fn is_cycle<M: Model>(graph: &Graph<M>, component: &[NodeIndex]) -> bool {
    component.len() > 1 || graph.graph.contains_edge(component[0], component[0])
}

fn classes_inside<M: Model>(graph: &Graph<M>, members: &BTreeSet<usize>) -> BTreeSet<u64> {
    graph
        .graph
        .edge_indices()
        .filter_map(|edge| {
            let (from, to) = graph.graph.edge_endpoints(edge)?;
            let inside = members.contains(&from.index()) && members.contains(&to.index());
            graph.graph[edge].filter(|_| inside)
        })
        .collect()
}

/// Classes enabled in every state of the component.
fn always_enabled<M: Model>(graph: &Graph<M>, component: &[NodeIndex]) -> BTreeSet<u64> {
    let mut classes = graph.enabled[component[0].index()].clone();
    for node in &component[1..] {
        classes.retain(|c| graph.enabled[node.index()].contains(c));
    }
    classes
}

fn is_fair<M: Fairness>(model: &M, graph: &Graph<M>, component: &[NodeIndex]) -> bool {
    let members: BTreeSet<usize> = component.iter().map(|n| n.index()).collect();
    let taken = classes_inside(graph, &members);
    let progresses = model
        .progress_class()
        .is_none_or(|class| taken.contains(&class));
    progresses && always_enabled(graph, component).is_subset(&taken)
}

fn prefix<M: Model>(graph: &Graph<M>, mut node: usize) -> Vec<usize> {
    let mut chain = vec![node];
    while let Some(parent) = graph.parent[node] {
        chain.push(parent);
        node = parent;
    }
    chain.reverse();
    chain
}

/// Shortest path inside `members` from `from` to `to` whose last edge, if `class` is
/// given, takes that class. Returns the node sequence without `from`.
fn path_inside<M: Model>(
    graph: &Graph<M>,
    members: &BTreeSet<usize>,
    from: usize,
    to: usize,
    class: Option<u64>,
) -> Vec<usize> {
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    // Target reached by an edge of `class` (or any edge): search for the edge's source.
    while let Some(node) = queue.pop_front() {
        for edge in graph.graph.edges(NodeIndex::new(node)) {
            use petgraph::visit::EdgeRef;
            let next = edge.target().index();
            if !members.contains(&next) {
                continue;
            }
            let class_ok = class.is_none() || *edge.weight() == class;
            if next == to && class_ok {
                let mut route = vec![next];
                let mut cursor = node;
                while cursor != from {
                    route.push(cursor);
                    cursor = parent[&cursor];
                }
                route.reverse();
                return route;
            }
            if seen.insert(next) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    Vec::new()
}

fn lasso<M>(model: &M, graph: &Graph<M>, entry: usize, component: &[NodeIndex]) -> Lasso<M>
where
    M: Fairness,
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    let members: BTreeSet<usize> = component.iter().map(|n| n.index()).collect();
    let mut nodes = prefix(graph, entry);
    let loop_start = nodes.len();
    let mut here = entry;
    // Take every always-enabled class (and the progress class) once; then visit, for
    // each class still enabled in every state of the loop so far, a state of the
    // component where it is disabled; then return to the entry. The loop is then weakly
    // fair by itself: each class it never takes is disabled somewhere on it.
    let mut to_take = always_enabled(graph, component);
    to_take.extend(model.progress_class());
    for class in to_take.iter().copied() {
        let edge = graph.graph.edge_indices().find(|e| {
            let ends = graph.graph.edge_endpoints(*e);
            graph.graph[*e] == Some(class)
                && ends.is_some_and(|(a, b)| {
                    members.contains(&a.index()) && members.contains(&b.index())
                })
        });
        if let Some((source, target)) = edge.and_then(|e| graph.graph.edge_endpoints(e)) {
            if source.index() != here {
                nodes.extend(path_inside(graph, &members, here, source.index(), None));
            }
            nodes.extend(path_inside(
                graph,
                &members,
                source.index(),
                target.index(),
                Some(class),
            ));
            here = target.index();
        }
    }
    loop {
        let on_loop = &nodes[loop_start - 1..];
        let mut starved = graph.enabled[on_loop[0]].clone();
        for node in &on_loop[1..] {
            starved.retain(|c| graph.enabled[*node].contains(c));
        }
        starved.retain(|c| !to_take.contains(c));
        let Some(disabled_at) = starved.iter().find_map(|class| {
            members
                .iter()
                .copied()
                .find(|m| !graph.enabled[*m].contains(class))
        }) else {
            break;
        };
        nodes.extend(path_inside(graph, &members, here, disabled_at, None));
        here = disabled_at;
    }
    if here != entry || nodes.len() == loop_start {
        nodes.extend(path_inside(graph, &members, here, entry, None));
    }
    Lasso {
        path: replay_indices(model, graph, &nodes),
        loop_start: Some(loop_start),
    }
}

/// Turns a node sequence into a path by finding, at each step, an action that leads
/// to the next node's state.
fn replay_indices<M>(model: &M, graph: &Graph<M>, nodes: &[usize]) -> Path<M>
where
    M: Model,
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    let mut path = Path {
        states: vec![graph.states[nodes[0]].clone()],
        actions: Vec::new(),
    };
    for pair in nodes.windows(2) {
        let (from, to) = (&graph.states[pair[0]], &graph.states[pair[1]]);
        let mut actions = Vec::new();
        model.actions(from, &mut actions);
        let action = actions
            .into_iter()
            .find(|a| {
                model
                    .next_state(from, a.clone())
                    .unwrap_or_else(|| from.clone())
                    == *to
            })
            .expect("an edge of the graph is an enabled action");
        path.actions.push(action);
        path.states.push(to.clone());
    }
    path
}

/// Decides every `eventually` property of an outcome on the explicit graph (they are
/// `unknown` after a plain search). Returns loop starts by property name.
pub fn decide_eventually<M>(
    model: &M,
    outcome: &mut Outcome<M>,
    max_states: Option<usize>,
) -> HashMap<&'static str, Option<usize>>
where
    M: Fairness,
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    let mut loops = HashMap::new();
    if matches!(
        outcome.stop_reason,
        StopReason::Cancelled | StopReason::TimeLimit
    ) {
        return loops;
    }
    let properties = model.properties();
    for result in outcome
        .properties
        .iter_mut()
        .filter(|p| p.expectation == Expectation::Eventually)
    {
        let Some(property) = properties.iter().find(|p| p.name == result.name) else {
            continue;
        };
        match check_eventually(
            model,
            property.condition,
            max_states.unwrap_or(LIVENESS_STATES_DEFAULT),
        ) {
            LivenessResult::Holds => result.verdict = Verdict::Holds,
            LivenessResult::Unknown => result.verdict = Verdict::Unknown,
            LivenessResult::Violated(lasso) => {
                result.verdict = Verdict::Violated;
                result.path = Some(lasso.path);
                result.loop_start = lasso.loop_start;
                loops.insert(result.name, lasso.loop_start);
            }
        }
    }
    loops
}
