//! An open registry of models: what a binary can list, check, replay, explore and
//! graph. synccheck's own catalog is one registry ([`crate::catalog::registry`]); a
//! user's crate builds its own with [`registry!`](crate::registry!) or
//! [`Registry::protocol`] and hands it to [`crate::cli::main_with`], which gives its
//! models the whole command line: `list`, `check` (model, `--plan`, `--all` over the
//! registry's plans), JSON, JUnit, GitHub output, `--trace-dir`, `replay`, `show`,
//! `explore`, `assumptions`, `graph`, `merge`.
//!
//! API boundary: `Registry`, `registry!`, `Entry` (object-safe; what a registered model
//! offers), `ModelDescription`, `PropertyInfo`.

use crate::check::{Canonicalize, CheckOptions};
use crate::liveness::Fairness;
use crate::model::{Declared, Param, Params};
use crate::pipeline::{self, Label};
use crate::report::{CheckReport, Explain};
use crate::request::{resolve_params, AssumptionChanges, CheckRequest, RequestError};
use crate::system::{Assumption, AssumptionSet, LeansOn, PropertyKind, Protocol, TimedSystem};
use crate::trace::{self, ReplayOutcome, TraceFile};
use serde::Serialize;
use std::collections::BTreeMap;

/// A property as `list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyInfo {
    /// Public ID.
    pub name: &'static str,
    /// always / sometimes / eventually.
    pub kind: PropertyKind,
}

/// What `list` shows of a model at its default parameters.
#[derive(Clone, Debug, Serialize)]
pub struct ModelDescription {
    /// Public name.
    pub name: &'static str,
    /// Family.
    pub family: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Parameters.
    pub parameters: Vec<Param>,
    /// Whether the model runs on the timed system (takes assumptions).
    pub timed: bool,
    /// Assumptions the design leans on, with the bound held by default.
    pub leans_on: Vec<(String, String)>,
    /// The same assumptions, as IDs (for ablation).
    pub leans_on_ids: Vec<Assumption>,
    /// Properties.
    pub properties: Vec<PropertyInfo>,
}

/// A registered model, behind one object-safe interface.
pub trait Entry: Send + Sync {
    /// Public name.
    fn name(&self) -> &'static str;
    /// Parameters.
    fn parameters(&self) -> &'static [Param];
    /// Describes the model at its default parameters.
    fn describe(&self) -> Result<ModelDescription, RequestError>;
    /// Describes the model built from `params` (the rest at their defaults): what it
    /// leans on and its properties may depend on them (`Protocol::leans_on`). By
    /// default [`Entry::describe`], for an implementation whose description does not.
    fn describe_with(
        &self,
        params: &BTreeMap<String, String>,
    ) -> Result<ModelDescription, RequestError> {
        let _ = params;
        self.describe()
    }
    /// Runs one check through the pipeline.
    fn check(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError>;
    /// Replays a saved trace under the exact assumption set it records, its claims
    /// re-checked with `options.threads`.
    fn replay(
        &self,
        params: &Params,
        assumptions: Option<&AssumptionSet>,
        trace: &TraceFile,
        options: &CheckOptions,
    ) -> Result<ReplayOutcome, RequestError>;
    /// The Explorer path (initial state index, then action indices) of a saved trace
    /// under the exact assumption set it records, on the model `explore` serves with
    /// the same `no_lean`; `None` if it does not run here.
    fn explorer_path(
        &self,
        params: &Params,
        assumptions: Option<&AssumptionSet>,
        trace: &TraceFile,
        no_lean: bool,
    ) -> Result<Option<Vec<usize>>, RequestError>;
    /// Exports the reachable state graph (up to `max_states`); `no_lean` as in
    /// [`CheckOptions::no_lean`].
    fn graph(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        max_states: usize,
        no_lean: bool,
    ) -> Result<crate::graph::StateGraph, RequestError>;
    /// Serves stateright's Explorer web UI for the model (blocks); `no_lean` as in
    /// [`CheckOptions::no_lean`].
    fn explore(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        address: &str,
        no_lean: bool,
    ) -> Result<(), RequestError>;
}

/// A plain `stateright::Model` checked by synccheck's runner: what it adds to
/// [`Declared`] (the runner's hooks). Timed protocols need none of this.
pub trait PlainModel:
    Declared + stateright::Model + Explain + Fairness + Sized + Send + Sync + 'static
where
    Self::State: std::hash::Hash + Clone + std::fmt::Debug + Eq + Send + Sync,
    Self::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    /// The symmetry canonicalization `check` runs under (see
    /// [`crate::check::run_symmetric`]), if this model instance asks for one; `None`
    /// (the default) checks the full space. `replay`, `graph`, `explore` and liveness
    /// see the full space either way.
    fn canonicalizer(&self) -> Option<Canonicalize<Self>> {
        None
    }
}

