//! Unit tests of [`crate::sync::single_flight`], on `std`'s primitives.

use crate::sync::shim::{thread, Arc, Mutex};
use crate::sync::single_flight::{decode, encode, *};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[test]
fn the_first_caller_leads_and_a_later_one_finds_it_done() {
    let guard = SingleFlight::new(SingleFlightVariant::Correct);
    assert_eq!(guard.recover(0, || {}), RecoveryOutcome::Led { epoch: 1 });
    assert_eq!(
        guard.recover(0, || panic!("must not run")),
        RecoveryOutcome::AlreadyRecovered { epoch: 1 }
    );
    assert_eq!(guard.epoch(), 1);
    assert!(!guard.recovery_in_flight());
}

#[test]
fn a_new_failure_gets_a_new_recovery() {
    let guard = SingleFlight::new(SingleFlightVariant::Correct);
    guard.recover(0, || {});
    assert_eq!(
        guard.recover(guard.epoch(), || {}),
        RecoveryOutcome::Led { epoch: 2 }
    );
}

#[test]
fn a_panicking_recovery_ends_the_flight_without_moving_the_epoch() {
    let guard = SingleFlight::new(SingleFlightVariant::Correct);
    let panicked = catch_unwind(AssertUnwindSafe(|| guard.recover(0, || panic!("failed"))));
    assert!(panicked.is_err());
    assert_eq!(guard.epoch(), 0);
    assert!(!guard.recovery_in_flight());
    assert_eq!(guard.recover(0, || {}), RecoveryOutcome::Led { epoch: 1 });
}

#[test]
fn encoding_round_trips() {
    assert_eq!(decode(encode(5, true)), (5, true));
    assert_eq!(decode(encode(0, false)), (0, false));
    assert_eq!(decode(encode((1 << 63) - 1, true)), ((1 << 63) - 1, true));
}

#[test]
fn concurrent_controllers_run_one_recovery() {
    let guard = Arc::new(SingleFlight::new(SingleFlightVariant::Correct));
    let recoveries = Arc::new(Mutex::new(0_u64));
    let controllers: Vec<_> = (0..4)
        .map(|_| {
            let (guard, recoveries) = (Arc::clone(&guard), Arc::clone(&recoveries));
            thread::spawn(move || {
                guard.recover(0, || {
                    *recoveries
                        .lock()
                        .expect("no thread panics holding the count") += 1
                })
            })
        })
        .collect();
    for controller in controllers {
        controller.join().expect("the controller does not panic");
    }
    assert_eq!(
        *recoveries
            .lock()
            .expect("no thread panics holding the count"),
        1
    );
    assert_eq!(guard.epoch(), 1);
}
