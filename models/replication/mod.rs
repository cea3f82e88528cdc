//! Replication protocols (CATALOG.md R1–R5).
pub mod isr_replication;
pub mod lww_register;
pub mod primary_backup;
pub mod quorum_register;
pub mod tombstone_gc;

use crate::catalog::{timed, CatalogModel};

/// The family's catalog entries, in `list` order.
pub fn entries() -> Vec<Box<dyn CatalogModel>> {
    vec![
        timed::<primary_backup::PrimaryBackup>(),
        timed::<quorum_register::QuorumRegister>(),
        timed::<lww_register::LwwRegister>(),
        timed::<tombstone_gc::TombstoneGc>(),
        timed::<isr_replication::IsrReplication>(),
    ]
}
