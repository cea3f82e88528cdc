//! Retry protocols (CATALOG.md).

use crate::catalog::CatalogModel;

/// The family's catalog entries, in `list` order.
pub fn entries() -> Vec<Box<dyn CatalogModel>> {
    Vec::new()
}
