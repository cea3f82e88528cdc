//! Two-phase commit: a faithful port of TLA+'s `TwoPhase` spec as a plain
//! [`stateright::Model`].
//!
//! **Source.** Jim Gray and Leslie Lamport, "Consensus on Transaction Commit"
//! (ACM TODS 31(1), 2006; MSR-TR-2003-96), and its TLA+ module `TwoPhase.tla`
//! in the tlaplus Examples repository
//! (`specifications/transaction_commit/TwoPhase.tla`). Variables, actions and
//! enabling conditions are the spec's, one for one.
//!
//! **Actors.** One transaction manager (TM) and `rms` resource managers (RMs),
//! numbered `0..rms`. The RMs are interchangeable (symmetric).
//!
//! **Protocol.** An RM that is `working` either prepares (sending `Prepared`)
//! or chooses on its own to abort. The TM collects `Prepared` messages; once it
//! holds one from every RM it may broadcast `Commit`, and while still `init` it
//! may broadcast `Abort` at any moment. RMs obey the broadcast.
//!
//! **State** (the spec's four variables):
//! - `rmState`: per RM, `working`, `prepared`, `committed` or `aborted`;
//! - `tmState`: `init`, `committed` or `aborted`;
//! - `tmPrepared`: the set of RMs from which the TM has received `Prepared`;
//! - `msgs`: the set of every message ever sent: `Prepared(rm)`, `Commit`,
//!   `Abort`.
//!
//! **Actions** (spec names, Rust case): `TmRcvPrepared(rm)`, `TmCommit`,
//! `TmAbort`, `RmPrepare(rm)`, `RmChooseToAbort(rm)`, `RmRcvCommitMsg(rm)`,
//! `RmRcvAbortMsg(rm)`.
//!
//! **Assumptions it leans on: none.** The model is untimed; messages are a set
//! that only grows, so a message is never lost, duplicated delivery is allowed
//! and has no effect, and any order of receipt is possible. (As the spec says,
//! a lost message is indistinguishable from one never received.) The TM never
//! crashes in this form; the timed form with a coordinator crash is a
//! separate model.
//!
//! **Stuttering.** In the spec, `TmRcvPrepared(rm)` stays enabled after the TM
//! has recorded `rm`, and `RmRcvCommitMsg(rm)` / `RmRcvAbortMsg(rm)` stay
//! enabled after the RM has moved: such steps leave the state unchanged. Here
//! [`TwoPhaseCommit::actions`](stateright::Model::actions) lists every action
//! the spec enables (same conditions, same order as `TPNext`), and
//! [`next_state`](stateright::Model::next_state) returns `None` for a step that
//! would not change the state — stateright's documented meaning of `None`.
//! TLC counts distinct states, so stuttering steps add none; the counts below
//! agree. `None` is also the cheaper choice: it spares a fingerprint and a
//! hash-table lookup for each stuttering step (37% of the spec's steps at 8
//! RMs). It makes the all-decided states terminal for stateright, which only
//! matters to `eventually` properties; this model has none.
//!
//! **Properties.**
//! - `consistent` (always): no RM is committed while another RM is aborted
//!   (the spec's `TCConsistent`, via `TC!TCSpec`).
//! - `type_ok` (always): every variable holds a value of its type (the spec's
//!   `TPTypeOK`); with the packed state this means no bit is set for an RM
//!   outside `0..rms`.
//! - `commit_reached` (sometimes): every RM is committed.
//! - `abort_reached` (sometimes): some RM is aborted.
//!
//! **Expected verdicts.** `consistent` and `type_ok` hold; `commit_reached`
//! and `abort_reached` are both reached. Shortest examples: `3 × rms + 1`
//! steps to all committed (per RM `RmPrepare`, `TmRcvPrepared`,
//! `RmRcvCommitMsg`, plus one `TmCommit`; 10 steps with 3 RMs) and 1 step,
//! `RmChooseToAbort`, to an abort.
//!
//! **State counts.** Distinct states (stateright BFS, `unique_state_count`)
//! equal TLC's; "symmetry-reduced" is stateright DFS with `.symmetry()` and
//! this state's canonical [`Representative`], i.e. the number of classes of
//! reachable states under renumbering of the RMs; depth is TLC's "depth of the
//! complete state graph search" (stateright's `max_depth`), `3 × rms + 2`.
//!
//! | RMs | distinct states | TLC (published) | symmetry-reduced | depth |
//! |----:|----------------:|----------------:|-----------------:|------:|
//! |   3 |             288 |         288 (a) |               80 |    11 |
//! |   4 |           1 568 |       1 568 (c) |              166 |    14 |
//! |   5 |           8 832 |           — (d) |              314 |    17 |
//! |   6 |          50 816 |      50 816 (b) |              553 |    20 |
//! |   7 |         296 448 |               — |              920 |    23 |
//! |   8 |       1 745 408 |   1 745 408 (c) |            1 461 |    26 |
//!
//! Sources: (a) tlaplus/Examples
//! `specifications/transaction_commit/manifest.json`, model `TwoPhase.cfg`
//! (`RM = {r1, r2, r3}`): 288 distinct, 1 146 generated, depth 11. (b) The
//! closing comment of `TwoPhase.tla`: "checked with TLC for six RMs, a
//! configuration with 50816 reachable states". (c) TLC logs for 4 and 8 RMs
//! (5 378 and 11 657 218 generated; depth 14 and 26) in William Schultz's
//! post "Bespoke Verified Compilation with Claude" (will62794.github.io,
//! January 2026). (d) No TLC figure found; stateright's own
//! `examples/2pc.rs` pins 8 832. The two published "generated" figures count
//! differently — (a) counts stuttering successors, (c) does not — and the
//! model reproduces both (see the tests). stateright's 2PC example reports 665
//! symmetry-reduced states for 5 RMs because its representative sorts by
//! `rmState` alone and so is not canonical; the canonical count is 314.
//!
//! **Representation.** [`TwoPhaseState`] is 12 bytes and `Copy`: 2 bits per RM
//! for `rmState` in a `u32`, `tmPrepared` and the `Prepared` messages as `u16`
//! bitmasks, `Commit`/`Abort` as flags. This caps the model at
//! [`RESOURCE_MANAGERS_MAX`] RMs.
//!
//! **Symmetry in synccheck.** The catalog parameter `symmetry = off | on`
//! (default `off`, so the counts are TLC's) runs synccheck's own BFS or DFS
//! through [`crate::check::run_symmetric`] with [`TwoPhaseState::representative`]:
//! one stored state per class, the "symmetry-reduced" column above for any
//! thread count and either strategy (`tests/suite/symmetry.rs` pins 3–6 RMs). The
//! four properties are symmetric, so verdicts are unchanged; counterexample
//! and example paths are concrete runs (rebuilt by replay).
//!
//! **Checker note.** stateright 0.31 applies `.symmetry()` only in DFS (and
//! simulation); its BFS ignores it and explores the full space. Use
//! `spawn_dfs()` for a symmetry-reduced run.

