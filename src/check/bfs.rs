//! Breadth-first search, level by level, with the level split among worker threads.
//!
//! A level is finished before the next starts, so a property is first decided at its
//! smallest depth and the choice among discoveries at that depth is deterministic
//! (smallest fingerprint): shortest counterexamples, identical for any thread count.
//!
//! The parent a state is stored with is deterministic too: among the states of a level
//! that lead to a new state, the first in level order (then the first action) wins,
//! whichever worker got there first. With several workers a later discoverer that comes
//! earlier in the level takes the parent over ([`Store::insert_or_lower`]), and the
//! next level is put in the order one worker would have produced: chunk by chunk, each
//! state where its winning parent put it. Paths, like counts, are then the same for any
//! thread count and any run.

use super::store::{Insertion, NO_PARENT};
use super::{better, Evidence, Found, Search, Stats, StopReason};
use stateright::Model;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// States per work chunk: small enough to balance, large enough to amortize.
const CHUNK_STATES: usize = 256;

type Level<S> = Vec<(S, u64)>;

/// Fingerprints are hashes already: a map keyed by them needs no second hash.
#[derive(Default)]
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Fingerprint → position in the level.
type Positions = HashMap<u64, usize, BuildHasherDefault<FingerprintHasher>>;

/// States a chunk of a level discovered, with the parent each was pushed for.
type ChunkOutput<S> = (usize, Vec<(S, u64, u64)>);

/// What one worker brings back from a level.
struct WorkerResult<S> {
    chunks: Vec<ChunkOutput<S>>,
    /// States whose parent this worker took over from another discoverer.
    lowered: Vec<u64>,
    discoveries: Vec<(usize, u64)>,
    deadlocks: Vec<u64>,
    generated: usize,
}

pub(crate) fn explore<M>(search: &Search<'_, M>) -> Found<M>
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let mut evidence: Vec<Option<Evidence<M>>> =
        (0..search.properties.len()).map(|_| None).collect();
    let mut stats = Stats::default();
    let mut level: Level<M::State> = Vec::new();
    let mut found_slots = Vec::new();
    let undecided = search.undecided(&evidence);
    for state in search.model.init_states() {
        stats.generated_states += 1;
        let (state, fp) = search.keyed(state);
        if search.store.insert(fp, NO_PARENT) {
            found_slots.clear();
            search.decided_by(&state, &undecided, &mut found_slots);
            for slot in &found_slots {
                record(&mut evidence, *slot, 0, fp);
            }
            level.push((state, fp));
        }
    }
    let mut depth = 0;
    let stop_reason = loop {
        stats.unique_states = search.store.len();
        stats.max_depth = depth;
        publish(search, &stats);
        let undecided = search.undecided(&evidence);
        if level.is_empty() {
            break StopReason::Complete;
        }
        if !undecided.iter().any(|u| *u) {
            break StopReason::AllDecided;
        }
        if let Some(reason) = search.limit_hit() {
            break reason;
        }
        if search.at_depth_bound(depth) {
            break StopReason::DepthLimit;
        }
        let (next, interrupted) =
            expand_level(search, &level, depth, &undecided, &mut evidence, &mut stats);
        if let Some(reason) = interrupted {
            break reason;
        }
        level = next;
        depth += 1;
    };
    stats.unique_states = search.store.len();
    Found {
        evidence,
        stop_reason,
        stats,
    }
}

fn record<M: Model>(evidence: &mut [Option<Evidence<M>>], slot: usize, depth: usize, fp: u64) {
    if better((depth, fp), &evidence[slot]) {
        evidence[slot] = Some(Evidence::Stored {
            depth,
            fingerprint: fp,
        });
    }
}

fn publish<M: Model>(search: &Search<'_, M>, stats: &Stats) {
    let progress = &search.options.progress;
    progress
        .unique_states
        .store(search.store.len(), Ordering::Relaxed);
    progress
        .generated_states
        .store(stats.generated_states, Ordering::Relaxed);
    progress.max_depth.store(stats.max_depth, Ordering::Relaxed);
}

