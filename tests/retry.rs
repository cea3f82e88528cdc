//! Verdicts of the retry models (docs/CATALOG.md T1–T5): pinned state counts and shortest
//! counterexample lengths, equal counts with one and two threads, and counterexamples
//! that replay step by step.

use stateright::Model;
use synccheck::check::{self, CheckOptions, Strategy, Verdict};
use synccheck::models::retry::at_least_once_queue::{Ack, AtLeastOnceQueue};
use synccheck::models::retry::idempotency_window::{Dedup, IdempotencyWindow};
use synccheck::models::retry::retry_non_idempotent::{Retry, RetryNonIdempotent};
use synccheck::system::{Assumption, AssumptionSet, Protocol, TimedSystem};
use Assumption::{
    BoundedDelay, BoundedPause, DurableWrites, MaxCrashes, NoDuplication, ReliableLinks,
    TimelyTimers,
};

fn options(threads: usize) -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Bfs,
        threads,
        ..CheckOptions::default()
    }
}

/// The default assumption set with `relax` relaxed and `max_crashes` held at `crashes`.
fn system<P: Protocol>(protocol: P, relax: &[Assumption], crashes: u32) -> TimedSystem<P> {
    let mut set = AssumptionSet::default();
    for assumption in relax {
        set.relax(*assumption);
    }
    set.hold(MaxCrashes, Some(crashes)).expect("a valid bound");
    TimedSystem::new(protocol, set).expect("the protocol is within the engine's limits")
}

/// Replays a path through the model: every step is enabled and leads to the recorded
/// state, and the last state violates `property`.
fn assert_replays<P: Protocol>(
    system: &TimedSystem<P>,
    path: &check::Path<TimedSystem<P>>,
    property: &str,
) {
    assert_eq!(path.states[0], system.initial_state());
    for (index, action) in path.actions.iter().enumerate() {
        let mut enabled = Vec::new();
        system.actions(&path.states[index], &mut enabled);
        assert!(enabled.contains(action), "step {} is enabled", index + 1);
        let next = system
            .step(&path.states[index], action)
            .expect("the action applies");
        assert_eq!(
            next,
            path.states[index + 1],
            "step {} reproduces",
            index + 1
        );
    }
    let properties = system.properties();
    let condition = properties
        .iter()
        .find(|p| p.name == property)
        .expect("declared")
        .condition;
    assert!(
        !condition(system, path.last_state()),
        "the last state violates {property}"
    );
}

/// One pinned scenario: `always` properties that must hold or be violated (with the
/// BFS counterexample length), the `sometimes` that must be reached, the state count.
struct Pinned<'a> {
    label: &'a str,
    states: usize,
    holds: &'a [&'a str],
    violated: &'a [(&'a str, usize)],
    reached: &'a str,
}

fn assert_pinned<P: Protocol>(system: &TimedSystem<P>, pinned: &Pinned<'_>) {
    let label = pinned.label;
    let one = check::run(system, &options(1));
    let two = check::run(system, &options(2));
    assert!(one.complete(), "{label}: complete");
    assert!(two.complete(), "{label}: complete with 2 threads");
    assert_eq!(one.stats.unique_states, pinned.states, "{label}");
    assert_eq!(two.stats.unique_states, pinned.states, "{label} x2");
    let verdict = |name: &str| one.property(name).map(|p| p.verdict);
    for name in pinned.holds {
        assert_eq!(verdict(name), Some(Verdict::Holds), "{label}: {name}");
    }
    assert_eq!(
        verdict(pinned.reached),
        Some(Verdict::Reached),
        "{label}: {}",
        pinned.reached
    );
    for (name, steps) in pinned.violated {
        assert_eq!(verdict(name), Some(Verdict::Violated), "{label}: {name}");
        let path = one
            .property(name)
            .and_then(|p| p.path.as_ref())
            .expect("a counterexample");
        assert_eq!(path.len(), *steps, "{label}: {name} length");
        let length_with_two = two
            .property(name)
            .and_then(|p| p.path.as_ref())
            .map(|p| p.len());
        assert_eq!(length_with_two, Some(*steps), "{label}: {name} length x2");
        assert_replays(system, path, name);
    }
}

// T1 `retry_non_idempotent` ------------------------------------------------------

fn retry(variant: Retry) -> RetryNonIdempotent {
    RetryNonIdempotent {
        retry: variant,
        timeout_ticks: 4,
        processing_ticks: 1,
    }
}

