//! Loom checks of the quorum ack counter (R1, R2, `src/sync/quorum_ack.rs`).
//!
//! Three replicas ack concurrently (one of them twice, a duplicated message) towards
//! a quorum of two. Invariant: the commit callback fires exactly once.

mod loom_support;

use loom_support::sync::quorum_ack::{AckOutcome, QuorumAck, QuorumAckVariant};
use loom_support::sync::shim::{thread, Arc};

const REPLICA_COUNT: u32 = 3;
const QUORUM: u32 = 2;

fn three_replicas_ack(variant: QuorumAckVariant) {
    loom_support::check(move || {
        let counter = Arc::new(QuorumAck::new(REPLICA_COUNT, QUORUM, variant).unwrap());
        let replicas: Vec<_> = (0..REPLICA_COUNT)
            .map(|replica_index| {
                let counter = Arc::clone(&counter);
                let ack_messages = if replica_index == 0 { 2 } else { 1 };
                thread::spawn(move || {
                    (0..ack_messages)
                        .filter(|_| counter.ack(replica_index) == Ok(AckOutcome::QuorumReached))
                        .count()
                })
            })
            .collect();
        let fired: usize = replicas
            .into_iter()
            .map(|replica| replica.join().unwrap())
            .sum();
        assert_eq!(
            fired, 1,
            "the commit callback must fire exactly once: it fired {fired} times"
        );
        assert_eq!(counter.acks(), REPLICA_COUNT);
    });
}

#[test]
fn correct_counter_fires_the_commit_callback_once() {
    three_replicas_ack(QuorumAckVariant::Correct);
}

#[test]
#[should_panic(expected = "the commit callback must fire exactly once")]
fn separate_load_fires_the_commit_callback_twice_or_never() {
    three_replicas_ack(QuorumAckVariant::SeparateLoadBroken);
}
