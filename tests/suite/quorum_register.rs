//! Verdicts of R2 `quorum_register` (docs/CATALOG.md): the plain quorum read is not
//! linearizable (a BFS counterexample of pinned length that replays and reads as the
//! catalog's story), ABD's write-back is; unique-state counts pinned at small bounds
//! and equal for 1 and 2 threads.

use synccheck::check::{Outcome, Verdict};
use synccheck::models::replication::quorum_register::{
    HistoryEvent, Msg, QuorumRegister, ReadMode,
};
use synccheck::system::{Action, Assumption, TimedSystem};
use synccheck::testing::{self, assert_pinned, system, Pin};

fn register(read_mode: ReadMode, read_gap_ticks: u32) -> QuorumRegister {
    QuorumRegister {
        read_mode,
        read_gap_ticks,
        drop_ignored: false,
    }
}

/// Both reads complete, one returning the written value.
const REACHED: [Pin; 2] = [
    Pin::verdict("read_returned_new_value", Verdict::Reached),
    Pin::verdict("reads_completed", Verdict::Reached),
];

/// `linearizable` holds, with `deadlock_free` and both reads reached, in `states` states.
#[track_caller]
fn assert_linearizable(system: &TimedSystem<QuorumRegister>, label: &str, states: usize) {
    let pins = [
        Pin::verdict("linearizable", Verdict::Holds),
        Pin::verdict("deadlock_free", Verdict::Holds),
    ];
    assert_pinned(system, label, states, &[&pins[..], &REACHED].concat());
}

/// `linearizable` is violated in `states` states with a counterexample of `steps`
/// steps (replayed, its last state the only one that breaks the property) while
/// `deadlock_free` holds and both reads are reached; returns the outcome and the
/// counterexample's final history.
#[track_caller]
fn assert_not_linearizable(
    system: &TimedSystem<QuorumRegister>,
    label: &str,
    states: usize,
    steps: usize,
) -> (Outcome<TimedSystem<QuorumRegister>>, Vec<HistoryEvent>) {
    let pins = [
        Pin::violated("linearizable", steps),
        Pin::verdict("deadlock_free", Verdict::Holds),
    ];
    let outcome = assert_pinned(system, label, states, &[&pins[..], &REACHED].concat());
    let history = outcome
        .property("linearizable")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample")
        .last_state()
        .ghost
        .history
        .events()
        .to_vec();
    (outcome, history)
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
    let buggy = system(register(ReadMode::NoWriteBack, 0), &[]);
    let (outcome, history) = assert_not_linearizable(&buggy, "no write-back, gap 0", 45_329, 9);
    assert_eq!(history, NEW_THEN_OLD);
    // The catalog's story, up to which replica is which (the shortest counterexamples
    // are renamings of each other; the search shows one): the Write reaches r0 only;
    // read 1 asks {r0, r1}, read 2 asks {r1, r2}.
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
    let [(0, written), (1, a), (1, b), (2, c), (2, d)] = delivered[..] else {
        panic!("one Write, then two Queries of read 1, then two of read 2: {delivered:?}");
    };
    assert!(a != b && c != d, "{delivered:?}");
    assert!(
        [a, b].contains(&written),
        "read 1 asks the written replica: {delivered:?}"
    );
    assert!(
        ![c, d].contains(&written),
        "read 2 misses it: {delivered:?}"
    );
}

#[test]
fn write_back_is_linearizable_with_reads_back_to_back() {
    // Two threads only: a 1-thread run here doubles the test's time. The replicas
    // are interchangeable, so the check stores one state per class of replica
    // renamings: 84 285 classes of the 489 874 states (`--no-symmetry`; BENCHMARKS.md,
    // "Timed symmetry"); tests/suite/timed_symmetry.rs compares the two at smaller bounds.
    testing::check(register(ReadMode::WriteBack, 0))
        .threads(2)
        .run()
        .assert_states(84_285)
        .assert_holds("linearizable")
        .assert_holds("deadlock_free")
        .assert_reached("read_returned_new_value")
        .assert_reached("reads_completed");
}

