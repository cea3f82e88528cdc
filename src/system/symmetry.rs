//! Symmetry for timed protocols: groups of interchangeable nodes, and the [`Rewrite`]
//! trait that renames node values inside a protocol's data.
//!
//! A protocol whose nodes include interchangeable ones (two clients, three replicas)
//! declares them in [`Protocol::symmetry`]; the check then stores one state per class
//! of states that differ only by a renaming of the nodes within each group (node
//! records moved, message senders and receivers, timers, protocol state, durable
//! state and the observer state renamed). Every node value inside the protocol's
//! types must be renamed too, so each of them implements [`Rewrite`]: the
//! [`rewrite!`](crate::rewrite) macro writes the impl for structs and enums whose
//! fields all implement it, and std types, integers and the [`nodes!`](crate::nodes)
//! enum come with theirs.
//!
//! **Soundness.** Nodes in one group must be interchangeable: handlers treat them
//! alike (nothing branches on *which* client, only on its role), they share their
//! fault flags, and every property (and metric) has the same value on a state and on
//! any renaming of it. The engine checks what it cheaply can: the fault flags and the
//! initial state when the system is built (`SystemError::Asymmetric`), each property on
//! every state the search stores against the renaming it stored instead (a model
//! fault, exit 2, naming the property), and the handlers on the first states of the
//! check (`TimedSystem::audit_symmetry`: a state and each swap of two of a group's nodes
//! must step to the same classes; an error naming a step otherwise). `--no-symmetry`
//! checks the full space.

use super::node::Node;
use super::protocol::Protocol;
use super::state::{Envelope, NodeRecord, Shared, SystemState, TimerEntry};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::marker::PhantomData;

/// The most node renamings one protocol's groups may generate (the product of the
/// groups' factorials): each stored state is compared with every renaming of it.
pub const RENAMINGS_MAX: usize = 720;

/// A renaming of a protocol's nodes: a permutation that maps each node of a symmetry
/// group to a node of the same group and every other node to itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Renaming<N> {
    images: [u8; super::engine::NODES_MAX],
    marker: PhantomData<fn() -> N>,
}

impl<N: Node> Renaming<N> {
    /// The renaming that changes nothing.
    pub fn identity() -> Self {
        let mut images = [0u8; super::engine::NODES_MAX];
        for (index, image) in images.iter_mut().enumerate() {
            *image = u8::try_from(index).expect("NODES_MAX fits a byte");
        }
        Renaming {
            images,
            marker: PhantomData,
        }
    }

    /// The node `node` is renamed to.
    pub fn node(&self, node: N) -> N {
        N::ALL[self.index(node.index())]
    }

    /// The engine index node `index` is renamed to.
    pub(crate) fn index(&self, index: usize) -> usize {
        usize::from(self.images[index])
    }

    /// The renaming that undoes this one: `inverse().index(index(n)) == n`.
    pub(crate) fn inverse(&self) -> Self {
        let mut inverse = *self;
        for (index, image) in self.images.iter().enumerate() {
            inverse.images[usize::from(*image)] =
                u8::try_from(index).expect("NODES_MAX fits a byte");
        }
        inverse
    }

    /// Whether this renaming changes nothing.
    pub fn is_identity(&self) -> bool {
        *self == Self::identity()
    }

    /// `node ↦ image` written as `a→b, b→a` over the nodes it moves.
    pub fn describe(&self) -> String {
        N::ALL
            .iter()
            .filter(|node| self.node(**node) != **node)
            .map(|node| format!("{}→{}", node.name(), self.node(*node).name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl<N: Node> std::fmt::Debug for Renaming<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Renaming({})", self.describe())
    }
}

/// A value with node names inside it that a [`Renaming`] renames: the node values a
/// protocol's messages, timers, states and observer state hold (a lock's holder, a
/// queue of waiting clients, a map keyed by replica). Types without node values
/// return a copy of themselves.
///
/// Write it with [`rewrite!`](crate::rewrite) around the type's definition; the impl
/// for the protocol's node enum comes from [`nodes!`](crate::nodes).
pub trait Rewrite<N: Node> {
    /// `self` with every node value `n` inside it replaced by `renaming.node(n)`.
    #[must_use]
    fn rewrite(&self, renaming: &Renaming<N>) -> Self;
}

macro_rules! rewrite_as_copy {
    ($($type:ty),* $(,)?) => {
        $(
            impl<N: Node> Rewrite<N> for $type {
                #[inline]
                fn rewrite(&self, _: &Renaming<N>) -> Self {
                    self.clone()
                }
            }
        )*
    };
}

rewrite_as_copy!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    String,
    &'static str,
    std::time::Duration,
);

impl<N: Node, T: Rewrite<N>> Rewrite<N> for Option<T> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        self.as_ref().map(|value| value.rewrite(renaming))
    }
}

