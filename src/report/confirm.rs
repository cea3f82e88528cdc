//! Confirming the breaks a counterexample names: is each one needed?
//!
//! A safety counterexample of a timed system names the first break of each relaxed
//! assumption on its path. A break on the path is not always one the violation needs
//! (a lingering reply where a lost one does as well). For each named break the same
//! BFS runs with that one assumption held (at the bound the break was explained
//! against), bounded to the counterexample's length (one level deeper for a deadlock,
//! which shows only when its state is expanded). A violation there marks the break
//! [`Necessity::AlsoViolatedWithoutIt`]; none, [`Necessity::Necessary`]; a limit,
//! [`Necessity::Unconfirmed`]. Lassos (liveness) are not confirmed. `check` confirms
//! within the check's budget; `replay` confirms again and compares.

use super::{CheckReport, Necessity, TraceReport};
use crate::check::{self, Budget, Canonicalize, CheckOptions, StopReason, Verdict};
use crate::system::{Assumption, PropertyKind, Protocol, TimedSystem};

/// Confirms the breaks of every safety counterexample of `report`.
pub(crate) fn confirm_report<P: Protocol>(
    system: &TimedSystem<P>,
    report: &mut CheckReport,
    options: &CheckOptions,
    budget: &Budget,
) {
    for property in &mut report.properties {
        if property.kind == PropertyKind::Eventually {
            continue;
        }
        if let Some(trace) = property.counterexample.as_mut() {
            confirm_trace(system, trace, &property.name, options, budget);
        }
    }
}

/// Confirms the breaks of one counterexample of `property` (not a lasso).
pub(crate) fn confirm_trace<P: Protocol>(
    system: &TimedSystem<P>,
    trace: &mut TraceReport,
    property: &str,
    options: &CheckOptions,
    budget: &Budget,
) {
    if trace.loop_start.is_some() {
        return;
    }
    let length = trace.length;
    for broken in &mut trace.breaks {
        broken.necessity = Some(necessity(
            system,
            property,
            &broken.assumption,
            length,
            options,
            budget,
        ));
    }
}

/// Whether `property` is violated within `length` steps with `assumption` held.
fn necessity<P: Protocol>(
    system: &TimedSystem<P>,
    property: &str,
    assumption: &str,
    length: usize,
    options: &CheckOptions,
    budget: &Budget,
) -> Necessity {
    let Some((assumption, _)) = Assumption::parse(assumption) else {
        return Necessity::Unconfirmed;
    };
    let Some(narrower) = holding(system, &[assumption], options) else {
        return Necessity::Unconfirmed;
    };
    let depth = if property == check::DEADLOCK_PROPERTY {
        length + 1
    } else {
        length
    };
    match violated_within(&narrower, property, depth, options, budget) {
        Some(true) => Necessity::AlsoViolatedWithoutIt,
        Some(false) => Necessity::Necessary,
        None => Necessity::Unconfirmed,
    }
}

/// `system` with `assumptions` held as well, each at the bound its breaks are explained
/// against, storing states as `system` does (or `None` when an assumption cannot be
/// held). Where `system` checks the message set it stands for the multiset network
/// without the duplicate cap, and so does the narrower system, also where holding an
/// assumption leaves the message set.
pub(crate) fn holding<P: Protocol>(
    system: &TimedSystem<P>,
    assumptions: &[Assumption],
    options: &CheckOptions,
) -> Option<TimedSystem<P>> {
    let mut held = system.assumptions().clone();
    for assumption in assumptions {
        let bound = assumption
            .takes_bound()
            .then(|| system.annotation_bound(*assumption));
        held.hold(*assumption, bound).ok()?;
    }
    let narrower = TimedSystem::new(system.protocol().clone(), held).ok()?;
    Some(if options.no_lean {
        narrower.without_lean_state()
    } else if system.lean().messages {
        narrower.without_duplicate_cap()
    } else {
        narrower
    })
}

/// Whether `system` violates `property` within `depth` steps (a bounded BFS, one state
/// per symmetry class where `options` asks for it); `None` when a limit or a model
/// fault stopped the search first.
pub(crate) fn violated_within<P: Protocol>(
    system: &TimedSystem<P>,
    property: &str,
    depth: usize,
    options: &CheckOptions,
    budget: &Budget,
) -> Option<bool> {
    let options = CheckOptions {
        strategy: check::Strategy::Bfs,
        max_depth: Some(depth),
        check_deadlock: property == check::DEADLOCK_PROPERTY || options.check_deadlock,
        fault: system.fault(),
        exact: false,
        ..options.clone()
    };
    // One state per symmetry class, as the check itself stores them: a class is
    // reached within the bound exactly when one of its members is, and the
    // properties are symmetric (checked on every stored renaming).
    let canonical = (options.symmetry && system.is_symmetric())
        .then_some(TimedSystem::<P>::canonical as Canonicalize<TimedSystem<P>>);
    let outcome = check::run_reduced(system, &options, canonical, system.facts(), budget);
    let verdict = outcome
        .properties
        .iter()
        .find(|p| p.name == property)
        .map(|p| p.verdict);
    match (verdict, outcome.stop_reason) {
        (Some(Verdict::Violated), _) => Some(true),
        (Some(_), StopReason::Complete | StopReason::AllDecided | StopReason::DepthLimit)
            if outcome.fault.is_none() =>
        {
            Some(false)
        }
        _ => None,
    }
}
