//! Verdicts of `tombstone_gc` (docs/CATALOG.md R4): purging a tombstone after a grace
//! period resurrects the deleted value when `replica_2` is away longer than the grace
//! period (paused or crashed); purging only after both peers acknowledged it holds with
//! every timing assumption relaxed, and GC stalls while a replica is away.
//! Unique-state counts pinned and equal for 1 and 2 threads.

use synccheck::check::Verdict;
use synccheck::models::replication::tombstone_gc::{Purge, TombstoneGc};
use synccheck::system::{Action, Assumption};
use synccheck::testing::{assert_pinned, system, system_holding, Pin};

fn protocol(purge: Purge) -> TombstoneGc {
    TombstoneGc {
        purge,
        grace_ticks: 2,
        delete_after_ticks: 1,
        gossip_interval_ticks: 1,
    }
}

const TIMING: [Assumption; 4] = [
    Assumption::BoundedDelay,
    Assumption::BoundedSkew,
    Assumption::BoundedPause,
    Assumption::TimelyTimers,
];

#[test]
fn with_timing_held_both_purge_rules_are_safe_and_converge() {
    for (purge, states) in [(Purge::AfterGrace, 3383), (Purge::AfterAllAcks, 1000)] {
        let system = system(protocol(purge), &[]);
        assert_pinned(
            &system,
            &format!("{purge:?}, timing held"),
            states,
            &[
                Pin::verdict("deleted_stays_deleted", Verdict::Holds),
                Pin::verdict("tombstone_purged", Verdict::Reached),
                Pin::verdict("eventually_converged", Verdict::Holds),
                Pin::verdict("deadlock_free", Verdict::Holds),
            ],
        );
    }
}

#[test]
fn purge_after_grace_resurrects_the_value_of_a_replica_paused_past_the_grace_period() {
    let system = system(protocol(Purge::AfterGrace), &[Assumption::BoundedPause]);
    let outcome = assert_pinned(
        &system,
        "grace, bounded_pause relaxed",
        PAUSE_RELAXED_STATES,
        &[
            Pin::violated("deleted_stays_deleted", PAUSE_RELAXED_STEPS),
            Pin::verdict("tombstone_purged", Verdict::Reached),
            Pin::lasso("eventually_converged", PAUSE_LASSO_STEPS, PAUSE_LASSO_LOOP),
        ],
    );
    let zombie = outcome
        .property("deleted_stays_deleted")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    assert!(
        zombie
            .actions
            .iter()
            .any(|a| matches!(a, Action::Pause { node: 2 })),
        "replica_2 goes away"
    );
    let last = zombie.last_state();
    assert_eq!(last.ghost.purged & 1, 1, "replica_0 purged the tombstone");
}

const PAUSE_RELAXED_STATES: usize = 231_654;
const PAUSE_RELAXED_STEPS: usize = 19;
const PAUSE_LASSO_STEPS: usize = 26;
const PAUSE_LASSO_LOOP: usize = 20;

#[test]
fn purge_after_grace_resurrects_the_value_of_a_replica_down_past_the_grace_period() {
    let system = system_holding(
        protocol(Purge::AfterGrace),
        &[(Assumption::MaxCrashes, Some(1))],
        &[],
    );
    assert_pinned(
        &system,
        "grace, one crash",
        18_830,
        &[
            Pin::violated("deleted_stays_deleted", 20),
            Pin::verdict("tombstone_purged", Verdict::Reached),
        ],
    );
}

#[test]
fn purge_after_all_acks_is_safe_with_every_timing_assumption_relaxed() {
    let system = system(protocol(Purge::AfterAllAcks), &TIMING);
    assert_pinned(
        &system,
        "all acks, timing relaxed",
        311_552,
        &[
            Pin::verdict("deleted_stays_deleted", Verdict::Holds),
            Pin::verdict("tombstone_purged", Verdict::Reached),
        ],
    );
}

#[test]
fn purge_after_all_acks_stalls_while_replica_2_keeps_going_away() {
    let system = system(protocol(Purge::AfterAllAcks), &[Assumption::BoundedPause]);
    assert_pinned(
        &system,
        "all acks, bounded_pause relaxed",
        6546,
        &[
            Pin::verdict("deleted_stays_deleted", Verdict::Holds),
            Pin::verdict("tombstone_purged", Verdict::Reached),
            Pin::lasso("eventually_converged", 19, 13),
        ],
    );
}
