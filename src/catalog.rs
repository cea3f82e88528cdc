//! The model registry: every model the binary can list and check, with its parameters,
//! and the single entry point that turns a check request into a report.

use crate::check::{self, CheckOptions};
use crate::report::{self, CheckReport, Explain};
use crate::system::{
    Assumption, AssumptionError, AssumptionSet, LeansOn, PropertyKind, Protocol, SystemError,
    TimedSystem,
};
use crate::trace::{self, ReplayOutcome, TraceFile};
use serde::Serialize;
use std::collections::BTreeMap;

/// A model family of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Replication protocols.
    Replication,
    /// Retry protocols.
    Retry,
    /// Recovery-coordination protocols.
    Recovery,
}

impl Family {
    /// The public name.
    pub const fn name(self) -> &'static str {
        match self {
            Family::Replication => "replication",
            Family::Retry => "retry",
            Family::Recovery => "recovery",
        }
    }
}

/// What values a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// An integer in `min..=max`.
    Integer {
        /// Smallest value.
        min: u32,
        /// Largest value.
        max: u32,
    },
    /// One of the listed words.
    Choice(&'static [&'static str]),
}

/// One parameter of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    /// Its name (`--set NAME=VALUE`).
    pub name: &'static str,
    /// One phrase.
    pub help: &'static str,
    /// The default value.
    pub default: &'static str,
    /// What values it takes.
    pub kind: ParamKind,
}

impl ParamSpec {
    /// The values it takes, in words, for errors and `list`.
    pub fn valid_values(&self) -> String {
        match self.kind {
            ParamKind::Integer { min, max } => format!("an integer from {min} to {max}"),
            ParamKind::Choice(words) => format!("one of {}", words.join(", ")),
        }
    }

    fn validate(&self, value: &str) -> bool {
        match self.kind {
            ParamKind::Integer { min, max } => value
                .parse::<u32>()
                .is_ok_and(|number| (min..=max).contains(&number)),
            ParamKind::Choice(words) => words.contains(&value),
        }
    }
}

/// Validated parameter values (every parameter present).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// An integer parameter.
    pub fn integer(&self, name: &str) -> Result<u32, String> {
        let text = self.text(name)?;
        text.parse()
            .map_err(|_| format!("parameter `{name}`: `{text}` is not an integer"))
    }

    /// A choice parameter.
    pub fn choice(&self, name: &str) -> Result<&str, String> {
        self.text(name)
    }

    fn text(&self, name: &str) -> Result<&str, String> {
        self.values
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("parameter `{name}` is not declared by this model"))
    }

    /// All values.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}

/// An error in a check request: exit code 2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// No such model.
    #[error("unknown model `{name}`; valid models: {valid}")]
    UnknownModel {
        /// What was given.
        name: String,
        /// The catalog's models.
        valid: String,
    },
    /// No such parameter.
    #[error("model `{model}` has no parameter `{name}`; valid parameters: {valid}")]
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
    /// A malformed `--set`.
    #[error("malformed `--set {0}`: write KEY=VALUE")]
    MalformedSet(String),
    /// A bad assumption.
    #[error(transparent)]
    Assumption(#[from] AssumptionError),
    /// Assumptions given for an untimed model.
    #[error("model `{0}` is untimed (a plain stateright model): it takes no --hold/--relax")]
    Untimed(String),
    /// The model could not be built.
    #[error("model `{model}`: {reason}")]
    Build {
        /// The model.
        model: String,
        /// Why.
        reason: String,
    },
}

