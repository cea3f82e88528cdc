//! Depth-first search. Each worker runs its own stack and shares surplus work through a
//! common pool, so idle workers pick up whole subtrees.

use super::store::NO_PARENT;
use super::{Evidence, Found, Search, Stats, StopReason};
use stateright::Model;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// A worker moves half its stack to the pool when it holds more than this and the pool
/// runs low.
const SHARE_ABOVE: usize = 32;

type Entry<S> = (S, u64, usize);

struct Shared<S> {
    pool: Mutex<Vec<Entry<S>>>,
    idle_workers: AtomicUsize,
    stop: AtomicBool,
    reason: Mutex<Option<StopReason>>,
    generated: AtomicUsize,
    max_depth: AtomicUsize,
}

type Discoveries = Mutex<Vec<Option<(usize, u64)>>>;

pub(crate) fn explore<M>(search: &Search<'_, M>) -> Found<M>
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let slots = search.properties.len();
    let no_evidence: Vec<Option<Evidence<M>>> = (0..slots).map(|_| None).collect();
    let undecided = search.undecided(&no_evidence);
    let discoveries: Discoveries = Mutex::new(vec![None; slots]);
    let mut roots = Vec::new();
    for state in search.model.init_states() {
        let (state, fp) = search.keyed(state);
        if search.store.insert(fp, NO_PARENT) {
            note(search, &state, fp, 0, &undecided, &discoveries);
            roots.push((state, fp, 0));
        }
    }
    roots.reverse();
    let root_count = roots.len();
    let shared = Shared {
        pool: Mutex::new(roots),
        idle_workers: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        reason: Mutex::new(None),
        generated: AtomicUsize::new(root_count),
        max_depth: AtomicUsize::new(0),
    };
    let threads = search.options.threads.max(1);
    crate::pool::on_threads(threads, &|_| {
        let guard = StopOnPanic(&shared.stop);
        worker(search, &shared, &undecided, &discoveries, threads);
        std::mem::forget(guard);
    });
    let discoveries = discoveries.into_inner().unwrap_or_else(|p| p.into_inner());
    let evidence = discoveries
        .into_iter()
        .map(|d| d.map(|(depth, fingerprint)| Evidence::Stored { depth, fingerprint }))
        .collect();
    let reason = shared
        .reason
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    Found {
        recorded: None,
        evidence,
        stop_reason: reason.unwrap_or(StopReason::Complete),
        stats: Stats {
            unique_states: search.store.len(),
            generated_states: shared.generated.load(Ordering::Relaxed),
            max_depth: shared.max_depth.load(Ordering::Relaxed),
            ..Stats::default()
        },
    }
}

/// Records what `state` decides. The first discovery wins (deterministic with one
/// thread; any discovery is a valid counterexample).
fn note<M>(
    search: &Search<'_, M>,
    state: &M::State,
    fp: u64,
    depth: usize,
    undecided: &[bool],
    discoveries: &Discoveries,
) where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let mut slots = Vec::new();
    search.decided_by(state, undecided, &mut slots);
    if slots.is_empty() {
        return;
    }
    let mut found = discoveries.lock().unwrap_or_else(|p| p.into_inner());
    for slot in slots {
        found[slot].get_or_insert((depth, fp));
    }
}

fn all_decided(undecided: &[bool], discoveries: &Discoveries) -> bool {
    let found = discoveries.lock().unwrap_or_else(|p| p.into_inner());
    undecided
        .iter()
        .zip(found.iter())
        .all(|(open, d)| !open || d.is_some())
}

/// Tells every worker to stop when dropped, which happens only when its worker panicked
/// (on return it is forgotten): the others would wait for it in `take_work` for ever,
/// and its panic would never go on.
struct StopOnPanic<'a>(&'a AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn halt<S>(shared: &Shared<S>, reason: StopReason) {
    shared.stop.store(true, Ordering::Relaxed);
    let mut slot = shared.reason.lock().unwrap_or_else(|p| p.into_inner());
    slot.get_or_insert(reason);
}

