//! Verdicts of the timed two-phase commit (docs/CATALOG.md C4, form 2): the buggy cases
//! violated with a pinned shortest counterexample (or lasso) that replays, the fixed
//! cases holding on a complete search, unique-state counts pinned and equal for 1 and
//! 2 threads.

use synccheck::check::Verdict;
use synccheck::models::recovery::two_phase_commit_timed::{TwoPhaseCommitTimed, Variant};
use synccheck::system::{Action, Assumption, TimedSystem};
use synccheck::testing::{self, assert_pinned, Pin};

type System = TimedSystem<TwoPhaseCommitTimed>;

/// The protocol at its default timeouts, under its default assumptions with the TM
/// allowed `max_crashes` crashes and `relax` relaxed.
fn system(variant: Variant, max_crashes: u32, relax: &[Assumption]) -> System {
    let protocol = TwoPhaseCommitTimed {
        variant,
        rm_timeout_ticks: 1,
        tm_timeout_ticks: 1,
    };
    testing::system_holding(
        protocol,
        &[(Assumption::MaxCrashes, Some(max_crashes))],
        relax,
    )
}

#[test]
fn blocking_is_consistent_but_blocks_while_the_tm_stays_down() {
    let system = system(Variant::Blocking, 1, &[]);
    let outcome = assert_pinned(
        &system,
        "blocking, one crash",
        641,
        &[
            Pin::verdict("consistent", Verdict::Holds),
            Pin::lasso("all_decide", 5, 4),
            Pin::verdict("commit_reached", Verdict::Reached),
            Pin::verdict("abort_reached", Verdict::Reached),
        ],
    );
    let path = outcome
        .property("all_decide")
        .and_then(|p| p.path.as_ref())
        .expect("a lasso");
    assert_eq!(
        path.actions[0],
        Action::Crash { node: 0 },
        "the TM crashes first"
    );
    assert!(
        !path.actions.contains(&Action::Restart { node: 0 }),
        "and never restarts"
    );
    assert!(
        path.actions[3..].contains(&Action::Tick),
        "time advances in the loop"
    );
}

#[test]
fn blocking_decides_while_the_tm_cannot_crash() {
    let system = system(Variant::Blocking, 0, &[]);
    assert_pinned(
        &system,
        "blocking, no crash",
        94,
        &[
            Pin::verdict("consistent", Verdict::Holds),
            Pin::verdict("all_decide", Verdict::Holds),
            Pin::verdict("commit_reached", Verdict::Reached),
            Pin::verdict("abort_reached", Verdict::Reached),
        ],
    );
}

#[test]
fn a_heuristic_abort_contradicts_a_commit_sent_before_the_tm_crashed() {
    let system = system(Variant::HeuristicAbort, 1, &[]);
    let outcome = assert_pinned(
        &system,
        "heuristic_abort, one crash",
        355,
        &[
            Pin::violated("consistent", 9),
            Pin::verdict("all_decide", Verdict::Holds),
            Pin::verdict("commit_reached", Verdict::Reached),
        ],
    );
    let path = outcome
        .property("consistent")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    assert_eq!(
        path.actions[6],
        Action::Crash { node: 0 },
        "the TM crashes at step 7"
    );
}

#[test]
fn a_heuristic_abort_is_safe_while_the_tm_cannot_crash() {
    let system = system(Variant::HeuristicAbort, 0, &[]);
    assert_pinned(
        &system,
        "heuristic_abort, no crash",
        50,
        &[
            Pin::verdict("consistent", Verdict::Holds),
            Pin::verdict("all_decide", Verdict::Holds),
            Pin::verdict("commit_reached", Verdict::Reached),
            Pin::verdict("abort_reached", Verdict::Reached),
        ],
    );
}

#[test]
fn a_heuristic_abort_is_unsafe_when_a_vote_is_late_even_without_crashes() {
    let system = system(Variant::HeuristicAbort, 0, &[Assumption::BoundedDelay]);
    assert_pinned(
        &system,
        "heuristic_abort, delay relaxed",
        180,
        &[
            Pin::violated("consistent", 8),
            Pin::verdict("all_decide", Verdict::Holds),
        ],
    );
}

#[test]
fn a_lost_commit_log_becomes_a_presumed_abort() {
    let system = system(Variant::Blocking, 1, &[Assumption::DurableWrites]);
    assert_pinned(
        &system,
        "blocking, durable_writes relaxed",
        1345,
        &[
            Pin::violated("consistent", 10),
            Pin::lasso("all_decide", 5, 4),
        ],
    );
}
