//! The synchronization primitives every component in `src/sync` is written against.
//!
//! In the library this module re-exports `std::sync` and `std::thread`. The loom tests
//! compile the same component files in their own crates (`tests/loom_support/mod.rs`),
//! with a `shim` of their own that re-exports loom's instrumented equivalents instead,
//! so the same component code runs under loom's scheduler, which explores every
//! interleaving of the model's threads (up to its preemption bound). This is the
//! pattern of tokio's `loom` module, with the switch made by which file a crate
//! mounts as `shim` instead of by a `cfg`, so the library and every dependency keep
//! their one release build.
//!
//! This file and `tests/loom_support/mod.rs`'s `shim` must export the same names. The
//! unit tests (`src/sync/tests/`) take `Arc` and `thread` from here; the loom tests take
//! them from their own `shim`.

pub use std::sync::{atomic, Arc, Condvar, Mutex, MutexGuard};
pub use std::thread;