/// A source of checks for `check --all`: a plan file's name and its TOML text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSource {
    /// The name errors and reports use (`models/recovery/plan.toml`).
    pub file: String,
    /// The TOML.
    pub text: String,
}

/// A set of models (and the plans `check --all` runs over them).
#[derive(Default)]
pub struct Registry {
    entries: Vec<Box<dyn Entry>>,
    plans: Vec<PlanSource>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("models", &self.names())
            .field(
                "plans",
                &self.plans.iter().map(|p| &p.file).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Builds a [`Registry`] of timed protocols: `registry![MyProtocol, OtherProtocol]`.
/// Add plain stateright models with [`Registry::plain`], plans with
/// [`Registry::plan`], and synccheck's catalog with
/// `.extend(synccheck::catalog::registry())`.
#[macro_export]
macro_rules! registry {
    ($($protocol:ty),* $(,)?) => {
        $crate::registry::Registry::new()$(.protocol::<$protocol>())*
    };
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// Registers a timed protocol.
    pub fn protocol<P: Protocol + Declared>(mut self) -> Self {
        self.entries.push(Box::new(Registered::<Timed<P>>::new()));
        self
    }

    /// Registers a plain stateright model.
    pub fn plain<M>(mut self) -> Self
    where
        M: PlainModel,
        M::State: std::hash::Hash + Clone + std::fmt::Debug + Eq + Send + Sync,
        M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
    {
        self.entries.push(Box::new(Registered::<Plain<M>>::new()));
        self
    }

    /// Adds a plan that `check --all` runs (typically `include_str!` of a TOML file).
    pub fn plan(mut self, file: impl Into<String>, text: impl Into<String>) -> Self {
        self.plans.push(PlanSource {
            file: file.into(),
            text: text.into(),
        });
        self
    }

    /// Adds every model and plan of `other` (after this registry's own).
    pub fn extend(mut self, other: Registry) -> Self {
        self.entries.extend(other.entries);
        self.plans.extend(other.plans);
        self
    }

    /// The registered names, in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries.iter().map(|e| e.name()).collect()
    }

    /// The models, in registration (= `list`) order.
    pub fn entries(&self) -> impl Iterator<Item = &dyn Entry> {
        self.entries.iter().map(|e| e.as_ref())
    }

    /// The plans `check --all` runs.
    pub fn plans(&self) -> &[PlanSource] {
        &self.plans
    }

    /// Refuses a registry in which two models share a name (a plan or a trace could
    /// not say which one it means).
    pub fn validate(&self) -> Result<(), RequestError> {
        let mut seen = std::collections::BTreeSet::new();
        for name in self.names() {
            if !seen.insert(name) {
                return Err(RequestError::DuplicateModel(name.to_string()));
            }
        }
        Ok(())
    }

    /// Finds a model by name.
    pub fn find(&self, name: &str) -> Result<&dyn Entry, RequestError> {
        self.entries()
            .find(|entry| entry.name() == name)
            .ok_or_else(|| RequestError::UnknownModel {
                name: name.to_string(),
                valid: self.names().join(", "),
            })
    }

    /// Validates a request's parameters against the model's declaration.
    pub fn resolve(&self, request: &CheckRequest) -> Result<(&dyn Entry, Params), RequestError> {
        let entry = self.find(&request.model)?;
        let params = resolve_params(entry.name(), entry.parameters(), &request.params)?;
        Ok((entry, params))
    }

    /// Replays a loaded trace (read from `path`) against the registered model it names,
    /// under the exact parameters and assumption set it records.
    pub fn replay_file(
        &self,
        path: &str,
        trace: &TraceFile,
    ) -> Result<ReplayOutcome, trace::TraceError> {
        self.replay_file_with(path, trace, &CheckOptions::default())
    }

    /// [`Registry::replay_file`] with the searches that re-check the trace's claims run
    /// with `options.threads` (`replay --threads`); the outcome is the same for any
    /// count. Only the thread count is used ([`trace::replay_with`]).
    pub fn replay_file_with(
        &self,
        path: &str,
        trace: &TraceFile,
        options: &CheckOptions,
    ) -> Result<ReplayOutcome, trace::TraceError> {
        let request_error = |source: RequestError| trace::TraceError::Request {
            path: path.to_string(),
            source,
        };
        let model = self.find(&trace.model).map_err(request_error)?;
        let params = resolve_params(model.name(), model.parameters(), &trace.params)
            .map_err(request_error)?;
        let mut properties: Vec<&str> = model
            .describe_with(&trace.params)
            .map_err(request_error)?
            .properties
            .iter()
            .map(|p| p.name)
            .collect();
        properties.push(crate::check::DEADLOCK_PROPERTY);
        if !properties.contains(&trace.property.as_str()) {
            return Err(trace::TraceError::Inconsistent {
                path: path.to_string(),
                message: format!(
                    "/property: model `{}` has no property `{}`; valid properties: {}",
                    trace.model,
                    trace.property,
                    properties.join(", ")
                ),
            });
        }
        let assumptions = match &trace.assumptions {
            Some(report) => Some(trace::assumption_set(path, report)?),
            None => None,
        };
        model
            .replay(&params, assumptions.as_ref(), trace, options)
            .map_err(request_error)
    }

    /// Runs one check request.
    pub fn run(
        &self,
        request: &CheckRequest,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError> {
        let (entry, params) = self.resolve(request)?;
        entry.check(&params, &request.changes, options)
    }
}

/// How a kind of model is built and described: the part in which a timed protocol
/// and a plain stateright model differ. Every [`Entry`] method is written once, on
/// [`Registered`], over this.
trait Kind: 'static {
    /// The declaration (name, family, summary, parameters).
    type Declaration: Declared;
    /// What the runner checks.
    type Model: stateright::Model + Explain + Fairness + Send + Sync + 'static;
    /// The model `check`, `graph` and `explore` run on.
    fn build(params: &Params, changes: &AssumptionChanges) -> Result<Self::Model, RequestError>;
    /// The model a saved trace ran on, under the exact assumption set it records.
    fn rebuild(
        params: &Params,
        assumptions: Option<&AssumptionSet>,
    ) -> Result<Self::Model, RequestError>;
    /// `model` checking only `properties` ([`CheckOptions::properties`]; empty: all),
    /// or an error naming one it does not have: the timed system drops the others
    /// ([`TimedSystem::searching_only`]), a plain model is checked as it is (the
    /// search keeps only the selected ones).
    fn select(model: Self::Model, properties: &[String]) -> Result<Self::Model, RequestError>;
    /// `model` storing every quantity when `no_lean` ([`CheckOptions::no_lean`]):
    /// the timed system without its lean state; a plain model as it is.
    fn stored(model: Self::Model, no_lean: bool) -> Self::Model;
    /// What `list` shows, at the (default) `params`.
    fn describe(params: &Params) -> Result<ModelDescription, RequestError>;
    /// Runs the check pipeline on `model` (already [`Kind::stored`] as `options` say).
    fn check(
        model: &Self::Model,
        label: Label<'_>,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError>;
    /// An error when exploring `model` took the protocol past an engine cap (no
    /// result about it holds then).
    fn cap_check(model: &Self::Model) -> Result<(), RequestError>;
}

/// A timed protocol ([`Registry::protocol`]).
struct Timed<P>(std::marker::PhantomData<fn() -> P>);
/// A plain stateright model ([`Registry::plain`]).
struct Plain<M>(std::marker::PhantomData<fn() -> M>);
/// A registered model of kind `K`.
struct Registered<K>(std::marker::PhantomData<fn() -> K>);

impl<K> Registered<K> {
    fn new() -> Self {
        Registered(std::marker::PhantomData)
    }
}

fn build_error(model: &str) -> impl Fn(String) -> RequestError + '_ {
    move |reason| RequestError::Build {
        model: model.to_string(),
        reason,
    }
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

impl<P: Protocol + Declared> Timed<P> {
    fn system(protocol: P, assumptions: AssumptionSet) -> Result<TimedSystem<P>, RequestError> {
        TimedSystem::new(protocol, assumptions).map_err(|e| build_error(P::NAME)(e.to_string()))
    }
}

impl<P: Protocol + Declared> Kind for Timed<P> {
    type Declaration = P;
    type Model = TimedSystem<P>;

    fn build(params: &Params, changes: &AssumptionChanges) -> Result<Self::Model, RequestError> {
        let protocol = P::from_params(params).map_err(build_error(P::NAME))?;
        let assumptions = changes.apply(&protocol.default_assumptions())?;
        Self::system(protocol, assumptions)
    }

    fn rebuild(
        params: &Params,
        assumptions: Option<&AssumptionSet>,
    ) -> Result<Self::Model, RequestError> {
        let protocol = P::from_params(params).map_err(build_error(P::NAME))?;
        let assumptions = assumptions.cloned().ok_or_else(|| {
            build_error(P::NAME)(
                "the trace records no assumption set, but the model is timed".to_string(),
            )
        })?;
        Self::system(protocol, assumptions)
    }

    fn select(system: Self::Model, properties: &[String]) -> Result<Self::Model, RequestError> {
        system
            .searching_only(properties)
            .map_err(|e| build_error(P::NAME)(e.to_string()))
    }

    fn stored(system: Self::Model, no_lean: bool) -> Self::Model {
        if no_lean {
            system.without_lean_state()
        } else {
            system
        }
    }

    fn describe(params: &Params) -> Result<ModelDescription, RequestError> {
        let protocol = P::from_params(params).map_err(build_error(P::NAME))?;
        let leans_on = protocol.leans_on();
        Ok(ModelDescription {
            name: P::NAME,
            family: P::FAMILY,
            summary: P::SUMMARY,
            parameters: P::PARAMS.to_vec(),
            timed: true,
            leans_on: leans_on_rows(&leans_on, &protocol.default_assumptions()),
            leans_on_ids: leans_on.iter().map(|l| l.assumption).collect(),
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
        system: &Self::Model,
        label: Label<'_>,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError> {
        let checked = pipeline::check_system(system, label, options)
            .map_err(|e| build_error(P::NAME)(e.to_string()))?;
        Ok(checked.report)
    }

    fn cap_check(system: &Self::Model) -> Result<(), RequestError> {
        pipeline::cap_check(system).map_err(|e| build_error(P::NAME)(e.to_string()))
    }
}

impl<M> Kind for Plain<M>
where
    M: PlainModel,
    M::State: std::hash::Hash + Clone + std::fmt::Debug + Eq + Send + Sync,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    type Declaration = M;
    type Model = M;

    fn build(params: &Params, changes: &AssumptionChanges) -> Result<M, RequestError> {
        if !changes.is_empty() {
            return Err(RequestError::Untimed(M::NAME.to_string()));
        }
        M::from_params(params).map_err(build_error(M::NAME))
    }

    fn rebuild(params: &Params, _: Option<&AssumptionSet>) -> Result<M, RequestError> {
        M::from_params(params).map_err(build_error(M::NAME))
    }

    fn select(model: M, properties: &[String]) -> Result<M, RequestError> {
        let declared = model.properties();
        let names: Vec<&str> = declared.iter().map(|p| p.name).collect();
        match crate::check::unknown_property(properties, &names) {
            Some(error) => Err(build_error(M::NAME)(error)),
            None => Ok(model),
        }
    }

    fn stored(model: M, _: bool) -> M {
        model
    }

    fn describe(params: &Params) -> Result<ModelDescription, RequestError> {
        let model = M::from_params(params).map_err(build_error(M::NAME))?;
        Ok(ModelDescription {
            name: M::NAME,
            family: M::FAMILY,
            summary: M::SUMMARY,
            parameters: M::PARAMS.to_vec(),
            timed: false,
            leans_on: Vec::new(),
            leans_on_ids: Vec::new(),
            properties: model
                .properties()
                .iter()
                .map(|p| PropertyInfo {
                    name: p.name,
                    kind: crate::report::kind_of(&p.expectation),
                })
                .collect(),
        })
    }

    fn check(
        model: &M,
        label: Label<'_>,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError> {
        let declared = model.canonicalizer();
        let canonical = declared.filter(|_| options.symmetry);
        let mut report = pipeline::check_model(model, label, None, options, canonical).report;
        let groups = declared.map(|_| crate::report::MODEL_SYMMETRY.to_string());
        if canonical.is_some() {
            report.symmetry = groups;
        } else {
            report.symmetry_off = groups;
        }
        Ok(report)
    }

    fn cap_check(_: &M) -> Result<(), RequestError> {
        Ok(())
    }
}

impl<K: Kind> Entry for Registered<K>
where
    <K::Model as stateright::Model>::State:
        std::hash::Hash + Clone + std::fmt::Debug + Eq + Send + Sync,
    <K::Model as stateright::Model>::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    fn name(&self) -> &'static str {
        K::Declaration::NAME
    }

    fn parameters(&self) -> &'static [Param] {
        K::Declaration::PARAMS
    }

