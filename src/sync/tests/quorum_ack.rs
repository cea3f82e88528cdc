//! Unit tests of [`crate::sync::quorum_ack`], on `std`'s primitives.

use crate::sync::quorum_ack::*;

#[test]
fn the_ack_that_completes_the_quorum_is_reported_once() {
    let counter = QuorumAck::new(3, 2, QuorumAckVariant::Correct).expect("a valid configuration");
    assert_eq!(counter.ack(0), Ok(AckOutcome::Counted));
    assert_eq!(counter.ack(0), Ok(AckOutcome::Duplicate));
    assert_eq!(counter.ack(2), Ok(AckOutcome::QuorumReached));
    assert_eq!(counter.ack(1), Ok(AckOutcome::Counted));
    assert_eq!(counter.ack(2), Ok(AckOutcome::Duplicate));
    assert_eq!(counter.acks(), 3);
}

#[test]
fn invalid_configurations_are_rejected() {
    let too_many = QuorumAck::new(65, 33, QuorumAckVariant::Correct);
    assert_eq!(
        too_many.unwrap_err(),
        QuorumAckError::TooManyReplicas { replica_count: 65 }
    );
    let zero = QuorumAck::new(3, 0, QuorumAckVariant::Correct);
    assert!(matches!(zero, Err(QuorumAckError::QuorumOutOfRange { .. })));
    let above = QuorumAck::new(3, 4, QuorumAckVariant::Correct);
    assert!(matches!(
        above,
        Err(QuorumAckError::QuorumOutOfRange { .. })
    ));
}

#[test]
fn unknown_replicas_are_rejected() {
    let counter = QuorumAck::new(REPLICA_COUNT_MAX, 1, QuorumAckVariant::Correct)
        .expect("a valid configuration");
    assert_eq!(counter.ack(63), Ok(AckOutcome::QuorumReached));
    let error = counter.ack(64).unwrap_err();
    assert_eq!(
        error.to_string(),
        "ack from replica 64, but replicas are numbered 0..64"
    );
}

#[test]
fn broken_variant_is_right_without_contention() {
    let counter =
        QuorumAck::new(3, 2, QuorumAckVariant::SeparateLoadBroken).expect("a valid configuration");
    assert_eq!(counter.ack(1), Ok(AckOutcome::Counted));
    assert_eq!(counter.ack(0), Ok(AckOutcome::QuorumReached));
    assert_eq!(counter.ack(2), Ok(AckOutcome::Counted));
}
