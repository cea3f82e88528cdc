//! Independent jobs (bounded searches, whole checks) side by side on the check's
//! threads, their results in job order: the breaks a counterexample names confirmed
//! (`report/confirm.rs`), the fewest-breaks subsets tried until one settles it
//! (`report/fewest.rs`), the rows of an assumption ablation (`ablation.rs`). And
//! [`Crew`], one search's worker threads, started once and kept for its levels (the
//! BFS's, and so the class graph the class guide's distances are computed on). And
//! [`on_threads`], threads started for one call.
//!
//! Every thread the search engine's generic code starts (the BFS's levels, the DFS's
//! and the simulation's workers, jobs side by side, the bounds' probes) is started
//! here, by code that is not generic: that code is compiled once for each model (three
//! for each protocol) in every crate that declares a protocol, and a copy of `std`'s or
//! rayon's thread-starting code came with each of its own calls (13 % of the LLVM lines
//! of `tests/lean_state.rs`, then a crate of its own, seven protocols; BENCHMARKS.md,
//! "The test command's time"). Not here: the Explorer's server (stateright's, started by `registry::serve`)
//! and the CLI's own threads.

use crate::check::CheckOptions;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Runs `work(0)`, …, `work(threads - 1)`, each on a thread started for the call, and
/// returns once all are done; a panic in one goes on here (its own payload) once all
/// are done (work that waits for other workers must be told to stop when one panics,
/// as the DFS's are). Not generic: the engine's generic code (one copy for each model
/// it checks, in every crate that declares a protocol) calls it with a closure by
/// reference instead of carrying a copy of the thread-starting code of its own
/// (BENCHMARKS.md, "The test command's time"). Results go back through the closure
/// ([`on_threads_collect`]).
pub(crate) fn on_threads(threads: usize, work: &(dyn Fn(usize) + Sync)) {
    let panics: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|worker| scope.spawn(move || work(worker)))
            .collect();
        let joined = handles.into_iter().map(|handle| handle.join());
        joined.filter_map(Result::err).collect()
    });
    if let Some(panic) = panics.into_iter().next() {
        std::panic::resume_unwind(panic);
    }
}

/// [`on_threads`] for work that gives a result: `work(worker)`'s for each worker, in
/// worker order.
pub(crate) fn on_threads_collect<R: Send>(
    threads: usize,
    work: impl Fn(usize) -> R + Sync,
) -> Vec<R> {
    gathered(threads, work, |erased| on_threads(threads, erased))
}

/// What `work(worker)` gives for each of `workers`, in worker order, run by `run`,
/// which calls the closure it is given once for each worker (on threads of its own).
fn gathered<R: Send>(
    workers: usize,
    work: impl Fn(usize) -> R + Sync,
    run: impl FnOnce(&(dyn Fn(usize) + Sync)),
) -> Vec<R> {
    let slots: Vec<Mutex<Option<R>>> = (0..workers).map(|_| Mutex::new(None)).collect();
    run(&|worker| {
        let done = work(worker);
        *slots[worker].lock().unwrap_or_else(PoisonError::into_inner) = Some(done);
    });
    // Every slot is filled: a worker that did not fill its own panicked, and the panic
    // went on in `run`.
    let results: Vec<R> = (slots.into_iter())
        .filter_map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner))
        .collect();
    debug_assert_eq!(results.len(), workers, "one result per worker");
    results
}

/// Runs `job(0)`, …, `job(jobs - 1)`, independent searches, and returns their results
/// in that order. With several threads and several jobs they run side by side on
/// `min(threads, jobs)` workers, each search with an equal share of the threads: a
/// short bounded search gains little from threads of its own, so the check's threads
/// are better spent on several at once. Never more threads than `options.threads`.
pub(crate) fn side_by_side<T: Send>(
    jobs: usize,
    options: &CheckOptions,
    job: impl Fn(usize, &CheckOptions) -> T + Sync,
) -> Vec<T> {
    side_by_side_until(
        jobs,
        options,
        |index, share, _| job(index, share),
        |_| false,
    )
}

