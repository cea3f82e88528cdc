//! Verdicts of R5 `isr_replication` (docs/CATALOG.md): truncating to the high watermark on
//! restart is violated with a pinned BFS counterexample that replays step by step
//! (KIP-101, scenario 1); leader-epoch truncation holds on a complete search;
//! unique-state counts pinned and equal for 1 and 2 threads.

use synccheck::check::Verdict;
use synccheck::models::replication::isr_replication::{
    IsrReplication, Node, NodeState, Truncation,
};
use synccheck::system::Node as _;
use synccheck::system::{Assumption, AssumptionSet, NodeStatus, Protocol, TimedSystem};
use synccheck::testing::{self, assert_pinned, Pin};

fn isr(truncation: Truncation) -> IsrReplication {
    IsrReplication {
        truncation,
        records: 1,
        fetch_interval_ticks: 1,
    }
}

/// The protocol under its default assumptions, with `hold` held and `relax` relaxed.
fn system(
    truncation: Truncation,
    hold: &[(Assumption, Option<u32>)],
    relax: &[Assumption],
) -> TimedSystem<IsrReplication> {
    testing::system_holding(isr(truncation), hold, relax)
}

#[test]
fn isr_replication_defaults_hold_two_crashes_and_zero_delay() {
    let set = isr(Truncation::TruncateToHw).default_assumptions();
    assert_eq!(set.held_bound(Assumption::MaxCrashes), Some(2));
    assert_eq!(set.held_bound(Assumption::BoundedDelay), Some(0));
    assert!(set.is_held(Assumption::DurableWrites));
    assert_ne!(set, AssumptionSet::default());
}

#[test]
fn isr_replication_truncate_to_hw_loses_an_acked_record() {
    let model = system(Truncation::TruncateToHw, &[], &[]);
    let outcome = assert_pinned(
        &model,
        "truncate_to_hw",
        523,
        &[
            Pin::violated("acked_record_survives", 13),
            Pin::verdict("record_acked", Verdict::Reached),
            Pin::verdict("leader_elected_after_ack", Verdict::Reached),
        ],
    );
    let path = outcome
        .property("acked_record_survives")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    let last = path.last_state();
    assert_eq!(last.ghost.acked_records, 1, "the record was acknowledged");
    assert!(
        last.ghost.elected_after_ack,
        "broker1 elected after the ack"
    );
    assert_eq!(
        last.crashes, 2,
        "the follower's restart and the leader's death"
    );
    assert_eq!(
        last.nodes[Node::Broker0.index()].status,
        NodeStatus::Crashed,
        "broker0 is down"
    );
    match last.node_state(Node::Broker1) {
        Some(NodeState::Broker { durable, .. }) => {
            assert!(durable.log.is_empty(), "truncated to its HW 0");
            assert_eq!(durable.leader_epoch, 1);
        }
        other => panic!("broker1 is a running broker, not {other:?}"),
    }
}

#[test]
fn isr_replication_leader_epoch_keeps_the_acked_record() {
    assert_pinned(
        &system(Truncation::LeaderEpoch, &[], &[]),
        "leader_epoch",
        752,
        &[
            Pin::verdict("acked_record_survives", Verdict::Holds),
            Pin::verdict("record_acked", Verdict::Reached),
            Pin::verdict("leader_elected_after_ack", Verdict::Reached),
            Pin::verdict("deadlock_free", Verdict::Holds),
        ],
    );
}

#[test]
fn isr_replication_one_crash_hides_the_bug() {
    for (truncation, states) in [
        (Truncation::TruncateToHw, 156),
        (Truncation::LeaderEpoch, 189),
    ] {
        assert_pinned(
            &system(truncation, &[(Assumption::MaxCrashes, Some(1))], &[]),
            &format!("{truncation:?}, max_crashes(1)"),
            states,
            &[
                Pin::verdict("acked_record_survives", Verdict::Holds),
                Pin::verdict("record_acked", Verdict::Reached),
                Pin::verdict("leader_elected_after_ack", Verdict::Reached),
            ],
        );
    }
}

#[test]
fn isr_replication_unsynced_fetch_is_lost_by_either_variant() {
    for (truncation, states) in [
        (Truncation::TruncateToHw, 2_689),
        (Truncation::LeaderEpoch, 3_623),
    ] {
        assert_pinned(
            &system(truncation, &[], &[Assumption::DurableWrites]),
            &format!("{truncation:?}, durable_writes relaxed"),
            states,
            &[
                Pin::violated("acked_record_survives", 13),
                Pin::verdict("record_acked", Verdict::Reached),
            ],
        );
    }
}

/// Every assumption relaxed, duplication included: a duplicated `Produce` is not
/// appended again (the idempotent producer), so what is left is KIP-966's loss — the
/// follower crashes with the fetched record unsynced and is elected without it. The
/// search stops once every property is decided (deadlock freedom is settled by the
/// relaxed delay); the counts are the full system's search guided by drift classes.
#[test]
fn isr_replication_with_everything_relaxed_loses_only_an_unsynced_record() {
    for (truncation, states) in [
        (Truncation::LeaderEpoch, 14_282),
        (Truncation::TruncateToHw, 7_063),
    ] {
        let checked = testing::check(isr(truncation)).relax_all().run();
        checked
            .assert_states(states)
            .assert_reached("record_acked")
            .assert_reached("leader_elected_after_ack")
            .assert_holds("deadlock_free");
        let trace = checked.assert_violated("acked_record_survives");
        assert_eq!(trace.length, 12, "{truncation:?}");
        let broken: Vec<&str> = trace.breaks.iter().map(|b| b.assumption.as_str()).collect();
        assert!(
            broken.contains(&"durable_writes"),
            "{truncation:?}: {broken:?}"
        );
        assert!(
            !broken.contains(&"no_duplication"),
            "{truncation:?}: {broken:?}"
        );
        let path = checked
            .outcome
            .property("acked_record_survives")
            .and_then(|p| p.path.as_ref())
            .expect("a counterexample");
        assert_eq!(path.last_state().ghost.acked_records, 1, "{truncation:?}");
        testing::assert_replays(&checked.system, path);
    }
}
