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

/// The counterexample outlives a check built in the same statement (it is the
/// report's copy: a borrow of the dropped check would not compile, E0716).
#[test]
fn a_counterexample_outlives_its_check() {
    let trace = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .run()
        .assert_violated("no_lost_increment");
    let broken: Vec<&str> = (trace.breaks.iter())
        .map(|b| b.assumption.as_str())
        .collect();
    assert_eq!(broken, ["bounded_pause"]);
    assert_eq!(trace.steps.len(), trace.length);
}

/// Assumption calls apply in order, a later one overriding an earlier one.
#[test]
fn a_later_assumption_call_overrides_an_earlier_one() {
    let checked = check(lease_lock(Fencing::Writes))
        .hold("bounded_pause=0")
        .relax("bounded_pause")
        .run();
    checked.assert_violated("no_lost_increment");
    let held = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .relax_all()
        .hold("bounded_pause=0")
        .hold("no_duplication")
        .run();
    assert!(held
        .system
        .assumptions()
        .is_held(synccheck::system::Assumption::BoundedPause));
}

#[test]
#[should_panic(expected = "invalid value `0` for parameter `lease_ticks`")]
fn a_declared_model_out_of_its_ranges_is_caught() {
    let _: FencedLeaseLock = synccheck::testing::declared(&[("lease_ticks", "0")]);
}

/// The report names the protocol by its type; depth and time limits, and the
/// strategy, are the command line's.
#[test]
fn the_builder_takes_the_command_lines_limits_and_strategy() {
    let checked = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .run();
    assert_eq!(checked.report.model, "FencedLeaseLock");
    let deep = checked.report.stats.max_depth;
    let cut = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .max_depth(10)
        .run();
    assert_eq!(
        cut.verdict("deadlock_free"),
        synccheck::check::Verdict::Unknown
    );
    assert!(cut.report.stats.max_depth <= 10 && deep > 10, "{deep}");
    let timed_out = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .timeout(std::time::Duration::from_nanos(1))
        .run();
    assert_eq!(
        timed_out.report.stop_reason,
        synccheck::check::StopReason::TimeLimit
    );
    let dfs = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .strategy(synccheck::check::Strategy::Dfs)
        .run();
    assert_eq!(dfs.report.strategy, "dfs");
    dfs.assert_violated("no_lost_increment");
}

/// `.property` searches only what it names, as `--property` does: the same
/// counterexample, which replays on the checked system; the others get no verdict, and
/// a name the protocol lacks is an error.
#[test]
fn the_builder_selects_properties_as_the_command_line_does() {
    let whole = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .run();
    let selected = check(lease_lock(Fencing::Writes))
        .relax("bounded_pause")
        .property("no_lost_increment")
        .property("no_lost_increment")
        .run();
    let trace = selected.assert_violated("no_lost_increment");
    assert_eq!(
        trace.length,
        whole.assert_violated("no_lost_increment").length
    );
    let names: Vec<&str> = (selected.report.properties.iter())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["no_lost_increment"]);
    assert_eq!(selected.report.only_properties, ["no_lost_increment"]);
    let outcome = selected
        .outcome
        .property("no_lost_increment")
        .expect("searched");
    let path = outcome.path.as_ref().expect("a counterexample");
    synccheck::testing::assert_replays(&selected.system, path);
    let not_searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        selected.verdict("both_incremented")
    }));
    let message = not_searched
        .err()
        .and_then(|payload| payload.downcast_ref::<String>().cloned())
        .expect("asking for a property not searched panics");
    assert!(
        message.contains(
            "`both_incremented` was not searched: the check searched only no_lost_increment"
        ),
        "{message}"
    );
    let unknown = check(lease_lock(Fencing::Writes))
        .property("no_lost_incremnt")
        .try_run()
        .err()
        .map(|error| error.to_string());
    assert_eq!(
        unknown.as_deref(),
        Some("--property no_lost_incremnt: no such property (did you mean `no_lost_increment`?); valid properties: no_lost_increment, both_incremented, deadlock_free")
    );
}
