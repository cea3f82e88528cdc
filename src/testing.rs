//! Checks inside `cargo test`: a protocol, an assumption set, a verdict to assert; a
//! failure panics with the counterexample as numbered steps.
//!
//! ```
//! # use synccheck::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing};
//! let protocol = FencedLeaseLock { fencing: Fencing::Writes, lease_ticks: 5, validity_ticks: 2 };
//! let checked = synccheck::testing::check(protocol.clone()).run();
//! checked.assert_holds("no_lost_increment").assert_reached("both_incremented");
//! let broken = synccheck::testing::check(protocol).relax("bounded_pause").threads(2).run();
//! let trace = broken.assert_violated("no_lost_increment");
//! assert_eq!(trace.length, 22);
//! ```

use crate::check::{self, Canonicalize, CheckOptions, Facts, Outcome, Strategy, Verdict};
use crate::model::Params;
use crate::pipeline::{self, Label};
use crate::report::{render_trace, CheckReport, TraceReport};
use crate::system::{AssumptionSet, Protocol, TimedSystem};

/// The options of a test's own search: `strategy` with `threads` worker threads and no
/// limits (for [`check::run`] and the like; [`assert_pinned`] and [`check()`] need none).
pub fn options(strategy: Strategy, threads: usize) -> CheckOptions {
    CheckOptions {
        strategy,
        threads,
        ..CheckOptions::default()
    }
}

/// A check being set up.
pub struct CheckBuilder<P: Protocol> {
    protocol: P,
    assumptions: AssumptionSet,
    options: CheckOptions,
}

/// Starts a check of `protocol` under its default assumptions.
pub fn check<P: Protocol>(protocol: P) -> CheckBuilder<P> {
    let assumptions = protocol.default_assumptions();
    CheckBuilder {
        protocol,
        assumptions,
        options: CheckOptions::default(),
    }
}

impl<P: Protocol> CheckBuilder<P> {
    /// Holds an assumption: `"bounded_delay=2"` or `"reliable_links"`.
    ///
    /// The assumption calls apply in the order they are made, a later one overriding
    /// an earlier one of the same assumption (so a helper's builder can be adjusted:
    /// `lossy().hold("reliable_links")`). The command line instead refuses a `--hold`
    /// and a `--relax` of one assumption, since it has no order to go by.
    ///
    /// # Panics
    /// On an unknown name or bad bound (a test's setup error).
    #[track_caller]
    pub fn hold(mut self, spec: &str) -> Self {
        if let Err(error) = self.assumptions.hold_spec(spec) {
            panic!("synccheck::testing: --hold {spec}: {error}");
        }
        self
    }

    /// Relaxes an assumption (overriding an earlier `hold` of it).
    ///
    /// # Panics
    /// On an unknown name.
    #[track_caller]
    pub fn relax(mut self, name: &str) -> Self {
        if let Err(error) = self.assumptions.relax_spec(name) {
            panic!("synccheck::testing: --relax {name}: {error}");
        }
        self
    }

    /// Relaxes every assumption, overriding every earlier `hold`: call it first, then
    /// hold what the check keeps.
    pub fn relax_all(mut self) -> Self {
        self.assumptions = AssumptionSet::all_relaxed();
        self
    }

