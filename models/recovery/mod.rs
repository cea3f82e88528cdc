//! Recovery-coordination protocols (CATALOG.md C1–C6).
pub mod concurrent_failover;
pub mod failover_split_brain;
pub mod fenced_lease_lock;
pub mod raft_commit_rule;
pub mod raft_vote_persistence;
pub mod two_phase_commit;
pub mod two_phase_commit_timed;

use crate::catalog::{plain, timed, CatalogModel};

/// The family's catalog entries, in `list` order.
pub fn entries() -> Vec<Box<dyn CatalogModel>> {
    vec![
        plain::<two_phase_commit::TwoPhaseCommit>(),
        timed::<fenced_lease_lock::FencedLeaseLock>(),
        timed::<raft_vote_persistence::RaftVotePersistence>(),
        plain::<raft_commit_rule::RaftCommitRule>(),
        timed::<failover_split_brain::FailoverSplitBrain>(),
        timed::<concurrent_failover::ConcurrentFailover>(),
        timed::<two_phase_commit_timed::TwoPhaseCommitTimed>(),
    ]
}
