//! The lean state (`system::Lean`: no message ages with `bounded_delay` relaxed and
//! `no_duplication` held, no pause lengths with `bounded_pause` relaxed) changes only
//! the number of stored states: every verdict and every counterexample length is the
//! one of the full state (`--no-lean`), on every small check of the catalog plans.
//! And it is opt-in (`Protocol::LEAN_STATE`): a protocol whose property reads message
//! ages or pause lengths, and does not opt in, gets the right verdict.

use synccheck::check::{CheckOptions, StopReason};
use synccheck::report::CheckReport;

/// A check is small when its lean run completes within this many states (the full
/// run may store more: it gets `FULL_STATES_MAX`).
const LEAN_STATES_MAX: usize = 4_000;
const FULL_STATES_MAX: usize = 40_000;

fn run(
    registry: &synccheck::registry::Registry,
    check: &synccheck::plan::PlanCheck,
    max_states: usize,
    no_lean: bool,
) -> Option<CheckReport> {
    let options = CheckOptions {
        max_states: Some(check.max_states.unwrap_or(max_states).min(max_states)),
        no_lean,
        ..CheckOptions::default()
    };
    registry.run(&check.request, &options).ok()
}

#[test]
fn lean_and_full_state_give_identical_verdicts_and_counterexample_lengths_on_the_catalog_plans(
) {
    let registry = synccheck::catalog::registry();
    let mut compared = 0;
    let mut leaner = 0;
    let mut same_trace = 0;
    let mut traces = 0;
    for source in registry.plans() {
        let plan = synccheck::plan::parse(&source.file, &source.text, &registry).expect("parses");
        for check in &plan.checks {
            let started = std::time::Instant::now();
            let Some(lean) = run(&registry, check, LEAN_STATES_MAX, false) else {
                continue;
            };
            if lean.stop_reason != StopReason::Complete {
                eprintln!("{}: not small", check.name);
                continue;
            }
            let full = run(&registry, check, FULL_STATES_MAX, true).expect("runs without lean");
            eprintln!(
                "{}: {} lean, {} full states, {:?}",
                check.name,
                lean.stats.unique_states,
                full.stats.unique_states,
                started.elapsed()
            );
            assert_eq!(full.stop_reason, StopReason::Complete, "{}", check.name);
            assert!(
                full.stats.unique_states >= lean.stats.unique_states,
                "{}",
                check.name
            );
            if full.stats.unique_states > lean.stats.unique_states {
                leaner += 1;
            }
            assert_eq!(lean.properties.len(), full.properties.len());
            for (l, f) in lean.properties.iter().zip(&full.properties) {
                let name = format!("{} {}", check.name, l.name);
                assert_eq!(l.name, f.name, "{name}");
                assert_eq!(l.verdict, f.verdict, "{name}");
                assert_eq!(l.example_length, f.example_length, "{name}");
                assert_eq!(
                    l.counterexample.as_ref().map(|t| t.length),
                    f.counterexample.as_ref().map(|t| t.length),
                    "{name}"
                );
                if let (Some(lt), Some(ft)) = (&l.counterexample, &f.counterexample) {
                    traces += 1;
                    if lt == ft {
                        same_trace += 1;
                    } else {
                        eprintln!("{name}: traces differ");
                    }
                }
            }
            compared += 1;
        }
    }
    eprintln!("{compared} compared, {leaner} leaner, {same_trace}/{traces} same traces");
    assert!(compared >= 10, "only {compared} small checks");
}
