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
//! within the check's budget; `replay` confirms again and compares. Where the system
//! with the assumption held could run on the message set but keeps the capped
//! multiset (for its `eventually` properties), the set is searched first: none there
//! is none on the capped network (see `necessity`). With several threads the breaks of
//! all of a check's counterexamples are confirmed side by side (`side_by_side`): the
//! claims are the same for any thread count, except under a limit (time, memory,
//! states), which each search meets at its own pace, so a claim settled with one
//! thread count may be `unconfirmed` with another — never a false claim.

use super::{CheckReport, Necessity, TraceReport};
use crate::check::{self, Budget, Canonicalize, CheckOptions, StopReason, Verdict};
use crate::pool::side_by_side;
use crate::system::{Assumption, PropertyKind, Protocol, TimedSystem};

/// Confirms the breaks of every safety counterexample of `report`, all of them side
/// by side where there are threads for it ([`side_by_side`]).
pub(crate) fn confirm_report<P: Protocol>(
    system: &TimedSystem<P>,
    report: &mut CheckReport,
    options: &CheckOptions,
    budget: &Budget,
) {
    let traces = report
        .properties
        .iter_mut()
        .filter(|property| property.kind != PropertyKind::Eventually)
        .filter_map(|property| {
            let trace = property.counterexample.as_mut()?;
            Some((property.name.as_str(), trace))
        })
        .collect();
    confirm_traces(system, traces, options, budget);
}

/// Confirms the breaks of one counterexample of `property` (not a lasso).
pub(crate) fn confirm_trace<P: Protocol>(
    system: &TimedSystem<P>,
    trace: &mut TraceReport,
    property: &str,
    options: &CheckOptions,
    budget: &Budget,
) {
    confirm_traces(system, vec![(property, trace)], options, budget);
}