/// Expands one level on all workers. Returns the next level, or the limit that
/// interrupted it.
fn expand_level<M>(
    search: &Search<'_, M>,
    level: &Level<M::State>,
    depth: usize,
    undecided: &[bool],
    evidence: &mut [Option<Evidence<M>>],
    stats: &mut Stats,
) -> (Level<M::State>, Option<StopReason>)
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let cursor = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let interrupted = Mutex::new(None);
    let threads = search.options.threads.max(1);
    // Level positions, for the parent tie-break between workers (one worker meets
    // the level in order and needs none).
    let positions: Positions = if threads > 1 {
        level
            .iter()
            .enumerate()
            .map(|(position, (_, fp))| (*fp, position))
            .collect()
    } else {
        Positions::default()
    };
    let context = LevelContext {
        level,
        undecided,
        positions: &positions,
        cursor: &cursor,
        stop: &stop,
        interrupted: &interrupted,
    };
    let results: Vec<WorkerResult<M::State>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| expand_chunks(search, &context)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a search worker panicked"))
            .collect()
    });
    let mut chunks = Vec::new();
    let mut lowered = HashSet::new();
    for result in results {
        stats.generated_states += result.generated;
        for (slot, fp) in result.discoveries {
            record(evidence, slot, depth + 1, fp);
        }
        if let Some(slot) = search.deadlock_slot() {
            for fp in result.deadlocks {
                record(evidence, slot, depth, fp);
            }
        }
        chunks.extend(result.chunks);
        lowered.extend(result.lowered);
    }
    chunks.sort_unstable_by_key(|(index, _)| *index);
    // States are large: one allocation for the level, not a doubling per push.
    let mut next = Vec::with_capacity(chunks.iter().map(|(_, states)| states.len()).sum());
    for (_, states) in chunks {
        for (state, child, parent) in states {
            // A state pushed for a parent that lost it to an earlier one is dropped
            // here; the winner pushed it too, at its place in level order.
            if lowered.contains(&child) && search.store.parent(child) != Some(parent) {
                continue;
            }
            next.push((state, child));
        }
    }
    let interrupted = interrupted
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    (next, interrupted)
}

/// What the workers of one level share.
struct LevelContext<'l, S> {
    level: &'l Level<S>,
    undecided: &'l [bool],
    positions: &'l Positions,
    cursor: &'l AtomicUsize,
    stop: &'l AtomicBool,
    interrupted: &'l Mutex<Option<StopReason>>,
}

fn expand_chunks<M>(
    search: &Search<'_, M>,
    context: &LevelContext<'_, M::State>,
) -> WorkerResult<M::State>
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let LevelContext {
        level,
        undecided,
        positions,
        cursor,
        stop,
        interrupted,
    } = context;
    let mut result = WorkerResult {
        chunks: Vec::new(),
        lowered: Vec::new(),
        discoveries: Vec::new(),
        deadlocks: Vec::new(),
        generated: 0,
    };
    let mut actions = Vec::new();
    let mut successors = Vec::new();
    let mut slots = Vec::new();
    let check_deadlock = search.deadlock_slot().is_some_and(|slot| undecided[slot]);
    let single = positions.is_empty();
    // The last chunk's count sizes the next one's buffer (states are large to regrow).
    let mut expected = CHUNK_STATES;
    while !stop.load(Ordering::Relaxed) {
        let start = cursor.fetch_add(CHUNK_STATES, Ordering::Relaxed);
        if start >= level.len() {
            break;
        }
        let mut found = Vec::with_capacity(expected);
        let end = (start + CHUNK_STATES).min(level.len());
        for (position, (state, fp)) in level[start..end].iter().enumerate() {
            let position = start + position;
            let enabled = search.successors(state, &mut actions, &mut successors);
            result.generated += successors.len();
            if !enabled && check_deadlock {
                result.deadlocks.push(*fp);
            }
            for successor in successors.drain(..) {
                let (successor, child) = search.keyed(successor);
                let insertion = if single {
                    if search.store.insert(child, *fp) {
                        Insertion::New
                    } else {
                        Insertion::Kept
                    }
                } else {
                    // Take the parent over from a discoverer later in this level.
                    search.store.insert_or_lower(child, *fp, |stored| {
                        positions.get(&stored).is_some_and(|at| *at > position)
                    })
                };
                match insertion {
                    Insertion::Kept => continue,
                    Insertion::Lowered => result.lowered.push(child),
                    Insertion::New => {
                        slots.clear();
                        search.decided_by(&successor, undecided, &mut slots);
                        result
                            .discoveries
                            .extend(slots.iter().map(|slot| (*slot, child)));
                    }
                }
                found.push((successor, child, *fp));
            }
        }
        expected = found.len().max(1);
        result.chunks.push((start, found));
        search
            .options
            .progress
            .unique_states
            .store(search.store.len(), Ordering::Relaxed);
        if let Some(reason) = search.limit_hit() {
            stop.store(true, Ordering::Relaxed);
            let mut slot = interrupted.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert(reason);
        }
    }
    result
}
