//! In-process components, checked by loom.
//!
//! The protocol models in `models/` check a protocol between nodes; the components
//! here are the node-local concurrent pieces a real implementation of those protocols
//! needs. Each one is written against [`shim`] (`std` in the library, loom's
//! primitives in the loom tests), keeps its invariant under every interleaving loom
//! explores, and comes with a deliberately broken variant, chosen at construction, that
//! loom must catch. The broken variants exist for the tests: never use them in
//! production code.
//!
//! | component | backs | invariant | broken variants |
//! |---|---|---|---|
//! | [`retry_budget::RetryBudget`], a token bucket | T3 | tokens granted ≤ initial + deposited; tokens ≤ cap | load-then-store decrement |
//! | [`commit_index::CommitIndex`] | R5 | monotonic; never beyond the durable log length | load-then-store max; publish before append |
//! | [`lease_table::LeaseTable`] with fencing tokens, and [`lease_table::FencedStorage`] | C1, C2 | tokens per key strictly increase; one valid holder; stale tokens rejected | token taken outside the lock; expiry check and grant in two critical sections |
//! | [`dedup_cache::DedupCache`], idempotency keys with a TTL | T2, T4 | each request applied once; a concurrent duplicate gets the stored result | lookup and insert in separate critical sections |
//! | [`single_flight::SingleFlight`], recovery single-flight guard | C3 | at most one recovery in flight; no waiter misses completion | flag load-then-store; lost wake-up |
//! | [`quorum_ack::QuorumAck`], quorum ack counter | R1, R2 | the commit callback fires exactly once | `fetch_or` then a separate `load() == quorum` |
//!
//! # One source of truth: [`decision`]
//!
//! What each component decides (accept this fencing token? is this request a
//! duplicate? may this retry go? did this ack reach the quorum?) is a pure function in
//! [`decision`], called by the component inside its critical section or atomic
//! read-modify-write and by the protocol model in its transition. The models and the
//! components cannot drift apart; the loom tests check the part the function cannot:
//! that the decision is taken and applied atomically.
//!
//! Time is a logical tick count passed in by the caller (`now_ticks`); nothing here
//! reads a clock.
//!
//! # Running the loom tests
//!
//! Each component has a `tests/loom_<component>.rs` with models of two or three
//! threads: the correct variant must pass every interleaving, each broken variant must
//! fail with its invariant's message (`#[should_panic(expected = ...)]`; the lost
//! wake-up fails with loom's `deadlock; threads = [...]`). They are ordinary
//! integration tests, run by every `cargo test`:
//!
//! ```text
//! LOOM_MAX_PREEMPTIONS=2 cargo test --release --test 'loom_*'
//! ```
//!
//! How loom gets in: `tests/loom_support/mod.rs` mounts this directory's component
//! files as a module of its own crate, beside a `shim` of its own that exports loom's
//! primitives under the names [`shim`] exports `std`'s. So the loom tests check these
//! very files, and nothing else is compiled again: no feature or `--cfg loom` changes
//! the library, and the library and every dependency keep their one release build
//! (loom itself is a dev-dependency). A component may use only [`shim`], `poison` (lock
//! and wait without poisoning) and [`decision`] (which the loom tests take from the
//! library) from this crate; a new component is added to the list in
//! `tests/loom_support/mod.rs`.
//!
//! The plain unit tests of these components are in `src/sync/tests/`, not beside
//! each component (a loom test crate would compile them too, and a component made
//! outside a loom model panics): `cargo test --lib sync::`.
//!
//! Every model goes through `tests/loom_support/mod.rs`, which uses
//! `loom::model::Builder`: the preemption bound is `LOOM_MAX_PREEMPTIONS`, or 2 when
//! unset, and every other `LOOM_*` variable is read by loom. Limits, stated honestly:
//! loom explores every interleaving *within the preemption bound* (a bug that needs
//! more preemptions is not seen), with at most the threads the model spawns, and it
//! models the C++11 memory model without some relaxed-ordering behaviours (see loom's
//! documentation). A pass is a pass of that bounded model, nothing more.
//!
//! # Replaying a loom failure
//!
//! Loom's checkpoint lets you rerun exactly the failing interleaving. It needs loom's
//! `checkpoint` feature (`loom = { version = "0.7", features = ["checkpoint"], ... }`
//! in `Cargo.toml`); without it, loom panics with "not compiled with
//! `checkpoint` feature". Run the one failing test with a checkpoint written before
//! every iteration, so the file holds the failing one when it panics:
//!
//! ```text
//! LOOM_MAX_PREEMPTIONS=2 LOOM_CHECKPOINT_FILE=/tmp/loom.json LOOM_CHECKPOINT_INTERVAL=1 \
//!   cargo test --release --test loom_dedup_cache -- TEST --exact
//! ```
//!
//! Then run the same command again, keeping `LOOM_CHECKPOINT_FILE` (loom starts from
//! the stored path, so the first iteration is the failing one) and adding
//! `LOOM_LOG=trace LOOM_LOCATION=1` and `-- --nocapture` to see it step by step. Use
//! one test per checkpoint file: tests in one binary run in parallel.
//!
//! # Reading `LOOM_LOG`
//!
//! `LOOM_LOG` is a `tracing` filter (`info`, `trace`, `loom=trace`). With it set, the
//! model runs through `loom::model`, which installs the subscriber; keep
//! `LOOM_MAX_PREEMPTIONS` set too, since that path takes the bound from the
//! environment only. Add `-- --exact TEST --nocapture` to see one test's output.
//!
//! - At `info`: `~~~~~~~~ THREAD T ~~~~~~~~` marks each switch to loom thread T, and
//!   the run ends with `Completed in N iterations` (absent when a model fails).
//! - At `trace`, every line starts with `iter{N}:thread{id=T}`: the iteration and
//!   the thread that acted (0 is the model's main thread, then the spawned threads
//!   in spawn order). Each operation on a loom object is a line naming it:
//!   `Atomic::load state=Ref<...atomic::State>(1) ordering=Acquire`,
//!   `Atomic::store`, `Mutex::post_acquire`, `Mutex::release_lock`,
//!   `Condvar::wait`, `Condvar::notify_all`, `park`, `spawn`. Objects are numbered
//!   `Ref<…>(n)` in creation order within the iteration, so `(0)` and `(1)` are the
//!   first two objects the model built (for the commit index: the durable length,
//!   then the commit index). `branch switch=true` is a scheduling point where loom
//!   switched threads.
//!
//! Read the last iteration backwards from the panic: its lines are the interleaving
//! that broke the invariant. `LOOM_LOCATION=1` adds source locations (`location=`)
//! where loom tracks them; it is slow, so combine it with a checkpoint replay.
//!
pub mod commit_index;
pub mod decision;
pub mod dedup_cache;
pub mod lease_table;
mod poison;
pub mod quorum_ack;
pub mod retry_budget;
pub mod shim;
pub mod single_flight;

#[cfg(test)]
mod tests;
