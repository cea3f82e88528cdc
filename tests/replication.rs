//! Verdicts of the replication models (docs/CATALOG.md R1–R5): buggy variants violated
//! with BFS counterexamples of pinned length that replay step by step, fixed variants
//! holding on a complete search, unique-state counts pinned at the default parameters
//! and equal for 1 and 2 threads.

use synccheck::check::{self, CheckOptions, Outcome, Strategy, Verdict};
use synccheck::models::replication::lww_register::{LwwRegister, Timestamps};
use synccheck::models::replication::primary_backup::{AckMode, PrimaryBackup, Timer};
use synccheck::system::{Action, Assumption, AssumptionSet, Protocol, TimedSystem};
use synccheck::testing::assert_replays;

fn options(threads: usize) -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Bfs,
        threads,
        ..CheckOptions::default()
    }
}

/// The protocol under its default assumptions, with `relax` relaxed and `hold` held.
fn system<P: Protocol>(
    protocol: P,
    relax: &[Assumption],
    hold: &[(Assumption, Option<u32>)],
) -> TimedSystem<P> {
    let mut set = protocol.default_assumptions();
    for (assumption, bound) in hold {
        set.hold(*assumption, *bound).expect("a valid bound");
    }
    for assumption in relax {
        set.relax(*assumption);
    }
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

/// Everything relaxed but `no_duplication` (see ARCHITECTURE.md, "Limits").
fn everything_but_duplication<P: Protocol>(protocol: P) -> TimedSystem<P> {
    let mut set = AssumptionSet::all_relaxed();
    set.hold(Assumption::NoDuplication, None)
        .expect("takes no bound");
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

/// Runs BFS with 1 and 2 threads; asserts a complete search, the pinned unique-state
/// count for both, and returns the 1-thread outcome.
fn check_pinned<P: Protocol>(system: &TimedSystem<P>, states: usize) -> Outcome<TimedSystem<P>> {
    let one = check::run(system, &options(1));
    let two = check::run(system, &options(2));
    assert!(one.complete(), "complete search");
    assert!(two.complete(), "complete search with 2 threads");
    assert_eq!(one.stats.unique_states, states, "unique states, 1 thread");
    assert_eq!(two.stats.unique_states, states, "unique states, 2 threads");
    for (a, b) in one.properties.iter().zip(&two.properties) {
        assert_eq!(a.verdict, b.verdict, "{} with 1 and 2 threads", a.name);
        assert_eq!(
            a.path.as_ref().map(|p| p.len()),
            b.path.as_ref().map(|p| p.len()),
            "{} path length with 1 and 2 threads",
            a.name
        );
    }
    one
}

fn verdict<P: Protocol>(outcome: &Outcome<TimedSystem<P>>, name: &str) -> Verdict {
    outcome
        .property(name)
        .map(|p| p.verdict)
        .unwrap_or_else(|| panic!("property {name} is declared"))
}

/// Every named property has `expected`.
fn assert_verdicts<P: Protocol>(
    outcome: &Outcome<TimedSystem<P>>,
    names: &[&str],
    expected: Verdict,
) {
    for name in names {
        assert_eq!(verdict(outcome, name), expected, "{name}");
    }
}

/// `name` is violated with a counterexample of `steps` steps that replays and whose
/// last state (only) breaks the property.
fn assert_counterexample<P: Protocol>(
    system: &TimedSystem<P>,
    outcome: &Outcome<TimedSystem<P>>,
    name: &str,
    steps: usize,
) {
    let property = outcome.property(name).expect("declared");
    assert_eq!(property.verdict, Verdict::Violated, "{name}");
    let path = property.path.as_ref().expect("a counterexample");
    assert_eq!(path.len(), steps, "{name} counterexample length");
    assert_replays(system, path);
    let condition = system
        .protocol_properties()
        .iter()
        .find(|p| p.name == name)
        .expect("declared")
        .condition;
    let protocol = system.protocol();
    assert!(
        !condition(protocol, path.last_state()),
        "the last state violates {name}"
    );
    for state in &path.states[..path.states.len() - 1] {
        assert!(
            condition(protocol, state),
            "only the last state violates {name}"
        );
    }
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

const PRIMARY_BACKUP_SAFETY: [&str; 2] = ["acked_write_survives", "read_your_writes"];
const PRIMARY_BACKUP_REACHED: [&str; 2] = ["write_read_back", "failover_after_ack"];

#[test]
fn primary_backup_holds_in_both_variants_while_timing_holds() {
    for (ack_mode, states) in [(AckMode::Async, 1_053), (AckMode::Sync, 535)] {
        let system = system(primary_backup(ack_mode), &[], &[]);
        let outcome = check_pinned(&system, states);
        assert_verdicts(&outcome, &PRIMARY_BACKUP_SAFETY, Verdict::Holds);
        assert_verdicts(&outcome, &PRIMARY_BACKUP_REACHED, Verdict::Reached);
        assert_eq!(verdict(&outcome, "deadlock_free"), Verdict::Holds);
    }
}

#[test]
fn primary_backup_async_loses_the_acked_write_once_delay_or_timers_are_relaxed() {
    // (relaxed, async states, acked_write_survives steps, read_your_writes steps, sync states)
    let cases = [
        (Assumption::BoundedDelay, 5_330, 9, 12, 2_014),
        (Assumption::TimelyTimers, 3_786, 10, 13, 1_477),
    ];
    for (relaxed, async_states, survives_steps, read_steps, sync_states) in cases {
        let buggy = system(primary_backup(AckMode::Async), &[relaxed], &[]);
        let outcome = check_pinned(&buggy, async_states);
        assert_counterexample(&buggy, &outcome, "acked_write_survives", survives_steps);
        assert_counterexample(&buggy, &outcome, "read_your_writes", read_steps);
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
        let fixed = system(primary_backup(AckMode::Sync), &[relaxed], &[]);
        let outcome = check_pinned(&fixed, sync_states);
        assert_verdicts(&outcome, &PRIMARY_BACKUP_SAFETY, Verdict::Holds);
        assert_verdicts(&outcome, &PRIMARY_BACKUP_REACHED, Verdict::Reached);
    }
}

#[test]
fn primary_backup_sync_holds_with_everything_relaxed_but_duplication() {
    let buggy = everything_but_duplication(primary_backup(AckMode::Async));
    let outcome = check_pinned(&buggy, 67_479);
    assert_counterexample(&buggy, &outcome, "acked_write_survives", 8);
    let fixed = everything_but_duplication(primary_backup(AckMode::Sync));
    let outcome = check_pinned(&fixed, 24_669);
    assert_verdicts(&outcome, &PRIMARY_BACKUP_SAFETY, Verdict::Holds);
    assert_verdicts(&outcome, &PRIMARY_BACKUP_REACHED, Verdict::Reached);
    assert_eq!(verdict(&outcome, "deadlock_free"), Verdict::Holds);
}

// ---------------------------------------------------------------- R3 lww_register

fn lww(timestamps: Timestamps, write_gap_ticks: u32, first_write_clock: u32) -> LwwRegister {
    LwwRegister {
        timestamps,
        write_gap_ticks,
        first_write_clock,
    }
}

#[test]
fn lww_register_holds_in_both_variants_with_exact_clocks() {
    for timestamps in [Timestamps::Physical, Timestamps::Hybrid] {
        let system = system(lww(timestamps, 2, 5), &[], &[]);
        let outcome = check_pinned(&system, 116);
        assert_eq!(verdict(&outcome, "no_lost_update"), Verdict::Holds);
        assert_eq!(
            verdict(&outcome, "converged_on_second_write"),
            Verdict::Reached
        );
        assert_eq!(verdict(&outcome, "deadlock_free"), Verdict::Holds);
    }
}

#[test]
fn lww_register_physical_loses_the_later_write_once_skew_is_relaxed() {
    let buggy = system(
        lww(Timestamps::Physical, 2, 5),
        &[Assumption::BoundedSkew],
        &[],
    );
    let outcome = check_pinned(&buggy, 168_861);
    assert_counterexample(&buggy, &outcome, "no_lost_update", 16);
    let fixed = system(
        lww(Timestamps::Hybrid, 2, 5),
        &[Assumption::BoundedSkew],
        &[],
    );
    let outcome = check_pinned(&fixed, 119_960);
    assert_eq!(verdict(&outcome, "no_lost_update"), Verdict::Holds);
    assert_eq!(
        verdict(&outcome, "converged_on_second_write"),
        Verdict::Reached
    );
    let fixed = everything_but_duplication(lww(Timestamps::Hybrid, 2, 5));
    let outcome = check_pinned(&fixed, 150_296);
    assert_eq!(verdict(&outcome, "no_lost_update"), Verdict::Holds);
}

/// The smallest held skew at which physical timestamps lose the later write: where
/// the two clocks may be further apart (2ε) than the write gap. Each ε is checked with
/// the first write late enough (clock 2ε + 1) for both clocks to have drifted ε.
#[test]
fn lww_register_physical_breaks_once_twice_the_skew_exceeds_the_gap() {
    let smallest_breaking_skew = |timestamps: Timestamps, gap: u32| {
        (1..=3).find(|skew| {
            let system = system(
                lww(timestamps, gap, 2 * skew + 1),
                &[],
                &[(Assumption::BoundedSkew, Some(*skew))],
            );
            let outcome = check::run(&system, &options(2));
            assert!(outcome.complete());
            verdict(&outcome, "no_lost_update") == Verdict::Violated
        })
    };
    assert_eq!(smallest_breaking_skew(Timestamps::Physical, 1), Some(1));
    assert_eq!(smallest_breaking_skew(Timestamps::Physical, 2), Some(2));
    assert_eq!(smallest_breaking_skew(Timestamps::Physical, 3), Some(2));
    assert_eq!(smallest_breaking_skew(Timestamps::Hybrid, 2), None);
    // At the defaults: ε = 1 holds, ε = 2 is an 18-step counterexample.
    let within = system(
        lww(Timestamps::Physical, 2, 5),
        &[],
        &[(Assumption::BoundedSkew, Some(1))],
    );
    let outcome = check_pinned(&within, 5_619);
    assert_eq!(verdict(&outcome, "no_lost_update"), Verdict::Holds);
    let beyond = system(
        lww(Timestamps::Physical, 2, 5),
        &[],
        &[(Assumption::BoundedSkew, Some(2))],
    );
    let outcome = check_pinned(&beyond, 37_912);
    assert_counterexample(&beyond, &outcome, "no_lost_update", 18);
}
