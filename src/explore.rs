//! What stateright's Explorer (`synccheck explore`) shows of a timed system: its
//! `format_step` (the state after a step, node by node by name, then the network as a
//! list) and `as_svg` (the same for the selected path's last state with what only a
//! path knows: true time, each node's true clock offset and pause length, and where a
//! relaxed assumption broke), and the Explorer link to a given path.
//!
//! The Explorer (stateright 0.31) addresses a path as `#/steps/I/A1/A2/...`: the index
//! of the initial state among `init_states`, then per step the index of the action
//! among the `actions` enabled in the state before it.

use crate::report::view::{self, NodeTime};
use crate::report::Explain;
use crate::system::{Protocol, SystemAction, SystemState, TimedSystem};
use serde_json::Value;
use std::fmt::Write;

/// Explorer SVG: pixels per character and per line of its monospace text.
const SVG_CHAR_WIDTH: usize = 8;
const SVG_LINE_HEIGHT: usize = 18;
/// Colours on the Explorer's dark panel.
const SVG_TEXT: &str = "#e8e8e8";
const SVG_HEADING: &str = "#8ec5ff";
const SVG_BREAK: &str = "#ff8080";

/// The state after one step, for the Explorer's "Current State" pane. The stored pause
/// counter is capped at the bound, so it is not shown as a duration.
/// Message ages the system does not store are left out (the SVG panel shows them).
pub(crate) fn step_text<P: Protocol>(system: &TimedSystem<P>, state: &SystemState<P>) -> String {
    let mut shown = system.explain_state(state);
    if system.lean().ages {
        if let Some(network) = shown.get_mut("network").and_then(Value::as_array_mut) {
            for envelope in network.iter_mut().filter_map(Value::as_object_mut) {
                envelope.remove("age_ticks");
            }
        }
    }
    let lines = view::state_lines_with(&shown, &system.node_names(), &|_| NodeTime::Unknown);
    lines.join("\n") + "\n"
}

/// One line of the SVG panel and its colour.
struct Line {
    text: String,
    colour: &'static str,
}

/// The path's last state as an SVG panel: true time, the nodes with their true clock
/// offsets and pause lengths, the network, and the assumption breaks on the path.
pub(crate) fn path_svg<P: Protocol>(
    system: &TimedSystem<P>,
    path: stateright::Path<SystemState<P>, SystemAction<P>>,
) -> Option<String> {
    let pairs = path.into_vec();
    let states: Vec<SystemState<P>> = pairs.iter().map(|(s, _)| s.clone()).collect();
    let actions: Vec<SystemAction<P>> = pairs.into_iter().filter_map(|(_, a)| a).collect();
    if states.len() != actions.len() + 1 {
        return None;
    }
    let verdicts = property_lines(system, states.last()?);
    let trace = system.explain_path(&crate::check::Path { states, actions });
    let names = system.node_names();
    let mut lines = vec![Line {
        text: format!(
            "true time t={} · after {}",
            view::time_after(&trace),
            crate::report::steps(trace.steps.len())
        ),
        colour: SVG_HEADING,
    }];
    for text in view::last_state_lines(&trace, &names) {
        lines.push(Line {
            text,
            colour: SVG_TEXT,
        });
    }
    lines.extend(verdicts);
    for broken in &trace.breaks {
        lines.push(Line {
            text: format!("⚠ step {}: {}", broken.step, broken.sentence),
            colour: SVG_BREAK,
        });
    }
    Some(svg(&lines))
}

/// What the state shows of the properties: an `always` that fails here, a
/// `sometimes` that holds here.
fn property_lines<P: Protocol>(system: &TimedSystem<P>, state: &SystemState<P>) -> Vec<Line> {
    use stateright::{Expectation, Model};
    system
        .properties()
        .into_iter()
        .filter_map(|property| {
            let holds = (property.condition)(system, state);
            match property.expectation {
                Expectation::Always if !holds => Some(Line {
                    text: format!("✗ `{}` is violated in this state", property.name),
                    colour: SVG_BREAK,
                }),
                Expectation::Sometimes if holds => Some(Line {
                    text: format!("✓ `{}` is reached in this state", property.name),
                    colour: SVG_HEADING,
                }),
                _ => None,
            }
        })
        .collect()
}

