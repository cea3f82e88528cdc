//! Verdicts of the recovery-coordination models (docs/CATALOG.md C2–C6): buggy variants
//! violated with a pinned shortest counterexample that replays, fixed variants holding
//! on a complete search, unique-state counts pinned and equal for 1 and 2 threads.

use synccheck::check::{Strategy, Verdict};
use synccheck::models::recovery::concurrent_failover::{ConcurrentFailover, Coordination};
use synccheck::models::recovery::failover_split_brain::{FailoverSplitBrain, Guard};
use synccheck::models::recovery::raft_vote_persistence::RaftVotePersistence;
use synccheck::system::{Action, Assumption, AssumptionSet, Protocol, TimedSystem};
use synccheck::testing::{self, assert_pinned, options, system, Pin};

/// The relaxed assumption the counterexample of `property` broke, and the step.
fn break_of<P: Protocol>(system: &TimedSystem<P>, property: &str) -> Vec<(String, usize)> {
    let outcome = testing::search(system, &options(Strategy::Bfs, 1));
    let params = synccheck::model::Params::default();
    let report = synccheck::report::build(
        "model",
        &params,
        Some(system.assumptions()),
        &options(Strategy::Bfs, 1),
        system,
        &outcome,
    );
    let trace = report
        .property(property)
        .and_then(|p| p.counterexample.as_ref())
        .expect("a counterexample");
    trace
        .breaks
        .iter()
        .map(|b| (b.assumption.clone(), b.step))
        .collect()
}

// ---------------------------------------------------------------- C6

fn raft_votes(persist_vote: bool) -> RaftVotePersistence {
    RaftVotePersistence {
        persist_vote,
        wait_for_disk: false,
        max_term: 2,
        election_timeout_ticks: 1,
    }
}

#[test]
fn raft_vote_persistence_defaults_hold_one_crash_and_zero_delay() {
    let set = raft_votes(true).default_assumptions();
    assert_eq!(set.held_bound(Assumption::MaxCrashes), Some(1));
    assert_eq!(set.held_bound(Assumption::BoundedDelay), Some(0));
    assert!(set.is_held(Assumption::DurableWrites));
    assert_ne!(set, AssumptionSet::default());
}

#[test]
fn raft_vote_persistence_an_unpersisted_vote_elects_two_leaders() {
    let model = system(raft_votes(false), &[]);
    let outcome = assert_pinned(
        &model,
        "persist_vote=false",
        7_966,
        &[
            Pin::violated("election_safety", 9),
            Pin::verdict("leader_elected", Verdict::Reached),
        ],
    );
    let path = outcome
        .property("election_safety")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    let last = path.last_state();
    // Which two servers: whichever of the equally short counterexamples the search
    // shows (the tie-break is by fingerprint).
    let leaders = &last.ghost.leaders;
    assert!(
        leaders.len() == 2
            && leaders.iter().all(|(term, _)| *term == 1)
            && leaders[0].1 != leaders[1].1,
        "two leaders of term 1: {leaders:?}"
    );
    assert_eq!(last.crashes, 1);
    // No relaxed assumption was needed: the protocol itself loses the vote.
    assert!(break_of(&model, "election_safety").is_empty());
}

#[test]
fn raft_vote_persistence_a_persisted_vote_keeps_one_leader_per_term() {
    let model = system(raft_votes(true), &[]);
    assert_pinned(
        &model,
        "persist_vote=true",
        5_689,
        &[
            Pin::verdict("election_safety", Verdict::Holds),
            Pin::verdict("leader_elected", Verdict::Reached),
            Pin::verdict("deadlock_free", Verdict::Holds),
        ],
    );
}

#[test]
fn raft_vote_persistence_an_unsynced_vote_is_lost_in_the_crash() {
    let model = system(raft_votes(true), &[Assumption::DurableWrites]);
    assert_pinned(
        &model,
        "persist_vote=true, durable_writes relaxed",
        240_912,
        &[
            Pin::violated("election_safety", 9),
            Pin::verdict("leader_elected", Verdict::Reached),
        ],
    );
    assert_eq!(
        break_of(&model, "election_safety"),
        vec![("durable_writes".to_string(), 5)],
        "the crash of s1 with its vote in the page cache"
    );
}

