//! Pure decision functions shared by the concurrent components and the protocol
//! models: one source of truth for "accept this token?", "is this request a
//! duplicate?", "may this retry go?".
//!
//! Each function is total, allocation-free and takes plain values, so a stateright
//! model can call it inside `next_state` and a concurrent component can call it inside
//! a critical section or an atomic read-modify-write closure. What is *not* decided
//! here is atomicity: a correct decision taken on a stale reading is still wrong, and
//! that is what the loom tests of `src/sync` check.
//!
//! Time is a logical tick count supplied by the caller; nothing here reads a clock.

use serde::{Deserialize, Serialize};

/// Whether storage accepts an operation carrying fencing `token`, given the highest
/// token it has already seen for the same resource.
///
/// True iff `token >= highest_seen`: a holder may issue several operations under the
/// same token, and any operation from an older lease (a smaller token) is rejected.
/// On acceptance the storage records `max(highest_seen, token)`.
///
/// Backs C1 (`fenced_lease_lock`) and C2 (`failover_split_brain`).
pub fn fencing_token_accepted(token: u64, highest_seen: u64) -> bool {
    token >= highest_seen
}

/// Whether a lease that expires at `expires_at_ticks` has expired at `now_ticks`.
///
/// A lease covers the half-open interval `[granted, expires_at_ticks)`: it has expired
/// from `expires_at_ticks` on.
pub fn lease_expired(expires_at_ticks: u64, now_ticks: u64) -> bool {
    now_ticks >= expires_at_ticks
}

/// The tick at which a lease granted at `now_ticks` for `lease_ticks` expires
/// (saturating at `u64::MAX`, which is read as "never").
pub fn lease_expiry_ticks(now_ticks: u64, lease_ticks: u64) -> u64 {
    now_ticks.saturating_add(lease_ticks)
}

/// What a dedup store holds for one idempotency key, as seen by the deciding worker.
///
/// Both kinds of record carry the tick at which they were written; a record expires
/// `ttl_ticks` after that (see [`dedup_decision`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DedupRecord {
    /// No record for the key (never written, or removed).
    Absent,
    /// An attempt claimed the key (wrote IN_PROGRESS) and has not completed.
    InProgress {
        /// When the IN_PROGRESS marker was written.
        written_at_ticks: u64,
    },
    /// An attempt completed and its result is stored.
    Completed {
        /// When the completed record was written.
        written_at_ticks: u64,
    },
}

/// What a worker must do with a request whose idempotency key has a given record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DedupDecision {
    /// No live record: execute the request. A put-if-absent store writes IN_PROGRESS
    /// in the same atomic step as this decision; a check-then-act store writes the
    /// record only after completion, which is the T2 bug.
    Execute,
    /// A live completed record: do not execute; answer with the stored result.
    ReturnStored,
    /// A live IN_PROGRESS marker: another attempt is running. Do not execute; wait for
    /// it (the dedup cache does) or reject the duplicate with a "try again" answer.
    RejectInProgress,
}

/// The idempotency decision for a dedup store whose records expire after
/// `ttl_ticks`, taken at `now_ticks`.
///
/// A record is live while `now_ticks < written_at_ticks + ttl_ticks`; an expired
/// record counts as absent. Therefore:
///
/// - `Absent`, or any expired record: [`DedupDecision::Execute`].
/// - A live `Completed`: [`DedupDecision::ReturnStored`].
/// - A live `InProgress`: [`DedupDecision::RejectInProgress`].
///
/// Expiry is the honest limit of T2 (`idempotency_window`): a retry that arrives
/// after the TTL, or a handler that outlives its IN_PROGRESS marker, gets `Execute`
/// again, and no dedup store can tell. A `ttl_ticks` of `u64::MAX` never expires.
/// Backs T2 and T4 (`at_least_once_queue`) and the dedup cache.
pub fn dedup_decision(record: DedupRecord, now_ticks: u64, ttl_ticks: u64) -> DedupDecision {
    match record {
        DedupRecord::Absent => DedupDecision::Execute,
        DedupRecord::InProgress { written_at_ticks } => {
            if dedup_record_expired(written_at_ticks, now_ticks, ttl_ticks) {
                DedupDecision::Execute
            } else {
                DedupDecision::RejectInProgress
            }
        }
        DedupRecord::Completed { written_at_ticks } => {
            if dedup_record_expired(written_at_ticks, now_ticks, ttl_ticks) {
                DedupDecision::Execute
            } else {
                DedupDecision::ReturnStored
            }
        }
    }
}

