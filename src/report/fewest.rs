//! Of the shortest counterexamples, one that breaks the fewest relaxed assumptions.
//!
//! A BFS counterexample is a shortest one, and among the shortest it is the first in
//! level order: it may break an assumption the violation does not need, where another
//! run of the same length breaks fewer. A counterexample of length `L` that names `k`
//! breaks is improved like this: for every set `S` of `k − 1` relaxed assumptions (in
//! the order the assumption set lists them), a bounded BFS (depth `L`) runs on the
//! check's system with every step that would break a relaxed assumption outside `S`
//! removed: the same [`TimedSystem::forbids`] rule the explanation names breaks with,
//! at the same bounds, on the system that stores message ages and pause lengths, with
//! clock offsets and crashes counted in the search state where they are forbidden.
//! Where the check stores one state per symmetry class (`Protocol::symmetry`,
//! [`CheckOptions::symmetry`]), so do these searches: the rule removes steps by what
//! they break, never by which node of a group takes them, so the system with steps
//! removed is symmetric as the check's is, and a class is within the depth bound
//! exactly when one of its members is. A state's class renames the counted offsets
//! with their nodes ([`Unbroken::canonical`]); the property is evaluated on every
//! renaming stored instead of a state, as in the check. The path found is still a
//! concrete run, rebuilt as the check's own counterexamples are (the successor whose
//! representative has the stored fingerprint). With symmetry off (`--no-symmetry`, or
//! a protocol without groups) they search the full space.
//!
//! Where the check runs on the message set (`Lean::messages`), each `S` is first
//! tried wider, with the network assumptions allowed as well so that the message set
//! applies: none found there shows none for `S` (allowing steps only adds runs), and
//! only otherwise does the exact search run. That exact search is on the multiset
//! network, where a forbidden delay or order with duplication allowed lets copies pile
//! up (`WiderSearches`).
//!
//! - A violation there is a run of the check's own system, of length `L` (it cannot be
//!   shorter: the check's BFS found none), breaking at most `k − 1` assumptions. It
//!   replaces the counterexample and the search repeats from it.
//! - None for any `S`: no counterexample of length `L` breaks fewer than `k` (a run
//!   breaking fewer breaks only assumptions of some such `S`, and removing more steps
//!   only removes runs). The trace says [`FewestBreaks::Fewest`].
//! - A limit (the check's own budget): [`FewestBreaks::Unconfirmed`].
//!
//! With several threads the sets `S` are searched side by side, each search with a
//! share of the threads (`pool::side_by_side_until`): every set before the first
//! that settles the question is searched, and the answer is that first one's, as with
//! one thread. The wider searches' results are shared between them; which are known
//! when a search starts changes only how much runs, not what it finds, except under a
//! limit (time, memory, states), where, as for break confirmation, an answer settled
//! with one thread count may be `unconfirmed` with another — never a false one. A
//! search past the first that settles it is stopped once that one is known
//! (`Budget::stoppable`) and its result dropped; a model fault it met (an engine cap,
//! a broken symmetry) is still reported, and voids the check as any fault does.
//!
//! Only safety counterexamples of `always` properties are improved: a deadlock is not
//! kept when steps are removed (a state with only forbidden steps left is a deadlock
//! there and not in the check's system), and lassos are not searched level by level.
//! `replay` runs the same search for a trace that claims `fewest` ([`status`], by
//! class where the protocol declares groups) and compares.

use super::{FewestBreaks, TraceReport};
use crate::check::{
    self, fingerprint, Budget, Canonicalize, CheckOptions, Path, StopReason, Verdict,
};
use crate::pool::side_by_side_until;
use crate::system::any_copy;
use crate::system::{Action, Assumption, Protocol, SystemAction, SystemState, TimedSystem};
use stateright::{Expectation, Model, Property};
use std::sync::Arc;

/// What the search for a counterexample with fewer breaks found.
pub(crate) enum Fewer<P: Protocol> {
    /// A counterexample of the same length, on the check's system, with fewer breaks,
    /// and its explanation.
    Found(Path<TimedSystem<P>>, TraceReport),
    /// None breaks fewer.
    None,
    /// A limit stopped a search, or a run found could not be taken over.
    Unconfirmed,
}

