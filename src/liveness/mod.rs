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
//! The graph is searched while it grows: once it holds 4 096 states and edges, then
//! each time that number doubles, and at the end. A fair loop or dead end found in part
//! of the graph is a behaviour of the model (every state on a cycle has been expanded,
//! so its out-edges and enabled classes are complete), so the first search that finds
//! one ends the check; a violation near the initial states costs no more than the
//! graph around it, even when the rest is millions of states. `holds` still needs the
//! whole graph.
//!
//! The result is a lasso: the shortest prefix to the loop, then the loop, which ends
//! in the state where it started. The loop is the shallowest-entered fair one of the
//! graph as searched when it was found (a loop entered earlier may still have been
//! missing states then); among equally shallow entries, the one with the shortest
//! lasso, then the state found first (the first 32 such entries are
//! tried), whatever order the components come in. The search points depend only on
//! the model, so the lasso is the same on every run. The loop is rebuilt along the
//! very edges the construction chose (an edge is a state pair *and* a fair class), so a Tick chosen
//! to make the loop progress is the Tick shown, not another action between the same
//! two states.
//!
//! **Limits.** The graph is built within the check's [`Budget`]: states (`--max-states`,
//! else [`LIVENESS_STATES_DEFAULT`]), depth in the graph (states at the bound are not
//! expanded), time, memory and cancellation. An `eventually` verdict is exact when the
//! graph of its ¬P states was built completely within those limits, even if the search
//! before it was cut (the graph is explored on its own). When a limit cuts the graph,
//! the verdict is `unknown`, except that a fair loop or a ¬P dead end already found in
//! the part built under a depth bound or up to the state limit is a real counterexample
//! and is reported (states not expanded have no out-edges, so no cycle found passes
//! through one; the loop is the shallowest-entered one found, not necessarily the
//! shallowest of the whole graph). A time, memory or cancellation limit leaves no time
//! to search the part built: `unknown`.

use crate::check::{Budget, CheckOptions, Outcome, Path, StopReason, Verdict, CHECK_EVERY_STATES};
use crate::report::Explain;
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

    /// Where the searches are compiled for this model ([`Searches`]). Leave it to its
    /// default: a timed system takes its protocol's
    /// ([`Protocol::compiled`](crate::system::Protocol::compiled)).
    fn searches() -> Searches<Self>
    where
        Self: Sized + Send + Sync,
        Self::State: Hash + Eq + Clone + Send + Sync,
        Self::Action: Clone + Send + Sync,
    {
        Searches::here()
    }
}

/// The search ([`check::run_reduced`](crate::check::run_reduced)) and the decision of
/// `eventually` properties ([`decide_eventually`]) compiled for one model: function
/// pointers to the copies the crate that built this value compiled
/// ([`Fairness::searches`]). [`testing`](crate::testing)'s searches call through it,
/// so a test crate that searches a model of another crate's protocol that says
/// [`compiled_here!`](crate::compiled_here) compiles no search of its own for it.
pub struct Searches<M: Model> {
    /// [`check::run_reduced`](crate::check::run_reduced).
    pub run: Run<M>,
    /// [`decide_eventually`].
    pub decide_eventually: DecideEventually<M>,
}

/// [`check::run_reduced`](crate::check::run_reduced), for [`Searches`].
pub type Run<M> = fn(
    &M,
    &CheckOptions,
    Option<crate::check::Canonicalize<M>>,
    crate::check::Facts<M>,
    &Budget,
) -> Outcome<M>;

/// [`decide_eventually`], for [`Searches`].
pub type DecideEventually<M> =
    fn(&M, &mut Outcome<M>, &Budget) -> HashMap<&'static str, Option<usize>>;

impl<M: Model> Clone for Searches<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: Model> Copy for Searches<M> {}