/// [`side_by_side`] for jobs that are tried in order until one settles the question:
/// the results of `job(0)`, …, `job(i)` in that order, where `i` is the first job
/// whose result is `decisive` (every job when none is). Workers take the jobs in
/// order and start none past a decisive one found so far, so every job before the
/// first decisive one runs, whichever finishes first. A job is handed a flag that is
/// set once a job before it is decisive (its result will be dropped): a search it runs
/// should stop then ([`Budget::stoppable`](crate::check::Budget::stoppable)). The
/// results are those the jobs give one by one, in order, stopping at the first
/// decisive one. A job that panics stops the others, and the panic goes on once they
/// are done.
pub(crate) fn side_by_side_until<T: Send>(
    jobs: usize,
    options: &CheckOptions,
    job: impl Fn(usize, &CheckOptions, &Arc<AtomicBool>) -> T + Sync,
    decisive: impl Fn(&T) -> bool + Sync,
) -> Vec<T> {
    let workers = options.threads.min(jobs);
    if workers <= 1 {
        let never = Arc::new(AtomicBool::new(false));
        let mut done = Vec::new();
        for index in 0..jobs {
            let result = job(index, options, &never);
            let stop = decisive(&result);
            done.push(result);
            if stop {
                break;
            }
        }
        return done;
    }
    let share = CheckOptions {
        threads: (options.threads / workers).max(1),
        ..options.clone()
    };
    let next = AtomicUsize::new(0);
    let running = Running::new(jobs);
    let mut done: Vec<(usize, T)> = on_threads_collect(workers, |_| {
        let mut mine = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::SeqCst);
            let Some(stop) = running.start(index) else {
                return mine;
            };
            let guard = StopAllOnPanic(&running);
            let result = job(index, &share, &stop);
            std::mem::forget(guard);
            running.finish(index, decisive(&result));
            mine.push((index, result));
        }
    })
    .into_iter()
    .flatten()
    .collect();
    let last = running.settled();
    done.retain(|(index, _)| *index <= last);
    done.sort_by_key(|(index, _)| *index);
    debug_assert!(done.iter().enumerate().all(|(at, (index, _))| at == *index));
    done.into_iter().map(|(_, result)| result).collect()
}

/// The jobs of [`side_by_side_until`] in flight: the smallest index of a decisive
/// result so far (the number of jobs while none) and each running job's stop flag,
/// under one lock, so a job starts only while it may still be needed and is told to
/// stop as soon as it is not.
struct Running {
    state: Mutex<Settled>,
    jobs: usize,
}

/// The state of a [`Running`].
struct Settled {
    /// The smallest index of a decisive result so far (the number of jobs while none).
    first_decisive: usize,
    /// The jobs running, with their stop flags.
    stops: Vec<(usize, Arc<AtomicBool>)>,
}

impl Running {
    fn new(jobs: usize) -> Self {
        Running {
            state: Mutex::new(Settled {
                first_decisive: jobs,
                stops: Vec::new(),
            }),
            jobs,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Settled> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stop flag of job `index`, now running; `None` when there is no such job or
    /// a job before it was decisive.
    fn start(&self, index: usize) -> Option<Arc<AtomicBool>> {
        let mut state = self.lock();
        if index >= self.jobs || index > state.first_decisive {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        state.stops.push((index, Arc::clone(&stop)));
        Some(stop)
    }

    /// Job `index` is done; when it was `decisive` and the first so far, the jobs
    /// after it are told to stop.
    fn finish(&self, index: usize, decisive: bool) {
        let mut state = self.lock();
        state.stops.retain(|(running, _)| *running != index);
        if decisive && index < state.first_decisive {
            state.first_decisive = index;
            for (running, stop) in &state.stops {
                if *running > index {
                    stop.store(true, Ordering::SeqCst);
                }
            }
        }
    }

    /// No job starts any more and every running one is told to stop.
    fn stop_all(&self) {
        let mut state = self.lock();
        state.first_decisive = 0;
        for (_, stop) in &state.stops {
            stop.store(true, Ordering::SeqCst);
        }
    }

    fn settled(&self) -> usize {
        self.lock().first_decisive
    }
}

/// Stops every job of a [`Running`] when dropped, which happens only when its job
/// panicked (on success it is forgotten).
struct StopAllOnPanic<'a>(&'a Running);

impl Drop for StopAllOnPanic<'_> {
    fn drop(&mut self) {
        self.0.stop_all();
    }
}

/// The workers of one search, kept to its end (a pool of `threads` threads, started
/// when the crew is made, which `check::Search::crew` does on first use; with
/// one thread, or where the system will not start them, none: the work runs on the
/// caller's thread, or on threads started for the call). Threads
/// started and ended for every level cost each level the allocator's clean-up of the
/// ended threads' heaps (BENCHMARKS.md, "Two threads: subsumption on the crew").
/// Dropping a crew tells its threads to end without waiting for them, so they may
/// outlive it for a moment (none has work left: every call waits for its own).
pub(crate) struct Crew {
    threads: usize,
    /// `None` with one thread, or where the system would not start the pool's threads:
    /// each call then starts its own.
    pool: Option<rayon::ThreadPool>,
}

impl Crew {
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let pool = if threads > 1 {
            let builder = rayon::ThreadPoolBuilder::new().num_threads(threads);
            let builder = builder.thread_name(|index| format!("synccheck-worker-{index}"));
            builder.build().ok()
        } else {
            None
        };
        Crew { threads, pool }
    }