/// Whether `trace`, a counterexample of `property`, breaks the fewest assumptions of any
/// counterexample of its length (what `replay` checks for a trace that claims it).
pub(crate) fn status<P: Protocol>(
    system: &TimedSystem<P>,
    trace: &TraceReport,
    property: &str,
    options: &CheckOptions,
    budget: &Budget,
) -> FewestBreaks {
    match fewer(system, trace, property, options, budget) {
        Fewer::Found(..) => FewestBreaks::FewerExist,
        Fewer::None => FewestBreaks::Fewest,
        Fewer::Unconfirmed => FewestBreaks::Unconfirmed,
    }
}

/// Whether `property` (an `always` property) is violated within `trace.length` steps
/// breaking fewer assumptions than `trace` names, and if so one such run.
pub(crate) fn fewer<P: Protocol>(
    system: &TimedSystem<P>,
    trace: &TraceReport,
    property: &str,
    options: &CheckOptions,
    budget: &Budget,
) -> Fewer<P> {
    let Some(target) = always_property(system, property) else {
        return Fewer::Unconfirmed;
    };
    let broken = trace.breaks.len();
    if broken == 0 {
        return Fewer::None;
    }
    let relaxed = system.assumptions().relaxed();
    let full = system.explaining().unwrap_or_else(|| system.clone());
    let options = CheckOptions {
        strategy: check::Strategy::Bfs,
        max_depth: Some(trace.length),
        check_deadlock: false,
        fault: full.fault(),
        exact: false,
        ..options.clone()
    };
    let wider = WiderSearches::new(system, &target);
    let subsets = subsets(relaxed.len(), broken - 1);
    // The subsets are tried in order and the first that settles the question gives the
    // answer; with several threads they run side by side (each search with a share of
    // the threads, stopped once a subset before it has settled it), and the answer is
    // still the first in order that settles it.
    let tried = side_by_side_until(
        subsets.len(),
        &options,
        |index, options, stop| {
            let forbidden: Vec<Assumption> = relaxed
                .iter()
                .enumerate()
                .filter(|(at, _)| !subsets[index].contains(at))
                .map(|(_, assumption)| *assumption)
                .collect();
            let subset = Subset {
                system,
                full: &full,
                trace,
                target: &target,
            };
            subset.try_forbidding(
                &forbidden,
                &wider,
                options,
                &budget.stoppable(Arc::clone(stop)),
            )
        },
        |tried| matches!(tried, Tried::Settled(_)),
    );
    let mut limited = false;
    for tried in tried {
        match tried {
            Tried::Settled(answer) => return answer,
            Tried::Searched { limited: cut } => limited |= cut,
        }
    }
    if limited {
        Fewer::Unconfirmed
    } else {
        Fewer::None
    }
}

/// What one set S of allowed assumptions is searched with: the check's system, the
/// one with every quantity stored that the searches run on, the counterexample being
/// improved and its property.
struct Subset<'a, P: Protocol> {
    system: &'a TimedSystem<P>,
    full: &'a TimedSystem<P>,
    trace: &'a TraceReport,
    target: &'a Property<TimedSystem<P>>,
}

impl<P: Protocol> Subset<'_, P> {
    /// Whether a counterexample of the trace's length breaks none of `forbidden`: shown
    /// none by the wider search where one applies, else the exact search on the
    /// system with their steps removed.
    fn try_forbidding(
        &self,
        forbidden: &[Assumption],
        wider: &WiderSearches<'_, P>,
        options: &CheckOptions,
        budget: &Budget,
    ) -> Tried<P> {
        if wider.none(forbidden, options, budget) {
            return Tried::Searched { limited: false };
        }
        let unbroken = Unbroken::new(
            self.full,
            forbidden,
            self.target.name,
            self.target.condition,
        );
        // One state per symmetry class where the check stores them so: a class is
        // reached within the depth bound exactly when one of its members is (removing
        // steps by a rule that goes by role, not by node, keeps the system symmetric),
        // and the property is symmetric (checked on every stored renaming). The path
        // found is still a concrete run, rebuilt as the check's own counterexamples are.
        let canonical = (options.symmetry && self.full.is_symmetric())
            .then_some(Unbroken::<P>::canonical as Canonicalize<Unbroken<'_, P>>);
        let outcome = check::run_budgeted(&unbroken, options, canonical, budget);
        let Some(found) = outcome.property(self.target.name) else {
            return Tried::Settled(Fewer::Unconfirmed);
        };
        if outcome.fault.is_some() {
            // A cap passed, or the declared symmetry found not to hold: no answer.
            return Tried::Settled(Fewer::Unconfirmed);
        }
        match (found.verdict, &found.path) {
            (Verdict::Violated, Some(path)) => {
                Tried::Settled(match taken_over(self.system, path, self.trace, forbidden) {
                    Some((path, explained)) => Fewer::Found(path, explained),
                    None => Fewer::Unconfirmed,
                })
            }
            _ => Tried::Searched {
                limited: !matches!(
                    outcome.stop_reason,
                    StopReason::Complete | StopReason::AllDecided | StopReason::DepthLimit
                ),
            },
        }
    }
}