impl<M> Searches<M>
where
    M: Fairness + Send + Sync,
    M::State: Hash + Eq + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    /// The searches compiled in the crate that calls this.
    pub fn here() -> Self {
        Searches {
            run: crate::check::run_reduced::<M>,
            decide_eventually: decide_eventually::<M>,
        }
    }
}

impl<P: crate::system::Protocol> Fairness for crate::system::TimedSystem<P> {
    /// The protocol's ([`Protocol::compiled`](crate::system::Protocol::compiled)).
    fn searches() -> Searches<Self> {
        P::compiled().searches()
    }

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
    /// A limit (states, depth, time, memory, cancellation) stopped the graph first.
    Unknown(StopReason),
}

struct Graph<M: Model> {
    states: Vec<M::State>,
    graph: DiGraph<(), Option<u64>>,
    parent: Vec<Option<usize>>,
    depth: Vec<usize>,
    enabled: Vec<BTreeSet<u64>>,
    dead_ends: Vec<usize>,
    /// Some states at the depth bound were not expanded.
    cut_at_depth: bool,
    /// The state limit stopped the construction: the states still queued were not
    /// expanded.
    cut_by_states: bool,
}

/// A step of a rebuilt path: the next node, and the fair class the action taking it
/// must have (`None`: any action between the two states will do).
type Hop = (usize, Option<Option<u64>>);

/// Checks `eventually condition` on `model` within `max_states` graph states.
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
    let budget = Budget::start(&CheckOptions {
        max_states: Some(max_states),
        ..CheckOptions::default()
    });
    check_eventually_within(model, condition, &budget)
}

/// Checks `eventually condition` on `model` within `budget`.
pub fn check_eventually_within<M>(
    model: &M,
    condition: fn(&M, &M::State) -> bool,
    budget: &Budget,
) -> LivenessResult<M>
where
    M: Fairness,
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    let graph = match build(model, condition, budget) {
        Ok(Built::Early(lasso)) => return LivenessResult::Violated(lasso),
        Ok(Built::Whole(graph)) => graph,
        Err(reason) => return LivenessResult::Unknown(reason),
    };
    match counterexample(model, &graph, budget) {
        Err(reason) => LivenessResult::Unknown(reason),
        Ok(Some(lasso)) => LivenessResult::Violated(lasso),
        Ok(None) if graph.cut_by_states => LivenessResult::Unknown(StopReason::StateLimit),
        Ok(None) if graph.cut_at_depth => LivenessResult::Unknown(StopReason::DepthLimit),
        Ok(None) => LivenessResult::Holds,
    }
}

/// The graph is searched for a counterexample first when it holds this many states and
/// edges together, then each time that number doubles, so a loop near the initial
/// states is reported without building the rest (which may be millions of states, or
/// unbounded). A search costs about the states and edges built, so doubling keeps the
/// searches' total cost under twice the last one's.
const FIRST_SEARCH_AT: usize = 1 << 12;

/// How many entries to the shallowest fair loops are tried for the shortest lasso
/// (each costs a few searches inside its component).
const ENTRIES_TRIED: usize = 32;

/// What `build` ends with.
enum Built<M: Model> {
    /// Every state was expanded, or a limit cut the construction (the graph says which).
    Whole(Graph<M>),
    /// A search of the graph built so far found a fair loop or a dead end.
    Early(Lasso<M>),
}

