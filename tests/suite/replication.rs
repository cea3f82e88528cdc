//! Verdicts of the replication models (docs/CATALOG.md R1–R5): buggy variants violated
//! with BFS counterexamples of pinned length that replay step by step, fixed variants
//! holding on a complete search, unique-state counts pinned at the default parameters
//! and equal for 1 and 2 threads.

use synccheck::check::Verdict;
use synccheck::models::replication::lww_register::{LwwRegister, Timestamps};
use synccheck::models::replication::primary_backup::{AckMode, PrimaryBackup, Timer};
use synccheck::system::{Action, Assumption, AssumptionSet, Protocol, TimedSystem};
use synccheck::testing::{self, assert_pinned, system, system_holding, Pin};

/// Everything relaxed but `no_duplication` (see ARCHITECTURE.md, "Limits").
fn everything_but_duplication<P: Protocol>(protocol: P) -> TimedSystem<P> {
    let mut set = AssumptionSet::all_relaxed();
    set.hold(Assumption::NoDuplication, None)
        .expect("takes no bound");
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

// ---------------------------------------------------------------- R1 primary_backup

fn primary_backup(ack_mode: AckMode) -> PrimaryBackup {
    PrimaryBackup {
        ack_mode,
        heartbeat_ticks: 2,
        failover_timeout_ticks: 4,
        write_after_ticks: 4,
    }
}

/// Both safety properties hold and both examples are reached.
const PRIMARY_BACKUP_FIXED: [Pin; 4] = [
    Pin::verdict("acked_write_survives", Verdict::Holds),
    Pin::verdict("read_your_writes", Verdict::Holds),
    Pin::verdict("write_read_back", Verdict::Reached),
    Pin::verdict("failover_after_ack", Verdict::Reached),
];

const DEADLOCK_FREE: Pin = Pin::verdict("deadlock_free", Verdict::Holds);

#[test]
fn primary_backup_holds_in_both_variants_while_timing_holds() {
    for (ack_mode, states) in [(AckMode::Async, 1_053), (AckMode::Sync, 535)] {
        let system = system(primary_backup(ack_mode), &[]);
        let pins = [&PRIMARY_BACKUP_FIXED[..], &[DEADLOCK_FREE]].concat();
        assert_pinned(&system, &format!("{ack_mode:?}"), states, &pins);
    }
}

#[test]
fn primary_backup_async_loses_the_acked_write_once_delay_or_timers_are_relaxed() {
    // (relaxed, async states, acked_write_survives steps, read_your_writes steps, sync states)
    let cases = [
        (Assumption::BoundedDelay, 2_001, 9, 12, 1_008),
        (Assumption::TimelyTimers, 3_786, 10, 13, 1_477),
    ];
    for (relaxed, async_states, survives_steps, read_steps, sync_states) in cases {
        let buggy = system(primary_backup(AckMode::Async), &[relaxed]);
        let outcome = assert_pinned(
            &buggy,
            &format!("async, {relaxed} relaxed"),
            async_states,
            &[
                Pin::violated("acked_write_survives", survives_steps),
                Pin::violated("read_your_writes", read_steps),
            ],
        );
        let path = outcome
            .property("acked_write_survives")
            .and_then(|p| p.path.as_ref())
            .expect("a counterexample");
        // Either story is a shortest one: the backup is promoted after the ack, or
        // before it while the old primary still acknowledges; both end with a write
        // acknowledged and a promoted backup that lacks it.
        let last = path.last_state();
        assert!(last.ghost.acked, "{relaxed}: the write was acknowledged");
        let promoted = path.actions.iter().any(|a| {
            matches!(
                a,
                Action::Fire {
                    timer: Timer::FailoverTimeout,
                    ..
                }
            )
        });
        assert!(promoted, "{relaxed}: the backup was promoted");
        let fixed = system(primary_backup(AckMode::Sync), &[relaxed]);
        let label = format!("sync, {relaxed} relaxed");
        assert_pinned(&fixed, &label, sync_states, &PRIMARY_BACKUP_FIXED);
    }
}

#[test]
fn primary_backup_sync_holds_with_everything_relaxed_but_duplication() {
    let buggy = everything_but_duplication(primary_backup(AckMode::Async));
    let pins = [Pin::violated("acked_write_survives", 8)];
    assert_pinned(&buggy, "async, all relaxed", 21_856, &pins);
    let fixed = everything_but_duplication(primary_backup(AckMode::Sync));
    let pins = [&PRIMARY_BACKUP_FIXED[..], &[DEADLOCK_FREE]].concat();
    assert_pinned(&fixed, "sync, all relaxed", 10_884, &pins);
}

// ---------------------------------------------------------------- R3 lww_register

fn lww(timestamps: Timestamps, write_gap_ticks: u32, first_write_clock: u32) -> LwwRegister {
    LwwRegister {
        timestamps,
        write_gap_ticks,
        first_write_clock,
    }
}

const LWW_FIXED: [Pin; 2] = [
    Pin::verdict("no_lost_update", Verdict::Holds),
    Pin::verdict("converged_on_second_write", Verdict::Reached),
];

#[test]
fn lww_register_holds_in_both_variants_with_exact_clocks() {
    for timestamps in [Timestamps::Physical, Timestamps::Hybrid] {
        let system = system(lww(timestamps, 2, 5), &[]);
        let pins = [&LWW_FIXED[..], &[DEADLOCK_FREE]].concat();
        assert_pinned(&system, &format!("{timestamps:?}"), 116, &pins);
    }
}

#[test]
fn lww_register_physical_loses_the_later_write_once_skew_is_relaxed() {
    let skew = [Assumption::BoundedSkew];
    let buggy = system(lww(Timestamps::Physical, 2, 5), &skew);
    let pins = [Pin::violated("no_lost_update", 16)];
    assert_pinned(&buggy, "physical, skew relaxed", 168_861, &pins);
    let fixed = system(lww(Timestamps::Hybrid, 2, 5), &skew);
    assert_pinned(&fixed, "hybrid, skew relaxed", 119_960, &LWW_FIXED);
    let fixed = everything_but_duplication(lww(Timestamps::Hybrid, 2, 5));
    let pins = [LWW_FIXED[0]];
    assert_pinned(&fixed, "hybrid, all relaxed", 119_960, &pins);
}

/// The smallest held skew at which physical timestamps lose the later write: where
/// the two clocks may be further apart (2ε) than the write gap. Each ε is checked with
/// the first write late enough (clock 2ε + 1) for both clocks to have drifted ε.
#[test]
fn lww_register_physical_breaks_once_twice_the_skew_exceeds_the_gap() {
    let smallest_breaking_skew = |timestamps: Timestamps, gap: u32| {
        (1..=3).find(|skew| {
            let checked = testing::check(lww(timestamps, gap, 2 * skew + 1))
                .hold(&format!("bounded_skew={skew}"))
                .threads(2)
                .run();
            assert!(checked.report.complete);
            checked.verdict("no_lost_update") == Verdict::Violated
        })
    };
    assert_eq!(smallest_breaking_skew(Timestamps::Physical, 1), Some(1));
    assert_eq!(smallest_breaking_skew(Timestamps::Physical, 2), Some(2));
    assert_eq!(smallest_breaking_skew(Timestamps::Physical, 3), Some(2));
    assert_eq!(smallest_breaking_skew(Timestamps::Hybrid, 2), None);
    // At the defaults: ε = 1 holds, ε = 2 is an 18-step counterexample.
    let held = |skew| [(Assumption::BoundedSkew, Some(skew))];
    let within = system_holding(lww(Timestamps::Physical, 2, 5), &held(1), &[]);
    assert_pinned(&within, "physical, skew 1", 5_619, &[LWW_FIXED[0]]);
    let beyond = system_holding(lww(Timestamps::Physical, 2, 5), &held(2), &[]);
    let pins = [Pin::violated("no_lost_update", 18)];
    assert_pinned(&beyond, "physical, skew 2", 37_912, &pins);
}