use crate::model::{Declared, Param, Params};
use crate::registry::PlainModel;
use serde::Serialize;
use stateright::{Model, Property, Representative};
use std::fmt;

/// The fewest resource managers a model may have.
pub const RESOURCE_MANAGERS_MIN: usize = 1;

/// The most resource managers a model may have (the packed state holds 12).
pub const RESOURCE_MANAGERS_MAX: usize = 12;

/// Bit 0 of every 2-bit RM field, for all [`RESOURCE_MANAGERS_MAX`] RMs.
const RM_FIELD_LOW_BITS: u32 = 0x0055_5555;

/// Why a [`TwoPhaseCommit`] configuration was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwoPhaseCommitError {
    /// The number of resource managers is outside `1..=12`.
    #[error(
        "two_phase_commit: rms = {rms} is out of range; \
         use {min}..={max} resource managers",
        min = RESOURCE_MANAGERS_MIN,
        max = RESOURCE_MANAGERS_MAX
    )]
    ResourceManagerCountOutOfRange {
        /// The rejected count.
        rms: usize,
    },
}

/// The TwoPhase model: one transaction manager and `rms` resource managers.
///
/// Build it with [`TwoPhaseCommit::new`], which validates `rms`. A value built
/// by hand with `rms` outside `1..=12` has no initial state, so its
/// `sometimes` properties are unreached and a check of it cannot pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TwoPhaseCommit {
    /// The number of resource managers, `1..=12`.
    pub rms: usize,
    /// Whether the catalog checks it symmetry-reduced (one state per class of
    /// RM renumberings). The model itself is the same either way.
    pub symmetry: bool,
}

impl TwoPhaseCommit {
    /// A model with `rms` resource managers; `rms` must be in `1..=12`.
    /// Symmetry reduction is off.
    pub fn new(rms: usize) -> Result<Self, TwoPhaseCommitError> {
        let model = Self {
            rms,
            symmetry: false,
        };
        model.validate()?;
        Ok(model)
    }

    /// The same model, with the catalog's symmetry reduction on or off.
    pub fn with_symmetry(self, symmetry: bool) -> Self {
        Self { symmetry, ..self }
    }

    /// The canonicalization for [`crate::check::run_symmetric`]: the state's
    /// [`TwoPhaseState::representative`], with its fingerprint.
    pub fn canonical(&self, state: TwoPhaseState) -> (TwoPhaseState, u64) {
        let representative = state.representative();
        let fingerprint = crate::check::fingerprint(&representative);
        (representative, fingerprint)
    }

    /// Checks that `rms` is in `1..=12`.
    pub fn validate(&self) -> Result<(), TwoPhaseCommitError> {
        if (RESOURCE_MANAGERS_MIN..=RESOURCE_MANAGERS_MAX).contains(&self.rms) {
            Ok(())
        } else {
            Err(TwoPhaseCommitError::ResourceManagerCountOutOfRange { rms: self.rms })
        }
    }

    /// Whether the spec enables `action` in `state` (stuttering steps count
    /// as enabled, as in the spec).
    fn is_enabled(&self, state: &TwoPhaseState, action: TwoPhaseAction) -> bool {
        debug_assert_eq!(state.rms(), self.rms);
        let tm_init = state.tm_state == TmState::Init;
        match action {
            TwoPhaseAction::TmRcvPrepared(rm) => {
                rm < state.rms() && tm_init && state.has_prepared_msg_unchecked(rm)
            }
            TwoPhaseAction::TmCommit => tm_init && state.tm_prepared == state.rm_bitmask(),
            TwoPhaseAction::TmAbort => tm_init,
            TwoPhaseAction::RmPrepare(rm) | TwoPhaseAction::RmChooseToAbort(rm) => {
                rm < state.rms() && state.rm_state_code(rm) == RmState::Working as u32
            }
            TwoPhaseAction::RmRcvCommitMsg(rm) => rm < state.rms() && state.commit_msg,
            TwoPhaseAction::RmRcvAbortMsg(rm) => rm < state.rms() && state.abort_msg,
        }
    }
}

/// A resource manager's state (`rmState[rm]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum RmState {
    /// Still working on the transaction; may prepare or abort.
    Working = 0,
    /// Prepared: has sent `Prepared` and awaits the TM's decision.
    Prepared = 1,
    /// Committed (final).
    Committed = 2,
    /// Aborted (final).
    Aborted = 3,
}

impl RmState {
    fn from_code(code: u32) -> Self {
        match code & 0b11 {
            0 => Self::Working,
            1 => Self::Prepared,
            2 => Self::Committed,
            _ => Self::Aborted,
        }
    }
}

/// The transaction manager's state (`tmState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum TmState {
    /// Undecided.
    Init = 0,
    /// Decided to commit and broadcast `Commit`.
    Committed = 1,
    /// Decided to abort and broadcast `Abort`.
    Aborted = 2,
}

