//! Recovery-coordination protocols.
pub mod two_phase_commit;