    /// The search strategy (`--strategy`; BFS by default, whose counterexamples are
    /// the shortest).
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.options.strategy = strategy;
        self
    }

    /// A wall-clock limit for the whole check (`--timeout`): what it cuts short is
    /// `unknown`, and asserting it fails.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// A depth limit (`--max-depth`): what it cuts short is `unknown`.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.options.max_depth = Some(depth);
        self
    }

    /// Searches only this property (`--property`; call again for each further one):
    /// the others get no verdict, `deadlock_free` is searched only when named, and a
    /// check without `eventually` properties may store less (see
    /// [`TimedSystem::searching_only`]). A name the protocol does not declare is an
    /// error when the check runs.
    pub fn property(mut self, name: &str) -> Self {
        if !self.options.properties.iter().any(|given| given == name) {
            self.options.properties.push(name.to_string());
        }
        self
    }

    /// Worker threads.
    pub fn threads(mut self, threads: usize) -> Self {
        self.options.threads = threads;
        self
    }

    /// Checks the full space even if the protocol declares symmetry
    /// ([`Protocol::symmetry`]; `--no-symmetry`).
    pub fn no_symmetry(mut self) -> Self {
        self.options.symmetry = false;
        self
    }

    /// Expand every state (`--no-subsumption`).
    pub fn no_subsumption(mut self) -> Self {
        self.options.subsumption = false;
        self
    }

    /// Searches the full system only, not first up to clock-drift classes
    /// (`--no-drift-classes`, `CheckOptions::drift_classes`).
    pub fn no_drift_classes(mut self) -> Self {
        self.options.drift_classes = false;
        self
    }

    /// Searches the full system for what the drift classes found unguided by their
    /// distances (`--no-class-guide`, `CheckOptions::class_guide`).
    pub fn no_class_guide(mut self) -> Self {
        self.options.class_guide = false;
        self
    }

    /// Checks the multiset network with every quantity stored (`--no-lean`): no lean
    /// state, no message set — the cross-check for a model that opts in to either.
    pub fn no_lean(mut self) -> Self {
        self.options.no_lean = true;
        self
    }

    /// A state limit (a property it cuts short is `unknown`, and asserting it fails).
    pub fn max_states(mut self, max_states: usize) -> Self {
        self.options.max_states = Some(max_states);
        self
    }

    /// How many states to audit for the contracts of [`Protocol::LEAN_STATE`] and
    /// [`Protocol::MESSAGE_SET`] before the search (`CheckOptions::lean_audit_states`;
    /// a check audits [`LEAN_AUDIT_STATES`](crate::check::LEAN_AUDIT_STATES) by
    /// default). A protocol that declares either can test its claim on a larger part of
    /// its space:
    /// `check(MyProtocol).relax("bounded_delay").relax("bounded_pause").lean_audit(100_000).run()`.
    pub fn lean_audit(mut self, states: usize) -> Self {
        self.options.lean_audit_states = states;
        self
    }

    /// Runs the check (BFS) through the one pipeline: safety, `eventually`, metrics.
    ///
    /// # Panics
    /// When the protocol exceeds the engine's limits or breaks the contract of
    /// [`Protocol::LEAN_STATE`] or [`Protocol::MESSAGE_SET`] it declares
    /// ([`CheckBuilder::try_run`] returns the error instead).
    #[track_caller]
    pub fn run(self) -> Checked<P> {
        match self.try_run() {
            Ok(checked) => checked,
            Err(error) => panic!("synccheck::testing: {error}"),
        }
    }

    /// [`CheckBuilder::run`], with the error the check ends with instead of a panic
    /// (an engine limit, a declared symmetry or lean state the protocol does not
    /// keep).
    pub fn try_run(self) -> Result<Checked<P>, crate::system::SystemError> {
        let params = Params::default();
        // Reports and traces name the protocol by its type.
        let type_name = std::any::type_name::<P>();
        let name = type_name
            .split('<')
            .next()
            .and_then(|path| path.rsplit("::").next())
            .unwrap_or(type_name);
        let label = Label {
            model: name,
            params: &params,
        };
        let (system, checked) =
            pipeline::check_protocol(self.protocol, self.assumptions, label, &self.options)?;
        Ok(Checked {
            report: checked.report,
            outcome: checked.outcome,
            system,
        })
    }
}

/// A catalog (or any [`Declared`](crate::model::Declared)) model built as `synccheck
/// check NAME --set KEY=VALUE …` builds it: every declared parameter at its default but
/// those in `sets`.
///
/// # Panics
/// On a parameter the model does not declare, a value outside its declared range or
/// choices, or one it rejects (a test's setup error).
#[track_caller]
pub fn declared<D: crate::model::Declared>(sets: &[(&str, &str)]) -> D {
    let given = sets
        .iter()
        .map(|(key, value)| ((*key).to_string(), (*value).to_string()))
        .collect();
    // The command line's checks: each name declared, each value in its range or a
    // choice.
    let params = match crate::request::resolve_params(D::NAME, D::PARAMS, &given) {
        Ok(params) => params,
        Err(error) => panic!("synccheck::testing: {error}"),
    };
    match D::from_params(&params) {
        Ok(model) => model,
        Err(error) => panic!("synccheck::testing: {} with {sets:?}: {error}", D::NAME),
    }
}

