//! Compact, readable views of structured states and messages, shared by the human
//! report's final state, the state graph's labels, the trace charts and the Explorer.
//!
//! A timed system's state (`nodes`, `network`, `ghost`, `crashes`) is shown node by
//! node first, by name, then the network as a list; other states one line per field.

use serde_json::Value;

/// A value in a compact form: `{"Grant":{"token":1}}` → `Grant{token:1}`.
pub(crate) fn brief(value: &Value) -> String {
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

/// The name of node `index`, or `n{index}` when the model gave none.
pub(crate) fn node_name(names: &[String], index: u64) -> String {
    usize::try_from(index)
        .ok()
        .and_then(|i| names.get(i))
        .cloned()
        .unwrap_or_else(|| format!("n{index}"))
}

/// Whether `state` is a timed system's state.
fn is_timed(state: &Value) -> bool {
    state.get("nodes").is_some_and(Value::is_array)
        && state.get("network").is_some_and(Value::is_array)
}

/// One line per node (its state first, then what is not the default: status, clock
/// offset, timers, durable and unsynced writes), then one per message in flight, then
/// the ghost and the crash count. Untimed states: one line per top-level field.
pub(crate) fn state_lines(state: &Value, names: &[String]) -> Vec<String> {
    state_lines_with(state, names, &|_| NodeTime::Stored)
}

/// How a node's pause length and clock offset are shown.
pub(crate) enum NodeTime {
    /// As stored in the state: the pause counter (capped at the bound, so shown as a
    /// counter) and the stored offset.
    Stored,
    /// Without the pause counter (a capped counter is not a duration).
    Unknown,
    /// Counted along a path from the initial state: the true pause length (`None`
    /// when not paused) and the true clock offset.
    Counted {
        /// Ticks since the node paused.
        paused_ticks: Option<u64>,
        /// Local clock minus true time.
        offset_ticks: i64,
    },
}

/// [`state_lines`] with the pause length and clock offset of node `i` shown as
/// `time(i)` says.
pub(crate) fn state_lines_with(
    state: &Value,
    names: &[String],
    time: &dyn Fn(usize) -> NodeTime,
) -> Vec<String> {
    if !is_timed(state) {
        return match state {
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| format!("{key}: {}", brief(value)))
                .collect(),
            other => vec![brief(other)],
        };
    }
    let mut lines = Vec::new();
    for (index, node) in state["nodes"].as_array().into_iter().flatten().enumerate() {
        lines.push(node_line(
            &node_name(names, index as u64),
            node,
            time(index),
        ));
    }
    let network = state["network"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if network.is_empty() {
        lines.push("network: empty".to_string());
    } else {
        lines.push(format!("network ({}):", network.len()));
        for envelope in network {
            lines.push(format!("  {}", envelope_text(envelope, names)));
        }
    }
    if let Some(ghost) = state.get("ghost").filter(|g| !g.is_null()) {
        lines.push(format!("ghost: {}", brief(ghost)));
    }
    if let Some(crashes) = state
        .get("crashes")
        .and_then(Value::as_u64)
        .filter(|c| *c > 0)
    {
        lines.push(format!("crashes so far: {crashes}"));
    }
    lines
}

/// True time after the last step of `trace` (0 for an untimed model).
pub(crate) fn time_after(trace: &super::TraceReport) -> u64 {
    trace.steps.last().map_or(0, |step| {
        step.time_ticks.unwrap_or(0) + u64::from(is_tick(&step.action_detail))
    })
}

/// The last state of `trace` (its initial state if it has no step) as
/// [`state_lines_with`] shows it, each node's pause length and clock offset counted
/// along the trace: the state stores neither where nothing reads them.
pub(crate) fn last_state_lines(trace: &super::TraceReport, names: &[String]) -> Vec<String> {
    let now = time_after(trace);
    let last = trace.steps.last();
    let offsets = last
        .and_then(|step| step.clock_offsets_ticks.clone())
        .unwrap_or_default();
    let state = last.map_or(&trace.initial_state, |step| &step.state);
    let nodes = state["nodes"].as_array().map_or(names.len(), Vec::len);
    let paused_since = pause_starts(&trace.steps, nodes);
    let time = |node: usize| NodeTime::Counted {
        paused_ticks: paused_since
            .get(node)
            .copied()
            .flatten()
            .map(|since| now.saturating_sub(since)),
        offset_ticks: offsets.get(node).copied().unwrap_or(0),
    };
    state_lines_with(state, names, &time)
}

fn is_tick(detail: &Value) -> bool {
    detail.get("kind").and_then(Value::as_str) == Some("tick")
}

/// Per node, the true time its current pause began (`None` when running).
fn pause_starts(steps: &[super::StepReport], nodes: usize) -> Vec<Option<u64>> {
    let mut since = vec![None; nodes];
    for step in steps {
        let detail = &step.action_detail;
        let node = detail
            .get("node")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n < nodes);
        let Some(node) = node else { continue };
        match detail.get("kind").and_then(Value::as_str) {
            Some("pause") => since[node] = Some(step.time_ticks.unwrap_or(0)),
            Some("resume" | "crash") => since[node] = None,
            _ => {}
        }
    }
    since
}