/// A message in `msgs`, serialized like the spec's records
/// (`{"type": "Prepared", "rm": 0}`, `{"type": "Commit"}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type")]
pub enum Message {
    /// RM `rm` tells the TM it is prepared.
    Prepared {
        /// The sending resource manager.
        rm: usize,
    },
    /// The TM's broadcast decision to commit.
    Commit,
    /// The TM's broadcast decision to abort.
    Abort,
}

/// The spec's actions. Every RM index is in `0..rms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TwoPhaseAction {
    /// The TM receives `Prepared` from the RM (`TMRcvPrepared`).
    TmRcvPrepared(usize),
    /// The TM commits: it is `init` and has `Prepared` from every RM (`TMCommit`).
    TmCommit,
    /// The TM spontaneously aborts while `init` (`TMAbort`).
    TmAbort,
    /// A working RM prepares and sends `Prepared` (`RMPrepare`).
    RmPrepare(usize),
    /// A working RM spontaneously aborts, sending nothing (`RMChooseToAbort`).
    RmChooseToAbort(usize),
    /// The RM receives `Commit` and commits (`RMRcvCommitMsg`).
    RmRcvCommitMsg(usize),
    /// The RM receives `Abort` and aborts (`RMRcvAbortMsg`).
    RmRcvAbortMsg(usize),
}

/// A state of the TwoPhase spec, packed into 12 bytes.
///
/// `Debug` and `Serialize` show the spec's view (`rmState`, `tmState`,
/// `tmPrepared`, `msgs`), not the bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "TwoPhaseStateView")]
pub struct TwoPhaseState {
    /// `rmState`: 2 bits per RM ([`RmState`] codes); RM `i` at bits `2i..2i+2`.
    rm_states: u32,
    /// `tmPrepared`: bit `i` set when the TM has received `Prepared` from RM `i`.
    tm_prepared: u16,
    /// The `Prepared` messages in `msgs`: bit `i` for RM `i`.
    prepared_msgs: u16,
    /// `tmState`.
    tm_state: TmState,
    /// `Commit` is in `msgs`.
    commit_msg: bool,
    /// `Abort` is in `msgs`.
    abort_msg: bool,
    /// The number of RMs (constant; lets the state describe itself).
    rms: u8,
}

impl TwoPhaseState {
    /// The spec's `TPInit` for `rms` resource managers.
    fn initial(rms: usize) -> Self {
        debug_assert!(rms <= RESOURCE_MANAGERS_MAX);
        Self {
            rm_states: 0,
            tm_prepared: 0,
            prepared_msgs: 0,
            tm_state: TmState::Init,
            commit_msg: false,
            abort_msg: false,
            rms: u8::try_from(rms).unwrap_or(u8::MAX),
        }
    }

    /// The number of resource managers.
    pub fn rms(&self) -> usize {
        usize::from(self.rms)
    }

    /// `rmState[rm]`.
    ///
    /// # Panics
    /// If `rm` is not in `0..rms`.
    pub fn rm_state(&self, rm: usize) -> RmState {
        assert!(rm < self.rms(), "rm {rm} out of range 0..{}", self.rms);
        RmState::from_code(self.rm_state_code(rm))
    }

