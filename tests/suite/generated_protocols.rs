//! Every reduction against the plain search, on protocols nobody wrote by hand.
//!
//! The catalog's models and the tests' small protocols are what the reductions were
//! built against; a reduction that is wrong only where none of them goes would pass
//! every other test. Here a seeded generator writes protocols as tables — three nodes,
//! each a small state machine reacting to two messages, two timers and its writes
//! reaching disk, sending, setting timers (fixed and windowed), persisting, marking a
//! ghost counter, reading its clock offset, crashing and restarting from what it
//! persisted — with properties of all three kinds and a metric. Each is checked under
//! an assumption set drawn from the ones users run (everything relaxed but one crash at
//! most, with and without duplication, bounds held on skew, delay and pause, the benign
//! defaults with some relaxed), once plainly (`--no-lean`, no symmetry, no subsumption,
//! no drift classes: every quantity stored, every state expanded) and then twice more:
//! with every reduction the protocol's declarations allow — the lean state, the message
//! set, subsumption, drift classes and their guide, symmetry where two nodes share a
//! table, dropping the messages a node in an absorbing state ignores — and with one of
//! symmetry, subsumption, drift classes or their guide off (or on two threads). Where
//! both searches finish, every verdict, counterexample, lasso and example length,
//! fewest-breaks answer and metric must be equal (lengths may be shorter only where the
//! contracts allow it), and each path of either search must replay and show what it
//! claims.
//!
//! `SYNCCHECK_SEEDS=N` runs N seeds (200 by default, sized for CI: 18 s wall, 33 s CPU
//! in release on two cores with the suite at `opt-level = 3`, 12.6 s and 22.0 s at 1
//! at a faster hour; 400 took twice that) from `SYNCCHECK_FIRST_SEED` (0 by default,
//! so a long sweep can go on past the seeds swept before), `SYNCCHECK_SEED=S` runs
//! seed S alone, printing what it compared, and `SYNCCHECK_PLAIN_STATES=M` compares
//! seeds whose plain search has up to M states (40 000 by default).

use std::collections::BTreeMap;
use synccheck::check::Verdict;
use synccheck::report::FewestBreaks;
use synccheck::system::{AssumptionSet, Context, Property, Protocol, Symmetry, SystemState};
use synccheck::testing::{assert_replays, assert_witnessed, check, CheckBuilder, Checked};

synccheck::nodes! {
    enum Node {
        A = "a",
        B = "b",
        C = "c" [no_crash],
    }
}

const NODES: [Node; 3] = [Node::A, Node::B, Node::C];
/// States of each node's machine: 0 (start) to `STATES - 1`.
const STATES: u8 = 3;
/// Message tags 0 and 1.
const MESSAGES: u8 = 2;
/// Timers 0 and 1.
const TIMERS: u8 = 2;
/// Inputs of a state: each message, each timer, the call back of a write on disk.
const INPUTS: usize = (MESSAGES + TIMERS + 1) as usize;
/// The longest timer.
const LONGEST: u32 = 3;
/// The ghost counter saturates here.
const MARKS_MAX: u8 = 2;
/// A node's state while it is down, as the properties see it.
const DOWN: u8 = 9;

// ------------------------------------------------------------------ the tables ----

