//! The protocol catalog (docs/CATALOG.md): one file per protocol, grouped by family, each
//! family with its plan (`plan.toml`) pinning the expected verdicts.
pub mod recovery;
pub mod replication;
pub mod retry;