    /// `rmState` for every RM, in RM order.
    pub fn rm_states(&self) -> impl Iterator<Item = RmState> + '_ {
        (0..self.rms()).map(|rm| RmState::from_code(self.rm_state_code(rm)))
    }

    /// `tmState`.
    pub fn tm_state(&self) -> TmState {
        self.tm_state
    }

    /// Whether `rm` is in `tmPrepared`.
    ///
    /// # Panics
    /// If `rm` is not in `0..rms`.
    pub fn is_tm_prepared(&self, rm: usize) -> bool {
        assert!(rm < self.rms(), "rm {rm} out of range 0..{}", self.rms);
        self.tm_prepared & (1 << rm) != 0
    }

    /// `tmPrepared` as a bitmask: bit `i` for RM `i`.
    pub fn tm_prepared_bitmask(&self) -> u16 {
        self.tm_prepared
    }

    /// Whether `[type |-> "Prepared", rm |-> rm]` is in `msgs`.
    ///
    /// # Panics
    /// If `rm` is not in `0..rms`.
    pub fn has_prepared_msg(&self, rm: usize) -> bool {
        assert!(rm < self.rms(), "rm {rm} out of range 0..{}", self.rms);
        self.has_prepared_msg_unchecked(rm)
    }

    /// The `Prepared` messages in `msgs` as a bitmask: bit `i` for RM `i`.
    pub fn prepared_msgs_bitmask(&self) -> u16 {
        self.prepared_msgs
    }

    /// Whether `[type |-> "Commit"]` is in `msgs`.
    pub fn has_commit_msg(&self) -> bool {
        self.commit_msg
    }

    /// Whether `[type |-> "Abort"]` is in `msgs`.
    pub fn has_abort_msg(&self) -> bool {
        self.abort_msg
    }

    /// Whether `message` is in `msgs` (a `Prepared` from an RM outside
    /// `0..rms` is not).
    pub fn contains_msg(&self, message: Message) -> bool {
        match message {
            Message::Prepared { rm } => rm < self.rms() && self.has_prepared_msg_unchecked(rm),
            Message::Commit => self.commit_msg,
            Message::Abort => self.abort_msg,
        }
    }

    /// `msgs`, in [`Message`] order.
    pub fn msgs(&self) -> impl Iterator<Item = Message> + '_ {
        let prepared = (0..self.rms())
            .filter(|&rm| self.has_prepared_msg_unchecked(rm))
            .map(|rm| Message::Prepared { rm });
        let commit = self.commit_msg.then_some(Message::Commit);
        let abort = self.abort_msg.then_some(Message::Abort);
        prepared.chain(commit).chain(abort)
    }

    /// The canonical member of this state's symmetry class: the same state
    /// with the RMs renumbered so that their `(rmState, in tmPrepared,
    /// Prepared sent)` triples are in ascending order. Two states that differ
    /// only by a permutation of the RMs have the same representative.
    ///
    /// Runs in O(rms) with no allocation: a counting sort over the 16
    /// possible 4-bit triples.
    pub fn representative(&self) -> Self {
        debug_assert!(self.rms() <= RESOURCE_MANAGERS_MAX);
        // 16 counters of 4 bits each; a count is at most 12.
        let mut counts: u64 = 0;
        for rm in 0..self.rms() {
            counts += 1 << (4 * self.rm_key(rm));
        }
        let mut canonical = Self {
            rm_states: 0,
            tm_prepared: 0,
            prepared_msgs: 0,
            ..*self
        };
        let mut position = 0;
        while counts != 0 {
            let key = counts.trailing_zeros() / 4;
            let count = (counts >> (4 * key)) & 0xF;
            for _ in 0..count {
                canonical.set_rm_key(position, key);
                position += 1;
            }
            counts &= !(0xF << (4 * key));
        }
        debug_assert_eq!(position, self.rms());
        canonical
    }

    /// The 2-bit [`RmState`] code of `rm` (no range check).
    fn rm_state_code(&self, rm: usize) -> u32 {
        (self.rm_states >> (2 * rm)) & 0b11
    }

    fn set_rm_state(&mut self, rm: usize, rm_state: RmState) {
        let shift = 2 * rm;
        self.rm_states = (self.rm_states & !(0b11 << shift)) | ((rm_state as u32) << shift);
    }

    fn has_prepared_msg_unchecked(&self, rm: usize) -> bool {
        self.prepared_msgs & (1 << rm) != 0
    }

    /// `RM` as a bitmask: bits `0..rms` set.
    fn rm_bitmask(&self) -> u16 {
        (1 << self.rms) - 1
    }

    /// Bit 0 of each 2-bit field of the RMs in `0..rms`.
    fn rm_field_low_bits(&self) -> u32 {
        RM_FIELD_LOW_BITS & ((1 << (2 * u32::from(self.rms))) - 1)
    }

    /// Bit 0 of RM `i`'s field set iff RM `i` is committed (code `0b10`).
    fn committed_fields(&self) -> u32 {
        let high = (self.rm_states >> 1) & RM_FIELD_LOW_BITS;
        let low = self.rm_states & RM_FIELD_LOW_BITS;
        high & !low
    }

    /// Bit 0 of RM `i`'s field set iff RM `i` is aborted (code `0b11`).
    fn aborted_fields(&self) -> u32 {
        let high = (self.rm_states >> 1) & RM_FIELD_LOW_BITS;
        let low = self.rm_states & RM_FIELD_LOW_BITS;
        high & low
    }

    /// `rm`'s symmetry key: `rmState` code, in `tmPrepared`, `Prepared` sent.
    fn rm_key(&self, rm: usize) -> u32 {
        let prepared_by_tm = u32::from(self.tm_prepared >> rm) & 1;
        let prepared_sent = u32::from(self.prepared_msgs >> rm) & 1;
        (self.rm_state_code(rm) << 2) | (prepared_by_tm << 1) | prepared_sent
    }

    /// Writes `key` (see [`Self::rm_key`]) as RM `rm`, whose fields are clear.
    fn set_rm_key(&mut self, rm: usize, key: u32) {
        self.rm_states |= (key >> 2) << (2 * rm);
        self.tm_prepared |= (((key >> 1) & 1) as u16) << rm;
        self.prepared_msgs |= ((key & 1) as u16) << rm;
    }

    /// The state after `action`, which must be enabled (stuttering allowed).
    fn after(&self, action: TwoPhaseAction) -> Self {
        let mut next = *self;
        match action {
            TwoPhaseAction::TmRcvPrepared(rm) => next.tm_prepared |= 1 << rm,
            TwoPhaseAction::TmCommit => {
                next.tm_state = TmState::Committed;
                next.commit_msg = true;
            }
            TwoPhaseAction::TmAbort => {
                next.tm_state = TmState::Aborted;
                next.abort_msg = true;
            }
            TwoPhaseAction::RmPrepare(rm) => {
                next.set_rm_state(rm, RmState::Prepared);
                next.prepared_msgs |= 1 << rm;
            }
            TwoPhaseAction::RmChooseToAbort(rm) | TwoPhaseAction::RmRcvAbortMsg(rm) => {
                next.set_rm_state(rm, RmState::Aborted);
            }
            TwoPhaseAction::RmRcvCommitMsg(rm) => next.set_rm_state(rm, RmState::Committed),
        }
        next
    }
}

impl Representative for TwoPhaseState {
    fn representative(&self) -> Self {
        TwoPhaseState::representative(self)
    }
}

/// The spec's view of a state, for `Debug` and `Serialize`.
#[derive(Serialize)]
struct TwoPhaseStateView {
    #[serde(rename = "rmState")]
    rm_state: Vec<RmState>,
    #[serde(rename = "tmState")]
    tm_state: TmState,
    #[serde(rename = "tmPrepared")]
    tm_prepared: Vec<usize>,
    msgs: Vec<Message>,
}

impl From<TwoPhaseState> for TwoPhaseStateView {
    fn from(state: TwoPhaseState) -> Self {
        Self {
            rm_state: state.rm_states().collect(),
            tm_state: state.tm_state,
            tm_prepared: (0..state.rms())
                .filter(|&rm| state.tm_prepared & (1 << rm) != 0)
                .collect(),
            msgs: state.msgs().collect(),
        }
    }
}

impl fmt::Debug for TwoPhaseState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let view = TwoPhaseStateView::from(*self);
        formatter
            .debug_struct("TwoPhaseState")
            .field("rmState", &view.rm_state)
            .field("tmState", &view.tm_state)
            .field("tmPrepared", &view.tm_prepared)
            .field("msgs", &view.msgs)
            .finish()
    }
}

