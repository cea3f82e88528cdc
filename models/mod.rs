//! The protocol catalog.
pub mod recovery;
