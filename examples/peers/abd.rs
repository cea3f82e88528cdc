//! # `peer_abd` — stateright's `examples/linearizable-register.rs`, ported (bench only)
//!
//! **Protocol.** Multi-writer ABD (Attiya, Bar-Noy, Dolev, JACM 1995) exactly as
//! stateright 0.31's example writes it: three servers `s0..s2` store `(seq, value)`
//! with `seq = (clock, server id)`. A client's `Put`/`Get` goes to one server, which
//! coordinates: phase 1 `Query`s its two peers and counts its own record as a reply;
//! on a majority (2 of 3) it takes the largest `seq` (a `Put` uses `(clock + 1, own
//! id)` and its value), phase 2 `Record`s that to its peers (and to itself), and on a
//! majority of `AckRecord`s answers `PutOk`/`GetOk`. A server handles one request at
//! a time. Each of `client_count` clients (`c0..c2`, stateright's `RegisterActor::
//! Client { put_count: 1 }`) sends one `Put` (request id `3 + i`, value `'A' + i`, to
//! server `i mod 3`) and after its `PutOk` one `Get` (request id `2 (3 + i)`, to
//! server `(i + 1) mod 3`). Clients never retry.
//!
//! **Source.** stateright 0.31.0, `examples/linearizable-register.rs` and
//! `src/actor/register.rs` (the client); written again here with synccheck's
//! `Protocol`, for the side-by-side benchmark in BENCHMARKS.md ("synccheck vs
//! stateright's checker (issue 15)"). Not in the catalog, not in any plan.
//!
//! **Where it departs from stateright's actor model** (each shows in the counts):
//! - stateright leaves a message its actor ignores in the network (the delivery is no
//!   step); synccheck always consumes a delivered message. So a server busy with one
//!   request sends a `Put`/`Get` back to itself (the client travels in the message)
//!   to handle it later, where stateright's stays in flight; stale `AckQuery`s and
//!   repeated `AckRecord`s are consumed here (`drop_ignored=off`) and linger there.
//!   With `drop_ignored=on` (the default) the port declares what its nodes ignore for
//!   ever (`Protocol::ignores`: a `PutOk` a client no longer waits for; while
//!   `no_duplication` is held, an `AckQuery` or `AckRecord` for a phase a server has
//!   left) and the engine drops those at once: 359 states for one client against
//!   stateright's 1 449 and 3 007 with every message kept (BENCHMARKS.md, "Ignored
//!   messages dropped").
//! - synccheck has time (ticks), clocks, pauses, crashes, loss and duplication,
//!   bounded by the assumptions; stateright's example has none of them (its network
//!   is an unordered, non-duplicating multiset, as synccheck's is).
//! - Servers persist `(seq, value)` on every change and restart from it (with phase
//!   idle) when crashes are allowed; stateright's servers never crash.
//!
//! **Properties.** `linearizable` (always): the clients' history (invocations when a
//! client sends, returns when it receives, as stateright records them) is
//! linearizable for a register initially `'\0'` (stateright's
//! `LinearizabilityTester`). `value_chosen` (sometimes): a `GetOk` with a value
//! other than `'\0'` is in flight (stateright's "value chosen").
//!
//! **Verdicts.** `linearizable` holds and `value_chosen` is reached with the
//! network's assumptions held or relaxed (delay, order, loss); tests/suite/peers.rs pins
//! one client. The measured runs are in BENCHMARKS.md.

use serde::{Serialize, Serializer};
use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester};
use synccheck::model::{Declared, Param, Params};
use synccheck::system::Assumption::{DurableWrites, NoDuplication};
use synccheck::system::Node as _;
use synccheck::system::{AssumptionSet, Context, LeansOn, Property, Protocol, SystemState};

synccheck::nodes! {
    /// Servers (may crash or pause), then clients.
    pub enum Node {
        /// Server 0.
        S0 = "s0",
        /// Server 1.
        S1 = "s1",
        /// Server 2.
        S2 = "s2",
        /// Client 0.
        C0 = "c0" [stable],
        /// Client 1.
        C1 = "c1" [stable],
        /// Client 2 (idle unless `client_count` = 3).
        C2 = "c2" [stable],
    }
}

