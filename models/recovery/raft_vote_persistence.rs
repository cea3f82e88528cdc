//! # C6 `raft_vote_persistence` — a Raft vote must reach the disk before the reply
//!
//! **Protocol.** Raft leader election (no log entries: they play no part here). A
//! server whose election timer fires becomes a candidate for the next term, votes for
//! itself and sends `RequestVote{term}` to the others. A server grants at most one vote
//! per term: it answers `RequestVote{term}` with `VoteGranted{term}` when the term is
//! its current term (after adopting a higher one) and it has not voted for somebody
//! else. A candidate holding votes from a majority (2 of 3, its own included) becomes
//! leader for that term. `persist_vote = true`: `currentTerm` and `votedFor` are
//! persisted in the step that sends the reply (Raft Figure 2: "updated on stable
//! storage before responding to RPCs" — but the reply does not wait for the flush:
//! "ack, then persist"); `persist_vote = wait`: the reply (and a candidate's
//! RequestVotes, after its own vote) goes out only in `on_durable`, once the disk
//! confirms the write (`Context::persist_and_wait`: "persist, wait, ack", fsync then
//! reply); `persist_vote = false`: only `currentTerm` is persisted, the vote lives in
//! memory.
//!
//! **Source.** Ongaro & Ousterhout, "In Search of an Understandable Consensus
//! Algorithm" (USENIX ATC 2014), Figure 2 and §5.2; Hazelcast PR #16643 (persist the
//! vote before answering); Jepsen's LazyFS ("lose unfsynced writes") for the disk that
//! acknowledges a write it has not synced.
//!
//! **Actors.** `s0`, `s1`, `s2`, each a Raft server. Any of them may crash.
//!
//! **Actions.** `RequestVote{term}`, `VoteGranted{term}`; timer `ElectionTimeout`
//! (`election_timeout_ticks`, re-armed by a candidate, by a voter that grants, and on
//! restart). Terms stop at `max_term`: a server whose term is `max_term` starts no
//! election. Denials are not sent (a candidate that does not win simply waits), and a
//! leader sends no heartbeats: neither can change who wins a term.
//!
//! **Assumptions it leans on.** `durable_writes` (variants `false` and `true`): a
//! vote the disk acknowledged survives a crash; `wait` needs only that a flushed write
//! survives. The default assumption set holds `max_crashes(1)` (one crash, as
//! in the catalog entry), `bounded_delay(0)` (a message arrives within the tick it is
//! sent: delay plays no part in this bug, and message ages would multiply the space
//! by 30) and every other timing assumption; none of the timing assumptions matters
//! to safety.
//!
//! **Properties.**
//! - `election_safety` (always): at most one server becomes leader in any term (over
//!   the history of every election won).
//! - `leader_elected` (sometimes): some server becomes leader (4 steps).
//!
//! **Verdicts** (pinned in `models/recovery/plan.toml` and `tests/suite/recovery.rs`;
//! defaults `max_term = 2`, `election_timeout_ticks = 1`; unique states in brackets):
//!
//! | `persist_vote` | defaults | `durable_writes` relaxed | delay, timers, loss relaxed |
//! |---|---|---|---|
//! | `false` | violated, 9 steps (7 966) | violated, 9 steps (174 714) | violated |
//! | `true` | holds (5 689) | violated, 9 steps (240 912) | holds (309 010, ~5 s) |
//! | `wait` | holds (229 129) | holds (410 676: the flush and the call back are two steps) | — |
//!
//! With pauses and skew relaxed too, `persist_vote = true` still holds (1 912 528
//! states, 36 s on 2 threads), and with everything relaxed but `durable_writes` and
//! `no_duplication` (unbounded crashes) as well (4 698 823 states, 93 s); both are
//! too slow for the plan. With everything relaxed, `durable_writes` and duplication
//! included (the plan's check), it is violated in 9 steps (about 1 s): the unsynced
//! vote lost in a crash is the one necessary break.
//!
//! The counterexample (`persist_vote = false`, 9 steps): the clock ticks and every
//! election timer is due; `s0` becomes candidate for term 1; `s1` grants it its vote
//! (only the term reaches its disk); `s0`, with its own and `s1`'s vote, is leader of
//! term 1; `s1` crashes and restarts with term 1 and no vote; `s2` becomes candidate
//! for term 1 and `s1` votes again — `s2` is leader of term 1 too. With
//! `persist_vote = true` and `durable_writes` relaxed the run is the same 9 steps: the
//! vote is written but still in the page cache when `s1` crashes (`durable_writes`
//! broken at the crash). With `persist_vote = wait` the vote leaves `s1` only after
//! the Sync step that flushed it, so the crash can no longer erase a vote that was
//! counted: the "ack" no longer runs ahead of the disk. The catalog's "7 steps" counts neither the clock tick nor
//! the restart; the engine needs both.
//!
//! **Not declared yet.** Nothing: the model has no liveness property.

