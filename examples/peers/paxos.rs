//! # `peer_paxos` — stateright's `examples/paxos.rs`, ported (bench only)
//!
//! **Protocol.** Single-decree Paxos (Lamport, "Paxos Made Simple", 2001) exactly as
//! stateright 0.31's example writes it: three servers `s0..s2`, each both leader and
//! acceptor, one term per client request. A server that gets a `Put` with no proposal
//! of its own takes the ballot `(round + 1, own id)`, counts its own promise, and
//! broadcasts `Prepare`. An acceptor whose ballot is lower promises (`Prepared`, with
//! the proposal it last accepted). On a majority of promises (2 of 3, its own
//! included) the leader proposes the highest-ballot accepted proposal of the quorum,
//! or the client's if none, accepts it itself and broadcasts `Accept`; an acceptor
//! whose ballot is not higher accepts (`Accepted`). On a majority of accepts the
//! leader is decided: it broadcasts `Decided` and answers the client `PutOk`. A
//! decided server answers a `Get` with the decided value (`GetOk`) and ignores
//! everything else; an undecided one does not answer a `Get`. Each of `client_count`
//! clients (`c0..c2`, stateright's `RegisterActor::Client { put_count: 1 }`) sends
//! one `Put` (request id `3 + i`, value `'A' + i`, to server `i mod 3`) and after its
//! `PutOk` one `Get` (request id `2 (3 + i)`, to server `(i + 1) mod 3`). Clients
//! never retry.
//!
//! **Source.** stateright 0.31.0, `examples/paxos.rs` and `src/actor/register.rs`
//! (the client); written again here with synccheck's `Protocol`, for the side-by-side
//! benchmark in BENCHMARKS.md ("synccheck vs stateright's checker (issue 15)"). Not in
//! the catalog, not in any plan.
//!
//! **Where it departs from stateright's actor model** (each shows in the counts):
//! - stateright leaves a message its actor ignores in the network (the delivery is no
//!   step); synccheck always consumes a delivered message. A `Get` reaching an
//!   undecided server may be answered once it decides, so the port's server sends it
//!   back to itself (the client travels in the message) where stateright's stays in
//!   flight. Every other ignored message can never be handled later (a ballot only
//!   grows, a decision is final, each server gets at most one `Put`), so the port
//!   consumes it (`drop_ignored=off`) and stateright keeps it in flight for ever:
//!   stale `Prepare`s, `Prepared`s and `Accepted`s, `Put`s and `Decided`s at a decided
//!   server. With `drop_ignored=on` (the default) the port declares them
//!   (`Protocol::ignores`) and the engine drops them at once: 177 states for one
//!   client and 7 240 for two, against stateright's 265 and 16 668 and 701 and 301 099
//!   with every message kept (BENCHMARKS.md, "Ignored messages dropped").
//! - synccheck has time (ticks), clocks, pauses, crashes, loss and duplication,
//!   bounded by the assumptions; stateright's example has none of them (its network
//!   is an unordered, non-duplicating multiset, as synccheck's is).
//! - Servers persist what an acceptor must not forget (ballot, accepted proposal,
//!   decided) on every change and restart from it, with no leader state, when crashes
//!   are allowed; stateright's servers never crash. A restarted leader has lost its
//!   proposal, so it ignores later `Prepared`s and `Accepted`s of its old ballot
//!   (stateright's would panic on the missing proposal; without crashes the guard
//!   never fires).
//!
//! **Properties.** `linearizable` (always): the clients' history (invocations when a
//! client sends, returns when it receives, as stateright records them) is
//! linearizable for a register initially `'\0'` (stateright's
//! `LinearizabilityTester`). `value_chosen` (sometimes): a `GetOk` with a value
//! other than `'\0'` is in flight (stateright's "value chosen").
//!
//! **Verdicts.** `linearizable` holds and `value_chosen` is reached on the network
//! closest to stateright's (delay and order relaxed) and with every assumption but
//! `durable_writes` relaxed. With crashes and `durable_writes` relaxed, an acceptor
//! that forgets its promise or its accepted proposal lets a second ballot decide
//! another value: two clients read different values after both writes returned
//! (`linearizable` violated, a 19-step run that tests/suite/peers.rs replays: a search
//! does not reach that depth within two minutes; one client writes only one value
//! and cannot see this). tests/suite/peers.rs pins one client's counts; the measured runs
//! are in BENCHMARKS.md.

