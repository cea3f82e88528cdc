//! Verdicts of R5 `isr_replication` (docs/CATALOG.md): truncating to the high watermark on
//! restart is violated with a pinned BFS counterexample that replays step by step
//! (KIP-101, scenario 1); leader-epoch truncation holds on a complete search;
//! unique-state counts pinned and equal for 1 and 2 threads.

use stateright::Model;
use synccheck::check::{self, CheckOptions, Outcome, Strategy, Verdict};
use synccheck::models::replication::isr_replication::{
    IsrReplication, Node, NodeState, Truncation,
};
use synccheck::system::Node as _;
use synccheck::system::{Assumption, AssumptionSet, NodeStatus, Protocol, TimedSystem};
use synccheck::testing::assert_replays;

fn options(threads: usize) -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Bfs,
        threads,
        ..CheckOptions::default()
    }
}

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
    let protocol = isr(truncation);
    let mut set = protocol.default_assumptions();
    for (assumption, bound) in hold {
        set.hold(*assumption, *bound).expect("a valid bound");
    }
    for assumption in relax {
        set.relax(*assumption);
    }
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

/// What a check must find: the unique-state count, and per property its verdict and,
/// for a violation, the shortest counterexample's length.
struct Expected<'a> {
    states: usize,
    verdicts: &'a [(&'a str, Verdict, Option<usize>)],
}

/// Checks with 1 and 2 threads, asserts `expected` for both; returns the 1-thread
/// outcome.
fn assert_check(
    model: &TimedSystem<IsrReplication>,
    label: &str,
    expected: &Expected<'_>,
) -> Outcome<TimedSystem<IsrReplication>> {
    let one = check::run(model, &options(1));
    let two = check::run(model, &options(2));
    for (outcome, threads) in [(&one, 1), (&two, 2)] {
        assert!(outcome.complete(), "{label} x{threads}: a complete search");
        assert_eq!(
            outcome.stats.unique_states, expected.states,
            "{label} x{threads}"
        );
        for (name, verdict, steps) in expected.verdicts {
            let property = outcome.property(name).expect("declared");
            assert_eq!(property.verdict, *verdict, "{label} {name} x{threads}");
            let Some(steps) = steps else { continue };
            let path = property.path.as_ref().expect("a counterexample");
            assert_eq!(path.len(), *steps, "{label} {name} x{threads}");
            assert_replays(model, path);
            let properties = model.properties();
            let condition = properties
                .iter()
                .find(|p| p.name == *name)
                .expect("declared")
                .condition;
            assert!(
                !condition(model, path.last_state()),
                "{label}: the last state violates {name}"
            );
        }
    }
    one
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
    let outcome = assert_check(
        &model,
        "truncate_to_hw",
        &Expected {
            states: 523,
            verdicts: &[
                ("acked_record_survives", Verdict::Violated, Some(13)),
                ("record_acked", Verdict::Reached, None),
                ("leader_elected_after_ack", Verdict::Reached, None),
            ],
        },
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
    assert_check(
        &system(Truncation::LeaderEpoch, &[], &[]),
        "leader_epoch",
        &Expected {
            states: 752,
            verdicts: &[
                ("acked_record_survives", Verdict::Holds, None),
                ("record_acked", Verdict::Reached, None),
                ("leader_elected_after_ack", Verdict::Reached, None),
                ("deadlock_free", Verdict::Holds, None),
            ],
        },
    );
}

#[test]
fn isr_replication_one_crash_hides_the_bug() {
    for (truncation, states) in [
        (Truncation::TruncateToHw, 156),
        (Truncation::LeaderEpoch, 189),
    ] {
        assert_check(
            &system(truncation, &[(Assumption::MaxCrashes, Some(1))], &[]),
            &format!("{truncation:?}, max_crashes(1)"),
            &Expected {
                states,
                verdicts: &[
                    ("acked_record_survives", Verdict::Holds, None),
                    ("record_acked", Verdict::Reached, None),
                    ("leader_elected_after_ack", Verdict::Reached, None),
                ],
            },
        );
    }
}

#[test]
fn isr_replication_unsynced_fetch_is_lost_by_either_variant() {
    for (truncation, states) in [
        (Truncation::TruncateToHw, 2_689),
        (Truncation::LeaderEpoch, 3_623),
    ] {
        assert_check(
            &system(truncation, &[], &[Assumption::DurableWrites]),
            &format!("{truncation:?}, durable_writes relaxed"),
            &Expected {
                states,
                verdicts: &[
                    ("acked_record_survives", Verdict::Violated, Some(13)),
                    ("record_acked", Verdict::Reached, None),
                ],
            },
        );
    }
}