    fn describe(&self) -> Result<ModelDescription, RequestError> {
        self.describe_with(&BTreeMap::new())
    }

    fn describe_with(
        &self,
        params: &BTreeMap<String, String>,
    ) -> Result<ModelDescription, RequestError> {
        guarded(self.name(), || {
            K::describe(&resolve_params(self.name(), self.parameters(), params)?)
        })
    }

    fn check(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        options: &CheckOptions,
    ) -> Result<CheckReport, RequestError> {
        let label = Label {
            model: self.name(),
            params,
        };
        guarded(self.name(), || {
            let built = K::select(K::build(params, changes)?, &options.properties)?;
            K::check(&K::stored(built, options.no_lean), label, options)
        })
    }

    fn replay(
        &self,
        params: &Params,
        assumptions: Option<&AssumptionSet>,
        trace: &TraceFile,
        options: &CheckOptions,
    ) -> Result<ReplayOutcome, RequestError> {
        // A trace of a `--no-lean` check replays on that system, and its claims
        // (fewest breaks, necessary breaks) are searched again on its network.
        guarded(self.name(), || {
            let model = K::stored(K::rebuild(params, assumptions)?, trace.no_lean);
            let outcome = trace::replay_with(&model, trace, options);
            K::cap_check(&model)?;
            Ok(outcome)
        })
    }