use serde::{Serialize, Serializer};
use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester};
use synccheck::model::{Declared, Param, Params};
use synccheck::system::Assumption::DurableWrites;
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
/// A majority of the three servers (stateright's `majority(3)`).
const MAJORITY: u32 = 2;
/// The register's initial value (`Value::default()`, `'\0'`).
const INITIAL: u8 = 0;

/// stateright's `Ballot`: (round, leader's server id); ordered lexicographically.
type Ballot = (u8, u8);
/// stateright's `Proposal`: (request id, requesting client, value).
type Proposal = (u8, u8, u8);

/// Single-decree Paxos as stateright's example writes it.
#[derive(Clone, Debug)]
pub struct PeerPaxos {
    /// Active clients (1 to 3; stateright's `check` default is 2).
    pub client_count: u8,
    /// Drop the messages a node ignores for ever ([`Protocol::ignores`]); off, every
    /// delivery is a step that consumes its message.
    pub drop_ignored: bool,
}

/// stateright's `RegisterMsg<u64, char, PaxosMsg>`; `client` on `Get` is the requester
/// (stateright's `src`), carried so an undecided server can defer the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// Client → server: write `value`.
    Put { req: u8, value: u8 },
    /// Client → server: read.
    Get { client: u8, req: u8 },
    /// Server → client: the write was decided.
    PutOk { req: u8 },
    /// Server → client: the decided value.
    GetOk { req: u8, value: u8 },
    /// Leader → acceptor: promise not to accept below `ballot`.
    Prepare { ballot: Ballot },
    /// Acceptor → leader: promised, with what it last accepted.
    Prepared {
        ballot: Ballot,
        last_accepted: Option<(Ballot, Proposal)>,
    },
    /// Leader → acceptor: accept `proposal` at `ballot`.
    Accept { ballot: Ballot, proposal: Proposal },
    /// Acceptor → leader: accepted.
    Accepted { ballot: Ballot },
    /// Leader → acceptor: `proposal` is decided.
    Decided { ballot: Ballot, proposal: Proposal },
}

/// What an acceptor persists (and a restarted server keeps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Acceptor {
    /// The highest ballot seen (stateright's shared `ballot`).
    pub ballot: Ballot,
    /// The last accepted proposal and its ballot.
    pub accepted: Option<(Ballot, Proposal)>,
    /// Whether this server knows the decision.
    pub decided: bool,
}

/// A leader's state for its current term (volatile).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Leader {
    /// The proposal it drives (the client's, then the quorum's).
    pub proposal: Option<Proposal>,
    /// Promises by server: `Some(last_accepted)` once that server promised.
    pub prepares: [Option<Option<(Ballot, Proposal)>>; 3],
    /// Accepts, one bit per server.
    pub accepts: u8,
}

/// Node states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum State {
    /// A server (stateright's `PaxosState`).
    Server { acceptor: Acceptor, leader: Leader },
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

fn bit(node: Node) -> u8 {
    1 << node.index()
}

impl PeerPaxos {
    fn broadcast(me: Node, msg: Msg, ctx: &mut Context<'_, Self>) {
        for peer in SERVERS.into_iter().filter(|s| *s != me) {
            ctx.send(peer, msg);
        }
    }

    /// A decided server answers a `Get` and ignores everything else.
    fn on_decided(acceptor: &Acceptor, msg: Msg, ctx: &mut Context<'_, Self>) {
        if let Msg::Get { client, req } = msg {
            let (_, (_, _, value)) = acceptor
                .accepted
                .expect("a decided server has accepted the decision");
            ctx.send(Node::ALL[usize::from(client)], Msg::GetOk { req, value });
        }
    }

