//! Recovery-coordination protocols (docs/CATALOG.md C1–C6).
pub mod concurrent_failover;
pub mod failover_split_brain;
pub mod fenced_lease_lock;
pub mod raft_commit_rule;
pub mod raft_vote_persistence;
pub mod two_phase_commit;
pub mod two_phase_commit_timed;

#[cfg(not(test))]
use crate::registry::Registry;

/// The family's models, in `list` order, and its plan.
#[cfg(not(test))] // as `catalog::registry`
pub fn registry() -> Registry {
    Registry::new()
        .plain::<two_phase_commit::TwoPhaseCommit>()
        .protocol::<fenced_lease_lock::FencedLeaseLock>()
        .protocol::<raft_vote_persistence::RaftVotePersistence>()
        .plain::<raft_commit_rule::RaftCommitRule>()
        .protocol::<failover_split_brain::FailoverSplitBrain>()
        .protocol::<concurrent_failover::ConcurrentFailover>()
        .protocol::<two_phase_commit_timed::TwoPhaseCommitTimed>()
        .plan("models/recovery/plan.toml", include_str!("plan.toml"))
}