/// Where a send goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dest {
    /// One node, by its position (never the sender).
    To(usize),
    /// The sender of the message being handled.
    Reply,
    /// The other of the two interchangeable nodes (symmetric tables only).
    Other,
    /// Both interchangeable nodes (symmetric tables only).
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimerOp {
    Keep,
    Set(u8, u32),
    Within(u8, u32, u32),
    Cancel(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Persist {
    No,
    Now,
    AndWait,
}

/// What a node does on one input in one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Act {
    /// The next state (`None`: stay).
    next: Option<u8>,
    /// The next state instead while the node's clock is ahead of true time.
    ahead: Option<u8>,
    send: Option<(Dest, u8)>,
    timer: TimerOp,
    /// Count one more mark in the ghost.
    mark: bool,
    /// Persist the state the node moves to.
    persist: Persist,
}

const NOTHING: Act = Act {
    next: None,
    ahead: None,
    send: None,
    timer: TimerOp::Keep,
    mark: false,
    persist: Persist::No,
};

/// One role's machine.
#[derive(Clone, Debug)]
struct Table {
    start: Act,
    /// `[state][input]`.
    acts: Vec<[Act; INPUTS]>,
    /// A restarted node resumes at the state it persisted (else at 0).
    restart_from_durable: bool,
    /// The last state does nothing on any input: a node there ignores every message
    /// for ever (what `ignores` says when `drop` is on).
    absorbing: bool,
}

/// A generated protocol.
#[derive(Clone, Debug)]
struct Generated {
    /// Nodes A and B share table 0 and are declared interchangeable; C has table 1.
    symmetric: bool,
    tables: Vec<Table>,
    /// Declare the absorbing states' messages ignored (`Protocol::ignores`).
    drop: bool,
    /// `safe`: never A in `pa` and B in `pb` (symmetric: never both workers in `pa`),
    /// and never more than `marks` marks.
    pa: u8,
    pb: u8,
    marks: u8,
    /// `reach`: C sometimes in `pc`.
    pc: u8,
    /// `settles`: eventually A (symmetric: a worker) in `pe`; only where `live` (an
    /// `eventually` property turns subsumption off and keeps the message set from
    /// deciding alone).
    live: bool,
    pe: u8,
    /// The combinations of A's, B's and C's states of the `at_I` properties.
    targets: [(u8, u8, u8); TARGETS],
}

/// splitmix64: a seed is the whole protocol.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn state(&mut self) -> u8 {
        self.below(u64::from(STATES)) as u8
    }
}

