//! Seeded random walks. A walk starts at a random initial state and takes random
//! enabled steps until it reaches the depth bound or a state with no successor. Walks
//! never prove a property: undecided properties stay `unknown`.

use super::path::Path;
use super::store::{fingerprint, NO_PARENT};
use super::{Evidence, Found, Search, Stats, StopReason};
use stateright::Model;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Steps per walk when no `max_depth` is given.
const WALK_STEPS_DEFAULT: usize = 100;

type Discoveries<M> = Mutex<Vec<Option<Path<M>>>>;

pub(crate) fn explore<M>(search: &Search<'_, M>) -> Found<M>
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let slots = search.properties.len();
    let none: Vec<Option<Evidence<M>>> = (0..slots).map(|_| None).collect();
    let undecided = search.undecided(&none);
    let discoveries: Discoveries<M> = Mutex::new((0..slots).map(|_| None).collect());
    let next_walk = AtomicUsize::new(0);
    let generated = AtomicUsize::new(0);
    let deepest = AtomicUsize::new(0);
    let reason = Mutex::new(None);
    let threads = search.options.threads.max(1);
    crate::pool::on_threads(threads, &|_| loop {
        let walk = next_walk.fetch_add(1, Ordering::Relaxed);
        if walk >= search.options.simulation_walks {
            break;
        }
        if let Some(limit) = search.limit_hit() {
            reason
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(limit);
            break;
        }
        let seed = search.options.seed.wrapping_add(walk as u64);
        let (steps, length) = walk_once(search, seed, &undecided, &discoveries);
        generated.fetch_add(steps, Ordering::Relaxed);
        deepest.fetch_max(length, Ordering::Relaxed);
        search
            .options
            .progress
            .unique_states
            .store(search.store.len(), Ordering::Relaxed);
    });
    let evidence = discoveries
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|path| path.map(Evidence::Walked))
        .collect();
    let stop_reason = reason
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .unwrap_or(StopReason::WalksDone);
    Found {
        recorded: None,
        evidence,
        stop_reason,
        stats: Stats {
            unique_states: search.store.len(),
            generated_states: generated.load(Ordering::Relaxed),
            max_depth: deepest.load(Ordering::Relaxed),
            ..Stats::default()
        },
    }
}

/// One walk with its own seed, so a walk replays from its number alone.
fn walk_once<M>(
    search: &Search<'_, M>,
    seed: u64,
    undecided: &[bool],
    discoveries: &Discoveries<M>,
) -> (usize, usize)
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let mut rng = fastrand::Rng::with_seed(seed);
    let inits = search.model.init_states();
    if inits.is_empty() {
        return (0, 0);
    }
    let first = inits[rng.usize(..inits.len())].clone();
    let mut path: Path<M> = Path {
        states: vec![first],
        actions: Vec::new(),
    };
    search
        .store
        .insert(fingerprint(path.last_state()), NO_PARENT);
    let steps_max = search.options.max_depth.unwrap_or(WALK_STEPS_DEFAULT);
    let mut slots = Vec::new();
    let mut actions = Vec::new();
    let mut generated = 0;
    loop {
        slots.clear();
        search.decided_by(path.last_state(), undecided, &mut slots);
        keep_first(discoveries, &slots, &path);
        if path.len() >= steps_max {
            break;
        }
        actions.clear();
        search.model.actions(path.last_state(), &mut actions);
        let enabled = !actions.is_empty();
        let steps: Vec<(M::Action, M::State)> = actions
            .drain(..)
            .filter_map(|a| {
                search
                    .model
                    .next_state(path.last_state(), a.clone())
                    .map(|s| (a, s))
            })
            .collect();
        generated += steps.len();
        if steps.is_empty() {
            if !enabled {
                search.refute_never_deadlocks();
            }
            if let (false, Some(slot)) = (enabled, search.searched_deadlock_slot()) {
                keep_first(discoveries, &[slot], &path);
            }
            break;
        }
        let (action, next) = steps[rng.usize(..steps.len())].clone();
        search
            .store
            .insert(fingerprint(&next), fingerprint(path.last_state()));
        path.actions.push(action);
        path.states.push(next);
    }
    (generated, path.len())
}

/// Keeps the shortest path per property among walks.
fn keep_first<M>(discoveries: &Discoveries<M>, slots: &[usize], path: &Path<M>)
where
    M: Model,
    M::State: Clone,
    M::Action: Clone + Send + Sync,
{
    if slots.is_empty() {
        return;
    }
    let mut found = discoveries.lock().unwrap_or_else(|p| p.into_inner());
    for slot in slots {
        let shorter = found[*slot].as_ref().is_none_or(|p| p.len() > path.len());
        if shorter {
            found[*slot] = Some(path.clone());
        }
    }
}
