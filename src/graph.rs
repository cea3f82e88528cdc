//! State-graph export: the reachable states (up to a limit) and the actions between
//! them, as Graphviz DOT (petgraph) or JSON.
//!
//! The JSON export (`graph --as json`, [`GRAPH_SCHEMA_VERSION`]) carries what an
//! independent checker needs to re-decide every property without synccheck:
//!
//! - `states[i]`: `id` (= i), `initial` (an initial state of the model), `state` (the
//!   structured state, as traces show it), `properties` (each property's condition on
//!   this state, by name; `always`/`sometimes`/`eventually` are in `properties` at the
//!   top level).
//! - `edges`: one per enabled action of every stored state, in the model's action
//!   order: `from`, `to`, `action` (words), `action_detail` (structured, as in
//!   traces), `fair_class` (the weak-fairness class as a hex string, `null` when the
//!   action is not fair) and `stutter` (the action leaves the state as it is: a
//!   self-loop, not a deadlock). A state with no out-edge has no enabled action: a
//!   deadlock, as `check` reports it under `deadlock_free`.
//! - `progress_class`: the class every infinite behaviour must take infinitely often
//!   (the timed system's Tick), or `null`.
//! - `truncated`: the state limit cut the graph; edges to states beyond it are
//!   missing, so nothing is exact then.

use crate::check::fingerprint;
use crate::liveness::Fairness;
use crate::report::{kind_of, Explain};
use crate::system::PropertyKind;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::Hash;

/// The version of the JSON export. Bumped on any incompatible change.
pub const GRAPH_SCHEMA_VERSION: u32 = 1;

/// A property of the exported model.
#[derive(Clone, Debug, Serialize)]
pub struct GraphProperty {
    /// Public ID.
    pub name: &'static str,
    /// always / sometimes / eventually.
    pub kind: PropertyKind,
}

/// One exported state.
#[derive(Clone, Debug, Serialize)]
pub struct GraphState {
    /// Its index in `states`.
    pub id: usize,
    /// Whether it is an initial state.
    pub initial: bool,
    /// The state, structured.
    pub state: serde_json::Value,
    /// Each property's condition on this state.
    pub properties: BTreeMap<&'static str, bool>,
}

/// One exported edge: an enabled action.
#[derive(Clone, Debug, Serialize)]
pub struct GraphEdge {
    /// Source state id.
    pub from: usize,
    /// Target state id (`from` for a stuttering step).
    pub to: usize,
    /// The action in words.
    pub action: String,
    /// The action, structured.
    pub action_detail: serde_json::Value,
    /// Its weak-fairness class (hex), `None` when it is not fair.
    pub fair_class: Option<String>,
    /// The action leaves the state unchanged.
    pub stutter: bool,
}

/// The exported graph.
#[derive(Clone, Debug, Serialize)]
pub struct StateGraph {
    /// Format version ([`GRAPH_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The model's properties.
    pub properties: Vec<GraphProperty>,
    /// The class every infinite behaviour must take (hex), if any.
    pub progress_class: Option<String>,
    /// The states.
    pub states: Vec<GraphState>,
    /// The edges.
    pub edges: Vec<GraphEdge>,
    /// Whether the limit cut the graph short.
    pub truncated: bool,
    /// Node names of a timed system (for the DOT labels).
    #[serde(skip)]
    pub node_names: Vec<String>,
}

fn class_text(class: u64) -> String {
    format!("{class:#018x}")
}

/// Explores `model` breadth-first up to `max_states` states.
pub fn export<M>(model: &M, max_states: usize) -> StateGraph
where
    M: Explain + Fairness,
    M::State: Hash + Clone,
    M::Action: Clone,
{
    let properties = model.properties();
    let mut ids: HashMap<u64, usize> = HashMap::new();
    let mut states = Vec::new();
    let mut raw = Vec::new();
    let mut edges = Vec::new();
    let mut queue = VecDeque::new();
    let mut truncated = false;
    let describe = |id: usize, state: &M::State, initial: bool| GraphState {
        id,
        initial,
        state: model.explain_state(state),
        properties: properties
            .iter()
            .map(|p| (p.name, (p.condition)(model, state)))
            .collect(),
    };
    for state in model.init_states() {
        let fp = fingerprint(&state);
        if let std::collections::hash_map::Entry::Vacant(slot) = ids.entry(fp) {
            slot.insert(states.len());
            states.push(describe(states.len(), &state, true));
            queue.push_back(raw.len());
            raw.push(state);
        }
    }
    while let Some(current) = queue.pop_front() {
        let state = raw[current].clone();
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        for action in actions {
            let (label, detail) = model.explain_action(&action);
            let fair_class = model.fair_class(&action).map(class_text);
            let Some(next) = model.next_state(&state, action) else {
                edges.push(GraphEdge {
                    from: current,
                    to: current,
                    action: label,
                    action_detail: detail,
                    fair_class,
                    stutter: true,
                });
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
                    states.push(describe(id, &next, false));
                    queue.push_back(raw.len());
                    raw.push(next);
                    id
                }
            };
            edges.push(GraphEdge {
                from: current,
                to: target,
                action: label,
                action_detail: detail,
                fair_class,
                stutter: target == current,
            });
        }
    }
    StateGraph {
        schema_version: GRAPH_SCHEMA_VERSION,
        properties: properties
            .iter()
            .map(|p| GraphProperty {
                name: p.name,
                kind: kind_of(&p.expectation),
            })
            .collect(),
        progress_class: model.progress_class().map(class_text),
        states,
        edges,
        truncated,
        node_names: model.node_names(),
    }
}