/// Whether a dedup record written at `written_at_ticks` has expired at `now_ticks`
/// under a time-to-live of `ttl_ticks` (a `u64::MAX` TTL never expires).
pub fn dedup_record_expired(written_at_ticks: u64, now_ticks: u64, ttl_ticks: u64) -> bool {
    if ttl_ticks == u64::MAX {
        return false;
    }
    now_ticks >= written_at_ticks.saturating_add(ttl_ticks)
}

/// Whether a retry may go, given the tokens in a retry budget (token bucket) and the
/// cost of one retry: `Some(tokens left after the grant)` when
/// `tokens_available >= tokens_per_retry`, `None` when the retry must be refused.
///
/// Backs T3 (`retry_amplification`): with a budget, database attempts per user
/// request are bounded by the tokens, whatever each layer's retry loop does.
pub fn retry_budget_grant(tokens_available: u64, tokens_per_retry: u64) -> Option<u64> {
    tokens_available.checked_sub(tokens_per_retry)
}

/// The tokens in a retry budget after depositing `tokens_deposited` (for example on a
/// successful request): the sum, clipped to `tokens_cap`.
pub fn retry_budget_deposit(tokens_available: u64, tokens_deposited: u64, tokens_cap: u64) -> u64 {
    tokens_available
        .saturating_add(tokens_deposited)
        .min(tokens_cap)
}

/// Whether an ack that brought the ack count to `acks` is the one that reached
/// `quorum`: true only on the exact transition, `acks == quorum`.
///
/// Call it with the count produced by your own atomic increment (the value returned
/// by `fetch_add` plus one), never with a separate read: each count is produced by
/// exactly one increment, so exactly one caller sees `true` and the commit callback
/// fires once. Duplicate acks must not be counted. A `quorum` of zero is never
/// reached by an ack. Backs R1 (`primary_backup`) and R2 (`quorum_register`).
pub fn quorum_reached(acks: u64, quorum: u64) -> bool {
    acks == quorum
}

/// What a controller that saw a failure at `observed_epoch` must do, given the
/// current epoch (the number of completed recoveries, or the version of the topology
/// record) and whether a recovery is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecoveryDecision {
    /// Nobody has recovered from the observed failure and nobody is recovering:
    /// start the recovery (and mark it in flight in the same atomic step).
    Start,
    /// A recovery is in flight for the observed failure: wait for it.
    Join,
    /// The epoch moved past the observed one: somebody already recovered; act on the
    /// new topology instead (C3's "refuse commands with an old epoch").
    AlreadyRecovered,
}

/// The single-flight decision for recovery (C3, `concurrent_failover`).
///
/// `observed_epoch < current_epoch`: [`RecoveryDecision::AlreadyRecovered`];
/// otherwise [`RecoveryDecision::Join`] while a recovery is in flight, else
/// [`RecoveryDecision::Start`].
pub fn recovery_decision(
    observed_epoch: u64,
    current_epoch: u64,
    recovery_in_flight: bool,
) -> RecoveryDecision {
    if observed_epoch < current_epoch {
        RecoveryDecision::AlreadyRecovered
    } else if recovery_in_flight {
        RecoveryDecision::Join
    } else {
        RecoveryDecision::Start
    }
}

/// Whether a controller that saw a failure at `observed_epoch` may start a recovery:
/// [`recovery_decision`] is [`RecoveryDecision::Start`].
pub fn may_start_recovery(
    observed_epoch: u64,
    current_epoch: u64,
    recovery_in_flight: bool,
) -> bool {
    recovery_decision(observed_epoch, current_epoch, recovery_in_flight) == RecoveryDecision::Start
}

