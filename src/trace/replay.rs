//! Re-executes a saved trace against the model and confirms every state and the
//! violation.
//!
//! Nothing recorded is taken on trust: each step's structured action must be enabled
//! and lead to the recorded state; then the run is explained again, exactly as `check`
//! explains it, and every other recorded field (action texts, `time_ticks`, clock
//! offsets, assumption-break annotations and the break list, notes, the node names,
//! `length` and `loop_start`) must equal the explanation. Break sentences a trace saved
//! before their wording changed (`1 ticks`, now `1 tick`) are read in today's words
//! first (`LEGACY_WORDS`). A difference is named by its
//! JSON pointer into the file (`/trace/steps/3/time_ticks`). For a lasso, the loop must
//! close, keep the property false, let time advance (take the progress class: a Tick),
//! and be fair by itself.

use super::TraceFile;
use crate::check::{Path, DEADLOCK_PROPERTY};
use crate::liveness::{loop_unfairness, Fairness};
use crate::report::{Explain, FewestBreaks};
use stateright::{Expectation, Model};

/// What a replay found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayOutcome {
    /// Every step re-executed to the recorded state, and the property is violated at
    /// the end.
    Reproduced {
        /// Steps replayed.
        steps: usize,
    },
    /// The run diverged from the file, or the violation did not show.
    Diverged {
        /// The 1-based step (0: the initial state; steps + 1: the final check).
        step: usize,
        /// What differed, in one sentence.
        reason: String,
    },
}

impl ReplayOutcome {
    /// Where a divergence is, in words, for a trace of `steps` steps: `the initial
    /// state`, `step N`, or `the end (after step N)` for the final check and for claims
    /// about the whole run.
    pub fn place(step: usize, steps: usize) -> String {
        match step {
            0 => "the initial state".to_string(),
            step if step <= steps => format!("step {step}"),
            _ if steps == 0 => "the end (no steps)".to_string(),
            _ => format!("the end (after step {steps})"),
        }
    }
}

/// The first place two JSON values differ, as a JSON pointer with both values.
pub(crate) fn first_difference(
    expected: &serde_json::Value,
    found: &serde_json::Value,
    pointer: &mut String,
) -> Option<String> {
    use serde_json::Value;
    match (expected, found) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let length = pointer.len();
                pointer.push('/');
                pointer.push_str(key);
                let difference = match b.get(key) {
                    Some(other) => first_difference(value, other, pointer),
                    None => Some(format!(
                        "{pointer}: recorded {value}, missing in the replay"
                    )),
                };
                if difference.is_some() {
                    return difference;
                }
                pointer.truncate(length);
            }
            b.keys()
                .find(|key| !a.contains_key(*key))
                .map(|key| format!("{pointer}/{key}: not recorded, present in the replay"))
        }
        (Value::Array(a), Value::Array(b)) => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                if let Some(difference) = first_difference(x, y, pointer) {
                    return Some(difference);
                }
                pointer.truncate(length);
            }
            (a.len() != b.len()).then(|| {
                format!(
                    "{pointer}: recorded {} items, replay has {}",
                    a.len(),
                    b.len()
                )
            })
        }
        _ => (expected != found).then(|| {
            format!(
                "{}: recorded {expected}, replay has {found}",
                if pointer.is_empty() { "/" } else { pointer }
            )
        }),
    }
}

/// Replays `trace` on `model`, its claims re-checked on one thread.
pub fn replay<M>(model: &M, trace: &TraceFile) -> ReplayOutcome
where
    M: Model + Explain + Fairness,
    M::State: Clone,
    M::Action: Clone,
{
    replay_with(model, trace, &crate::check::CheckOptions::default())
}

