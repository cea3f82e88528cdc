//! A two-node protocol several test files check: a sender sends one message on
//! start and the receiver records it (`eventually` received), or panics on it.

use synccheck::system::{Context, Property, Protocol};

/// A sender sends one message on start; the receiver records it, or, where `panics`,
/// panics on it (an `unwrap` on a state the designer thought impossible:
/// tests/suite/model_panics.rs).
#[derive(Clone, Debug, Default)]
pub struct OneMessage {
    pub panics: bool,
}

synccheck::nodes! {
    pub enum Node {
        Sender = "n0" [stable],
        Receiver = "n1" [stable],
    }
}

impl Protocol for OneMessage {
    type Node = Node;
    type State = bool;
    type Durable = ();
    type Msg = u8;
    type Timer = u8;
    type Ghost = ();
    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }
    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> bool {
        if node == Node::Sender {
            ctx.send(Node::Receiver, 7);
        }
        false
    }
    fn on_message(&self, _: Node, state: &mut bool, _: Node, msg: &u8, _: &mut Context<'_, Self>) {
        assert!(!self.panics, "the receiver cannot take message {msg}");
        *state = true;
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::eventually("received", |_, s| {
            s.node_state(Node::Receiver) == Some(&true)
        })]
    }
    // Here it changes nothing (this crate checks it and nothing else does); it shows
    // that the macro expands in a crate other than synccheck's.
    synccheck::compiled_here!();
}
