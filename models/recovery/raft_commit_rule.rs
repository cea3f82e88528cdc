//! # C5 `raft_commit_rule` — a leader may commit only entries of its own term
//!
//! **Protocol.** Raft log replication and leader election as atomic actions, in the
//! style of the TLA+ Raft specification. A server whose election timer fires
//! (`Timeout`) becomes a candidate for the next term and votes for itself; a server
//! grants a `RequestVote` when the candidate's term is at least its own, it has not
//! voted for somebody else in that term, and the candidate's log is at least as
//! up-to-date as its own (§5.4.1: higher last term, or equal last term and a log at
//! least as long). A candidate with a majority (2 of 3, its own vote included)
//! `BecomeLeader`s. A leader's `ClientRequest` appends an entry of its term.
//! `AppendEntries` is one atomic step from a leader to a follower: the consistency
//! check at `prevLogIndex`, at most one entry, truncation of a conflicting suffix,
//! the follower learning the leader's commit index, and the leader's `matchIndex`
//! for that follower. `AdvanceCommitIndex` moves a leader's commit index to the
//! largest index stored on a majority (by `matchIndex`), per `commit_rule`:
//! - `count_replicas`: any entry stored on a majority is committed, whatever its
//!   term (the rule §5.4.2 shows unsafe);
//! - `current_term_only`: only an entry of the leader's current term is committed
//!   by counting replicas; earlier entries are committed with it, indirectly (Raft,
//!   Figure 2: "`log[N].term == currentTerm`").
//!
//! Any message that shows a server a higher term makes it adopt the term and step
//! down to follower (Figure 2, "Rules for All Servers"): the candidate whose
//! `RequestVote` or the leader whose `AppendEntries` meets a higher term, and the
//! receiver of a higher-term request. `Restart` (with `restart = on`) is the TLA+
//! spec's: a server crashes and comes back as a follower with its persistent state (`currentTerm`,
//! `votedFor`, log) and its volatile state (`commitIndex`, votes, `matchIndex`)
//! reset.
//!
//! **Source.** Ongaro & Ousterhout, "In Search of an Understandable Consensus
//! Algorithm" (USENIX ATC 2014), Figure 2, §5.4.1–§5.4.2 and Figure 8; Ongaro's TLA+
//! specification `raft.tla` (PhD thesis, 2014) for the action structure
//! (`Timeout`, `RequestVote`, `BecomeLeader`, `ClientRequest`, `AppendEntries`,
//! `AdvanceCommitIndex`, `Restart`).
//!
//! **Actors.** Three servers, `S1`, `S2`, `S3` (numbered from 1, as in the paper).
//!
//! **Bounds.** Terms stop at [`TERM_MAX`] = 4 (no `Timeout` from term 4) and logs
//! at [`LOG_ENTRIES_MAX`] = 2 entries (no `ClientRequest` on a full log). An entry
//! is identified by its index and term: one leader per term, and a leader appends
//! at most one entry per index, so the value adds nothing.
//!
//! **Atomic steps, and what they leave out.** A request and its reply are one step,
//! so messages are never lost, duplicated, delayed or reordered; a leader picks any
//! `prevLogIndex` from 0 to the length of its log, which covers every value its
//! `nextIndex` could take, and sends the one entry after it (or none: a heartbeat).
//! A vote already granted is not requested again and a refused vote changes
//! nothing. A leader's `matchIndex` for a follower only grows within its term (its
//! `nextIndex` drops only after a refusal, which changes no `matchIndex`). None of
//! this weakens the safety check: losing or delaying a message is
//! the same, for safety, as a step not taken, and the atomic `RequestVote` and
//! `AppendEntries` do what their request and reply do, in that order.
//!
//! **Assumptions it leans on.** The naive rule (`count_replicas`) leans on "an
//! entry stored on a majority appears in the log of every later leader". That is
//! true only of entries of the leader's own term: an entry of an earlier term can be
//! on a majority while a server with a conflicting entry of a later term still wins
//! an election, because the voters compare last terms, not whether an entry was
//! counted as committed. No timing, loss or crash assumption matters: the model is
//! untimed.
//!
//! **Properties.**
//! - `state_machine_safety` (always): no index is ever committed with two different
//!   entries, and no server ever applies at an index an entry different from the one
//!   another server applied there. A ghost history keeps, per index, the set of entry
//!   terms ever applied there — a leader's or a follower's entries up to its commit
//!   index — and the property asks that each set have at most one member; a server
//!   whose commit index exceeds its log length lost an applied entry, which violates
//!   it too.
//! - `election_safety` (always): no two servers lead the same term.
//! - `entry_committed` (sometimes): some entry has been committed (applied by a
//!   server).
//!
//! **Verdicts** (pinned in `models/recovery/plan.toml` and
//! `tests/suite/raft_commit_rule.rs`; runner BFS, identical for 1 and 2 threads; the
//! search is complete in every case, `election_safety` needing all of it):
//!
//! | `commit_rule` | `state_machine_safety` | `election_safety` | `entry_committed` | states, symmetry on (default) | symmetry off | `restart = on`, symmetry on / off |
//! |---|---|---|---|---:|---:|---:|
//! | `count_replicas` | violated, 19 steps | holds | reached, 6 steps | 125 117 | 743 819 | 437 767 / 2 594 622 (violated, 19 steps) |
//! | `current_term_only` (default) | holds | holds | reached, 6 steps | 98 922 | 587 285 | 406 762 / 2 409 987 (holds) |
//!
//! Release build, one thread: 0.5 s and 0.4 s with the defaults; 3 s and 15 s for
//! `restart = on` with symmetry on and off. Symmetry: the servers are
//! interchangeable (no action or property names one), so `check` stores the least of
//! the six renumberings of each state (the counts above are classes; 743 819 / 125 117
//! = 5.94, nearly every class has six members). `deadlock_free` holds: a candidate
//! always has a `RequestVote` or `BecomeLeader` enabled (a refused vote may be asked
//! again, a stuttering step) and a leader always has `AppendEntries`, and a leader
//! or candidate of term 4 never steps down, so some server always has an action.
//!
//! **Restart is off by default.** The figure's crashes only make a leader give way to
//! a later term, and stepping down on seeing that term does the same; the shortest
//! counterexample is the same 19 steps with `restart = on`, and `current_term_only`
//! holds there too (both pinned in the plan), at 3.5 times the states.
//!
//! **The counterexample and Figure 8.** The paper's Figure 8 has five servers, the
//! contested entry at index 2 and terms 2 to 5. Three servers reproduce it with the
//! contested entry at index 1 and terms 1 to 4: a majority is 2 instead of 3, so
//! one voter plays the figure's two or three. The shortest (BFS) counterexample of
//! `count_replicas`, 19 steps (`synccheck check raft_commit_rule --set
//! commit_rule=count_replicas` prints it with these notes):
//! - (a) steps 1–5: `S1` times out, gets `S2`'s vote, leads term 1 and appends entry
//!   (1, term 1), which stays on `S1` — the figure's S1 leading term 2 with its
//!   entry at index 2 on S1 and S2, a minority of five.
//! - (b) steps 3 and 6–10: `S2` timed out for term 2 (step 3); `S1`'s
//!   `AppendEntries` meets that term and `S1` steps down (the figure's "S1 crashes");
//!   `S1` times out again (term 3, step 7); `S3` votes for `S2`, which leads term 2
//!   and appends a different entry (1, term 2), on `S2` alone — the figure's S5
//!   elected by S3, S4 and itself, appending (2, term 3).
//! - (c) steps 11–16: `S1`'s `RequestVote` for term 3 makes `S2` step down (the
//!   figure's "S5 crashes") but is refused by it (last term 2 > 1); `S2` times out
//!   for term 4 (step 12); `S3` votes for `S1` (its log is empty), `S1` leads term 3,
//!   replicates (1, term 1) to `S3` and counts two replicas: `AdvanceCommitIndex`
//!   commits an entry of term 1 in term 3 (step 16) — panel (c), where S1 (term 4)
//!   has the term-2 entry on S1, S2, S3 "and it is committed" under the naive rule.
//! - (d) steps 17–19: `S3` votes for `S2` in term 4 (`S2`'s last term 2 beats `S3`'s
//!   1 — the figure's S5 elected by S2, S3, S4), `S2` leads term 4 and its
//!   `AppendEntries` overwrites `S1`'s entry (1, term 1), which `S1` has applied, with
//!   (1, term 2): the entry at index 1 changed after it was committed.
//! - (e) is the fix: under `current_term_only` step 16 commits nothing; `S1` must
//!   first append (2, term 3) and replicate it to `S3`, which commits both entries and
//!   makes `S3` refuse `S2` in term 4 (last term 2 < 3): the search finds no
//!   violation.
//!
//! docs/CATALOG.md says "about 20 atomic steps". The shortest run is 19: four elections
//! of three steps each (`Timeout`, one granted `RequestVote`, `BecomeLeader`: steps
//! 1–4, 3–9, 7–14, 12–18, interleaved), two `ClientRequest`s (5, 10), two steps in
//! which a stale leader meets a higher term (6, 11: the figure's crashes), one
//! replication (15), the commit (16) and the overwrite (19). The violation shows at
//! the overwrite because the overwritten server had applied the entry; letting `S2`
//! replicate to `S3` and commit (1, term 2) instead, as the figure's panel (d) goes
//! on to, takes 20 steps. Fewer terms cannot do: the older entry's term, the newer
//! entry's, the later term in which the older entry is counted, and the term in
//! which the newer entry's server wins again and overwrites are four terms (the
//! figure's terms 2 to 5), so `terms ≤ 4` is the least bound that admits the
//! violation.

