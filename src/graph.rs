//! State-graph export: the reachable states (up to a limit) and the actions between
//! them, as Graphviz DOT or JSON.

use crate::check::fingerprint;
use crate::report::Explain;
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
    /// Ids of the initial states (for the DOT rendering).
    #[serde(skip)]
    pub initial: Vec<usize>,
    /// Node names of a timed system (for the DOT labels).
    #[serde(skip)]
    pub node_names: Vec<String>,
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
    let mut initial = Vec::new();
    for state in model.init_states() {
        let fp = fingerprint(&state);
        if let std::collections::hash_map::Entry::Vacant(slot) = ids.entry(fp) {
            slot.insert(states.len());
            initial.push(states.len());
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
        initial,
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
    for (id, state) in graph.states.iter().enumerate() {
        let mut lines = vec![format!("s{id}")];
        for line in crate::report::view::state_lines(state, &graph.node_names) {
            lines.extend(wrap(&line, DOT_LINE_CHARS));
        }
        let initial = if graph.initial.contains(&id) {
            ", peripheries = 2"
        } else {
            ""
        };
        out.push_str(&format!(
            "  s{id} [label = {}{initial}];\n",
            dot_left_justified(&lines)
        ));
    }
    for (from, to, action) in &graph.edges {
        let label = action.replace('\\', "\\\\").replace('"', "\\\"");
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
        let graph = StateGraph {
            states: vec![
                json!({"phase": "init"}),
                json!({"phase": long, "n": "q\"uote"}),
            ],
            edges: vec![(0, 1, "go \"on\"".to_string())],
            truncated: false,
            initial: vec![0],
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
