//! Renderers: a terminal message sequence chart, Mermaid `sequenceDiagram`, Graphviz
//! DOT (happens-before, via petgraph) and a ShiViz log.
//!
//! Timed traces carry structured actions (`kind`, `node`, `envelope`) and states with a
//! `network`; the renderers read those. Untimed traces render as numbered steps.

use super::TraceFile;
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The chart widths stop here.
const TEXT_WIDTH_MAX: usize = 100;
const TIME_COLUMN_WIDTH: usize = 7;

/// Output formats of `synccheck show`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendering {
    /// A message sequence chart for the terminal.
    Text,
    /// A Mermaid `sequenceDiagram` (renders on GitHub).
    Mermaid,
    /// Graphviz DOT: steps as nodes, happens-before as edges.
    Dot,
    /// A ShiViz log (regex: `(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`).
    Shiviz,
}

/// Renders a trace.
pub fn render(trace: &TraceFile, rendering: Rendering) -> String {
    let events = events(trace);
    match rendering {
        Rendering::Text => text(trace, &events),
        Rendering::Mermaid => mermaid(trace, &events),
        Rendering::Dot => dot(trace, &events),
        Rendering::Shiviz => shiviz(trace, &events),
    }
}

/// What happened at one step, in chart terms.
#[derive(Clone, Debug)]
enum Event {
    Deliver {
        from: usize,
        to: usize,
        label: String,
    },
    Lost {
        from: usize,
        to: usize,
        label: String,
    },
    Duplicated {
        from: usize,
        to: usize,
        label: String,
    },
    Local {
        node: usize,
        label: String,
    },
    Tick,
    Other {
        label: String,
    },
}

struct Step {
    index: usize,
    time: Option<u64>,
    event: Event,
    annotations: Vec<String>,
    notes: Vec<String>,
}

/// A message in a compact, readable form: `{"Grant":{"token":1}}` → `Grant{token:1}`.
fn brief(value: &Value) -> String {
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (name, inner) = map.iter().next().expect("one entry");
            match inner {
                Value::Null => name.clone(),
                Value::Object(_) => format!("{name}{}", fields(inner)),
                other => format!("{name}({})", fields(other)),
            }
        }
        other => fields(other),
    }
}