use crate::model::{Declared, Param, Params};
use crate::registry::PlainModel;
use serde::Serialize;
use stateright::{Model, Property};
use std::fmt;

/// Servers in the cluster.
pub const SERVERS: usize = 3;

/// Votes (or replicas) that make a majority of [`SERVERS`].
pub const MAJORITY: u32 = 2;

/// The highest term; no server times out from it.
pub const TERM_MAX: u8 = 4;

/// The most entries a log holds.
pub const LOG_ENTRIES_MAX: usize = 2;

/// `votedFor` of a server that has not voted in its current term.
const NO_VOTE: u8 = u8::MAX;

/// Which entries a leader may commit by counting replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitRule {
    /// Any entry stored on a majority, whatever its term (unsafe, §5.4.2).
    CountReplicas,
    /// Only an entry of the leader's current term (Raft, Figure 2).
    CurrentTermOnly,
}

impl CommitRule {
    /// The parameter value.
    pub const fn name(self) -> &'static str {
        match self {
            CommitRule::CountReplicas => "count_replicas",
            CommitRule::CurrentTermOnly => "current_term_only",
        }
    }
}

/// The C5 model: three Raft servers under `commit_rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RaftCommitRule {
    /// How a leader decides that an entry is committed.
    pub commit_rule: CommitRule,
    /// Whether servers may crash and restart (the TLA+ spec's `Restart`).
    pub restart: bool,
    /// Whether `check` stores one state per class of server renumberings.
    pub symmetry: bool,
}