/// The commit index after a request to advance it to `candidate`, given the current
/// commit index and the length of the durable log.
///
/// The result is `max(current, min(candidate, durable_length))`: the commit index
/// never moves back and never passes the durable log (R5, `isr_replication`: a high
/// watermark beyond the durable log acknowledges records a restart can lose). A
/// `current` already beyond `durable_length` is kept, not lowered: lowering is the
/// caller's decision, never a side effect of an advance.
pub fn commit_index_advance(current: u64, candidate: u64, durable_length: u64) -> u64 {
    current.max(candidate.min(durable_length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fencing_accepts_equal_and_newer_tokens() {
        assert!(fencing_token_accepted(5, 5));
        assert!(fencing_token_accepted(6, 5));
        assert!(fencing_token_accepted(0, 0));
    }

    #[test]
    fn fencing_rejects_older_tokens() {
        assert!(!fencing_token_accepted(4, 5));
        assert!(!fencing_token_accepted(0, 1));
    }

    #[test]
    fn lease_expires_at_its_expiry_tick() {
        assert!(!lease_expired(10, 9));
        assert!(lease_expired(10, 10));
        assert!(lease_expired(10, 11));
        assert_eq!(lease_expiry_ticks(3, 7), 10);
        assert_eq!(lease_expiry_ticks(u64::MAX - 1, 7), u64::MAX);
    }

    #[test]
    fn dedup_absent_executes() {
        assert_eq!(
            dedup_decision(DedupRecord::Absent, 0, 10),
            DedupDecision::Execute
        );
    }

    #[test]
    fn dedup_live_records_are_not_executed_again() {
        let in_progress = DedupRecord::InProgress {
            written_at_ticks: 5,
        };
        let completed = DedupRecord::Completed {
            written_at_ticks: 5,
        };
        assert_eq!(
            dedup_decision(in_progress, 14, 10),
            DedupDecision::RejectInProgress
        );
        assert_eq!(
            dedup_decision(completed, 14, 10),
            DedupDecision::ReturnStored
        );
    }

    #[test]
    fn dedup_expired_records_execute_again() {
        let in_progress = DedupRecord::InProgress {
            written_at_ticks: 5,
        };
        let completed = DedupRecord::Completed {
            written_at_ticks: 5,
        };
        assert_eq!(dedup_decision(in_progress, 15, 10), DedupDecision::Execute);
        assert_eq!(dedup_decision(completed, 15, 10), DedupDecision::Execute);
    }

    #[test]
    fn dedup_maximum_ttl_never_expires() {
        let completed = DedupRecord::Completed {
            written_at_ticks: 5,
        };
        assert_eq!(
            dedup_decision(completed, u64::MAX, u64::MAX),
            DedupDecision::ReturnStored
        );
        assert!(!dedup_record_expired(u64::MAX, u64::MAX, u64::MAX));
    }

    #[test]
    fn dedup_zero_ttl_expires_at_once() {
        let completed = DedupRecord::Completed {
            written_at_ticks: 5,
        };
        assert_eq!(dedup_decision(completed, 5, 0), DedupDecision::Execute);
    }

    #[test]
    fn retry_budget_grants_while_tokens_last() {
        assert_eq!(retry_budget_grant(10, 3), Some(7));
        assert_eq!(retry_budget_grant(3, 3), Some(0));
        assert_eq!(retry_budget_grant(2, 3), None);
        assert_eq!(retry_budget_grant(0, 0), Some(0));
    }

    #[test]
    fn retry_budget_deposit_is_clipped_to_the_cap() {
        assert_eq!(retry_budget_deposit(3, 2, 10), 5);
        assert_eq!(retry_budget_deposit(9, 2, 10), 10);
        assert_eq!(retry_budget_deposit(u64::MAX, 1, u64::MAX), u64::MAX);
    }

    #[test]
    fn quorum_reached_only_on_the_exact_transition() {
        assert!(!quorum_reached(1, 2));
        assert!(quorum_reached(2, 2));
        assert!(!quorum_reached(3, 2));
        assert!(!quorum_reached(1, 0));
    }

    #[test]
    fn recovery_starts_only_when_current_and_idle() {
        assert_eq!(recovery_decision(3, 3, false), RecoveryDecision::Start);
        assert_eq!(recovery_decision(3, 3, true), RecoveryDecision::Join);
        assert_eq!(
            recovery_decision(2, 3, false),
            RecoveryDecision::AlreadyRecovered
        );
        assert_eq!(
            recovery_decision(2, 3, true),
            RecoveryDecision::AlreadyRecovered
        );
        assert!(may_start_recovery(3, 3, false));
        assert!(!may_start_recovery(3, 3, true));
        assert!(!may_start_recovery(2, 3, false));
    }

    #[test]
    fn commit_index_is_monotonic_and_bounded_by_the_durable_log() {
        assert_eq!(commit_index_advance(2, 5, 4), 4);
        assert_eq!(commit_index_advance(2, 3, 4), 3);
        assert_eq!(commit_index_advance(3, 1, 4), 3);
        assert_eq!(commit_index_advance(5, 6, 4), 5);
    }
}
