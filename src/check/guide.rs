//! A guided breadth-first search: a lower bound on the steps from each state to any
//! state the search is after, and a bound beyond which it does not go.
//!
//! The BFS with a [`Guide`] stores and checks every state it generates as usual, but
//! puts on the next level only those whose depth plus [`Guide::lower`] is at most
//! [`Guide::bound`]. Where `lower` never overestimates (it is *admissible*: from a state
//! no decision of the search is nearer than `lower` says; `usize::MAX` where none can
//! be reached at all), every decision the guided search makes is at the depth where the
//! unguided BFS makes it: a decision at depth `g` is reached from a state expanded at
//! `g - 1`, so `g` is at most `bound + 1`; if the shortest run to it is at most `bound`
//! long, every state on that run has depth plus lower bound at most its length and is
//! expanded, and the BFS meets the decision at that depth first. So verdicts and path
//! lengths are those of the full search; the path may be another of that length.
//!
//! A guided search that ran out of states with some left unexpanded stops with
//! [`StopReason::DepthLimit`](super::StopReason::DepthLimit) (never `Complete`): it is
//! the caller's to raise the bound and search again ([`Guide::pruned`],
//! [`Guide::least_pruned`]) until the search decides everything or prunes nothing.
//! Only the BFS takes a guide; the DFS and the simulation drop it.

use stateright::Model;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A lower bound on the steps from a state to the nearest state that decides a property
/// still open (`usize::MAX`: none can be reached).
pub type LowerBound<S> = Arc<dyn Fn(&S) -> usize + Send + Sync>;

/// The guide of one BFS (see the module docs): the bound on depth plus lower bound, and
/// what it left unexpanded.
pub struct Guide<M: Model> {
    bound: usize,
    lower: LowerBound<M::State>,
    pruned: Arc<AtomicUsize>,
    least: Arc<AtomicUsize>,
}

impl<M: Model> Clone for Guide<M> {
    fn clone(&self) -> Self {
        Guide {
            bound: self.bound,
            lower: Arc::clone(&self.lower),
            pruned: Arc::clone(&self.pruned),
            least: Arc::clone(&self.least),
        }
    }
}

impl<M: Model> Guide<M> {
    /// A guide that expands the states whose depth plus `lower` is at most `bound`.
    pub fn new(bound: usize, lower: LowerBound<M::State>) -> Self {
        Guide {
            bound,
            lower,
            pruned: Arc::new(AtomicUsize::new(0)),
            least: Arc::new(AtomicUsize::new(usize::MAX)),
        }
    }

    /// The bound on depth plus lower bound.
    pub fn bound(&self) -> usize {
        self.bound
    }

    /// The lower bound at `state`.
    pub fn lower(&self, state: &M::State) -> usize {
        (self.lower)(state)
    }

    /// Whether a state at `depth` is to be expanded; one that is not is counted where
    /// `count` (once per state: its first discoverer's call).
    pub(crate) fn admits(&self, depth: usize, state: &M::State, count: bool) -> bool {
        let at_least = depth.saturating_add(self.lower(state));
        if at_least <= self.bound {
            return true;
        }
        if count {
            self.pruned.fetch_add(1, Ordering::Relaxed);
            self.least.fetch_min(at_least, Ordering::Relaxed);
        }
        false
    }

    /// How many states were left unexpanded.
    pub fn pruned(&self) -> usize {
        self.pruned.load(Ordering::Relaxed)
    }

    /// The least depth plus lower bound among the states left unexpanded, where that is
    /// finite: the least bound at which a search would expand one of them.
    pub fn least_pruned(&self) -> Option<usize> {
        Some(self.least.load(Ordering::Relaxed)).filter(|&least| least != usize::MAX)
    }
}