impl RaftCommitRule {
    /// The catalog's defaults under `commit_rule`: no `Restart`, symmetry on.
    pub fn new(commit_rule: CommitRule) -> Self {
        RaftCommitRule {
            commit_rule,
            restart: false,
            symmetry: true,
        }
    }

    /// The canonicalization for [`crate::check::run_symmetric`]: the state's
    /// [`RaftState::representative`], with its fingerprint.
    pub fn canonical(&self, state: RaftState) -> (RaftState, u64) {
        let representative = state.representative();
        let fingerprint = crate::check::fingerprint(&representative);
        (representative, fingerprint)
    }
}

/// A server's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Follows a leader, votes.
    Follower,
    /// Asks for votes in its current term.
    Candidate,
    /// Leads its current term.
    Leader,
}

/// The spec's actions; servers are numbered `0..3` (shown as `S1..S3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RaftAction {
    /// A follower or candidate starts an election for the next term.
    Timeout(u8),
    /// A candidate asks a server for its vote, and gets the answer (one step).
    RequestVote {
        /// Asks.
        candidate: u8,
        /// Answers.
        voter: u8,
    },
    /// A candidate with a majority of votes becomes leader.
    BecomeLeader(u8),
    /// A leader appends a client's entry of its current term.
    ClientRequest(u8),
    /// A leader sends the entry after `prev_log_index` (or none) to a follower, and
    /// gets the answer (one step).
    AppendEntries {
        /// Sends.
        leader: u8,
        /// Receives.
        follower: u8,
        /// The index of the entry before the one sent (0: from the start).
        prev_log_index: u8,
    },
    /// A leader commits the largest index stored on a majority, per the rule.
    AdvanceCommitIndex(u8),
    /// A server crashes and restarts with its persistent state.
    Restart(u8),
}

/// A state: every server's variables and the ghost history of applied entries.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RaftState {
    current_term: [u8; SERVERS],
    role: [Role; SERVERS],
    /// The server voted for in the current term, or [`NO_VOTE`].
    voted_for: [u8; SERVERS],
    /// A candidate's votes, bit `j` for server `j`.
    votes_granted: [u8; SERVERS],
    /// Entry terms, index 1 first; 0 marks an empty slot (entry terms are ≥ 1).
    log: [[u8; LOG_ENTRIES_MAX]; SERVERS],
    commit_index: [u8; SERVERS],
    /// A leader's `matchIndex` per server (all 0 unless leader).
    match_index: [[u8; SERVERS]; SERVERS],
    /// Ghost: per index, bit `t - 1` set once an entry of term `t` was applied
    /// there by some server.
    applied_terms: [u8; LOG_ENTRIES_MAX],
}

fn server_name(server: usize) -> String {
    format!("S{}", server + 1)
}

impl RaftState {
    fn initial() -> Self {
        RaftState {
            current_term: [0; SERVERS],
            role: [Role::Follower; SERVERS],
            voted_for: [NO_VOTE; SERVERS],
            votes_granted: [0; SERVERS],
            log: [[0; LOG_ENTRIES_MAX]; SERVERS],
            commit_index: [0; SERVERS],
            match_index: [[0; SERVERS]; SERVERS],
            applied_terms: [0; LOG_ENTRIES_MAX],
        }
    }

