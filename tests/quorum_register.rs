//! Verdicts of R2 `quorum_register` (docs/CATALOG.md): the plain quorum read is not
//! linearizable (a BFS counterexample of pinned length that replays and reads as the
//! catalog's story), ABD's write-back is; unique-state counts pinned at small bounds
//! and equal for 1 and 2 threads.

use synccheck::check::{self, CheckOptions, Outcome, Strategy, Verdict};
use synccheck::models::replication::quorum_register::{
    HistoryEvent, Msg, QuorumRegister, ReadMode,
};
use synccheck::system::{Action, Assumption, Protocol, TimedSystem};
use synccheck::testing::assert_replays;

fn options(threads: usize) -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Bfs,
        threads,
        ..CheckOptions::default()
    }
}

fn system(
    read_mode: ReadMode,
    read_gap_ticks: u32,
    relax: &[Assumption],
) -> TimedSystem<QuorumRegister> {
    let protocol = QuorumRegister {
        read_mode,
        read_gap_ticks,
    };
    let mut set = protocol.default_assumptions();
    for assumption in relax {
        set.relax(*assumption);
    }
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

/// Runs BFS with 1 and 2 threads; asserts a complete search, the pinned unique-state
/// count for both and equal verdicts and path lengths; returns the 1-thread outcome.
fn check_pinned(
    system: &TimedSystem<QuorumRegister>,
    states: usize,
) -> Outcome<TimedSystem<QuorumRegister>> {
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

fn verdict(outcome: &Outcome<TimedSystem<QuorumRegister>>, name: &str) -> Verdict {
    outcome
        .property(name)
        .map(|p| p.verdict)
        .unwrap_or_else(|| panic!("property {name} is declared"))
}

fn assert_reached(outcome: &Outcome<TimedSystem<QuorumRegister>>) {
    assert_eq!(
        verdict(outcome, "read_returned_new_value"),
        Verdict::Reached
    );
    assert_eq!(verdict(outcome, "reads_completed"), Verdict::Reached);
}

/// `linearizable` is violated with a counterexample of `steps` steps that replays and
/// whose last state (only) breaks it; returns the final history.
fn assert_counterexample(
    system: &TimedSystem<QuorumRegister>,
    outcome: &Outcome<TimedSystem<QuorumRegister>>,
    steps: usize,
) -> Vec<HistoryEvent> {
    let property = outcome.property("linearizable").expect("declared");
    assert_eq!(property.verdict, Verdict::Violated);
    let path = property.path.as_ref().expect("a counterexample");
    assert_eq!(path.len(), steps, "counterexample length");
    assert_replays(system, path);
    let last = path.last_state();
    assert!(
        !last.ghost.history.is_linearizable(),
        "the last state breaks it"
    );
    for state in &path.states[..path.states.len() - 1] {
        assert!(state.ghost.history.is_linearizable(), "only the last state");
    }
    last.ghost.history.events().to_vec()
}

/// The new value, then the old one: what no linearizable register returns.
const NEW_THEN_OLD: [HistoryEvent; 5] = [
    HistoryEvent::WriteInvoked { value: 1 },
    HistoryEvent::ReadInvoked,
    HistoryEvent::ReadReturned { value: 1 },
    HistoryEvent::ReadInvoked,
    HistoryEvent::ReadReturned { value: 0 },
];

#[test]
fn plain_quorum_read_returns_new_then_old_value() {
    let buggy = system(ReadMode::NoWriteBack, 0, &[]);
    let outcome = check_pinned(&buggy, 45_329);
    let history = assert_counterexample(&buggy, &outcome, 9);
    assert_eq!(history, NEW_THEN_OLD);
    assert_reached(&outcome);
    assert_eq!(verdict(&outcome, "deadlock_free"), Verdict::Holds);
    // The catalog's story: the Write reaches r0 only; read 1 asks {r0, r1}, read 2
    // asks {r1, r2}.
    let path = outcome
        .property("linearizable")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    let delivered: Vec<(usize, usize)> = path
        .actions
        .iter()
        .filter_map(|action| match action {
            Action::Deliver { envelope } => match envelope.msg {
                Msg::Write { .. } => Some((0, envelope.dst)),
                Msg::Query { read } => Some((usize::from(read), envelope.dst)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(delivered, [(0, 0), (1, 0), (1, 1), (2, 1), (2, 2)]);
}

#[test]
fn write_back_is_linearizable_with_reads_back_to_back() {
    // Two threads only: the 1-thread count is pinned by the plan's check (the same
    // 489 874 states) and a 1-thread run here doubles the test's time.
    let fixed = system(ReadMode::WriteBack, 0, &[]);
    let outcome = check::run(&fixed, &options(2));
    assert!(outcome.complete(), "complete search");
    assert_eq!(outcome.stats.unique_states, 489_874, "unique states");
    assert_eq!(verdict(&outcome, "linearizable"), Verdict::Holds);
    assert_eq!(verdict(&outcome, "deadlock_free"), Verdict::Holds);
    assert_reached(&outcome);
}

#[test]
fn plain_quorum_read_holds_while_replicas_converge_between_reads() {
    let outcome = check_pinned(&system(ReadMode::NoWriteBack, 1, &[]), 2_645);
    assert_eq!(verdict(&outcome, "linearizable"), Verdict::Holds);
    assert_reached(&outcome);
    let outcome = check_pinned(&system(ReadMode::WriteBack, 1, &[]), 9_850);
    assert_eq!(verdict(&outcome, "linearizable"), Verdict::Holds);
    assert_reached(&outcome);
}

#[test]
fn plain_quorum_read_breaks_once_a_write_lingers_or_is_lost() {
    // (relaxed, states, counterexample steps)
    let cases = [
        (Assumption::BoundedDelay, 52_937, 11),
        (Assumption::ReliableLinks, 19_610, 15),
    ];
    for (relaxed, states, steps) in cases {
        let buggy = system(ReadMode::NoWriteBack, 1, &[relaxed]);
        let outcome = check_pinned(&buggy, states);
        let history = assert_counterexample(&buggy, &outcome, steps);
        assert_eq!(history, NEW_THEN_OLD, "{relaxed}");
        assert_reached(&outcome);
    }
}

#[test]
fn write_back_holds_on_lossy_links() {
    let fixed = system(ReadMode::WriteBack, 1, &[Assumption::ReliableLinks]);
    let outcome = check_pinned(&fixed, 84_261);
    assert_eq!(verdict(&outcome, "linearizable"), Verdict::Holds);
    assert_eq!(verdict(&outcome, "deadlock_free"), Verdict::Holds);
    assert_reached(&outcome);
}
