//! Issue #16: no false verdict, nothing silently lost. Contradictory input is an
//! error, simulation and cancellation say why a verdict is unknown, a timer past the
//! declared largest constant is an error, and reports state the collision risk.

use std::process::{Command, Output};

fn synccheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synccheck"))
        .args(args)
        .env("SYNCCHECK_NO_PROGRESS", "1")
        .output()
        .expect("the binary runs")
}

fn assert_usage_error(args: &[&str], expected: &[&str]) {
    let output = synccheck(args);
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
    for fragment in expected {
        assert!(
            message.contains(fragment),
            "{args:?}: `{fragment}` missing from: {message}"
        );
    }
}

#[test]
fn hold_and_relax_of_one_assumption_is_an_error_in_either_order() {
    let expected = [
        "contradictory assumption changes for `bounded_pause`",
        "hold bounded_pause",
        "relax bounded_pause",
    ];
    for args in [
        ["--hold", "bounded_pause", "--relax", "bounded_pause"],
        ["--relax", "bounded_pause", "--hold", "bounded_pause"],
    ] {
        let mut full = vec!["check", "fenced_lease_lock"];
        full.extend(args);
        assert_usage_error(&full, &expected);
    }
    assert_usage_error(
        &[
            "check",
            "fenced_lease_lock",
            "--hold",
            "bounded_delay=1",
            "--hold",
            "bounded_delay=2",
        ],
        &["hold bounded_delay=1 and hold bounded_delay=2"],
    );
    assert_usage_error(
        &[
            "assumptions",
            "fenced_lease_lock",
            "--hold",
            "no_crash",
            "--relax",
            "max_crashes",
        ],
        &["contradictory assumption changes for `max_crashes`"],
    );
}

#[test]
fn a_plan_entry_holding_and_relaxing_one_assumption_is_an_error_where_it_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[check]]\nmodel = \"fenced_lease_lock\"\nhold = [\"bounded_pause\"]\nrelax = [\"bounded_pause\"]\n",
    )
    .expect("write");
    let plan = plan.to_string_lossy().into_owned();
    assert_usage_error(
        &["check", "--plan", &plan],
        &[&format!("{plan}:4:10:"), "contradictory assumption changes"],
    );
}

#[test]
fn simulation_says_it_proves_nothing_rather_than_that_a_limit_was_hit() {
    let output = synccheck(&[
        "check",
        "fenced_lease_lock",
        "--strategy",
        "simulation",
        "--walks",
        "3",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(
        text.contains("unknown (simulation samples runs; it never proves)"),
        "{text}"
    );
    assert!(!text.contains("limit was hit"), "{text}");
}

#[test]
fn a_search_stopped_because_every_property_was_decided_is_complete() {
    use synccheck::check::{run, CheckOptions, StopReason};
    use synccheck::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing};
    use synccheck::system::{Assumption, AssumptionSet, TimedSystem};
    let mut assumptions = AssumptionSet::default();
    assumptions.relax(Assumption::BoundedPause);
    let protocol = FencedLeaseLock {
        fencing: Fencing::None,
        lease_ticks: 5,
        validity_ticks: 2,
    };
    let system = TimedSystem::new(protocol, assumptions).expect("builds");
    let options = CheckOptions {
        check_deadlock: false,
        ..CheckOptions::default()
    };
    let outcome = run(&system, &options);
    assert_eq!(outcome.stop_reason, StopReason::AllDecided);
    assert!(
        outcome.complete(),
        "every property decided: nothing unknown"
    );
}
