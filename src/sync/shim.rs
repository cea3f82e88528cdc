//! The synchronization primitives every component in `src/sync` is written against.
//!
//! Built normally, this module re-exports `std::sync` and `std::thread`. Built with
//! the cargo feature `loom`, it re-exports loom's instrumented equivalents instead, so
//! the same component code runs under loom's scheduler, which explores every
//! interleaving of the model's threads (up to its preemption bound). This is the
//! pattern of tokio's `loom` module.
//!
//! With the `loom` feature these types may only be used inside `loom::model`; outside it,
//! loom panics. That is why the components' std unit tests are compiled only without
//! the feature, and the loom tests live in `tests/loom_*.rs`.
//!
//! Tests that drive a component from several threads should take `Arc` and `thread`
//! from here too, so the same test body works in both builds.

#[cfg(feature = "loom")]
pub use loom::sync::{atomic, Arc, Condvar, Mutex, MutexGuard};
#[cfg(feature = "loom")]
pub use loom::thread;

#[cfg(not(feature = "loom"))]
pub use std::sync::{atomic, Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(feature = "loom"))]
pub use std::thread;

use std::sync::PoisonError;

/// Locks `mutex`, taking the guard back if another thread panicked while holding it.
///
/// Poisoning is handled explicitly rather than propagated: every critical section in
/// `src/sync` validates first and then writes the protected state in one assignment,
/// with no panic point between related writes, so a panic inside a critical section
/// cannot leave the state half updated.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits on `condvar`, taking the guard back on poisoning for the reason given on
/// [`lock`]. Loom's condition variable has no spurious wake-ups, std's may: callers
/// re-check their predicate in a loop either way.
pub(crate) fn wait<'guard, T>(
    condvar: &Condvar,
    guard: MutexGuard<'guard, T>,
) -> MutexGuard<'guard, T> {
    condvar.wait(guard).unwrap_or_else(PoisonError::into_inner)
}
