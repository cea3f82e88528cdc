//! Breadth-first search, level by level, with the level split among worker threads.
//!
//! A level is finished before the next starts, so a property is first decided at its
//! smallest depth and the choice among discoveries at that depth is deterministic
//! (smallest fingerprint): shortest counterexamples, identical for any thread count.
//!
//! The parent a state is stored with is deterministic too: among the states of a level
//! that lead to a new state, the first in level order (then the first action) wins,
//! whichever worker got there first. One worker meets the level in order and stores
//! parents as they come. Several workers store a *claim* instead ([`store::claim`]: the
//! discoverer's depth and position in the level, which [`Store::parent`] reads back as
//! its fingerprint through the level's recorded fingerprints), and a discoverer earlier
//! in the level takes a claim over ([`Store::insert_or_lower`]) by comparing positions,
//! with no lookup. Every discoverer that stored or took over a claim puts the state in
//! its chunk of the next level; where more than one did (the state is in some worker's
//! list of claims taken over), the next level expands only the entry whose claim is
//! stored. The next level is the chunks in level order, so its order, and the states it
//! expands, are the ones one worker would have produced: paths, like counts, are the
//! same for any thread count and any run. A level too deep (past depth 131 071) or too
//! long (over 2^32 states) for a claim to name is expanded by one worker instead.
//! Between two levels the thread that runs the search copies the level's fingerprints
//! and gathers the workers' chunks (sorted by place) and lists of contested states;
//! all of it is linear in the level, none of it per successor.
//!
//! The workers are the search's crew ([`Search::crew`]): started on first use (the
//! initial level's subsumption, or its expansion) and kept to the search's end, so no
//! level pays for threads started and ended (mimalloc's clean-up of each ended
//! thread's heap alone was 1.7 % of a two-thread search's samples).
//!
//! Each worker frees the chunks it expanded as it finishes them (states another worker
//! allocated: cheap with the binary's allocator, mimalloc); the chunks no worker took,
//! where a limit stopped the level, are freed by the search's thread. Freeing the
//! whole level on the search's thread between levels took 11–14 % of a two-thread
//! search's samples, on that thread alone while the other workers waited, and held the
//! level while the next one grew (BENCHMARKS.md, "Subsumption's records and levels").
//! Before the binary moved to mimalloc the same was measured slower (allocator
//! contention).
//!
//! Subsumption between two levels ([`Covering`]) runs mostly on the crew: deciding
//! each entry (against the records of earlier levels and the level's own entries) and
//! removing the entries not expanded (left out, or another discoverer's entry of a
//! contested state), which frees them. The search's thread finds the wanted entries
//! (a contested state's stored claim), lists them by frame (a sort), adds the covered
//! pairs to a recorded graph, and puts the kept entries back into full chunks,
//! recording their counters in level order. With all of it on that thread, that thread took a quarter of a two-thread
//! search's samples on `primary_backup` with ε = 4, most of it subsumption's, while the
//! workers waited (BENCHMARKS.md, "Two threads: subsumption on the crew").
//!
//! [`Store::parent`]: super::store::Store::parent
//! [`Search::crew`]: super::Search::crew
//! [`Store::insert_or_lower`]: super::store::Store::insert_or_lower

use super::covering::CoverRecords;
use super::record::Part;
use super::store::{self, FingerprintHasher, Insertion, NO_PARENT};
use super::{better, Evidence, Found, RecordedGraph, Search, Slack, Stats, StopReason};
use stateright::Model;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// States per unit of work: small enough to balance, large enough to amortize.
const CHUNK_STATES: usize = 256;

/// Chunks per unit of subsumption's work on the crew.
const SUBSUME_RUN_CHUNKS: usize = 16;

/// States of a level that more than one entry was pushed for.
type Contested = HashSet<u64, BuildHasherDefault<FingerprintHasher>>;

