//! The components' unit tests, on `std`'s primitives: the library's build only.
//!
//! They live here, not beside each component, because the loom tests compile the
//! component files themselves against loom's primitives (`tests/loom_support`), where
//! a test that makes a component outside a loom model would panic.

mod commit_index;
mod dedup_cache;
mod lease_table;
mod quorum_ack;
mod retry_budget;
mod single_flight;
