//! A lease table that issues fencing tokens, and the storage side that checks them.
//!
//! [`LeaseTable`] grants one lease per key at a time, each with a fencing token;
//! [`FencedStorage`] applies an operation only when its token is not older than the
//! newest it has seen. Together they back C1 (`fenced_lease_lock`) and C2
//! (`failover_split_brain`): a holder that pauses past its lease can still send
//! operations, and only the token stops them.
//!
//! Invariants (checked by `tests/loom_lease_table.rs`):
//! - tokens per key strictly increase in grant order (so the valid holder's
//!   operations are never rejected as stale);
//! - at most one valid holder per key;
//! - storage rejects stale tokens: the tokens it applied per key never decrease.
//!
//! Time is a logical tick count passed in by the caller. The decisions are
//! [`lease_expired`] and [`fencing_token_accepted`]. Two variants of the table are
//! deliberately broken, for tests (see [`LeaseTableVariant`]).

use std::collections::BTreeMap;

use super::decision::{fencing_token_accepted, lease_expired, lease_expiry_ticks};
use super::poison::lock;
use super::shim::atomic::{AtomicU64, Ordering};
use super::shim::Mutex;

/// Which implementation a [`LeaseTable`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeaseTableVariant {
    /// The expiry check, the token and the grant are one critical section.
    Correct,
    /// Deliberately broken, for tests: the token is taken from the counter before the
    /// lock, so a later grant can carry a smaller token than an earlier one.
    TokenOutsideLockBroken,
    /// Deliberately broken, for tests: "is the lease free?" and "grant it" are two
    /// critical sections, so two acquirers can both see it free and both be granted.
    ExpiryCheckSeparateFromGrantBroken,
}

/// A granted lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lease {
    /// Who holds it.
    pub holder: u64,
    /// Its fencing token; storage rejects operations carrying an older one.
    pub token: u64,
    /// The tick from which it is no longer valid.
    pub expires_at_ticks: u64,
}

/// Grants leases on keys, one valid holder per key, with fencing tokens.
#[derive(Debug)]
pub struct LeaseTable {
    leases: Mutex<BTreeMap<u64, Lease>>,
    tokens_issued: AtomicU64,
    lease_ticks: u64,
    variant: LeaseTableVariant,
}

impl LeaseTable {
    /// An empty table granting leases of `lease_ticks`.
    pub fn new(lease_ticks: u64, variant: LeaseTableVariant) -> Self {
        Self {
            leases: Mutex::new(BTreeMap::new()),
            tokens_issued: AtomicU64::new(0),
            lease_ticks,
            variant,
        }
    }

    /// Grants `holder` the lease on `key` at `now_ticks` if nobody holds a live one.
    pub fn acquire(&self, key: u64, holder: u64, now_ticks: u64) -> Option<Lease> {
        match self.variant {
            LeaseTableVariant::Correct => self.acquire_in_one_section(key, holder, now_ticks),
            LeaseTableVariant::TokenOutsideLockBroken => {
                self.acquire_token_outside_lock(key, holder, now_ticks)
            }
            LeaseTableVariant::ExpiryCheckSeparateFromGrantBroken => {
                self.acquire_in_two_sections(key, holder, now_ticks)
            }
        }
    }

    /// Gives the lease on `key` back; true when `holder` held it with `token`.
    pub fn release(&self, key: u64, holder: u64, token: u64) -> bool {
        let mut leases = lock(&self.leases);
        let held = leases
            .get(&key)
            .is_some_and(|lease| lease.holder == holder && lease.token == token);
        if held {
            leases.remove(&key);
        }
        held
    }

    /// Whether `holder` holds a live lease on `key` with `token` at `now_ticks`.
    pub fn is_valid(&self, key: u64, holder: u64, token: u64, now_ticks: u64) -> bool {
        lock(&self.leases).get(&key).is_some_and(|lease| {
            lease.holder == holder
                && lease.token == token
                && !lease_expired(lease.expires_at_ticks, now_ticks)
        })
    }

    fn acquire_in_one_section(&self, key: u64, holder: u64, now_ticks: u64) -> Option<Lease> {
        let mut leases = lock(&self.leases);
        if !Self::is_free(&leases, key, now_ticks) {
            return None;
        }
        let token = self.next_token();
        Some(self.grant(&mut leases, key, holder, token, now_ticks))
    }

    fn acquire_token_outside_lock(&self, key: u64, holder: u64, now_ticks: u64) -> Option<Lease> {
        let token = self.next_token();
        let mut leases = lock(&self.leases);
        if !Self::is_free(&leases, key, now_ticks) {
            return None;
        }
        Some(self.grant(&mut leases, key, holder, token, now_ticks))
    }

    fn acquire_in_two_sections(&self, key: u64, holder: u64, now_ticks: u64) -> Option<Lease> {
        let free = Self::is_free(&lock(&self.leases), key, now_ticks);
        if !free {
            return None;
        }
        let mut leases = lock(&self.leases);
        let token = self.next_token();
        Some(self.grant(&mut leases, key, holder, token, now_ticks))
    }

    fn is_free(leases: &BTreeMap<u64, Lease>, key: u64, now_ticks: u64) -> bool {
        match leases.get(&key) {
            Some(lease) => lease_expired(lease.expires_at_ticks, now_ticks),
            None => true,
        }
    }

    fn next_token(&self) -> u64 {
        self.tokens_issued.fetch_add(1, Ordering::AcqRel) + 1
    }

    fn grant(
        &self,
        leases: &mut BTreeMap<u64, Lease>,
        key: u64,
        holder: u64,
        token: u64,
        now_ticks: u64,
    ) -> Lease {
        let lease = Lease {
            holder,
            token,
            expires_at_ticks: lease_expiry_ticks(now_ticks, self.lease_ticks),
        };
        leases.insert(key, lease);
        lease
    }
}

/// Storage that applies an operation only if its fencing token is not stale.
#[derive(Debug, Default)]
pub struct FencedStorage {
    applied_tokens: Mutex<BTreeMap<u64, Vec<u64>>>,
}

impl FencedStorage {
    /// Storage that has applied nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies an operation on `key` carrying `token` if no newer token was applied
    /// to `key` before ([`fencing_token_accepted`]); true when applied.
    pub fn apply(&self, key: u64, token: u64) -> bool {
        let mut applied_tokens = lock(&self.applied_tokens);
        let tokens = applied_tokens.entry(key).or_default();
        let highest_seen = tokens.last().copied().unwrap_or(0);
        if !fencing_token_accepted(token, highest_seen) {
            return false;
        }
        tokens.push(token);
        true
    }

    /// The tokens of the operations applied to `key`, in the order applied.
    pub fn applied_tokens(&self, key: u64) -> Vec<u64> {
        lock(&self.applied_tokens)
            .get(&key)
            .cloned()
            .unwrap_or_default()
    }
}