/// A state of a level.
struct Entry<S> {
    state: S,
    fingerprint: u64,
    /// The claim it was pushed with ([`store::claim`]); `NO_PARENT` where its parent
    /// was stored as it is.
    claim: u64,
    /// Its frame and counters, under subsumption ([`Search::subsume`]).
    slack: Option<Slack>,
}

/// A level: chunks of at most [`CHUNK_STATES`] entries in level order (a state's
/// position is its index in their concatenation), each one worker's task. Entries whose
/// claim was taken over are skipped, not removed.
struct Level<S> {
    chunks: Vec<Vec<Entry<S>>>,
    /// The position of each chunk's first entry.
    starts: Vec<usize>,
    len: usize,
    /// States pushed by more than one discoverer.
    contested: Contested,
}

impl<S> Level<S> {
    /// A level of the chunks, in order (each at most [`CHUNK_STATES`] long).
    fn new(chunks: Vec<Vec<Entry<S>>>, contested: Contested) -> Self {
        let mut starts = Vec::with_capacity(chunks.len());
        let mut len = 0;
        for chunk in &chunks {
            starts.push(len);
            len += chunk.len();
        }
        Level {
            chunks,
            starts,
            len,
            contested,
        }
    }

    /// The fingerprints of the level, in order.
    fn fingerprints(&self) -> Vec<u64> {
        let entries = self.chunks.iter().flatten();
        entries.map(|entry| entry.fingerprint).collect()
    }
}

/// Part of the next level: (the chunk of this level that found it, which part), entries.
type NextChunk<S> = ((usize, usize), Vec<Entry<S>>);

/// The frames and counters of the states expanded so far, under subsumption
/// ([`Search::subsume`]): a new state that one of them covers is not expanded.
#[derive(Default)]
struct Covering {
    /// The frames, counters and fingerprints of the states expanded so far.
    expanded: CoverRecords,
}

/// What becomes of an entry of a level under subsumption.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// Not wanted: another discoverer's entry of the state is the one expanded.
    Skip,
    /// Expanded: no state covers it.
    Keep,
    /// Left out, covered by the state with this fingerprint.
    Covered(u64),
}

/// At most [`SUBSUME_RUN_CHUNKS`] chunks of a level, in level order.
type Run<S> = Vec<Vec<Entry<S>>>;

/// A level's chunks in runs, in level order.
type Runs<S> = Vec<Run<S>>;

impl Covering {
    /// What becomes of each entry of `runs`, run by run, in level order. The search's
    /// thread finds the wanted entries and lists those with counters by frame (a
    /// sort); the crew
    /// decides each entry against the records of the states expanded before (only
    /// read) and the level's other entries. On the chunks as they are: the level is not
    /// copied (a copy of the largest level was most of what subsumption added to a
    /// search's peak).
    fn decide<M>(
        &self,
        search: &Search<'_, M>,
        runs: &Runs<M::State>,
        contested: &Contested,
    ) -> Vec<Vec<Decision>>
    where
        M: Model + Send + Sync,
        M::State: Hash + Clone + Send + Sync,
        M::Action: Clone + Send + Sync,
    {
        let entries: Vec<&Entry<M::State>> = runs.iter().flatten().flatten().collect();
        // Of a state more than one discoverer pushed, only the stored claim's entry
        // (the one the level would expand) counts.
        let wanted: Vec<bool> = (entries.iter())
            .map(|entry| {
                contested.is_empty()
                    || !contested.contains(&entry.fingerprint)
                    || search.store.stored_parent(entry.fingerprint) == Some(entry.claim)
            })
            .collect();
        // The wanted entries with counters, by frame, in level order within a frame. A
        // state without counters covers only itself (`Slack::covers`): it is expanded
        // and not recorded.
        let mut by_frame: Vec<(u64, usize)> = (entries.iter().enumerate())
            .filter(|&(index, _)| wanted[index])
            .filter_map(|(index, entry)| {
                let own = entry.slack.as_ref()?;
                (!own.counters.is_empty()).then_some((own.frame, index))
            })
            .collect();
        by_frame.sort_unstable();
        let covered = |own: &Slack| {
            if own.counters.is_empty() {
                return None;
            }
            let in_level = || {
                let first = by_frame.partition_point(|&(frame, _)| frame < own.frame);
                let others = by_frame[first..]
                    .iter()
                    .take_while(|&&(frame, _)| frame == own.frame);
                let coverer = others.map(|&(_, other)| entries[other]).find(|other| {
                    other
                        .slack
                        .as_ref()
                        .is_some_and(|other| other.covers(own) && other.counters != own.counters)
                })?;
                Some(coverer.fingerprint)
            };
            self.expanded.coverer(own).or_else(in_level)
        };
        // Where each run's entries start among `entries`.
        let mut starts = Vec::with_capacity(runs.len() + 1);
        let mut len = 0;
        for run in runs {
            starts.push(len);
            len += run.iter().map(Vec::len).sum::<usize>();
        }
        starts.push(len);
        search.crew().map(runs.len(), |run| {
            (starts[run]..starts[run + 1])
                .map(|index| {
                    let entry = entries[index];
                    match (wanted[index], entry.slack.as_ref().and_then(covered)) {
                        (false, _) => Decision::Skip,
                        (true, None) => Decision::Keep,
                        (true, Some(coverer)) => Decision::Covered(coverer),
                    }
                })
                .collect()
        })
    }