/// What trying one set of allowed assumptions came to.
enum Tried<P: Protocol> {
    /// The answer: a run with fewer breaks, or a search that cannot give one.
    Settled(Fewer<P>),
    /// No run within the bound (`limited`: as far as a limit let the search go).
    Searched { limited: bool },
}

/// The network assumptions: with all of them relaxed a protocol that opts in is checked
/// on the message set (see `Lean`); `reliable_links` adds only loss, which the set
/// leaves out (a loss only removes options).
const NETWORK: [Assumption; 4] = [
    Assumption::NoDuplication,
    Assumption::BoundedDelay,
    Assumption::FifoLinks,
    Assumption::ReliableLinks,
];

/// What a wider search found for the non-network assumptions it forbids.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wider {
    /// No violation within the bound.
    None,
    /// A violation (possibly needing a network break the narrower search forbids).
    Violated,
    /// A limit or a model fault stopped it.
    Cut,
}

/// The wider searches of one [`fewer`] call: each set of forbidden assumptions `S`
/// is first searched with `S`'s network assumptions allowed, on the check's own
/// message set (`Unbroken` over the check's system, so states, crash counts and
/// offsets are what the exact search sees, only the network is the set). No
/// violation there within the bound shows none for `S`: allowing steps only adds
/// runs, and the set finds a violation within the bound exactly when the multiset
/// network without the duplicate cap does (the check's own argument, see `Lean`) —
/// the network the exact search runs on. Fast where that search is slow: with delay
/// or order forbidden and duplication allowed, copies pile up in a multiset. Results
/// are kept: forbidding more shows none where less did, and a violation found
/// forbidding more is found forbidding less.
struct WiderSearches<'a, P: Protocol> {
    /// The check's system on the message set, where its assumptions allow one: the
    /// check's own, or, for the system a replay runs on (the multiset without the
    /// duplicate cap), the one its check ran on. Never for `--no-lean`.
    set: Option<TimedSystem<P>>,
    target: &'a Property<TimedSystem<P>>,
    /// Shared by the searches that run side by side; locked only to read and to add.
    tried: std::sync::Mutex<Vec<(Vec<Assumption>, Wider)>>,
}

