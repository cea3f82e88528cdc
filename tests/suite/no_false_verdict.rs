//! Issue #16: no false verdict, nothing silently lost. Contradictory input is an
//! error, simulation and cancellation say why a verdict is unknown, a timer past the
//! declared largest constant is an error, and reports state the collision risk.

use crate::support;
use support::{assert_usage_error, break_necessities, synccheck};

#[test]
fn hold_and_relax_of_one_assumption_is_an_error_in_either_order() {
    let expected = [
        "contradictory assumption changes for `bounded_pause`",
        "hold bounded_pause",
        "relax bounded_pause",
    ];
    for args in [
        ["--hold", "bounded_pause", "--relax", "bounded_pause"],
        ["--relax", "bounded_pause", "--hold", "bounded_pause"],
    ] {
        let mut full = vec!["check", "fenced_lease_lock"];
        full.extend(args);
        assert_usage_error(&full, &expected);
    }
    assert_usage_error(
        &[
            "check",
            "fenced_lease_lock",
            "--hold",
            "bounded_delay=1",
            "--hold",
            "bounded_delay=2",
        ],
        &["hold bounded_delay=1 and hold bounded_delay=2"],
    );
    assert_usage_error(
        &[
            "assumptions",
            "fenced_lease_lock",
            "--hold",
            "no_crash",
            "--relax",
            "max_crashes",
        ],
        &["contradictory assumption changes for `max_crashes`"],
    );
}

#[test]
fn a_plan_entry_holding_and_relaxing_one_assumption_is_an_error_where_it_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[check]]\nmodel = \"fenced_lease_lock\"\nhold = [\"bounded_pause\"]\nrelax = [\"bounded_pause\"]\n",
    )
    .expect("write");
    let plan = plan.to_string_lossy().into_owned();
    assert_usage_error(
        &["check", "--plan", &plan],
        &[&format!("{plan}:4:10:"), "contradictory assumption changes"],
    );
}