    /// The states of `level` to expand: those no state expanded before covers, nor
    /// another state of the level covers strictly (with smaller counters). Decided
    /// between two levels from the level's order alone, so the same for any thread
    /// count. The states left out stay stored (and counted); they are added to
    /// `stats.subsumed_states`, and to `graph` with a state that covers each where the
    /// search records its graph.
    fn subsume<M>(
        &mut self,
        search: &Search<'_, M>,
        level: Level<M::State>,
        stats: &mut Stats,
        graph: Option<&mut RecordedGraph>,
    ) -> Level<M::State>
    where
        M: Model + Send + Sync,
        M::State: Hash + Clone + Send + Sync,
        M::Action: Clone + Send + Sync,
    {
        let Level {
            chunks, contested, ..
        } = level;
        let mut runs: Runs<M::State> = Vec::new();
        let mut chunks = chunks.into_iter().peekable();
        while chunks.peek().is_some() {
            runs.push(chunks.by_ref().take(SUBSUME_RUN_CHUNKS).collect());
        }
        let decisions = self.decide(search, &runs, &contested);
        // The crew removes the left-out entries run by run, freeing them.
        let pending: Vec<Mutex<Run<M::State>>> = runs.into_iter().map(Mutex::new).collect();
        let trimmed = search.crew().map(pending.len(), |run| {
            let chunks =
                std::mem::take(&mut *pending[run].lock().unwrap_or_else(|p| p.into_inner()));
            let mut decided = decisions[run].iter();
            let mut out = Trimmed {
                kept: Vec::with_capacity(chunks.len()),
                covered: Vec::new(),
            };
            for mut chunk in chunks {
                // `retain` visits the entries once each, in order; a run's decisions
                // are its entries', in order.
                chunk.retain(|entry| match decided.next() {
                    Some(Decision::Keep) => true,
                    Some(Decision::Covered(coverer)) => {
                        out.covered.push((entry.fingerprint, *coverer));
                        false
                    }
                    Some(Decision::Skip) | None => false,
                });
                if !chunk.is_empty() {
                    out.kept.push(chunk);
                }
            }
            debug_assert!(decided.next().is_none(), "one decision per entry");
            out
        });
        drop((pending, decisions));
        let mut subsumed = 0;
        let mut graph = graph;
        let mut kept_chunks = Vec::new();
        for run in trimmed {
            subsumed += run.covered.len();
            if let Some(graph) = graph.as_mut() {
                for (fingerprint, coverer) in run.covered {
                    let pair = (graph.at(fingerprint), graph.at(coverer));
                    graph.covered.push(pair);
                }
            }
            kept_chunks.extend(run.kept);
        }
        // The kept entries go back into full chunks, and their records in, in level
        // order (the first state recorded that covers a later one is the one named as
        // its coverer); each trimmed chunk is freed once its entries are moved on.
        let mut kept = Vec::new();
        let mut chunk = Vec::with_capacity(CHUNK_STATES);
        for mut entry in kept_chunks.into_iter().flatten() {
            if let Some(own) = entry.slack.take().filter(|own| !own.counters.is_empty()) {
                self.expanded.push(&own, entry.fingerprint);
            }
            if chunk.len() == CHUNK_STATES {
                kept.push(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(CHUNK_STATES),
                ));
            }
            chunk.push(entry);
        }
        if !chunk.is_empty() {
            kept.push(chunk);
        }
        *stats.subsumed_states.get_or_insert(0) += subsumed;
        Level::new(kept, Contested::default())
    }
}

