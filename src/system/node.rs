//! The nodes of a protocol as values: a fieldless enum declared with [`nodes!`]
//! (crate::nodes), one variant per node, each with its name in traces and the faults it
//! may suffer. Handlers receive and address nodes by these values, the way stateright's
//! actors are values, not numeric ids.

use serde::Serialize;
use std::fmt::Debug;
use std::hash::Hash;

/// A protocol's node set. Declare it with [`nodes!`](crate::nodes); a hand-written
/// impl must list every value in `ALL` at the position `index` returns.
pub trait Node: Copy + Debug + Eq + Ord + Hash + Send + Sync + Serialize + 'static {
    /// Every node, in index order (the order of the declaration).
    const ALL: &'static [Self];
    /// The node's name in traces and charts (`lock`, `client_a`).
    fn name(self) -> &'static str;
    /// Its position in [`Node::ALL`].
    fn index(self) -> usize;
    /// Whether it may crash (when `max_crashes` allows crashes at all).
    fn may_crash(self) -> bool {
        true
    }
    /// Whether it may pause (when `bounded_pause` allows pauses at all).
    fn may_pause(self) -> bool {
        true
    }
    /// The node at `index`, if there is one.
    fn from_index(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }
}

/// Declares a protocol's nodes as a fieldless enum implementing [`Node`]: each
/// variant with its trace name and, in brackets, the faults it is spared (`stable`:
/// neither crashes nor pauses; `no_crash`; `no_pause`). Nodes serialize and print as
/// their names, and implement [`Rewrite`](crate::system::Rewrite) (a renaming of
/// interchangeable nodes, see [`Protocol::symmetry`](crate::system::Protocol::symmetry)).
///
/// ```
/// synccheck::nodes! {
///     /// The lock protocol's nodes.
///     pub enum LockNode {
///         /// The lock service: a fault-tolerant service, spared every fault.
///         Lock = "lock" [stable],
///         Storage = "storage" [stable],
///         ClientA = "client_a",
///         ClientB = "client_b" [no_crash],
///     }
/// }
/// use synccheck::system::Node;
/// assert_eq!(LockNode::ALL.len(), 4);
/// assert_eq!(LockNode::ClientA.name(), "client_a");
/// assert!(!LockNode::Lock.may_crash() && LockNode::ClientA.may_pause());
/// assert!(!LockNode::ClientB.may_crash() && LockNode::ClientB.may_pause());
/// ```
#[macro_export]
macro_rules! nodes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $text:literal $([$($flag:ident),* $(,)?])?
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $crate::system::Node for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            fn index(self) -> usize {
                self as usize
            }

            fn may_crash(self) -> bool {
                match self {
                    $($name::$variant => $crate::__node_may!(crash $($($flag)*)?),)+
                }
            }

            fn may_pause(self) -> bool {
                match self {
                    $($name::$variant => $crate::__node_may!(pause $($($flag)*)?),)+
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::system::Node::name(*self))
            }
        }

        impl $crate::system::Rewrite<$name> for $name {
            #[inline]
            fn rewrite(&self, renaming: &$crate::system::Renaming<$name>) -> Self {
                renaming.node(*self)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::system::Node::name(*self))
            }
        }
    };
}

/// Whether a node with these fault flags may crash / pause (an unknown flag does not
/// compile).
#[doc(hidden)]
#[macro_export]
macro_rules! __node_may {
    ($fault:ident) => {
        true
    };
    ($fault:ident stable $($rest:ident)*) => {
        false
    };
    (crash no_crash $($rest:ident)*) => {
        false
    };
    (pause no_pause $($rest:ident)*) => {
        false
    };
    ($fault:ident no_crash $($rest:ident)*) => {
        $crate::__node_may!($fault $($rest)*)
    };
    ($fault:ident no_pause $($rest:ident)*) => {
        $crate::__node_may!($fault $($rest)*)
    };
}
