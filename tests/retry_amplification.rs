//! T3 `retry_amplification` (docs/CATALOG.md): retries at every layer multiply the database
//! attempts of one user request; retrying at one layer within a token-bucket retry
//! budget bounds them. Pinned state counts and counterexample lengths, equal counts
//! with one and two threads, a counterexample that replays step by step, and the
//! amplification factor (the `database_attempts_per_request` metric) through the
//! catalog's entry point.

use stateright::Model;
use std::collections::BTreeMap;
use synccheck::catalog;
use synccheck::check::{self, CheckOptions, Strategy, Verdict};
use synccheck::models::retry::retry_amplification::{RetryAmplification, Variant};
use synccheck::request::{AssumptionChanges, CheckRequest};
use synccheck::system::{Protocol, TimedSystem};

const METRIC: &str = "database_attempts_per_request";

fn options(threads: usize) -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Bfs,
        threads,
        ..CheckOptions::default()
    }
}

fn stack(variant: Variant, layers: u8, attempts: u8) -> RetryAmplification {
    RetryAmplification {
        variant,
        layers,
        attempts,
        attempts_budget: 3,
        retry_tokens_initial: 1,
        retry_tokens_cap: 2,
    }
}

/// The system under the model's own default assumptions (`bounded_delay(0)`).
fn system(protocol: RetryAmplification) -> TimedSystem<RetryAmplification> {
    let assumptions = protocol.default_assumptions();
    TimedSystem::new(protocol, assumptions).expect("the protocol is within the engine's limits")
}

/// Replays a path: every step is enabled and leads to the recorded state, and the last
/// state violates `property`.
fn assert_replays(
    system: &TimedSystem<RetryAmplification>,
    path: &check::Path<TimedSystem<RetryAmplification>>,
    property: &str,
) {
    assert_eq!(path.states[0], system.initial_state());
    for (index, action) in path.actions.iter().enumerate() {
        let mut enabled = Vec::new();
        system.actions(&path.states[index], &mut enabled);
        assert!(enabled.contains(action), "step {} is enabled", index + 1);
        let next = system
            .step(&path.states[index], action)
            .expect("the action applies");
        assert_eq!(
            next,
            path.states[index + 1],
            "step {} reproduces",
            index + 1
        );
    }
    let properties = system.properties();
    let condition = properties
        .iter()
        .find(|p| p.name == property)
        .expect("declared")
        .condition;
    assert!(
        !condition(system, path.last_state()),
        "the last state violates {property}"
    );
}

/// Checks with one and two threads: complete, `states` unique states in both, the
/// failure reaches the user, and `attempts_within_budget` holds or is violated with a
/// BFS counterexample of `violated_steps` steps that replays.
fn assert_pinned(
    label: &str,
    protocol: RetryAmplification,
    states: usize,
    violated_steps: Option<usize>,
) {
    let system = system(protocol);
    let one = check::run(&system, &options(1));
    let two = check::run(&system, &options(2));
    assert!(one.complete(), "{label}: complete");
    assert!(two.complete(), "{label}: complete with 2 threads");
    assert_eq!(one.stats.unique_states, states, "{label}");
    assert_eq!(two.stats.unique_states, states, "{label} x2");
    let verdict = |name: &str| one.property(name).map(|p| p.verdict);
    assert_eq!(
        verdict("failure_returned_to_user"),
        Some(Verdict::Reached),
        "{label}"
    );
    assert_eq!(verdict("deadlock_free"), Some(Verdict::Holds), "{label}");
    let Some(steps) = violated_steps else {
        assert_eq!(
            verdict("attempts_within_budget"),
            Some(Verdict::Holds),
            "{label}"
        );
        return;
    };
    assert_eq!(
        verdict("attempts_within_budget"),
        Some(Verdict::Violated),
        "{label}"
    );
    let path = one
        .property("attempts_within_budget")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    assert_eq!(path.len(), steps, "{label}: length");
    let length_with_two = two
        .property("attempts_within_budget")
        .and_then(|p| p.path.as_ref())
        .map(|p| p.len());
    assert_eq!(length_with_two, Some(steps), "{label}: length x2");
    assert_replays(&system, path, "attempts_within_budget");
    assert_eq!(
        path.last_state().ghost.database_attempts,
        4,
        "{label}: the first attempt over the budget"
    );
}

#[test]
fn every_layer_retry_exceeds_the_budget() {
    assert_pinned(
        "every_layer, 3x3",
        stack(Variant::EveryLayer, 3, 3),
        81,
        Some(12),
    );
    // Layer 3's own fourth attempt comes before any retry from above.
    assert_pinned(
        "every_layer, 3x5",
        stack(Variant::EveryLayer, 3, 5),
        313,
        Some(10),
    );
}

#[test]
fn every_layer_retry_with_one_layer_is_within_the_budget() {
    assert_pinned(
        "every_layer, 1x3",
        stack(Variant::EveryLayer, 1, 3),
        9,
        None,
    );
}

#[test]
fn single_layer_budget_holds() {
    for (layers, states) in [(1, 9), (2, 11), (3, 13), (4, 15)] {
        let label = format!("single_layer_budget, {layers} layers");
        assert_pinned(
            &label,
            stack(Variant::SingleLayerBudget, layers, 3),
            states,
            None,
        );
    }
    // The token bucket, not the per-call limit, stops the retries here.
    assert_pinned(
        "single_layer_budget, 3x5",
        stack(Variant::SingleLayerBudget, 3, 5),
        13,
        None,
    );
}

fn amplification(variant: &str, layers: u32, attempts: u32) -> u64 {
    let params = BTreeMap::from([
        ("variant".to_string(), variant.to_string()),
        ("layers".to_string(), layers.to_string()),
        ("attempts".to_string(), attempts.to_string()),
    ]);
    let request = CheckRequest {
        model: "retry_amplification".to_string(),
        params,
        changes: AssumptionChanges::default(),
    };
    let report = catalog::registry()
        .run(&request, &CheckOptions::default())
        .expect("a valid request");
    assert!(report.complete, "{variant}, {layers} layers: complete");
    let metric = report.metrics.get(METRIC).copied();
    metric.unwrap_or_else(|| panic!("{variant}, {layers} layers: {METRIC} reported"))
}

#[test]
fn amplification_factor_is_attempts_to_the_layers_without_a_budget() {
    assert_eq!(amplification("every_layer", 3, 3), 27);
    for (layers, expected) in [(1, 3), (2, 9), (3, 27), (4, 81)] {
        assert_eq!(
            amplification("every_layer", layers, 3),
            expected,
            "{layers}"
        );
    }
    assert_eq!(amplification("every_layer", 3, 5), 125);
}

#[test]
fn amplification_factor_is_bounded_by_the_retry_budget() {
    for layers in 1..=4 {
        assert_eq!(
            amplification("single_layer_budget", layers, 3),
            3,
            "{layers}"
        );
    }
    assert_eq!(amplification("single_layer_budget", 3, 5), 3);
}

#[test]
fn catalog_run_reports_27_attempts_for_the_default_stack() {
    let request = CheckRequest {
        model: "retry_amplification".to_string(),
        params: BTreeMap::from([("variant".to_string(), "every_layer".to_string())]),
        changes: AssumptionChanges::default(),
    };
    let report = catalog::registry()
        .run(&request, &CheckOptions::default())
        .expect("a valid request");
    assert_eq!(report.metrics.get(METRIC), Some(&27));
    assert_eq!(
        report.property("attempts_within_budget").map(|p| p.verdict),
        Some(Verdict::Violated)
    );
}
