//! TwoPhase commit (Gray & Lamport, "Consensus on Transaction Commit"; TLA+
//! `TwoPhase.tla`) written straight against stateright, with no synccheck layer: the
//! baseline that `bench/run.sh` uses to measure what synccheck's runner costs.
//!
//! The state packs the spec's four variables into one `u64` (2 bits of `rmState` per
//! RM in bits 0..24, `tmPrepared` in bits 24..36, the `Prepared` messages in bits
//! 36..48, `tmState` in bits 48..50, `Commit`/`Abort` in `msgs` at bits 50 and 51).
//! Stuttering steps return `None`, so stateright stores exactly TLC's distinct states
//! (288 for 3 RMs … 1 745 408 for 8). One `always` property (`consistent`) keeps
//! stateright's checker from finishing before the space is exhausted.
//!
//! ```text
//! cargo run --release --example raw_stateright_2pc -- RMS THREADS RUNNER
//! ```
//! RUNNER is `stateright-bfs` (stateright's own checker, the default),
//! `stateright-dfs`, `synccheck-bfs` or `synccheck-dfs` (this same model through
//! `synccheck::check::run`). Prints one line: `unique_states=N runner=…`.

use stateright::{Checker, Model, Property};
use synccheck::check::{self, CheckOptions, Strategy};

const RM_STATE_WORKING: u64 = 0;
const RM_STATE_PREPARED: u64 = 1;
const RM_STATE_COMMITTED: u64 = 2;
const RM_STATE_ABORTED: u64 = 3;
const TM_PREPARED_SHIFT: u32 = 24;
const PREPARED_MSG_SHIFT: u32 = 36;
const TM_STATE_SHIFT: u32 = 48;
const TM_STATE_INIT: u64 = 0;
const TM_STATE_COMMITTED: u64 = 1;
const TM_STATE_ABORTED: u64 = 2;
const COMMIT_MSG_BIT: u64 = 1 << 50;
const ABORT_MSG_BIT: u64 = 1 << 51;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Packed(u64);

impl Packed {
    fn rm_state(self, rm: usize) -> u64 {
        (self.0 >> (2 * rm)) & 0b11
    }
    fn with_rm_state(self, rm: usize, value: u64) -> Packed {
        Packed((self.0 & !(0b11 << (2 * rm))) | (value << (2 * rm)))
    }
    fn tm_state(self) -> u64 {
        (self.0 >> TM_STATE_SHIFT) & 0b11
    }
    fn tm_prepared(self) -> u64 {
        (self.0 >> TM_PREPARED_SHIFT) & 0xFFF
    }
    fn prepared_msg(self, rm: usize) -> bool {
        (self.0 >> (PREPARED_MSG_SHIFT + rm as u32)) & 1 == 1
    }
    fn any_rm_in(self, rms: usize, value: u64) -> bool {
        (0..rms).any(|rm| self.rm_state(rm) == value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Step {
    TmRcvPrepared(usize),
    TmCommit,
    TmAbort,
    RmPrepare(usize),
    RmChooseToAbort(usize),
    RmRcvCommitMsg(usize),
    RmRcvAbortMsg(usize),
}

struct TwoPhase {
    rms: usize,
}

impl Model for TwoPhase {
    type State = Packed;
    type Action = Step;

    fn init_states(&self) -> Vec<Packed> {
        vec![Packed(0)]
    }

    fn actions(&self, state: &Packed, actions: &mut Vec<Step>) {
        let tm_init = state.tm_state() == TM_STATE_INIT;
        if tm_init && state.tm_prepared() == (1 << self.rms) - 1 {
            actions.push(Step::TmCommit);
        }
        if tm_init {
            actions.push(Step::TmAbort);
        }
        for rm in 0..self.rms {
            if tm_init && state.prepared_msg(rm) {
                actions.push(Step::TmRcvPrepared(rm));
            }
            if state.rm_state(rm) == RM_STATE_WORKING {
                actions.push(Step::RmPrepare(rm));
                actions.push(Step::RmChooseToAbort(rm));
            }
            if state.0 & COMMIT_MSG_BIT != 0 {
                actions.push(Step::RmRcvCommitMsg(rm));
            }
            if state.0 & ABORT_MSG_BIT != 0 {
                actions.push(Step::RmRcvAbortMsg(rm));
            }
        }
    }

    fn next_state(&self, state: &Packed, step: Step) -> Option<Packed> {
        let next = match step {
            Step::TmRcvPrepared(rm) => Packed(state.0 | 1 << (TM_PREPARED_SHIFT + rm as u32)),
            Step::TmCommit => {
                Packed(state.0 | (TM_STATE_COMMITTED << TM_STATE_SHIFT) | COMMIT_MSG_BIT)
            }
            Step::TmAbort => Packed(state.0 | (TM_STATE_ABORTED << TM_STATE_SHIFT) | ABORT_MSG_BIT),
            Step::RmPrepare(rm) => Packed(
                state.with_rm_state(rm, RM_STATE_PREPARED).0
                    | 1 << (PREPARED_MSG_SHIFT + rm as u32),
            ),
            Step::RmChooseToAbort(rm) | Step::RmRcvAbortMsg(rm) => {
                state.with_rm_state(rm, RM_STATE_ABORTED)
            }
            Step::RmRcvCommitMsg(rm) => state.with_rm_state(rm, RM_STATE_COMMITTED),
        };
        // Stuttering steps change nothing and store nothing (as in TLC).
        (next != *state).then_some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("consistent", |model: &TwoPhase, state: &Packed| {
                !(state.any_rm_in(model.rms, RM_STATE_COMMITTED)
                    && state.any_rm_in(model.rms, RM_STATE_ABORTED))
            }),
            Property::sometimes("commit_reached", |model: &TwoPhase, state: &Packed| {
                (0..model.rms).all(|rm| state.rm_state(rm) == RM_STATE_COMMITTED)
            }),
            Property::sometimes("abort_reached", |model: &TwoPhase, state: &Packed| {
                state.any_rm_in(model.rms, RM_STATE_ABORTED)
            }),
        ]
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rms: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let runner = args.next().unwrap_or_else(|| "stateright-bfs".to_string());
    if !(1..=12).contains(&rms) {
        eprintln!("RMS must be in 1..=12");
        std::process::exit(2);
    }
    let model = TwoPhase { rms };
    let unique_states = match runner.as_str() {
        "stateright-bfs" => model
            .checker()
            .threads(threads)
            .spawn_bfs()
            .join()
            .unique_state_count(),
        "stateright-dfs" => model
            .checker()
            .threads(threads)
            .spawn_dfs()
            .join()
            .unique_state_count(),
        "synccheck-bfs" | "synccheck-dfs" => {
            let strategy = if runner == "synccheck-bfs" {
                Strategy::Bfs
            } else {
                Strategy::Dfs
            };
            let options = CheckOptions {
                strategy,
                threads,
                ..CheckOptions::default()
            };
            check::run(&model, &options).stats.unique_states
        }
        other => {
            eprintln!("unknown runner {other}: use stateright-bfs, stateright-dfs, synccheck-bfs or synccheck-dfs");
            std::process::exit(2);
        }
    };
    println!("unique_states={unique_states} runner={runner} rms={rms} threads={threads}");
}