/// `protocol` under its default assumptions with `relax` relaxed, as a timed system
/// (to hand to [`assert_pinned`] or to explore step by step).
///
/// # Panics
/// When the protocol exceeds the engine's limits (a test's setup error).
#[track_caller]
pub fn system<P: Protocol>(protocol: P, relax: &[crate::system::Assumption]) -> TimedSystem<P> {
    system_holding(protocol, &[], relax)
}

/// `protocol` under its default assumptions with each of `hold` held (at its bound, as
/// in `--hold max_crashes=1`) and then `relax` relaxed, as a timed system.
///
/// # Panics
/// On a bound the assumption does not take, or when the protocol exceeds the engine's
/// limits (a test's setup error).
#[track_caller]
pub fn system_holding<P: Protocol>(
    protocol: P,
    hold: &[(crate::system::Assumption, Option<u32>)],
    relax: &[crate::system::Assumption],
) -> TimedSystem<P> {
    let mut assumptions = protocol.default_assumptions();
    for (assumption, bound) in hold {
        if let Err(error) = assumptions.hold(*assumption, *bound) {
            panic!("synccheck::testing: hold {assumption:?}={bound:?}: {error}");
        }
    }
    for assumption in relax {
        assumptions.relax(*assumption);
    }
    match TimedSystem::new(protocol, assumptions) {
        Ok(system) => system,
        Err(error) => panic!("synccheck::testing: {error}"),
    }
}

/// A finished check.
pub struct Checked<P: Protocol> {
    /// The full report.
    pub report: CheckReport,
    /// The search's outcome (verdicts, paths, counts).
    pub outcome: Outcome<TimedSystem<P>>,
    /// The timed system that was checked (to replay paths on).
    pub system: TimedSystem<P>,
}

