//! synccheck's own catalog: one [`Registry`] among others, holding the protocols of
//! `models/` (replication, retry, recovery) and their plans.

#[cfg(not(test))]
use crate::registry::Registry;

/// The catalog's models, in `list` order (replication, retry, recovery), with the three
/// family plans that `check --all` runs.
// Not in the library's unit-test build (`cfg(test)`): registering a protocol compiles
// the whole check pipeline for it, and no unit test needs the catalog's registry, so
// that build would compile every catalog protocol's pipeline a second time beside the
// library's own (BENCHMARKS.md, "The test command's time"). Integration tests, the
// binary and doctests use the library's copy.
#[cfg(not(test))]
pub fn registry() -> Registry {
    crate::models::replication::registry()
        .extend(crate::models::retry::registry())
        .extend(crate::models::recovery::registry())
}
