//! Renderers: a terminal message sequence chart, Mermaid `sequenceDiagram`, Graphviz
//! DOT (happens-before, one lane per node) and a ShiViz log. A liveness counterexample
//! (a lasso) is marked in the first three: where its loop starts, and that it repeats.
//!
//! Timed traces carry structured actions (`kind`, `node`, `envelope`) and states with a
//! `network`; the renderers read those. Untimed traces render as numbered steps.

use super::TraceFile;
use crate::report::view::brief;
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
    /// A delivery; `duplicate`: of a duplicate, the message stays in flight.
    Deliver {
        from: usize,
        to: usize,
        label: String,
        duplicate: bool,
    },
    Lost {
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
    /// At a crash: the messages in flight to the node, which the crash loses (the
    /// event's label names them too; the text chart, whose columns would cut them,
    /// writes them on a line of their own).
    lost: Vec<String>,
}

impl Step {
    /// Whether the charts leave this step out: a tick, unless a relaxed assumption
    /// broke at it (a chart shows every break).
    fn hidden(&self) -> bool {
        matches!(self.event, Event::Tick) && self.annotations.is_empty()
    }
}

/// How a tick the charts show (one where an assumption broke) is labelled.
const TICK_LABEL: &str = "⏱ tick: time passes";

fn node_of(detail: &Value, key: &str) -> Option<usize> {
    detail
        .get(key)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

/// The messages still in flight in the last state of a finite counterexample, each as
/// `Msg src→dst` (`×N` for N copies), in network order: a chart draws a message when
/// it is delivered, so one still on its way (the write the backup never got before it
/// took over) shows only here. A lasso has no end (its loop goes back to an earlier
/// state), so it lists none.
fn in_flight(trace: &TraceFile) -> Vec<String> {
    if trace.loop_start.is_some() {
        return Vec::new();
    }
    let last = (trace.trace.steps.last()).map_or(&trace.trace.initial_state, |step| &step.state);
    let Some(network) = last.get("network").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut counted: Vec<(String, usize)> = Vec::new();
    for envelope in network {
        let (Some(from), Some(to), Some(message)) = (
            node_of(envelope, "src"),
            node_of(envelope, "dst"),
            envelope.get("msg"),
        ) else {
            continue;
        };
        let shown = format!(
            "{} {}→{}",
            brief(message),
            name(trace, from),
            name(trace, to)
        );
        match counted.iter_mut().find(|(seen, _)| *seen == shown) {
            Some((_, copies)) => *copies += 1,
            None => counted.push((shown, 1)),
        }
    }
    counted
        .into_iter()
        .map(|(shown, copies)| match copies {
            1 => shown,
            _ => format!("{shown} ×{copies}"),
        })
        .collect()
}

const IN_FLIGHT: &str = "still in flight at the end:";

fn envelope_event(detail: &Value) -> Option<(usize, usize, String)> {
    let envelope = detail.get("envelope")?;
    Some((
        node_of(envelope, "src")?,
        node_of(envelope, "dst")?,
        brief(envelope.get("msg")?),
    ))
}

/// `offsets`: the nodes' clock offsets after the step, where the trace has them.
fn event_of(detail: &Value, text: &str, offsets: Option<&[i64]>) -> Event {
    let kind = detail.get("kind").and_then(Value::as_str).unwrap_or("");
    let local = |label: String| match node_of(detail, "node") {
        Some(node) => Event::Local { node, label },
        None => Event::Other {
            label: text.to_string(),
        },
    };
    match kind {
        "deliver" | "drop" | "duplicate" => match envelope_event(detail) {
            Some((from, to, label)) if kind == "drop" => Event::Lost { from, to, label },
            Some((from, to, label)) => {
                let duplicate = kind == "duplicate";
                Event::Deliver {
                    from,
                    to,
                    label: if duplicate {
                        format!("duplicate of {label}")
                    } else {
                        label
                    },
                    duplicate,
                }
            }
            None => Event::Other {
                label: text.to_string(),
            },
        },
        "fire" => local(format!(
            "⏰ {}",
            detail.get("timer").map(brief).unwrap_or_default()
        )),
        "tick" => Event::Tick,
        "drift" => {
            // The direction, and where the clock ends (the state's `clock ±n`), so
            // that a drift back to +1 does not read as an offset of -1.
            let forward = detail.get("forward") == Some(&Value::Bool(true));
            let direction = if forward { "ahead" } else { "back" };
            let now = node_of(detail, "node").and_then(|node| offsets?.get(node).copied());
            local(match now {
                Some(0) => format!("clock {direction} to 0"),
                Some(now) => format!("clock {direction} to {now:+}"),
                None => format!("clock {direction} 1 tick"),
            })
        }
        "pause" => local("‖ pauses".to_string()),
        "resume" => local("▷ resumes".to_string()),
        "crash" => local(CRASH_LABEL.to_string()),
        "restart" => local("↻ restarts".to_string()),
        "sync" => local("fsync".to_string()),
        _ => Event::Other {
            label: text.to_string(),
        },
    }
}

fn events(trace: &TraceFile) -> Vec<Step> {
    let steps = &trace.trace.steps;
    let before = std::iter::once(&trace.trace.initial_state).chain(steps.iter().map(|s| &s.state));
    steps
        .iter()
        .zip(before)
        .map(|(step, before)| {
            let mut event = event_of(
                &step.action_detail,
                &step.action,
                step.clock_offsets_ticks.as_deref(),
            );
            // A crash takes the messages on their way to the node with it: the chart
            // draws a message only where it is delivered or lost, so it names them here.
            let mut lost = Vec::new();
            if let Event::Local { node, label } = &mut event {
                if step.action_detail.get("kind").and_then(Value::as_str) == Some("crash") {
                    lost = lost_in_crash(trace, before, *node);
                    if !lost.is_empty() {
                        label.push_str(&format!(", losing {}", lost.join(", ")));
                    }
                }
            }
            Step {
                index: step.index,
                time: step.time_ticks,
                event,
                annotations: step.annotations.clone(),
                notes: step.notes.clone(),
                lost,
            }
        })
        .collect()
}

/// The messages in flight to `node` in `before` (a crash of `node` loses them), each
/// as `Msg from src`, in network order.
fn lost_in_crash(trace: &TraceFile, before: &Value, node: usize) -> Vec<String> {
    let Some(network) = before.get("network").and_then(Value::as_array) else {
        return Vec::new();
    };
    (network.iter())
        .filter(|envelope| node_of(envelope, "dst") == Some(node))
        .filter_map(|envelope| {
            let from = node_of(envelope, "src")?;
            Some(format!(
                "{} from {}",
                brief(envelope.get("msg")?),
                name(trace, from)
            ))
        })
        .collect()
}

/// A crash's label in the charts.
const CRASH_LABEL: &str = "✗ crashes";

/// The name of the node a local step happens at.
fn step_node_name(trace: &TraceFile, step: &Step) -> String {
    match step.event {
        Event::Local { node, .. } => name(trace, node),
        _ => String::new(),
    }
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
        "{} — `{}` violated ({})",
        trace.model,
        trace.property,
        crate::report::steps(trace.trace.length)
    );
    let lasso = Lasso::of(trace, steps);
    if trace.nodes.is_empty() {
        for step in &trace.trace.steps {
            if lasso.starts_at(step.index) {
                let _ = writeln!(out, "{}", lasso.opening());
            }
            let _ = writeln!(out, "{:>4}. {}", step.index, step.action);
            for annotation in &step.annotations {
                let _ = writeln!(out, "!!! {annotation}");
            }
            for note in &step.notes {
                let _ = writeln!(out, "      note: {note}");
            }
        }
        if let Some(closing) = lasso.closing() {
            let _ = writeln!(out, "{closing}");
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
    let _ = writeln!(out, "{}", shown(&header));
    let mut shown_time = None;
    for step in steps {
        if lasso.starts_at(step.index) {
            let _ = writeln!(out, "{}", lasso.opening());
            if lasso.only_time_passes {
                let _ = writeln!(out, "│      (only time passes: tick)");
            }
            // The loop's first row shows its time again.
            shown_time = None;
        }
        if step.hidden() {
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
                1,
                &format!("t={}", step.time.unwrap_or(0)),
                TIME_COLUMN_WIDTH - 1,
            );
            shown_time = step.time;
        }
        if lasso.in_loop(step.index) {
            row[0] = '│';
        }
        match (&step.event, step.lost.is_empty()) {
            (Event::Local { node, .. }, false) => {
                let crash = Event::Local {
                    node: *node,
                    label: CRASH_LABEL.to_string(),
                };
                draw(&mut row, &crash, &start, width);
            }
            _ => draw(&mut row, &step.event, &start, width),
        }
        let _ = writeln!(out, "{}", shown(&row));
        if !step.lost.is_empty() {
            let lost = format!(
                "lost with {}: {}",
                step_node_name(trace, step),
                step.lost.join(", ")
            );
            for line in wrapped(&lost, TEXT_WIDTH_MAX - 8) {
                let _ = writeln!(out, "       ✗ {line}");
            }
        }
        // A break's sentence is the point of the chart: wrapped, never cut.
        for annotation in &step.annotations {
            for (index, line) in wrapped(annotation, TEXT_WIDTH_MAX - 4).iter().enumerate() {
                let lead = if index == 0 { "!!!" } else { "   " };
                let _ = writeln!(out, "{lead} {line}");
            }
        }
    }
    if let Some(closing) = lasso.closing() {
        let _ = writeln!(out, "{closing}");
    }
    // Broken between messages, never inside one.
    let mut line = IN_FLIGHT.to_string();
    let flying = in_flight(trace);
    for (index, message) in flying.iter().enumerate() {
        let item = if index + 1 < flying.len() {
            format!("{message},")
        } else {
            message.clone()
        };
        if index > 0 && line.chars().count() + 1 + item.chars().count() > TEXT_WIDTH_MAX {
            let _ = writeln!(out, "{line}");
            line = format!("  {item}");
        } else {
            line.push(' ');
            line.push_str(&item);
        }
    }
    if !flying.is_empty() {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// Where the loop of a liveness counterexample (a lasso) starts, in chart terms: the
/// steps from `start` to the last one repeat forever, back to the state before `start`.
struct Lasso {
    /// The 1-based step the loop starts at; `None` for a finite counterexample.
    start: Option<usize>,
    /// The last step.
    end: usize,
    /// Whether every step of the loop is a Tick (charts skip those where nothing broke).
    only_time_passes: bool,
}

impl Lasso {
    fn of(trace: &TraceFile, steps: &[Step]) -> Self {
        let start = trace.loop_start;
        let only_time_passes = start.is_some_and(|start| {
            steps
                .iter()
                .filter(|step| step.index >= start)
                .all(|step| matches!(step.event, Event::Tick))
        });
        Lasso {
            start,
            end: trace.trace.steps.len(),
            only_time_passes,
        }
    }

    fn starts_at(&self, index: usize) -> bool {
        self.start == Some(index)
    }

    fn in_loop(&self, index: usize) -> bool {
        self.start.is_some_and(|start| index >= start)
    }

    /// "steps 13–19 repeat" (or "step 38 repeats").
    fn steps(&self) -> String {
        match self.start {
            Some(start) if start == self.end => format!("step {start} repeats"),
            Some(start) => format!("steps {start}–{} repeat", self.end),
            None => String::new(),
        }
    }

    fn opening(&self) -> String {
        format!("┌─ loop: {} forever", self.steps())
    }

    fn closing(&self) -> Option<String> {
        let start = self.start?;
        Some(format!(
            "└─ back to the state before step {start}: the loop repeats, the property never becomes true"
        ))
    }
}

/// The second cell of a character two columns wide (`⏰`): left out when the row is
/// printed, so the lanes to its right stay where the header put them.
const WIDE_TAIL: char = '\0';

/// A row of cells as printed: without the wide characters' second cells, and without
/// trailing blanks.
fn shown(row: &[char]) -> String {
    let line: String = row.iter().filter(|&&c| c != WIDE_TAIL).collect();
    line.trim_end().to_string()
}

/// Writes `text` into `row` from cell `at`, in at most `room` cells (cut with `…`): a
/// character two columns wide on a terminal takes two cells, and one that takes none
/// (a variation selector) is left out.
fn overlay(row: &mut [char], at: usize, text: &str, room: usize) {
    use unicode_width::UnicodeWidthChar;
    let mut cells: Vec<char> = Vec::new();
    for c in text.chars() {
        match c.width() {
            Some(2) => cells.extend([c, WIDE_TAIL]),
            Some(0) => {}
            _ => cells.push(c),
        }
    }
    if cells.len() > room && room > 0 {
        cells.truncate(room - 1);
        // A wide character cut in half goes whole.
        if cells.last().is_some_and(|&c| c.width() == Some(2)) {
            cells.pop();
            cells.push(' ');
        }
        cells.push('…');
    }
    for (offset, c) in cells.into_iter().enumerate() {
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
        // The label starts after the left lane (and a leftward head) and ends before a
        // rightward head: cut short, it keeps the arrow's direction.
        let room = if to > from {
            row[right - 1] = head;
            (right - left).saturating_sub(3)
        } else {
            row[left + 1] = head;
            (right - left).saturating_sub(2)
        };
        overlay(row, left + 2, &format!(" {label} "), room);
    };
    match event {
        Event::Deliver {
            from, to, label, ..
        } => arrow(row, *from, *to, label, if to > from { '▶' } else { '◀' }),
        Event::Lost { from, to, label } => arrow(row, *from, *to, &format!("{label} lost"), '✗'),
        Event::Local { node, label } => {
            overlay(row, start(*node) + 1, &format!(" {label}"), width - 1)
        }
        Event::Other { label } => overlay(
            row,
            TIME_COLUMN_WIDTH,
            label,
            TEXT_WIDTH_MAX - TIME_COLUMN_WIDTH,
        ),
        // Time passes for every node: a dotted rule across the lanes.
        Event::Tick => {
            let end = row.len().saturating_sub(width);
            for cell in row.iter_mut().take(end).skip(start(0) + 1) {
                if *cell != '│' {
                    *cell = '┄';
                }
            }
            overlay(
                row,
                start(0) + 2,
                &format!(" {TICK_LABEL} "),
                end - start(0),
            );
        }
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
    let lasso = Lasso::of(trace, steps);
    let mut shown_time = None;
    for step in steps {
        if lasso.starts_at(step.index) {
            let _ = writeln!(
                out,
                "    loop {} forever (back to the state before step {})",
                lasso.steps(),
                step.index
            );
            if lasso.only_time_passes {
                let _ = writeln!(out, "    Note over {span}: only time passes (tick)");
            }
            shown_time = None;
        }
        if step.hidden() {
            continue;
        }
        if step.time.is_some() && step.time != shown_time {
            let _ = writeln!(out, "    Note over {span}: t={}", step.time.unwrap_or(0));
            shown_time = step.time;
        }
        let line = match &step.event {
            Event::Deliver {
                from, to, label, ..
            } => {
                format!("n{from}->>n{to}: {}", mermaid_text(label))
            }
            Event::Lost { from, to, label } => {
                format!("n{from}-xn{to}: {} (lost)", mermaid_text(label))
            }
            Event::Local { node, label } => format!("Note over n{node}: {}", mermaid_text(label)),
            Event::Other { label } => format!("Note over {span}: {}", mermaid_text(label)),
            Event::Tick => format!("Note over {span}: {TICK_LABEL}"),
        };
        let _ = writeln!(out, "    {line}");
        for annotation in &step.annotations {
            let _ = writeln!(out, "    Note over {span}: ⚠ {}", mermaid_text(annotation));
        }
        for note in &step.notes {
            let _ = writeln!(out, "    Note over {span}: {}", mermaid_text(note));
        }
    }
    if lasso.start.is_some() {
        let _ = writeln!(out, "    end");
    }
    let flying = in_flight(trace);
    if !flying.is_empty() {
        let _ = writeln!(
            out,
            "    Note over {span}: {IN_FLIGHT} {}",
            mermaid_text(&flying.join(", "))
        );
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
            Event::Deliver {
                from,
                to,
                duplicate,
                ..
            } => {
                let key = recorded
                    .action_detail
                    .get("envelope")
                    .and_then(|e| Some((*from as u64, *to as u64, e.get("msg")?.to_string())));
                // A duplicate leaves its message in flight: its send stays pending.
                let sender = key.and_then(|k| {
                    senders.get_mut(&k).filter(|q| !q.is_empty()).map(|q| {
                        if *duplicate {
                            q[0]
                        } else {
                            q.remove(0)
                        }
                    })
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

/// Fill of a step where a relaxed assumption broke, and its border.
const DOT_BREAK_FILL: &str = "#ffd6d6";
const DOT_BREAK_BORDER: &str = "#c00000";
/// Fill of the steps of a lasso's loop, and the colour of its back edge.
const DOT_LOOP_FILL: &str = "#dde8ff";
const DOT_LOOP_EDGE: &str = "#1f4fbf";
/// Annotation lines in a DOT node wrap at this width.
const DOT_LINE_CHARS: usize = 36;

/// A DOT string literal.
fn dot_quoted(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

/// `text` broken into lines of at most `width` characters at spaces.
fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Graphviz DOT: one lane (cluster) per node, steps top to bottom in trace order,
/// program order within a lane, message edges from send to delivery; a step where a
/// relaxed assumption broke is red and says which; a lasso's loop is blue with a
/// dashed edge back to where it starts.
fn dot(trace: &TraceFile, steps: &[Step]) -> String {
    let links = happens_before(trace, steps);
    let lasso = Lasso::of(trace, steps);
    let lanes: Vec<String> = if trace.nodes.is_empty() {
        vec!["model".to_string()]
    } else {
        trace.nodes.clone()
    };
    let network_lane = lanes.len();
    let mut out = String::from("digraph trace {\n");
    let title = format!(
        "{}: `{}` violated ({})",
        trace.model,
        trace.property,
        crate::report::steps(trace.trace.length)
    );
    let _ = writeln!(out, "  label = {}; labelloc = t;", dot_quoted(&title));
    out.push_str("  newrank = true; nodesep = 0.3; ranksep = 0.25;\n");
    out.push_str(
        "  node [shape = box, style = \"rounded,filled\", fillcolor = white, fontsize = 11];\n",
    );
    out.push_str("  edge [fontsize = 9];\n");
    // Which lane each shown step is drawn in.
    let mut placed: Vec<(usize, &Step, Option<usize>)> = Vec::new();
    for (step, (node, sender)) in steps.iter().zip(&links) {
        if step.hidden() {
            continue;
        }
        let lane = node.filter(|n| *n < lanes.len()).unwrap_or(network_lane);
        placed.push((lane, step, *sender));
    }
    let uses_network = placed.iter().any(|(lane, ..)| *lane == network_lane);
    let lane_count = lanes.len() + usize::from(uses_network);
    // A grid, as a sequence diagram: a header row of lane names, then one row per shown
    // step holding the step in its lane and an invisible point in every other lane.
    // Each row is one rank whose cells are chained left to right by invisible flat
    // edges (dot keeps a flat edge's tail left of its head), so the lanes stay in
    // node order; each lane is a vertical line through its cells.
    let mut rows: Vec<Vec<String>> = vec![(0..lane_count).map(|l| format!("lane{l}")).collect()];
    for lane in 0..lane_count {
        let lane_name = lanes.get(lane).map_or("network", String::as_str);
        let _ = writeln!(
            out,
            "  lane{lane} [label = {}, fillcolor = gray92, fontsize = 12];",
            dot_quoted(lane_name)
        );
    }
    for (row, (lane, step, _)) in placed.iter().enumerate() {
        let _ = writeln!(out, "  {}", dot_step(trace, step, &lasso));
        let mut cells = Vec::with_capacity(lane_count);
        for other in 0..lane_count {
            if other == *lane {
                cells.push(format!("s{}", step.index));
            } else {
                let cell = format!("c{row}_{other}");
                let _ = writeln!(
                    out,
                    "  {cell} [shape = point, width = 0, height = 0, label = \"\", style = invis];"
                );
                cells.push(cell);
            }
        }
        rows.push(cells);
    }
    for cells in &rows {
        let chain = if cells.len() > 1 {
            format!("{} [style = invis]", cells.join(" -> "))
        } else {
            cells.join("")
        };
        let _ = writeln!(out, "  {{ rank = same; {chain}; }}");
    }
    for lane in (0..lane_count).filter(|_| rows.len() > 1) {
        let line: Vec<&str> = rows.iter().map(|cells| cells[lane].as_str()).collect();
        let _ = writeln!(
            out,
            "  {} [color = gray50, arrowhead = none, weight = 10, headclip = false, tailclip = false];",
            line.join(" -> ")
        );
    }
    for (_, step, sender) in &placed {
        let Some(sent_at) = sender.filter(|s| placed.iter().any(|(_, p, _)| p.index == *s)) else {
            continue;
        };
        let label = match &step.event {
            Event::Deliver { label, .. } => label.clone(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  s{sent_at} -> s{} [label = {}, color = \"#2b6cb0\", fontcolor = \"#2b6cb0\", constraint = false];",
            step.index,
            dot_quoted(&label)
        );
    }
    dot_loop_edge(&mut out, &lasso, &placed);
    out.push_str("}\n");
    out
}

/// One step as a DOT node statement.
fn dot_step(trace: &TraceFile, step: &Step, lasso: &Lasso) -> String {
    let what = match &step.event {
        Event::Deliver { label, .. } => format!("recv {label}"),
        Event::Lost { label, from, to } => {
            format!("{label} {}→{} lost", name(trace, *from), name(trace, *to))
        }
        Event::Local { label, .. } | Event::Other { label } => label.clone(),
        Event::Tick => TICK_LABEL.to_string(),
    };
    let mut lines = vec![format!("{}. {what}", step.index)];
    if let Some(time) = step.time {
        lines.push(format!("t={time}"));
    }
    for annotation in &step.annotations {
        lines.extend(wrapped(&format!("⚠ {annotation}"), DOT_LINE_CHARS));
    }
    let mut attributes = vec![format!("label = {}", dot_quoted(&lines.join("\n")))];
    if !step.annotations.is_empty() {
        attributes.push(format!(
            "fillcolor = \"{DOT_BREAK_FILL}\", color = \"{DOT_BREAK_BORDER}\", penwidth = 2"
        ));
    } else if lasso.in_loop(step.index) {
        attributes.push(format!("fillcolor = \"{DOT_LOOP_FILL}\""));
    }
    format!("s{} [{}];", step.index, attributes.join(", "))
}

/// The lasso's edge from its last shown step back to its first one (or, when only
/// time passes in the loop, a node saying so).
fn dot_loop_edge(out: &mut String, lasso: &Lasso, placed: &[(usize, &Step, Option<usize>)]) {
    let Some(start) = lasso.start else {
        return;
    };
    let label = dot_quoted(&format!(
        "loop: {} forever\n(back to the state before step {start})",
        lasso.steps()
    ));
    let in_loop: Vec<usize> = placed
        .iter()
        .map(|(_, step, _)| step.index)
        .filter(|index| *index >= start)
        .collect();
    match (in_loop.first(), in_loop.last()) {
        (Some(first), Some(last)) => {
            let _ = writeln!(
                out,
                "  s{last} -> s{first} [label = {label}, style = dashed, color = \"{DOT_LOOP_EDGE}\", fontcolor = \"{DOT_LOOP_EDGE}\", penwidth = 2, constraint = false];"
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "  loop [label = {label}, shape = note, fillcolor = \"{DOT_LOOP_FILL}\"];\n  loop -> loop [label = \"only time passes (tick)\", style = dashed, color = \"{DOT_LOOP_EDGE}\"];"
            );
            if let Some((_, step, _)) = placed.last() {
                let _ = writeln!(out, "  s{} -> loop [style = invis];", step.index);
            }
        }
    }
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
        // A tick happens on no host: ShiViz's log has no place for it.
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
            Event::Local { label, .. } | Event::Other { label } => label.clone(),
            Event::Tick => String::new(),
        };
        let clock = serde_json::to_string(&clocks[host]).unwrap_or_default();
        let _ = writeln!(out, "{}. {label}\n{} {clock}", step.index, hosts[host]);
    }
    out
}
