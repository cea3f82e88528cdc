//! The `cargo test` API: verdicts asserted in a user's own tests, failures that show
//! the counterexample.

use synccheck::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing};
use synccheck::testing::check;

fn lease_lock(fencing: Fencing) -> FencedLeaseLock {
    FencedLeaseLock {
        fencing,
        lease_ticks: 5,
        validity_ticks: 2,
    }
}

#[test]
fn fenced_reads_survive_pauses() {
    check(lease_lock(Fencing::All))
        .relax("bounded_pause")
        .threads(2)
        .run()
        .assert_holds("no_lost_increment")
        .assert_reached("both_incremented");
}

#[test]
#[should_panic(expected = "bounded_pause(0) broken here")]
fn a_failed_assertion_shows_the_counterexample() {
    check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .run()
        .assert_holds("no_lost_increment");
}

#[test]
#[should_panic(expected = "expected holds, found unknown")]
fn a_limit_is_never_a_pass() {
    check(lease_lock(Fencing::All))
        .max_states(100)
        .run()
        .assert_holds("no_lost_increment");
}

#[test]
#[should_panic(expected = "unknown assumption `bounded_pase`")]
fn a_misspelled_assumption_is_caught() {
    let _ = check(lease_lock(Fencing::All)).relax("bounded_pase");
}
