//! Paths through a model, rebuilt from the store's parent chain.

use super::store::{fingerprint, storable, Store, NO_PARENT};
use stateright::Model;
use std::hash::Hash;

/// A run: `states[0]` is initial, `actions[i]` leads from `states[i]` to `states[i + 1]`.
pub struct Path<M: Model> {
    /// The states, first to last.
    pub states: Vec<M::State>,
    /// The actions between them (one fewer than states).
    pub actions: Vec<M::Action>,
}

impl<M: Model> Clone for Path<M>
where
    M::State: Clone,
    M::Action: Clone + Send + Sync,
{
    fn clone(&self) -> Self {
        Path {
            states: self.states.clone(),
            actions: self.actions.clone(),
        }
    }
}

impl<M: Model> std::fmt::Debug for Path<M>
where
    M::State: std::fmt::Debug,
    M::Action: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Path")
            .field("states", &self.states)
            .field("actions", &self.actions)
            .finish()
    }
}

impl<M: Model> Path<M> {
    /// The number of steps (actions).
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether the path is a lone initial state.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The last state.
    pub fn last_state(&self) -> &M::State {
        self.states
            .last()
            .expect("a path holds at least its initial state")
    }
}

/// Rebuilds the path to `target` by following parents back to an initial state, then
/// replaying the model forward to recover states and actions. Under symmetry the
/// stored fingerprints are those of representatives: each step takes the first
/// successor (in action order) whose representative has the wanted fingerprint, so the
/// path is a concrete run of the model. `None` when no successor has it: under a
/// symmetry the model's steps do not respect (renamed states with different
/// successors), never otherwise.
pub(crate) fn rebuild<M>(
    model: &M,
    store: &Store,
    canonical: Option<super::Canonicalize<M>>,
    target: u64,
) -> Option<Path<M>>
where
    M: Model,
    M::State: Hash + Clone,
    M::Action: Clone + Send + Sync,
{
    let mut chain = vec![target];
    let mut cursor = target;
    while let Some(parent) = store.parent(cursor) {
        if parent == NO_PARENT {
            break;
        }
        chain.push(parent);
        cursor = parent;
        assert!(chain.len() <= store.len() + 1, "parent chain has a cycle");
    }
    chain.reverse();
    let key = |state: &M::State| match canonical {
        Some(canonical) => storable(canonical(model, state.clone()).1),
        None => fingerprint(state),
    };
    let first = model
        .init_states()
        .into_iter()
        .find(|s| key(s) == chain[0])?;
    let mut path: Path<M> = Path {
        states: vec![first],
        actions: Vec::new(),
    };
    for wanted in &chain[1..] {
        let last: M::State = path.last_state().clone();
        let mut actions = Vec::new();
        model.actions(&last, &mut actions);
        let (action, next) = actions.into_iter().find_map(|action| {
            let next = model.next_state(&last, action.clone())?;
            (key(&next) == *wanted).then_some((action, next))
        })?;
        path.actions.push(action);
        path.states.push(next);
    }
    Some(path)
}