impl Model for TwoPhaseCommit {
    type State = TwoPhaseState;
    type Action = TwoPhaseAction;

    fn init_states(&self) -> Vec<TwoPhaseState> {
        if self.validate().is_err() {
            return Vec::new();
        }
        vec![TwoPhaseState::initial(self.rms)]
    }

    /// Every action the spec enables, in `TPNext` order, stuttering ones
    /// included.
    fn actions(&self, state: &TwoPhaseState, actions: &mut Vec<TwoPhaseAction>) {
        debug_assert_eq!(state.rms(), self.rms);
        let tm_init = state.tm_state == TmState::Init;
        if tm_init && state.tm_prepared == state.rm_bitmask() {
            actions.push(TwoPhaseAction::TmCommit);
        }
        if tm_init {
            actions.push(TwoPhaseAction::TmAbort);
        }
        for rm in 0..state.rms() {
            if tm_init && state.has_prepared_msg_unchecked(rm) {
                actions.push(TwoPhaseAction::TmRcvPrepared(rm));
            }
            if state.rm_state_code(rm) == RmState::Working as u32 {
                actions.push(TwoPhaseAction::RmPrepare(rm));
                actions.push(TwoPhaseAction::RmChooseToAbort(rm));
            }
            if state.commit_msg {
                actions.push(TwoPhaseAction::RmRcvCommitMsg(rm));
            }
            if state.abort_msg {
                actions.push(TwoPhaseAction::RmRcvAbortMsg(rm));
            }
        }
    }

    /// The successor, or `None` when `action` is not enabled or is a
    /// stuttering step (the state would not change).
    fn next_state(&self, state: &TwoPhaseState, action: TwoPhaseAction) -> Option<TwoPhaseState> {
        if !self.is_enabled(state, action) {
            return None;
        }
        let next = state.after(action);
        (next != *state).then_some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("consistent", |_, state: &TwoPhaseState| {
                state.committed_fields() == 0 || state.aborted_fields() == 0
            }),
            Property::always(
                "type_ok",
                |model: &TwoPhaseCommit, state: &TwoPhaseState| {
                    let rm_fields = (state.rm_field_low_bits() << 1) | state.rm_field_low_bits();
                    state.rms() == model.rms
                        && state.rm_states & !rm_fields == 0
                        && state.tm_prepared & !state.rm_bitmask() == 0
                        && state.prepared_msgs & !state.rm_bitmask() == 0
                },
            ),
            Property::sometimes("commit_reached", |_, state: &TwoPhaseState| {
                state.committed_fields() == state.rm_field_low_bits()
            }),
            Property::sometimes("abort_reached", |_, state: &TwoPhaseState| {
                state.aborted_fields() != 0
            }),
        ]
    }
}

/// No action is weakly fair in the untimed port (it declares no liveness property).
impl crate::liveness::Fairness for TwoPhaseCommit {}

impl crate::report::Explain for TwoPhaseCommit {
    fn explain_state(&self, state: &TwoPhaseState) -> serde_json::Value {
        serde_json::to_value(state).unwrap_or_else(|e| serde_json::Value::String(e.to_string()))
    }

    fn explain_action(&self, action: &TwoPhaseAction) -> (String, serde_json::Value) {
        let detail = serde_json::to_value(action)
            .unwrap_or_else(|e| serde_json::Value::String(e.to_string()));
        (format!("{action:?}"), detail)
    }
}

impl Declared for TwoPhaseCommit {
    const NAME: &'static str = "two_phase_commit";
    const FAMILY: &'static str = "recovery";
    const SUMMARY: &'static str =
        "TLA+ TwoPhase (Gray & Lamport), ported one for one; distinct-state counts equal TLC's";
    const PARAMS: &'static [Param] = &[
        Param::integer(
            "rms",
            3,
            RESOURCE_MANAGERS_MIN as u32..=RESOURCE_MANAGERS_MAX as u32,
            "number of resource managers",
        ),
        Param::switch(
            "symmetry",
            false,
            "store one state per class of RM renumberings (counts become classes)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let rms = params.integer("rms")?;
        let symmetry = params.on("symmetry")?;
        TwoPhaseCommit::new(rms as usize)
            .map(|model| model.with_symmetry(symmetry))
            .map_err(|e| e.to_string())
    }
}