impl<'a, P: Protocol> WiderSearches<'a, P> {
    fn new(system: &TimedSystem<P>, target: &'a Property<TimedSystem<P>>) -> Self {
        let set = if system.lean().messages {
            Some(system.clone())
        } else if system.keeps_everything() {
            None
        } else {
            TimedSystem::new(system.protocol().clone(), system.assumptions().clone())
                .ok()
                .map(|set| set.searching_as(system))
                .filter(|set| set.lean().messages)
        };
        WiderSearches {
            set,
            target,
            tried: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Whether no run of at most `options.max_depth` steps that breaks none of
    /// `forbidden` violates the property, as a wider search shows; `false` when it
    /// does not show it (the exact search decides then).
    fn none(&self, forbidden: &[Assumption], options: &CheckOptions, budget: &Budget) -> bool {
        let Some(system) = &self.set else {
            return false;
        };
        let kept: Vec<Assumption> = forbidden
            .iter()
            .copied()
            .filter(|assumption| !NETWORK.contains(assumption))
            .collect();
        if kept.is_empty() {
            // The check's own search, which found this counterexample.
            return false;
        }
        let within = |small: &[Assumption], large: &[Assumption]| {
            small.iter().all(|assumption| large.contains(assumption))
        };
        for (tried, found) in self.tried().iter() {
            match found {
                Wider::None if within(tried, &kept) => return true,
                Wider::Violated if within(&kept, tried) => return false,
                Wider::Cut if *tried == kept => return false,
                _ => {}
            }
        }
        let wider = Unbroken::new(system, &kept, self.target.name, self.target.condition);
        let options = CheckOptions {
            fault: system.fault(),
            ..options.clone()
        };
        let canonical = (options.symmetry && system.is_symmetric())
            .then_some(Unbroken::<P>::canonical as Canonicalize<Unbroken<'_, P>>);
        let outcome = check::run_budgeted(&wider, &options, canonical, budget);
        let found = match outcome.property(self.target.name) {
            Some(found) if found.verdict == Verdict::Violated => Wider::Violated,
            Some(_)
                if outcome.fault.is_none()
                    && matches!(
                        outcome.stop_reason,
                        StopReason::Complete | StopReason::AllDecided | StopReason::DepthLimit
                    ) =>
            {
                Wider::None
            }
            _ => Wider::Cut,
        };
        self.tried().push((kept, found));
        found == Wider::None
    }

    /// The results so far (a search that panicked left them whole: each is pushed in
    /// one step).
    fn tried(&self) -> std::sync::MutexGuard<'_, Vec<(Vec<Assumption>, Wider)>> {
        self.tried
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `property`, when it is an `always` property of `system`.
fn always_property<P: Protocol>(
    system: &TimedSystem<P>,
    property: &str,
) -> Option<Property<TimedSystem<P>>> {
    system
        .properties()
        .into_iter()
        .find(|p| p.name == property && matches!(p.expectation, Expectation::Always))
}

/// The `size`-element subsets of `0..n`, in lexicographic order.
fn subsets(n: usize, size: usize) -> Vec<Vec<usize>> {
    let mut all = Vec::new();
    let mut current = Vec::with_capacity(size);
    fn extend(
        start: usize,
        n: usize,
        size: usize,
        current: &mut Vec<usize>,
        all: &mut Vec<Vec<usize>>,
    ) {
        if current.len() == size {
            all.push(current.clone());
            return;
        }
        for next in start..n {
            current.push(next);
            extend(next + 1, n, size, current, all);
            current.pop();
        }
    }
    extend(0, n, size, &mut current, &mut all);
    all
}

/// A path of [`Unbroken`] as a path of the check's system (stored as it stores
/// states), explained there with fewer breaks than `trace`, none of them `forbidden`;
/// `None` if any of that fails (the search then claims nothing). With its explanation.
fn taken_over<P: Protocol>(
    system: &TimedSystem<P>,
    path: &Path<Unbroken<'_, P>>,
    trace: &TraceReport,
    forbidden: &[Assumption],
) -> Option<(Path<TimedSystem<P>>, TraceReport)> {
    let mut state = system.initial_state();
    if !system.abstracts(&state, &path.states.first()?.state) {
        return None;
    }
    let mut taken = Path {
        states: vec![state.clone()],
        actions: Vec::with_capacity(path.actions.len()),
    };
    let mut enabled = Vec::new();
    for (action, after) in path.actions.iter().zip(&path.states[1..]) {
        // A loss is matched up to which of its equal envelopes it takes (they may
        // differ in their ages on one side only): the one whose loss leaves the
        // path's queue.
        let wanted = any_copy(&system.stored_action(action));
        enabled.clear();
        system.enabled_actions(&state, &mut enabled);
        let (action, next) = enabled
            .iter()
            .filter(|candidate| any_copy(candidate) == wanted)
            .find_map(|candidate| {
                let next = system.step(&state, candidate)?;
                system
                    .abstracts(&next, &after.state)
                    .then(|| (candidate.clone(), next))
            })?;
        taken.actions.push(action);
        taken.states.push(next.clone());
        state = next;
    }
    let explained = super::Explain::explain_path(system, &taken);
    let fewer = explained.length == trace.length
        && explained.breaks.len() < trace.breaks.len()
        && explained.breaks.iter().all(|b| {
            forbidden
                .iter()
                .all(|assumption| assumption.name() != b.assumption)
        });
    fewer.then_some((taken, explained))
}

type Condition<P> = fn(&TimedSystem<P>, &SystemState<P>) -> bool;

/// A state of [`Unbroken`]: the system's state, with the clock offsets and the crash
/// count a forbidden `bounded_skew` or `max_crashes` needs (empty / 0 otherwise).
pub(crate) struct Counted<P: Protocol> {
    state: SystemState<P>,
    offsets: Vec<i8>,
    crashes: u8,
}

// By hand: a derive would ask the protocol type itself for each trait.
impl<P: Protocol> Clone for Counted<P> {
    fn clone(&self) -> Self {
        Counted {
            state: self.state.clone(),
            offsets: self.offsets.clone(),
            crashes: self.crashes,
        }
    }
}

impl<P: Protocol> PartialEq for Counted<P> {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && self.offsets == other.offsets && self.crashes == other.crashes
    }
}

impl<P: Protocol> Eq for Counted<P> {}

impl<P: Protocol> std::hash::Hash for Counted<P> {
    fn hash<H: std::hash::Hasher>(&self, hasher: &mut H) {
        self.state.hash(hasher);
        self.offsets.hash(hasher);
        self.crashes.hash(hasher);
    }
}

impl<P: Protocol> std::fmt::Debug for Counted<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counted")
            .field("state", &self.state)
            .field("offsets", &self.offsets)
            .field("crashes", &self.crashes)
            .finish()
    }
}

/// The system with every step that breaks one of `forbidden` removed, checking one
/// `always` property.
pub(crate) struct Unbroken<'a, P: Protocol> {
    full: &'a TimedSystem<P>,
    forbidden: Vec<(Assumption, u32)>,
    /// The bound of a forbidden `bounded_skew` (offsets are counted).
    skew: Option<u32>,
    /// Whether `max_crashes` is forbidden (crashes are counted).
    count_crashes: bool,
    property: &'static str,
    condition: Condition<P>,
}