#[test]
fn simulation_says_it_proves_nothing_rather_than_that_a_limit_was_hit() {
    let output = synccheck(&[
        "check",
        "fenced_lease_lock",
        "--strategy",
        "simulation",
        "--walks",
        "3",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(
        text.contains("unknown (simulation samples runs; it never proves)"),
        "{text}"
    );
    assert!(!text.contains("limit was hit"), "{text}");
}

#[test]
fn a_search_stopped_because_every_property_was_decided_is_complete() {
    use synccheck::check::{run, CheckOptions, StopReason};
    use synccheck::models::recovery::fenced_lease_lock::{FencedLeaseLock, Fencing};
    use synccheck::system::{Assumption, AssumptionSet, TimedSystem};
    let mut assumptions = AssumptionSet::default();
    assumptions.relax(Assumption::BoundedPause);
    let protocol = FencedLeaseLock {
        fencing: Fencing::None,
        lease_ticks: 5,
        validity_ticks: 2,
    };
    let system = TimedSystem::new(protocol, assumptions).expect("builds");
    let options = CheckOptions {
        check_deadlock: false,
        ..CheckOptions::default()
    };
    let outcome = run(&system, &options);
    assert_eq!(outcome.stop_reason, StopReason::AllDecided);
    assert!(
        outcome.complete(),
        "every property decided: nothing unknown"
    );
}

mod heartbeat {
    use serde::Serialize;
    use synccheck::model::{Declared, Params};
    use synccheck::system::{Context, Property, Protocol, SystemState};

    synccheck::nodes! {
        /// The two nodes.
        pub enum Node {
            /// Sends heartbeats.
            Leader = "leader",
            /// Times out without them.
            Follower = "follower",
        }
    }

    /// A leader sends a heartbeat every 2 ticks; a follower times out after 6 ticks
    /// without one. `declared` is what the model says its largest time constant is.
    #[derive(Clone, Debug)]
    pub struct Heartbeat {
        pub declared: u32,
    }

    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    pub enum Timer {
        Beat,
        Timeout,
    }

    #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
    pub struct Ghost {
        pub timed_out: bool,
    }

    impl Protocol for Heartbeat {
        type Node = Node;
        type State = ();
        type Durable = ();
        type Msg = ();
        type Timer = Timer;
        type Ghost = Ghost;

        fn largest_time_constant_ticks(&self) -> u32 {
            self.declared
        }
        fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) {
            match node {
                Node::Leader => ctx.set_timer(Timer::Beat, 2),
                Node::Follower => ctx.set_timer(Timer::Timeout, 6),
            }
        }
        fn on_message(&self, _: Node, _: &mut (), _: Node, _: &(), ctx: &mut Context<'_, Self>) {
            ctx.set_timer(Timer::Timeout, 6);
        }
        fn on_timer(&self, _: Node, _: &mut (), timer: &Timer, ctx: &mut Context<'_, Self>) {
            match timer {
                Timer::Beat => {
                    ctx.send(Node::Follower, ());
                    ctx.set_timer(Timer::Beat, 2);
                }
                Timer::Timeout => ctx.ghost_mut().timed_out = true,
            }
        }
        fn properties(&self) -> Vec<Property<Self>> {
            vec![Property::always(
                "no_false_timeout",
                |_, state: &SystemState<Self>| !state.ghost.timed_out,
            )]
        }
    }

    impl Declared for Heartbeat {
        const NAME: &'static str = "heartbeat";
        const FAMILY: &'static str = "replication";
        const SUMMARY: &'static str = "heartbeat every 2 ticks, 6-tick timeout";
        fn from_params(_: &Params) -> Result<Self, String> {
            Ok(Heartbeat { declared: 2 })
        }
    }
}

#[test]
fn a_timer_longer_than_the_declared_largest_constant_is_an_error_naming_it() {
    use heartbeat::Heartbeat;
    use synccheck::check::{run, CheckOptions, StopReason, Verdict};
    use synccheck::system::TimedSystem;
    let check = |declared: u32| {
        let protocol = Heartbeat { declared };
        let system = TimedSystem::new(protocol, Default::default()).expect("builds");
        let options = CheckOptions {
            fault: system.fault(),
            ..CheckOptions::default()
        };
        let outcome = run(&system, &options);
        (outcome, system.cap_violation())
    };
    let (honest, violation) = check(6);
    assert_eq!(violation, None);
    assert_eq!(honest.stop_reason, StopReason::Complete);
    let verdict = honest.property("no_false_timeout").map(|p| p.verdict);
    assert_eq!(verdict, Some(Verdict::Holds));
    // Declared 2: the 6-tick timeout used to be stored as 3 and the run was violated.
    let (short, violation) = check(2);
    assert_eq!(short.stop_reason, StopReason::ModelFault);
    assert!(!short.complete());
    let message = violation.expect("the cap violation is recorded");
    assert_eq!(short.fault.as_deref(), Some(message.as_str()));
    for fragment in [
        "node follower",
        "timer Timeout",
        "to 6 ticks",
        "the 2 its largest_time_constant_ticks()",
    ] {
        assert!(
            message.contains(fragment),
            "`{fragment}` missing: {message}"
        );
    }
    // Through a registry (what the CLI runs): a typed error, exit 2 there.
    let registry = synccheck::registry::Registry::new().protocol::<Heartbeat>();
    let request = synccheck::request::CheckRequest {
        model: "heartbeat".to_string(),
        ..Default::default()
    };
    let error = registry
        .run(&request, &CheckOptions::default())
        .expect_err("a cap violation is an error");
    let text = error.to_string();
    assert!(
        text.starts_with(
            "model `heartbeat`: engine cap exceeded: node follower sets timer Timeout to 6 ticks"
        ),
        "{text}"
    );
}

mod ack_writer {
    use serde::Serialize;
    use synccheck::system::{
        Assumption, AssumptionSet, Context, NodeStatus, Property, Protocol, SystemState,
    };

    synccheck::nodes! {
        /// The one node.
        pub enum Node {
            /// Writes and acknowledges.
            Writer = "writer",
        }
    }

    /// One node writes 1 to its disk and acknowledges it: after the flush
    /// (`wait`: persist, wait, ack) or in the same step (ack, then persist).
    #[derive(Clone, Debug)]
    pub struct AckWriter {
        pub wait: bool,
    }

    #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
    pub struct Ghost {
        pub acked: bool,
    }

    impl Protocol for AckWriter {
        type Node = Node;
        type State = ();
        type Durable = u8;
        type Msg = ();
        type Timer = ();
        type Ghost = Ghost;

        fn largest_time_constant_ticks(&self) -> u32 {
            0
        }
        fn default_assumptions(&self) -> AssumptionSet {
            let mut set = AssumptionSet::default();
            set.relax(Assumption::DurableWrites);
            set.hold(Assumption::MaxCrashes, Some(1))
                .expect("a valid bound");
            set
        }
        fn on_start(&self, _: Node, ctx: &mut Context<'_, Self>) {
            if self.wait {
                ctx.persist_and_wait(1);
            } else {
                ctx.persist(1);
                ctx.ghost_mut().acked = true;
            }
        }
        fn on_message(&self, _: Node, _: &mut (), _: Node, _: &(), _: &mut Context<'_, Self>) {}
        fn on_timer(&self, _: Node, _: &mut (), _: &(), _: &mut Context<'_, Self>) {}
        fn on_durable(&self, _: Node, _: &mut (), ctx: &mut Context<'_, Self>) {
            ctx.ghost_mut().acked = true;
        }
        fn on_restart(&self, _: Node, _: &mut Context<'_, Self>) {}
        fn properties(&self) -> Vec<Property<Self>> {
            vec![
                Property::always("acked_write_survives", |_, state: &SystemState<Self>| {
                    let node = &state.nodes[0];
                    !(state.ghost.acked && node.status == NodeStatus::Crashed && node.durable != 1)
                }),
                Property::sometimes("acked", |_, state: &SystemState<Self>| state.ghost.acked),
                // The write on disk, its call back lost to a crash: a run with
                // `durable_writes` held (the write durable at once, the crash before
                // the call back), so one relaxing it too.
                Property::sometimes("kept_but_not_acked", |_, state: &SystemState<Self>| {
                    let node = &state.nodes[0];
                    !state.ghost.acked && node.status == NodeStatus::Crashed && node.durable == 1
                }),
            ]
        }
    }
}

#[test]
fn persist_wait_ack_survives_a_lossy_disk_and_ack_then_persist_does_not() {
    use ack_writer::AckWriter;
    use synccheck::check::{run, CheckOptions, Verdict};
    use synccheck::report::Explain;
    use synccheck::system::{Action, TimedSystem};
    let check = |wait: bool| {
        let protocol = AckWriter { wait };
        let assumptions = protocol.default_assumptions();
        let system = TimedSystem::new(protocol, assumptions).expect("builds");
        let outcome = run(&system, &CheckOptions::default());
        (system, outcome)
    };
    use synccheck::system::Protocol;
    let (system, waited) = check(true);
    let verdict =
        |o: &synccheck::check::Outcome<_>, name: &str| o.property(name).map(|p| p.verdict);
    assert_eq!(
        verdict(&waited, "acked_write_survives"),
        Some(Verdict::Holds)
    );
    assert_eq!(verdict(&waited, "acked"), Some(Verdict::Reached));
    // The ack comes in a Sync step after the one that flushes; a Sync is a successful
    // flush (or a call back), not a break.
    let example = waited
        .property("acked")
        .and_then(|p| p.path.as_ref())
        .expect("an example");
    let sync = Action::Sync { node: 0 };
    assert_eq!(example.actions, vec![sync.clone(), sync.clone()]);
    let trace = system.explain_path(example);
    assert!(trace.breaks.is_empty(), "{:?}", trace.breaks);
    // A crash between the flush and the call back keeps the write and loses the ack:
    // a run with `durable_writes` held, which relaxing it must keep (it was missing
    // when one Sync step flushed and called back at once).
    let kept = waited
        .property("kept_but_not_acked")
        .and_then(|p| p.path.as_ref())
        .expect("an example");
    assert_eq!(kept.actions, vec![sync, Action::Crash { node: 0 }]);
    let held = {
        let protocol = AckWriter { wait: true };
        let mut assumptions = protocol.default_assumptions();
        assumptions
            .hold(synccheck::system::Assumption::DurableWrites, None)
            .expect("held");
        let system = TimedSystem::new(protocol, assumptions).expect("builds");
        run(&system, &CheckOptions::default())
    };
    let kept = held
        .property("kept_but_not_acked")
        .and_then(|p| p.path.as_ref())
        .expect("an example with durable_writes held");
    assert_eq!(kept.actions, vec![Action::Crash { node: 0 }]);
    assert_eq!(verdict(&held, "acked"), Some(Verdict::Reached));
    let (system, eager) = check(false);
    assert_eq!(
        verdict(&eager, "acked_write_survives"),
        Some(Verdict::Violated)
    );
    let counterexample = eager
        .property("acked_write_survives")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    assert_eq!(counterexample.actions, vec![Action::Crash { node: 0 }]);
    let breaks: Vec<(String, usize)> = system
        .explain_path(counterexample)
        .breaks
        .iter()
        .map(|b| (b.assumption.clone(), b.step))
        .collect();
    assert_eq!(
        breaks,
        vec![("durable_writes".to_string(), 1)],
        "the crash loses the unsynced write"
    );
}

#[test]
fn raft_votes_sent_after_the_flush_keep_one_leader_per_term_on_a_lossy_disk() {
    // persist, wait, ack holds; ack, then persist (the vote sent in the step that
    // persists) is violated: the voter crashes with its vote in the page cache.
    for (variant, exit, safety) in [("wait", 0, "holds"), ("true", 1, "violated")] {
        let setting = format!("persist_vote={variant}");
        let output = synccheck(&[
            "check",
            "raft_vote_persistence",
            "--set",
            &setting,
            "--set",
            "max_term=1",
            "--relax",
            "durable_writes",
            "--threads",
            "2",
            "--format",
            "json",
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(exit), "{variant}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let property = |name: &str| {
            report["properties"]
                .as_array()
                .and_then(|all| all.iter().find(|p| p["name"] == name))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(property("election_safety")["verdict"], safety, "{variant}");
        assert_eq!(
            property("leader_elected")["verdict"],
            "reached",
            "{variant}"
        );
        let probability = report["fingerprint_collision_probability"].as_f64();
        assert!(
            probability.is_some_and(|p| p > 0.0 && p < 1e-6),
            "{probability:?}"
        );
        if variant == "true" {
            let breaks = &property("election_safety")["counterexample"]["breaks"];
            assert_eq!(breaks[0]["assumption"], "durable_writes");
            assert!(breaks[0]["sentence"]
                .as_str()
                .is_some_and(|s| s.contains("crashes before its last persisted write")));
        }
    }
}

#[test]
fn exact_mode_counts_equal_the_fingerprint_counts_on_the_catalog_plans_small_checks() {
    use synccheck::check::{CheckOptions, StopReason};
    let registry = synccheck::catalog::registry();
    let mut compared = 0;
    for source in registry.plans() {
        let plan = synccheck::plan::parse(&source.file, &source.text, &registry).expect("parses");
        for check in &plan.checks {
            // `--exact` expands every state (no subsumption): compare the same space.
            let options = CheckOptions {
                max_states: Some(check.max_states.unwrap_or(4_000).min(4_000)),
                subsumption: false,
                ..CheckOptions::default()
            };
            let Ok(fingerprinted) = registry.run(&check.request, &options) else {
                continue;
            };
            if fingerprinted.stop_reason != StopReason::Complete {
                continue; // not small
            }
            let exact = CheckOptions {
                exact: true,
                ..options.clone()
            };
            let stored = registry.run(&check.request, &exact).expect("runs exactly");
            assert_eq!(
                stored.stats.unique_states, fingerprinted.stats.unique_states,
                "{}",
                check.name
            );
            assert_eq!(
                stored.stats.exact_states,
                Some(stored.stats.unique_states),
                "{}",
                check.name
            );
            assert_eq!(
                stored.stats.generated_states, fingerprinted.stats.generated_states,
                "{}",
                check.name
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} small checks");
}

/// The token-store finding: the retry executes twice because a crash lost the
/// unsynced token. The counterexample also lets the reply linger past Δ (a break on
/// the path), but a lost reply does as well: `bounded_delay` is not needed, and the
/// report says so, while the `durable_writes` break is confirmed necessary.
#[test]
fn a_break_the_violation_does_not_need_is_marked_and_a_needed_one_is_confirmed() {
    let mut args = vec!["check", "retry_non_idempotent", "--set", "variant=token"];
    for relaxed in [
        "bounded_delay",
        "timely_timers",
        "reliable_links",
        "no_duplication",
        "durable_writes",
    ] {
        args.extend(["--relax", relaxed]);
    }
    args.extend(["--hold", "max_crashes=1"]);
    let mut json = args.clone();
    json.extend(["--format", "json"]);
    let output = synccheck(&json);
    assert_eq!(output.status.code(), Some(1), "violated: exit 1");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let property = report["properties"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == "at_most_once"))
        .expect("at_most_once reported");
    let trace = &property["counterexample"];
    assert_eq!(trace["length"], 12);
    let necessity = break_necessities(trace);
    assert_eq!(
        necessity,
        [
            ("durable_writes", "necessary"),
            ("bounded_delay", "also_violated_without_it")
        ]
    );
    let human = String::from_utf8_lossy(&synccheck(&args).stdout).into_owned();
    assert!(
        human.contains("(also violated without relaxing bounded_delay: this break is on the path, the violation does not need it)"),
        "{human}"
    );
    assert!(
        !human.contains("without relaxing durable_writes"),
        "{human}"
    );
}

mod two_faults {
    use synccheck::system::{Context, NodeStatus, Property, Protocol, SystemState};

    synccheck::nodes! {
        /// Two nodes that only fail.
        pub enum Node {
            /// Pauses or crashes first.
            A = "a",
            /// Crashes second.
            B = "b",
        }
    }

    /// Nothing but faults: the property fails once `b` has crashed while `a` is down
    /// (paused or crashed). Two steps either way: "a pauses, b crashes" breaks
    /// `bounded_pause` and `max_crashes`, "a crashes, b crashes" only `max_crashes`.
    #[derive(Clone, Debug)]
    pub struct TwoFaults;

    impl Protocol for TwoFaults {
        type Node = Node;
        type State = ();
        type Durable = ();
        type Msg = ();
        type Timer = ();
        type Ghost = ();

        fn largest_time_constant_ticks(&self) -> u32 {
            0
        }
        fn on_start(&self, _: Node, _: &mut Context<'_, Self>) {}
        fn on_message(&self, _: Node, _: &mut (), _: Node, _: &(), _: &mut Context<'_, Self>) {}
        fn on_timer(&self, _: Node, _: &mut (), _: &(), _: &mut Context<'_, Self>) {}
        fn on_restart(&self, _: Node, _: &mut Context<'_, Self>) {}
        fn properties(&self) -> Vec<Property<Self>> {
            vec![Property::always(
                "not_both_down",
                |_, state: &SystemState<Self>| {
                    let a = &state.nodes[0].status;
                    let b = &state.nodes[1].status;
                    !(*b == NodeStatus::Crashed && *a != NodeStatus::Running)
                },
            )]
        }
    }
}

/// Of the equally short counterexamples the one breaking the fewest assumptions is
/// reported. The BFS's own choice here ("a pauses, b crashes") breaks two; the check
/// takes "a crashes, b crashes" (one), says no 2-step run breaks fewer, and a replay
/// refuses a trace that claims `fewest` for the two-break run.
#[test]
fn of_equally_short_counterexamples_the_one_with_the_fewest_breaks_is_reported() {
    use synccheck::check::{run, CheckOptions};
    use synccheck::report::{Explain, FewestBreaks, Necessity};
    use synccheck::system::{Action, Assumption};
    use synccheck::testing;
    use synccheck::trace::{replay, traces_of, ReplayOutcome};
    use two_faults::TwoFaults;
    let relaxed = [Assumption::BoundedPause, Assumption::MaxCrashes];
    let system = testing::system(TwoFaults, &relaxed);
    let raw = run(&system, &CheckOptions::default());
    let first = raw
        .property("not_both_down")
        .and_then(|p| p.path.as_ref())
        .expect("violated");
    let breaks = |trace: &synccheck::report::TraceReport| -> Vec<String> {
        trace.breaks.iter().map(|b| b.assumption.clone()).collect()
    };
    let unreduced = system.explain_path(first);
    assert_eq!(unreduced.length, 2);
    assert_eq!(breaks(&unreduced), ["bounded_pause", "max_crashes"]);

    // With two threads the two one-assumption searches run side by side; the first
    // (`bounded_pause` allowed) finds none, the second the run. The same answer.
    for threads in [2, 3] {
        let side_by_side = testing::check(TwoFaults)
            .relax("bounded_pause")
            .relax("max_crashes")
            .threads(threads)
            .run();
        let trace = side_by_side.assert_violated("not_both_down");
        assert_eq!(breaks(&trace), ["max_crashes"], "{threads} threads");
        assert_eq!(trace.fewest_breaks, Some(FewestBreaks::Fewest));
    }
    let checked = testing::check(TwoFaults)
        .relax("bounded_pause")
        .relax("max_crashes")
        .run();
    let trace = checked.assert_violated("not_both_down");
    assert_eq!(trace.length, 2, "equally short");
    assert_eq!(breaks(&trace), ["max_crashes"]);
    assert_eq!(trace.breaks[0].necessity, Some(Necessity::Necessary));
    assert_eq!(trace.fewest_breaks, Some(FewestBreaks::Fewest));
    let taken = checked
        .outcome
        .property("not_both_down")
        .and_then(|p| p.path.as_ref())
        .expect("the outcome carries the path the report explains");
    assert_eq!(
        taken.actions,
        [Action::Crash { node: 0 }, Action::Crash { node: 1 }]
    );
    testing::assert_replays(&checked.system, taken);

    let mut files = traces_of(&checked.report);
    assert_eq!(files.len(), 1);
    let replayed = replay(&checked.system, &files[0]);
    assert!(
        matches!(replayed, ReplayOutcome::Reproduced { steps: 2 }),
        "{replayed:?}"
    );
    // The BFS's first run, forged to claim it breaks the fewest: the replay searches
    // again and finds the one-break run.
    let mut forged = unreduced;
    forged.fewest_breaks = Some(FewestBreaks::Fewest);
    forged.breaks[0].necessity = Some(Necessity::AlsoViolatedWithoutIt);
    forged.breaks[1].necessity = Some(Necessity::Necessary);
    let genuine = files[0].clone();
    files[0].trace = forged;
    match replay(&checked.system, &files[0]) {
        ReplayOutcome::Diverged { reason, .. } => {
            assert!(reason.contains("/trace/fewest_breaks"), "{reason}")
        }
        other => panic!("a forged claim must not replay: {other:?}"),
    }
    // With threads (`replay --threads`) the claims are searched side by side: the same
    // outcomes.
    let threads = CheckOptions {
        threads: 3,
        ..CheckOptions::default()
    };
    assert!(matches!(
        synccheck::trace::replay_with(&checked.system, &genuine, &threads),
        ReplayOutcome::Reproduced { steps: 2 }
    ));
    match synccheck::trace::replay_with(&checked.system, &files[0], &threads) {
        ReplayOutcome::Diverged { reason, .. } => {
            assert!(reason.contains("/trace/fewest_breaks"), "{reason}")
        }
        other => panic!("a forged claim must not replay on three threads: {other:?}"),
    }
}