/// Replays `trace` on `model`, the searches that re-check its claims (which breaks
/// are needed, whether it breaks the fewest) run with `options.threads`, side by side
/// as `check` runs them; the outcome is the same for any count. Only the thread count
/// is taken from `options`: a replay re-checks every claim to the end, since a claim
/// its own limit left unsettled would read as a divergence.
pub fn replay_with<M>(
    model: &M,
    trace: &TraceFile,
    options: &crate::check::CheckOptions,
) -> ReplayOutcome
where
    M: Model + Explain + Fairness,
    M::State: Clone,
    M::Action: Clone,
{
    let options = &crate::check::CheckOptions {
        threads: options.threads,
        ..crate::check::CheckOptions::default()
    };
    // A model that stores less than its traces show is replayed on the one that
    // explained them (the same runs, every quantity stored).
    let explaining = model.explaining();
    let model = explaining.as_ref().unwrap_or(model);
    // The claims about the property come first: the explanation compared below
    // depends on its kind (breaks are confirmed for safety counterexamples only).
    let steps = trace.trace.steps.len();
    let properties = model.properties();
    let expectation = if trace.property == DEADLOCK_PROPERTY {
        Expectation::Always
    } else {
        match properties.iter().find(|p| p.name == trace.property) {
            Some(property) => property.expectation.clone(),
            None => {
                return ReplayOutcome::Diverged {
                    step: steps + 1,
                    reason: format!("/property: the model has no property `{}`", trace.property),
                }
            }
        }
    };
    let kind = crate::report::kind_of(&expectation);
    if kind != trace.property_kind {
        return ReplayOutcome::Diverged {
            step: steps + 1,
            reason: format!(
                "/property_kind: recorded {}, but `{}` is {}",
                trace.property_kind.name(),
                trace.property,
                kind.name()
            ),
        };
    }
    let path = match rerun(model, trace) {
        Ok(path) => path,
        Err(diverged) => return diverged,
    };
    if let Some(diverged) = compare_explanation(model, trace, &path, options) {
        return diverged;
    }
    if trace.property == DEADLOCK_PROPERTY {
        let mut actions = Vec::new();
        model.actions(path.last_state(), &mut actions);
        return if actions.is_empty() {
            ReplayOutcome::Reproduced { steps }
        } else {
            ReplayOutcome::Diverged {
                step: steps + 1,
                reason: "the last state can still move: it is no deadlock".to_string(),
            }
        };
    }
    let property = properties
        .into_iter()
        .find(|p| p.name == trace.property)
        .expect("found above");
    if expectation == Expectation::Eventually {
        return replay_lasso(model, trace, &path, property.condition);
    }
    let holds = (property.condition)(model, path.last_state());
    let shows = match expectation {
        Expectation::Always => !holds,
        _ => holds,
    };
    if shows {
        ReplayOutcome::Reproduced { steps }
    } else {
        // A `sometimes` trace is an example: it shows the property true at the end.
        let missing = match expectation {
            Expectation::Always => "violate",
            _ => "satisfy",
        };
        ReplayOutcome::Diverged {
            step: steps + 1,
            reason: format!("the last state does not {missing} `{}`", trace.property),
        }
    }
}

/// Re-executes the recorded actions from the recorded initial state, comparing each
/// state; the path taken.
fn rerun<M>(model: &M, trace: &TraceFile) -> Result<Path<M>, ReplayOutcome>
where
    M: Model + Explain,
    M::State: Clone,
    M::Action: Clone,
{
    let recorded = &trace.trace;
    let Some(initial) = model
        .init_states()
        .into_iter()
        .find(|s| model.explain_state(s) == recorded.initial_state)
    else {
        return Err(ReplayOutcome::Diverged {
            step: 0,
            reason: "no initial state of the model matches the recorded one".to_string(),
        });
    };
    let mut path: Path<M> = Path {
        states: vec![initial],
        actions: Vec::new(),
    };
    for step in &recorded.steps {
        let state = path.last_state().clone();
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let explained: Vec<(String, serde_json::Value)> =
            actions.iter().map(|a| model.explain_action(a)).collect();
        let at = step.index - 1;
        let Some(found) = explained
            .iter()
            .position(|(_, detail)| *detail == step.action_detail)
        else {
            // The action is matched by its structured detail; its text is only shown.
            let reason = if explained.iter().any(|(text, _)| *text == step.action) {
                format!(
                    "/trace/steps/{at}/action_detail: no enabled action has it (`{}` is enabled, with another detail)",
                    step.action
                )
            } else {
                format!("`{}` is not enabled here", step.action)
            };
            return Err(ReplayOutcome::Diverged {
                step: step.index,
                reason,
            });
        };
        if explained[found].0 != step.action {
            return Err(ReplayOutcome::Diverged {
                step: step.index,
                reason: format!(
                    "/trace/steps/{at}/action: recorded `{}`, but the action its action_detail names is `{}`",
                    step.action, explained[found].0
                ),
            });
        }
        let action = actions.swap_remove(found);
        let next = model
            .next_state(&state, action.clone())
            .unwrap_or_else(|| state.clone());
        let found = model.explain_state(&next);
        let mut pointer = format!("/trace/steps/{}/state", step.index - 1);
        if let Some(difference) = first_difference(&step.state, &found, &mut pointer) {
            return Err(ReplayOutcome::Diverged {
                step: step.index,
                reason: format!("after `{}` the state differs at {difference}", step.action),
            });
        }
        path.actions.push(action);
        path.states.push(next);
    }
    Ok(path)
}

