//! A two-node protocol several test files check: a sender sends one message on
//! start and the receiver records it (`eventually` received), or panics on it; it may
//! read its clock offset, and a property may read the clocks' offsets
//! (tests/suite/clock_reads.rs).

use synccheck::system::{Assumption, Context, LeansOn, Property, Protocol};

/// A sender sends one message on start; the receiver records it, or, where `panics`,
/// panics on it (an `unwrap` on a state the designer thought impossible:
/// tests/suite/model_panics.rs).
#[derive(Clone, Debug, Default)]
pub struct OneMessage {
    pub panics: bool,
    /// The receiver reads its clock offset (`Context::clock_offset_ticks`).
    pub reads_clock: bool,
    /// A property `clocks_agree` reads the nodes' clock offsets.
    pub clock_property: bool,
    /// It declares that it leans on seven assumptions (more than `synccheck
    /// assumptions` enumerates every subset of: tests/suite/ablation_graph.rs).
    pub leans_on_seven: bool,
}

/// Seven assumptions, each with the model's reason.
const SEVEN: [LeansOn; 7] = [
    Assumption::BoundedDelay.because("a late message is no different here"),
    Assumption::BoundedSkew.because("no clock matters here"),
    Assumption::BoundedPause.because("no node pauses here"),
    Assumption::TimelyTimers.because("no timer is set here"),
    Assumption::ReliableLinks.because("a lost message is never received"),
    Assumption::NoDuplication.because("a second copy changes nothing here"),
    Assumption::DurableWrites.because("nothing is written here"),
];

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
    fn leans_on(&self) -> Vec<LeansOn> {
        if self.leans_on_seven {
            SEVEN.to_vec()
        } else {
            Vec::new()
        }
    }
    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> bool {
        if node == Node::Sender {
            ctx.send(Node::Receiver, 7);
        }
        false
    }
    fn on_message(
        &self,
        _: Node,
        state: &mut bool,
        _: Node,
        msg: &u8,
        ctx: &mut Context<'_, Self>,
    ) {
        assert!(!self.panics, "the receiver cannot take message {msg}");
        // A clock far ahead would see the message as stale (never, here: an offset
        // read is within the held skew bound, at most a few ticks).
        *state = !self.reads_clock || ctx.clock_offset_ticks() < 100;
    }
    fn properties(&self) -> Vec<Property<Self>> {
        let mut properties = vec![Property::eventually("received", |_, s| {
            s.node_state(Node::Receiver) == Some(&true)
        })];
        if self.clock_property {
            properties.push(Property::always("clocks_agree", |_, s| {
                s.nodes
                    .iter()
                    .all(|record| record.clock_offset_ticks == s.nodes[0].clock_offset_ticks)
            }));
        }
        properties
    }
    // Here it changes nothing (this crate checks it and nothing else does); it shows
    // that the macro expands in a crate other than synccheck's.
    synccheck::compiled_here!();
}

/// `synccheck assumptions` on `one_message` (registered with its `Declared` impl in
/// tests/suite/model_panics.rs) with the switches `on` on, over `base`.
pub fn ablate(
    on: &[&str],
    base: &synccheck::request::AssumptionChanges,
) -> Result<synccheck::ablation::Ablation, synccheck::request::RequestError> {
    let params = on
        .iter()
        .map(|switch| (switch.to_string(), "on".to_string()))
        .collect();
    synccheck::ablation::ablate(
        &synccheck::registry![OneMessage],
        "one_message",
        &params,
        base,
        false,
        &synccheck::check::CheckOptions::default(),
    )
}
