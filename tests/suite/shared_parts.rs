//! Shared parts (issue 15, ARCHITECTURE.md *Shared parts*): a successor shares every
//! node record its step did not touch with its parent (no copy, the kept fingerprint
//! reused), and a part's kept fingerprint is always its value's: a state's fingerprint,
//! and the representative symmetry picks, do not depend on which parts it shares.

use stateright::Model;
use std::collections::{HashSet, VecDeque};
use synccheck::check::fingerprint;
use synccheck::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing};
use synccheck::system::*;
use synccheck::testing;

type Lock = TimedSystem<FencedLeaseLock>;

/// The lease lock with every assumption relaxed but duplication, and `bounded_skew`
/// held at 1 (offsets stored, drifts taken): every kind of step occurs.
fn lease_lock() -> Lock {
    let protocol = FencedLeaseLock {
        fencing: Fencing::All,
        lease_ticks: 5,
        validity_ticks: 2,
    };
    let relax: Vec<Assumption> = Assumption::ALL
        .iter()
        .copied()
        .filter(|a| !matches!(a, Assumption::NoDuplication | Assumption::BoundedSkew))
        .collect();
    testing::system_holding(protocol, &[(Assumption::BoundedSkew, Some(1))], &relax)
}

/// The node whose record `action` may change (`None`: a Tick, which may change any,
/// or a loss, which changes none).
fn actor(action: &SystemAction<FencedLeaseLock>) -> Option<usize> {
    match action {
        Action::Deliver { envelope } | Action::Duplicate { envelope } => Some(envelope.dst),
        Action::Drop { .. } | Action::Tick => None,
        Action::Fire { node, .. }
        | Action::Drift { node, .. }
        | Action::Pause { node }
        | Action::Resume { node }
        | Action::Crash { node }
        | Action::Restart { node }
        | Action::Sync { node } => Some(*node),
    }
}

/// Every step of the first `limit` states (BFS), with its source and target.
fn steps(
    system: &Lock,
    limit: usize,
    mut each: impl FnMut(
        &SystemState<FencedLeaseLock>,
        &SystemAction<FencedLeaseLock>,
        &SystemState<FencedLeaseLock>,
    ),
) -> usize {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::new();
    for state in system.init_states() {
        seen.insert(fingerprint(&state));
        queue.push_back(state);
    }
    let (mut expanded, mut actions) = (0, Vec::new());
    while let Some(state) = queue.pop_front() {
        if expanded == limit {
            break;
        }
        expanded += 1;
        actions.clear();
        system.actions(&state, &mut actions);
        for action in actions.drain(..) {
            let Some(next) = system.next_state(&state, action.clone()) else {
                continue;
            };
            each(&state, &action, &next);
            if seen.insert(fingerprint(&next)) {
                queue.push_back(next);
            }
        }
    }
    expanded
}

#[test]
fn a_step_shares_every_record_it_does_not_change() {
    let system = lease_lock();
    let (mut steps_seen, mut shared, mut ticks_sharing) = (0, 0, 0);
    let expanded = steps(&system, 3_000, |state, action, next| {
        steps_seen += 1;
        for (node, (before, after)) in state.nodes.iter().zip(&next.nodes).enumerate() {
            let may_change = match actor(action) {
                Some(actor) => actor == node,
                None => matches!(action, Action::Tick),
            };
            if may_change {
                // A Tick copies a record only to change it.
                if matches!(action, Action::Tick) && before == after {
                    assert!(
                        before.same_part(after),
                        "a Tick copied node {node}'s record without changing it: {before:?}"
                    );
                    ticks_sharing += 1;
                }
                continue;
            }
            assert!(
                before.same_part(after),
                "{} copied node {node}'s record, which it does not touch",
                system.describe_action(action)
            );
            shared += 1;
        }
        if matches!(
            action,
            Action::Tick | Action::Drop { .. } | Action::Drift { .. }
        ) {
            assert!(
                state.ghost.same_part(&next.ghost),
                "{} copied the observer state",
                system.describe_action(action)
            );
        }
    });
    assert_eq!(expanded, 3_000, "the space has more than 3 000 states");
    assert!(steps_seen > 20_000, "{steps_seen} steps");
    assert!(
        shared > steps_seen,
        "{shared} records shared in {steps_seen} steps"
    );
    assert!(ticks_sharing > 0, "no Tick left a record shared");
}

#[test]
fn symmetry_picks_the_same_representative_whatever_is_shared() {
    let system = lease_lock();
    assert!(
        system.is_symmetric(),
        "the lease lock's clients are interchangeable"
    );
    let mut renamed = 0;
    steps(&system, 1_000, |_, _, next| {
        let (shared, key) = system.canonical(next.clone());
        let (copied, copied_key) = system.canonical(unshared(next));
        assert_eq!(key, copied_key, "{next:?}");
        assert_eq!(shared, copied);
        assert_eq!(key, fingerprint(&unshared(&shared)));
        if shared != *next {
            renamed += 1;
        }
    });
    assert!(renamed > 100, "{renamed} representatives were renamings");
}

/// The same state rebuilt from copies of its values, nothing shared, nothing kept.
fn unshared(state: &SystemState<FencedLeaseLock>) -> SystemState<FencedLeaseLock> {
    SystemState {
        nodes: state
            .nodes
            .iter()
            .map(|record| Shared::new((**record).clone()))
            .collect(),
        network: state.network.clone(),
        ghost: Shared::new((*state.ghost).clone()),
        crashes: state.crashes,
    }
}

#[test]
fn a_parts_kept_fingerprint_is_its_values() {
    let system = lease_lock();
    let mut checked = 0;
    steps(&system, 1_000, |state, _, next| {
        // Parents' fingerprints are kept by now; the successor's partly.
        for state in [state, next] {
            let copy = unshared(state);
            assert_eq!(fingerprint(state), fingerprint(&copy), "{state:?}");
            for (record, copied) in state.nodes.iter().zip(&copy.nodes) {
                assert!(!record.same_part(copied));
                assert_eq!(record.fingerprint(), fingerprint(&**record));
                assert_eq!(record.fingerprint(), copied.fingerprint());
            }
            checked += 1;
        }
    });
    assert!(checked > 2_000, "{checked}");

    // Copy on write: the change reaches the copy, not the state it was shared with,
    // and the copy's fingerprint is its new value's.
    let initial = system.initial_state();
    let before = initial.nodes[0].fingerprint();
    let mut changed = initial.clone();
    assert!(changed.nodes[0].same_part(&initial.nodes[0]));
    changed.nodes[0].make_mut().clock_offset_ticks += 1;
    assert!(!changed.nodes[0].same_part(&initial.nodes[0]));
    assert_eq!(initial.nodes[0].fingerprint(), before);
    assert_ne!(changed.nodes[0].fingerprint(), before);
    assert_eq!(
        changed.nodes[0].fingerprint(),
        fingerprint(&*changed.nodes[0])
    );
    assert_ne!(fingerprint(&changed), fingerprint(&initial));
    assert_ne!(changed, initial);

    // Shared by nothing (no copy to make): the kept fingerprint is forgotten all the
    // same.
    let mut alone = Shared::new((*initial.nodes[0]).clone());
    let kept = alone.fingerprint();
    alone.make_mut().clock_offset_ticks += 1;
    assert_ne!(alone.fingerprint(), kept);
    assert_eq!(alone.fingerprint(), fingerprint(&*alone));
}
