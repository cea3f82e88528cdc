//! A recovery single-flight guard: of the controllers that saw the same failure, one
//! runs the recovery and the others wait for it.
//!
//! It backs C3 (`concurrent_failover`): two controllers that both promote a replica
//! make two primaries. A controller reads the guard's epoch (the number of completed
//! recoveries) when it sees the failure and passes it to [`SingleFlight::recover`].
//! The claim is one compare-and-set on a word holding the epoch and an in-flight
//! flag; completion bumps the epoch under a mutex and wakes the waiters through a
//! condition variable, and waiters re-check under that mutex.
//!
//! Invariants (checked by `tests/loom_single_flight.rs`):
//! - at most one recovery in flight, and one recovery per observed failure;
//! - no waiter misses completion (every caller returns).
//!
//! The decision is [`recovery_decision`]. Two variants are deliberately broken, for
//! tests (see [`SingleFlightVariant`]).

use super::decision::{may_start_recovery, recovery_decision, RecoveryDecision};
use super::poison::{lock, wait};
use super::shim::atomic::{AtomicU64, Ordering};
use super::shim::{Condvar, Mutex};

/// Which implementation a [`SingleFlight`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SingleFlightVariant {
    /// Claim by compare-and-set; waiters check and wait under one mutex.
    Correct,
    /// Deliberately broken, for tests: the in-flight flag is loaded, decided on and
    /// stored in separate steps, so two controllers can both start a recovery.
    FlagLoadThenStoreBroken,
    /// Deliberately broken, for tests: a waiter checks the flag outside the mutex and
    /// then waits, so a completion between the two is never seen (a lost wake-up; the
    /// waiter blocks forever and loom reports a deadlock).
    LostWakeupBroken,
}

/// How a call to [`SingleFlight::recover`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecoveryOutcome {
    /// This caller ran the recovery; the epoch is now `epoch`.
    Led {
        /// The epoch after this recovery.
        epoch: u64,
    },
    /// This caller waited for another caller's recovery, which moved the epoch to
    /// `epoch` (or past it).
    Joined {
        /// The epoch seen when the wait ended.
        epoch: u64,
    },
    /// The epoch had already moved past the observed one: nothing to do.
    AlreadyRecovered {
        /// The current epoch.
        epoch: u64,
    },
}

/// The single-flight guard.
#[derive(Debug)]
pub struct SingleFlight {
    flight: AtomicU64,
    completion: Mutex<()>,
    completed: Condvar,
    variant: SingleFlightVariant,
}

/// What a claim attempt found.
enum Claim {
    Started { epoch: u64 },
    InFlight,
    Recovered { epoch: u64 },
}

impl SingleFlight {
    /// A guard at epoch zero with no recovery in flight.
    pub fn new(variant: SingleFlightVariant) -> Self {
        Self {
            flight: AtomicU64::new(encode(0, false)),
            completion: Mutex::new(()),
            completed: Condvar::new(),
            variant,
        }
    }

    /// The number of completed recoveries: what a caller observes with a failure.
    pub fn epoch(&self) -> u64 {
        decode(self.flight.load(Ordering::Acquire)).0
    }

    /// Whether a recovery is in flight now.
    pub fn recovery_in_flight(&self) -> bool {
        decode(self.flight.load(Ordering::Acquire)).1
    }

    /// Runs `recovery` for a failure seen at `observed_epoch`, unless another caller
    /// is running it (then waits for it) or has run it (then returns at once).
    ///
    /// If `recovery` panics, the flight ends without moving the epoch and a waiter
    /// claims the recovery in turn.
    pub fn recover<F: FnOnce()>(&self, observed_epoch: u64, recovery: F) -> RecoveryOutcome {
        let mut waited = false;
        loop {
            match self.claim(observed_epoch) {
                Claim::Started { epoch } => return self.lead(epoch, recovery),
                Claim::Recovered { epoch } if waited => return RecoveryOutcome::Joined { epoch },
                Claim::Recovered { epoch } => return RecoveryOutcome::AlreadyRecovered { epoch },
                Claim::InFlight => {
                    self.wait_for_completion(observed_epoch);
                    waited = true;
                }
            }
        }
    }