const SERVERS: [Node; 3] = [Node::S0, Node::S1, Node::S2];
const CLIENTS: [Node; 3] = [Node::C0, Node::C1, Node::C2];
/// A majority of the three servers.
const MAJORITY: usize = 2;
/// The register's initial value (`Value::default()`, `'\0'`).
const INITIAL: u8 = 0;

/// stateright's `Seq`: (logical clock, server id); ordered lexicographically.
type Seq = (u8, u8);

/// The ABD example's protocol.
#[derive(Clone, Debug)]
pub struct PeerAbd {
    /// Active clients (1 to 3; stateright's `check` default is 2).
    pub client_count: u8,
    /// Drop the messages a node ignores for ever ([`Protocol::ignores`]); off, every
    /// delivery is a step that consumes its message.
    pub drop_ignored: bool,
}

/// stateright's `RegisterMsg<u64, char, AbdMsg>`; `client` on `Put`/`Get` is the
/// requester (stateright's `src`), carried so a busy server can defer the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Client → server: write `value`.
    Put { client: u8, req: u8, value: u8 },
    /// Client → server: read.
    Get { client: u8, req: u8 },
    /// Server → client: the write took effect.
    PutOk { req: u8 },
    /// Server → client: the read's value.
    GetOk { req: u8, value: u8 },
    /// Coordinator → peer: what do you hold?
    Query { req: u8 },
    /// Peer → coordinator: what it holds.
    AckQuery { req: u8, seq: Seq, value: u8 },
    /// Coordinator → peer: store this if newer.
    Record { req: u8, seq: Seq, value: u8 },
    /// Peer → coordinator: stored.
    AckRecord { req: u8 },
}

/// A server's request in progress (stateright's `AbdPhase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// Collecting a majority of `(seq, value)`s, indexed by server.
    Phase1 {
        req: u8,
        requester: u8,
        write: Option<u8>,
        responses: [Option<(Seq, u8)>; 3],
    },
    /// Collecting a majority of `AckRecord`s (bit per server).
    Phase2 {
        req: u8,
        requester: u8,
        read: Option<u8>,
        acks: u8,
    },
}

/// What a server persists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Stored {
    /// The stored sequencer.
    pub seq: Seq,
    /// The stored value.
    pub value: u8,
}

/// Node states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum State {
    /// A server (stateright's `AbdState`).
    Server {
        stored: Stored,
        phase: Option<Phase>,
    },
    /// A client: the request it awaits, and how many operations it has sent.
    Client { awaiting: Option<u8>, op_count: u8 },
}

/// The clients' history in stateright's linearizability tester (the ghost).
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Ghost(LinearizabilityTester<Node, Register<u8>>);

impl Eq for Ghost {}

impl Default for Ghost {
    fn default() -> Self {
        Ghost(LinearizabilityTester::new(Register(INITIAL)))
    }
}

impl Serialize for Ghost {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{:?}", self.0))
    }
}

impl Ghost {
    /// Whether the history is linearizable. A malformed history (stateright's
    /// tester refuses it) counts as not linearizable.
    pub fn is_linearizable(&self) -> bool {
        self.0.serialized_history().is_some()
    }
}

fn server_id(node: Node) -> u8 {
    node.index() as u8 // declared above: 0..6
}

/// stateright's client index: the actor id, servers first.
fn client_index(i: usize) -> u8 {
    (SERVERS.len() + i) as u8 // at most 5
}

impl PeerAbd {
    fn peers(me: Node) -> impl Iterator<Item = Node> {
        SERVERS.into_iter().filter(move |s| *s != me)
    }

    fn start_request(
        me: Node,
        stored: Stored,
        req: u8,
        requester: u8,
        write: Option<u8>,
        ctx: &mut Context<'_, Self>,
    ) -> Phase {
        for peer in Self::peers(me) {
            ctx.send(peer, Msg::Query { req });
        }
        let mut responses = [None; 3];
        responses[me.index()] = Some((stored.seq, stored.value));
        Phase::Phase1 {
            req,
            requester,
            write,
            responses,
        }
    }

    fn store(stored: &mut Stored, seq: Seq, value: u8, ctx: &mut Context<'_, Self>) {
        if seq > stored.seq {
            *stored = Stored { seq, value };
            ctx.persist(*stored);
        }
    }

