//! Recovery-coordination protocols (CATALOG.md C1–C6).
pub mod fenced_lease_lock;
pub mod two_phase_commit;