impl<N: Node, T: Rewrite<N>, E: Rewrite<N>> Rewrite<N> for Result<T, E> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        match self {
            Ok(value) => Ok(value.rewrite(renaming)),
            Err(error) => Err(error.rewrite(renaming)),
        }
    }
}

impl<N: Node, T: Rewrite<N>> Rewrite<N> for Box<T> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        Box::new(self.as_ref().rewrite(renaming))
    }
}

impl<N: Node, T: Rewrite<N>> Rewrite<N> for std::sync::Arc<T> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        std::sync::Arc::new(self.as_ref().rewrite(renaming))
    }
}

/// Order is kept: a renamed queue of waiting clients is the same queue, renamed.
impl<N: Node, T: Rewrite<N>> Rewrite<N> for Vec<T> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        self.iter().map(|value| value.rewrite(renaming)).collect()
    }
}

impl<N: Node, T: Rewrite<N>> Rewrite<N> for VecDeque<T> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        self.iter().map(|value| value.rewrite(renaming)).collect()
    }
}

/// Keys are renamed too (the map is rebuilt in the renamed keys' order).
impl<N: Node, K: Rewrite<N> + Ord, V: Rewrite<N>> Rewrite<N> for BTreeMap<K, V> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        self.iter()
            .map(|(key, value)| (key.rewrite(renaming), value.rewrite(renaming)))
            .collect()
    }
}

impl<N: Node, T: Rewrite<N> + Ord> Rewrite<N> for BTreeSet<T> {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        self.iter().map(|value| value.rewrite(renaming)).collect()
    }
}

/// Position by position: an array indexed by node index is *not* reordered (store
/// per-node data in a map keyed by node, or as a field of the node's own state).
impl<N: Node, T: Rewrite<N>, const LENGTH: usize> Rewrite<N> for [T; LENGTH] {
    fn rewrite(&self, renaming: &Renaming<N>) -> Self {
        self.each_ref().map(|value| value.rewrite(renaming))
    }
}

macro_rules! rewrite_tuple {
    ($($name:ident),+) => {
        impl<N: Node, $($name: Rewrite<N>),+> Rewrite<N> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn rewrite(&self, renaming: &Renaming<N>) -> Self {
                let ($($name,)+) = self;
                ($($name.rewrite(renaming),)+)
            }
        }
    };
}

rewrite_tuple!(A);
rewrite_tuple!(A, B);
rewrite_tuple!(A, B, C);
rewrite_tuple!(A, B, C, D);
rewrite_tuple!(A, B, C, D, E);
rewrite_tuple!(A, B, C, D, E, F);

/// Defines structs and enums and implements [`Rewrite`] for each: every field is
/// renamed with its own `Rewrite` impl (so every field's type must have one). Wrap the
/// definitions, derives and docs included; generic types are not supported (write
/// the impl by hand).
///
/// ```
/// synccheck::nodes! {
///     pub enum Node { Lock = "lock", ClientA = "client_a", ClientB = "client_b" }
/// }
/// synccheck::rewrite! {
///     Node;
///     /// The lock's state.
///     #[derive(Clone, Debug, PartialEq, Eq, Hash)]
///     pub struct LockState {
///         pub holder: Option<Node>,
///         pub waiting: Vec<Node>,
///     }
///     #[derive(Clone, Debug, PartialEq, Eq, Hash)]
///     pub enum Msg {
///         Acquire,
///         Grant { token: u8 },
///         Forward(Node, u8),
///     }
/// }
/// use synccheck::system::{Renaming, Rewrite};
/// let swap = Renaming::swapping(Node::ClientA, Node::ClientB);
/// let state = LockState { holder: Some(Node::ClientA), waiting: vec![Node::ClientB] };
/// assert_eq!(
///     state.rewrite(&swap),
///     LockState { holder: Some(Node::ClientB), waiting: vec![Node::ClientA] }
/// );
/// assert_eq!(Msg::Forward(Node::Lock, 1).rewrite(&swap), Msg::Forward(Node::Lock, 1));
/// ```
#[macro_export]
macro_rules! rewrite {
    ($node:ty; $($items:tt)*) => {
        $crate::__rewrite_items!($node; $($items)*);
    };
}