fn svg(lines: &[Line]) -> String {
    let width = lines
        .iter()
        .map(|line| line.text.chars().count())
        .max()
        .unwrap_or(0)
        * SVG_CHAR_WIDTH
        + 16;
    let height = lines.len() * SVG_LINE_HEIGHT + 8;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"monospace\" font-size=\"13\">"
    );
    for (index, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"8\" y=\"{}\" fill=\"{}\" xml:space=\"preserve\">{}</text>",
            (index + 1) * SVG_LINE_HEIGHT,
            line.colour,
            xml_escaped(&line.text)
        );
    }
    out.push_str("</svg>");
    out
}

fn xml_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The Explorer's address of a path given as action indices (the initial state's
/// index first): `http://ADDRESS/#/steps/0/3/1`.
pub fn link(address: &str, indices: &[usize]) -> String {
    let mut url = format!("http://{address}/#/steps");
    for index in indices {
        let _ = write!(url, "/{index}");
    }
    url
}

/// The Explorer path of a recorded trace on `model`: the initial state's index, then
/// per step the index of the enabled action whose structured form is the recorded
/// one. `None` when the trace does not run on the model (replay says where).
///
/// A model that stores less than its traces show ([`Explain::explaining`]: no message
/// ages, say) may see two envelopes as equal that the trace tells apart, and count a
/// loss's copy differently. So the trace is walked on the model it was recorded on as
/// well, step by step, and at each step the model's action is the one whose successor
/// stands for the recorded one ([`Explain::stands_for`]), never another queue's.
pub(crate) fn trace_indices<M>(model: &M, trace: &crate::trace::TraceFile) -> Option<Vec<usize>>
where
    M: Explain,
    M::State: Clone,
    M::Action: Clone,
{
    // A trace explained on the model itself (a path that did not lift) runs here alone.
    (model.explaining())
        .and_then(|full| indices_beside(model, &full, trace))
        .or_else(|| indices_alone(model, trace))
}

/// [`trace_indices`] with the trace walked on `full`, the model that recorded it, step
/// by step beside `model`.
fn indices_beside<M>(model: &M, full: &M, trace: &crate::trace::TraceFile) -> Option<Vec<usize>>
where
    M: Explain,
    M::State: Clone,
    M::Action: Clone,
{
    let recorded = &trace.trace;
    let mut before = (full.init_states().into_iter())
        .find(|s| full.explain_state(s) == recorded.initial_state)?;
    let initial = model.init_states();
    let start = initial.iter().position(|s| model.stands_for(s, &before))?;
    let mut state = initial[start].clone();
    let mut indices = vec![start];
    for step in &recorded.steps {
        // The recorded step, exactly, on the model that recorded it.
        let mut taken = Vec::new();
        full.actions(&before, &mut taken);
        let after = (taken.into_iter())
            .filter(|a| full.explain_action(a).1 == step.action_detail)
            .find_map(|a| {
                full.next_state(&before, a)
                    .filter(|next| full.explain_state(next) == step.state)
            })?;
        let (index, next) = recorded_action(model, &state, &step.action_detail, |next| {
            model.stands_for(next, &after)
        })?;
        indices.push(index);
        state = next;
        before = after;
    }
    Some(indices)
}

/// [`trace_indices`] on `model` alone: at each step the action whose structured form
/// is the recorded one (a loss up to its copy) and whose successor is the recorded
/// state.
fn indices_alone<M>(model: &M, trace: &crate::trace::TraceFile) -> Option<Vec<usize>>
where
    M: Explain,
    M::State: Clone,
    M::Action: Clone,
{
    let recorded = &trace.trace;
    let initial = model.init_states();
    let start = initial
        .iter()
        .position(|s| model.explain_state(s) == recorded.initial_state)?;
    let mut state = initial[start].clone();
    let mut indices = vec![start];
    for step in &recorded.steps {
        let (index, next) = recorded_action(model, &state, &step.action_detail, |next| {
            model.explain_state(next) == step.state
        })?;
        indices.push(index);
        state = next;
    }
    Some(indices)
}