    /// The server's term.
    pub fn current_term(&self, server: usize) -> u8 {
        self.current_term[server]
    }

    /// The server's role.
    pub fn role(&self, server: usize) -> Role {
        self.role[server]
    }

    /// The server's commit index.
    pub fn commit_index(&self, server: usize) -> u8 {
        self.commit_index[server]
    }

    /// The terms of the server's entries, index 1 first.
    pub fn log(&self, server: usize) -> &[u8] {
        &self.log[server][..self.log_len(server)]
    }

    /// The terms of the entries ever applied at `index` (1-based), ascending.
    pub fn applied_terms(&self, index: usize) -> Vec<u8> {
        let mask = self.applied_terms[index - 1];
        (1..=TERM_MAX)
            .filter(|t| mask & (1 << (t - 1)) != 0)
            .collect()
    }

    fn log_len(&self, server: usize) -> usize {
        self.log[server].iter().take_while(|&&t| t != 0).count()
    }

    fn last_term(&self, server: usize) -> u8 {
        match self.log_len(server) {
            0 => 0,
            len => self.log[server][len - 1],
        }
    }

    /// The term of the entry at `index` (1-based; 0 for index 0 or no entry).
    fn term_at(&self, server: usize, index: usize) -> u8 {
        match index {
            0 => 0,
            _ => self.log[server][index - 1],
        }
    }

    /// §5.4.1: `candidate`'s log is at least as up-to-date as `voter`'s.
    fn log_up_to_date(&self, candidate: usize, voter: usize) -> bool {
        let (candidate_term, voter_term) = (self.last_term(candidate), self.last_term(voter));
        candidate_term > voter_term
            || (candidate_term == voter_term && self.log_len(candidate) >= self.log_len(voter))
    }

    /// Adopts `term` (when higher) and becomes a follower.
    fn step_down(&mut self, server: usize, term: u8) {
        if term > self.current_term[server] {
            self.current_term[server] = term;
            self.voted_for[server] = NO_VOTE;
        }
        self.role[server] = Role::Follower;
        self.votes_granted[server] = 0;
        self.match_index[server] = [0; SERVERS];
    }

    fn timeout(&mut self, server: usize) {
        self.current_term[server] += 1;
        self.role[server] = Role::Candidate;
        self.voted_for[server] = server as u8;
        self.votes_granted[server] = 1 << server;
    }

    fn request_vote(&mut self, candidate: usize, voter: usize) {
        let term = self.current_term[candidate];
        if self.current_term[voter] > term {
            let higher = self.current_term[voter];
            self.step_down(candidate, higher);
            return;
        }
        if self.current_term[voter] < term {
            self.step_down(voter, term);
        }
        let free = self.voted_for[voter] == NO_VOTE || self.voted_for[voter] == candidate as u8;
        if free && self.log_up_to_date(candidate, voter) {
            self.voted_for[voter] = candidate as u8;
            self.votes_granted[candidate] |= 1 << voter;
        }
    }

    fn become_leader(&mut self, server: usize) {
        self.role[server] = Role::Leader;
        self.votes_granted[server] = 0;
        self.match_index[server] = [0; SERVERS];
    }

    fn client_request(&mut self, server: usize) {
        let len = self.log_len(server);
        self.log[server][len] = self.current_term[server];
    }

    fn append_entries(&mut self, leader: usize, follower: usize, prev_log_index: usize) {
        let term = self.current_term[leader];
        if self.current_term[follower] > term {
            let higher = self.current_term[follower];
            self.step_down(leader, higher);
            return;
        }
        debug_assert!(
            self.role[follower] != Role::Leader || self.current_term[follower] < term,
            "two leaders of term {term}"
        );
        if self.current_term[follower] < term || self.role[follower] != Role::Follower {
            self.step_down(follower, term);
        }
        let consistent = prev_log_index == 0
            || (prev_log_index <= self.log_len(follower)
                && self.term_at(follower, prev_log_index) == self.term_at(leader, prev_log_index));
        if !consistent {
            return;
        }
        let mut last_new_index = prev_log_index;
        if prev_log_index < self.log_len(leader) {
            let entry = self.log[leader][prev_log_index];
            if self.log[follower][prev_log_index] != entry {
                // A conflict: delete the existing entry and all that follow it.
                for slot in &mut self.log[follower][prev_log_index..] {
                    *slot = 0;
                }
                self.log[follower][prev_log_index] = entry;
            }
            last_new_index += 1;
        }
        let leader_commit = self.commit_index[leader];
        if leader_commit > self.commit_index[follower] {
            let learned = leader_commit.min(last_new_index as u8);
            self.commit_index[follower] = self.commit_index[follower].max(learned);
        }
        let known = &mut self.match_index[leader][follower];
        *known = (*known).max(last_new_index as u8);
    }