/// What one run of a level's chunks becomes under subsumption.
struct Trimmed<S> {
    /// Its chunks with the left-out entries removed (none left empty), in level order.
    kept: Vec<Vec<Entry<S>>>,
    /// The entries left out, each with a state that covers it, in level order.
    covered: Vec<(u64, u64)>,
}

/// What one worker brings back from a level.
struct WorkerResult<S> {
    /// The next level's chunks, by (chunk of this level that found them, part).
    chunks: Vec<NextChunk<S>>,
    /// States whose claim this worker took over from another discoverer.
    contested: Vec<u64>,
    discoveries: Vec<(usize, u64)>,
    deadlocks: Vec<u64>,
    generated: usize,
    /// What it recorded of the graph, where the search records it.
    graph: Option<Part>,
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
    let mut initial = Vec::new();
    let mut found_slots = Vec::new();
    let undecided = search.undecided(&evidence);
    let mut graph = search.recording.map(|_| RecordedGraph::default());
    // The initial states' goals, where recorded.
    let mut goals = Vec::new();
    let recorded_slots = search.recorded_slots();
    for state in search.model.init_states() {
        stats.generated_states += 1;
        let (state, fp) = search.keyed(state);
        if search.store.insert(fp, NO_PARENT) {
            let recorded = graph.as_mut().map(|graph| {
                graph.store(fp);
                (&recorded_slots[..], &mut goals)
            });
            evaluate(search, &state, fp, &undecided, recorded, &mut found_slots);
            for slot in &found_slots {
                record(&mut evidence, *slot, 0, fp);
            }
            if !admitted(search, 0, &state, true) {
                continue;
            }
            let slack = search.subsume.map(|split| split(search.model, &state));
            initial.push(Entry {
                state,
                fingerprint: fp,
                claim: NO_PARENT,
                slack,
            });
        }
    }
    let mut chunks = Vec::new();
    while initial.len() > CHUNK_STATES {
        let rest = initial.split_off(CHUNK_STATES);
        chunks.push(std::mem::replace(&mut initial, rest));
    }
    chunks.push(initial);
    let mut level = Level::new(chunks, Contested::default());
    if let Some(graph) = graph.as_mut() {
        graph.add(Part {
            goals,
            ..Part::default()
        });
    }
    let mut covering = Covering::default();
    if search.subsume.is_some() {
        level = covering.subsume(search, level, &mut stats, graph.as_mut());
    }
    let mut depth = 0;
    let stop_reason = loop {
        stats.unique_states = search.store.len();
        stats.max_depth = depth;
        publish(search, &stats);
        let undecided = search.undecided(&evidence);
        if level.len == 0 {
            // Each worker checks the state limit per chunk against the shards' counts
            // as it sees them, which may lag another worker's last inserts: the exact
            // count decides here, as one worker's check would have before the level
            // ended (so the stop is the same for any thread count).
            if search.states_over_limit() {
                break StopReason::StateLimit;
            }
            // A guided search that left states unexpanded is not complete.
            let pruned = search
                .guide
                .as_ref()
                .is_some_and(|guide| guide.pruned() > 0);
            break if pruned {
                StopReason::DepthLimit
            } else {
                StopReason::Complete
            };
        }
        if !undecided.iter().any(|u| *u) {
            if let Some(graph) = graph.as_mut() {
                record_unexpanded(search, &level, graph);
            }
            break StopReason::AllDecided;
        }
        if let Some(reason) = search.limit_hit() {
            break reason;
        }
        if search.at_depth_bound(depth) {
            break StopReason::DepthLimit;
        }
        let (next, interrupted) = expand_level(
            search,
            level,
            depth,
            &undecided,
            &mut evidence,
            &mut stats,
            graph.as_mut(),
        );
        if let Some(reason) = interrupted {
            break reason;
        }
        level = if search.subsume.is_some() {
            covering.subsume(search, next, &mut stats, graph.as_mut())
        } else {
            next
        };
        depth += 1;
    };
    stats.unique_states = search.store.len();
    Found {
        evidence,
        stop_reason,
        stats,
        recorded: graph.filter(RecordedGraph::indexed),
    }
}