#[test]
fn retry_non_idempotent_is_safe_while_the_timeout_outlasts_a_round_trip() {
    for variant in [Retry::Plain, Retry::Token] {
        let pinned = Pinned {
            label: if variant == Retry::Plain {
                "plain"
            } else {
                "token"
            },
            states: 11,
            holds: &["at_most_once", "deadlock_free"],
            violated: &[],
            reached: "request_acknowledged",
        };
        assert_pinned(&system(retry(variant), &[], 0), &pinned);
    }
}

#[test]
fn retry_non_idempotent_plain_executes_twice_when_timing_breaks() {
    for (relax, states) in [(BoundedDelay, 158), (TimelyTimers, 74)] {
        let pinned = Pinned {
            label: relax.name(),
            states,
            holds: &["deadlock_free"],
            violated: &[("at_most_once", 10)],
            reached: "request_acknowledged",
        };
        assert_pinned(&system(retry(Retry::Plain), &[relax], 0), &pinned);
    }
}

#[test]
fn retry_non_idempotent_token_holds_under_delay_loss_duplication_and_a_crash() {
    for (relax, states) in [(BoundedDelay, 158), (TimelyTimers, 74)] {
        let pinned = Pinned {
            label: relax.name(),
            states,
            holds: &["at_most_once", "deadlock_free"],
            violated: &[],
            reached: "request_acknowledged",
        };
        assert_pinned(&system(retry(Retry::Token), &[relax], 0), &pinned);
    }
    let relaxed = [BoundedDelay, TimelyTimers, ReliableLinks, NoDuplication];
    let pinned = Pinned {
        label: "delay, loss, duplication, a crash",
        states: 10_353,
        holds: &["at_most_once", "deadlock_free"],
        violated: &[],
        reached: "request_acknowledged",
    };
    assert_pinned(&system(retry(Retry::Token), &relaxed, 1), &pinned);
}

#[test]
fn retry_non_idempotent_token_needs_a_durable_token() {
    let relaxed = [
        BoundedDelay,
        TimelyTimers,
        ReliableLinks,
        NoDuplication,
        DurableWrites,
    ];
    let pinned = Pinned {
        label: "token write not durable",
        states: 21_668,
        holds: &["deadlock_free"],
        violated: &[("at_most_once", 12)],
        reached: "request_acknowledged",
    };
    assert_pinned(&system(retry(Retry::Token), &relaxed, 1), &pinned);
}

#[test]
fn retry_non_idempotent_counterexample_names_the_late_message() {
    let system = system(retry(Retry::Plain), &[BoundedDelay], 0);
    let outcome = check::run(&system, &options(1));
    let report = synccheck::report::build(
        "retry_non_idempotent",
        &synccheck::model::Params::default(),
        Some(system.assumptions()),
        &options(1),
        &system,
        &outcome,
    );
    let trace = report
        .property("at_most_once")
        .and_then(|p| p.counterexample.as_ref())
        .expect("a counterexample");
    assert_eq!(trace.breaks.len(), 1);
    assert_eq!(trace.breaks[0].assumption, "bounded_delay");
    assert_eq!(trace.breaks[0].step, 2);
    assert!(trace.breaks[0].sentence.contains("Request"));
    let last = outcome
        .property("at_most_once")
        .and_then(|p| p.path.as_ref())
        .expect("a path");
    assert_eq!(last.last_state().ghost.executions, 2);
}

// T4 `at_least_once_queue` -------------------------------------------------------

fn queue(ack: Ack) -> AtLeastOnceQueue {
    AtLeastOnceQueue {
        ack,
        visibility_ticks: 6,
        processing_ticks: 1,
    }
}

const BOTH: [&str; 3] = [
    "effect_at_most_once",
    "effect_at_least_once",
    "deadlock_free",
];

#[test]
fn at_least_once_queue_is_exactly_once_while_timing_holds() {
    for (ack, states) in [
        (Ack::After, 76),
        (Ack::Before, 86),
        (Ack::IdempotentConsumer, 76),
    ] {
        let label = format!("{ack:?}");
        let pinned = Pinned {
            label: &label,
            states,
            holds: &BOTH,
            violated: &[],
            reached: "message_processed",
        };
        assert_pinned(&system(queue(ack), &[], 0), &pinned);
    }
}

#[test]
fn at_least_once_queue_ack_after_duplicates_after_a_pause_or_a_crash() {
    let pause = Pinned {
        label: "ack_after, pause",
        states: 2_992,
        holds: &["effect_at_least_once", "deadlock_free"],
        violated: &[("effect_at_most_once", 17)],
        reached: "message_processed",
    };
    assert_pinned(&system(queue(Ack::After), &[BoundedPause], 0), &pause);
    let crash = Pinned {
        label: "ack_after, crash",
        states: 1_161,
        holds: &["effect_at_least_once", "deadlock_free"],
        violated: &[("effect_at_most_once", 17)],
        reached: "message_processed",
    };
    assert_pinned(&system(queue(Ack::After), &[], 1), &crash);
}

