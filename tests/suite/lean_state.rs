//! The lean state (`system::Lean`: no message ages with `bounded_delay` relaxed and
//! `no_duplication` held, no pause lengths with `bounded_pause` relaxed) changes only
//! the number of stored states: every verdict and every counterexample length is the
//! one of the full state (`--no-lean`), on every small check of the catalog plans.
//! And it is opt-in (`Protocol::LEAN_STATE`): a protocol whose property reads message
//! ages or pause lengths, and does not opt in, gets the right verdict.

use synccheck::check::{CheckOptions, StopReason};
use synccheck::report::CheckReport;

/// The cut: a check is compared when its lean run completes within this many states
/// (the full run may store more: it gets `FULL_STATES_MAX`). 75 of the 100 plan checks,
/// 7 of them with fewer lean states (`primary_backup async, everything relaxed but
/// duplication`: 21,856 lean, 67,479 full); about 12 s in release on 2 loaded cores.
const LEAN_STATES_MAX: usize = 25_000;
const FULL_STATES_MAX: usize = 100_000;

fn run(
    registry: &synccheck::registry::Registry,
    check: &synccheck::plan::PlanCheck,
    max_states: usize,
    no_lean: bool,
) -> Option<CheckReport> {
    // The lean state alone: `--no-lean` also expands every state and searches no
    // drift classes; subsumption and drift classes are compared on their own in
    // tests/suite/subsumption.rs and tests/suite/drift_classes.rs.
    let options = CheckOptions {
        max_states: Some(check.max_states.unwrap_or(max_states).min(max_states)),
        no_lean,
        subsumption: false,
        drift_classes: false,
        ..CheckOptions::default()
    };
    registry.run(&check.request, &options).ok()
}

#[test]
fn lean_and_full_state_give_identical_verdicts_and_counterexample_lengths_on_the_catalog_plans() {
    let registry = synccheck::catalog::registry();
    let mut compared = 0;
    let mut leaner = 0;
    let mut same_trace = 0;
    let mut differing = Vec::new();
    let mut traces = 0;
    let mut too_large = Vec::new();
    for source in registry.plans() {
        let plan = synccheck::plan::parse(&source.file, &source.text, &registry).expect("parses");
        for check in &plan.checks {
            let Some(lean) = run(&registry, check, LEAN_STATES_MAX, false) else {
                continue;
            };
            if !lean.complete {
                eprintln!("{}: not small", check.name);
                continue;
            }
            let full = run(&registry, check, FULL_STATES_MAX, true).expect("runs without lean");
            if full.stop_reason == StopReason::StateLimit {
                // The message set's checks: `primary_backup sync, everything relaxed`
                // stores 5 447 states, its multiset network 1.49 M (12 s).
                eprintln!("{}: full state too large", check.name);
                too_large.push(check.name.clone());
                continue;
            }
            // Both complete, or both stopped once every property was decided (deadlock
            // freedom settled by a relaxed delay): the same level, so the same decision.
            assert_eq!(full.stop_reason, lean.stop_reason, "{}", check.name);
            assert!(
                full.stats.unique_states >= lean.stats.unique_states,
                "{}",
                check.name
            );
            if full.stats.unique_states > lean.stats.unique_states {
                leaner += 1;
            }
            assert_eq!(lean.properties.len(), full.properties.len());
            for (l, f) in lean.properties.iter().zip(&full.properties) {
                let name = format!("{} {}", check.name, l.name);
                assert_eq!(l.name, f.name, "{name}");
                assert_eq!(l.verdict, f.verdict, "{name}");
                assert_eq!(l.example_length, f.example_length, "{name}");
                assert_eq!(
                    l.counterexample.as_ref().map(|t| t.length),
                    f.counterexample.as_ref().map(|t| t.length),
                    "{name}"
                );
                if let (Some(lt), Some(ft)) = (&l.counterexample, &f.counterexample) {
                    traces += 1;
                    if lt == ft {
                        same_trace += 1;
                    } else {
                        differing.push(name);
                    }
                }
            }
            compared += 1;
        }
    }
    eprintln!("{compared} compared, {leaner} leaner, {same_trace}/{traces} same traces");
    assert!(compared >= 70, "only {compared} small checks");
    // The four everything-relaxed checks on the message set (primary_backup,
    // failover_split_brain, isr_replication, and concurrent_failover's safety search):
    // their multiset networks pass the limit; tests/suite/message_set.rs compares those
    // within a depth bound, and concurrent_failover to the end with the network faults
    // alone relaxed.
    assert!(too_large.len() <= 4, "full runs too large: {too_large:?}");
    assert!(
        leaner >= 7,
        "only {leaner} checks where the lean state stores fewer"
    );
    // Equally short counterexamples: BFS keeps the first found, and the two graphs are
    // expanded in different orders (the full one holds several states per lean one),
    // so a tie may break differently (`primary_backup async, delay relaxed`: the same
    // steps in another order; `retry_non_idempotent plain, late messages`: the late
    // message is the request, not the reply). Same length, same verdict, always.
    assert!(
        same_trace * 10 >= traces * 9,
        "{same_trace} of {traces} counterexamples identical; differ: {differing:?}"
    );
}

