//! Messages a node ignores for ever, dropped (`Protocol::DROPS_IGNORED`,
//! `Protocol::ignores`): the same verdicts as with every message kept, fewer states,
//! counterexamples that replay; and the audit turns each way of breaking the contract
//! into an error naming it.

use synccheck::system::{AssumptionSet, Context, Property, Protocol, SystemError, SystemState};

synccheck::nodes! {
    enum Node {
        Client = "client",
        Server = "server" [stable],
    }
}

/// Requests the client makes, one after the other.
const LAST: u8 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
enum Msg {
    Req(u8),
    Ack(u8),
    /// Sent by the server at start; the client takes note of it once it is done.
    Note,
}

/// What `ignores` claims.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Claim {
    /// Nothing: every message kept.
    Nothing,
    /// The truth: an `Ack` of a request already acknowledged, a `Note` already taken.
    Honest,
    /// Also the `Ack` the client waits for, which it acts on.
    ActedOn,
    /// Also a `Note` while the client is not done: a no-op now, taken later.
    WantedLater,
}

/// A client that sends `Req(0)`, `Req(1)` in turn, each retried once on a timer if its
/// `Ack` is late: retries and duplicates leave stale `Ack`s in flight.
#[derive(Clone, Debug)]
struct Retrier {
    claim: Claim,
    /// Add `stale_ack_in_flight`, a property that reads ignored messages.
    reads_stale: bool,
}

/// The client's next request, whether it took the server's note, and whether it
/// retried the request; the server's is unused.
type State = (u8, bool, bool);

impl Retrier {
    fn request(next: u8, ctx: &mut Context<'_, Self>) {
        ctx.send(Node::Server, Msg::Req(next));
        ctx.set_timer((), 2);
    }
}

impl Protocol for Retrier {
    type Node = Node;
    type State = State;
    type Durable = ();
    type Msg = Msg;
    type Timer = ();
    type Ghost = ();

    const LEAN_STATE: bool = true;
    const DROPS_IGNORED: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        2
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> State {
        match node {
            Node::Client => Self::request(0, ctx),
            Node::Server => ctx.send(Node::Client, Msg::Note),
        }
        (0, false, false)
    }

    fn on_message(
        &self,
        node: Node,
        state: &mut State,
        _from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match (node, *msg) {
            (Node::Server, Msg::Req(n)) => ctx.send(Node::Client, Msg::Ack(n)),
            (Node::Client, Msg::Ack(n)) if n == state.0 => {
                state.0 += 1;
                state.2 = false;
                if state.0 < LAST {
                    Self::request(state.0, ctx);
                } else {
                    ctx.cancel_timer(());
                }
            }
            (Node::Client, Msg::Note) if state.0 == LAST => state.1 = true,
            _ => {}
        }
    }

    fn on_timer(&self, _: Node, state: &mut State, _: &(), ctx: &mut Context<'_, Self>) {
        if !state.2 {
            state.2 = true;
            Self::request(state.0, ctx);
        }
    }