impl<P: Protocol> Checked<P> {
    /// The verdict of `property`.
    ///
    /// # Panics
    /// When the model has no such property (naming those it has).
    #[track_caller]
    pub fn verdict(&self, property: &str) -> Verdict {
        match self.report.property(property) {
            Some(p) => p.verdict,
            None if !self.report.only_properties.is_empty() => panic!(
                "synccheck: `{property}` was not searched: the check searched only {} (`.property`)",
                self.report.only_properties.join(", ")
            ),
            None => panic!(
                "synccheck: no property `{property}`; the model has: {}",
                self.report
                    .properties
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    #[track_caller]
    fn expect(&self, property: &str, wanted: Verdict) -> &Self {
        let found = self.verdict(property);
        if found != wanted {
            let mut message = format!(
                "synccheck: `{property}` expected {}, found {}",
                wanted.name(),
                found.name()
            );
            if let Some(trace) = self
                .report
                .property(property)
                .and_then(|p| p.counterexample.as_ref())
            {
                message.push_str(&format!(
                    "\ncounterexample ({}):\n",
                    crate::report::steps(trace.length)
                ));
                render_trace(trace, &self.report.nodes, &mut message);
            }
            panic!("{message}");
        }
        self
    }

    /// Asserts a complete search of exactly `states` unique states.
    #[track_caller]
    pub fn assert_states(&self, states: usize) -> &Self {
        // A limit that stopped only the metrics pass leaves the search's count whole.
        let searched_to_the_end = self.report.complete
            || self.report.later_cut.is_some_and(|cut| {
                cut.phase == crate::check::Phase::Metrics
                    && cut.search == check::StopReason::Complete
            });
        assert!(
            searched_to_the_end,
            "synccheck: incomplete search ({:?}, later cut {:?})",
            self.report.stop_reason, self.report.later_cut
        );
        assert_eq!(
            self.report.stats.unique_states, states,
            "synccheck: unique states"
        );
        self
    }

    /// Asserts the property holds (complete search).
    #[track_caller]
    pub fn assert_holds(&self, property: &str) -> &Self {
        self.expect(property, Verdict::Holds)
    }

    /// Asserts the `sometimes` property is reached.
    #[track_caller]
    pub fn assert_reached(&self, property: &str) -> &Self {
        self.expect(property, Verdict::Reached)
    }

    /// Asserts the property is violated and returns (a copy of) its counterexample, so
    /// that it outlives a check built in the same statement:
    /// `let trace = check(protocol).relax("reliable_links").run().assert_violated("p");`.
    #[track_caller]
    pub fn assert_violated(&self, property: &str) -> TraceReport {
        self.expect(property, Verdict::Violated);
        self.report
            .property(property)
            .and_then(|p| p.counterexample.clone())
            .expect("a violated property carries its counterexample")
    }
}

/// Explores `model` and returns a verdict per property: [`check::run_reduced`] with
/// `Facts::default()` (so, unlike [`check::run`], it honours `CheckOptions::exact`),
/// through the search the model's crate compiled
/// ([`Fairness::searches`](crate::liveness::Fairness::searches)): for a timed system of a
/// protocol that says [`compiled_here!`](crate::compiled_here), the test crate compiles
/// no search of its own.
pub fn search<M>(model: &M, options: &CheckOptions) -> Outcome<M>
where
    M: crate::liveness::Fairness + Send + Sync,
    M::State: std::hash::Hash + Eq + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    search_reduced(
        model,
        options,
        None,
        Facts::default(),
        &check::Budget::start(options),
    )
}

/// [`check::run_reduced`] through the search the model's
/// crate compiled, as [`search`] is.
pub fn search_reduced<M>(
    model: &M,
    options: &CheckOptions,
    canonical: Option<Canonicalize<M>>,
    facts: Facts<M>,
    budget: &check::Budget,
) -> Outcome<M>
where
    M: crate::liveness::Fairness + Send + Sync,
    M::State: std::hash::Hash + Eq + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    (M::searches().run)(model, options, canonical, facts, budget)
}

/// Asserts that `path` is a run of `model`: it starts at an initial state, and each
/// action is enabled where it is taken and leads to the recorded next state.
///
/// # Panics
/// At the first step that does not replay, naming it.
#[track_caller]
pub fn assert_replays<M>(model: &M, path: &crate::check::Path<M>)
where
    M: stateright::Model,
    M::State: PartialEq + std::fmt::Debug,
    M::Action: PartialEq + Clone + std::fmt::Debug,
{
    assert!(
        model.init_states().contains(&path.states[0]),
        "the path does not start at an initial state"
    );
    for (index, action) in path.actions.iter().enumerate() {
        let mut enabled = Vec::new();
        model.actions(&path.states[index], &mut enabled);
        assert!(
            enabled.contains(action),
            "step {}: {action:?} is not enabled",
            index + 1
        );
        let next = model.next_state(&path.states[index], action.clone());
        let next = next.as_ref().unwrap_or(&path.states[index]);
        assert_eq!(
            *next,
            path.states[index + 1],
            "step {} does not reproduce",
            index + 1
        );
    }
}

/// What a pinned check expects of one property: its verdict and, for a violation, the
/// shortest counterexample's length and (for a lasso) the step where its loop starts.
#[derive(Clone, Copy, Debug)]
pub struct Pin {
    /// The property's name.
    pub property: &'static str,
    /// Its verdict.
    pub verdict: Verdict,
    /// The counterexample's length (violations only).
    pub steps: Option<usize>,
    /// The lasso's loop start (violated `eventually` properties only).
    pub loop_start: Option<usize>,
}

impl Pin {
    /// A verdict without a counterexample to pin.
    pub const fn verdict(property: &'static str, verdict: Verdict) -> Self {
        Pin {
            property,
            verdict,
            steps: None,
            loop_start: None,
        }
    }