/// State label lines wrap at this width.
const DOT_LINE_CHARS: usize = 90;

/// A DOT string literal whose lines are left-justified (`\l`).
fn dot_left_justified(lines: &[String]) -> String {
    let mut text = String::from("\"");
    for line in lines {
        let escaped = line.replace('\\', "\\\\").replace('"', "\\\"");
        text.push_str(&escaped);
        text.push_str("\\l");
    }
    text.push('"');
    text
}

/// `line` cut into pieces of at most `width` characters, at a space where one is in
/// the second half of a piece; continuations are indented.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut rest: Vec<char> = line.chars().collect();
    let mut pieces = Vec::new();
    let mut room = width;
    while rest.len() > room {
        let cut = (room / 2..room)
            .rev()
            .find(|&i| rest[i] == ' ')
            .map_or(room, |space| space + 1);
        let piece: String = rest.drain(..cut).collect();
        pieces.push(piece.trim_end().to_string());
        room = width - 4;
    }
    pieces.push(rest.into_iter().collect());
    for piece in pieces.iter_mut().skip(1) {
        piece.insert_str(0, "    ");
    }
    pieces
}

/// The graph as Graphviz DOT. Each state's label is its id, then the state itself over
/// several lines: for a timed system each node by name with its state, status, clock
/// and timers, then the messages in flight (nothing is cut, long lines wrap); initial
/// states have a double border. Edges carry the action.
pub fn to_dot(graph: &StateGraph) -> String {
    let mut out = String::from("digraph states {\n");
    out.push_str("  node [shape = box, fontname = \"monospace\", fontsize = 10];\n");
    out.push_str("  edge [fontsize = 9];\n");
    for graph_state in &graph.states {
        let id = graph_state.id;
        let mut lines = vec![format!("s{id}")];
        for line in crate::report::view::state_lines(&graph_state.state, &graph.node_names) {
            lines.extend(wrap(&line, DOT_LINE_CHARS));
        }
        let initial = if graph_state.initial {
            ", peripheries = 2"
        } else {
            ""
        };
        out.push_str(&format!(
            "  s{id} [label = {}{initial}];\n",
            dot_left_justified(&lines)
        ));
    }
    for edge in &graph.edges {
        let (from, to) = (edge.from, edge.to);
        let label = edge.action.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(&format!("  s{from} -> s{to} [label = \"{label}\"];\n"));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_show_the_whole_state_on_several_lines() {
        let long = "ø".repeat(100);
        let state = |id: usize, initial: bool, value: serde_json::Value| GraphState {
            id,
            initial,
            state: value,
            properties: BTreeMap::new(),
        };
        let graph = StateGraph {
            schema_version: GRAPH_SCHEMA_VERSION,
            properties: Vec::new(),
            progress_class: None,
            states: vec![
                state(0, true, json!({"phase": "init"})),
                state(1, false, json!({"phase": long, "n": "q\"uote"})),
            ],
            edges: vec![GraphEdge {
                from: 0,
                to: 1,
                action: "go \"on\"".to_string(),
                action_detail: json!("go"),
                fair_class: None,
                stutter: false,
            }],
            truncated: false,
            node_names: Vec::new(),
        };
        let dot = to_dot(&graph);
        assert!(dot.starts_with("digraph states {\n"), "{dot}");
        assert!(
            dot.contains("  s0 [label = \"s0\\lphase: init\\l\", peripheries = 2];\n"),
            "{dot}"
        );
        // Nothing is cut: all 100 characters are there, over two lines.
        assert_eq!(dot.matches('ø').count(), 100, "{dot}");
        assert!(dot.contains("n: q\\\"uote\\l"), "{dot}");
        assert!(
            dot.contains("  s0 -> s1 [label = \"go \\\"on\\\"\"];\n"),
            "{dot}"
        );
    }
}
