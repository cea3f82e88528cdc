//! TwoPhase (placeholder, being written).