use crate::model::{Declared, Param, Params};
use crate::system::Assumption::DurableWrites;
use crate::system::Node as _;
use crate::system::{Assumption, AssumptionSet, Context, LeansOn, Property, Protocol, SystemState};
use serde::Serialize;

synccheck::nodes! {
    /// The servers; any of them may crash.
    pub enum Node {
        /// The first server.
        S0 = "s0",
        /// The second server.
        S1 = "s1",
        /// The third server.
        S2 = "s2",
    }
}

const MAJORITY: u32 = 2;

/// The protocol, with its parameters.
#[derive(Clone, Debug)]
pub struct RaftVotePersistence {
    /// Whether `votedFor` is persisted before the vote is sent.
    pub persist_vote: bool,
    /// Whether a vote (and a candidate's own, before it asks for votes) is sent only
    /// once the disk confirms the write (`Context::persist_and_wait`): "persist,
    /// wait, ack". Without it the reply goes out in the step that persists: "ack,
    /// then persist", which a disk that loses unsynced writes breaks.
    pub wait_for_disk: bool,
    /// The highest term any election may start.
    pub max_term: u8,
    /// Election timeout, in local ticks.
    pub election_timeout_ticks: u32,
}

/// Messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Msg {
    /// A candidate asks for a vote in `term`.
    RequestVote {
        /// The candidate's term.
        term: u8,
    },
    /// The sender votes for the receiver in `term`.
    VoteGranted {
        /// The term of the vote.
        term: u8,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timer {
    /// No leader heard from: start an election.
    ElectionTimeout,
}

/// A server's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// Votes, waits.
    Follower,
    /// Collects votes for its term.
    Candidate,
    /// Won its term.
    Leader,
}

/// What a server keeps on disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Durable {
    /// `currentTerm`.
    pub term: u8,
    /// `votedFor` in `term` (always `None` on disk when votes are not persisted).
    pub voted_for: Option<Node>,
}

/// A server's volatile state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Server {
    /// `currentTerm`.
    pub term: u8,
    /// `votedFor` in `term`.
    pub voted_for: Option<Node>,
    /// Role.
    pub role: Role,
    /// Votes received in `term`, one bit per server.
    pub votes: u8,
    /// `wait_for_disk`: the candidate whose vote is granted but not yet sent.
    pub reply_to: Option<Node>,
    /// `wait_for_disk`: a candidate whose RequestVotes wait for its own vote's flush.
    pub campaign_pending: bool,
}

// By hand: the `wait_for_disk` fields are hashed only when set, so the fingerprints of
// the other variants (and the counterexample each pins) are unchanged.
impl std::hash::Hash for Server {
    fn hash<H: std::hash::Hasher>(&self, hasher: &mut H) {
        self.term.hash(hasher);
        self.voted_for.hash(hasher);
        self.role.hash(hasher);
        self.votes.hash(hasher);
        if self.reply_to.is_some() || self.campaign_pending {
            (self.reply_to, self.campaign_pending).hash(hasher);
        }
    }
}

/// Observer state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ghost {
    /// Every election won: `(term, server)`, sorted.
    pub leaders: Vec<(u8, Node)>,
}