impl<'a, P: Protocol> Unbroken<'a, P> {
    fn new(
        full: &'a TimedSystem<P>,
        forbidden: &[Assumption],
        property: &'static str,
        condition: Condition<P>,
    ) -> Self {
        Unbroken {
            full,
            forbidden: forbidden
                .iter()
                .filter(|a| **a != Assumption::BoundedSkew)
                .map(|a| (*a, full.annotation_bound(*a)))
                .collect(),
            skew: forbidden
                .contains(&Assumption::BoundedSkew)
                .then(|| full.annotation_bound(Assumption::BoundedSkew)),
            count_crashes: forbidden.contains(&Assumption::MaxCrashes),
            property,
            condition,
        }
    }

    fn allows(&self, state: &Counted<P>, action: &SystemAction<P>) -> bool {
        if let (Some(bound), Action::Drift { node, forward }) = (self.skew, action) {
            let offset = i64::from(state.offsets[*node]) + if *forward { 1 } else { -1 };
            if offset.unsigned_abs() > u64::from(bound) {
                return false;
            }
        }
        self.forbidden.iter().all(|(assumption, bound)| {
            self.full
                .forbids(*assumption, *bound, &state.state, action, state.crashes)
                .is_none()
        })
    }
}

impl<P: Protocol> Unbroken<'_, P> {
    /// The representative of `counted`'s symmetry class, with its fingerprint: the
    /// renaming [`TimedSystem::least_renaming`] chooses, keying each node record with
    /// its counted offset (the system state renamed as [`TimedSystem::canonical`]
    /// renames it, the counted offsets moved with their nodes, the crash count kept) —
    /// a function of the class. When it is a renaming, the properties are evaluated on
    /// both, as the check's own canonicalization does (a difference is a model fault).
    fn canonical(&self, counted: Counted<P>) -> (Counted<P>, u64) {
        let least = self.full.least_renaming(
            &counted.state,
            Some(|node| counted.offsets.get(node).copied()),
        );
        let Some(renaming) = least else {
            let fingerprint = fingerprint(&counted);
            return (counted, fingerprint);
        };
        let mut offsets = counted.offsets.clone();
        for (node, offset) in counted.offsets.iter().enumerate() {
            if let Some(slot) = offsets.get_mut(renaming.index(node)) {
                *slot = *offset;
            }
        }
        let renamed = Counted {
            state: self.full.image(&counted.state, &renaming),
            offsets,
            crashes: counted.crashes,
        };
        self.full
            .check_symmetric_properties(&counted.state, &renamed.state, &renaming);
        let fingerprint = fingerprint(&renamed);
        (renamed, fingerprint)
    }
}