/// A two-node test protocol: the sender sends `sends` on start; the receiver records
/// that something arrived and may pause (`bounded_pause(2)` held by default). `LEAN`
/// and `SET` are its `LEAN_STATE` and `MESSAGE_SET` declarations; its properties and
/// metrics are its fields'. The readers below are values of four types, not a type
/// each: every protocol type compiles the whole check pipeline again (about 280 000
/// LLVM lines in release).
#[derive(Clone, Debug)]
struct Reader<const LEAN: bool, const SET: bool> {
    sends: &'static [u8],
    properties: fn() -> Vec<Property<Self>>,
    metrics: fn(&SystemState<Self>) -> Vec<(&'static str, u64)>,
}

impl<const LEAN: bool, const SET: bool> Protocol for Reader<LEAN, SET> {
    type Node = Node;
    type State = bool;
    type Durable = ();
    type Msg = u8;
    type Timer = u8;
    type Ghost = ();
    const LEAN_STATE: bool = LEAN;
    const MESSAGE_SET: bool = SET;
    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }
    fn default_assumptions(&self) -> AssumptionSet {
        let mut set = AssumptionSet::default();
        set.hold(Assumption::BoundedPause, Some(2))
            .expect("valid bound");
        set
    }
    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> bool {
        if node == Node::Sender {
            for &msg in self.sends {
                ctx.send(Node::Receiver, msg);
            }
        }
        false
    }
    fn on_message(&self, _: Node, got: &mut bool, _: Node, _: &u8, _: &mut Context<'_, Self>) {
        *got = true;
    }
    fn properties(&self) -> Vec<Property<Self>> {
        (self.properties)()
    }
    fn metrics(&self, state: &SystemState<Self>) -> Vec<(&'static str, u64)> {
        (self.metrics)(state)
    }
}

/// A reader's metrics where it declares none.
fn no_metrics<P: Protocol>(_: &SystemState<P>) -> Vec<(&'static str, u64)> {
    Vec::new()
}

synccheck::nodes! {
    enum Node {
        Sender = "sender" [stable],
        Receiver = "receiver" [no_crash],
    }
}

use synccheck::system::{
    Assumption, AssumptionSet, Context, NodeStatus, Property, Protocol, SystemError, SystemState,
};

/// Properties that read what the lean state does not store. `message_never_waits`: no
/// message in flight has aged a tick. `no_pause_spans_a_tick`: no node has been paused
/// across a tick. Both are violated within two steps (Tick with the message in flight;
/// Pause then Tick).
fn age_and_pause_readers<P: Protocol>() -> Vec<Property<P>> {
    vec![
        Property::always("message_never_waits", |_, state| {
            state.network.iter().all(|envelope| envelope.age_ticks == 0)
        }),
        pause_reader(),
    ]
}

fn pause_reader<P: Protocol>() -> Property<P> {
    Property::always("no_pause_spans_a_tick", |_, state| {
        state
            .nodes
            .iter()
            .all(|record| !matches!(record.status, NodeStatus::Paused { ticks } if ticks > 0))
    })
}