    /// The index `leader` may commit under `rule`, if larger than its commit index.
    fn commit_candidate(&self, leader: usize, rule: CommitRule) -> Option<u8> {
        let from = usize::from(self.commit_index[leader]) + 1;
        (from..=self.log_len(leader))
            .rev()
            .find(|&index| {
                let replicas = 1
                    + (0..SERVERS)
                        .filter(|&s| {
                            s != leader && usize::from(self.match_index[leader][s]) >= index
                        })
                        .count();
                let term_ok = match rule {
                    CommitRule::CountReplicas => true,
                    CommitRule::CurrentTermOnly => {
                        self.term_at(leader, index) == self.current_term[leader]
                    }
                };
                replicas as u32 >= MAJORITY && term_ok
            })
            .map(|index| index as u8)
    }

    fn restart(&mut self, server: usize) {
        self.role[server] = Role::Follower;
        self.votes_granted[server] = 0;
        self.match_index[server] = [0; SERVERS];
        self.commit_index[server] = 0;
    }

    /// Ghost: records every server's applied entries (its log up to its commit index).
    fn record_applied(&mut self) {
        for server in 0..SERVERS {
            let applied = usize::from(self.commit_index[server]).min(self.log_len(server));
            for index in 0..applied {
                self.applied_terms[index] |= 1 << (self.log[server][index] - 1);
            }
        }
    }

    fn state_machine_safe(&self) -> bool {
        let one_entry_per_index = self.applied_terms.iter().all(|m| m.count_ones() <= 1);
        let nothing_applied_lost =
            (0..SERVERS).all(|s| usize::from(self.commit_index[s]) <= self.log_len(s));
        one_entry_per_index && nothing_applied_lost
    }

    /// This state with server `s` renumbered `permutation[s]`.
    fn permuted(&self, permutation: [usize; SERVERS]) -> Self {
        let mut next = *self;
        let rename = |server: u8| match server {
            NO_VOTE => NO_VOTE,
            _ => permutation[usize::from(server)] as u8,
        };
        let rename_set = |set: u8| {
            (0..SERVERS)
                .filter(|&s| set & (1 << s) != 0)
                .fold(0, |acc, s| acc | (1 << permutation[s]))
        };
        for (s, &to) in permutation.iter().enumerate() {
            next.current_term[to] = self.current_term[s];
            next.role[to] = self.role[s];
            next.voted_for[to] = rename(self.voted_for[s]);
            next.votes_granted[to] = rename_set(self.votes_granted[s]);
            next.log[to] = self.log[s];
            next.commit_index[to] = self.commit_index[s];
            for (other, &other_to) in permutation.iter().enumerate() {
                next.match_index[to][other_to] = self.match_index[s][other];
            }
        }
        next
    }

    /// The canonical member of this state's class under renumbering of the servers
    /// (interchangeable: no action or property names a particular server): the
    /// least of the six renumberings.
    pub fn representative(&self) -> Self {
        const PERMUTATIONS: [[usize; SERVERS]; 6] = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        PERMUTATIONS
            .iter()
            .map(|&p| self.permuted(p))
            .min()
            .unwrap_or(*self)
    }

    fn one_leader_per_term(&self) -> bool {
        (0..SERVERS).all(|a| {
            (a + 1..SERVERS).all(|b| {
                self.role[a] != Role::Leader
                    || self.role[b] != Role::Leader
                    || self.current_term[a] != self.current_term[b]
            })
        })
    }
}

/// A server as explanations and JSON show it.
#[derive(Serialize)]
struct ServerView {
    name: String,
    #[serde(rename = "currentTerm")]
    current_term: u8,
    role: Role,
    #[serde(rename = "votedFor")]
    voted_for: Option<String>,
    #[serde(rename = "votesGranted", skip_serializing_if = "Vec::is_empty")]
    votes_granted: Vec<String>,
    /// Entry terms, index 1 first.
    log: Vec<u8>,
    #[serde(rename = "commitIndex")]
    commit_index: u8,
    #[serde(rename = "matchIndex", skip_serializing_if = "Option::is_none")]
    match_index: Option<Vec<u8>>,
}

/// The state as explanations and JSON show it.
#[derive(Serialize)]
struct StateView {
    servers: Vec<ServerView>,
    /// Per index (index 1 first), the terms of the entries ever applied there.
    applied: Vec<Vec<u8>>,
}

