//! Loom checks of the recovery single-flight guard (C3, `src/sync/single_flight.rs`).
//!
//! Three controllers see the same failure (epoch 0) and both call `recover`.
//! Invariants: at most one recovery in flight, and one recovery for the failure; no
//! waiter misses completion (every controller returns, after the recovery).

mod loom_support;

use loom_support::sync::shim::atomic::{AtomicU64, Ordering};
use loom_support::sync::shim::thread;
// std's `Arc`, not loom's, on purpose: see `two_controllers_recover`.
use loom_support::sync::single_flight::{RecoveryOutcome, SingleFlight, SingleFlightVariant};
use std::sync::Arc;

const OBSERVED_EPOCH: u64 = 0;
const CONTROLLER_COUNT: usize = 3;

/// Three controllers that saw the same failure recover concurrently.
///
/// The model shares state through `std::sync::Arc`: when loom reports a deadlock it
/// unwinds the blocked thread, and dropping a loom `Arc` there panics again inside
/// loom, which aborts the test binary instead of failing the model. The components
/// themselves still use the shim's types, so every access is still checked.
fn two_controllers_recover(variant: SingleFlightVariant) {
    loom_support::check(move || {
        let guard = Arc::new(SingleFlight::new(variant));
        let recoveries_running = Arc::new(AtomicU64::new(0));
        let controllers: Vec<_> = (0..CONTROLLER_COUNT)
            .map(|_| {
                let guard = Arc::clone(&guard);
                let running = Arc::clone(&recoveries_running);
                thread::spawn(move || controller(&guard, &running))
            })
            .collect();
        let mut recoveries_run = 0;
        for controller in controllers {
            let (outcome, ran_recovery) = controller.join().unwrap();
            recoveries_run += u64::from(ran_recovery);
            let epoch = match outcome {
                RecoveryOutcome::Led { epoch }
                | RecoveryOutcome::Joined { epoch }
                | RecoveryOutcome::AlreadyRecovered { epoch } => epoch,
            };
            assert!(
                epoch > OBSERVED_EPOCH,
                "a waiter returned before the recovery completed"
            );
        }
        assert_eq!(
            recoveries_run, 1,
            "at most one recovery in flight: {recoveries_run} recoveries for one failure"
        );
    });
}

/// One controller: recovers from the failure seen at `OBSERVED_EPOCH`; returns how
/// the call ended and whether this controller ran the recovery.
fn controller(guard: &SingleFlight, running: &AtomicU64) -> (RecoveryOutcome, bool) {
    let mut ran_recovery = false;
    let outcome = guard.recover(OBSERVED_EPOCH, || {
        let in_flight = running.fetch_add(1, Ordering::AcqRel) + 1;
        assert!(
            in_flight <= 1,
            "at most one recovery in flight: {in_flight} at once"
        );
        ran_recovery = true;
        running.fetch_sub(1, Ordering::AcqRel);
    });
    (outcome, ran_recovery)
}

#[test]
fn correct_guard_runs_one_recovery_and_wakes_every_waiter() {
    two_controllers_recover(SingleFlightVariant::Correct);
}

#[test]
#[should_panic(expected = "at most one recovery in flight")]
fn flag_load_then_store_runs_two_recoveries() {
    two_controllers_recover(SingleFlightVariant::FlagLoadThenStoreBroken);
}

#[test]
#[should_panic(expected = "deadlock")]
fn lost_wakeup_leaves_a_waiter_blocked_forever() {
    two_controllers_recover(SingleFlightVariant::LostWakeupBroken);
}
