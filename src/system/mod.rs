//! The timed system: discrete time, clocks, a faulty network and crashes around a
//! protocol, with each timing assumption a constraint that can be held or relaxed.
//!
//! A [`Protocol`] supplies per-node handlers; [`TimedSystem`] turns it and an
//! [`AssumptionSet`] into a `stateright::Model`. The state holds only relative time:
//! message ages, clock offsets, remaining timer ticks and pause lengths, each capped at
//! the largest constant in play + 1, so the space is finite without a horizon.

mod assumption;
mod engine;
mod node;
mod protocol;
mod state;
mod symmetry;

pub use assumption::{
    find_conflict, Assumption, AssumptionError, AssumptionSet, Setting, BOUND_MAX,
};
pub(crate) use engine::{any_copy, drift_sentence, ticks, SYMMETRY_BROKEN};
pub use engine::{
    Action, ClassDistances, DriftClasses, DriftStep, Lean, SystemAction, SystemError, TimedSystem,
    IN_FLIGHT_MAX, OFFSETS_UNSTORED, OFFSET_AUDIT_STATES, SYMMETRY_AUDIT_STATES,
};
pub use node::Node;
pub use protocol::{Context, Data, InFlight, LeansOn, NodeId, Property, PropertyKind, Protocol};
pub use state::{Envelope, NodeRecord, NodeStatus, Shared, SystemState, TimerEntry};
pub use symmetry::{Renaming, Rewrite, Symmetry, RENAMINGS_MAX};