impl From<&RaftState> for StateView {
    fn from(state: &RaftState) -> Self {
        let servers = (0..SERVERS)
            .map(|s| ServerView {
                name: server_name(s),
                current_term: state.current_term[s],
                role: state.role[s],
                voted_for: (state.voted_for[s] != NO_VOTE)
                    .then(|| server_name(usize::from(state.voted_for[s]))),
                votes_granted: (0..SERVERS)
                    .filter(|&v| state.votes_granted[s] & (1 << v) != 0)
                    .map(server_name)
                    .collect(),
                log: state.log(s).to_vec(),
                commit_index: state.commit_index[s],
                match_index: (state.role[s] == Role::Leader).then(|| state.match_index[s].to_vec()),
            })
            .collect();
        let applied = (1..=LOG_ENTRIES_MAX)
            .map(|i| state.applied_terms(i))
            .collect();
        StateView { servers, applied }
    }
}

impl Serialize for RaftState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StateView::from(self).serialize(serializer)
    }
}

impl fmt::Debug for RaftState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = formatter.debug_list();
        for s in 0..SERVERS {
            list.entry(&format_args!(
                "{} t{} {:?} log{:?} commit{}",
                server_name(s),
                self.current_term[s],
                self.role[s],
                self.log(s),
                self.commit_index[s]
            ));
        }
        list.entry(&format_args!("applied{:?}", self.applied_terms));
        list.finish()
    }
}

impl RaftCommitRule {
    /// Whether the spec enables `action` in `state` (stuttering steps included).
    fn is_enabled(&self, state: &RaftState, action: RaftAction) -> bool {
        let in_range = |s: u8| usize::from(s) < SERVERS;
        match action {
            RaftAction::Timeout(s) => {
                in_range(s)
                    && state.role(s.into()) != Role::Leader
                    && state.current_term(s.into()) < TERM_MAX
            }
            RaftAction::RequestVote { candidate, voter } => {
                in_range(candidate)
                    && in_range(voter)
                    && candidate != voter
                    && state.role(candidate.into()) == Role::Candidate
                    && state.votes_granted[usize::from(candidate)] & (1 << voter) == 0
            }
            RaftAction::BecomeLeader(s) => {
                in_range(s)
                    && state.role(s.into()) == Role::Candidate
                    && state.votes_granted[usize::from(s)].count_ones() >= MAJORITY
            }
            RaftAction::ClientRequest(s) => {
                in_range(s)
                    && state.role(s.into()) == Role::Leader
                    && state.log_len(s.into()) < LOG_ENTRIES_MAX
            }
            RaftAction::AppendEntries {
                leader,
                follower,
                prev_log_index,
            } => {
                in_range(leader)
                    && in_range(follower)
                    && leader != follower
                    && state.role(leader.into()) == Role::Leader
                    && usize::from(prev_log_index) <= state.log_len(leader.into())
            }
            RaftAction::AdvanceCommitIndex(s) => {
                in_range(s) && state.role(s.into()) == Role::Leader
            }
            RaftAction::Restart(s) => in_range(s) && self.restart,
        }
    }

    /// The state after `action`, which must be enabled.
    fn after(&self, state: &RaftState, action: RaftAction) -> RaftState {
        let mut next = *state;
        match action {
            RaftAction::Timeout(s) => next.timeout(s.into()),
            RaftAction::RequestVote { candidate, voter } => {
                next.request_vote(candidate.into(), voter.into())
            }
            RaftAction::BecomeLeader(s) => next.become_leader(s.into()),
            RaftAction::ClientRequest(s) => next.client_request(s.into()),
            RaftAction::AppendEntries {
                leader,
                follower,
                prev_log_index,
            } => next.append_entries(leader.into(), follower.into(), prev_log_index.into()),
            RaftAction::AdvanceCommitIndex(s) => {
                if let Some(index) = next.commit_candidate(s.into(), self.commit_rule) {
                    next.commit_index[usize::from(s)] = index;
                }
            }
            RaftAction::Restart(s) => next.restart(s.into()),
        }
        next.record_applied();
        next
    }
}

impl Model for RaftCommitRule {
    type State = RaftState;
    type Action = RaftAction;

    fn init_states(&self) -> Vec<RaftState> {
        vec![RaftState::initial()]
    }

    /// Every action the spec enables, stuttering ones included (so `Restart` keeps
    /// every state live, as in the TLA+ spec).
    fn actions(&self, state: &RaftState, actions: &mut Vec<RaftAction>) {
        let mut push = |action: RaftAction| {
            if self.is_enabled(state, action) {
                actions.push(action);
            }
        };
        for s in 0..SERVERS as u8 {
            push(RaftAction::Timeout(s));
            push(RaftAction::BecomeLeader(s));
            push(RaftAction::ClientRequest(s));
            push(RaftAction::AdvanceCommitIndex(s));
            for other in 0..SERVERS as u8 {
                push(RaftAction::RequestVote {
                    candidate: s,
                    voter: other,
                });
                for prev_log_index in 0..=LOG_ENTRIES_MAX as u8 {
                    push(RaftAction::AppendEntries {
                        leader: s,
                        follower: other,
                        prev_log_index,
                    });
                }
            }
            push(RaftAction::Restart(s));
        }
    }