/// Explains `path` again, as `check` does, and compares every recorded field with it.
fn compare_explanation<M>(
    model: &M,
    trace: &TraceFile,
    path: &Path<M>,
    options: &crate::check::CheckOptions,
) -> Option<ReplayOutcome>
where
    M: Model + Explain,
{
    let steps = trace.trace.steps.len();
    let names = serde_json::to_value(model.node_names()).unwrap_or_default();
    let recorded_names = serde_json::to_value(&trace.nodes).unwrap_or_default();
    let mut pointer = "/nodes".to_string();
    if let Some(difference) = first_difference(&recorded_names, &names, &mut pointer) {
        return Some(ReplayOutcome::Diverged {
            step: 0,
            reason: format!("the node names differ at {difference}"),
        });
    }
    if trace.loop_start != trace.trace.loop_start {
        return Some(ReplayOutcome::Diverged {
            step: steps + 1,
            reason: format!(
                "/trace/loop_start: recorded {}, but /loop_start is {}",
                serde_json::json!(trace.trace.loop_start),
                serde_json::json!(trace.loop_start)
            ),
        });
    }
    let mut again = model.explain_path(path);
    again.loop_start = trace.loop_start;
    if trace.property_kind != crate::system::PropertyKind::Eventually {
        model.confirm_breaks(&mut again, &trace.property, options);
    }
    // A claim of the fewest breaks is searched again; "unconfirmed" (a limit) claims
    // nothing, and neither does a replay's own limit.
    again.fewest_breaks = match trace.trace.fewest_breaks {
        Some(FewestBreaks::Fewest) => match model.fewest_breaks(&again, &trace.property, options) {
            Some(FewestBreaks::FewerExist) => Some(FewestBreaks::FewerExist),
            _ => Some(FewestBreaks::Fewest),
        },
        recorded => recorded,
    };
    // "Unconfirmed" claims nothing (a limit stopped the check's confirmation): the
    // replay's own answer is not held against it.
    for (recorded, confirmed) in trace.trace.breaks.iter().zip(&mut again.breaks) {
        if recorded.necessity == Some(crate::report::Necessity::Unconfirmed) {
            confirmed.necessity = recorded.necessity;
        }
    }
    let mut recorded = serde_json::to_value(&trace.trace).unwrap_or_default();
    in_todays_words(&mut recorded);
    let explained = serde_json::to_value(&again).unwrap_or_default();
    let mut pointer = "/trace".to_string();
    let difference = first_difference(&recorded, &explained, &mut pointer)?;
    // `/trace/steps/N/...` is step N + 1; anything else is about the whole run.
    let step = difference
        .strip_prefix("/trace/steps/")
        .and_then(|rest| rest.split(['/', ':']).next())
        .and_then(|n| n.parse::<usize>().ok())
        .map_or(steps + 1, |n| n + 1);
    Some(ReplayOutcome::Diverged {
        step,
        reason: format!("the recorded explanation differs from the model's at {difference}"),
    })
}

/// The break sentences whose words changed, as older traces recorded them and as
/// synccheck writes them now (`1 tick`, where it wrote `1 ticks` before 2026-12-07).
const LEGACY_WORDS: [(&str, &str); 4] = [
    (" is 1 ticks old", " is 1 tick old"),
    (
        " drifts to +1 ticks from true time",
        " drifts to +1 tick from true time",
    ),
    (
        " drifts to -1 ticks from true time",
        " drifts to -1 tick from true time",
    ),
    (" has been paused 1 ticks", " has been paused 1 tick"),
];