impl PlainModel for TwoPhaseCommit {
    fn canonicalizer(&self) -> Option<crate::check::Canonicalize<Self>> {
        let canonical: crate::check::Canonicalize<Self> = TwoPhaseCommit::canonical;
        self.symmetry.then_some(canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stateright::Checker;
    use std::collections::{BTreeSet, HashSet, VecDeque};

    fn model(rms: usize) -> TwoPhaseCommit {
        TwoPhaseCommit::new(rms).unwrap()
    }

    /// Every reachable state, by a plain BFS independent of stateright's
    /// checker (exact set, no fingerprints).
    fn reachable(model: &TwoPhaseCommit) -> Vec<TwoPhaseState> {
        let mut seen: HashSet<TwoPhaseState> = model.init_states().into_iter().collect();
        let mut queue: VecDeque<TwoPhaseState> = seen.iter().copied().collect();
        let mut order = Vec::new();
        while let Some(state) = queue.pop_front() {
            order.push(state);
            for next in model.next_states(&state) {
                if seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        order
    }

    /// `state` with RM `i` renamed to `permutation[i]`.
    fn permute(state: &TwoPhaseState, permutation: &[usize]) -> TwoPhaseState {
        let mut permuted = TwoPhaseState {
            rm_states: 0,
            tm_prepared: 0,
            prepared_msgs: 0,
            ..*state
        };
        for (rm, &to) in permutation.iter().enumerate() {
            permuted.set_rm_key(to, state.rm_key(rm));
        }
        permuted
    }

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![Vec::new()];
        }
        let mut all = Vec::new();
        for shorter in permutations(n - 1) {
            for at in 0..n {
                let mut permutation = shorter.clone();
                permutation.insert(at, n - 1);
                all.push(permutation);
            }
        }
        all
    }

    #[test]
    fn new_validates_resource_manager_count() {
        assert_eq!(
            TwoPhaseCommit::new(0),
            Err(TwoPhaseCommitError::ResourceManagerCountOutOfRange { rms: 0 })
        );
        assert_eq!(
            TwoPhaseCommit::new(13),
            Err(TwoPhaseCommitError::ResourceManagerCountOutOfRange { rms: 13 })
        );
        assert_eq!(TwoPhaseCommit::new(1).map(|m| m.rms), Ok(1));
        assert_eq!(TwoPhaseCommit::new(12).map(|m| m.rms), Ok(12));
        let message = TwoPhaseCommit::new(13).unwrap_err().to_string();
        assert!(message.contains("rms = 13"), "{message}");
        assert!(message.contains("1..=12"), "{message}");
        // Built by hand out of range: nothing to explore, never a pass.
        for rms in [0, 13] {
            let model = TwoPhaseCommit {
                rms,
                symmetry: false,
            };
            assert!(model.init_states().is_empty());
        }
    }

    #[test]
    fn bfs_counts_equal_tlc_and_verdicts_hold() {
        // (rms, distinct states); 288 and 50 816 are TLC's.
        for (rms, expected) in [(3, 288), (4, 1_568), (5, 8_832), (6, 50_816)] {
            let checker = model(rms).checker().spawn_bfs().join();
            assert_eq!(checker.unique_state_count(), expected, "rms = {rms}");
            assert!(checker.is_done());
            assert!(checker.discovery("consistent").is_none(), "rms = {rms}");
            assert!(checker.discovery("type_ok").is_none(), "rms = {rms}");
            assert!(checker.discovery("commit_reached").is_some(), "rms = {rms}");
            assert!(checker.discovery("abort_reached").is_some(), "rms = {rms}");
        }
    }

    #[test]
    fn states_generated_and_depth_match_tlc() {
        // TLC's "states generated" has been published in two senses, and the
        // model reproduces both. tlaplus/Examples' manifest (3 RMs: 288
        // distinct, 1146 generated, depth 11) counts one successor per enabled
        // action, stuttering steps included. A TLC run of 4 RMs (1568
        // distinct, 5378 generated, depth 14) counts only successors that
        // change the state, which is what stateright's `state_count` counts.
        for (rms, distinct, enabled_steps, state_changing_steps, depth) in
            [(3, 288, 1_146, 762, 11), (4, 1_568, 8_258, 5_378, 14)]
        {
            let model = model(rms);
            let states = reachable(&model);
            assert_eq!(states.len(), distinct, "rms = {rms}");
            let mut actions = Vec::new();
            let mut generated = 1;
            for state in &states {
                actions.clear();
                model.actions(state, &mut actions);
                generated += actions.len();
                for &action in &actions {
                    assert!(model.is_enabled(state, action), "{action:?} in {state:?}");
                }
            }
            assert_eq!(generated, enabled_steps, "rms = {rms}");
            let checker = model.checker().spawn_bfs().join();
            assert_eq!(checker.state_count(), state_changing_steps, "rms = {rms}");
            assert_eq!(checker.max_depth(), depth, "rms = {rms}");
        }
    }

    /// The fewest steps from the initial state to a state where the named
    /// property's condition holds (stateright's BFS keeps the *last* example it
    /// meets, not the first, so its paths are not shortest).
    fn shortest_example_steps(model: &TwoPhaseCommit, name: &str) -> Option<usize> {
        let property = model.properties().into_iter().find(|p| p.name == name)?;
        let mut frontier = model.init_states();
        let mut seen: HashSet<TwoPhaseState> = frontier.iter().copied().collect();
        let mut steps = 0;
        while !frontier.is_empty() {
            if frontier
                .iter()
                .any(|state| (property.condition)(model, state))
            {
                return Some(steps);
            }
            let mut next_frontier = Vec::new();
            for state in &frontier {
                for next in model.next_states(state) {
                    if seen.insert(next) {
                        next_frontier.push(next);
                    }
                }
            }
            frontier = next_frontier;
            steps += 1;
        }
        None
    }

    #[test]
    fn shortest_examples_have_pinned_lengths() {
        for rms in [3, 4] {
            let model = model(rms);
            // RmPrepare, TmRcvPrepared and RmRcvCommitMsg per RM, one TmCommit.
            let commit_steps = shortest_example_steps(&model, "commit_reached");
            assert_eq!(commit_steps, Some(3 * rms + 1), "rms = {rms}");
            // One RmChooseToAbort.
            assert_eq!(shortest_example_steps(&model, "abort_reached"), Some(1));
            // stateright's examples, whatever their length, are examples.
            let checker = model.checker().spawn_bfs().join();
            for name in ["commit_reached", "abort_reached"] {
                let path = checker.discovery(name).unwrap();
                let property = model.properties().into_iter().find(|p| p.name == name);
                assert!((property.unwrap().condition)(&model, path.last_state()));
            }
        }
        assert_eq!(shortest_example_steps(&model(3), "consistent"), Some(0));
        assert_eq!(shortest_example_steps(&model(3), "no_such_property"), None);
    }

    /// A state of TwoPhase.tla written out literally, with strings and sets,
    /// as a reference for the packed model.
    #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    struct LiteralState {
        rm_state: Vec<&'static str>,
        tm_state: &'static str,
        tm_prepared: BTreeSet<usize>,
        msgs: BTreeSet<Message>,
    }

    fn literal_init(rms: usize) -> LiteralState {
        LiteralState {
            rm_state: vec!["working"; rms],
            tm_state: "init",
            tm_prepared: BTreeSet::new(),
            msgs: BTreeSet::new(),
        }
    }

    /// Every successor under `TPNext`, one per enabled action, stuttering
    /// steps included.
    fn literal_next(state: &LiteralState) -> Vec<LiteralState> {
        let rms = state.rm_state.len();
        let mut next = Vec::new();
        let with_rm = |rm: usize, value: &'static str| {
            let mut changed = state.clone();
            changed.rm_state[rm] = value;
            changed
        };
        if state.tm_state == "init" && state.tm_prepared == (0..rms).collect() {
            let mut changed = state.clone();
            changed.tm_state = "committed";
            changed.msgs.insert(Message::Commit);
            next.push(changed);
        }
        if state.tm_state == "init" {
            let mut changed = state.clone();
            changed.tm_state = "aborted";
            changed.msgs.insert(Message::Abort);
            next.push(changed);
        }
        for rm in 0..rms {
            if state.tm_state == "init" && state.msgs.contains(&Message::Prepared { rm }) {
                let mut changed = state.clone();
                changed.tm_prepared.insert(rm);
                next.push(changed);
            }
            if state.rm_state[rm] == "working" {
                let mut changed = with_rm(rm, "prepared");
                changed.msgs.insert(Message::Prepared { rm });
                next.push(changed);
                next.push(with_rm(rm, "aborted"));
            }
            if state.msgs.contains(&Message::Commit) {
                next.push(with_rm(rm, "committed"));
            }
            if state.msgs.contains(&Message::Abort) {
                next.push(with_rm(rm, "aborted"));
            }
        }
        next
    }

