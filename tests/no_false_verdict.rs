//! Issue #16: no false verdict, nothing silently lost. Contradictory input is an
//! error, simulation and cancellation say why a verdict is unknown, a timer past the
//! declared largest constant is an error, and reports state the collision risk.

use std::process::{Command, Output};

fn synccheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synccheck"))
        .args(args)
        .env("SYNCCHECK_NO_PROGRESS", "1")
        .output()
        .expect("the binary runs")
}

fn assert_usage_error(args: &[&str], expected: &[&str]) {
    let output = synccheck(args);
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
    for fragment in expected {
        assert!(
            message.contains(fragment),
            "{args:?}: `{fragment}` missing from: {message}"
        );
    }
}

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
    use synccheck::system::{Context, LeansOn, NodeId, Property, Protocol, SystemState};

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
        type State = ();
        type Durable = ();
        type Msg = ();
        type Timer = Timer;
        type Ghost = Ghost;

        fn node_count(&self) -> usize {
            2
        }
        fn node_name(&self, node: NodeId) -> String {
            ["leader", "follower"][node].to_string()
        }
        fn largest_time_constant_ticks(&self) -> u32 {
            self.declared
        }
        fn leans_on(&self) -> Vec<LeansOn> {
            Vec::new()
        }
        fn on_start(&self, node: NodeId, ctx: &mut Context<'_, Self>) {
            match node {
                0 => ctx.set_timer(Timer::Beat, 2),
                _ => ctx.set_timer(Timer::Timeout, 6),
            }
        }
        fn on_message(
            &self,
            _: NodeId,
            _: &mut (),
            _: NodeId,
            _: &(),
            ctx: &mut Context<'_, Self>,
        ) {
            ctx.set_timer(Timer::Timeout, 6);
        }
        fn on_timer(&self, _: NodeId, _: &mut (), timer: &Timer, ctx: &mut Context<'_, Self>) {
            match timer {
                Timer::Beat => {
                    ctx.send(1, ());
                    ctx.set_timer(Timer::Beat, 2);
                }
                Timer::Timeout => ctx.ghost_mut().timed_out = true,
            }
        }
        fn on_restart(&self, node: NodeId, ctx: &mut Context<'_, Self>) {
            self.on_start(node, ctx)
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