/// One item of [`rewrite!`] at a time.
#[doc(hidden)]
#[macro_export]
macro_rules! __rewrite_items {
    ($node:ty;) => {};
    (
        $node:ty;
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident : $field_type:ty),* $(,)?
        }
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $field_type,)*
        }
        impl $crate::system::Rewrite<$node> for $name {
            fn rewrite(&self, renaming: &$crate::system::Renaming<$node>) -> Self {
                $name {
                    $($field: $crate::system::Rewrite::rewrite(&self.$field, renaming),)*
                }
            }
        }
        $crate::__rewrite_items!($node; $($rest)*);
    };
    (
        $node:ty;
        $(#[$meta:meta])*
        $vis:vis struct $name:ident;
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        $vis struct $name;
        impl $crate::system::Rewrite<$node> for $name {
            fn rewrite(&self, _: &$crate::system::Renaming<$node>) -> Self {
                $name
            }
        }
        $crate::__rewrite_items!($node; $($rest)*);
    };
    (
        $node:ty;
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident
                $({ $($(#[$field_meta:meta])* $field:ident : $field_type:ty),* $(,)? })?
                $(( $($(#[$tuple_meta:meta])* $tuple_type:ty),* $(,)? ))?
                $(= $discriminant:expr)?
            ),* $(,)?
        }
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant
                $({ $($(#[$field_meta])* $field: $field_type,)* })?
                $(( $($(#[$tuple_meta])* $tuple_type,)* ))?
                $(= $discriminant)?,
            )*
        }
        impl $crate::system::Rewrite<$node> for $name {
            #[allow(unreachable_code, unused_variables)]
            fn rewrite(&self, renaming: &$crate::system::Renaming<$node>) -> Self {
                $(
                    if let ::std::option::Option::Some(renamed) = $crate::__rewrite_variant!(
                        self, renaming, $name::$variant
                        $({ $($field),* })?
                        $(( $($tuple_type),* ))?
                    ) {
                        return renamed;
                    }
                )*
                unreachable!("every variant is matched above")
            }
        }
        $crate::__rewrite_items!($node; $($rest)*);
    };
}

/// `Some(renamed)` when `value` is the variant `path` (unit, braced or tuple).
#[doc(hidden)]
#[macro_export]
macro_rules! __rewrite_variant {
    ($value:expr, $renaming:expr, $enum:ident :: $variant:ident) => {
        match $value {
            $enum::$variant => ::std::option::Option::Some($enum::$variant),
            #[allow(unreachable_patterns)]
            _ => ::std::option::Option::None,
        }
    };
    ($value:expr, $renaming:expr, $enum:ident :: $variant:ident { $($field:ident),* }) => {
        match $value {
            $enum::$variant { $($field),* } => ::std::option::Option::Some($enum::$variant {
                $($field: $crate::system::Rewrite::rewrite($field, $renaming)),*
            }),
            #[allow(unreachable_patterns)]
            _ => ::std::option::Option::None,
        }
    };
    ($value:expr, $renaming:expr, $enum:ident :: $variant:ident ( $($type:ty),* )) => {
        $crate::__rewrite_tuple!(
            $value, $renaming, $enum::$variant, [$($type),*], [],
            [field0 field1 field2 field3 field4 field5 field6 field7]
        )
    };
}

/// Names the fields of a tuple variant (at most eight), then renames them.
#[doc(hidden)]
#[macro_export]
macro_rules! __rewrite_tuple {
    ($value:expr, $renaming:expr, $enum:ident :: $variant:ident, [], [$($bound:ident)*], [$($spare:ident)*]) => {
        match $value {
            $enum::$variant($($bound),*) => ::std::option::Option::Some($enum::$variant(
                $($crate::system::Rewrite::rewrite($bound, $renaming)),*
            )),
            #[allow(unreachable_patterns)]
            _ => ::std::option::Option::None,
        }
    };
    (
        $value:expr, $renaming:expr, $enum:ident :: $variant:ident,
        [$head:ty $(, $tail:ty)*], [$($bound:ident)*], [$next:ident $($spare:ident)*]
    ) => {
        $crate::__rewrite_tuple!(
            $value, $renaming, $enum::$variant, [$($tail),*], [$($bound)* $next], [$($spare)*]
        )
    };
}

/// The interchangeable nodes a protocol declares ([`Protocol::symmetry`]): groups of
/// nodes any renaming within which maps a behaviour of the protocol to a behaviour,
/// and a state to a state with the same property values.
pub struct Symmetry<P: Protocol> {
    groups: Vec<Vec<P::Node>>,
    rename: Option<Renamer<P>>,
}

/// How to rename each part of a system state: monomorphised where the protocol's types
/// are known to implement [`Rewrite`] ([`Symmetry::groups`]), so that the engine can
/// rename one node record or one message without asking for the bounds itself. The
/// order of the network and of each node's timers is left as it was (the engine puts
/// them back in its canonical order).
pub(crate) struct Renamer<P: Protocol> {
    state: fn(&P::State, &Renaming<P::Node>) -> P::State,
    durable: fn(&P::Durable, &Renaming<P::Node>) -> P::Durable,
    message: fn(&P::Msg, &Renaming<P::Node>) -> P::Msg,
    timer: fn(&P::Timer, &Renaming<P::Node>) -> P::Timer,
    ghost: fn(&P::Ghost, &Renaming<P::Node>) -> P::Ghost,
}

impl<P: Protocol> Clone for Renamer<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Protocol> Copy for Renamer<P> {}

impl<P: Protocol> Renamer<P> {
    fn of() -> Self
    where
        P::State: Rewrite<P::Node>,
        P::Durable: Rewrite<P::Node>,
        P::Msg: Rewrite<P::Node>,
        P::Timer: Rewrite<P::Node>,
        P::Ghost: Rewrite<P::Node>,
    {
        Renamer {
            state: <P::State as Rewrite<P::Node>>::rewrite,
            durable: <P::Durable as Rewrite<P::Node>>::rewrite,
            message: <P::Msg as Rewrite<P::Node>>::rewrite,
            timer: <P::Timer as Rewrite<P::Node>>::rewrite,
            ghost: <P::Ghost as Rewrite<P::Node>>::rewrite,
        }
    }

    /// One node's record with every node value inside it renamed (its timers in the
    /// order they were).
    pub(crate) fn record(
        &self,
        record: &NodeRecord<P>,
        renaming: &Renaming<P::Node>,
    ) -> NodeRecord<P> {
        NodeRecord {
            status: record.status,
            state: record
                .state
                .as_ref()
                .map(|state| (self.state)(state, renaming)),
            durable: (self.durable)(&record.durable, renaming),
            unsynced: record
                .unsynced
                .as_ref()
                .map(|durable| (self.durable)(durable, renaming)),
            awaits_sync: record.awaits_sync,
            timers: record
                .timers
                .iter()
                .map(|entry| TimerEntry {
                    timer: (self.timer)(&entry.timer, renaming),
                    remaining_ticks: entry.remaining_ticks,
                    window_ticks: entry.window_ticks,
                })
                .collect(),
            clock_offset_ticks: record.clock_offset_ticks,
        }
    }

    /// The network with message endpoints and every node value inside messages
    /// renamed (in the order it was).
    pub(crate) fn network(
        &self,
        network: &[Envelope<P::Msg>],
        renaming: &Renaming<P::Node>,
    ) -> Vec<Envelope<P::Msg>> {
        network
            .iter()
            .map(|envelope| Envelope {
                src: renaming.index(envelope.src),
                dst: renaming.index(envelope.dst),
                age_ticks: envelope.age_ticks,
                msg: (self.message)(&envelope.msg, renaming),
            })
            .collect()
    }

    /// The observer state with every node value inside it renamed.
    pub(crate) fn ghost(&self, ghost: &P::Ghost, renaming: &Renaming<P::Node>) -> P::Ghost {
        (self.ghost)(ghost, renaming)
    }

    /// The state with every node renamed: node records moved to their new positions
    /// (each with its timers sorted; one that renames to itself still shared with
    /// `state`), message endpoints and every node value inside protocol data renamed.
    /// The network still needs its canonical order.
    pub(crate) fn state(
        &self,
        state: &SystemState<P>,
        renaming: &Renaming<P::Node>,
    ) -> SystemState<P> {
        let inverse = renaming.inverse();
        SystemState {
            nodes: (0..state.nodes.len())
                .map(|position| {
                    let source = &state.nodes[inverse.index(position)];
                    let mut record = self.record(source, renaming);
                    record.timers.sort();
                    if record == **source {
                        source.clone()
                    } else {
                        Shared::new(record)
                    }
                })
                .collect(),
            network: self.network(&state.network, renaming),
            ghost: Shared::new(self.ghost(&state.ghost, renaming)),
            crashes: state.crashes,
        }
    }
}

impl<P: Protocol> Clone for Symmetry<P> {
    fn clone(&self) -> Self {
        Symmetry {
            groups: self.groups.clone(),
            rename: self.rename,
        }
    }
}

impl<P: Protocol> std::fmt::Debug for Symmetry<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Symmetry")
            .field("groups", &self.groups)
            .finish()
    }
}

impl<P: Protocol> Symmetry<P> {
    /// No interchangeable nodes (the default): the full space is checked.
    pub fn none() -> Self {
        Symmetry {
            groups: Vec::new(),
            rename: None,
        }
    }

    /// These groups of interchangeable nodes: `Symmetry::groups(&[&[Node::ClientA,
    /// Node::ClientB]])`. Every type of the protocol must implement [`Rewrite`].
    pub fn groups(groups: &[&[P::Node]]) -> Self
    where
        P::State: Rewrite<P::Node>,
        P::Durable: Rewrite<P::Node>,
        P::Msg: Rewrite<P::Node>,
        P::Timer: Rewrite<P::Node>,
        P::Ghost: Rewrite<P::Node>,
    {
        Symmetry {
            groups: groups.iter().map(|group| group.to_vec()).collect(),
            rename: Some(Renamer::of()),
        }
    }

    /// The declared groups.
    pub fn declared(&self) -> &[Vec<P::Node>] {
        &self.groups
    }

    /// Whether any node is interchangeable with another.
    pub fn is_declared(&self) -> bool {
        self.rename.is_some() && self.groups.iter().any(|group| group.len() > 1)
    }

    pub(crate) fn renamer(&self) -> Option<Renamer<P>> {
        self.rename
    }
}

impl<N: Node> Renaming<N> {
    /// The renaming that swaps `a` and `b`.
    pub fn swapping(a: N, b: N) -> Self {
        let mut renaming = Self::identity();
        renaming.images.swap(a.index(), b.index());
        renaming
    }

    /// Every renaming that permutes each group within itself (the identity first), or
    /// an error naming what is wrong with the groups.
    pub(crate) fn within_groups(groups: &[Vec<N>]) -> Result<Vec<Self>, String> {
        let mut seen = BTreeSet::new();
        for group in groups {
            for node in group {
                if !seen.insert(*node) {
                    return Err(format!(
                        "node `{}` is listed twice in the symmetry groups",
                        node.name()
                    ));
                }
                let first = group[0];
                if node.may_crash() != first.may_crash() || node.may_pause() != first.may_pause() {
                    return Err(format!(
                        "symmetry group [{}]: `{}` and `{}` have different fault flags, so \
                         they are not interchangeable",
                        names(group),
                        first.name(),
                        node.name()
                    ));
                }
            }
        }
        let mut renamings = vec![Self::identity()];
        for group in groups.iter().filter(|group| group.len() > 1) {
            let orders = permutations(group.len());
            if renamings.len().saturating_mul(orders.len()) > RENAMINGS_MAX {
                return Err(format!(
                    "the symmetry groups generate more than {RENAMINGS_MAX} renamings; \
                     declare smaller groups"
                ));
            }
            let mut extended = Vec::with_capacity(renamings.len() * orders.len());
            for base in &renamings {
                for order in &orders {
                    let mut renaming = *base;
                    for (from, to) in group.iter().zip(order) {
                        renaming.images[from.index()] =
                            u8::try_from(group[*to].index()).expect("NODES_MAX fits a byte");
                    }
                    extended.push(renaming);
                }
            }
            renamings = extended;
        }
        debug_assert!(renamings[0].is_identity(), "the identity comes first");
        Ok(renamings)
    }
}

fn names<N: Node>(group: &[N]) -> String {
    group
        .iter()
        .map(|node| node.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every ordering of `0..length`, the identity first.
fn permutations(length: usize) -> Vec<Vec<usize>> {
    if length <= 1 {
        return vec![(0..length).collect()];
    }
    let mut out = Vec::new();
    for shorter in permutations(length - 1) {
        for position in (0..length).rev() {
            let mut order = shorter.clone();
            order.insert(position, length - 1);
            out.push(order);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::nodes! {
        enum TestNode { Hub = "hub" [stable], A = "a", B = "b", C = "c", Odd = "odd" [no_crash] }
    }

    #[test]
    fn permutations_are_all_distinct_orderings_identity_first() {
        for length in 0..=5 {
            let orders = permutations(length);
            let expected: usize = (1..=length).product();
            assert_eq!(orders.len(), expected, "length {length}");
            assert_eq!(orders[0], (0..length).collect::<Vec<_>>());
            let distinct: BTreeSet<_> = orders.iter().cloned().collect();
            assert_eq!(distinct.len(), expected);
        }
    }

    #[test]
    fn renamings_permute_within_groups_only() {
        let groups = vec![vec![TestNode::A, TestNode::B, TestNode::C]];
        let renamings = Renaming::within_groups(&groups).expect("valid groups");
        assert_eq!(renamings.len(), 6);
        assert!(renamings[0].is_identity());
        for renaming in &renamings {
            assert_eq!(renaming.node(TestNode::Hub), TestNode::Hub);
            assert_eq!(renaming.node(TestNode::Odd), TestNode::Odd);
        }
        let images: BTreeSet<_> = renamings.iter().map(|r| r.node(TestNode::A)).collect();
        assert_eq!(images.len(), 3);
    }

    #[test]
    fn bad_groups_are_refused_with_the_reason() {
        let twice = vec![
            vec![TestNode::A, TestNode::B],
            vec![TestNode::B, TestNode::C],
        ];
        let error = Renaming::within_groups(&twice).expect_err("B twice");
        assert!(error.contains("`b` is listed twice"), "{error}");
        let flags = vec![vec![TestNode::A, TestNode::Odd]];
        let error = Renaming::within_groups(&flags).expect_err("fault flags differ");
        assert!(error.contains("different fault flags"), "{error}");
    }

    #[test]
    fn std_types_rename_keys_values_and_keep_order() {
        let swap = Renaming::swapping(TestNode::A, TestNode::B);
        assert_eq!(swap.describe(), "a→b, b→a");
        let map: BTreeMap<TestNode, Vec<TestNode>> =
            [(TestNode::A, vec![TestNode::B, TestNode::Hub])].into();
        let renamed = map.rewrite(&swap);
        assert_eq!(
            renamed.get(&TestNode::B),
            Some(&vec![TestNode::A, TestNode::Hub])
        );
        assert_eq!(renamed.len(), 1);
        let tuple = (TestNode::A, 3u8, Some(TestNode::C), [TestNode::B; 2]);
        assert_eq!(
            tuple.rewrite(&swap),
            (TestNode::B, 3u8, Some(TestNode::C), [TestNode::A; 2])
        );
        let set: BTreeSet<TestNode> = [TestNode::A, TestNode::C].into();
        assert_eq!(set.rewrite(&swap), [TestNode::B, TestNode::C].into());
    }
}