/// Recorded states that decide a property, with its slot ([`Part::goals`]).
type Goals = Vec<(u64, usize)>;

/// The slots `state` (stored as `fingerprint`) decides among `undecided`, into
/// `slots`; where the search records its graph (`recorded`: the slots it evaluates
/// everywhere, and the goals recorded), every recorded slot it decides goes to the
/// goals first.
fn evaluate<M>(
    search: &Search<'_, M>,
    state: &M::State,
    fingerprint: u64,
    undecided: &[bool],
    recorded: Option<(&[bool], &mut Goals)>,
    slots: &mut Vec<usize>,
) where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    slots.clear();
    match recorded {
        None => search.decided_by(state, undecided, slots),
        Some((everywhere, goals)) => {
            search.decided_by(state, everywhere, slots);
            goals.extend(slots.iter().map(|&slot| (fingerprint, slot)));
            slots.retain(|&slot| undecided[slot]);
        }
    }
}

/// Records the states of `level`, which the search stopped before expanding, as
/// unexpanded, and those with no enabled step as deadlocks where deadlock is searched.
fn record_unexpanded<M>(search: &Search<'_, M>, level: &Level<M::State>, graph: &mut RecordedGraph)
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let deadlock = search.searched_deadlock_slot();
    let mut actions = Vec::new();
    for entry in level.chunks.iter().flatten() {
        let at = graph.at(entry.fingerprint);
        graph.unexpanded.push(at);
        if let Some(slot) = deadlock {
            actions.clear();
            search.model.actions(&entry.state, &mut actions);
            if actions.is_empty() {
                graph.goals.push((at, slot));
            }
        }
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

/// Expands one level on all workers, each freeing the chunks it expanded (the search's
/// thread freeing the whole level between levels kept the other workers waiting:
/// BENCHMARKS.md, "Subsumption's records and levels"). Returns the next level, or the
/// limit that interrupted it.
fn expand_level<M>(
    search: &Search<'_, M>,
    level: Level<M::State>,
    depth: usize,
    undecided: &[bool],
    evidence: &mut [Option<Evidence<M>>],
    stats: &mut Stats,
    graph: Option<&mut RecordedGraph>,
) -> (Level<M::State>, Option<StopReason>)
where
    M: Model + Send + Sync,
    M::State: Hash + Clone + Send + Sync,
    M::Action: Clone + Send + Sync,
{
    let cursor = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let interrupted = Mutex::new(None);
    // Several workers store claims; a level a claim cannot name (deeper than 131 071,
    // or longer than 2^32) is expanded by one worker, which stores parents: in level
    // order either way.
    let claims = search.options.threads > 1 && store::claim(depth, level.len).is_some();
    let threads = if claims { search.options.threads } else { 1 };
    if claims {
        search.store.record_level(depth, level.fingerprints());
    }
    let Level {
        chunks,
        starts,
        contested: level_contested,
        ..
    } = level;
    // Each chunk is taken by the one worker that draws its index from the cursor.
    let chunk_count = chunks.len();
    let pending: Vec<Mutex<Vec<Entry<M::State>>>> = chunks.into_iter().map(Mutex::new).collect();
    let context = LevelContext {
        chunks: &pending,
        starts: &starts,
        contested: &level_contested,
        depth,
        claims,
        undecided,
        cursor: &cursor,
        stop: &stop,
        interrupted: &interrupted,
    };
    let results = search
        .crew()
        .each(threads, || expand_chunks(search, &context));
    // What a limit left untaken.
    drop(pending);
    let mut chunks = Vec::with_capacity(chunk_count);
    let mut contested = Contested::default();
    let mut parts = Vec::new();
    for result in results {
        parts.extend(result.graph);
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
        contested.extend(result.contested);
    }
    chunks.sort_unstable_by_key(|(place, _)| *place);
    let next = Level::new(
        chunks.into_iter().map(|(_, entries)| entries).collect(),
        contested,
    );
    // The recorded steps lead to states stored before or on the next level: those get
    // their indexes first.
    if let Some(graph) = graph {
        for entry in next.chunks.iter().flatten() {
            graph.store(entry.fingerprint);
        }
        for part in parts {
            graph.add(part);
        }
    }
    let interrupted = interrupted
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    (next, interrupted)
}

/// What the workers of one level share.
struct LevelContext<'l, S> {
    /// The level's chunks, each taken and freed by the worker that expands it.
    chunks: &'l [Mutex<Vec<Entry<S>>>],
    /// The position of each chunk's first entry.
    starts: &'l [usize],
    /// States pushed by more than one discoverer.
    contested: &'l Contested,
    depth: usize,
    /// Whether new states are stored with claims (several workers) or parents (one).
    claims: bool,
    undecided: &'l [bool],
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
        chunks,
        starts,
        contested,
        depth,
        claims,
        undecided,
        cursor,
        stop,
        interrupted,
    } = context;
    let mut result = WorkerResult {
        chunks: Vec::new(),
        contested: Vec::new(),
        discoveries: Vec::new(),
        deadlocks: Vec::new(),
        generated: 0,
        graph: search.recording.map(|_| Part::default()),
    };
    let recorded_slots = search.recorded_slots();
    let recorded_deadlock = search.searched_deadlock_slot();
    let mut shortcuts = Vec::new();
    let mut actions = Vec::new();
    let mut successors = Vec::new();
    let mut keyed = Vec::new();
    let mut slots = Vec::new();
    let check_deadlock = search.deadlock_slot().is_some_and(|slot| undecided[slot]);
    // The last part's length sizes the next one's buffer (states are large to regrow).
    let mut expected = CHUNK_STATES;
    while !stop.load(Ordering::Relaxed) {
        let index = cursor.fetch_add(1, Ordering::Relaxed);
        let Some(chunk) = chunks.get(index) else {
            break;
        };
        let chunk = std::mem::take(&mut *chunk.lock().unwrap_or_else(|p| p.into_inner()));
        let mut parts = Parts::new(index, expected);
        for (offset, entry) in chunk.iter().enumerate() {
            // A state more than one discoverer pushed is the stored claim's to expand.
            if !contested.is_empty()
                && contested.contains(&entry.fingerprint)
                && search.store.stored_parent(entry.fingerprint) != Some(entry.claim)
            {
                continue;
            }
            let position = starts[index] + offset;
            let recording = result.graph.is_some().then_some(&mut shortcuts);
            let enabled =
                (search.expand(&entry.state, &mut actions, &mut successors, recording)).enabled;
            result.generated += successors.len();
            if !enabled && check_deadlock {
                result.deadlocks.push(entry.fingerprint);
            }
            // Claims can name every position of the level (`claims` says so).
            let claim = claims.then(|| store::claim(*depth, position)).flatten();
            search.key_ahead(successors.drain(..), &mut keyed);
            for (successor, child) in keyed.drain(..) {
                if let Some(graph) = result.graph.as_mut() {
                    graph.steps.push(child);
                }
                let insertion =
                    store_child(search, claim, *depth, position, entry.fingerprint, child);
                let new = matches!(insertion, Insertion::New);
                match insertion {
                    Insertion::Kept => continue,
                    Insertion::Lowered => result.contested.push(child),
                    Insertion::New => {
                        let recorded = (result.graph.as_mut())
                            .map(|graph| (&recorded_slots[..], &mut graph.goals));
                        evaluate(search, &successor, child, undecided, recorded, &mut slots);
                        let found = slots.iter().map(|slot| (*slot, child));
                        result.discoveries.extend(found);
                    }
                }
                // Stored and checked, but beyond the guide's bound: not expanded (the
                // same for every discoverer: the depth and the state are the same;
                // counted once, by the one that stored it).
                if !admitted(search, depth + 1, &successor, new) {
                    continue;
                }
                let slack = search.subsume.map(|split| split(search.model, &successor));
                let entry = Entry {
                    state: successor,
                    fingerprint: child,
                    claim: claim.unwrap_or(NO_PARENT),
                    slack,
                };
                parts.push(entry, &mut result.chunks);
            }
            if let Some(graph) = result.graph.as_mut() {
                for shortcut in shortcuts.drain(..) {
                    graph.steps.push(search.key_of(shortcut).1);
                }
                graph.end_expanded(entry.fingerprint);
                if let (false, Some(slot)) = (enabled, recorded_deadlock) {
                    graph.goals.push((entry.fingerprint, slot));
                }
            }
        }
        expected = parts.entries.len().max(1);
        parts.finish(&mut result.chunks);
        // The store's count is summed over its shards: once per chunk.
        let stored = search.store.len();
        let progress = &search.options.progress;
        progress.unique_states.store(stored, Ordering::Relaxed);
        if let Some(reason) = search.limit_hit_at(stored) {
            stop.store(true, Ordering::Relaxed);
            let mut slot = interrupted.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert(reason);
        }
    }
    result
}

