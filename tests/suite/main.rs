//! synccheck's integration tests, in one crate: each file here is a module, with the
//! name it had as a crate of its own (`cargo test --release --test suite lean_state::`
//! runs one file's tests). One crate compiles each protocol's check pipeline once: as
//! separate crates, a catalog protocol that several files check (`fenced_lease_lock`
//! in nine of them) was compiled once per file, and the release build of the tests was
//! the largest part of the README's test command (BENCHMARKS.md, "The test command's
//! time"). The loom tests stay crates of their own (`tests/loom_*.rs`): they compile
//! `src/sync`'s files against a shim of loom's primitives.
//!
//! `support` is what the files that run the `synccheck` binary share.

mod support;

mod ablation_graph;
mod assumptions;
mod backoff_jitter;
mod bounds;
mod ci_outputs;
mod class_guide;
mod cli;
mod clock_reads;
mod conventions;
mod drift_classes;
mod drop_ignored;
mod explorer;
mod fuzz_parsers;
mod generated_protocols;
mod interrupt;
mod isr_replication;
mod jittered_timers;
mod lean_state;
mod liveness;
mod message_set;
mod model_panics;
mod models;
mod never_deadlocks;
mod no_false_verdict;
mod peers;
mod por_census;
mod quorum_register;
mod raft_commit_rule;
mod recovery;
mod replication;
mod retry;
mod retry_amplification;
mod schemas;
mod shards;
mod shared_parts;
mod soundness;
mod subsumption;
mod symmetry;
mod testing_api;
mod tick_self_loops;
mod timed_symmetry;
mod tombstone_gc;
mod traces;
mod two_phase_commit_timed;
mod user_cli;