impl From<SystemError> for RequestError {
    fn from(error: SystemError) -> Self {
        RequestError::Build {
            model: String::new(),
            reason: error.to_string(),
        }
    }
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
    pub fn apply(&self, base: &AssumptionSet) -> Result<AssumptionSet, AssumptionError> {
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

/// A property as `list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyInfo {
    /// Public ID.
    pub name: &'static str,
    /// always / sometimes / eventually.
    pub kind: PropertyKind,
}

/// What `list` shows of a model at given parameters.
#[derive(Clone, Debug, Serialize)]
pub struct ModelDescription {
    /// Public name.
    pub name: &'static str,
    /// Family.
    pub family: Family,
    /// One line.
    pub summary: &'static str,
    /// Parameters.
    pub parameters: Vec<ParamSpec>,
    /// Whether the model runs on the timed system (takes assumptions).
    pub timed: bool,
    /// Assumptions the design leans on, with the bound held by default.
    pub leans_on: Vec<(String, String)>,
    /// The same assumptions, as IDs (for ablation).
    pub leans_on_ids: Vec<Assumption>,
    /// Properties.
    pub properties: Vec<PropertyInfo>,
}

/// A model the binary can run.
pub trait CatalogModel: Send + Sync {
    /// Public name.
    fn name(&self) -> &'static str;
    /// Parameters.
    fn parameters(&self) -> Vec<ParamSpec>;
    /// Describes the model at its default parameters.
    fn describe(&self) -> Result<ModelDescription, RequestError>;
    /// Runs one check.
    fn check(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError>;
    /// Replays a saved trace under the exact assumption set it records.
    fn replay(
        &self,
        params: &Params,
        assumptions: Option<&AssumptionSet>,
        trace: &TraceFile,
    ) -> Result<ReplayOutcome, RequestError>;
    /// Exports the reachable state graph (up to `max_states`).
    fn graph(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        max_states: usize,
    ) -> Result<crate::graph::StateGraph, RequestError>;
    /// Serves stateright's Explorer web UI for the model (blocks).
    fn explore(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        address: &str,
    ) -> Result<(), RequestError>;
}

/// A timed protocol that can be built from parameters.
pub trait CatalogProtocol: Protocol {
    /// Public name.
    const NAME: &'static str;
    /// Family.
    const FAMILY: Family;
    /// One line.
    const SUMMARY: &'static str;
    /// Parameters.
    fn parameters() -> Vec<ParamSpec>;
    /// Builds the protocol from validated parameters.
    fn from_params(params: &Params) -> Result<Self, String>;
}

/// A plain `stateright::Model` that can be built from parameters.
pub trait CatalogPlain:
    stateright::Model + Explain + crate::liveness::Fairness + Sized + Send + Sync + 'static
where
    Self::State: std::hash::Hash + Clone + std::fmt::Debug + Eq + Send + Sync,
    Self::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    /// Public name.
    const NAME: &'static str;
    /// Family.
    const FAMILY: Family;
    /// One line.
    const SUMMARY: &'static str;
    /// Parameters.
    fn parameters() -> Vec<ParamSpec>;
    /// Builds the model from validated parameters.
    fn from_params(params: &Params) -> Result<Self, String>;
    /// The symmetry canonicalization `check` runs under (see
    /// [`check::run_symmetric`]), if this model instance asks for one; `None` (the
    /// default) checks the full space. `replay`, `graph`, `explore` and liveness see
    /// the full space either way.
    fn canonicalizer(&self) -> Option<check::Canonicalize<Self>> {
        None
    }
}

struct TimedEntry<P>(std::marker::PhantomData<fn() -> P>);
struct PlainEntry<M>(std::marker::PhantomData<fn() -> M>);

/// The assumption set a protocol is checked under by default, after `changes`.
pub fn assumptions_for<P: Protocol>(
    protocol: &P,
    changes: &AssumptionChanges,
) -> Result<AssumptionSet, AssumptionError> {
    changes.apply(&protocol.default_assumptions())
}

fn leans_on_rows(leans_on: &[LeansOn], defaults: &AssumptionSet) -> Vec<(String, String)> {
    leans_on
        .iter()
        .map(|l| {
            let shown = match defaults.held_bound(l.assumption) {
                Some(bound) => l.assumption.with_bound(bound),
                None => format!("{} (relaxed by default)", l.assumption.name()),
            };
            (shown, l.because.to_string())
        })
        .collect()
}

fn build_error(model: &str) -> impl Fn(String) -> RequestError + '_ {
    move |reason| RequestError::Build {
        model: model.to_string(),
        reason,
    }
}

