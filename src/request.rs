//! A check request as the command line and plans state it: model name, parameter
//! values, assumption changes; and the errors a request can have (exit code 2).

use crate::model::{Param, Params};
use crate::system::{AssumptionError, AssumptionSet};
use std::collections::BTreeMap;

/// An error in a check request: exit code 2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// No such model.
    #[error("unknown model `{name}`{}; valid models: {valid}", crate::suggest::did_you_mean(.name, .valid))]
    UnknownModel {
        /// What was given.
        name: String,
        /// The catalog's models.
        valid: String,
    },
    /// No such parameter.
    #[error("model `{model}` has no parameter `{name}`{}; valid parameters: {valid}", crate::suggest::did_you_mean(.name, .valid))]
    UnknownParameter {
        /// The model.
        model: String,
        /// What was given.
        name: String,
        /// The model's parameters.
        valid: String,
    },
    /// A value out of range or not a choice.
    #[error("invalid value `{value}` for parameter `{name}` of `{model}`: expected {expected}")]
    InvalidValue {
        /// The model.
        model: String,
        /// The parameter.
        name: String,
        /// What was given.
        value: String,
        /// What is valid.
        expected: String,
    },
    /// Two registered models share a name.
    #[error(
        "two models are registered as `{0}`: a plan or trace could not say which one it means"
    )]
    DuplicateModel(String),
    /// A malformed `--set`.
    #[error("malformed `--set {0}`: write KEY=VALUE")]
    MalformedSet(String),
    /// The same parameter set twice.
    #[error("`--set {name}` is given twice (`{first}`, then `{second}`): give it once")]
    DuplicateSet {
        /// The parameter.
        name: String,
        /// The first value.
        first: String,
        /// The second value.
        second: String,
    },
    /// A bad assumption.
    #[error(transparent)]
    Assumption(#[from] AssumptionError),
    /// Assumptions given for an untimed model.
    #[error("model `{0}` is untimed (a plain stateright model): it has no timing assumptions to hold, relax or search")]
    Untimed(String),
    /// A command-line option's value is unusable, whatever the model (`--up-to 0`,
    /// `--assumption durable_writes`, `--address` that does not bind): the option, its
    /// value and why.
    #[error("{0}")]
    Option(String),
    /// The model could not be built.
    #[error("model `{model}`: {reason}")]
    Build {
        /// The model.
        model: String,
        /// Why.
        reason: String,
    },
}

/// How a request changes the model's default assumption set, applied in this order:
/// `relax_all`, then each `hold`, then each `relax`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssumptionChanges {
    /// Relax everything first.
    pub relax_all: bool,
    /// `NAME` or `NAME=N`.
    pub hold: Vec<String>,
    /// `NAME`.
    pub relax: Vec<String>,
}

impl AssumptionChanges {
    /// Whether nothing is changed.
    pub fn is_empty(&self) -> bool {
        !self.relax_all && self.hold.is_empty() && self.relax.is_empty()
    }

    /// Applies the changes to `base`.
    /// Contradictory changes (`hold X` and `relax X`, or two bounds) are an error.
    pub fn apply(&self, base: &AssumptionSet) -> Result<AssumptionSet, AssumptionError> {
        if let Some(conflict) = crate::system::find_conflict(&self.hold, &self.relax) {
            return Err(conflict);
        }
        let mut set = if self.relax_all {
            AssumptionSet::all_relaxed()
        } else {
            base.clone()
        };
        for spec in &self.hold {
            set.hold_spec(spec)?;
        }
        for name in &self.relax {
            set.relax_spec(name)?;
        }
        Ok(set)
    }
}

/// Validates `given` against `specs` and fills in defaults.
pub fn resolve_params(
    model: &str,
    specs: &[Param],
    given: &BTreeMap<String, String>,
) -> Result<Params, RequestError> {
    for (name, value) in given {
        let spec = specs.iter().find(|s| s.name == name).ok_or_else(|| {
            RequestError::UnknownParameter {
                model: model.to_string(),
                name: name.clone(),
                valid: if specs.is_empty() {
                    "(none)".to_string()
                } else {
                    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                },
            }
        })?;
        if !spec.validate(value) {
            return Err(RequestError::InvalidValue {
                model: model.to_string(),
                name: name.clone(),
                value: value.clone(),
                expected: spec.valid_values(),
            });
        }
    }
    let values = specs
        .iter()
        .map(|spec| {
            let value = given
                .get(spec.name)
                .cloned()
                .unwrap_or_else(|| spec.default.to_string());
            (spec.name.to_string(), value)
        })
        .collect();
    Ok(Params::from_values(values))
}

/// Parses `KEY=VALUE` flags; a key given twice is an error, not a silent override.
pub fn parse_sets(sets: &[String]) -> Result<BTreeMap<String, String>, RequestError> {
    let mut values = BTreeMap::new();
    for set in sets {
        let (key, value) = set
            .split_once('=')
            .filter(|(key, _)| !key.trim().is_empty())
            .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
            .ok_or_else(|| RequestError::MalformedSet(set.clone()))?;
        if let Some(first) = values.get(&key) {
            return Err(RequestError::DuplicateSet {
                name: key,
                first: String::clone(first),
                second: value,
            });
        }
        values.insert(key, value);
    }
    Ok(values)
}

/// One check: model name, parameters, assumption changes.
#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    /// Model name.
    pub model: String,
    /// `--set` values.
    pub params: BTreeMap<String, String>,
    /// Assumption changes.
    pub changes: AssumptionChanges,
}