impl Generated {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let symmetric = rng.chance(30);
        let roles = if symmetric { 2 } else { 3 };
        let tables = (0..roles)
            .map(|role| Self::table(&mut rng, symmetric, role))
            .collect();
        Generated {
            symmetric,
            tables,
            drop: rng.chance(60),
            pa: rng.state(),
            pb: rng.state(),
            marks: rng.below(u64::from(MARKS_MAX) + 1) as u8,
            pc: rng.state(),
            live: rng.chance(50),
            pe: rng.state(),
            targets: std::array::from_fn(|_| {
                let mut worker = || if rng.chance(15) { DOWN } else { rng.state() };
                (worker(), worker(), rng.state())
            }),
        }
    }

    /// The same protocol with no handler reading its clock offset: where `bounded_skew`
    /// is relaxed the engine stores no offset, and a handler that reads one ends the
    /// check with an error
    /// (`clock_reads::a_handler_reading_its_clock_where_skew_is_relaxed_is_an_error`).
    fn without_clock_reads(mut self) -> Self {
        for table in &mut self.tables {
            table.start.ahead = None;
            for act in table.acts.iter_mut().flatten() {
                act.ahead = None;
            }
        }
        self
    }

    fn table(rng: &mut Rng, symmetric: bool, role: usize) -> Table {
        let absorbing = rng.chance(50);
        let acts = (0..STATES)
            .map(|state| {
                let mut row = [NOTHING; INPUTS];
                if !(absorbing && state == STATES - 1) {
                    for (input, act) in row.iter_mut().enumerate() {
                        // Some inputs do nothing in some states, as in real handlers.
                        if rng.chance(70) {
                            let replies = input < usize::from(MESSAGES);
                            *act = Self::act(rng, symmetric, role, replies);
                        }
                    }
                }
                row
            })
            .collect();
        Table {
            start: Self::act(rng, symmetric, role, false),
            acts,
            restart_from_durable: rng.chance(50),
            absorbing,
        }
    }

    fn act(rng: &mut Rng, symmetric: bool, role: usize, replies: bool) -> Act {
        let send = rng.chance(55).then(|| {
            let dest = match (symmetric, role) {
                (false, _) => {
                    if replies && rng.chance(40) {
                        Dest::Reply
                    } else {
                        Dest::To((role + 1 + rng.below(2) as usize) % 3)
                    }
                }
                // A worker: to C, to whoever sent, or to the other worker.
                (true, 0) => match rng.below(if replies { 3 } else { 2 }) {
                    0 => Dest::To(2),
                    1 => Dest::Other,
                    _ => Dest::Reply,
                },
                // C: to both workers, or to whoever sent.
                (true, _) => {
                    if replies && rng.chance(50) {
                        Dest::Reply
                    } else {
                        Dest::Both
                    }
                }
            };
            (dest, rng.below(u64::from(MESSAGES)) as u8)
        });
        let timer = match rng.below(10) {
            0..=1 => TimerOp::Set(
                rng.below(u64::from(TIMERS)) as u8,
                1 + rng.below(u64::from(LONGEST)) as u32,
            ),
            2 => {
                let earliest = rng.below(2) as u32;
                TimerOp::Within(
                    rng.below(u64::from(TIMERS)) as u8,
                    earliest,
                    earliest + 1 + rng.below(2) as u32,
                )
            }
            3 => TimerOp::Cancel(rng.below(u64::from(TIMERS)) as u8),
            _ => TimerOp::Keep,
        };
        Act {
            next: rng.chance(75).then(|| rng.state()),
            ahead: rng.chance(30).then(|| rng.state()),
            send,
            timer,
            mark: rng.chance(20),
            persist: match rng.below(10) {
                0 => Persist::Now,
                1 => Persist::AndWait,
                _ => Persist::No,
            },
        }
    }

    fn role(&self, node: Node) -> usize {
        match (self.symmetric, node) {
            (true, Node::A | Node::B) => 0,
            (true, Node::C) => 1,
            (false, node) => node as usize,
        }
    }

    fn table_of(&self, node: Node) -> &Table {
        &self.tables[self.role(node)]
    }

    /// Runs `act` at `node`, which moves from `state`; `from` is the sender of the
    /// message being handled.
    fn run(
        &self,
        act: Act,
        node: Node,
        state: u8,
        from: Option<Node>,
        ctx: &mut Context<'_, Self>,
    ) -> u8 {
        let mut next = act.next.unwrap_or(state);
        if let Some(ahead) = act.ahead {
            if ctx.clock_offset_ticks() > 0 {
                next = ahead;
            }
        }
        if let Some((dest, msg)) = act.send {
            let others = [Node::A, Node::B];
            match dest {
                Dest::To(index) => ctx.send(NODES[index], msg),
                Dest::Reply => {
                    if let Some(from) = from {
                        ctx.send(from, msg);
                    }
                }
                Dest::Other => {
                    if let Some(&other) = others.iter().find(|&&other| other != node) {
                        ctx.send(other, msg);
                    }
                }
                Dest::Both => others.iter().for_each(|&to| ctx.send(to, msg)),
            }
        }
        match act.timer {
            TimerOp::Keep => {}
            TimerOp::Set(timer, ticks) => ctx.set_timer(timer, ticks),
            TimerOp::Within(timer, earliest, latest) => {
                ctx.set_timer_within(timer, earliest, latest);
            }
            TimerOp::Cancel(timer) => ctx.cancel_timer(timer),
        }
        if act.mark && *ctx.ghost() < MARKS_MAX {
            *ctx.ghost_mut() += 1;
        }
        match act.persist {
            Persist::No => {}
            Persist::Now => ctx.persist(next),
            Persist::AndWait => ctx.persist_and_wait(next),
        }
        next
    }

    fn react(
        &self,
        node: Node,
        state: &mut u8,
        input: usize,
        from: Option<Node>,
        ctx: &mut Context<'_, Self>,
    ) {
        let act = self.table_of(node).acts[usize::from(*state)][input];
        *state = self.run(act, node, *state, from, ctx);
    }
}

fn state_of(state: &SystemState<Generated>, node: Node) -> u8 {
    state.node_state(node).copied().unwrap_or(DOWN)
}

/// Whether the nodes are at the protocol's `I`th target combination of states: A, B
/// and C (`DOWN`: crashed; with symmetry declared, A and B in either order).
fn at<const I: usize>(p: &Generated, state: &SystemState<Generated>) -> bool {
    let (a, b, c) = p.targets[I];
    let (x, y) = (state_of(state, Node::A), state_of(state, Node::B));
    let workers = (x, y) == (a, b) || (p.symmetric && (y, x) == (a, b));
    workers && state_of(state, Node::C) == c
}

type Condition = fn(&Generated, &SystemState<Generated>) -> bool;

/// How many combinations of the nodes' states a protocol asks about: the engine's
/// most properties, 16, less the three above.
const TARGETS: usize = 13;