    fn literal_of(state: &TwoPhaseState) -> LiteralState {
        let rm_name = |rm_state| match rm_state {
            RmState::Working => "working",
            RmState::Prepared => "prepared",
            RmState::Committed => "committed",
            RmState::Aborted => "aborted",
        };
        LiteralState {
            rm_state: state.rm_states().map(rm_name).collect(),
            tm_state: match state.tm_state() {
                TmState::Init => "init",
                TmState::Committed => "committed",
                TmState::Aborted => "aborted",
            },
            tm_prepared: (0..state.rms())
                .filter(|&rm| state.is_tm_prepared(rm))
                .collect(),
            msgs: state.msgs().collect(),
        }
    }

    #[test]
    fn packed_model_matches_a_literal_transcription_of_the_spec() {
        for rms in 1..=4 {
            let model = model(rms);
            let mut literal_reachable = HashSet::from([literal_init(rms)]);
            let mut queue = VecDeque::from([literal_init(rms)]);
            while let Some(state) = queue.pop_front() {
                for next in literal_next(&state) {
                    if literal_reachable.insert(next.clone()) {
                        queue.push_back(next);
                    }
                }
            }
            let packed_reachable = reachable(&model);
            let packed_as_literal: HashSet<LiteralState> =
                packed_reachable.iter().map(literal_of).collect();
            assert_eq!(packed_as_literal.len(), packed_reachable.len());
            assert_eq!(packed_as_literal, literal_reachable, "rms = {rms}");
            // Same steps from every state: one action per literal successor,
            // and `None` exactly for the stuttering ones.
            let mut actions = Vec::new();
            for state in &packed_reachable {
                let literal = literal_of(state);
                let mut expected = literal_next(&literal);
                actions.clear();
                model.actions(state, &mut actions);
                assert_eq!(actions.len(), expected.len(), "{state:?}");
                let mut got: Vec<LiteralState> = actions
                    .iter()
                    .map(|&action| match model.next_state(state, action) {
                        Some(next) => literal_of(&next),
                        None => literal.clone(),
                    })
                    .collect();
                expected.sort();
                got.sort();
                assert_eq!(got, expected, "{state:?}");
            }
        }
    }

    #[test]
    fn symmetry_reduced_counts_are_pinned_and_thread_independent() {
        // (rms, orbits of the reachable states under RM permutations).
        for (rms, expected) in [(3, 80), (4, 166), (5, 314), (6, 553)] {
            for threads in [1, 2] {
                let checker = model(rms)
                    .checker()
                    .symmetry()
                    .threads(threads)
                    .spawn_dfs()
                    .join();
                assert_eq!(
                    checker.unique_state_count(),
                    expected,
                    "rms = {rms}, threads = {threads}"
                );
                assert!(checker.discovery("consistent").is_none());
                assert!(checker.discovery("type_ok").is_none());
                assert!(checker.discovery("commit_reached").is_some());
                assert!(checker.discovery("abort_reached").is_some());
            }
            // The same number, counted directly from the full reachable set.
            let orbits: HashSet<TwoPhaseState> = reachable(&model(rms))
                .iter()
                .map(TwoPhaseState::representative)
                .collect();
            assert_eq!(orbits.len(), expected, "rms = {rms}");
        }
    }

    #[test]
    fn stateright_bfs_ignores_symmetry() {
        // stateright 0.31: only DFS and simulation apply `.symmetry()`.
        // If this starts failing, BFS learned symmetry: update the docs.
        let checker = model(3).checker().symmetry().spawn_bfs().join();
        assert_eq!(checker.unique_state_count(), 288);
    }

    #[test]
    fn representative_is_canonical_over_every_permutation() {
        for rms in [3, 4] {
            let all_permutations = permutations(rms);
            for state in reachable(&model(rms)) {
                let representative = state.representative();
                // The representative is itself a permutation of the state.
                assert!(all_permutations
                    .iter()
                    .any(|p| permute(&state, p) == representative));
                for permutation in &all_permutations {
                    let permuted = permute(&state, permutation);
                    assert_eq!(permuted.representative(), representative, "{state:?}");
                }
                assert_eq!(representative.representative(), representative);
            }
        }
    }