    /// The successor, or `None` when `action` is disabled or a stuttering step.
    fn next_state(&self, state: &RaftState, action: RaftAction) -> Option<RaftState> {
        if !self.is_enabled(state, action) {
            return None;
        }
        let next = self.after(state, action);
        (next != *state).then_some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("state_machine_safety", |_, state: &RaftState| {
                state.state_machine_safe()
            }),
            Property::always("election_safety", |_, state: &RaftState| {
                state.one_leader_per_term()
            }),
            Property::sometimes("entry_committed", |_, state: &RaftState| {
                state.applied_terms.iter().any(|&m| m != 0)
            }),
        ]
    }
}

/// No action is weakly fair: the model declares no liveness property.
impl crate::liveness::Fairness for RaftCommitRule {}

/// What changed in one step, in the protocol's words (the step's annotations):
/// terms adopted, elections, votes, entries stored or overwritten, commits, and the
/// broken property.
fn describe_step(before: &RaftState, action: RaftAction, after: &RaftState) -> Vec<String> {
    let mut notes = Vec::new();
    for s in 0..SERVERS {
        describe_role_change(before, after, s, &mut notes);
    }
    for s in 0..SERVERS {
        let granted = after.votes_granted[s] & !before.votes_granted[s];
        for voter in (0..SERVERS).filter(|&v| granted & (1 << v) != 0 && v != s) {
            notes.push(format!(
                "{} votes for {} in term {}",
                server_name(voter),
                server_name(s),
                after.current_term[s]
            ));
        }
    }
    if let RaftAction::RequestVote { candidate, voter } = action {
        let (candidate, voter) = (usize::from(candidate), usize::from(voter));
        if after.votes_granted[candidate] == before.votes_granted[candidate]
            && after.role[candidate] == Role::Candidate
        {
            notes.push(format!(
                "{} refuses: it voted for another in term {}, or {}'s log is less up-to-date",
                server_name(voter),
                after.current_term[voter],
                server_name(candidate)
            ));
        }
    }
    for s in 0..SERVERS {
        describe_log_change(before, after, s, &mut notes);
    }
    for s in 0..SERVERS {
        if after.commit_index[s] > before.commit_index[s] {
            describe_commit(before, after, s, action, &mut notes);
        }
    }
    if before.state_machine_safe() && !after.state_machine_safe() {
        notes.push(violation_note(after));
    }
    notes
}

fn describe_role_change(before: &RaftState, after: &RaftState, s: usize, notes: &mut Vec<String>) {
    let name = server_name(s);
    let term = after.current_term[s];
    let (was, is) = (before.role[s], after.role[s]);
    if term != before.current_term[s] && is == Role::Follower {
        match was {
            Role::Follower => notes.push(format!("{name} adopts term {term}")),
            _ => notes.push(format!(
                "{name} sees term {term} and steps down from {} to follower",
                format!("{was:?}").to_lowercase()
            )),
        }
    }
    if is == Role::Candidate && (was != Role::Candidate || term != before.current_term[s]) {
        notes.push(format!("{name} is candidate for term {term}"));
    }
    if is == Role::Leader && was != Role::Leader {
        notes.push(format!("{name} is leader of term {term}"));
    }
    if is == Role::Follower && was != Role::Follower && term == before.current_term[s] {
        notes.push(format!("{name} is follower again (term {term})"));
    }
    if after.commit_index[s] < before.commit_index[s] {
        notes.push(format!("{name} forgets its commit index"));
    }
}

fn describe_log_change(before: &RaftState, after: &RaftState, s: usize, notes: &mut Vec<String>) {
    let name = server_name(s);
    for index in 1..=LOG_ENTRIES_MAX {
        let (old, new) = (before.term_at(s, index), after.term_at(s, index));
        if old == new || new == 0 {
            continue;
        }
        if old == 0 {
            notes.push(format!("{name} stores entry (index {index}, term {new})"));
            continue;
        }
        let committed = before.applied_terms[index - 1] & (1 << (old - 1)) != 0;
        let own = index <= usize::from(before.commit_index[s]);
        notes.push(format!(
            "{name} overwrites {}entry (index {index}, term {old}) with (index {index}, term {new}){}",
            if committed { "the committed " } else { "" },
            if own { ", below its own commit index" } else { "" }
        ));
    }
}

fn describe_commit(
    before: &RaftState,
    after: &RaftState,
    s: usize,
    action: RaftAction,
    notes: &mut Vec<String>,
) {
    let name = server_name(s);
    let term = after.current_term[s];
    for index in usize::from(before.commit_index[s]) + 1..=usize::from(after.commit_index[s]) {
        let entry_term = after.term_at(s, index);
        let how = match action {
            RaftAction::AdvanceCommitIndex(_) if entry_term < term => {
                format!(", an entry of an earlier term, by counting its replicas in term {term}")
            }
            RaftAction::AdvanceCommitIndex(_) => format!(", counting its replicas in term {term}"),
            _ => String::from(", learned from the leader"),
        };
        notes.push(format!(
            "{name} commits entry (index {index}, term {entry_term}){how}"
        ));
    }
}

