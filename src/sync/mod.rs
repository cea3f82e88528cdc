//! In-process components.