#[test]
fn at_least_once_queue_ack_before_loses_the_message_in_a_crash() {
    let crash = Pinned {
        label: "ack_before, crash",
        states: 986,
        holds: &["effect_at_most_once", "deadlock_free"],
        violated: &[("effect_at_least_once", 4)],
        reached: "message_processed",
    };
    assert_pinned(&system(queue(Ack::Before), &[], 1), &crash);
    // Finding: a paused consumer's delete arrives after the redelivery, and it
    // applies the effect anyway.
    let pause = Pinned {
        label: "ack_before, pause",
        states: 2_224,
        holds: &["effect_at_least_once", "deadlock_free"],
        violated: &[("effect_at_most_once", 18)],
        reached: "message_processed",
    };
    assert_pinned(&system(queue(Ack::Before), &[BoundedPause], 0), &pause);
}

#[test]
fn at_least_once_queue_idempotent_consumer_holds_with_timing_relaxed() {
    let relaxed = [BoundedPause, TimelyTimers, BoundedDelay];
    let pinned = Pinned {
        label: "idempotent_consumer, timing relaxed, a crash",
        states: 65_408,
        holds: &BOTH,
        violated: &[],
        reached: "message_processed",
    };
    assert_pinned(
        &system(queue(Ack::IdempotentConsumer), &relaxed, 1),
        &pinned,
    );
    let pause = Pinned {
        label: "idempotent_consumer, pause",
        states: 2_992,
        holds: &BOTH,
        violated: &[],
        reached: "message_processed",
    };
    assert_pinned(
        &system(queue(Ack::IdempotentConsumer), &[BoundedPause], 0),
        &pause,
    );
}

// T2 `idempotency_window` -------------------------------------------------------

fn window(dedup: Dedup, retry_within_ttl: bool, ttl_ticks: u32) -> IdempotencyWindow {
    IdempotencyWindow {
        dedup,
        retry_within_ttl,
        ttl_ticks,
        retry_after_ticks: 1,
        processing_ticks: 1,
    }
}

#[test]
fn idempotency_window_check_then_act_executes_twice_with_timing_held() {
    for (within, states, steps) in [(true, 290, 11), (false, 116, 21)] {
        let label = format!("check_then_act, retry_within_ttl={within}");
        let pinned = Pinned {
            label: &label,
            states,
            holds: &["deadlock_free"],
            violated: &[("at_most_once", steps)],
            reached: "request_acknowledged",
        };
        assert_pinned(
            &system(window(Dedup::CheckThenAct, within, 4), &[], 0),
            &pinned,
        );
    }
}

#[test]
fn idempotency_window_put_if_absent_holds_only_while_retries_come_within_the_ttl() {
    let held = Pinned {
        label: "put_if_absent, within the TTL",
        states: 278,
        holds: &["at_most_once", "deadlock_free"],
        violated: &[],
        reached: "request_acknowledged",
    };
    assert_pinned(&system(window(Dedup::PutIfAbsent, true, 4), &[], 0), &held);
    let late = Pinned {
        label: "put_if_absent, after the TTL",
        states: 134,
        holds: &["deadlock_free"],
        violated: &[("at_most_once", 21)],
        reached: "request_acknowledged",
    };
    let late_system = system(window(Dedup::PutIfAbsent, false, 4), &[], 0);
    assert_pinned(&late_system, &late);
    let outcome = check::run(&late_system, &options(1));
    let path = outcome
        .property("at_most_once")
        .and_then(|p| p.path.as_ref())
        .expect("a counterexample");
    let late_retry = path
        .actions
        .iter()
        .map(|action| late_system.describe_action(action))
        .position(|text| text == "timer RetryAfterTtl fires at client");
    assert_eq!(late_retry, Some(15), "step 16 is where (a) broke");
}

#[test]
fn idempotency_window_marker_must_outlive_the_handler() {
    let pinned = Pinned {
        label: "put_if_absent, TTL 3",
        states: 324,
        holds: &["deadlock_free"],
        violated: &[("at_most_once", 16)],
        reached: "request_acknowledged",
    };
    assert_pinned(
        &system(window(Dedup::PutIfAbsent, true, 3), &[], 0),
        &pinned,
    );
}