/// Whether a state stored at `depth` goes on a level to be expanded: always, but
/// beyond a guide's bound ([`Search::guide`]).
fn admitted<M: Model>(search: &Search<'_, M>, depth: usize, state: &M::State, count: bool) -> bool {
    search
        .guide
        .as_ref()
        .is_none_or(|guide| guide.admits(depth, state, count))
}

/// Stores `child`, reached from the state at `position` of level `depth` whose
/// fingerprint is `parent`: with `claim`, as a claim that takes over one made later in
/// the level; without, with its parent, first come (one worker meets the level in order).
fn store_child<M: Model>(
    search: &Search<'_, M>,
    claim: Option<u64>,
    depth: usize,
    position: usize,
    parent: u64,
    child: u64,
) -> Insertion {
    match claim {
        Some(claim) => search.store.insert_or_lower(child, claim, |stored| {
            store::claimed(stored).is_some_and(|(at_depth, at)| at_depth == depth && at > position)
        }),
        None if search.store.insert(child, parent) => Insertion::New,
        None => Insertion::Kept,
    }
}

/// The next level's entries that one chunk of this level finds, handed on in parts of
/// at most [`CHUNK_STATES`].
struct Parts<S> {
    chunk: usize,
    part: usize,
    entries: Vec<Entry<S>>,
}

impl<S> Parts<S> {
    fn new(chunk: usize, capacity: usize) -> Self {
        Parts {
            chunk,
            part: 0,
            entries: Vec::with_capacity(capacity.min(CHUNK_STATES)),
        }
    }

    fn push(&mut self, entry: Entry<S>, out: &mut Vec<NextChunk<S>>) {
        if self.entries.len() == CHUNK_STATES {
            let full = std::mem::replace(&mut self.entries, Vec::with_capacity(CHUNK_STATES));
            out.push(((self.chunk, self.part), full));
            self.part += 1;
        }
        self.entries.push(entry);
    }

    fn finish(self, out: &mut Vec<NextChunk<S>>) {
        if !self.entries.is_empty() {
            out.push(((self.chunk, self.part), self.entries));
        }
    }
}
