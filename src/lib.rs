//! synccheck (skeleton)
#[path = "../models/mod.rs"]
pub mod models;
pub mod sync;