fn violation_note(state: &RaftState) -> String {
    for index in 1..=LOG_ENTRIES_MAX {
        let terms = state.applied_terms(index);
        if terms.len() > 1 {
            let terms: Vec<String> = terms.iter().map(u8::to_string).collect();
            return format!(
                "state machine safety broken: the committed entry at index {index} changed \
                 (entries of terms {} were both applied there)",
                terms.join(" and ")
            );
        }
    }
    String::from("state machine safety broken: a server lost an entry it applied")
}

impl crate::report::Explain for RaftCommitRule {
    fn explain_state(&self, state: &RaftState) -> serde_json::Value {
        serde_json::to_value(state).unwrap_or_else(|e| serde_json::Value::String(e.to_string()))
    }

    fn explain_action(&self, action: &RaftAction) -> (String, serde_json::Value) {
        let detail = serde_json::to_value(action)
            .unwrap_or_else(|e| serde_json::Value::String(e.to_string()));
        let s = |server: u8| server_name(server.into());
        let text = match *action {
            RaftAction::Timeout(i) => format!("Timeout: {} starts an election", s(i)),
            RaftAction::RequestVote { candidate, voter } => {
                format!(
                    "RequestVote: {} asks {} for its vote",
                    s(candidate),
                    s(voter)
                )
            }
            RaftAction::BecomeLeader(i) => format!("BecomeLeader: {} counts a majority", s(i)),
            RaftAction::ClientRequest(i) => format!("ClientRequest: {} appends an entry", s(i)),
            RaftAction::AppendEntries {
                leader,
                follower,
                prev_log_index,
            } => format!(
                "AppendEntries: {} -> {}, prevLogIndex {prev_log_index}",
                s(leader),
                s(follower)
            ),
            RaftAction::AdvanceCommitIndex(i) => {
                format!(
                    "AdvanceCommitIndex: {} commits what a majority stores",
                    s(i)
                )
            }
            RaftAction::Restart(i) => format!("Restart: {} crashes and restarts", s(i)),
        };
        (text, detail)
    }

    fn node_names(&self) -> Vec<String> {
        (0..SERVERS).map(server_name).collect()
    }

    /// The default trace, with each step annotated by what it changed: votes, roles,
    /// entries stored or overwritten, commits (and whether of an earlier term).
    fn explain_path(&self, path: &crate::check::Path<Self>) -> crate::report::TraceReport {
        let mut steps = Vec::with_capacity(path.actions.len());
        for (index, action) in path.actions.iter().enumerate() {
            let (before, after) = (&path.states[index], &path.states[index + 1]);
            let (text, action_detail) = self.explain_action(action);
            steps.push(crate::report::StepReport {
                index: index + 1,
                time_ticks: None,
                action: text,
                action_detail,
                clock_offsets_ticks: None,
                state: self.explain_state(after),
                annotations: Vec::new(),
                notes: describe_step(before, *action, after),
            });
        }
        crate::report::TraceReport {
            length: path.len(),
            initial_state: self.explain_state(&path.states[0]),
            steps,
            breaks: Vec::new(),
            loop_start: None,
            fewest_breaks: None,
        }
    }
}

impl Declared for RaftCommitRule {
    const NAME: &'static str = "raft_commit_rule";
    const FAMILY: &'static str = "recovery";
    const SUMMARY: &'static str =
        "Raft commit rule (Figure 8): counting replicas of an earlier-term entry is unsafe";
    const PARAMS: &'static [Param] = &[
        Param::choice(
            "commit_rule",
            "current_term_only",
            &["count_replicas", "current_term_only"],
            "which entries a leader commits by counting replicas",
        ),
        Param::switch(
            "restart",
            false,
            "whether servers may crash and restart (TLA+ Restart; 3.5x the states)",
        ),
        Param::switch(
            "symmetry",
            true,
            "store one state per class of server renumberings (counts become classes)",
        ),
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(RaftCommitRule {
            commit_rule: params.pick(
                "commit_rule",
                &[
                    ("count_replicas", CommitRule::CountReplicas),
                    ("current_term_only", CommitRule::CurrentTermOnly),
                ],
            )?,
            restart: params.on("restart")?,
            symmetry: params.on("symmetry")?,
        })
    }
}

impl PlainModel for RaftCommitRule {
    fn canonicalizer(&self) -> Option<crate::check::Canonicalize<Self>> {
        let canonical: crate::check::Canonicalize<Self> = RaftCommitRule::canonical;
        self.symmetry.then_some(canonical)
    }
}
