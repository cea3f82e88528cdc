//! T3 `retry_amplification` (docs/CATALOG.md): retries at every layer multiply the database
//! attempts of one user request; retrying at one layer within a token-bucket retry
//! budget bounds them. Pinned state counts and counterexample lengths, equal counts
//! with one and two threads, a counterexample that replays step by step, and the
//! amplification factor (the `database_attempts_per_request` metric) through the
//! catalog's entry point.

use std::collections::BTreeMap;
use synccheck::catalog;
use synccheck::check::{CheckOptions, Verdict};
use synccheck::models::retry::retry_amplification::{RetryAmplification, Variant};
use synccheck::report::{FewestBreaks, Necessity};
use synccheck::request::{AssumptionChanges, CheckRequest};
use synccheck::testing::{self, Pin};

const METRIC: &str = "database_attempts_per_request";

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

/// Under the model's own default assumptions (`bounded_delay(0)`), with one and two
/// threads: `states` unique states, the failure reaches the user, and
/// `attempts_within_budget` holds or is violated with a BFS counterexample of
/// `violated_steps` steps that replays and ends at the first attempt over the budget.
#[track_caller]
fn assert_pinned(
    label: &str,
    protocol: RetryAmplification,
    states: usize,
    violated_steps: Option<usize>,
) {
    let budget = match violated_steps {
        Some(steps) => Pin::violated("attempts_within_budget", steps),
        None => Pin::verdict("attempts_within_budget", Verdict::Holds),
    };
    let pins = [
        budget,
        Pin::verdict("failure_returned_to_user", Verdict::Reached),
        Pin::verdict("deadlock_free", Verdict::Holds),
    ];
    let system = testing::system(protocol, &[]);
    let outcome = testing::assert_pinned(&system, label, states, &pins);
    if violated_steps.is_some() {
        let path = outcome
            .property("attempts_within_budget")
            .and_then(|p| p.path.as_ref())
            .expect("a counterexample");
        assert_eq!(
            path.last_state().ghost.database_attempts,
            4,
            "{label}: the first attempt over the budget"
        );
    }
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

/// With every timing and fault assumption relaxed but duplication, the token bucket
/// still bounds the attempts (a complete search; the amplification stays 3). A network
/// that duplicates the Call defeats it: each copy delivered is one more database
/// attempt, the fourth in 7 steps, duplication the one (necessary) break. The attempts
/// then have no finite maximum: the metrics pass stops at the state limit and reports
/// a lower bound, while every verdict is decided.
#[test]
fn the_retry_budget_bounds_retries_but_not_duplicated_calls() {
    let protocol = || stack(Variant::SingleLayerBudget, 3, 3);
    let relaxed = testing::check(protocol())
        .relax_all()
        .hold("no_duplication")
        .run();
    relaxed
        .assert_states(25)
        .assert_holds("attempts_within_budget")
        .assert_reached("failure_returned_to_user")
        .assert_holds("deadlock_free");
    assert_eq!(relaxed.report.metrics.get(METRIC), Some(&3));
    assert!(!relaxed.report.metrics_lower_bounds);

    let duplicated = testing::check(protocol())
        .relax_all()
        .max_states(10_000)
        .run();
    let trace = duplicated.assert_violated("attempts_within_budget");
    assert_eq!(trace.length, 7);
    let breaks: Vec<(&str, Option<Necessity>)> = trace
        .breaks
        .iter()
        .map(|b| (b.assumption.as_str(), b.necessity))
        .collect();
    assert_eq!(breaks, [("no_duplication", Some(Necessity::Necessary))]);
    assert_eq!(trace.fewest_breaks, Some(FewestBreaks::Fewest));
    duplicated.assert_reached("failure_returned_to_user");
    let path = duplicated
        .outcome
        .property("attempts_within_budget")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    testing::assert_replays(&duplicated.system, path);
    assert_eq!(path.last_state().ghost.database_attempts, 4);
    assert!(duplicated.report.metrics_lower_bounds);
    assert!(duplicated
        .report
        .metrics
        .get(METRIC)
        .is_some_and(|m| *m > 3));
}