impl<P: Protocol> Model for Unbroken<'_, P> {
    type State = Counted<P>;
    type Action = SystemAction<P>;

    fn init_states(&self) -> Vec<Self::State> {
        let state = self.full.initial_state();
        let offsets = match self.skew {
            Some(_) => vec![0; state.nodes.len()],
            None => Vec::new(),
        };
        vec![Counted {
            state,
            offsets,
            crashes: 0,
        }]
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        self.full.enabled_actions(&state.state, actions);
        actions.retain(|action| self.allows(state, action));
    }

    fn next_state(&self, last: &Self::State, action: Self::Action) -> Option<Self::State> {
        let mut next = Counted {
            state: self.full.step(&last.state, &action)?,
            offsets: last.offsets.clone(),
            crashes: last.crashes,
        };
        match action {
            Action::Drift { node, forward } if self.skew.is_some() => {
                let offset = next.offsets.get_mut(node)?;
                *offset += if forward { 1 } else { -1 };
            }
            Action::Crash { .. } if self.count_crashes => {
                next.crashes = next.crashes.saturating_add(1);
            }
            _ => {}
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always(
            self.property,
            |model: &Self, state: &Counted<P>| (model.condition)(model.full, &state.state),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::{subsets, Counted, Unbroken};
    use crate::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing, Node};
    use crate::system::Node as _;
    use crate::system::{Assumption, Renaming};

    /// The fewest-breaks search's representative is a function of the class, counted
    /// clock offsets included: with `bounded_skew` forbidden (offsets counted beside the
    /// state, which stores none with skew relaxed), every state of the first levels of
    /// `fenced_lease_lock` and its renaming by the swap of the two clients, their
    /// offsets moved with them, get the same representative.
    #[test]
    fn counted_offsets_move_with_their_nodes_in_a_representative() {
        let protocol = FencedLeaseLock {
            fencing: Fencing::None,
            lease_ticks: 5,
            validity_ticks: 2,
        };
        let system = crate::testing::system(protocol, &Assumption::ALL);
        // As `Unbroken::new` builds it for a forbidden `bounded_skew`, with ε = 1 (the
        // model's own ε is 0, which would forbid every drift).
        let search = Unbroken {
            full: &system,
            forbidden: Vec::new(),
            skew: Some(1),
            count_crashes: false,
            property: "any",
            condition: |_, _| true,
        };
        let swap = Renaming::swapping(Node::ClientA, Node::ClientB);
        let (a, b) = (Node::ClientA.index(), Node::ClientB.index());
        let states = crate::testing::first_states(&search, 3_000);
        let mut apart = 0;
        for counted in &states {
            apart += usize::from(counted.offsets[a] != counted.offsets[b]);
            let mut offsets = counted.offsets.clone();
            offsets.swap(a, b);
            let swapped = Counted {
                state: system
                    .renamed_by(&counted.state, &swap)
                    .expect("the clients are declared interchangeable"),
                offsets,
                crashes: counted.crashes,
            };
            let representative = search.canonical(counted.clone());
            assert!(
                search.canonical(swapped).0 == representative.0,
                "the swap of {:?} (offsets {:?})",
                counted.state,
                counted.offsets
            );
        }
        assert_eq!(states.len(), 3_000);
        assert!(apart > 100, "{apart} states whose clients' offsets differ");
    }

    #[test]
    fn subsets_are_every_combination_in_order() {
        assert_eq!(subsets(3, 0), vec![Vec::<usize>::new()]);
        assert_eq!(subsets(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(subsets(4, 3).len(), 4);
        assert!(subsets(2, 3).is_empty());
    }
}
