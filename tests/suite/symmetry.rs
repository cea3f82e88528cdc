//! Symmetry reduction in synccheck's own runner: TwoPhase's RMs are interchangeable,
//! so `check::run_symmetric` stores one state per class of RM renumberings. The counts
//! are the number of classes (orbits), identical for BFS and DFS and for any thread
//! count; verdicts are unchanged; example paths are concrete runs that replay.

use std::collections::BTreeMap;
use synccheck::catalog;
use synccheck::check::{self, CheckOptions, StopReason, Strategy, Verdict};
use synccheck::models::recovery::two_phase_commit::TwoPhaseCommit;
use synccheck::request::{AssumptionChanges, CheckRequest};
use synccheck::testing::{assert_replays, options};

/// (RMs, classes of reachable states, full count as TLC's, depth = 3 × RMs + 2).
const COUNTS: [(usize, usize, usize); 4] = [
    (3, 80, 288),
    (4, 166, 1_568),
    (5, 314, 8_832),
    (6, 553, 50_816),
];

#[test]
fn symmetry_reduced_counts_are_pinned_for_any_strategy_and_thread_count() {
    for (rms, classes, _) in COUNTS {
        let model = TwoPhaseCommit::new(rms).expect("valid rms");
        for strategy in [Strategy::Bfs, Strategy::Dfs] {
            for threads in [1, 2] {
                let outcome = check::run_symmetric(
                    &model,
                    &options(strategy, threads),
                    TwoPhaseCommit::canonical,
                );
                let case = format!("rms = {rms}, {strategy:?}, {threads} threads");
                assert_eq!(outcome.stop_reason, StopReason::Complete, "{case}");
                assert_eq!(outcome.stats.unique_states, classes, "{case}");
                for (name, verdict) in [
                    ("consistent", Verdict::Holds),
                    ("type_ok", Verdict::Holds),
                    ("commit_reached", Verdict::Reached),
                    ("abort_reached", Verdict::Reached),
                    (check::DEADLOCK_PROPERTY, Verdict::Holds),
                ] {
                    let property = outcome.property(name).expect("the property is checked");
                    assert_eq!(property.verdict, verdict, "{case}, {name}");
                }
            }
        }
    }
}

#[test]
fn bfs_depth_is_unchanged_by_symmetry() {
    for (rms, _, _) in COUNTS {
        let model = TwoPhaseCommit::new(rms).expect("valid rms");
        let outcome = check::run_symmetric(
            &model,
            &options(Strategy::Bfs, 1),
            TwoPhaseCommit::canonical,
        );
        assert_eq!(outcome.stats.max_depth, 3 * rms + 2, "rms = {rms}");
    }
}

#[test]
fn symmetric_example_paths_are_concrete_shortest_runs() {
    for (rms, _, _) in COUNTS {
        let model = TwoPhaseCommit::new(rms).expect("valid rms");
        for threads in [1, 2] {
            let outcome = check::run_symmetric(
                &model,
                &options(Strategy::Bfs, threads),
                TwoPhaseCommit::canonical,
            );
            let commit = outcome
                .property("commit_reached")
                .and_then(|p| p.path.as_ref())
                .expect("commit_reached has an example");
            assert_eq!(commit.len(), 3 * rms + 1, "rms = {rms}");
            assert_replays(&model, commit);
            let last = commit.last_state();
            assert!(
                last.rm_states()
                    .all(|s| s == synccheck::models::recovery::two_phase_commit::RmState::Committed),
                "rms = {rms}: {last:?}"
            );
            let abort = outcome
                .property("abort_reached")
                .and_then(|p| p.path.as_ref())
                .expect("abort_reached has an example");
            assert_eq!(abort.len(), 1, "rms = {rms}");
            assert_replays(&model, abort);
        }
        // DFS paths may be longer, but they are runs of the model too.
        let outcome = check::run_symmetric(
            &model,
            &options(Strategy::Dfs, 1),
            TwoPhaseCommit::canonical,
        );
        for name in ["commit_reached", "abort_reached"] {
            let path = outcome
                .property(name)
                .and_then(|p| p.path.as_ref())
                .expect("the property has an example");
            assert_replays(&model, path);
        }
    }
}

#[test]
fn catalog_parameter_turns_symmetry_on_and_defaults_to_off() {
    for (rms, classes, full) in COUNTS {
        for (symmetry, expected) in [(None, full), (Some("off"), full), (Some("on"), classes)] {
            let mut params = BTreeMap::from([("rms".to_string(), rms.to_string())]);
            if let Some(value) = symmetry {
                params.insert("symmetry".to_string(), value.to_string());
            }
            let request = CheckRequest {
                model: "two_phase_commit".to_string(),
                params,
                changes: AssumptionChanges::default(),
            };
            for threads in [1, 2] {
                let report = catalog::registry()
                    .run(&request, &options(Strategy::Bfs, threads))
                    .expect("a valid request");
                assert_eq!(
                    report.stats.unique_states, expected,
                    "rms = {rms}, symmetry = {symmetry:?}, {threads} threads"
                );
                // The report says what the counts are of, in words a reader can parse.
                let text = synccheck::report::render_human(&report);
                let said = text
                    .contains("symmetry: one state per class of the model's own canonicalization");
                assert_eq!(said, symmetry == Some("on"), "{text}");
            }
        }
    }
}

#[test]
fn catalog_rejects_an_unknown_symmetry_value() {
    let request = CheckRequest {
        model: "two_phase_commit".to_string(),
        params: BTreeMap::from([("symmetry".to_string(), "yes".to_string())]),
        changes: AssumptionChanges::default(),
    };
    assert!(catalog::registry()
        .run(&request, &CheckOptions::default())
        .is_err());
}