    fn claim(&self, observed_epoch: u64) -> Claim {
        match self.variant {
            SingleFlightVariant::FlagLoadThenStoreBroken => {
                self.claim_load_then_store(observed_epoch)
            }
            SingleFlightVariant::Correct | SingleFlightVariant::LostWakeupBroken => {
                self.claim_atomically(observed_epoch)
            }
        }
    }

    fn claim_atomically(&self, observed_epoch: u64) -> Claim {
        let start = |word| {
            let (epoch, in_flight) = decode(word);
            may_start_recovery(observed_epoch, epoch, in_flight).then(|| encode(epoch, true))
        };
        match self
            .flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, start)
        {
            Ok(word) => Claim::Started {
                epoch: decode(word).0,
            },
            Err(word) => claim_refused(observed_epoch, word),
        }
    }

    fn claim_load_then_store(&self, observed_epoch: u64) -> Claim {
        let word = self.flight.load(Ordering::Acquire);
        let (epoch, in_flight) = decode(word);
        if !may_start_recovery(observed_epoch, epoch, in_flight) {
            return claim_refused(observed_epoch, word);
        }
        self.flight.store(encode(epoch, true), Ordering::Release);
        Claim::Started { epoch }
    }

    fn lead<F: FnOnce()>(&self, epoch: u64, recovery: F) -> RecoveryOutcome {
        let mut flight = Flight {
            guard: self,
            epoch_after: epoch,
        };
        recovery();
        flight.epoch_after = epoch
            .checked_add(1)
            .expect("fewer than 2^63 recoveries in one process");
        RecoveryOutcome::Led {
            epoch: flight.epoch_after,
        }
    }

    fn wait_for_completion(&self, observed_epoch: u64) {
        match self.variant {
            SingleFlightVariant::LostWakeupBroken => {
                self.wait_checking_outside_lock(observed_epoch)
            }
            SingleFlightVariant::Correct | SingleFlightVariant::FlagLoadThenStoreBroken => {
                self.wait_checking_under_lock(observed_epoch)
            }
        }
    }

    fn wait_checking_under_lock(&self, observed_epoch: u64) {
        let mut completion = lock(&self.completion);
        while self.decide(observed_epoch) == RecoveryDecision::Join {
            completion = wait(&self.completed, completion);
        }
    }

    fn wait_checking_outside_lock(&self, observed_epoch: u64) {
        if self.decide(observed_epoch) == RecoveryDecision::Join {
            let completion = lock(&self.completion);
            drop(wait(&self.completed, completion));
        }
    }

    fn decide(&self, observed_epoch: u64) -> RecoveryDecision {
        let (epoch, in_flight) = decode(self.flight.load(Ordering::Acquire));
        recovery_decision(observed_epoch, epoch, in_flight)
    }
}

/// A recovery in flight; dropping it (normally or by a panic) ends the flight at
/// `epoch_after` and wakes the waiters.
struct Flight<'guard> {
    guard: &'guard SingleFlight,
    epoch_after: u64,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let completion = lock(&self.guard.completion);
        let word = encode(self.epoch_after, false);
        self.guard.flight.store(word, Ordering::Release);
        drop(completion);
        self.guard.completed.notify_all();
    }
}

fn claim_refused(observed_epoch: u64, word: u64) -> Claim {
    let (epoch, in_flight) = decode(word);
    match recovery_decision(observed_epoch, epoch, in_flight) {
        RecoveryDecision::AlreadyRecovered => Claim::Recovered { epoch },
        RecoveryDecision::Join | RecoveryDecision::Start => Claim::InFlight,
    }
}

/// Packs an epoch and the in-flight flag into one word (epoch in the top 63 bits).
pub(super) fn encode(epoch: u64, in_flight: bool) -> u64 {
    debug_assert!(epoch < 1 << 63, "epoch {epoch} does not fit in 63 bits");
    (epoch << 1) | u64::from(in_flight)
}

/// The epoch and in-flight flag packed by [`encode`].
pub(super) fn decode(word: u64) -> (u64, bool) {
    (word >> 1, word & 1 == 1)
}