    #[test]
    fn representative_sorts_rm_triples() {
        let model = model(3);
        let mut state = model.init_states()[0];
        state = model
            .next_state(&state, TwoPhaseAction::RmPrepare(2))
            .unwrap();
        state = model
            .next_state(&state, TwoPhaseAction::TmRcvPrepared(2))
            .unwrap();
        state = model
            .next_state(&state, TwoPhaseAction::RmChooseToAbort(0))
            .unwrap();
        let representative = state.representative();
        let states: Vec<RmState> = representative.rm_states().collect();
        assert_eq!(
            states,
            [RmState::Working, RmState::Prepared, RmState::Aborted]
        );
        assert!(representative.is_tm_prepared(1));
        assert!(representative.has_prepared_msg(1));
        assert!(!representative.is_tm_prepared(0));
        assert!(!representative.has_prepared_msg(2));
        assert_eq!(representative.tm_prepared_bitmask(), 0b010);
        assert_eq!(representative.prepared_msgs_bitmask(), 0b010);
    }

    #[test]
    fn stuttering_and_disabled_steps_are_none() {
        let model = model(2);
        let init = model.init_states()[0];
        // Disabled in the initial state.
        assert_eq!(model.next_state(&init, TwoPhaseAction::TmCommit), None);
        assert_eq!(
            model.next_state(&init, TwoPhaseAction::TmRcvPrepared(0)),
            None
        );
        assert_eq!(
            model.next_state(&init, TwoPhaseAction::RmRcvAbortMsg(0)),
            None
        );
        assert_eq!(model.next_state(&init, TwoPhaseAction::RmPrepare(2)), None);
        // TmRcvPrepared twice: the second is a stuttering step.
        let prepared = model
            .next_state(&init, TwoPhaseAction::RmPrepare(0))
            .unwrap();
        let received = model
            .next_state(&prepared, TwoPhaseAction::TmRcvPrepared(0))
            .unwrap();
        assert!(model.is_enabled(&received, TwoPhaseAction::TmRcvPrepared(0)));
        assert_eq!(
            model.next_state(&received, TwoPhaseAction::TmRcvPrepared(0)),
            None
        );
        // RmRcvAbortMsg stays enabled after the RM aborted, as in the spec.
        let aborted = model
            .next_state(&received, TwoPhaseAction::TmAbort)
            .unwrap();
        let rm_aborted = model
            .next_state(&aborted, TwoPhaseAction::RmRcvAbortMsg(0))
            .unwrap();
        assert_eq!(rm_aborted.rm_state(0), RmState::Aborted);
        let mut actions = Vec::new();
        model.actions(&rm_aborted, &mut actions);
        assert!(actions.contains(&TwoPhaseAction::RmRcvAbortMsg(0)));
        assert_eq!(
            model.next_state(&rm_aborted, TwoPhaseAction::RmRcvAbortMsg(0)),
            None
        );
        // A working RM may still take the abort message.
        let rm1_aborted = model
            .next_state(&rm_aborted, TwoPhaseAction::RmRcvAbortMsg(1))
            .unwrap();
        assert_eq!(rm1_aborted.rm_state(1), RmState::Aborted);
    }

    #[test]
    fn properties_catch_bad_states() {
        let model = model(3);
        let properties = model.properties();
        let holds = |name: &str, state: &TwoPhaseState| {
            let property = properties.iter().find(|p| p.name == name).unwrap();
            (property.condition)(&model, state)
        };
        let mut state = model.init_states()[0];
        assert!(holds("consistent", &state));
        assert!(holds("type_ok", &state));
        assert!(!holds("commit_reached", &state));
        assert!(!holds("abort_reached", &state));
        // One committed, one aborted: inconsistent (unreachable; built by hand).
        state.set_rm_state(0, RmState::Committed);
        assert!(holds("consistent", &state));
        state.set_rm_state(2, RmState::Aborted);
        assert!(!holds("consistent", &state));
        assert!(holds("abort_reached", &state));
        // All committed.
        let mut committed = model.init_states()[0];
        for rm in 0..3 {
            committed.set_rm_state(rm, RmState::Committed);
        }
        assert!(holds("commit_reached", &committed));
        assert!(holds("consistent", &committed));
        // A bit for RM 3 of 3 breaks type_ok, in each packed variable.
        let init = model.init_states()[0];
        let mut bad = init;
        bad.tm_prepared |= 1 << 3;
        assert!(!holds("type_ok", &bad));
        let mut bad = init;
        bad.prepared_msgs |= 1 << 3;
        assert!(!holds("type_ok", &bad));
        let mut bad = init;
        bad.rm_states |= 0b01 << 6;
        assert!(!holds("type_ok", &bad));
        let mut bad = init;
        bad.rms = 4;
        assert!(!holds("type_ok", &bad));
    }

    #[test]
    fn serializes_and_debugs_as_the_spec() {
        let model = model(2);
        let mut state = model.init_states()[0];
        state = model
            .next_state(&state, TwoPhaseAction::RmPrepare(1))
            .unwrap();
        state = model
            .next_state(&state, TwoPhaseAction::TmRcvPrepared(1))
            .unwrap();
        state = model.next_state(&state, TwoPhaseAction::TmAbort).unwrap();
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(
            json,
            r#"{"rmState":["working","prepared"],"tmState":"aborted","tmPrepared":[1],"msgs":[{"type":"Prepared","rm":1},{"type":"Abort"}]}"#
        );
        let debug = format!("{state:?}");
        assert!(debug.contains("rmState: [Working, Prepared]"), "{debug}");
        assert!(
            debug.contains("msgs: [Prepared { rm: 1 }, Abort]"),
            "{debug}"
        );
        assert_eq!(
            serde_json::to_string(&TwoPhaseAction::TmRcvPrepared(1)).unwrap(),
            r#"{"TmRcvPrepared":1}"#
        );
        assert!(state.contains_msg(Message::Prepared { rm: 1 }));
        assert!(!state.contains_msg(Message::Prepared { rm: 0 }));
        assert!(!state.contains_msg(Message::Prepared { rm: 7 }));
        assert!(state.contains_msg(Message::Abort));
        assert!(!state.contains_msg(Message::Commit));
        assert!(state.has_abort_msg() && !state.has_commit_msg());
        assert_eq!(state.tm_state(), TmState::Aborted);
        assert_eq!(std::mem::size_of::<TwoPhaseState>(), 12);
    }
}