/// One `sometimes` property per target combination of the nodes' states: their
/// verdicts say which combinations are reachable, their example lengths how soon, so
/// two searches that agree on them agree on much of the states' projection onto the
/// nodes' machines and its BFS depths, a far finer test than the three properties.
const PROJECTIONS: [(&str, Condition); TARGETS] = [
    ("at_0", at::<0>),
    ("at_1", at::<1>),
    ("at_2", at::<2>),
    ("at_3", at::<3>),
    ("at_4", at::<4>),
    ("at_5", at::<5>),
    ("at_6", at::<6>),
    ("at_7", at::<7>),
    ("at_8", at::<8>),
    ("at_9", at::<9>),
    ("at_10", at::<10>),
    ("at_11", at::<11>),
    ("at_12", at::<12>),
];

impl Protocol for Generated {
    type Node = Node;
    type State = u8;
    type Durable = u8;
    type Msg = u8;
    type Timer = u8;
    type Ghost = u8;

    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;
    const DROPS_IGNORED: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        LONGEST
    }

    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> u8 {
        self.run(self.table_of(node).start, node, 0, None, ctx)
    }

    fn on_restart(&self, node: Node, ctx: &mut Context<'_, Self>) -> u8 {
        if self.table_of(node).restart_from_durable {
            *ctx.durable()
        } else {
            self.on_start(node, ctx)
        }
    }

    fn on_message(
        &self,
        node: Node,
        state: &mut u8,
        from: Node,
        msg: &u8,
        ctx: &mut Context<'_, Self>,
    ) {
        self.react(node, state, usize::from(*msg), Some(from), ctx);
    }

    fn on_timer(&self, node: Node, state: &mut u8, timer: &u8, ctx: &mut Context<'_, Self>) {
        self.react(node, state, usize::from(MESSAGES + *timer), None, ctx);
    }

    fn on_durable(&self, node: Node, state: &mut u8, ctx: &mut Context<'_, Self>) {
        self.react(node, state, usize::from(MESSAGES + TIMERS), None, ctx);
    }

    fn ignores(&self, node: Node, state: &u8, _: Node, _: &u8, _: &AssumptionSet) -> bool {
        self.drop && self.table_of(node).absorbing && *state == STATES - 1
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut properties: Vec<_> = [
            Property::always("safe", |p, state| {
                let (a, b) = (state_of(state, Node::A), state_of(state, Node::B));
                let both = if p.symmetric {
                    a == p.pa && b == p.pa
                } else {
                    a == p.pa && b == p.pb
                };
                !both && *state.ghost <= p.marks
            }),
            Property::sometimes("reach", |p, state| state_of(state, Node::C) == p.pc),
            Property::eventually("settles", |p, state| {
                let a = state_of(state, Node::A) == p.pe;
                a || (p.symmetric && state_of(state, Node::B) == p.pe)
            }),
        ]
        .into_iter()
        .filter(|property| self.live || property.name != "settles")
        .collect();
        let projections = PROJECTIONS.iter();
        properties.extend(projections.map(|&(name, at)| Property::sometimes(name, at)));
        properties
    }

    fn symmetry(&self) -> Symmetry<Self> {
        if self.symmetric {
            Symmetry::groups(&[&[Node::A, Node::B]])
        } else {
            Symmetry::none()
        }
    }

    fn metrics(&self, state: &SystemState<Self>) -> Vec<(&'static str, u64)> {
        vec![("marks", u64::from(*state.ghost))]
    }
}

// ------------------------------------------------------------- the comparison ----