// ---------------------------------------------------------------- C2

fn split_brain(guard: Guard) -> FailoverSplitBrain {
    FailoverSplitBrain {
        guard,
        lease_ticks: 1,
        failover_ticks: 3,
    }
}

#[test]
fn failover_split_brain_every_variant_holds_while_timing_holds() {
    for (guard, states) in [
        (Guard::NoFencing, 73),
        (Guard::EpochFencing, 73),
        (Guard::LeaseDemotion, 108),
    ] {
        assert_pinned(
            &system(split_brain(guard), &[]),
            &format!("{guard:?}"),
            states,
            &[
                Pin::verdict("single_writer_per_epoch", Verdict::Holds),
                Pin::verdict("no_divergent_acks", Verdict::Holds),
                Pin::verdict("both_acked", Verdict::Reached),
                Pin::verdict("deadlock_free", Verdict::Holds),
            ],
        );
    }
}

#[test]
fn failover_split_brain_without_fencing_or_with_a_lease_breaks_under_relaxed_timing() {
    let cases = [
        (Guard::NoFencing, Assumption::BoundedPause, 322, 13, 15),
        (Guard::NoFencing, Assumption::BoundedDelay, 107, 11, 13),
        (Guard::LeaseDemotion, Assumption::BoundedPause, 700, 13, 15),
        (Guard::LeaseDemotion, Assumption::BoundedSkew, 2_509, 11, 13),
        (Guard::LeaseDemotion, Assumption::BoundedDelay, 135, 12, 14),
    ];
    for (guard, relaxed, states, writer_steps, ack_steps) in cases {
        let model = system(split_brain(guard), &[relaxed]);
        assert_pinned(
            &model,
            &format!("{guard:?} {relaxed} relaxed"),
            states,
            &[
                Pin::violated("single_writer_per_epoch", writer_steps),
                Pin::violated("no_divergent_acks", ack_steps),
                Pin::verdict("both_acked", Verdict::Reached),
            ],
        );
        let breaks = break_of(&model, "single_writer_per_epoch");
        assert_eq!(breaks.len(), 1, "{guard:?} {relaxed}");
        assert_eq!(breaks[0].0, relaxed.name(), "{guard:?}");
    }
}

#[test]
fn failover_split_brain_epoch_fencing_holds_with_everything_relaxed() {
    let mut but_duplication = AssumptionSet::all_relaxed();
    but_duplication
        .hold(Assumption::NoDuplication, None)
        .expect("valid");
    // With duplication the network is the message set (a delivered message stays in
    // flight); the storage keeps the newest epoch applied, not a log a duplicated
    // write would lengthen.
    for (set, label, states) in [
        (but_duplication, "all relaxed but duplication", 1_621),
        (AssumptionSet::all_relaxed(), "all relaxed", 2_325),
    ] {
        let model = TimedSystem::new(split_brain(Guard::EpochFencing), set).expect("within limits");
        assert_pinned(
            &model,
            &format!("epoch_fencing, {label}"),
            states,
            &[
                Pin::verdict("single_writer_per_epoch", Verdict::Holds),
                Pin::verdict("no_divergent_acks", Verdict::Holds),
                Pin::verdict("both_acked", Verdict::Reached),
                Pin::verdict("deadlock_free", Verdict::Holds),
            ],
        );
    }
}

// ---------------------------------------------------------------- C3

fn failover(coordination: Coordination) -> ConcurrentFailover {
    ConcurrentFailover {
        coordination,
        window_ticks: 4,
    }
}

#[test]
fn concurrent_failover_serialized_controllers_keep_one_primary() {
    for (coordination, states) in [
        (Coordination::Independent, 35),
        (Coordination::CompareAndSet, 51),
    ] {
        assert_pinned(
            &system(failover(coordination), &[]),
            &format!("{coordination:?}"),
            states,
            &[
                Pin::verdict("at_most_one_primary", Verdict::Holds),
                Pin::verdict("primary_promoted", Verdict::Reached),
                Pin::verdict("deadlock_free", Verdict::Holds),
            ],
        );
    }
}