impl<P: CatalogProtocol> CatalogModel for TimedEntry<P> {
    fn name(&self) -> &'static str {
        P::NAME
    }

    fn parameters(&self) -> Vec<ParamSpec> {
        P::parameters()
    }

    fn describe(&self) -> Result<ModelDescription, RequestError> {
        let params = resolve_params(P::NAME, &P::parameters(), &BTreeMap::new())?;
        let protocol = P::from_params(&params).map_err(build_error(P::NAME))?;
        Ok(ModelDescription {
            name: P::NAME,
            family: P::FAMILY,
            summary: P::SUMMARY,
            parameters: P::parameters(),
            timed: true,
            leans_on: leans_on_rows(&protocol.leans_on(), &protocol.default_assumptions()),
            leans_on_ids: protocol.leans_on().iter().map(|l| l.assumption).collect(),
            properties: protocol
                .properties()
                .iter()
                .map(|p| PropertyInfo {
                    name: p.name,
                    kind: p.kind,
                })
                .collect(),
        })
    }

    fn check(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError> {
        let protocol = P::from_params(params).map_err(build_error(P::NAME))?;
        let assumptions = assumptions_for(&protocol, changes)?;
        let system = TimedSystem::new(protocol, assumptions)
            .map_err(|e| build_error(P::NAME)(e.to_string()))?;
        let mut outcome = check::run(&system, options);
        crate::liveness::decide_eventually(&system, &mut outcome, options.max_states);
        let metrics = metric_maxima(&system, options.max_states);
        let mut report = report::build(
            P::NAME,
            params,
            Some(system.assumptions()),
            options,
            &system,
            &outcome,
        );
        report.metrics = metrics;
        Ok(report)
    }

    fn replay(
        &self,
        params: &Params,
        assumptions: Option<&AssumptionSet>,
        trace: &TraceFile,
    ) -> Result<ReplayOutcome, RequestError> {
        let protocol = P::from_params(params).map_err(build_error(P::NAME))?;
        let assumptions = assumptions.cloned().ok_or_else(|| {
            build_error(P::NAME)(
                "the trace records no assumption set, but the model is timed".to_string(),
            )
        })?;
        let system = TimedSystem::new(protocol, assumptions)
            .map_err(|e| build_error(P::NAME)(e.to_string()))?;
        Ok(trace::replay(&system, trace))
    }

    fn explore(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        address: &str,
    ) -> Result<(), RequestError> {
        let protocol = P::from_params(params).map_err(build_error(P::NAME))?;
        let assumptions = assumptions_for(&protocol, changes)?;
        let system = TimedSystem::new(protocol, assumptions)
            .map_err(|e| build_error(P::NAME)(e.to_string()))?;
        serve(system, address)
    }

    fn graph(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        max_states: usize,
    ) -> Result<crate::graph::StateGraph, RequestError> {
        let protocol = P::from_params(params).map_err(build_error(P::NAME))?;
        let assumptions = assumptions_for(&protocol, changes)?;
        let system = TimedSystem::new(protocol, assumptions)
            .map_err(|e| build_error(P::NAME)(e.to_string()))?;
        Ok(crate::graph::export(&system, max_states))
    }
}

/// The maximum of each `Protocol::metrics` figure over the reachable states (a second
/// pass, only for protocols that define metrics).
fn metric_maxima<P: Protocol>(
    system: &TimedSystem<P>,
    max_states: Option<usize>,
) -> BTreeMap<String, u64> {
    let initial = system.initial_state();
    if system.protocol().metrics(&initial).is_empty() {
        return BTreeMap::new();
    }
    let graph_limit = max_states.unwrap_or(crate::liveness::LIVENESS_STATES_DEFAULT);
    let mut maxima = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut queue = std::collections::VecDeque::from([initial]);
    while let Some(state) = queue.pop_front() {
        for (name, value) in system.protocol().metrics(&state) {
            let slot = maxima.entry(name.to_string()).or_insert(0);
            *slot = (*slot).max(value);
        }
        let mut actions = Vec::new();
        system.enabled_actions(&state, &mut actions);
        for action in actions {
            if let Some(next) = system.step(&state, &action) {
                if seen.len() < graph_limit && seen.insert(check::fingerprint(&next)) {
                    queue.push_back(next);
                }
            }
        }
    }
    maxima
}

/// Serves stateright's Explorer on `address` until the process is stopped.
fn serve<M>(model: M, address: &str) -> Result<(), RequestError>
where
    M: stateright::Model + Send + Sync + 'static,
    M::State: std::fmt::Debug + std::hash::Hash + Clone + PartialEq + Send + Sync,
    M::Action: std::fmt::Debug + Clone + PartialEq + Send + Sync,
{
    use std::net::ToSocketAddrs;
    let unusable = |reason: String| RequestError::Build {
        model: String::new(),
        reason: format!("--address {address}: {reason}"),
    };
    let resolved = address
        .to_socket_addrs()
        .map_err(|e| unusable(e.to_string()))?
        .next()
        .ok_or_else(|| unusable("resolves to nothing".to_string()))?;
    // Binding first turns a busy or forbidden address into an error, not a panic.
    drop(std::net::TcpListener::bind(resolved).map_err(|e| unusable(e.to_string()))?);
    let _server = model.checker().serve(resolved);
    loop {
        std::thread::park();
    }
}