/// The assumption sets a seed is checked under: whether every assumption is relaxed
/// first, then what is held and what relaxed.
const SETTINGS: &[(&str, bool, &[&str], &[&str])] = &[
    ("defaults", false, &[], &[]),
    (
        "everything relaxed but duplication, one crash",
        true,
        &["no_duplication", "max_crashes=1"],
        &[],
    ),
    (
        "everything relaxed, one crash",
        true,
        &["max_crashes=1"],
        &[],
    ),
    (
        "everything relaxed but duplication, skew held at 1",
        true,
        &["no_duplication", "max_crashes=1", "bounded_skew=1"],
        &[],
    ),
    (
        "everything relaxed but duplication, delay and pause held at 1",
        true,
        &[
            "no_duplication",
            "max_crashes=1",
            "bounded_delay=1",
            "bounded_pause=1",
        ],
        &[],
    ),
    (
        "defaults, loss and late timers",
        false,
        &[],
        &["reliable_links", "timely_timers"],
    ),
    ("defaults, skew relaxed", false, &[], &["bounded_skew"]),
    (
        "defaults, skew held at 2, one crash",
        false,
        &["bounded_skew=2", "max_crashes=1"],
        &[],
    ),
    (
        "everything relaxed but duplication, timers on time, skew held at 2",
        true,
        &[
            "no_duplication",
            "max_crashes=1",
            "timely_timers",
            "bounded_skew=2",
        ],
        &[],
    ),
    (
        "defaults, skew held at 1, pauses relaxed, one crash",
        false,
        &["bounded_skew=1", "max_crashes=1"],
        &["bounded_pause"],
    ),
    (
        "defaults, delay and pauses held at 2",
        false,
        &["bounded_delay=2", "bounded_pause=2"],
        &[],
    ),
    (
        "defaults, skew and pauses relaxed, loss",
        false,
        &[],
        &["bounded_skew", "bounded_pause", "reliable_links"],
    ),
];

/// The reduced searches compared with the plain one: every reduction on, then each
/// turned off in turn.
const REDUCED: &[&str] = &[
    "all",
    "all, two threads",
    "no symmetry",
    "no subsumption",
    "no drift classes",
    "no class guide",
];

