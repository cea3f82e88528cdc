//! A quorum ack counter: replication threads record acks from replicas, and the ack
//! that completes the quorum fires the commit callback (acknowledge the client,
//! advance the commit index).
//!
//! It backs R1 (`primary_backup`, sync ack: ack the client once the backup applied)
//! and R2 (`quorum_register`: a write or read phase completes on a majority). Acks
//! are recorded per replica in a bit set, so a duplicated ack message (links may
//! duplicate) is not counted twice.
//!
//! Invariant (checked by `tests/loom_quorum_ack.rs`): the commit callback fires
//! exactly once, however the acks interleave.
//!
//! The decision is [`quorum_reached`], taken on the count produced by the caller's own
//! atomic `fetch_or`. [`QuorumAckVariant::SeparateLoadBroken`] is deliberately broken,
//! for tests: it records the ack and then decides on a separate `load()`, so two
//! threads can both see the quorum (two callbacks) or both see it overshot (none).

use thiserror::Error;

use super::decision::quorum_reached;
use super::shim::atomic::{AtomicU64, Ordering};

/// The most replicas a [`QuorumAck`] tracks (one bit each in a `u64`).
pub const REPLICA_COUNT_MAX: u32 = 64;

/// Which implementation a [`QuorumAck`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuorumAckVariant {
    /// The quorum is decided on the value returned by the recording `fetch_or`.
    Correct,
    /// Deliberately broken, for tests: `fetch_or` followed by a separate
    /// `load() == quorum`.
    SeparateLoadBroken,
}

/// What one ack did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AckOutcome {
    /// This ack completed the quorum: the caller fires the commit callback, once.
    QuorumReached,
    /// Counted; the quorum is not reached by this ack.
    Counted,
    /// This replica had already acked: not counted again.
    Duplicate,
}

/// A configuration or input a [`QuorumAck`] cannot accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum QuorumAckError {
    /// More replicas than the bit set holds.
    #[error("{replica_count} replicas requested; at most {REPLICA_COUNT_MAX} are supported")]
    TooManyReplicas {
        /// The replica count asked for.
        replica_count: u32,
    },
    /// A quorum of zero, or larger than the replica set.
    #[error("quorum {quorum} must be between 1 and the replica count {replica_count}")]
    QuorumOutOfRange {
        /// The quorum asked for.
        quorum: u32,
        /// The replica count.
        replica_count: u32,
    },
    /// An ack from a replica outside `0..replica_count`.
    #[error("ack from replica {replica_index}, but replicas are numbered 0..{replica_count}")]
    UnknownReplica {
        /// The replica index given.
        replica_index: u32,
        /// The replica count.
        replica_count: u32,
    },
}

/// Counts acks for one replicated item and reports the one that completes a quorum.
#[derive(Debug)]
pub struct QuorumAck {
    acked_replicas: AtomicU64,
    replica_count: u32,
    quorum: u32,
    variant: QuorumAckVariant,
}

impl QuorumAck {
    /// A counter with no acks, for `replica_count` replicas (at most
    /// [`REPLICA_COUNT_MAX`]) and a quorum of `quorum` (1 to `replica_count`).
    pub fn new(
        replica_count: u32,
        quorum: u32,
        variant: QuorumAckVariant,
    ) -> Result<Self, QuorumAckError> {
        if replica_count > REPLICA_COUNT_MAX {
            return Err(QuorumAckError::TooManyReplicas { replica_count });
        }
        if quorum == 0 || quorum > replica_count {
            return Err(QuorumAckError::QuorumOutOfRange {
                quorum,
                replica_count,
            });
        }
        Ok(Self {
            acked_replicas: AtomicU64::new(0),
            replica_count,
            quorum,
            variant,
        })
    }

    /// Records an ack from replica `replica_index` (0-based).
    pub fn ack(&self, replica_index: u32) -> Result<AckOutcome, QuorumAckError> {
        if replica_index >= self.replica_count {
            return Err(QuorumAckError::UnknownReplica {
                replica_index,
                replica_count: self.replica_count,
            });
        }
        let replica_bit = 1_u64 << replica_index;
        let before = self.acked_replicas.fetch_or(replica_bit, Ordering::AcqRel);
        if before & replica_bit != 0 {
            return Ok(AckOutcome::Duplicate);
        }
        let acks = match self.variant {
            QuorumAckVariant::Correct => before | replica_bit,
            QuorumAckVariant::SeparateLoadBroken => self.acked_replicas.load(Ordering::Acquire),
        };
        if quorum_reached(u64::from(acks.count_ones()), u64::from(self.quorum)) {
            Ok(AckOutcome::QuorumReached)
        } else {
            Ok(AckOutcome::Counted)
        }
    }

    /// How many distinct replicas have acked.
    pub fn acks(&self) -> u32 {
        self.acked_replicas.load(Ordering::Acquire).count_ones()
    }
}