#[test]
fn concurrent_failover_independent_promotion_breaks_once_controllers_overlap() {
    let cases = [
        (Assumption::BoundedPause, 848, 14),
        (Assumption::BoundedDelay, 182, 12),
        (Assumption::BoundedSkew, 314, 12),
        (Assumption::TimelyTimers, 212, 12),
    ];
    for (relaxed, states, steps) in cases {
        let model = system(failover(Coordination::Independent), &[relaxed]);
        assert_pinned(
            &model,
            &format!("independent, {relaxed} relaxed"),
            states,
            &[
                Pin::violated("at_most_one_primary", steps),
                Pin::verdict("primary_promoted", Verdict::Reached),
            ],
        );
        let breaks = break_of(&model, "at_most_one_primary");
        assert_eq!(breaks.len(), 1, "{relaxed}");
        assert_eq!(breaks[0].0, relaxed.name());
    }
}

#[test]
fn concurrent_failover_compare_and_set_holds_with_everything_relaxed_but_duplication() {
    let mut set = AssumptionSet::all_relaxed();
    set.hold(Assumption::NoDuplication, None).expect("valid");
    let model =
        TimedSystem::new(failover(Coordination::CompareAndSet), set).expect("within limits");
    assert_pinned(
        &model,
        "compare_and_set, all relaxed but duplication",
        4_861,
        &[
            Pin::verdict("at_most_one_primary", Verdict::Holds),
            Pin::verdict("primary_promoted", Verdict::Reached),
            Pin::verdict("deadlock_free", Verdict::Holds),
        ],
    );
}

#[test]
fn concurrent_failover_recovery_settles_on_one_primary_unless_a_controller_crashes_mid_way() {
    let settles = [
        (Coordination::Independent, None, 35),
        (Coordination::CompareAndSet, None, 51),
        (
            Coordination::CompareAndSet,
            Some(Assumption::BoundedDelay),
            174,
        ),
    ];
    for (coordination, relaxed, states) in settles {
        let model = system(failover(coordination), relaxed.as_slice());
        assert_pinned(
            &model,
            &format!("{coordination:?}, {relaxed:?} relaxed"),
            states,
            &[Pin::verdict("eventually_one_primary", Verdict::Holds)],
        );
    }
    // Two primaries stay two: the lasso is the settled, split system with time passing.
    let split = system(
        failover(Coordination::Independent),
        &[Assumption::BoundedDelay],
    );
    assert_pinned(
        &split,
        "independent, delay relaxed",
        182,
        &[Pin::lasso("eventually_one_primary", 15, 15)],
    );
    // Compare-and-set, one crash: c1's CAS is applied, c1 crashes before `CasOk`;
    // c2 reads a record that names r1 and stands down; nobody ever promotes r1.
    let mut set = failover(Coordination::CompareAndSet).default_assumptions();
    set.hold(Assumption::MaxCrashes, Some(1)).expect("valid");
    let crash = TimedSystem::new(failover(Coordination::CompareAndSet), set).expect("limits");
    let outcome = assert_pinned(
        &crash,
        "compare_and_set, one crash",
        227,
        &[
            Pin::verdict("at_most_one_primary", Verdict::Holds),
            Pin::lasso("eventually_one_primary", 13, 13),
        ],
    );
    let lasso = outcome
        .property("eventually_one_primary")
        .and_then(|p| p.path.as_ref())
        .expect("a lasso");
    assert_eq!(
        lasso.actions[4],
        Action::Crash { node: 4 },
        "c1 crashes at step 5"
    );
    // Pauses relaxed: weak fairness lets a controller pause every time it could act
    // (a GC storm); the loop is fair because its `Detect` firing is disabled while
    // paused, and time advances in it.
    let storm = system(
        failover(Coordination::CompareAndSet),
        &[Assumption::BoundedPause],
    );
    let outcome = assert_pinned(
        &storm,
        "compare_and_set, pauses",
        816,
        &[Pin::lasso("eventually_one_primary", 10, 6)],
    );
    let lasso = outcome
        .property("eventually_one_primary")
        .and_then(|p| p.path.as_ref())
        .expect("a lasso");
    assert!(lasso.actions[5..].contains(&Action::Tick), "time advances");
    assert!(lasso.actions[5..].contains(&Action::Pause { node: 4 }));
}
