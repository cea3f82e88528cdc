//! Re-executes a saved trace against the model and confirms every state and the
//! violation.

use super::TraceFile;
use crate::report::Explain;
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

/// Replays `trace` on `model`.
pub fn replay<M>(model: &M, trace: &TraceFile) -> ReplayOutcome
where
    M: Model + Explain,
    M::State: Clone,
    M::Action: Clone,
{
    let recorded = &trace.trace;
    let Some(mut state) = model
        .init_states()
        .into_iter()
        .find(|s| model.explain_state(s) == recorded.initial_state)
    else {
        return ReplayOutcome::Diverged {
            step: 0,
            reason: "no initial state of the model matches the recorded one".to_string(),
        };
    };
    let mut seen = vec![model.explain_state(&state)];
    let mut ever_true = Vec::new();
    let liveness = model
        .properties()
        .into_iter()
        .find(|p| p.name == trace.property && p.expectation == Expectation::Eventually);
    if let Some(property) = &liveness {
        ever_true.push((property.condition)(model, &state));
    }
    for step in &recorded.steps {
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let Some(action) = actions
            .into_iter()
            .find(|a| model.explain_action(a).1 == step.action_detail)
        else {
            return ReplayOutcome::Diverged {
                step: step.index,
                reason: format!("`{}` is not enabled here", step.action),
            };
        };
        let next = model
            .next_state(&state, action)
            .unwrap_or_else(|| state.clone());
        let found = model.explain_state(&next);
        if let Some(difference) = first_difference(&step.state, &found, &mut String::new()) {
            return ReplayOutcome::Diverged {
                step: step.index,
                reason: format!("after `{}` the state differs at {difference}", step.action),
            };
        }
        state = next;
        seen.push(found);
        if let Some(property) = &liveness {
            ever_true.push((property.condition)(model, &state));
        }
    }
    if liveness.is_some() {
        return replay_lasso(model, trace, &state, &seen, &ever_true);
    }
    let Some(property) = model
        .properties()
        .into_iter()
        .find(|p| p.name == trace.property)
    else {
        return ReplayOutcome::Diverged {
            step: recorded.steps.len() + 1,
            reason: format!("the model has no property `{}`", trace.property),
        };
    };
    let holds = (property.condition)(model, &state);
    let shows = match property.expectation {
        Expectation::Always => !holds,
        Expectation::Sometimes => holds,
        // A lasso's violation is the loop itself, checked by the liveness checker.
        Expectation::Eventually => trace.loop_start.is_some(),
    };
    if shows {
        ReplayOutcome::Reproduced {
            steps: recorded.steps.len(),
        }
    } else {
        ReplayOutcome::Diverged {
            step: recorded.steps.len() + 1,
            reason: format!("the last state does not violate `{}`", trace.property),
        }
    }
}

/// A lasso reproduces when the property is false in every state and the loop closes
/// (or, without a loop, the last state has no enabled action).
fn replay_lasso<M>(
    model: &M,
    trace: &TraceFile,
    last: &M::State,
    seen: &[serde_json::Value],
    ever_true: &[bool],
) -> ReplayOutcome
where
    M: Model + Explain,
{
    let steps = trace.trace.steps.len();
    if let Some(position) = ever_true.iter().position(|t| *t) {
        return ReplayOutcome::Diverged {
            step: position,
            reason: format!(
                "`{}` is true here, so this run does satisfy it",
                trace.property
            ),
        };
    }
    let closes = match trace.loop_start {
        Some(start) => seen.get(start - 1) == seen.last(),
        None => {
            let mut actions = Vec::new();
            model.actions(last, &mut actions);
            actions.is_empty()
        }
    };
    if closes {
        ReplayOutcome::Reproduced { steps }
    } else {
        ReplayOutcome::Diverged {
            step: steps + 1,
            reason: match trace.loop_start {
                Some(start) => format!("the loop does not return to the state before step {start}"),
                None => "the run ends in a state that can still move".to_string(),
            },
        }
    }
}