fn fields(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(map) => {
            let shown: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", fields(v)))
                .collect();
            format!("{{{}}}", shown.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(fields).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn node_of(detail: &Value, key: &str) -> Option<usize> {
    detail
        .get(key)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

fn envelope_event(detail: &Value) -> Option<(usize, usize, String)> {
    let envelope = detail.get("envelope")?;
    Some((
        node_of(envelope, "src")?,
        node_of(envelope, "dst")?,
        brief(envelope.get("msg")?),
    ))
}

fn event_of(detail: &Value, text: &str) -> Event {
    let kind = detail.get("kind").and_then(Value::as_str).unwrap_or("");
    let local = |label: String| match node_of(detail, "node") {
        Some(node) => Event::Local { node, label },
        None => Event::Other {
            label: text.to_string(),
        },
    };
    match kind {
        "deliver" | "drop" | "duplicate" => match envelope_event(detail) {
            Some((from, to, label)) if kind == "deliver" => Event::Deliver { from, to, label },
            Some((from, to, label)) if kind == "drop" => Event::Lost { from, to, label },
            Some((from, to, label)) => Event::Duplicated { from, to, label },
            None => Event::Other {
                label: text.to_string(),
            },
        },
        "fire" => local(format!(
            "⏰ {}",
            detail.get("timer").map(brief).unwrap_or_default()
        )),
        "tick" => Event::Tick,
        "drift" => local(if detail.get("forward") == Some(&Value::Bool(true)) {
            "clock +1".to_string()
        } else {
            "clock -1".to_string()
        }),
        "pause" => local("‖ pauses".to_string()),
        "resume" => local("▷ resumes".to_string()),
        "crash" => local("✗ crashes".to_string()),
        "restart" => local("↻ restarts".to_string()),
        "sync" => local("fsync".to_string()),
        _ => Event::Other {
            label: text.to_string(),
        },
    }
}

fn events(trace: &TraceFile) -> Vec<Step> {
    trace
        .trace
        .steps
        .iter()
        .map(|step| Step {
            index: step.index,
            time: step.time_ticks,
            event: event_of(&step.action_detail, &step.action),
            annotations: step.annotations.clone(),
            notes: step.notes.clone(),
        })
        .collect()
}

fn name(trace: &TraceFile, node: usize) -> String {
    trace
        .nodes
        .get(node)
        .cloned()
        .unwrap_or_else(|| format!("n{node}"))
}

fn text(trace: &TraceFile, steps: &[Step]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — `{}` violated ({} steps)",
        trace.model, trace.property, trace.trace.length
    );
    if trace.nodes.is_empty() {
        for step in &trace.trace.steps {
            let _ = writeln!(out, "{:>4}. {}", step.index, step.action);
            for annotation in &step.annotations {
                let _ = writeln!(out, "!!! {annotation}");
            }
            for note in &step.notes {
                let _ = writeln!(out, "      note: {note}");
            }
        }
        return out;
    }
    let columns = trace.nodes.len();
    let width = ((TEXT_WIDTH_MAX - TIME_COLUMN_WIDTH) / columns).clamp(8, 24);
    let start = |node: usize| TIME_COLUMN_WIDTH + node * width;
    let mut header: Vec<char> = " "
        .repeat(TIME_COLUMN_WIDTH + columns * width)
        .chars()
        .collect();
    for node in 0..columns {
        overlay(&mut header, start(node), &name(trace, node), width - 1);
    }
    let _ = writeln!(out, "{}", String::from_iter(header).trim_end());
    let mut shown_time = None;
    for step in steps {
        if matches!(step.event, Event::Tick) {
            continue;
        }
        let mut row: Vec<char> = " "
            .repeat(TIME_COLUMN_WIDTH + columns * width)
            .chars()
            .collect();
        for node in 0..columns {
            row[start(node)] = '│';
        }
        if step.time != shown_time {
            overlay(
                &mut row,
                0,
                &format!("t={}", step.time.unwrap_or(0)),
                TIME_COLUMN_WIDTH - 1,
            );
            shown_time = step.time;
        }
        draw(&mut row, &step.event, &start, width);
        let _ = writeln!(out, "{}", String::from_iter(row).trim_end());
        for annotation in &step.annotations {
            let mut line = format!("!!! {annotation}");
            if line.chars().count() > TEXT_WIDTH_MAX {
                line = line.chars().take(TEXT_WIDTH_MAX - 1).collect::<String>() + "…";
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn overlay(row: &mut [char], at: usize, text: &str, room: usize) {
    let mut shown: Vec<char> = text.chars().collect();
    if shown.len() > room && room > 0 {
        shown.truncate(room - 1);
        shown.push('…');
    }
    for (offset, c) in shown.into_iter().enumerate() {
        if let Some(cell) = row.get_mut(at + offset) {
            *cell = c;
        }
    }
}

fn draw(row: &mut [char], event: &Event, start: &dyn Fn(usize) -> usize, width: usize) {
    let arrow = |row: &mut [char], from: usize, to: usize, label: &str, head: char| {
        let (left, right) = (start(from.min(to)), start(from.max(to)));
        for cell in row.iter_mut().take(right).skip(left + 1) {
            *cell = '─';
        }
        if to > from {
            row[right - 1] = head;
        } else {
            row[left + 1] = head;
        }
        let room = (right - left).saturating_sub(2).max(width - 2);
        overlay(row, left + 2, &format!(" {label} "), room);
    };
    match event {
        Event::Deliver { from, to, label } => {
            arrow(row, *from, *to, label, if to > from { '▶' } else { '◀' })
        }
        Event::Lost { from, to, label } => arrow(row, *from, *to, &format!("{label} lost"), '✗'),
        Event::Duplicated { from, to, label } => {
            arrow(row, *from, *to, &format!("{label} ×2"), '═')
        }
        Event::Local { node, label } => {
            overlay(row, start(*node) + 1, &format!(" {label}"), width - 1)
        }
        Event::Other { label } => overlay(
            row,
            TIME_COLUMN_WIDTH,
            label,
            TEXT_WIDTH_MAX - TIME_COLUMN_WIDTH,
        ),
        Event::Tick => {}
    }
}

fn mermaid_text(text: &str) -> String {
    text.replace([';', '#'], " ").replace('\n', " ")
}

fn mermaid(trace: &TraceFile, steps: &[Step]) -> String {
    let mut out = String::from("sequenceDiagram\n");
    let participants: Vec<String> = if trace.nodes.is_empty() {
        vec!["model".to_string()]
    } else {
        trace.nodes.clone()
    };
    for (index, participant) in participants.iter().enumerate() {
        let _ = writeln!(out, "    participant n{index} as {participant}");
    }
    let span = format!("n0,n{}", participants.len() - 1);
    let span = if participants.len() == 1 {
        "n0".to_string()
    } else {
        span
    };
    let mut shown_time = None;
    for step in steps {
        if matches!(step.event, Event::Tick) {
            continue;
        }
        if step.time.is_some() && step.time != shown_time {
            let _ = writeln!(out, "    Note over {span}: t={}", step.time.unwrap_or(0));
            shown_time = step.time;
        }
        let line = match &step.event {
            Event::Deliver { from, to, label } => {
                format!("n{from}->>n{to}: {}", mermaid_text(label))
            }
            Event::Lost { from, to, label } => {
                format!("n{from}-xn{to}: {} (lost)", mermaid_text(label))
            }
            Event::Duplicated { from, to, label } => {
                format!("n{from}--)n{to}: {} (duplicated)", mermaid_text(label))
            }
            Event::Local { node, label } => format!("Note over n{node}: {}", mermaid_text(label)),
            Event::Other { label } => format!("Note over {span}: {}", mermaid_text(label)),
            Event::Tick => continue,
        };
        let _ = writeln!(out, "    {line}");
        for annotation in &step.annotations {
            let _ = writeln!(out, "    Note over {span}: ⚠ {}", mermaid_text(annotation));
        }
        for note in &step.notes {
            let _ = writeln!(out, "    Note over {span}: {}", mermaid_text(note));
        }
    }
    out
}

/// Happens-before: program order per node, and each delivery after its send. Returns,
/// per step, the node it happened on and the step that sent what it delivered.
fn happens_before(trace: &TraceFile, steps: &[Step]) -> Vec<(Option<usize>, Option<usize>)> {
    type Key = (u64, u64, String);
    let network = |state: &Value| -> Vec<Key> {
        state
            .get("network")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|e| {
                        Some((
                            e.get("src")?.as_u64()?,
                            e.get("dst")?.as_u64()?,
                            e.get("msg")?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // Sent-by queues per message key; 0 stands for the initial state.
    let mut senders: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for key in network(&trace.trace.initial_state) {
        senders.entry(key).or_default().push(0);
    }
    let mut before = network(&trace.trace.initial_state);
    let mut result = Vec::new();
    for (step, recorded) in steps.iter().zip(&trace.trace.steps) {
        let after = network(&recorded.state);
        let (node, delivered) = match &step.event {
            Event::Deliver { from, to, label: _ } => {
                let key = recorded
                    .action_detail
                    .get("envelope")
                    .and_then(|e| Some((*from as u64, *to as u64, e.get("msg")?.to_string())));
                let sender = key.and_then(|k| {
                    senders
                        .get_mut(&k)
                        .filter(|q| !q.is_empty())
                        .map(|q| q.remove(0))
                });
                (Some(*to), sender.filter(|s| *s > 0))
            }
            Event::Local { node, .. } => (Some(*node), None),
            _ => (None, None),
        };
        let mut remaining = before.clone();
        for key in &after {
            if let Some(position) = remaining.iter().position(|k| k == key) {
                remaining.remove(position);
            } else {
                senders.entry(key.clone()).or_default().push(step.index);
            }
        }
        before = after;
        result.push((node, delivered));
    }
    result
}

fn dot(trace: &TraceFile, steps: &[Step]) -> String {
    let links = happens_before(trace, steps);
    let mut graph: DiGraph<String, String> = DiGraph::new();
    let mut by_step: BTreeMap<usize, NodeIndex> = BTreeMap::new();
    let mut last_on_node: BTreeMap<usize, NodeIndex> = BTreeMap::new();
    for (step, (node, sender)) in steps.iter().zip(&links) {
        if matches!(step.event, Event::Tick) {
            continue;
        }
        let place = node
            .map(|n| name(trace, n))
            .unwrap_or_else(|| "network".to_string());
        let what = match &step.event {
            Event::Deliver { label, .. } => format!("recv {label}"),
            Event::Lost { label, .. } => format!("lost {label}"),
            Event::Duplicated { label, .. } => format!("dup {label}"),
            Event::Local { label, .. } | Event::Other { label } => label.clone(),
            Event::Tick => String::new(),
        };
        let time = step.time.map(|t| format!(" t={t}")).unwrap_or_default();
        let warn = if step.annotations.is_empty() {
            ""
        } else {
            " ⚠"
        };
        let index = graph.add_node(format!("{}. {place}: {what}{time}{warn}", step.index));
        by_step.insert(step.index, index);
        if let Some(node) = node {
            if let Some(previous) = last_on_node.insert(*node, index) {
                graph.add_edge(previous, index, String::new());
            }
        }
        if let Some(sent_at) = sender.and_then(|s| by_step.get(&s)) {
            graph.add_edge(*sent_at, index, "msg".to_string());
        }
    }
    format!("{}", petgraph::dot::Dot::new(&graph))
}

fn shiviz(trace: &TraceFile, steps: &[Step]) -> String {
    let links = happens_before(trace, steps);
    let hosts: Vec<String> = if trace.nodes.is_empty() {
        vec!["model".to_string()]
    } else {
        trace.nodes.clone()
    };
    let mut clocks: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); hosts.len()];
    let mut at_step: BTreeMap<usize, BTreeMap<String, u64>> = BTreeMap::new();
    let mut out = String::new();
    for (step, (node, sender)) in steps.iter().zip(&links) {
        let host = node.unwrap_or(0).min(hosts.len() - 1);
        if matches!(step.event, Event::Tick) {
            continue;
        }
        if let Some(sent) = sender.and_then(|s| at_step.get(&s)) {
            for (h, c) in sent.clone() {
                let entry = clocks[host].entry(h).or_insert(0);
                *entry = (*entry).max(c);
            }
        }
        *clocks[host].entry(hosts[host].clone()).or_insert(0) += 1;
        at_step.insert(step.index, clocks[host].clone());
        let label = match &step.event {
            Event::Deliver { from, label, .. } => {
                format!("receive {label} from {}", name(trace, *from))
            }
            Event::Lost { label, .. } => format!("{label} lost"),
            Event::Duplicated { label, .. } => format!("{label} duplicated"),
            Event::Local { label, .. } | Event::Other { label } => label.clone(),
            Event::Tick => String::new(),
        };
        let clock = serde_json::to_string(&clocks[host]).unwrap_or_default();
        let _ = writeln!(out, "{}. {label}\n{} {clock}", step.index, hosts[host]);
    }
    out
}