#[test]
fn plain_quorum_read_holds_while_replicas_converge_between_reads() {
    let plain = system(register(ReadMode::NoWriteBack, 1), &[]);
    assert_linearizable(&plain, "no write-back, gap 1", 2_645);
    let write_back = system(register(ReadMode::WriteBack, 1), &[]);
    assert_linearizable(&write_back, "write-back, gap 1", 9_850);
}

#[test]
fn plain_quorum_read_breaks_once_a_write_lingers_or_is_lost() {
    // (relaxed, states, counterexample steps)
    let cases = [
        (Assumption::BoundedDelay, 52_937, 11),
        (Assumption::ReliableLinks, 19_610, 15),
    ];
    for (relaxed, states, steps) in cases {
        let buggy = system(register(ReadMode::NoWriteBack, 1), &[relaxed]);
        let label = format!("no write-back, gap 1, {relaxed} relaxed");
        let (_, history) = assert_not_linearizable(&buggy, &label, states, steps);
        assert_eq!(history, NEW_THEN_OLD, "{relaxed}");
    }
}

#[test]
fn write_back_holds_on_lossy_links() {
    let fixed = system(
        register(ReadMode::WriteBack, 1),
        &[Assumption::ReliableLinks],
    );
    assert_linearizable(&fixed, "write-back, gap 1, lossy", 84_261);
}

/// The answers the writer and the reader ignore for ever (a second `WriteAck` of one
/// replica, an answer to a read or a phase that moved on) dropped, `drop_ignored`:
/// the same verdicts as with every message kept, never more states nor a longer
/// counterexample; and with duplication relaxed, write-back's check finishes.
#[test]
fn dropping_ignored_answers_keeps_every_verdict() {
    // (variant, gap, relaxed)
    let cases = [
        (ReadMode::NoWriteBack, 0, None),
        (ReadMode::NoWriteBack, 1, Some("bounded_delay")),
        (ReadMode::WriteBack, 1, Some("reliable_links")),
    ];
    let properties = ["linearizable", "read_returned_new_value", "reads_completed"];
    let mut smaller = 0;
    for (read_mode, read_gap_ticks, relaxed) in cases {
        let run = |drop_ignored| {
            let protocol = QuorumRegister {
                read_mode,
                read_gap_ticks,
                drop_ignored,
            };
            let check = testing::check(protocol).threads(2);
            match relaxed {
                Some(name) => check.relax(name).run(),
                None => check.run(),
            }
        };
        let (kept, dropped) = (run(false), run(true));
        let label = format!("{read_mode:?}, gap {read_gap_ticks}, {relaxed:?} relaxed");
        assert!(kept.report.complete && dropped.report.complete, "{label}");
        let (kept_states, dropped_states) = (
            kept.report.stats.unique_states,
            dropped.report.stats.unique_states,
        );
        assert!(dropped_states <= kept_states, "{label}");
        smaller += usize::from(dropped_states < kept_states);
        for property in properties {
            assert_eq!(
                kept.verdict(property),
                dropped.verdict(property),
                "{label}: {property}"
            );
            let length = |checked: &testing::Checked<QuorumRegister>| {
                checked
                    .report
                    .property(property)
                    .and_then(|p| p.counterexample.as_ref())
                    .map(|trace| trace.length)
            };
            assert!(length(&dropped) <= length(&kept), "{label}: {property}");
        }
    }
    assert_eq!(
        smaller,
        cases.len(),
        "the drop stored fewer states in every case"
    );
    let duplicated = QuorumRegister {
        read_mode: ReadMode::WriteBack,
        read_gap_ticks: 0,
        drop_ignored: true,
    };
    testing::check(duplicated)
        .relax("no_duplication")
        .threads(2)
        .run()
        .assert_states(214_254)
        .assert_holds("linearizable")
        .assert_reached("reads_completed");
}