/// Confirms the breaks of each `(property, counterexample)` but lassos: one search per
/// break, all of them in one pool ([`side_by_side`]), each claim written to its break.
fn confirm_traces<P: Protocol>(
    system: &TimedSystem<P>,
    mut traces: Vec<(&str, &mut TraceReport)>,
    options: &CheckOptions,
    budget: &Budget,
) {
    traces.retain(|(_, trace)| trace.loop_start.is_none());
    let jobs: Vec<(&str, usize, &str)> = traces
        .iter()
        .flat_map(|(property, trace)| {
            trace
                .breaks
                .iter()
                .map(|broken| (*property, trace.length, broken.assumption.as_str()))
        })
        .collect();
    let mut found = side_by_side(jobs.len(), options, |index, options| {
        let (property, length, assumption) = jobs[index];
        necessity(system, property, assumption, length, options, budget)
    })
    .into_iter();
    // The same traces and breaks, in the same order, as the jobs were made from.
    for (_, trace) in traces {
        for broken in &mut trace.breaks {
            broken.necessity = found.next();
        }
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
    let Some(narrower) = holding(system, &[assumption]) else {
        return Necessity::Unconfirmed;
    };
    let depth = if property == check::DEADLOCK_PROPERTY {
        length + 1
    } else {
        length
    };
    // Searched wider first where that is cheaper: the message set (when holding the
    // assumption still leaves the network to it) has a run of at most the same length
    // for every run of the narrower system's capped multiset, with the same value of
    // every `always` property (they do not read the network: `Protocol::MESSAGE_SET`).
    // None there within the bound is none here. A violation there may need more copies
    // than the cap allows, so the narrower system is searched itself. Not for deadlock:
    // a dead end of the multiset may have its messages still deliverable in the set.
    // A violation there that lifts to the narrower system (same length, within the
    // cap) and violates the property there too (a property with an in-flight part is
    // searched on the set by its stronger part alone) is one of its runs, so the claim
    // is settled either way without it.
    if property != check::DEADLOCK_PROPERTY {
        if let Some(set) = narrower.for_safety_search() {
            match violation_within(&set, property, depth, options, budget) {
                Some(None) => return Necessity::Necessary,
                Some(Some(path)) => {
                    let lifted = set.lift_path(&narrower, &path);
                    if lifted.is_some_and(|lifted| {
                        narrower.property_holds(property, lifted.last_state()) == Some(false)
                    }) {
                        return Necessity::AlsoViolatedWithoutIt;
                    }
                }
                _ => {}
            }
        }
    }
    match violation_within(&narrower, property, depth, options, budget).map(|run| run.is_some()) {
        Some(true) => Necessity::AlsoViolatedWithoutIt,
        Some(false) => Necessity::Necessary,
        None => Necessity::Unconfirmed,
    }
}

/// `system` with `assumptions` held as well, each at the bound its breaks are explained
/// against, storing states as `system` does (or `None` when an assumption cannot be
/// held). Where `system` checks the message set it stands for the multiset network
/// without the duplicate cap (as does the system that explains and replays its runs),
/// and so does the narrower system, also where holding an assumption leaves the
/// message set; where `system` keeps everything (`--no-lean`, or the replay of a trace
/// it recorded), so does the narrower system. The narrower system drops what `system`'s
/// audited claims say is ignored (`TimedSystem::ignoring_as`), not what `ignores` would
/// say under the narrower assumptions, which no audit covered.
fn holding<P: Protocol>(
    system: &TimedSystem<P>,
    assumptions: &[Assumption],
) -> Option<TimedSystem<P>> {
    let mut held = system.assumptions().clone();
    for assumption in assumptions {
        let bound = assumption
            .takes_bound()
            .then(|| system.annotation_bound(*assumption));
        held.hold(*assumption, bound).ok()?;
    }
    let narrower = TimedSystem::new(system.protocol().clone(), held)
        .ok()?
        .searching_as(system)
        .ignoring_as(system);
    Some(if system.keeps_everything() {
        narrower.without_lean_state()
    } else if system.lean().messages || system.is_uncapped() {
        narrower.without_duplicate_cap()
    } else {
        narrower
    })
}

/// Whether `system` violates `property` within `depth` steps (a bounded BFS, one state
/// per symmetry class where `options` asks for it): `Some(Some(path))` with a shortest
/// violating run, `Some(None)` when there is none; `None` when a limit or a model fault
/// stopped the search first.
fn violation_within<P: Protocol>(
    system: &TimedSystem<P>,
    property: &str,
    depth: usize,
    options: &CheckOptions,
    budget: &Budget,
) -> Option<Option<check::Path<TimedSystem<P>>>> {
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
    let mut outcome = check::run_reduced(system, &options, canonical, system.facts(), budget);
    let stop_reason = outcome.stop_reason;
    let faulted = outcome.fault.is_some();
    let found = outcome.properties.iter_mut().find(|p| p.name == property)?;
    match (found.verdict, stop_reason) {
        (Verdict::Violated, _) => found.path.take().map(Some),
        (_, StopReason::Complete | StopReason::AllDecided | StopReason::DepthLimit) if !faulted => {
            Some(None)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::holding;
    use crate::models::replication::primary_backup::{AckMode, PrimaryBackup};
    use crate::system::{Assumption, Protocol, TimedSystem};

    /// `protocol` with every assumption relaxed.
    fn relaxed<P: Protocol>(protocol: P) -> TimedSystem<P> {
        let mut assumptions = protocol.default_assumptions();
        for assumption in Assumption::ALL {
            assumptions.relax(assumption);
        }
        TimedSystem::new(protocol, assumptions).expect("within the engine's limits")
    }

    fn everything_relaxed() -> TimedSystem<PrimaryBackup> {
        relaxed(PrimaryBackup {
            ack_mode: AckMode::Sync,
            heartbeat_ticks: 2,
            failover_timeout_ticks: 4,
            write_after_ticks: 0,
        })
    }

    /// The searches behind a claim run on the network the check stands for, whichever
    /// system asks: the check's, the replay's (its explaining system), or a
    /// `--no-lean` one.
    #[test]
    fn a_narrower_system_keeps_the_network_of_the_one_it_is_derived_from() {
        let lean = everything_relaxed();
        assert!(lean.lean().messages);
        // Holding the order leaves the message set: the check's searches and the
        // replay's run on the multiset without the duplicate cap alike.
        let explaining = lean.explaining().expect("the message set stores less");
        for system in [&lean, &explaining] {
            let narrower = holding(system, &[Assumption::FifoLinks]).expect("holds");
            assert!(!narrower.lean().messages);
            assert!(narrower.is_uncapped());
            assert!(!narrower.keeps_everything());
        }
        // A `--no-lean` check and the replay of its trace: the capped multiset, every
        // quantity stored, also where the held assumption would allow the set.
        let plain = everything_relaxed().without_lean_state();
        let narrower = holding(&plain, &[Assumption::MaxCrashes]).expect("holds");
        assert!(narrower.keeps_everything());
        assert!(!narrower.lean().messages && !narrower.is_uncapped());
    }

    /// A check with an `eventually` property keeps the capped multiset network, so its
    /// break confirmations do too; holding a clock or timer assumption still leaves the
    /// network to the message set, which is searched first. `tombstone_gc
    /// purge_after_grace` with everything relaxed, its 9-step counterexample:
    /// `timely_timers` held, no violation in 24 259 states on the set (97 233 on the
    /// capped multiset); `bounded_skew` held, a violation in 17 474 states on the set
    /// that lifts to the capped system (102 034 there). Under a limit of 25 000 states
    /// both claims are settled; on the capped multiset alone both were `unconfirmed`.
    #[test]
    fn a_break_is_confirmed_on_the_message_set_where_the_network_allows_it() {
        use super::{necessity, Necessity};
        use crate::check::{Budget, CheckOptions};
        use crate::models::replication::tombstone_gc::{Purge, TombstoneGc};
        let system = relaxed(TombstoneGc {
            purge: Purge::AfterGrace,
            grace_ticks: 2,
            delete_after_ticks: 1,
            gossip_interval_ticks: 1,
        });
        assert!(
            !system.lean().messages,
            "an eventually property keeps the multiset"
        );
        let options = CheckOptions {
            max_states: Some(25_000),
            ..CheckOptions::default()
        };
        for (held, claim) in [
            ("timely_timers", Necessity::Necessary),
            ("bounded_skew", Necessity::AlsoViolatedWithoutIt),
        ] {
            let budget = Budget::start(&options);
            let found = necessity(&system, "deleted_stays_deleted", held, 9, &options, &budget);
            assert_eq!(found, claim, "{held} held");
        }
    }
}