/// Rewrites a recorded explanation's break sentences (the break list's and the steps'
/// annotations, each ending `… broken here`) in today's words, so a trace saved before
/// a sentence's wording changed still replays: the comparison is of what happened, and
/// an old trace's sentences say the same. Nothing else is rewritten: states, actions
/// and notes are the model's own text.
fn in_todays_words(trace: &mut serde_json::Value) {
    let rewrite = |text: &mut serde_json::Value| {
        let Some(sentence) = text.as_str().filter(|s| s.ends_with(" broken here")) else {
            return;
        };
        let mut sentence = sentence.to_string();
        for (old, new) in LEGACY_WORDS {
            if sentence.contains(old) {
                sentence = sentence.replace(old, new);
            }
        }
        *text = serde_json::Value::String(sentence);
    };
    if let Some(breaks) = trace.get_mut("breaks").and_then(|b| b.as_array_mut()) {
        for broken in breaks {
            if let Some(sentence) = broken.get_mut("sentence") {
                rewrite(sentence);
            }
        }
    }
    if let Some(steps) = trace.get_mut("steps").and_then(|s| s.as_array_mut()) {
        for step in steps {
            let annotations = step.get_mut("annotations").and_then(|a| a.as_array_mut());
            annotations.into_iter().flatten().for_each(rewrite);
        }
    }
}

/// A lasso reproduces when the property is false in every state and the loop closes
/// (or, without a loop, the last state has no enabled action); a loop must also let
/// time advance and be fair by itself.
fn replay_lasso<M>(
    model: &M,
    trace: &TraceFile,
    path: &Path<M>,
    condition: fn(&M, &M::State) -> bool,
) -> ReplayOutcome
where
    M: Model + Explain + Fairness,
{
    let steps = trace.trace.steps.len();
    if let Some(position) = path.states.iter().position(|s| condition(model, s)) {
        return ReplayOutcome::Diverged {
            step: position,
            reason: format!(
                "`{}` is true here, so this run does satisfy it",
                trace.property
            ),
        };
    }
    let Some(start) = trace.loop_start else {
        let mut actions = Vec::new();
        model.actions(path.last_state(), &mut actions);
        return if actions.is_empty() {
            ReplayOutcome::Reproduced { steps }
        } else {
            ReplayOutcome::Diverged {
                step: steps + 1,
                reason: "the run ends in a state that can still move".to_string(),
            }
        };
    };
    let explained = |s: &M::State| model.explain_state(s);
    if explained(&path.states[start - 1]) != explained(path.last_state()) {
        return ReplayOutcome::Diverged {
            step: steps + 1,
            reason: format!("the loop does not return to the state before step {start}"),
        };
    }
    match loop_unfairness(model, &path.states[start - 1..], &path.actions[start - 1..]) {
        Some(reason) => ReplayOutcome::Diverged {
            step: steps + 1,
            reason: format!("the loop of steps {start}–{steps} is no behaviour: {reason}"),
        },
        None => ReplayOutcome::Reproduced { steps },
    }
}

#[cfg(test)]
mod tests {
    use super::{in_todays_words, LEGACY_WORDS};
    use serde_json::json;

    /// Each old phrasing, in a break sentence and an annotation, reads in today's words;
    /// another count, and the same words outside a break sentence, are left as they are.
    #[test]
    fn old_break_sentences_read_in_todays_words_and_nothing_else_changes() {
        for (old, new) in LEGACY_WORDS {
            let sentence = |words: &str| format!("t=1: X{words}: some_assumption(1) broken here");
            let mut trace = json!({
                "breaks": [{"step": 2, "sentence": sentence(old)}],
                "steps": [{"annotations": [sentence(old)], "action": format!("say{old}"),
                           "notes": [format!("note{old}")]}],
            });
            in_todays_words(&mut trace);
            assert_eq!(
                trace["breaks"][0]["sentence"],
                json!(sentence(new)),
                "{old}"
            );
            assert_eq!(
                trace["steps"][0]["annotations"][0],
                json!(sentence(new)),
                "{old}"
            );
            assert_eq!(
                trace["steps"][0]["action"],
                json!(format!("say{old}")),
                "{old}"
            );
            assert_eq!(
                trace["steps"][0]["notes"][0],
                json!(format!("note{old}")),
                "{old}"
            );
            let other = old
                .replace(" 1 ", " 21 ")
                .replace("+1 ", "+21 ")
                .replace("-1 ", "-21 ");
            let mut trace = json!({"breaks": [{"sentence": sentence(&other)}]});
            in_todays_words(&mut trace);
            assert_eq!(
                trace["breaks"][0]["sentence"],
                json!(sentence(&other)),
                "{other}"
            );
        }
    }
}