    fn explorer_path(
        &self,
        params: &Params,
        assumptions: Option<&AssumptionSet>,
        trace: &TraceFile,
        no_lean: bool,
    ) -> Result<Option<Vec<usize>>, RequestError> {
        guarded(self.name(), || {
            let model = K::stored(K::rebuild(params, assumptions)?, no_lean);
            Ok(crate::explore::trace_indices(&model, trace))
        })
    }

    fn graph(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        max_states: usize,
        no_lean: bool,
    ) -> Result<crate::graph::StateGraph, RequestError> {
        guarded(self.name(), || {
            let model = K::stored(K::build(params, changes)?, no_lean);
            let graph = crate::graph::export(&model, max_states);
            K::cap_check(&model)?;
            Ok(graph)
        })
    }

    fn explore(
        &self,
        params: &Params,
        changes: &AssumptionChanges,
        address: &str,
        no_lean: bool,
    ) -> Result<(), RequestError> {
        let model = guarded(self.name(), || K::build(params, changes))?;
        serve(K::stored(model, no_lean), address)
    }
}

/// Runs `work` on the model `model`, a panic in it (in the model's own code: a
/// handler, a property, `from_params`) turned into an error of that model, so one
/// model's bug ends its own check, not the process: a plan goes on with its other
/// checks, and its report and JUnit file say which check failed and why. The panic's
/// message and, where the process recorded it ([`note_panic_location`]), where it was
/// raised.
fn guarded<T>(
    model: &str,
    work: impl FnOnce() -> Result<T, RequestError>,
) -> Result<T, RequestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let message = panic_message(payload.as_ref())
            .unwrap_or_else(|| "a panic without a message".to_string());
        let at = panic_location(&message)
            .map(|location| format!(" at {location}"))
            .unwrap_or_default();
        Err(RequestError::Build {
            model: model.to_string(),
            reason: format!(
                "panicked{at}: {message} (a bug in the model's code, or in synccheck's if \
                 that is where it points)"
            ),
        })
    })
}