    fn on_server(
        me: Node,
        stored: &mut Stored,
        phase: &mut Option<Phase>,
        from: Node,
        msg: Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match (msg, &mut *phase) {
            (Msg::Put { client, req, value }, None) => {
                *phase = Some(Self::start_request(
                    me,
                    *stored,
                    req,
                    client,
                    Some(value),
                    ctx,
                ));
            }
            (Msg::Get { client, req }, None) => {
                *phase = Some(Self::start_request(me, *stored, req, client, None, ctx));
            }
            // Busy: stateright leaves the request in flight; here it comes back later.
            (Msg::Put { .. } | Msg::Get { .. }, Some(_)) => ctx.send(me, msg),
            (Msg::Query { req }, _) => ctx.send(
                from,
                Msg::AckQuery {
                    req,
                    seq: stored.seq,
                    value: stored.value,
                },
            ),
            (
                Msg::AckQuery { req, seq, value },
                Some(Phase::Phase1 {
                    req: expected,
                    requester,
                    write,
                    responses,
                }),
            ) if req == *expected => {
                responses[from.index()] = Some((seq, value));
                if responses.iter().flatten().count() != MAJORITY {
                    return;
                }
                let (mut seq, mut value) = responses
                    .iter()
                    .flatten()
                    .copied()
                    .max_by_key(|(seq, _)| *seq)
                    .expect("a majority answered");
                let read = match *write {
                    Some(written) => {
                        seq = (seq.0 + 1, server_id(me));
                        value = written;
                        None
                    }
                    None => Some(value),
                };
                for peer in Self::peers(me) {
                    ctx.send(peer, Msg::Record { req, seq, value });
                }
                Self::store(stored, seq, value, ctx);
                *phase = Some(Phase::Phase2 {
                    req,
                    requester: *requester,
                    read,
                    acks: 1 << me.index(),
                });
            }
            (Msg::Record { req, seq, value }, _) => {
                ctx.send(from, Msg::AckRecord { req });
                Self::store(stored, seq, value, ctx);
            }
            (
                Msg::AckRecord { req },
                Some(Phase::Phase2 {
                    req: expected,
                    requester,
                    read,
                    acks,
                }),
            ) if req == *expected && *acks & (1 << from.index()) == 0 => {
                *acks |= 1 << from.index();
                if acks.count_ones() as usize == MAJORITY {
                    let reply = match *read {
                        Some(value) => Msg::GetOk { req, value },
                        None => Msg::PutOk { req },
                    };
                    ctx.send(Node::ALL[usize::from(*requester)], reply);
                    *phase = None;
                }
            }
            _ => {}
        }
    }
}

impl Protocol for PeerAbd {
    type Node = Node;
    type State = State;
    type Durable = Stored;
    type Msg = Msg;
    type Timer = ();
    type Ghost = Ghost;

