//! `deadlock_free` decided by the timed system's rules (issue 15): with `bounded_delay`
//! relaxed some step is enabled in every state (a Tick; where a held constraint forbids
//! it, the due timer's Fire or the paused node's Resume that it waits for), so the
//! property holds without search (`TimedSystem::never_deadlocks`) and a search that has
//! decided every other property stops. The search checks the claim on every state it
//! expands (a state with no step would raise a model fault, voiding the verdicts), so
//! every check that relaxes the delay tests it too.

use synccheck::catalog;
use synccheck::check::{self, Budget, CheckOptions, Facts, StopReason, Verdict};
use synccheck::models::replication::primary_backup::{AckMode, PrimaryBackup};
use synccheck::report::CheckReport;
use synccheck::request::{AssumptionChanges, CheckRequest};
use synccheck::system::{Assumption, TimedSystem};
use synccheck::testing;

fn request(model: &str, variant: &str, changes: AssumptionChanges) -> CheckRequest {
    CheckRequest {
        model: model.to_string(),
        params: [("variant".to_string(), variant.to_string())].into(),
        changes,
    }
}

fn relax_all() -> AssumptionChanges {
    AssumptionChanges {
        relax_all: true,
        ..AssumptionChanges::default()
    }
}

#[track_caller]
fn run(request: &CheckRequest, options: &CheckOptions) -> CheckReport {
    catalog::registry()
        .run(request, options)
        .unwrap_or_else(|error| panic!("{}: {error}", request.model))
}

#[track_caller]
fn verdict(report: &CheckReport, property: &str) -> Verdict {
    report
        .property(property)
        .unwrap_or_else(|| panic!("{}: no property {property}", report.model))
        .verdict
}

/// `isr_replication leader_epoch` with every assumption relaxed: the follower crashes
/// with its fetched record unsynced (KIP-966). Before, the search went on through the
/// whole space (over 18 M states unfinished in 120 s) only to say that no state is
/// deadlocked; now it stops once the violation and both `sometimes` properties are
/// found.
#[test]
fn a_relaxed_delay_lets_the_search_stop_once_the_rest_is_decided() {
    let report = run(
        &request("isr_replication", "leader_epoch", relax_all()),
        &CheckOptions::default(),
    );
    assert_eq!(report.stop_reason, StopReason::AllDecided);
    assert!(report.complete);
    assert_eq!(verdict(&report, check::DEADLOCK_PROPERTY), Verdict::Holds);
    assert!(report.deadlock_free_by.is_some(), "the report says why");
    assert_eq!(verdict(&report, "acked_record_survives"), Verdict::Violated);
    assert_eq!(verdict(&report, "record_acked"), Verdict::Reached);
    assert_eq!(
        verdict(&report, "leader_elected_after_ack"),
        Verdict::Reached
    );
    let trace = report
        .property("acked_record_survives")
        .and_then(|p| p.counterexample.as_ref())
        .expect("a counterexample");
    assert_eq!(trace.length, 12);
    // The search of the full system guided by drift classes (15 241 states unguided,
    // `--no-class-guide`).
    assert_eq!(report.stats.unique_states, 14_282);
    assert_eq!(report.stats.max_depth, 12);
}

/// With `bounded_delay` held the rule does not apply: the search alone decides, and the
/// report gives no reason of its own.
#[test]
fn with_the_delay_held_the_search_decides_deadlock_freedom() {
    let changes = AssumptionChanges {
        relax_all: true,
        hold: vec!["bounded_delay=1".to_string()],
        ..AssumptionChanges::default()
    };
    let options = CheckOptions {
        max_states: Some(20_000),
        ..CheckOptions::default()
    };
    let report = run(
        &request("isr_replication", "leader_epoch", changes),
        &options,
    );
    assert!(report.deadlock_free_by.is_none());
    assert_eq!(report.stop_reason, StopReason::StateLimit);
    assert_eq!(verdict(&report, check::DEADLOCK_PROPERTY), Verdict::Unknown);
}

/// On a space the search exhausts either way, the rule changes nothing: the same
/// verdicts, paths' lengths and counts with and without it.
#[test]
fn on_a_complete_space_the_rule_agrees_with_the_search() {
    let spaces: Vec<(&str, TimedSystem<PrimaryBackup>)> = [AckMode::Sync, AckMode::Async]
        .into_iter()
        .flat_map(|ack_mode| {
            let protocol = PrimaryBackup {
                ack_mode,
                heartbeat_ticks: 2,
                failover_timeout_ticks: 4,
                write_after_ticks: 1,
            };
            [
                (
                    "delay relaxed",
                    testing::system(protocol.clone(), &[Assumption::BoundedDelay]),
                ),
                (
                    "everything relaxed",
                    testing::system(protocol, &Assumption::ALL),
                ),
            ]
        })
        .collect();
    for (label, system) in &spaces {
        assert!(system.never_deadlocks(), "{label}");
        let options = CheckOptions {
            fault: system.fault(),
            ..CheckOptions::default()
        };
        let searched = synccheck::testing::search_reduced(
            system,
            &options,
            None,
            Facts::default(),
            &Budget::start(&options),
        );
        // The rule alone: subsumption (late timers counted where everything is
        // relaxed) would leave states unexpanded and change the counts compared.
        let rule = Facts {
            subsume: None,
            ..system.facts()
        };
        let ruled = synccheck::testing::search_reduced(
            system,
            &options,
            None,
            rule,
            &Budget::start(&options),
        );
        assert_eq!(searched.stop_reason, StopReason::Complete, "{label}");
        let verdicts = |outcome: &check::Outcome<TimedSystem<PrimaryBackup>>| {
            outcome
                .properties
                .iter()
                .map(|p| (p.name, p.verdict, p.path.as_ref().map(|path| path.len())))
                .collect::<Vec<_>>()
        };
        assert_eq!(verdicts(&searched), verdicts(&ruled), "{label}");
        assert_eq!(
            searched
                .property(check::DEADLOCK_PROPERTY)
                .map(|p| p.verdict),
            Some(Verdict::Holds),
            "{label}: the search finds no deadlock either"
        );
        if ruled.stop_reason == StopReason::Complete {
            assert_eq!(
                searched.stats.unique_states, ruled.stats.unique_states,
                "{label}"
            );
        } else {
            assert_eq!(ruled.stop_reason, StopReason::AllDecided, "{label}");
            assert!(
                ruled.stats.unique_states < searched.stats.unique_states,
                "{label}"
            );
        }
    }
    let held = testing::system(
        PrimaryBackup {
            ack_mode: AckMode::Sync,
            heartbeat_ticks: 2,
            failover_timeout_ticks: 4,
            write_after_ticks: 1,
        },
        &[],
    );
    assert!(!held.never_deadlocks());
    assert!(!held.facts().never_deadlocks);
}