/// A plain search that passes this many states is not compared
/// (`SYNCCHECK_PLAIN_STATES` sets another bound).
fn plain_states_max() -> usize {
    std::env::var("SYNCCHECK_PLAIN_STATES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40_000)
}

fn builder(protocol: &Generated, setting: usize) -> CheckBuilder<Generated> {
    let (_, relax_all, hold, relax) = SETTINGS[setting];
    let mut builder = check(protocol.clone());
    if relax_all {
        builder = builder.relax_all();
    }
    for spec in hold {
        builder = builder.hold(spec);
    }
    for name in relax {
        builder = builder.relax(name);
    }
    builder.threads(1)
}

/// Whether `assumption` is relaxed in setting `setting`.
fn relaxed_in(setting: usize, assumption: &str) -> bool {
    let (_, relax_all, hold, relax) = SETTINGS[setting];
    let named = |list: &[&str]| {
        list.iter()
            .any(|spec| spec.split('=').next() == Some(assumption))
    };
    if relax_all {
        !named(hold)
    } else {
        // The defaults hold everything but `fifo_links`.
        named(relax) || assumption == "fifo_links"
    }
}

/// Asserts that the path `checked` shows for `property` with `verdict` is a run of
/// its system and shows the verdict ([`assert_witnessed`]); a violation or an example
/// must have one.
#[track_caller]
fn assert_shows(checked: &Checked<Generated>, property: &str, verdict: Verdict, context: &str) {
    let Some(path) = checked
        .outcome
        .property(property)
        .and_then(|p| p.path.as_ref())
    else {
        assert!(
            !matches!(verdict, Verdict::Violated | Verdict::Reached),
            "{context}: `{property}` is {} with no path",
            verdict.name()
        );
        return;
    };
    assert_replays(&checked.system, path);
    assert_witnessed(&checked.system, context, property, verdict, path);
}

/// What one search says, property by property, for the comparison.
#[derive(Debug)]
struct Said {
    verdict: Verdict,
    /// An `eventually` property's: its counterexample is a lasso, the
    /// shallowest-entered fair loop of the graph as far as it was searched when one was
    /// found (`synccheck::liveness`), which dropping ignored messages changes.
    lasso: bool,
    counterexample: Option<usize>,
    example: Option<usize>,
    /// Whether the counterexample breaks the fewest assumptions of its length, and how
    /// many it breaks.
    fewest_breaks: Option<(FewestBreaks, usize)>,
    /// The assumptions it breaks, each at its first break's step: read only through
    /// `Debug`, in a failure's message.
    #[allow(dead_code)]
    breaks: Vec<(String, usize)>,
}

fn said(checked: &Checked<Generated>) -> BTreeMap<String, Said> {
    checked
        .report
        .properties
        .iter()
        .map(|p| {
            let trace = p.counterexample.as_ref();
            // `breaks` names each broken assumption once (its first break).
            let fewest = trace.and_then(|t| Some((t.fewest_breaks?, t.breaks.len())));
            let said = Said {
                verdict: p.verdict,
                lasso: p.kind == synccheck::system::PropertyKind::Eventually,
                counterexample: trace.map(|t| t.length),
                example: p.example_length,
                fewest_breaks: fewest,
                breaks: trace
                    .map(|t| {
                        t.breaks
                            .iter()
                            .map(|b| (b.assumption.clone(), b.step))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            (p.name.clone(), said)
        })
        .collect()
}

/// What the comparisons covered.
#[derive(Debug, Default)]
struct Tally {
    seeds_compared: usize,
    seeds_too_large: usize,
    compared: BTreeMap<&'static str, usize>,
    reduced_fewer_states: usize,
    /// Reduced searches that ran on drift classes, deciding something there.
    drift_classes: usize,
    /// Reduced searches that ran on the message set.
    message_set: usize,
    /// Reduced searches reduced by symmetry.
    symmetry: usize,
    /// Reduced searches that left some state unexpanded by subsumption.
    subsumption: usize,
}

/// Compares the searches of seed `seed`; a difference panics naming the seed, the
/// setting, the reduction and the property.
fn compare_seed(seed: u64, tally: &mut Tally, verbose: bool) {
    // The setting and the second reduced search come from a stream of their own, so
    // that each half of the seeds meets every one.
    let mut pick = Rng(!seed);
    let setting = pick.below(SETTINGS.len() as u64) as usize;
    let name = SETTINGS[setting].0;
    let protocol = match relaxed_in(setting, "bounded_skew") {
        true => Generated::new(seed).without_clock_reads(),
        false => Generated::new(seed),
    };
    let plain = builder(&protocol, setting)
        .no_lean()
        .no_symmetry()
        .no_subsumption()
        .no_drift_classes()
        .no_class_guide()
        .max_states(plain_states_max())
        .try_run()
        .unwrap_or_else(|error| panic!("seed {seed} ({name}), plain search: {error}"));
    if !plain.report.complete {
        tally.seeds_too_large += 1;
        if verbose {
            println!(
                "seed {seed} ({name}): plain search cut at {} states",
                plain.report.stats.unique_states
            );
        }
        return;
    }
    tally.seeds_compared += 1;
    let expected = said(&plain);
    // A run may be shorter than the plain search's where the contracts say so: with
    // duplication relaxed, the message set and the drop are not held to the plain
    // search's cap on messages in flight (`Protocol::MESSAGE_SET`,
    // `Protocol::DROPS_IGNORED`); where a message is dropped as ignored, a held delay
    // bound or FIFO order no longer needs it delivered first. Everything else must be
    // exactly as the plain search says.
    let drops = protocol.drop && protocol.tables.iter().any(|table| table.absorbing);
    let forces_deliveries =
        !relaxed_in(setting, "bounded_delay") || !relaxed_in(setting, "fifo_links");
    let shorter_allowed = relaxed_in(setting, "no_duplication") || (drops && forces_deliveries);
    // And where messages are dropped as ignored, a run of the same length may break
    // fewer assumptions: a Tick with an ignored message older than the delay bound in
    // flight breaks `bounded_delay` in the plain search (whose run would need a
    // delivery to no effect first, one step longer, not to), and none in the reduced
    // one (seed 653: a timer that fires after three Ticks, with two messages to an
    // absorbing node in flight). So fewest breaks are compared only where nothing is
    // dropped.
    let lengths_agree = |a: Option<usize>, b: Option<usize>| match (a, b) {
        (Some(a), Some(b)) if shorter_allowed => a <= b,
        _ => a == b,
    };
    // Each seed runs every reduction on, and one other of `REDUCED`.
    let others = 1 + pick.below(REDUCED.len() as u64 - 1) as usize;
    for &reduction in [REDUCED[0], REDUCED[others]].iter() {
        let mut reduced = builder(&protocol, setting);
        reduced = match reduction {
            "all" => reduced,
            "all, two threads" => reduced.threads(2),
            "no symmetry" => reduced.no_symmetry(),
            "no subsumption" => reduced.no_subsumption(),
            "no drift classes" => reduced.no_drift_classes(),
            "no class guide" => reduced.no_class_guide(),
            other => unreachable!("{other}"),
        };
        // A reduction that made the space larger than four times the plain one's
        // bound would be a fault of its own: cut it there, and fail.
        let checked = reduced
            .max_states(4 * plain_states_max())
            .try_run()
            .unwrap_or_else(|error| panic!("seed {seed} ({name}), {reduction}: {error}"));
        let context = format!("seed {seed} ({name}), {reduction}; protocol {protocol:#?}");
        assert!(
            checked.report.complete,
            "{context}: the reduced search did not finish"
        );
        if checked.report.stats.unique_states < plain.report.stats.unique_states {
            tally.reduced_fewer_states += 1;
        }
        let report = &checked.report;
        tally.drift_classes += usize::from(report.drift_classes.is_some());
        tally.message_set += usize::from(report.network.is_some());
        tally.symmetry += usize::from(report.symmetry.is_some());
        tally.subsumption += usize::from(report.stats.subsumed_states.is_some_and(|n| n > 0));
        let found = said(&checked);
        for (property, want) in &expected {
            let got = &found[property];
            let agree = got.verdict == want.verdict
                && ((want.lasso && drops)
                    || lengths_agree(got.counterexample, want.counterexample))
                && lengths_agree(got.example, want.example)
                && (shorter_allowed
                    || drops
                    || got.counterexample != want.counterexample
                    || got.fewest_breaks == want.fewest_breaks);
            assert!(
                agree,
                "{context}\n`{property}`: the plain search says {want:?}, the reduced one {got:?}"
            );
            *tally.compared.entry(want.verdict.name()).or_default() += 1;
            assert_shows(&checked, property, got.verdict, &context);
            if reduction == REDUCED[0] {
                assert_shows(&plain, property, want.verdict, &context);
            }
        }
        assert_eq!(
            checked.report.metrics, plain.report.metrics,
            "{context}: metrics"
        );
        if verbose {
            println!(
                "seed {seed} ({name}), {reduction}: {} states against {} plain; {found:?}",
                checked.report.stats.unique_states, plain.report.stats.unique_states
            );
        }
    }
}

/// `SYNCCHECK_SEEDS` seeds (200 by default) from `SYNCCHECK_FIRST_SEED` (0 by default)
/// with the parity `half`, or
/// `SYNCCHECK_SEED` alone (in half 0); two tests, so that the halves run side by side.
fn sweep(half: u64) {
    let mut tally = Tally::default();
    if let Some(seed) = std::env::var("SYNCCHECK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        if half == 0 {
            compare_seed(seed, &mut tally, true);
            println!("{tally:?}");
        }
        return;
    }
    let number = |name: &str, default: u64| -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (seeds, first) = (
        number("SYNCCHECK_SEEDS", 200),
        number("SYNCCHECK_FIRST_SEED", 0),
    );
    let mut swept = 0;
    for seed in (first..first + seeds).filter(|seed| seed % 2 == half) {
        compare_seed(seed, &mut tally, false);
        swept += 1;
    }
    println!("{tally:?}");
    if seeds < 200 {
        return;
    }
    // The comparisons must have covered every kind of verdict and every reduction, and
    // the reductions must have reduced: a generator that made only trivial protocols,
    // or that no reduction applied to, would prove nothing.
    assert!(tally.seeds_compared * 2 >= swept, "{tally:?}");
    for verdict in ["holds", "violated", "reached", "unreached"] {
        let compared = tally.compared.get(verdict).copied().unwrap_or(0);
        assert!(compared * 20 >= swept, "{verdict}: {tally:?}");
    }
    for used in [
        tally.drift_classes,
        tally.message_set,
        tally.symmetry,
        tally.subsumption,
        tally.reduced_fewer_states,
    ] {
        assert!(used * 20 >= swept, "{tally:?}");
    }
}

#[test]
fn every_reduction_agrees_with_the_plain_search_on_generated_protocols_even_seeds() {
    sweep(0);
}

#[test]
fn every_reduction_agrees_with_the_plain_search_on_generated_protocols_odd_seeds() {
    sweep(1);
}

// ------------------------------------------------- relaxing only adds runs ----

/// Relaxing an assumption, or holding it at a larger bound, only adds runs: what is
/// violated or reached with it held must be violated or reached without it (and with a
/// larger bound). Checked on the generated protocols, each under one setting, for every
/// assumption the setting holds: relaxed, and held one bound larger. Only `always` and
/// `sometimes` properties: relaxing may end a deadlock (a new step), and a lasso's
/// fairness may ask more of the steps a relaxed assumption adds.
///
/// `SYNCCHECK_MONOTONE_SEEDS=N` runs N seeds (40 by default, from 0; 7 s on two
/// cores), `SYNCCHECK_SEED=S` seed S alone, printing what it compared.
#[test]
fn relaxing_an_assumption_only_adds_runs_on_generated_protocols() {
    let number = |name: &str| -> Option<u64> { std::env::var(name).ok()?.parse().ok() };
    let seeds: Vec<u64> = match number("SYNCCHECK_SEED") {
        Some(seed) => vec![seed],
        None => (0..number("SYNCCHECK_MONOTONE_SEEDS").unwrap_or(30)).collect(),
    };
    let verbose = seeds.len() == 1;
    let mut compared = BTreeMap::<&str, usize>::new();
    for seed in seeds {
        let setting = (seed % SETTINGS.len() as u64) as usize;
        let name = SETTINGS[setting].0;
        // Clock reads are an error wherever the skew is relaxed, so they go in every
        // setting here: the two searches compared must be of the same protocol.
        let protocol = Generated::new(seed).without_clock_reads();
        // The `always` and `sometimes` properties alone: no liveness graph to build.
        let safety: Vec<String> = (protocol.properties().iter())
            .filter(|p| p.kind != synccheck::system::PropertyKind::Eventually)
            .map(|p| p.name.to_string())
            .collect();
        // Without drift classes (their reduction is compared with the plain search
        // above; here they would only slow the largest spaces down).
        let builder = |protocol: &Generated, setting: usize| {
            (safety.iter())
                .fold(builder(protocol, setting), |b, name| b.property(name))
                .no_drift_classes()
        };
        let base = builder(&protocol, setting)
            .max_states(plain_states_max())
            .try_run()
            .unwrap_or_else(|error| panic!("seed {seed} ({name}): {error}"));
        let Some(held) = base.report.assumptions.clone().map(|a| a.held) else {
            panic!("seed {seed} ({name}): a timed system reports its assumptions");
        };
        for (assumption, bound) in &held {
            let bounded = synccheck::system::Assumption::parse(assumption)
                .is_some_and(|(a, _)| a.takes_bound());
            let wider = (
                builder(&protocol, setting).relax(assumption),
                "relaxed".to_string(),
            );
            let larger = bounded.then(|| {
                let spec = format!("{assumption}={}", bound + 1);
                (
                    builder(&protocol, setting).hold(&spec),
                    format!("held at {}", bound + 1),
                )
            });
            for (more, how) in std::iter::once(wider).chain(larger) {
                let context = format!("seed {seed} ({name}), {assumption} {how}");
                let more = more
                    .max_states(plain_states_max())
                    .try_run()
                    .unwrap_or_else(|error| panic!("{context}: {error}"));
                for property in &base.report.properties {
                    let found = more.verdict(&property.name);
                    let kept = match property.verdict {
                        Verdict::Violated | Verdict::Reached => {
                            found == property.verdict || found == Verdict::Unknown
                        }
                        _ => true,
                    };
                    assert!(
                        kept,
                        "{context}; protocol {protocol:#?}\n`{}` is {} with {assumption} \
                         held at {bound}, and {} with it {how}",
                        property.name,
                        property.verdict.name(),
                        found.name()
                    );
                    if matches!(property.verdict, Verdict::Violated | Verdict::Reached) {
                        *compared.entry(property.verdict.name()).or_default() += 1;
                    }
                    if verbose {
                        println!(
                            "{context}: `{}` {} → {}",
                            property.name,
                            property.verdict.name(),
                            found.name()
                        );
                    }
                }
            }
        }
    }
    println!("{compared:?}");
    // The seeds must have had violations and examples to keep.
    if !verbose {
        for verdict in ["violated", "reached"] {
            assert!(
                compared.get(verdict).is_some_and(|n| *n >= 20),
                "{compared:?}"
            );
        }
    }
}