impl RaftVotePersistence {
    /// Persists what this variant keeps on disk: the term always, the vote only when
    /// `persist_vote`.
    fn persist(&self, server: &Server, ctx: &mut Context<'_, Self>) {
        let durable = Durable {
            term: server.term,
            voted_for: server.voted_for.filter(|_| self.persist_vote),
        };
        if *ctx.durable() != durable {
            ctx.persist(durable);
        }
    }

    /// `wait_for_disk`: persists and asks for the call back (`on_durable`) even when
    /// the value read back is equal: it may still be in the page cache.
    fn persist_and_wait(&self, server: &Server, ctx: &mut Context<'_, Self>) {
        ctx.persist_and_wait(Durable {
            term: server.term,
            voted_for: server.voted_for.filter(|_| self.persist_vote),
        });
    }

    fn on_request_vote(
        &self,
        server: &mut Server,
        candidate: Node,
        term: u8,
        ctx: &mut Context<'_, Self>,
    ) {
        if term > server.term {
            server.term = term;
            server.voted_for = None;
            server.role = Role::Follower;
            server.votes = 0;
            server.reply_to = None;
            server.campaign_pending = false;
        }
        let may_grant = term == server.term
            && server.voted_for.is_none_or(|voted| voted == candidate)
            && server.role == Role::Follower;
        if may_grant {
            server.voted_for = Some(candidate);
            self.rearm_election_timer(server, ctx);
        }
        if may_grant && self.wait_for_disk {
            server.reply_to = Some(candidate);
            self.persist_and_wait(server, ctx);
            return;
        }
        self.persist(server, ctx);
        if may_grant {
            ctx.send(candidate, Msg::VoteGranted { term });
        }
    }

    /// `wait_for_disk`: the flush is done; send what waited for it.
    fn flushed(&self, node: Node, server: &mut Server, ctx: &mut Context<'_, Self>) {
        if let Some(candidate) = server.reply_to.take() {
            if server.voted_for == Some(candidate) {
                ctx.send(candidate, Msg::VoteGranted { term: server.term });
            }
        }
        if std::mem::take(&mut server.campaign_pending) && server.role == Role::Candidate {
            for peer in Node::ALL.iter().filter(|peer| **peer != node) {
                ctx.send(*peer, Msg::RequestVote { term: server.term });
            }
        }
    }

    fn on_vote_granted(
        &self,
        node: Node,
        server: &mut Server,
        voter: Node,
        term: u8,
        ctx: &mut Context<'_, Self>,
    ) {
        if server.role != Role::Candidate || term != server.term {
            return;
        }
        server.votes |= 1 << voter.index();
        if server.votes.count_ones() >= MAJORITY {
            server.role = Role::Leader;
            server.votes = 0;
            ctx.cancel_timer(Timer::ElectionTimeout);
            let leaders = &mut ctx.ghost_mut().leaders;
            leaders.push((term, node));
            leaders.sort_unstable();
            leaders.dedup();
        }
    }

    fn start_election(&self, node: Node, server: &mut Server, ctx: &mut Context<'_, Self>) {
        if server.role == Role::Leader || server.term >= self.max_term {
            return;
        }
        server.term += 1;
        server.role = Role::Candidate;
        server.voted_for = Some(node);
        server.votes = 1 << node.index();
        server.reply_to = None;
        if self.wait_for_disk {
            server.campaign_pending = true;
            self.persist_and_wait(server, ctx);
        } else {
            self.persist(server, ctx);
            for peer in Node::ALL.iter().filter(|peer| **peer != node) {
                ctx.send(*peer, Msg::RequestVote { term: server.term });
            }
        }
        self.rearm_election_timer(server, ctx);
    }

    /// Sets the election timer, or cancels it once no further election may start.
    fn rearm_election_timer(&self, server: &Server, ctx: &mut Context<'_, Self>) {
        if server.term < self.max_term {
            ctx.set_timer(Timer::ElectionTimeout, self.election_timeout_ticks);
        } else {
            ctx.cancel_timer(Timer::ElectionTimeout);
        }
    }
}

