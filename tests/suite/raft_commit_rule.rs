//! C5 `raft_commit_rule` (Raft paper, Figure 8): counting replicas of an earlier-term
//! entry is violated with a pinned shortest counterexample that replays; counting only
//! current-term entries holds on a complete search; state counts pinned and equal for
//! 1 and 2 threads; the human rendering tells the commit of the old-term entry and its
//! overwrite.

use std::collections::BTreeMap;

use stateright::Model;
use synccheck::catalog;
use synccheck::check::{self, CheckOptions, Outcome, Strategy, Verdict};
use synccheck::models::recovery::raft_commit_rule::{CommitRule, RaftAction, RaftCommitRule};
use synccheck::request::{AssumptionChanges, CheckRequest};
use synccheck::testing::{assert_pinned_symmetric, options, property_holds as holds, Pin};

/// The check `synccheck check` runs by default: symmetry-reduced, one thread.
fn check_symmetric(model: &RaftCommitRule) -> Outcome<RaftCommitRule> {
    check::run_symmetric(model, &options(Strategy::Bfs, 1), RaftCommitRule::canonical)
}

#[test]
fn counting_replicas_of_an_earlier_term_entry_breaks_state_machine_safety() {
    let model = RaftCommitRule::new(CommitRule::CountReplicas);
    let outcome = assert_pinned_symmetric(
        &model,
        RaftCommitRule::canonical,
        "count_replicas",
        125_117,
        &[
            Pin::violated("state_machine_safety", 19),
            Pin::verdict("election_safety", Verdict::Holds),
            Pin::reached("entry_committed", 6),
            Pin::verdict("deadlock_free", Verdict::Holds),
        ],
    );
    let path = outcome
        .property("state_machine_safety")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    let last = path.last_state();
    assert!(!holds(&model, "state_machine_safety", last));
    // Index 1 held an applied entry of term 1, then one of term 2.
    assert_eq!(last.applied_terms(1), vec![1, 2]);
    // The commit before the overwrite was of an entry older than its leader's term:
    // a leader commits (1, term 1) in term 3.
    let commit = path
        .actions
        .iter()
        .zip(&path.states)
        .find_map(|(action, before)| match *action {
            RaftAction::AdvanceCommitIndex(leader) => Some((leader, before)),
            _ => None,
        })
        .expect("an AdvanceCommitIndex step");
    let (leader, before) = (usize::from(commit.0), commit.1);
    assert_eq!(before.current_term(leader), 3);
    assert_eq!(before.log(leader), [1]);
}

#[test]
fn the_same_run_commits_nothing_under_the_current_term_rule() {
    // Figure 8 (e): replay the counterexample's actions under `current_term_only`;
    // the commit of the term-1 entry in term 3 is a stuttering step.
    let naive = RaftCommitRule::new(CommitRule::CountReplicas);
    let outcome = check_symmetric(&naive);
    let path = outcome
        .property("state_machine_safety")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    let fixed = RaftCommitRule::new(CommitRule::CurrentTermOnly);
    let mut state = fixed.init_states()[0];
    for action in &path.actions {
        if let RaftAction::AdvanceCommitIndex(_) = action {
            assert_eq!(fixed.next_state(&state, *action), None, "nothing to commit");
            continue;
        }
        state = fixed
            .next_state(&state, *action)
            .expect("enabled as before");
        assert!(holds(&fixed, "state_machine_safety", &state));
    }
    assert_eq!(state.applied_terms(1), Vec::<u8>::new());
}

#[test]
fn counting_only_current_term_entries_holds() {
    let model = RaftCommitRule::new(CommitRule::CurrentTermOnly);
    assert_pinned_symmetric(
        &model,
        RaftCommitRule::canonical,
        "current_term_only",
        98_922,
        &[
            Pin::verdict("state_machine_safety", Verdict::Holds),
            Pin::verdict("election_safety", Verdict::Holds),
            Pin::reached("entry_committed", 6),
            Pin::verdict("deadlock_free", Verdict::Holds),
        ],
    );
}

#[test]
fn the_full_space_is_about_six_times_the_symmetry_classes() {
    let model = RaftCommitRule {
        symmetry: false,
        ..RaftCommitRule::new(CommitRule::CurrentTermOnly)
    };
    let outcome = check::run(&model, &options(Strategy::Bfs, 2));
    assert!(outcome.complete());
    assert_eq!(outcome.stats.unique_states, 587_285);
    let property = outcome.property("state_machine_safety").expect("declared");
    assert_eq!(property.verdict, Verdict::Holds);
    // Every class of a state with a server renumbering: at most six states each.
    let classes = 98_922;
    assert!(outcome.stats.unique_states <= 6 * classes);
    assert!(outcome.stats.unique_states > 5 * classes);
}

#[test]
fn representative_is_canonical_over_renumberings() {
    let model = RaftCommitRule::new(CommitRule::CountReplicas);
    let outcome = check_symmetric(&model);
    let path = outcome
        .property("state_machine_safety")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    for state in &path.states {
        let representative = state.representative();
        assert_eq!(representative.representative(), representative);
        // The properties agree on every member of the class.
        for name in ["state_machine_safety", "election_safety", "entry_committed"] {
            assert_eq!(
                holds(&model, name, state),
                holds(&model, name, &representative),
                "{name}"
            );
        }
    }
}

fn catalog_check(commit_rule: &str) -> synccheck::report::CheckReport {
    let request = CheckRequest {
        model: "raft_commit_rule".to_string(),
        params: BTreeMap::from([("commit_rule".to_string(), commit_rule.to_string())]),
        changes: AssumptionChanges::default(),
    };
    catalog::registry()
        .run(&request, &CheckOptions::default())
        .expect("a valid request")
}

#[test]
fn the_rendered_counterexample_tells_the_old_term_commit_and_its_overwrite() {
    let report = catalog_check("count_replicas");
    let property = report.property("state_machine_safety").expect("declared");
    assert_eq!(property.verdict, Verdict::Violated);
    let trace = property.counterexample.as_ref().expect("a counterexample");
    assert_eq!(trace.length, 19);
    let text = synccheck::report::render_human(&report);
    assert!(
        text.contains(
            "S1 commits entry (index 1, term 1), an entry of an earlier term, \
             by counting its replicas in term 3"
        ),
        "{text}"
    );
    assert!(
        text.contains("S1 overwrites the committed entry (index 1, term 1) with (index 1, term 2)"),
        "{text}"
    );
    assert!(
        text.contains("the committed entry at index 1 changed"),
        "{text}"
    );
    assert!(text.contains("AdvanceCommitIndex: S1"), "{text}");
    // The commit comes before the overwrite, in step order.
    let commit = text.find("an entry of an earlier term").expect("present");
    let overwrite = text
        .find("overwrites the committed entry")
        .expect("present");
    assert!(commit < overwrite);
}

#[test]
fn the_catalog_default_is_the_safe_rule() {
    let report = catalog_check("current_term_only");
    assert!(report.complete);
    let verdict = |name: &str| report.property(name).map(|p| p.verdict);
    assert_eq!(verdict("state_machine_safety"), Some(Verdict::Holds));
    assert_eq!(verdict("entry_committed"), Some(Verdict::Reached));
    let registry = catalog::registry();
    let entry = registry.find("raft_commit_rule").expect("listed");
    let commit_rule = entry
        .parameters()
        .iter()
        .find(|p| p.name == "commit_rule")
        .expect("declared");
    assert_eq!(commit_rule.default, "current_term_only");
}