/// A fair loop or a ¬P dead end in `graph`, as built so far. Every state on a cycle has
/// been expanded (a state still queued has no out-edges), so its enabled classes and
/// out-edges are complete and the fairness test is exact for the cycle: whatever this
/// finds is a behaviour of the model, however much of the graph is still missing. The
/// loop is the shallowest-entered fair component of `graph`; a dead end is reported
/// only when there is no fair loop.
fn counterexample<M>(
    model: &M,
    graph: &Graph<M>,
    budget: &Budget,
) -> Result<Option<Lasso<M>>, StopReason>
where
    M: Fairness,
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    // Kosaraju's two passes keep their own stacks: a ¬P path as long as the graph (a
    // counter, a log) must not recurse once per state (petgraph's `tarjan_scc` does).
    let components = petgraph::algo::kosaraju_scc(&graph.graph);
    if let Some(reason) = budget.exhausted() {
        return Err(reason);
    }
    // The fair components entered at the least depth, and their members at that depth.
    let mut shallowest: Vec<Vec<NodeIndex>> = Vec::new();
    let mut least = usize::MAX;
    for (counted, component) in components.into_iter().enumerate() {
        if counted % CHECK_EVERY_STATES == CHECK_EVERY_STATES - 1 {
            if let Some(reason) = budget.exhausted() {
                return Err(reason);
            }
        }
        if !is_cycle(graph, &component) || !is_fair(model, graph, &component) {
            continue;
        }
        let depth = component
            .iter()
            .map(|n| graph.depth[n.index()])
            .min()
            .expect("non-empty");
        if depth < least {
            least = depth;
            shallowest.clear();
        }
        if depth == least {
            shallowest.push(component);
        }
    }
    // Of the entries at that depth, the one whose lasso is shortest, the first found
    // among equals (states are numbered as found): the same whatever order the
    // components and their members come in. A few entries are tried, not all: a large
    // component may have thousands at one depth.
    let mut entries: Vec<(usize, usize)> = shallowest
        .iter()
        .enumerate()
        .flat_map(|(which, component)| {
            component
                .iter()
                .map(|n| n.index())
                .filter(|i| graph.depth[*i] == least)
                .map(move |i| (i, which))
        })
        .collect();
    entries.sort_unstable();
    let mut best: Option<Lasso<M>> = None;
    for (entry, which) in entries.into_iter().take(ENTRIES_TRIED) {
        // A limit reached while comparing keeps the lasso found so far (a behaviour
        // all the same; only which of the equally shallow ones is shown may differ).
        if best.is_some() && budget.exhausted().is_some() {
            break;
        }
        let found = lasso(model, graph, entry, &shallowest[which]);
        if best
            .as_ref()
            .is_none_or(|b| found.path.len() < b.path.len())
        {
            best = Some(found);
        }
    }
    if best.is_some() {
        return Ok(best);
    }
    Ok(graph
        .dead_ends
        .iter()
        .copied()
        .min_by_key(|i| graph.depth[*i])
        .map(|end| Lasso {
            path: replay_hops(model, graph, &prefix(graph, end)),
            loop_start: None,
        }))
}