/// The first of `model`'s actions at `state` whose structured form is `detail` (a
/// recorded step's, a loss up to its copy) and whose successor `leads_where_recorded`
/// accepts: its index among the actions, and the successor.
fn recorded_action<M>(
    model: &M,
    state: &M::State,
    detail: &serde_json::Value,
    leads_where_recorded: impl Fn(&M::State) -> bool,
) -> Option<(usize, M::State)>
where
    M: Explain,
    M::Action: Clone,
{
    let mut actions = Vec::new();
    model.actions(state, &mut actions);
    let wanted = without_copy(&model.stored_action_detail(detail));
    actions.iter().enumerate().find_map(|(index, action)| {
        if without_copy(&model.explain_action(action).1) != wanted {
            return None;
        }
        let next = model.next_state(state, action.clone())?;
        leads_where_recorded(&next).then_some((index, next))
    })
}

/// An action's structured form without the copy a loss names ([`Action::Drop`]).
///
/// [`Action::Drop`]: crate::system::Action::Drop
fn without_copy(detail: &serde_json::Value) -> serde_json::Value {
    let mut detail = detail.clone();
    if let Some(fields) = detail.as_object_mut() {
        fields.remove("copy");
    }
    detail
}

/// The Explorer path of a saved trace on the catalog model it names, under the exact
/// assumption set it records (storing every quantity when `no_lean`, as `explore
/// --no-lean` serves it); `None` when the trace does not run on the model.
pub(crate) fn trace_path(
    registry: &crate::registry::Registry,
    path: &str,
    trace: &crate::trace::TraceFile,
    no_lean: bool,
) -> Result<Option<Vec<usize>>, crate::trace::TraceError> {
    use crate::trace::TraceError;
    let request_error = |source: crate::request::RequestError| TraceError::Request {
        path: path.to_string(),
        source,
    };
    let model = registry.find(&trace.model).map_err(request_error)?;
    let params = crate::request::resolve_params(model.name(), model.parameters(), &trace.params)
        .map_err(request_error)?;
    let assumptions = match &trace.assumptions {
        Some(report) => Some(crate::trace::assumption_set(path, report)?),
        None => None,
    };
    model
        .explorer_path(&params, assumptions.as_ref(), trace, no_lean)
        .map_err(request_error)
}

/// Where `synccheck explore` listens, and Explorer links point, unless told otherwise.
pub const DEFAULT_ADDRESS: &str = "localhost:3000";

/// The `synccheck explore` arguments that serve the model of `trace` with its exact
/// parameters and assumption set.
pub(crate) fn explore_arguments(trace: &crate::trace::TraceFile) -> Vec<String> {
    let mut arguments = vec![trace.model.clone()];
    for (key, value) in &trace.params {
        arguments.push("--set".to_string());
        arguments.push(format!("{key}={value}"));
    }
    if let Some(assumptions) = &trace.assumptions {
        arguments.push("--relax-all".to_string());
        for spec in assumptions.held_specs() {
            arguments.push("--hold".to_string());
            arguments.push(spec);
        }
    }
    arguments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_lists_the_indices() {
        assert_eq!(
            link("localhost:3000", &[0, 3, 1]),
            "http://localhost:3000/#/steps/0/3/1"
        );
    }

    #[test]
    fn svg_text_is_escaped_and_sized() {
        let out = svg(&[Line {
            text: "a<b & \"c\"".to_string(),
            colour: SVG_TEXT,
        }]);
        assert!(out.contains(">a&lt;b &amp; &quot;c&quot;</text>"), "{out}");
        assert!(out.contains("width=\"88\" height=\"26\""), "{out}");
    }
}