    fn ignores(&self, _: Node, state: &State, _: Node, msg: &Msg, _: &AssumptionSet) -> bool {
        let (next, noted, _) = *state;
        match (self.claim, *msg) {
            (Claim::Nothing, _) | (_, Msg::Req(_)) => false,
            (Claim::Honest | Claim::WantedLater, Msg::Ack(n)) => n < next,
            (Claim::ActedOn, Msg::Ack(n)) => n <= next,
            (Claim::WantedLater, Msg::Note) => noted || next < LAST,
            (_, Msg::Note) => noted,
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut properties = vec![
            Property::always("at_most_last", |_, state| client(state).0 <= LAST),
            Property::always("not_done", |_, state| {
                let (next, noted, _) = client(state);
                !(next == LAST && noted)
            }),
        ];
        if self.reads_stale {
            properties.push(Property::sometimes("stale_ack_in_flight", |_, state| {
                state
                    .in_flight()
                    .any(|envelope| matches!(envelope.msg, Msg::Ack(n) if n < client(state).0))
            }));
        }
        properties
    }
}

fn client(state: &SystemState<Retrier>) -> State {
    state
        .node_state(Node::Client)
        .copied()
        .unwrap_or((0, false, false))
}

fn retrier(claim: Claim) -> Retrier {
    Retrier {
        claim,
        reads_stale: false,
    }
}

/// A check of `protocol` with every assumption relaxed but `no_duplication` and one
/// crash at most (loss, any delay and order, late timers, pauses), one thread, cut
/// (and so failing `assert_states`) at a million states.
fn relaxed(protocol: Retrier) -> synccheck::testing::CheckBuilder<Retrier> {
    synccheck::testing::check(protocol)
        .relax_all()
        .hold("no_duplication")
        .hold("max_crashes=1")
        .threads(1)
        .max_states(1_000_000)
}

#[test]
fn honest_drops_keep_every_verdict_with_fewer_states_and_replaying_counterexamples() {
    for (duplication, kept_states, dropped_states) in [(false, 3_563, 2_307), (true, 17_175, 7_833)]
    {
        let check = |claim| {
            // Without drift classes, so that the counts are of one whole search.
            let builder = relaxed(retrier(claim)).no_drift_classes();
            if duplication {
                builder.relax("no_duplication").run()
            } else {
                builder.run()
            }
        };
        let (kept, dropped) = (check(Claim::Nothing), check(Claim::Honest));
        let label = format!("duplication relaxed: {duplication}");
        kept.assert_states(kept_states).assert_holds("at_most_last");
        dropped
            .assert_states(dropped_states)
            .assert_holds("at_most_last");
        let (a, b) = (
            kept.assert_violated("not_done"),
            dropped.assert_violated("not_done"),
        );
        assert!(b.length <= a.length, "{label}: {} > {}", b.length, a.length);
        let path = dropped
            .outcome
            .property("not_done")
            .and_then(|p| p.path.as_ref())
            .expect("a counterexample");
        synccheck::testing::assert_replays(&dropped.system, path);
    }
}

/// The audit's error for `protocol`, checked with every assumption relaxed but
/// `no_duplication`; and the same check with `--no-lean` (every message kept, no audit
/// needed) runs.
#[track_caller]
fn contract_error(protocol: Retrier) -> String {
    relaxed(protocol.clone()).no_lean().run();
    match relaxed(protocol).try_run() {
        Err(SystemError::LeanContract(error)) => error,
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("the audit let a broken `ignores` through"),
    }
}

#[test]
fn an_ignored_message_whose_delivery_changes_something_is_an_error() {
    let error = contract_error(retrier(Claim::ActedOn));
    assert!(
        error.contains("`ignores` says client ignores Ack(0) server→client for ever, but delivering it changes more than the network"),
        "{error}"
    );
}

#[test]
fn an_ignored_message_a_later_step_makes_wanted_is_an_error() {
    let error = contract_error(retrier(Claim::WantedLater));
    assert!(
        error.contains(
            "`ignores` says client ignores Note server→client for ever, but after the step `"
        ),
        "{error}"
    );
    assert!(error.contains("it no longer does"), "{error}");
}

#[test]
fn a_property_that_reads_an_ignored_message_is_an_error() {
    let error = contract_error(Retrier {
        claim: Claim::Honest,
        reads_stale: true,
    });
    assert!(
        error.contains(
            "property `stale_ack_in_flight` reads whether an ignored message is in flight"
        ),
        "{error}"
    );
}

#[test]
fn a_trace_step_notes_the_messages_it_drops() {
    use stateright::Model;
    let checked = relaxed(retrier(Claim::Honest)).no_drift_classes().run();
    let system = &checked.system;
    // Breadth-first to the first step that drops something: a second Ack(0) when the
    // first one is delivered.
    let mut seen = std::collections::HashSet::new();
    let mut queue: std::collections::VecDeque<_> = system.init_states().into();
    let mut notes = Vec::new();
    while let Some(state) = queue.pop_front() {
        if !notes.is_empty() || !seen.insert(state.clone()) {
            continue;
        }
        let mut actions = Vec::new();
        system.actions(&state, &mut actions);
        for action in actions {
            notes = system.dropped_as_ignored(&state, &action);
            if !notes.is_empty() {
                break;
            }
            queue.extend(system.next_state(&state, action));
        }
    }
    assert_eq!(
        notes,
        ["client ignores Ack(0) server→client for ever: taken out of the network"]
    );
}

synccheck::nodes! {
    enum Pair {
        Hub = "hub" [stable],
        Left = "left" [stable],
        Right = "right" [stable],
    }
}

/// Two interchangeable clients each ping the hub once and take its `Pong` (a second
/// copy, with duplication relaxed, is stale); `fair` says so of both, otherwise only
/// of `left`.
#[derive(Clone, Debug)]
struct Pinger {
    fair: bool,
}

impl Protocol for Pinger {
    type Node = Pair;
    type State = bool;
    type Durable = ();
    type Msg = u8;
    type Timer = ();
    type Ghost = ();

    const LEAN_STATE: bool = true;
    const DROPS_IGNORED: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }

    fn on_start(&self, node: Pair, ctx: &mut Context<'_, Self>) -> bool {
        if node != Pair::Hub {
            ctx.send(Pair::Hub, 0);
        }
        false
    }

    fn on_message(
        &self,
        node: Pair,
        got: &mut bool,
        from: Pair,
        _: &u8,
        ctx: &mut Context<'_, Self>,
    ) {
        match node {
            Pair::Hub => ctx.send(from, 1),
            Pair::Left | Pair::Right => *got = true,
        }
    }

    fn ignores(&self, node: Pair, got: &bool, _: Pair, _: &u8, _: &AssumptionSet) -> bool {
        node != Pair::Hub && *got && (self.fair || node == Pair::Left)
    }

    fn symmetry(&self) -> synccheck::system::Symmetry<Self> {
        synccheck::system::Symmetry::groups(&[&[Pair::Left, Pair::Right]])
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::sometimes("both_answered", |_, state| {
            [Pair::Left, Pair::Right]
                .iter()
                .all(|node| state.node_state(*node).copied().unwrap_or(false))
        })]
    }
}

#[test]
fn an_ignores_that_tells_a_symmetry_group_apart_is_an_error() {
    let check = |fair| {
        synccheck::testing::check(Pinger { fair })
            .relax("no_duplication")
            .threads(1)
            .try_run()
    };
    let fair = check(true).expect("a symmetric claim passes the audit");
    fair.assert_reached("both_answered");
    match check(false) {
        Err(SystemError::LeanContract(error)) => assert!(
            error.contains("`ignores` is not symmetric: on a state and on its renaming"),
            "{error}"
        ),
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("the audit let an asymmetric `ignores` through"),
    }
}