    fn on_server(
        me: Node,
        acceptor: &mut Acceptor,
        leader: &mut Leader,
        from: Node,
        msg: Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        if acceptor.decided {
            return Self::on_decided(acceptor, msg, ctx);
        }
        let before = *acceptor;
        match msg {
            Msg::Put { req, value } if leader.proposal.is_none() => {
                // A new term: the Prepare and Prepared self-sends, simulated.
                acceptor.ballot = (acceptor.ballot.0 + 1, server_id(me));
                *leader = Leader {
                    proposal: Some((req, server_id(from), value)),
                    prepares: [None; 3],
                    accepts: 0,
                };
                leader.prepares[me.index()] = Some(acceptor.accepted);
                let ballot = acceptor.ballot;
                Self::broadcast(me, Msg::Prepare { ballot }, ctx);
            }
            // Undecided: stateright leaves the read in flight; here it comes back later.
            Msg::Get { .. } => ctx.send(me, msg),
            Msg::Prepare { ballot } if acceptor.ballot < ballot => {
                acceptor.ballot = ballot;
                let last_accepted = acceptor.accepted;
                ctx.send(
                    from,
                    Msg::Prepared {
                        ballot,
                        last_accepted,
                    },
                );
            }
            Msg::Prepared {
                ballot,
                last_accepted,
            } if ballot == acceptor.ballot && leader.proposal.is_some() => {
                leader.prepares[from.index()] = Some(last_accepted);
                if leader.prepares.iter().flatten().count() as u32 == MAJORITY {
                    Self::propose(me, acceptor, leader, ballot, ctx);
                }
            }
            Msg::Accept { ballot, proposal } if acceptor.ballot <= ballot => {
                acceptor.ballot = ballot;
                acceptor.accepted = Some((ballot, proposal));
                ctx.send(from, Msg::Accepted { ballot });
            }
            Msg::Accepted { ballot } if ballot == acceptor.ballot => {
                let Some(proposal) = leader.proposal else {
                    return; // restarted: the term's proposal is lost
                };
                leader.accepts |= bit(from);
                if leader.accepts.count_ones() == MAJORITY {
                    acceptor.decided = true;
                    Self::broadcast(me, Msg::Decided { ballot, proposal }, ctx);
                    let (req, requester, _) = proposal;
                    ctx.send(Node::ALL[usize::from(requester)], Msg::PutOk { req });
                }
            }
            Msg::Decided { ballot, proposal } => {
                *acceptor = Acceptor {
                    ballot,
                    accepted: Some((ballot, proposal)),
                    decided: true,
                };
            }
            _ => {}
        }
        if *acceptor != before {
            ctx.persist(*acceptor);
        }
    }

    /// Phase 2 on a quorum of promises: the quorum's highest accepted proposal, or the
    /// client's; the Accept and Accepted self-sends, simulated.
    fn propose(
        me: Node,
        acceptor: &mut Acceptor,
        leader: &mut Leader,
        ballot: Ballot,
        ctx: &mut Context<'_, Self>,
    ) {
        let proposal = leader
            .prepares
            .iter()
            .flatten()
            .max()
            .copied()
            .flatten()
            .map(|(_, proposal)| proposal)
            .or(leader.proposal)
            .expect("the leader holds the client's proposal");
        leader.proposal = Some(proposal);
        acceptor.accepted = Some((ballot, proposal));
        leader.accepts = bit(me);
        Self::broadcast(me, Msg::Accept { ballot, proposal }, ctx);
    }

    fn on_client(
        node: Node,
        awaiting: u8,
        op_count: u8,
        msg: Msg,
        ctx: &mut Context<'_, Self>,
    ) -> Option<State> {
        match msg {
            Msg::PutOk { req } if req == awaiting => {
                let tester = &mut ctx.ghost_mut().0;
                // A malformed history makes the tester refuse every later check.
                let _ = tester.on_return(node, RegisterRet::WriteOk);
                let _ = tester.on_invoke(node, RegisterOp::Read);
                let index = usize::from(client_index(
                    CLIENTS.iter().position(|c| *c == node).expect("a client"),
                ));
                let req = (op_count + 1) * index as u8;
                let server = SERVERS[(index + usize::from(op_count)) % 3];
                let client = server_id(node);
                ctx.send(server, Msg::Get { client, req });
                Some(State::Client {
                    awaiting: Some(req),
                    op_count: op_count + 1,
                })
            }
            Msg::GetOk { req, value } if req == awaiting => {
                let _ = ctx
                    .ghost_mut()
                    .0
                    .on_return(node, RegisterRet::ReadOk(value));
                Some(State::Client {
                    awaiting: None,
                    op_count: op_count + 1,
                })
            }
            _ => None,
        }
    }
}