impl Protocol for RaftVotePersistence {
    type Node = Node;
    type State = Server;
    type Durable = Durable;
    type Msg = Msg;
    type Timer = Timer;
    type Ghost = Ghost;
    // No property or metric reads a message's age or a pause's length.
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    const LEANS_ON: &'static [LeansOn] =
        &[DurableWrites
            .because("a vote lost in a crash lets the voter vote again in the same term")];

    fn largest_time_constant_ticks(&self) -> u32 {
        self.election_timeout_ticks
    }

    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        // One crash, as in the catalog entry; messages arrive within the tick they
        // are sent (Δ = 0: delay plays no part in this bug, and message ages would
        // multiply the space by 30). Both bounds are valid by construction.
        let _ = set.hold(Assumption::MaxCrashes, Some(1));
        let _ = set.hold(Assumption::BoundedDelay, Some(0));
        set
    }

    fn on_start(&self, _node: Node, ctx: &mut Context<'_, Self>) -> Server {
        ctx.set_timer(Timer::ElectionTimeout, self.election_timeout_ticks);
        Server {
            term: 0,
            voted_for: None,
            role: Role::Follower,
            votes: 0,
            reply_to: None,
            campaign_pending: false,
        }
    }

    fn on_message(
        &self,
        node: Node,
        state: &mut Server,
        from: Node,
        msg: &Msg,
        ctx: &mut Context<'_, Self>,
    ) {
        match msg {
            Msg::RequestVote { term } => self.on_request_vote(state, from, *term, ctx),
            Msg::VoteGranted { term } => self.on_vote_granted(node, state, from, *term, ctx),
        }
    }

    fn on_timer(&self, node: Node, state: &mut Server, timer: &Timer, ctx: &mut Context<'_, Self>) {
        match timer {
            Timer::ElectionTimeout => self.start_election(node, state, ctx),
        }
    }

    fn on_durable(&self, node: Node, state: &mut Server, ctx: &mut Context<'_, Self>) {
        self.flushed(node, state, ctx);
    }

    /// A restarted server is a follower with what its disk kept.
    fn on_restart(&self, _node: Node, ctx: &mut Context<'_, Self>) -> Server {
        let durable = *ctx.durable();
        let server = Server {
            term: durable.term,
            voted_for: durable.voted_for,
            role: Role::Follower,
            votes: 0,
            reply_to: None,
            campaign_pending: false,
        };
        self.rearm_election_timer(&server, ctx);
        server
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("election_safety", |_, state| election_safety(state)),
            Property::sometimes("leader_elected", |_, state| !state.ghost.leaders.is_empty()),
        ]
    }

    crate::compiled_here!();
}

/// No two leaders share a term (the list is sorted by term, then server).
fn election_safety(state: &SystemState<RaftVotePersistence>) -> bool {
    state
        .ghost
        .leaders
        .windows(2)
        .all(|pair| pair[0].0 != pair[1].0)
}

impl Declared for RaftVotePersistence {
    const NAME: &'static str = "raft_vote_persistence";
    const FAMILY: &'static str = "recovery";
    const SUMMARY: &'static str =
        "Raft election, 3 servers, one crash; votedFor persisted before the reply, or kept in memory";

    const PARAMS: &'static [Param] = &[
        Param::choice(
            "persist_vote",
            "true",
            &["false", "true", "wait"],
            "false: votedFor in memory; true: persisted, vote sent in the same step (ack, then persist); wait: sent once the disk confirms (persist, wait, ack)",
        ),
        Param::integer(
            "max_term",
            2,
            1..=4,
            "the highest term an election may start",
        ),
        Param::integer(
            "election_timeout_ticks",
            1,
            0..=10,
            "election timeout in local ticks",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let max_term = u8::try_from(params.integer("max_term")?)
            .map_err(|_| "parameter `max_term` does not fit a byte".to_string())?;
        Ok(RaftVotePersistence {
            persist_vote: params.choice("persist_vote")? != "false",
            wait_for_disk: params.choice("persist_vote")? == "wait",
            max_term,
            election_timeout_ticks: params.integer("election_timeout_ticks")?,
        })
    }
}
