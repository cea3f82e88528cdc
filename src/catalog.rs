//! synccheck's own catalog: one [`Registry`] among others, holding the protocols of
//! `models/` (replication, retry, recovery) and their plans.

use crate::registry::Registry;

/// The catalog's models, in `list` order (replication, retry, recovery), with the three
/// family plans that `check --all` runs.
pub fn registry() -> Registry {
    crate::models::replication::registry()
        .extend(crate::models::retry::registry())
        .extend(crate::models::recovery::registry())
}
