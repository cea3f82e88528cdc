//! State-graph export: the reachable states (up to a limit) and the actions between
//! them, as Graphviz DOT (petgraph) or JSON.

use crate::check::fingerprint;
use crate::report::Explain;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// The exported graph.
#[derive(Clone, Debug, Serialize)]
pub struct StateGraph {
    /// States: id and structured value.
    pub states: Vec<serde_json::Value>,
    /// Edges: from, to, action in words.
    pub edges: Vec<(usize, usize, String)>,
    /// Whether the limit cut the graph short.
    pub truncated: bool,
}

/// Explores `model` breadth-first up to `max_states` states.
pub fn export<M>(model: &M, max_states: usize) -> StateGraph
where
    M: Explain,
    M::State: Hash + Clone,
    M::Action: Clone,
{
    let mut ids: HashMap<u64, usize> = HashMap::new();
    let mut states = Vec::new();
    let mut raw = Vec::new();
    let mut edges = Vec::new();
    let mut queue = VecDeque::new();
    let mut truncated = false;
    for state in model.init_states() {
        let fp = fingerprint(&state);
        if let std::collections::hash_map::Entry::Vacant(slot) = ids.entry(fp) {
            slot.insert(states.len());
            states.push(model.explain_state(&state));
            queue.push_back(raw.len());
            raw.push(state);
        }
    }
    while let Some(current) = queue.pop_front() {
        let state = raw[current].clone();
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        for action in actions {
            let (label, _) = model.explain_action(&action);
            let Some(next) = model.next_state(&state, action) else {
                continue;
            };
            let fp = fingerprint(&next);
            let target = match ids.get(&fp) {
                Some(id) => *id,
                None if states.len() >= max_states => {
                    truncated = true;
                    continue;
                }
                None => {
                    let id = states.len();
                    ids.insert(fp, id);
                    states.push(model.explain_state(&next));
                    queue.push_back(raw.len());
                    raw.push(next);
                    id
                }
            };
            edges.push((current, target, label));
        }
    }
    StateGraph {
        states,
        edges,
        truncated,
    }
}

/// The graph as Graphviz DOT; state labels are compact JSON, cut at 160 characters.
pub fn to_dot(graph: &StateGraph) -> String {
    let mut dot: DiGraph<String, String> = DiGraph::new();
    for (id, state) in graph.states.iter().enumerate() {
        let mut label = serde_json::to_string(state).unwrap_or_default();
        if label.chars().count() > 160 {
            label = label.chars().take(159).collect::<String>() + "…";
        }
        dot.add_node(format!("s{id}: {label}"));
    }
    for (from, to, action) in &graph.edges {
        dot.add_edge(NodeIndex::new(*from), NodeIndex::new(*to), action.clone());
    }
    format!("{}", petgraph::dot::Dot::new(&dot))
}
