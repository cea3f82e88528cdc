//! Locking and waiting without poisoning, on whichever primitives [`super::shim`]
//! exports (`std`'s in the library, loom's in the loom tests).

use std::sync::PoisonError;

use super::shim::{Condvar, Mutex, MutexGuard};

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