    /// A violation with a counterexample of `steps` steps.
    pub const fn violated(property: &'static str, steps: usize) -> Self {
        Pin {
            property,
            verdict: Verdict::Violated,
            steps: Some(steps),
            loop_start: None,
        }
    }

    /// A `sometimes` property reached by an example of `steps` steps.
    pub const fn reached(property: &'static str, steps: usize) -> Self {
        Pin {
            property,
            verdict: Verdict::Reached,
            steps: Some(steps),
            loop_start: None,
        }
    }

    /// A liveness violation: a lasso of `steps` steps whose loop starts at `loop_start`.
    pub const fn lasso(property: &'static str, steps: usize, loop_start: usize) -> Self {
        Pin {
            property,
            verdict: Verdict::Violated,
            steps: Some(steps),
            loop_start: Some(loop_start),
        }
    }
}

/// Checks `model` exhaustively (BFS) with 1 and 2 threads, decides its `eventually`
/// properties, and asserts for both runs: a complete search, `states` unique states,
/// the same verdict, example length and loop start for every property, and every pin
/// — verdict, counterexample length, loop start; each counterexample replays, shows
/// what it claims (an `always` property false in its last state only, an `eventually`
/// one false on the whole lasso, a `sometimes` one true at the end) and each lasso
/// closes. Returns the 1-thread outcome.
///
/// # Panics
/// At the first expectation not met, naming the run (`label`, thread count).
#[track_caller]
pub fn assert_pinned<M>(model: &M, label: &str, states: usize, pins: &[Pin]) -> Outcome<M>
where
    M: crate::liveness::Fairness + Send + Sync,
    M::State: std::hash::Hash + Eq + Clone + std::fmt::Debug + Send + Sync,
    M::Action: Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    pinned(model, None, label, states, pins)
}

/// [`assert_pinned`] under symmetry reduction: one state stored per class of
/// `canonical` (see [`check::run_symmetric`]), so `states` counts classes.
#[track_caller]
pub fn assert_pinned_symmetric<M>(
    model: &M,
    canonical: Canonicalize<M>,
    label: &str,
    states: usize,
    pins: &[Pin],
) -> Outcome<M>
where
    M: crate::liveness::Fairness + Send + Sync,
    M::State: std::hash::Hash + Eq + Clone + std::fmt::Debug + Send + Sync,
    M::Action: Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    pinned(model, Some(canonical), label, states, pins)
}

#[track_caller]
fn pinned<M>(
    model: &M,
    canonical: Option<Canonicalize<M>>,
    label: &str,
    states: usize,
    pins: &[Pin],
) -> Outcome<M>
where
    M: crate::liveness::Fairness + Send + Sync,
    M::State: std::hash::Hash + Eq + Clone + std::fmt::Debug + Send + Sync,
    M::Action: Clone + PartialEq + std::fmt::Debug + Send + Sync,
{
    // Through the copies the model's crate compiled (`compiled_here!`), where it did.
    let searches = M::searches();
    let mut outcomes = Vec::new();
    for threads in [1, 2] {
        let options = options(Strategy::Bfs, threads);
        let budget = check::Budget::start(&options);
        let mut outcome = (searches.run)(model, &options, canonical, Facts::default(), &budget);
        (searches.decide_eventually)(model, &mut outcome, &budget);
        assert!(outcome.complete(), "{label} x{threads}: incomplete search");
        assert_eq!(
            outcome.stats.unique_states, states,
            "{label} x{threads}: unique states"
        );
        for pin in pins {
            assert_pin(model, &format!("{label} x{threads}"), pin, &outcome);
        }
        outcomes.push(outcome);
    }
    let two = outcomes.pop().expect("two runs");
    let one = outcomes.pop().expect("two runs");
    assert_eq!(one.properties.len(), two.properties.len(), "{label}");
    for (a, b) in one.properties.iter().zip(&two.properties) {
        assert_eq!(
            (a.verdict, a.path.as_ref().map(|p| p.len()), a.loop_start),
            (b.verdict, b.path.as_ref().map(|p| p.len()), b.loop_start),
            "{label}: `{}` (verdict, length, loop start) with 1 and 2 threads",
            a.name
        );
    }
    one
}