/// `client_b: Client{phase:Reading} · paused (counter 2) · clock +1 · timers LeaseExpiry in 3`.
fn node_line(name: &str, node: &Value, time: NodeTime) -> String {
    let mut parts = vec![format!(
        "{name}: {}",
        node.get("state").map(brief).unwrap_or_default()
    )];
    match node.get("status") {
        Some(Value::String(status)) if status == "running" => {}
        Some(Value::String(status)) => parts.push(status.clone()),
        Some(Value::Object(map)) => {
            for (status, detail) in map {
                let counter = detail.get("ticks").and_then(Value::as_u64);
                parts.push(match (&time, counter) {
                    (NodeTime::Stored, Some(ticks)) => format!("{status} (counter {ticks})"),
                    (
                        NodeTime::Counted {
                            paused_ticks: Some(ticks),
                            ..
                        },
                        _,
                    ) => format!("{status} for {}", crate::system::ticks(*ticks, false)),
                    _ => status.clone(),
                });
            }
        }
        _ => {}
    }
    let offset = match time {
        NodeTime::Counted { offset_ticks, .. } => Some(offset_ticks),
        NodeTime::Stored | NodeTime::Unknown => {
            node.get("clock_offset_ticks").and_then(Value::as_i64)
        }
    };
    if let Some(offset) = offset.filter(|o| *o != 0) {
        parts.push(format!("clock {offset:+}"));
    }
    let timers: Vec<String> = node
        .get("timers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(timer_text)
        .collect();
    if !timers.is_empty() {
        parts.push(format!("timers {}", timers.join(", ")));
    }
    for key in ["durable", "unsynced"] {
        if let Some(value) = node.get(key).filter(|v| !v.is_null()) {
            parts.push(format!("{key} {}", brief(value)));
        }
    }
    parts.join(" · ")
}

/// `LeaseExpiry in 3` (`in 0..2` for a windowed timer).
fn timer_text(timer: &Value) -> String {
    let name = timer.get("timer").map(brief).unwrap_or_default();
    let remaining = timer
        .get("remaining_ticks")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    match timer.get("window_ticks").and_then(Value::as_u64) {
        Some(window) if window > 0 => {
            format!(
                "{name} in {}..{remaining}",
                remaining.saturating_sub(window)
            )
        }
        _ => format!("{name} in {remaining}"),
    }
}

/// `Grant{token:1} lock→client_b, age 0`.
pub(crate) fn envelope_text(envelope: &Value, names: &[String]) -> String {
    let end = |key: &str| {
        envelope
            .get(key)
            .and_then(Value::as_u64)
            .map(|n| node_name(names, n))
            .unwrap_or_default()
    };
    let age = envelope
        .get("age_ticks")
        .and_then(Value::as_u64)
        .map(|a| format!(", age {a}"))
        .unwrap_or_default();
    format!(
        "{} {}→{}{age}",
        envelope.get("msg").map(brief).unwrap_or_default(),
        end("src"),
        end("dst")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_timed_state_is_shown_node_by_node_then_the_network() {
        let state = json!({
            "crashes": 1,
            "ghost": null,
            "network": [{"src": 0, "dst": 1, "age_ticks": 2, "msg": {"Grant": {"token": 1}}}],
            "nodes": [
                {"state": {"holder": null, "next_token": 1}, "status": "running", "clock_offset_ticks": 0,
                 "timers": [{"timer": "LeaseExpiry", "remaining_ticks": 3}],
                 "durable": null, "unsynced": null},
                {"state": "Idle", "status": {"paused": {"ticks": 2}}, "clock_offset_ticks": -1,
                 "timers": [{"timer": "Retry", "remaining_ticks": 4, "window_ticks": 3}],
                 "durable": 5, "unsynced": null}
            ]
        });
        let names = vec!["lock".to_string(), "client".to_string()];
        assert_eq!(
            state_lines(&state, &names),
            vec![
                "lock: {holder:null,next_token:1} · timers LeaseExpiry in 3",
                "client: Idle · paused (counter 2) · clock -1 · timers Retry in 1..4 · durable 5",
                "network (1):",
                "  Grant{token:1} lock→client, age 2",
                "crashes so far: 1",
            ]
        );
    }

    #[test]
    fn an_untimed_state_is_one_line_per_field() {
        let state = json!({"rm_state": ["working", "prepared"], "tm_state": "init"});
        assert_eq!(
            state_lines(&state, &[]),
            vec!["rm_state: [working,prepared]", "tm_state: init"]
        );
    }
}