impl Protocol for PeerPaxos {
    type Node = Node;
    type State = State;
    type Durable = Acceptor;
    type Msg = Msg;
    type Timer = ();
    type Ghost = Ghost;

    const LEANS_ON: &'static [LeansOn] = &[DurableWrites.because(
        "an acceptor that forgets a promise or an accepted proposal in a crash lets a later ballot decide another value",
    )];

    /// No property reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;

    /// Stale messages are dropped ([`PeerPaxos::ignores`]): stateright keeps them.
    const DROPS_IGNORED: bool = true;

    /// What a server or client will never act on: at a decided server, anything but a
    /// `Get`; at an undecided one, a `Put` once it leads a proposal (until a crash,
    /// which takes its messages too) and a `Prepare`, `Prepared`, `Accept` or
    /// `Accepted` of a ballot below its own (ballots only grow until it decides); at a
    /// client, a `PutOk` once it has moved past its `Put`. A `GetOk` is never said to
    /// be ignored: `value_chosen` reads it in flight.
    fn ignores(&self, _: Node, state: &State, _: Node, msg: &Msg, _: &AssumptionSet) -> bool {
        if !self.drop_ignored {
            return false;
        }
        match *state {
            State::Server { acceptor, .. } if acceptor.decided => !matches!(msg, Msg::Get { .. }),
            State::Server { acceptor, leader } => match *msg {
                Msg::Put { .. } => leader.proposal.is_some(),
                Msg::Prepare { ballot } => ballot <= acceptor.ballot,
                Msg::Prepared { ballot, .. }
                | Msg::Accept { ballot, .. }
                | Msg::Accepted { ballot } => ballot < acceptor.ballot,
                _ => false,
            },
            State::Client { awaiting, op_count } => {
                matches!(msg, Msg::PutOk { .. }) && (awaiting.is_none() || op_count >= 2)
            }
        }
    }

    fn largest_time_constant_ticks(&self) -> u32 {
        0
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> State {
        let Some(i) = CLIENTS.iter().position(|c| *c == node) else {
            return State::Server {
                acceptor: Acceptor::default(),
                leader: Leader::default(),
            };
        };
        if i >= usize::from(self.client_count) {
            return State::Client {
                awaiting: None,
                op_count: 0,
            };
        }
        let req = client_index(i);
        let value = b'A' + i as u8;
        ctx.ghost_mut()
            .0
            .on_invoke(node, RegisterOp::Write(value))
            .expect("the client's first operation");
        ctx.send(SERVERS[i % 3], Msg::Put { req, value });
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
            State::Server { acceptor, leader } => {
                Self::on_server(node, acceptor, leader, from, *msg, ctx)
            }
            State::Client {
                awaiting: Some(awaiting),
                op_count,
            } => {
                if let Some(next) = Self::on_client(node, *awaiting, *op_count, *msg, ctx) {
                    *state = next;
                }
            }
            State::Client { awaiting: None, .. } => {}
        }
    }

    /// A restarted server keeps what it persisted as an acceptor, and no term.
    fn on_restart(&self, _node: Node, ctx: &mut Context<'_, Self>) -> State {
        State::Server {
            acceptor: *ctx.durable(),
            leader: Leader::default(),
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("linearizable", |_, state| state.ghost.is_linearizable()),
            Property::sometimes("value_chosen", |_, state| value_chosen(state)),
        ]
    }
}

fn value_chosen(state: &SystemState<PeerPaxos>) -> bool {
    state
        .in_flight()
        .any(|envelope| matches!(envelope.msg, Msg::GetOk { value, .. } if value != INITIAL))
}

impl Declared for PeerPaxos {
    const NAME: &'static str = "peer_paxos";
    const FAMILY: &'static str = "bench";
    const SUMMARY: &'static str =
        "stateright's paxos example (single-decree Paxos, 3 servers), for the benchmark";
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
        Ok(PeerPaxos {
            client_count: params.integer("client_count")? as u8, // declared 1..=3
            drop_ignored: params.on("drop_ignored")?,
        })
    }
}