/// A panic payload's message, where it has one.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
}

/// The latest panics of this process, as the command line's panic hook records them:
/// each one's message and where it was raised (`file:line:column`), a few at most.
static PANICS_SEEN: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// How many panics [`PANICS_SEEN`] keeps.
const PANICS_KEPT: usize = 16;

/// Records a panic's message and where it was raised, for the error [`guarded`] makes
/// of it (called by the panic hook that [`crate::cli::main_with`] installs).
pub(crate) fn note_panic(message: String, location: String) {
    let mut seen = PANICS_SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if seen.len() == PANICS_KEPT {
        seen.remove(0);
    }
    seen.push((message, location));
}

/// Where the latest recorded panic with this message was raised (taken out of the
/// record): several checks may panic side by side, each at its own place.
fn panic_location(message: &str) -> Option<String> {
    let mut seen = PANICS_SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let at = seen.iter().rposition(|(seen, _)| seen == message)?;
    Some(seen.remove(at).1)
}

/// Where `--address` serves the Explorer: resolved, and free to bind (bound once and
/// let go, so a busy or forbidden address is an error naming it, not a panic in the
/// server).
pub fn usable_address(address: &str) -> Result<std::net::SocketAddr, RequestError> {
    use std::net::ToSocketAddrs;
    let unusable = |reason: String| RequestError::Option(format!("--address {address}: {reason}"));
    let resolved = address
        .to_socket_addrs()
        .map_err(|e| unusable(e.to_string()))?
        .next()
        .ok_or_else(|| unusable("resolves to nothing".to_string()))?;
    drop(std::net::TcpListener::bind(resolved).map_err(|e| unusable(e.to_string()))?);
    Ok(resolved)
}

/// Serves stateright's Explorer on `address` until the process is stopped.
fn serve<M>(model: M, address: &str) -> Result<(), RequestError>
where
    M: stateright::Model + Send + Sync + 'static,
    M::State: std::fmt::Debug + std::hash::Hash + Clone + PartialEq + Send + Sync,
    M::Action: std::fmt::Debug + Clone + PartialEq + Send + Sync,
{
    let resolved = usable_address(address)?;
    let _server = model.checker().serve(resolved);
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    /// Two panics side by side: each error gets its own panic's place, once.
    #[test]
    fn a_panics_location_is_found_by_its_message() {
        super::note_panic("first".to_string(), "a.rs:1:1".to_string());
        super::note_panic("second".to_string(), "b.rs:2:2".to_string());
        assert_eq!(super::panic_location("first").as_deref(), Some("a.rs:1:1"));
        assert_eq!(super::panic_location("first"), None);
        assert_eq!(super::panic_location("second").as_deref(), Some("b.rs:2:2"));
    }
}