fn received<P: Protocol<Node = Node, State = bool>>(state: &SystemState<P>) -> bool {
    state.node_state(Node::Receiver).copied().unwrap_or(false)
}

/// Reads ages and pause lengths, and does not opt in to the lean state.
const READER: Reader<false, false> = Reader {
    sends: &[7],
    properties: age_and_pause_readers,
    metrics: no_metrics,
};

/// Reads ages and pause lengths, and opts in: a broken contract.
const READER_OPTED_IN: Reader<true, false> = Reader {
    sends: &[7],
    properties: age_and_pause_readers,
    metrics: no_metrics,
};

fn relaxed<P: Protocol>(protocol: P) -> synccheck::testing::Checked<P> {
    synccheck::testing::check(protocol)
        .relax("bounded_delay")
        .relax("bounded_pause")
        .run()
}

/// Runs `builder`'s check, which must end with the error of a broken contract
/// (`SystemError::LeanContract`) whose message contains `expected`; the message.
#[track_caller]
fn assert_breach<P: Protocol>(
    builder: synccheck::testing::CheckBuilder<P>,
    expected: &str,
) -> String {
    match builder.try_run() {
        Err(error @ SystemError::LeanContract(_)) => {
            let message = error.to_string();
            assert!(message.contains(expected), "{message}");
            message
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("the check ran"),
    }
}

/// Before the lean state was opt-in, a protocol like `READER` was checked on the lean
/// state and both properties held: a false verdict.
#[test]
fn a_property_that_reads_message_ages_or_pause_lengths_gets_the_full_state_unless_the_protocol_opts_in(
) {
    let checked = relaxed(READER);
    assert_eq!(checked.assert_violated("message_never_waits").length, 1);
    assert_eq!(checked.assert_violated("no_pause_spans_a_tick").length, 2);
    assert!(!checked.system.lean().ages && !checked.system.lean().pauses);
}

/// A protocol that opts in and breaks the contract would be misled (both properties
/// would hold on the lean state); the audit before the search
/// (`TimedSystem::audit_lean_state`) finds the property that reads what it promised
/// not to and ends the check with an error naming it, whether the lean state or
/// subsumption relies on the contract. With neither (every quantity stored, nothing
/// subsumed) the check runs and gets the verdicts right.
#[test]
fn a_protocol_that_opts_in_and_reads_ages_or_pause_lengths_gets_an_error_naming_the_property() {
    // Lean state: ages and pause lengths not stored.
    let both = assert_breach(
        synccheck::testing::check(READER_OPTED_IN)
            .relax("bounded_delay")
            .relax("bounded_pause"),
        "property `message_never_waits` reads message ages: it is false on a state and true on the same state with every message in flight 0 ticks old",
    );
    assert!(
        both.contains("a `LEAN_STATE` protocol must not read them")
            && both.contains("drop the declaration")
            && both.contains("--no-lean"),
        "{both}"
    );
    // Messages never age (Δ = 0): the pause lengths.
    assert_breach(
        synccheck::testing::check(READER_OPTED_IN)
            .hold("bounded_delay=0")
            .relax("bounded_pause"),
        "property `no_pause_spans_a_tick` reads pause lengths",
    );
    // Subsumption alone: the bounds held, the lean state stores both.
    assert_breach(
        synccheck::testing::check(READER_OPTED_IN).hold("bounded_delay=1"),
        "reads message ages",
    );
    // Nothing relies on the contract: the right verdicts.
    let full = synccheck::testing::check(READER_OPTED_IN)
        .hold("bounded_delay=1")
        .no_subsumption()
        .run();
    assert_eq!(full.assert_violated("message_never_waits").length, 1);
    assert_eq!(full.assert_violated("no_pause_spans_a_tick").length, 2);
    // The audit can be turned off (0 states): then the lean state misleads it, as it
    // did before the audit.
    let misled = synccheck::testing::check(READER_OPTED_IN)
        .relax("bounded_delay")
        .relax("bounded_pause")
        .lean_audit(0)
        .run();
    assert!(misled.system.lean().ages && misled.system.lean().pauses);
    misled
        .assert_holds("message_never_waits")
        .assert_holds("no_pause_spans_a_tick");
}

// A property that reads the order of a multiset network (sorted with ages first, so
// not an order any run gives the messages) breaks the contract too.
const ORDER_READER: Reader<true, false> = Reader {
    sends: &[1, 2],
    properties: || {
        vec![Property::always("one_is_first_in_flight", |_, state| {
            state
                .network
                .first()
                .is_none_or(|first| first.msg == 1 || state.network.len() == 1)
        })]
    },
    metrics: no_metrics,
};

#[test]
fn a_property_that_reads_the_order_of_messages_in_flight_breaks_the_contract() {
    assert_breach(
        synccheck::testing::check(ORDER_READER).relax("bounded_delay"),
        "property `one_is_first_in_flight` reads the order of the messages in flight",
    );
    // Where `fifo_links` keeps each channel's send order, the order is the protocol's
    // to read (and the property holds).
    synccheck::testing::check(ORDER_READER)
        .relax("bounded_delay")
        .hold("fifo_links")
        .run()
        .assert_holds("one_is_first_in_flight");
}

use crate::support;

/// `--no-lean` stores message ages: more states, the same verdicts.
#[test]
fn no_lean_on_the_command_line_stores_message_ages_with_the_same_verdicts() {
    let run = |more: &[&str]| {
        let mut args = vec![
            "check",
            "failover_split_brain",
            "--set",
            "variant=no_fencing",
        ];
        args.extend(["--relax", "bounded_delay", "--format", "json"]);
        args.extend_from_slice(more);
        let output = support::synccheck(&args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            support::stderr(&output)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let verdicts: Vec<(String, String)> = report["properties"]
            .as_array()
            .expect("properties")
            .iter()
            .map(|p| (p["name"].to_string(), p["verdict"].to_string()))
            .collect();
        (report["stats"]["unique_states"].as_u64(), verdicts)
    };
    let (lean_states, lean_verdicts) = run(&[]);
    let (full_states, full_verdicts) = run(&["--no-lean"]);
    assert_eq!(lean_states, Some(107));
    assert_eq!(full_states, Some(206));
    assert_eq!(lean_verdicts, full_verdicts);
    assert_eq!(lean_verdicts.len(), 4, "three properties and deadlock_free");
}

// A metric that reads message ages breaks the contract as a property would: the
// maximum it reports would be taken over states whose ages read 0.
const AGE_METRIC: Reader<true, false> = Reader {
    sends: &[1],
    properties: || vec![Property::always("anything", |_, _| true)],
    metrics: |state| {
        let oldest = state.network.iter().map(|e| e.age_ticks).max();
        vec![("oldest_message_ticks", u64::from(oldest.unwrap_or(0)))]
    },
};

#[test]
fn a_metric_that_reads_message_ages_breaks_the_contract() {
    assert_breach(
        synccheck::testing::check(AGE_METRIC)
        .relax("bounded_delay"),
        "metric `oldest_message_ticks` reads message ages: it is 1 on a state and 0 on the same state with every message in flight 0 ticks old",
    );
}

// A protocol that declares `MESSAGE_SET` and has a property that reads the messages in
// flight (true while the message is on its way) would be misled on the message set,
// where a delivered message stays in flight; the audit names the property. Declared
// with `Property::always_or_in_flight` instead, the same invariant keeps the contract.
const SET_READER: Reader<false, true> = Reader {
    sends: &[1],
    properties: || {
        vec![Property::always("received_or_on_its_way", |_, state| {
            received(state) || !state.network.is_empty()
        })]
    },
    metrics: no_metrics,
};
const SET_READER_IN_FLIGHT: Reader<false, true> = Reader {
    sends: &[1],
    properties: || {
        vec![Property::always_or_in_flight(
            "received_or_on_its_way",
            |_, state| received(state),
            |_, envelope| envelope.msg == 1,
        )]
    },
    metrics: no_metrics,
};

#[test]
fn a_message_set_protocol_whose_property_reads_the_messages_in_flight_gets_an_error() {
    fn relaxed<P: Protocol>(
        builder: synccheck::testing::CheckBuilder<P>,
    ) -> synccheck::testing::CheckBuilder<P> {
        builder
            .relax("no_duplication")
            .relax("bounded_delay")
            .relax("fifo_links")
    }
    assert_breach(
        relaxed(synccheck::testing::check(SET_READER)),
        "property `received_or_on_its_way` reads the messages in flight: it is true on a state and false on the same state with no message in flight (a `MESSAGE_SET` protocol must not read them",
    );
    // Declared as an in-flight invariant: no breach, and the right verdicts (a loss
    // leaves the message neither received nor on its way).
    relaxed(synccheck::testing::check(SET_READER_IN_FLIGHT))
        .relax("reliable_links")
        .run()
        .assert_violated("received_or_on_its_way");
    relaxed(synccheck::testing::check(SET_READER_IN_FLIGHT))
        .run()
        .assert_holds("received_or_on_its_way");
}

// With an `eventually` property the check itself stores everything, but its safety
// search on the message set (`TimedSystem::for_safety_search`) drops pause lengths
// for a `LEAN_STATE` protocol, and its verdicts are kept: the audit covers that search
// too.
const PAUSE_READER_LIVE: Reader<true, true> = Reader {
    sends: &[1],
    properties: || {
        vec![
            pause_reader(),
            Property::eventually("received", |_, state| received(state)),
        ]
    },
    metrics: no_metrics,
};

#[test]
fn the_safety_search_on_the_message_set_is_audited_too() {
    let checked = synccheck::testing::check(PAUSE_READER_LIVE)
        .relax("no_duplication")
        .relax("bounded_delay")
        .relax("fifo_links")
        .relax("bounded_pause");
    let system = synccheck::testing::system(
        PAUSE_READER_LIVE,
        &[
            Assumption::NoDuplication,
            Assumption::BoundedDelay,
            Assumption::FifoLinks,
            Assumption::BoundedPause,
        ],
    );
    assert_eq!(system.lean(), synccheck::system::Lean::default());
    assert!(system
        .for_safety_search()
        .is_some_and(|safety| safety.lean().pauses));
    assert_breach(
        checked,
        "property `no_pause_spans_a_tick` reads pause lengths",
    );
}

impl synccheck::model::Declared for Reader<true, false> {
    const NAME: &'static str = "reader_opted_in";
    const FAMILY: &'static str = "test";
    const SUMMARY: &'static str = "declares LEAN_STATE and reads message ages";
    const PARAMS: &'static [synccheck::model::Param] = &[];
    fn from_params(_: &synccheck::model::Params) -> Result<Self, String> {
        Ok(READER_OPTED_IN)
    }
}

/// Through a user's CLI (`cli::run_with`, as `main_with` runs it): the broken contract is
/// bad input, exit 2, with the property named; `--lean-audit 0` turns the audit off
/// (and the lean state then misleads the check: both properties "hold", exit 0).
#[test]
fn a_broken_contract_exits_2_through_the_cli() {
    use clap::Parser;
    let registry = synccheck::registry![Reader<true, false>];
    let run = |more: &[&str]| {
        let mut args = vec![
            "synccheck",
            "check",
            "reader_opted_in",
            "--relax",
            "bounded_delay",
            "--relax",
            "bounded_pause",
        ];
        args.extend_from_slice(more);
        synccheck::cli::run_with(synccheck::cli::Cli::parse_from(args), &registry)
    };
    assert_eq!(run(&["-q"]), 2);
    assert_eq!(run(&["-q", "--lean-audit", "0"]), 0);
    assert_eq!(run(&["-q", "--no-lean"]), 1);
    // `assumptions` and `bounds` audit their checks alike (and take `--lean-audit`).
    for command in ["assumptions", "bounds"] {
        let args = ["synccheck", command, "reader_opted_in"];
        let code = synccheck::cli::run_with(synccheck::cli::Cli::parse_from(args), &registry);
        assert_eq!(code, 2, "{command}");
    }
}