fn build<M>(
    model: &M,
    condition: fn(&M, &M::State) -> bool,
    budget: &Budget,
) -> Result<Built<M>, StopReason>
where
    M: Fairness,
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    let max_states = budget.max_states().unwrap_or(LIVENESS_STATES_DEFAULT);
    let mut graph = Graph {
        states: Vec::new(),
        graph: DiGraph::new(),
        parent: Vec::new(),
        depth: Vec::new(),
        enabled: Vec::new(),
        dead_ends: Vec::new(),
        cut_at_depth: false,
        cut_by_states: false,
    };
    (budget.progress()).phase_at(crate::check::Phase::Liveness, 0);
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
        graph.depth.push(parent.map_or(0, |p| graph.depth[p] + 1));
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
    let mut expanded = 0usize;
    let mut search_at = FIRST_SEARCH_AT;
    while let Some(current) = queue.pop_front() {
        if graph.states.len() > max_states {
            // What was built is still searched: the states left in the queue have no
            // out-edges, so no cycle passes through them, and every state on a cycle
            // was expanded (its enabled classes and out-edges are complete). A fair
            // loop or a dead end found is a behaviour of the model; finding none says
            // nothing (`unknown`).
            graph.cut_by_states = true;
            break;
        }
        let built = graph.states.len() + graph.graph.edge_count();
        if built >= search_at {
            search_at = built.saturating_mul(2);
            if let Some(lasso) = counterexample(model, &graph, budget)? {
                return Ok(Built::Early(lasso));
            }
        }
        expanded += 1;
        if expanded % CHECK_EVERY_STATES == 0 {
            budget
                .progress()
                .phase_at(crate::check::Phase::Liveness, graph.states.len());
            if let Some(reason) = budget.exhausted() {
                return Err(reason);
            }
        }
        let state = graph.states[current].clone();
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        if actions.is_empty() {
            graph.dead_ends.push(current);
        }
        let at_bound = budget.depth_reached(graph.depth[current]);
        for action in actions {
            let class = model.fair_class(&action);
            if let Some(class) = class {
                graph.enabled[current].insert(class);
            }
            if at_bound {
                graph.cut_at_depth = true;
                continue;
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
    (budget.progress()).phase_at(crate::check::Phase::Liveness, graph.states.len());
    Ok(Built::Whole(graph))
}

fn is_cycle<M: Model>(graph: &Graph<M>, component: &[NodeIndex]) -> bool {
    component.len() > 1 || graph.graph.contains_edge(component[0], component[0])
}

/// The fair classes of the edges between members (each member's out-edges once).
fn classes_inside<M: Model>(graph: &Graph<M>, members: &BTreeSet<usize>) -> BTreeSet<u64> {
    use petgraph::visit::EdgeRef;
    members
        .iter()
        .flat_map(|member| graph.graph.edges(NodeIndex::new(*member)))
        .filter(|edge| members.contains(&edge.target().index()))
        .filter_map(|edge| *edge.weight())
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

/// The parent chain from an initial state to `node`: the first hop is the initial
/// state itself (no action), each later one any action between the two states.
fn prefix<M: Model>(graph: &Graph<M>, mut node: usize) -> Vec<Hop> {
    let mut chain = vec![node];
    while let Some(parent) = graph.parent[node] {
        chain.push(parent);
        node = parent;
    }
    chain.reverse();
    chain.into_iter().map(|n| (n, None)).collect()
}

/// Shortest path inside `members` from `from` to `to` whose last edge, if `class` is
/// given, takes that class. Returns the hops without `from`, each with the class of
/// the edge it takes.
fn path_inside<M: Model>(
    graph: &Graph<M>,
    members: &BTreeSet<usize>,
    from: usize,
    to: usize,
    class: Option<u64>,
) -> Vec<Hop> {
    let mut parent: HashMap<usize, (usize, Option<u64>)> = HashMap::new();
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
                let mut route = vec![(next, Some(*edge.weight()))];
                let mut cursor = node;
                while cursor != from {
                    let (before, taken) = parent[&cursor];
                    route.push((cursor, Some(taken)));
                    cursor = before;
                }
                route.reverse();
                return route;
            }
            if seen.insert(next) {
                parent.insert(next, (node, *edge.weight()));
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
        // The first edge added of this class inside the component: states are expanded
        // in index order and each adds all its out-edges at once, so that is the
        // lowest-numbered such edge of the lowest-numbered member that has one (only
        // the component's edges are read, not the whole graph's).
        let edge = members.iter().find_map(|member| {
            use petgraph::visit::EdgeRef;
            graph
                .graph
                .edges(NodeIndex::new(*member))
                .filter(|e| *e.weight() == Some(class) && members.contains(&e.target().index()))
                .map(|e| e.id())
                .min()
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
        let mut starved = graph.enabled[on_loop[0].0].clone();
        for (node, _) in &on_loop[1..] {
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
        path: replay_hops(model, graph, &nodes),
        loop_start: Some(loop_start),
    }
}

/// Turns hops into a path: at each step, an action to the next node's state of the
/// class the hop names (the edge the construction chose), or any such action when the
/// hop names none.
fn replay_hops<M>(model: &M, graph: &Graph<M>, hops: &[Hop]) -> Path<M>
where
    M: Fairness,
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    let mut path = Path {
        states: vec![graph.states[hops[0].0].clone()],
        actions: Vec::new(),
    };
    for pair in hops.windows(2) {
        let (from, (to, class)) = (&graph.states[pair[0].0], pair[1]);
        let to = &graph.states[to];
        let mut actions = Vec::new();
        model.actions(from, &mut actions);
        let action = actions
            .into_iter()
            .find(|a| {
                class.is_none_or(|c| model.fair_class(a) == c)
                    && model
                        .next_state(from, a.clone())
                        .unwrap_or_else(|| from.clone())
                        == *to
            })
            .expect("an edge of the graph is an enabled action of its class");
        path.actions.push(action);
        path.states.push(to.clone());
    }
    path
}

/// Why the loop `states[0] → … → states[k]` (taking `actions`, with `states[k]` equal
/// to `states[0]`) is not weakly fair by itself, or `None` when it is: it must take the
/// progress class (for a timed model: a Tick, so time advances) and every fair class
/// enabled in all of its states.
pub fn loop_unfairness<M>(model: &M, states: &[M::State], actions: &[M::Action]) -> Option<String>
where
    M: Fairness + Explain,
{
    debug_assert_eq!(states.len(), actions.len() + 1);
    if actions.is_empty() {
        return Some("the loop takes no step".to_string());
    }
    let taken: BTreeSet<u64> = actions.iter().filter_map(|a| model.fair_class(a)).collect();
    if let Some(progress) = model.progress_class() {
        if !taken.contains(&progress) {
            return Some(
                "the loop never lets time advance (no Tick on it): infinitely many steps in no time are not a behaviour"
                    .to_string(),
            );
        }
    }
    let mut first_enabled = Vec::new();
    model.actions(&states[0], &mut first_enabled);
    let enabled_at = |state: &M::State| -> BTreeSet<u64> {
        let mut here = Vec::new();
        model.actions(state, &mut here);
        here.iter().filter_map(|a| model.fair_class(a)).collect()
    };
    let mut always = enabled_at(&states[0]);
    for state in &states[1..states.len() - 1] {
        let here = enabled_at(state);
        always.retain(|c| here.contains(c));
    }
    let starved = always.iter().find(|c| !taken.contains(c))?;
    let shown = first_enabled
        .iter()
        .find(|a| model.fair_class(a) == Some(*starved))
        .map_or_else(
            || format!("class {starved:#x}"),
            |a| model.explain_action(a).0,
        );
    Some(format!(
        "`{shown}` is enabled in every state of the loop but never taken on it: the loop is not fair"
    ))
}

/// Decides every `eventually` property of an outcome on the explicit graph (they are
/// `unknown` after a plain search), within `budget` (the one the search ran under).
/// A property the budget cut stays `unknown`, and the outcome says which limit cut it.
/// Returns loop starts by property name.
pub fn decide_eventually<M>(
    model: &M,
    outcome: &mut Outcome<M>,
    budget: &Budget,
) -> HashMap<&'static str, Option<usize>>
where
    M: Fairness,
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    let mut loops = HashMap::new();
    let properties = model.properties();
    let mut cut = None;
    for result in outcome
        .properties
        .iter_mut()
        .filter(|p| p.expectation == Expectation::Eventually)
    {
        let Some(property) = properties.iter().find(|p| p.name == result.name) else {
            continue;
        };
        match check_eventually_within(model, property.condition, budget) {
            LivenessResult::Holds => result.verdict = Verdict::Holds,
            LivenessResult::Unknown(reason) => {
                result.verdict = Verdict::Unknown;
                cut.get_or_insert(reason);
            }
            LivenessResult::Violated(lasso) => {
                result.verdict = Verdict::Violated;
                result.path = Some(lasso.path);
                result.loop_start = lasso.loop_start;
                loops.insert(result.name, lasso.loop_start);
            }
        }
    }
    if let Some(reason) = cut {
        outcome.cut_by(reason, crate::check::Phase::Liveness);
    }
    loops
}