    /// Runs `work` once on each of `workers` threads (at most the crew's; with one, on
    /// this thread) and returns what each gave. A panic in one goes on here once all
    /// are done. Not to be called from the crew's own threads: the caller would run its
    /// share there, not beside the others. With fewer workers than the crew's threads
    /// (no caller asks for that today) they are started for the call.
    pub fn each<R: Send>(&self, workers: usize, work: impl Fn() -> R + Sync) -> Vec<R> {
        let workers = workers.clamp(1, self.threads);
        if workers == 1 {
            return vec![work()];
        }
        gathered(workers, |_| work(), |erased| self.run_each(workers, erased))
    }

    /// [`Crew::each`]'s threads, not generic (as [`on_threads`] is): `work(worker)` for
    /// each of `workers` (at least two).
    fn run_each(&self, workers: usize, work: &(dyn Fn(usize) + Sync)) {
        match &self.pool {
            Some(pool) if workers == self.threads => {
                debug_assert!(pool.current_thread_index().is_none(), "not from the crew");
                pool.broadcast(|context| work(context.index()));
            }
            _ => on_threads(workers, work),
        }
    }

    /// `job(0)`, …, `job(jobs - 1)` on the crew's threads, each taking the next job as
    /// it finishes one; the results in job order.
    pub fn map<T: Send>(&self, jobs: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
        if self.threads == 1 || jobs <= 1 {
            return (0..jobs).map(job).collect();
        }
        let next = AtomicUsize::new(0);
        let mut done: Vec<(usize, T)> = self
            .each(self.threads, || {
                let mut mine = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= jobs {
                        return mine;
                    }
                    mine.push((index, job(index)));
                }
            })
            .into_iter()
            .flatten()
            .collect();
        done.sort_unstable_by_key(|(index, _)| *index);
        done.into_iter().map(|(_, result)| result).collect()
    }
}

#[cfg(test)]
mod tests {
    /// Independent searches run side by side come back in job order, on no more
    /// threads than asked, each with an equal share of them.
    #[test]
    fn side_by_side_keeps_the_job_order_and_the_thread_count() {
        use super::side_by_side;
        use crate::check::CheckOptions;
        use std::sync::atomic::{AtomicUsize, Ordering};
        for threads in 1..=4 {
            for jobs in 0..=5 {
                let running = AtomicUsize::new(0);
                let most = AtomicUsize::new(0);
                let options = CheckOptions {
                    threads,
                    ..CheckOptions::default()
                };
                // Where two may run at once, each job waits (up to 30 s) until two have.
                let want = match jobs {
                    0 => 0,
                    1 => 1,
                    _ => threads.min(2),
                };
                let found = side_by_side(jobs, &options, |index, share| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let waited = std::time::Instant::now();
                    while most.load(Ordering::SeqCst) < want
                        && waited.elapsed() < std::time::Duration::from_secs(30)
                    {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    running.fetch_sub(1, Ordering::SeqCst);
                    (index, share.threads)
                });
                let workers = threads.min(jobs).max(1);
                let share = if workers > 1 {
                    threads / workers
                } else {
                    threads
                };
                let expected: Vec<_> = (0..jobs).map(|index| (index, share)).collect();
                assert_eq!(found, expected, "{threads} threads, {jobs} jobs");
                let most = most.load(Ordering::SeqCst);
                assert!(most <= threads && most >= want, "{most} at once");
            }
        }
    }