fn worker<M>(
    search: &Search<'_, M>,
    shared: &Shared<M::State>,
    undecided: &[bool],
    discoveries: &Discoveries,
    threads: usize,
) where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let mut stack: Vec<Entry<M::State>> = Vec::new();
    let mut actions = Vec::new();
    let mut successors = Vec::new();
    let mut keyed = Vec::new();
    let mut steps = 0usize;
    // Not where the model settles it (a state without steps then faults the search).
    let deadlock_slot = search.searched_deadlock_slot();
    while !shared.stop.load(Ordering::Relaxed) {
        let Some((state, fp, depth)) = stack.pop().or_else(|| take_work(shared, threads)) else {
            break;
        };
        shared.max_depth.fetch_max(depth, Ordering::Relaxed);
        let expanded = search.expand(&state, &mut actions, &mut successors, None);
        // A state at the bound is not expanded, but it is still checked: a deadlock
        // there is a deadlock, whatever the bound (only its successors are cut off).
        if !expanded.enabled {
            if let Some(slot) = deadlock_slot {
                let mut found = discoveries.lock().unwrap_or_else(|p| p.into_inner());
                found[slot].get_or_insert((depth, fp));
            }
        }
        if search.at_depth_bound(depth) {
            // A skipped self-loop is a successor too: the bound cuts it off as before.
            if !successors.is_empty() || expanded.self_loops > 0 {
                let mut slot = shared.reason.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(StopReason::DepthLimit);
            }
            continue;
        }
        shared
            .generated
            .fetch_add(successors.len(), Ordering::Relaxed);
        search.key_ahead(successors.drain(..).rev(), &mut keyed);
        for (successor, child) in keyed.drain(..) {
            if search.store.insert(child, fp) {
                note(search, &successor, child, depth + 1, undecided, discoveries);
                stack.push((successor, child, depth + 1));
            }
        }
        share_surplus(shared, &mut stack, threads);
        steps += 1;
        if steps % 512 == 0 {
            check_limits(search, shared, undecided, discoveries);
        }
    }
    check_limits(search, shared, undecided, discoveries);
}

fn check_limits<M>(
    search: &Search<'_, M>,
    shared: &Shared<M::State>,
    undecided: &[bool],
    discoveries: &Discoveries,
) where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    // The store's count is summed over its shards: once per check-in.
    let stored = search.store.len();
    let progress = &search.options.progress;
    progress.unique_states.store(stored, Ordering::Relaxed);
    progress
        .generated_states
        .store(shared.generated.load(Ordering::Relaxed), Ordering::Relaxed);
    progress
        .max_depth
        .store(shared.max_depth.load(Ordering::Relaxed), Ordering::Relaxed);
    if let Some(reason) = search.limit_hit_at(stored) {
        halt(shared, reason);
    } else if all_decided(undecided, discoveries) && !shared.stop.load(Ordering::Relaxed) {
        halt(shared, StopReason::AllDecided);
    }
}

fn share_surplus<S>(shared: &Shared<S>, stack: &mut Vec<Entry<S>>, threads: usize) {
    if threads < 2 || stack.len() <= SHARE_ABOVE {
        return;
    }
    if shared.idle_workers.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mut pool = shared.pool.lock().unwrap_or_else(|p| p.into_inner());
    if pool.is_empty() {
        let half = stack.len() / 2;
        pool.extend(stack.drain(..half));
    }
}

/// Takes work from the pool; `None` once every worker is idle and the pool is empty.
fn take_work<S>(shared: &Shared<S>, threads: usize) -> Option<Entry<S>> {
    shared.idle_workers.fetch_add(1, Ordering::SeqCst);
    loop {
        {
            let mut pool = shared.pool.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = pool.pop() {
                shared.idle_workers.fetch_sub(1, Ordering::SeqCst);
                return Some(entry);
            }
            if shared.idle_workers.load(Ordering::SeqCst) == threads
                || shared.stop.load(Ordering::Relaxed)
            {
                return None;
            }
        }
        std::thread::yield_now();
    }
}