    const LEANS_ON: &'static [LeansOn] = &[DurableWrites.because(
        "a server that acknowledged a Record and lost it in a crash breaks quorum intersection",
    )];

    /// No property reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;

    /// Stale messages are dropped ([`PeerAbd::ignores`]): stateright keeps them.
    const DROPS_IGNORED: bool = true;

    /// What a server or client will never act on: at a client, a `PutOk` for a request
    /// it is not waiting for (its requests only move on); at a server, while
    /// `no_duplication` is held, an `AckQuery` unless it is in phase 1 of that request
    /// and an `AckRecord` unless it is in phase 2 of that request and has not counted
    /// the sender (a server then takes each request once, so a phase it has left never
    /// comes back; a duplicated `Put` or `Get` starts the request again). A `GetOk` is
    /// never said to be ignored: `value_chosen` reads it in flight.
    fn ignores(
        &self,
        _: Node,
        state: &State,
        from: Node,
        msg: &Msg,
        assumptions: &AssumptionSet,
    ) -> bool {
        if !self.drop_ignored {
            return false;
        }
        let requests_once = assumptions.is_held(NoDuplication);
        match (*state, *msg) {
            (State::Server { phase, .. }, Msg::AckQuery { req, .. }) => {
                requests_once
                    && !matches!(
                        phase,
                        Some(Phase::Phase1 { req: expected, .. }) if expected == req
                    )
            }
            (State::Server { phase, .. }, Msg::AckRecord { req }) => {
                requests_once
                    && !matches!(
                        phase,
                        Some(Phase::Phase2 { req: expected, acks, .. })
                            if expected == req && acks & (1 << from.index()) == 0
                    )
            }
            (State::Client { awaiting, .. }, Msg::PutOk { req }) => awaiting != Some(req),
            _ => false,
        }
    }

    fn largest_time_constant_ticks(&self) -> u32 {
        0
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> State {
        let Some(i) = CLIENTS.iter().position(|c| *c == node) else {
            return State::Server {
                stored: Stored::default(),
                phase: None,
            };
        };
        if i >= usize::from(self.client_count) {
            return State::Client {
                awaiting: None,
                op_count: 0,
            };
        }
        let index = client_index(i);
        let req = index;
        let value = b'A' + i as u8;
        ctx.ghost_mut()
            .0
            .on_invoke(node, RegisterOp::Write(value))
            .expect("the client's first operation");
        let client = server_id(node);
        ctx.send(SERVERS[i % 3], Msg::Put { client, req, value });
        State::Client {
            awaiting: Some(req),
            op_count: 1,
        }
    }

    fn on_message(
        &self,
        node: Node,
        state: &mut State,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match state {
            State::Server { stored, phase } => {
                Self::on_server(node, stored, phase, from, *msg, ctx)
            }
            State::Client {
                awaiting: Some(awaiting),
                op_count,
            } => match *msg {
                Msg::PutOk { req } if req == *awaiting => {
                    let tester = &mut ctx.ghost_mut().0;
                    // A malformed history makes the tester refuse every later check.
                    let _ = tester.on_return(node, RegisterRet::WriteOk);
                    let _ = tester.on_invoke(node, RegisterOp::Read);
                    let index = usize::from(client_index(
                        CLIENTS.iter().position(|c| *c == node).expect("a client"),
                    ));
                    let req = (*op_count + 1) * index as u8;
                    let server = SERVERS[(index + usize::from(*op_count)) % 3];
                    ctx.send(
                        server,
                        Msg::Get {
                            client: server_id(node),
                            req,
                        },
                    );
                    *state = State::Client {
                        awaiting: Some(req),
                        op_count: *op_count + 1,
                    };
                }
                Msg::GetOk { req, value } if req == *awaiting => {
                    let _ = ctx
                        .ghost_mut()
                        .0
                        .on_return(node, RegisterRet::ReadOk(value));
                    *state = State::Client {
                        awaiting: None,
                        op_count: *op_count + 1,
                    };
                }
                _ => {}
            },
            State::Client { awaiting: None, .. } => {}
        }
    }

    /// A restarted server serves what it persisted, with no request in progress.
    fn on_restart(&self, _node: Node, ctx: &mut Context<'_, Self>) -> State {
        State::Server {
            stored: *ctx.durable(),
            phase: None,
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("linearizable", |_, state| state.ghost.is_linearizable()),
            Property::sometimes("value_chosen", |_, state| value_chosen(state)),
        ]
    }
}

fn value_chosen(state: &SystemState<PeerAbd>) -> bool {
    state
        .in_flight()
        .any(|envelope| matches!(envelope.msg, Msg::GetOk { value, .. } if value != INITIAL))
}

impl Declared for PeerAbd {
    const NAME: &'static str = "peer_abd";
    const FAMILY: &'static str = "bench";
    const SUMMARY: &'static str =
        "stateright's linearizable-register example (multi-writer ABD, 3 servers), for the benchmark";
    const PARAMS: &'static [Param] = &[
        Param::integer(
            "client_count",
            2,
            1..=3,
            "clients, each doing one Put then one Get (stateright's default: 2)",
        ),
        Param::switch(
            "drop_ignored",
            true,
            "drop the messages a node ignores for ever (stateright keeps them in flight); off: every delivery is a step that consumes its message",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(PeerAbd {
            client_count: params.integer("client_count")? as u8, // declared 1..=3
            drop_ignored: params.on("drop_ignored")?,
        })
    }
}