    /// Jobs tried in order until one settles it: the results are those of the jobs
    /// up to the first decisive one, in order, whichever finishes first and however
    /// many threads run them; every job before it runs, none after it is kept. Here
    /// the early jobs are the slow ones, so with two workers a later decisive job
    /// finishes first and an earlier one must still be waited for.
    #[test]
    fn side_by_side_until_gives_the_jobs_up_to_the_first_decisive_one_in_order() {
        use super::side_by_side_until;
        use crate::check::CheckOptions;
        use std::sync::atomic::{AtomicUsize, Ordering};
        for threads in 1..=4 {
            for jobs in 0..=6 {
                for decisive_at in [vec![], vec![2], vec![1, 4], vec![0, 5], vec![3, 2]] {
                    let ran = AtomicUsize::new(0);
                    let options = CheckOptions {
                        threads,
                        ..CheckOptions::default()
                    };
                    let found = side_by_side_until(
                        jobs,
                        &options,
                        |index, _, _| {
                            ran.fetch_add(1, Ordering::SeqCst);
                            let slow = 3_u64.saturating_sub(index as u64);
                            std::thread::sleep(std::time::Duration::from_millis(5 * slow));
                            (index, decisive_at.contains(&index))
                        },
                        |(_, decisive)| *decisive,
                    );
                    let first = decisive_at
                        .iter()
                        .copied()
                        .filter(|index| *index < jobs)
                        .min();
                    let expected: Vec<_> = (0..first.map_or(jobs, |first| first + 1))
                        .map(|index| (index, decisive_at.contains(&index)))
                        .collect();
                    let case = format!("{threads} threads, {jobs} jobs, {decisive_at:?}");
                    assert_eq!(found, expected, "{case}");
                    let ran = ran.load(Ordering::SeqCst);
                    assert!(ran >= expected.len(), "{case}: {ran} ran");
                    if threads == 1 {
                        assert_eq!(ran, expected.len(), "{case}: one thread stops at once");
                    }
                }
            }
        }
    }

    /// A job running past the first decisive one is told to stop (its result would be
    /// dropped): the decisive job here waits until the second has started, then the
    /// second waits for its flag.
    #[test]
    fn a_job_past_the_first_decisive_one_is_told_to_stop() {
        use super::side_by_side_until;
        use crate::check::CheckOptions;
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::time::{Duration, Instant};
        let options = CheckOptions {
            threads: 2,
            ..CheckOptions::default()
        };
        let (second_started, second_stopped) = (AtomicBool::new(false), AtomicBool::new(false));
        let started = Instant::now();
        let within = |seconds| started.elapsed() < Duration::from_secs(seconds);
        let found = side_by_side_until(
            2,
            &options,
            |index, _, stop| {
                if index == 0 {
                    while !second_started.load(Ordering::SeqCst) && within(30) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    return (0, true);
                }
                second_started.store(true, Ordering::SeqCst);
                while !stop.load(Ordering::SeqCst) && within(30) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                second_stopped.store(stop.load(Ordering::SeqCst), Ordering::SeqCst);
                (1, false)
            },
            |(_, decisive)| *decisive,
        );
        assert_eq!(found, [(0, true)]);
        assert!(
            second_stopped.load(Ordering::SeqCst),
            "the second job was told to stop"
        );
        assert!(within(20), "it stopped when told, not at its own limit");
    }

    /// A crew's `each` runs its work on as many distinct threads as asked (one: the
    /// caller's), the same threads from call to call; `map` gives the jobs' results in
    /// job order.
    #[test]
    fn a_crew_runs_on_its_own_threads_and_keeps_the_job_order() {
        use super::Crew;
        use std::collections::HashSet;
        use std::thread::{current, ThreadId};
        for threads in 1..=4 {
            let crew = Crew::new(threads);
            let ids: Vec<ThreadId> = crew.each(threads, || current().id());
            assert_eq!(ids.len(), threads);
            let distinct: HashSet<ThreadId> = ids.iter().copied().collect();
            assert_eq!(distinct.len(), threads, "{threads} threads");
            if threads == 1 {
                assert_eq!(ids, [current().id()]);
            } else {
                assert!(!distinct.contains(&current().id()));
                let again: HashSet<ThreadId> =
                    crew.each(threads, || current().id()).into_iter().collect();
                assert_eq!(again, distinct, "the same threads for every call");
            }
            assert_eq!(crew.each(1, || current().id()), [current().id()]);
            for jobs in 0..=40 {
                let found = crew.map(jobs, |index| {
                    std::thread::sleep(std::time::Duration::from_micros((index % 3) as u64 * 200));
                    index * 10
                });
                let expected: Vec<usize> = (0..jobs).map(|index| index * 10).collect();
                assert_eq!(found, expected, "{threads} threads, {jobs} jobs");
            }
        }
    }
}