impl<M> CatalogModel for PlainEntry<M>
where
    M: CatalogPlain,
    M::State: std::hash::Hash + Clone + std::fmt::Debug + Eq + Send + Sync,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    fn name(&self) -> &'static str {
        M::NAME
    }

    fn parameters(&self) -> Vec<ParamSpec> {
        M::parameters()
    }

    fn describe(&self) -> Result<ModelDescription, RequestError> {
        let params = resolve_params(M::NAME, &M::parameters(), &BTreeMap::new())?;
        let model = M::from_params(&params).map_err(build_error(M::NAME))?;
        Ok(ModelDescription {
            name: M::NAME,
            family: M::FAMILY,
            summary: M::SUMMARY,
            parameters: M::parameters(),
            timed: false,
            leans_on: Vec::new(),
            leans_on_ids: Vec::new(),
            properties: model
                .properties()
                .iter()
                .map(|p| PropertyInfo {
                    name: p.name,
                    kind: report::kind_of(&p.expectation),
                })
                .collect(),
        })
    }

    fn check(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError> {
        if !changes.is_empty() {
            return Err(RequestError::Untimed(M::NAME.to_string()));
        }
        let model = M::from_params(params).map_err(build_error(M::NAME))?;
        let mut outcome = check::run_with(&model, options, model.canonicalizer());
        crate::liveness::decide_eventually(&model, &mut outcome, options.max_states);
        Ok(report::build(
            M::NAME,
            params,
            None,
            options,
            &model,
            &outcome,
        ))
    }

    fn replay(
        &self,
        params: &Params,
        _assumptions: Option<&AssumptionSet>,
        trace: &TraceFile,
    ) -> Result<ReplayOutcome, RequestError> {
        let model = M::from_params(params).map_err(build_error(M::NAME))?;
        Ok(trace::replay(&model, trace))
    }

    fn explore(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        address: &str,
    ) -> Result<(), RequestError> {
        if !changes.is_empty() {
            return Err(RequestError::Untimed(M::NAME.to_string()));
        }
        let model = M::from_params(params).map_err(build_error(M::NAME))?;
        serve(model, address)
    }

    fn graph(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        max_states: usize,
    ) -> Result<crate::graph::StateGraph, RequestError> {
        if !changes.is_empty() {
            return Err(RequestError::Untimed(M::NAME.to_string()));
        }
        let model = M::from_params(params).map_err(build_error(M::NAME))?;
        Ok(crate::graph::export(&model, max_states))
    }
}

/// The catalog entry of a timed protocol.
pub fn timed<P: CatalogProtocol>() -> Box<dyn CatalogModel> {
    Box::new(TimedEntry::<P>(std::marker::PhantomData))
}

/// The catalog entry of a plain stateright model.
pub fn plain<M>() -> Box<dyn CatalogModel>
where
    M: CatalogPlain,
    M::State: std::hash::Hash + Clone + std::fmt::Debug + Eq + Send + Sync,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    Box::new(PlainEntry::<M>(std::marker::PhantomData))
}

/// Every model of the catalog, in `list` order: replication, retry, recovery.
pub fn models() -> Vec<Box<dyn CatalogModel>> {
    let mut all = crate::models::replication::entries();
    all.extend(crate::models::retry::entries());
    all.extend(crate::models::recovery::entries());
    all
}

/// Finds a model by name.
pub fn find(name: &str) -> Result<Box<dyn CatalogModel>, RequestError> {
    let all = models();
    let valid = all.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
    all.into_iter()
        .find(|m| m.name() == name)
        .ok_or(RequestError::UnknownModel {
            name: name.to_string(),
            valid,
        })
}

/// Validates `given` against `specs` and fills in defaults.
pub fn resolve_params(
    model: &str,
    specs: &[ParamSpec],
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
    Ok(Params { values })
}

/// Parses `KEY=VALUE` flags.
pub fn parse_sets(sets: &[String]) -> Result<BTreeMap<String, String>, RequestError> {
    sets.iter()
        .map(|set| {
            set.split_once('=')
                .filter(|(key, _)| !key.trim().is_empty())
                .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
                .ok_or_else(|| RequestError::MalformedSet(set.clone()))
        })
        .collect()
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

/// Runs a request against the catalog.
pub fn run(request: &CheckRequest, options: &CheckOptions) -> Result<CheckReport, RequestError> {
    let model = find(&request.model)?;
    let params = resolve_params(model.name(), &model.parameters(), &request.params)?;
    model.check(&params, &request.changes, options)
}

/// Every assumption name, for help texts.
pub fn assumption_names() -> Vec<&'static str> {
    Assumption::ALL.iter().map(|a| a.name()).collect()
}
