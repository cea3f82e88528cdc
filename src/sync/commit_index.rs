//! A leader's commit index (Kafka's high watermark) next to its durable log length.
//!
//! Replication threads advance the commit index as followers acknowledge; the append
//! path makes entries durable; readers serve entries up to the commit index. It backs
//! R5 (`isr_replication`), where a high watermark that is wrong about what is durable
//! acknowledges records that a restart loses.
//!
//! Invariants (checked by `tests/loom_commit_index.rs`):
//! - the commit index is monotonic: no reader sees it move back;
//! - the commit index never exceeds the durable log length: a reader that loads the
//!   commit index and then the durable length never finds the first larger.
//!
//! The decision is [`commit_index_advance`]. The durable log only grows here;
//! truncation on restart is the model's business, not this component's.
//!
//! Two variants are deliberately broken, for tests (see [`CommitIndexVariant`]).

use super::decision::commit_index_advance;
use super::shim::atomic::{AtomicU64, Ordering};

/// Which implementation a [`CommitIndex`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommitIndexVariant {
    /// Advances are one atomic read-modify-write; the append path makes entries
    /// durable before it publishes them as committed.
    Correct,
    /// Deliberately broken, for tests: an advance loads the commit index, computes the
    /// maximum, and stores it in a separate step, so a slower thread can store a
    /// smaller value over a larger one.
    LoadThenStoreMaxBroken,
    /// Deliberately broken, for tests: the append path publishes the new commit index
    /// before it makes the entries durable, so a reader can see a commit index beyond
    /// the durable log.
    PublishBeforeAppendBroken,
}

/// A commit index that never moves back and never passes the durable log.
#[derive(Debug)]
pub struct CommitIndex {
    durable_length: AtomicU64,
    commit_index: AtomicU64,
    variant: CommitIndexVariant,
}

impl CommitIndex {
    /// A commit index of zero over a durable log of `durable_length` entries.
    pub fn new(durable_length: u64, variant: CommitIndexVariant) -> Self {
        Self {
            durable_length: AtomicU64::new(durable_length),
            commit_index: AtomicU64::new(0),
            variant,
        }
    }

    /// Records that `entries` more entries are durable; returns the new length.
    pub fn append_durable(&self, entries: u64) -> u64 {
        self.durable_length.fetch_add(entries, Ordering::AcqRel) + entries
    }

    /// Advances the commit index towards `candidate` (never back, never past the
    /// durable log); returns the commit index this call left.
    pub fn advance(&self, candidate: u64) -> u64 {
        match self.variant {
            CommitIndexVariant::LoadThenStoreMaxBroken => self.advance_load_then_store(candidate),
            CommitIndexVariant::Correct | CommitIndexVariant::PublishBeforeAppendBroken => {
                self.advance_atomically(candidate)
            }
        }
    }

    /// The local commit path (a quorum of one): makes `entries` durable and commits
    /// them; returns the new commit index.
    pub fn append_and_commit(&self, entries: u64) -> u64 {
        if self.variant == CommitIndexVariant::PublishBeforeAppendBroken {
            return self.publish_then_append(entries);
        }
        let durable_length = self.append_durable(entries);
        self.advance(durable_length)
    }

    /// The commit index now. Load it before [`Self::durable_length`] to check the
    /// bound: entries committed are durable before the commit index says so.
    pub fn commit_index(&self) -> u64 {
        self.commit_index.load(Ordering::Acquire)
    }

    /// The durable log length now.
    pub fn durable_length(&self) -> u64 {
        self.durable_length.load(Ordering::Acquire)
    }

    fn advance_atomically(&self, candidate: u64) -> u64 {
        let durable_length = self.durable_length();
        let update = |current| Some(commit_index_advance(current, candidate, durable_length));
        let before = self
            .commit_index
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, update)
            .expect("the advance closure always returns Some");
        commit_index_advance(before, candidate, durable_length)
    }

    fn advance_load_then_store(&self, candidate: u64) -> u64 {
        let durable_length = self.durable_length();
        let current = self.commit_index.load(Ordering::Acquire);
        let advanced = commit_index_advance(current, candidate, durable_length);
        self.commit_index.store(advanced, Ordering::Release);
        advanced
    }

    fn publish_then_append(&self, entries: u64) -> u64 {
        let durable_length_planned = self.durable_length().saturating_add(entries);
        let update = |current: u64| Some(current.max(durable_length_planned));
        let before = self
            .commit_index
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, update)
            .expect("the publish closure always returns Some");
        self.append_durable(entries);
        before.max(durable_length_planned)
    }
}
