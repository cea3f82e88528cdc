//! Replication protocols (docs/CATALOG.md R1–R5).
pub mod isr_replication;
pub mod lww_register;
pub mod primary_backup;
pub mod quorum_register;
pub mod tombstone_gc;

#[cfg(not(test))]
use crate::registry::Registry;

/// The family's models, in `list` order, and its plan.
#[cfg(not(test))] // as `catalog::registry`
pub fn registry() -> Registry {
    Registry::new()
        .protocol::<primary_backup::PrimaryBackup>()
        .protocol::<quorum_register::QuorumRegister>()
        .protocol::<lww_register::LwwRegister>()
        .protocol::<tombstone_gc::TombstoneGc>()
        .protocol::<isr_replication::IsrReplication>()
        .plan("models/replication/plan.toml", include_str!("plan.toml"))
}