/// Asserts one pin on one run's outcome (see [`assert_pinned`]).
#[track_caller]
fn assert_pin<M>(model: &M, run: &str, pin: &Pin, outcome: &Outcome<M>)
where
    M: stateright::Model,
    M::State: PartialEq + std::fmt::Debug,
    M::Action: PartialEq + Clone + std::fmt::Debug,
{
    let Some(found) = outcome.property(pin.property) else {
        panic!("{run}: no property `{}`", pin.property);
    };
    assert_eq!(found.verdict, pin.verdict, "{run}: `{}`", pin.property);
    assert_eq!(
        found.loop_start, pin.loop_start,
        "{run}: `{}` loop start",
        pin.property
    );
    let Some(steps) = pin.steps else {
        return;
    };
    let Some(path) = found.path.as_ref() else {
        panic!("{run}: `{}` has no counterexample", pin.property);
    };
    assert_eq!(
        path.len(),
        steps,
        "{run}: `{}` counterexample length",
        pin.property
    );
    assert_replays(model, path);
    assert_witnessed(model, run, pin.property, pin.verdict, path);
    if let Some(start) = pin.loop_start {
        assert_eq!(
            path.states[start - 1],
            *path.last_state(),
            "{run}: `{}`'s loop does not close",
            pin.property
        );
    }
}

pub use crate::check::first_states;

/// What two checks of one model must agree on, property by property: (name, verdict,
/// counterexample length, example length). Two searches of the same space (with and
/// without a reduction, at any thread count) give equal summaries.
pub fn summary(report: &CheckReport) -> Vec<(String, Verdict, Option<usize>, Option<usize>)> {
    report
        .properties
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.verdict,
                p.counterexample.as_ref().map(|t| t.length),
                p.example_length,
            )
        })
        .collect()
}

/// Whether `property` of `model` is true in `state`.
///
/// # Panics
/// When the model has no such property.
#[track_caller]
pub fn property_holds<M: stateright::Model>(model: &M, property: &str, state: &M::State) -> bool {
    let Some(found) = model.properties().into_iter().find(|p| p.name == property) else {
        panic!("synccheck::testing: the model has no property `{property}`");
    };
    (found.condition)(model, state)
}

/// Asserts that `path`, the run a check shows for `property` with `verdict`, shows
/// what it claims: an `always` property is false in its last state (and true before
/// it: the path stops at the first violation), an `eventually` property is false on
/// every state of the lasso, and a `sometimes` example ends in a state where the
/// property is true. (`deadlock_free`, the runner's own property, has nothing to
/// evaluate.) `label` names the run in the message.
///
/// # Panics
/// When the path does not show it.
#[track_caller]
pub fn assert_witnessed<M: stateright::Model>(
    model: &M,
    label: &str,
    property: &str,
    verdict: Verdict,
    path: &crate::check::Path<M>,
) {
    use stateright::Expectation;
    let Some(found) = model.properties().into_iter().find(|p| p.name == property) else {
        return;
    };
    let holds = |state: &M::State| (found.condition)(model, state);
    match (found.expectation, verdict) {
        (Expectation::Always, Verdict::Violated) => {
            assert!(
                !holds(path.last_state()),
                "{label}: `{property}` holds in the counterexample's last state"
            );
            assert!(
                path.states[..path.states.len() - 1].iter().all(holds),
                "{label}: `{property}`'s counterexample goes past its first violation"
            );
        }
        (Expectation::Eventually, Verdict::Violated) => assert!(
            !path.states.iter().any(holds),
            "{label}: `{property}` is true somewhere on its lasso"
        ),
        (Expectation::Sometimes, Verdict::Reached) => assert!(
            holds(path.last_state()),
            "{label}: `{property}`'s example does not end where it is true"
        ),
        _ => {}
    }
}
