//! Verdicts of the retry models (docs/CATALOG.md T1–T5): pinned state counts and shortest
//! counterexample lengths, equal counts with one and two threads, and counterexamples
//! that replay step by step.

use synccheck::check::{Strategy, Verdict};
use synccheck::models::retry::at_least_once_queue::{Ack, AtLeastOnceQueue};
use synccheck::models::retry::idempotency_window::{Dedup, IdempotencyWindow};
use synccheck::models::retry::retry_non_idempotent::{Retry, RetryNonIdempotent};
use synccheck::system::{Assumption, Protocol, TimedSystem};
use synccheck::testing::{self, assert_pinned, options, Pin};
use Assumption::{
    BoundedDelay, BoundedPause, DurableWrites, MaxCrashes, NoDuplication, ReliableLinks,
    TimelyTimers,
};

/// The default assumption set with `relax` relaxed and `max_crashes` held at `crashes`.
fn system<P: Protocol>(protocol: P, relax: &[Assumption], crashes: u32) -> TimedSystem<P> {
    testing::system_holding(protocol, &[(MaxCrashes, Some(crashes))], relax)
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
        assert_pinned(
            &system(retry(variant), &[], 0),
            if variant == Retry::Plain {
                "plain"
            } else {
                "token"
            },
            11,
            &[
                Pin::verdict("at_most_once", Verdict::Holds),
                Pin::verdict("deadlock_free", Verdict::Holds),
                Pin::verdict("request_acknowledged", Verdict::Reached),
            ],
        );
    }
}

#[test]
fn retry_non_idempotent_plain_executes_twice_when_timing_breaks() {
    for (relax, states) in [(BoundedDelay, 115), (TimelyTimers, 74)] {
        assert_pinned(
            &system(retry(Retry::Plain), &[relax], 0),
            relax.name(),
            states,
            &[
                Pin::verdict("deadlock_free", Verdict::Holds),
                Pin::violated("at_most_once", 10),
                Pin::verdict("request_acknowledged", Verdict::Reached),
            ],
        );
    }
}

#[test]
fn retry_non_idempotent_token_holds_under_delay_loss_duplication_and_a_crash() {
    for (relax, states) in [(BoundedDelay, 115), (TimelyTimers, 74)] {
        assert_pinned(
            &system(retry(Retry::Token), &[relax], 0),
            relax.name(),
            states,
            &[
                Pin::verdict("at_most_once", Verdict::Holds),
                Pin::verdict("deadlock_free", Verdict::Holds),
                Pin::verdict("request_acknowledged", Verdict::Reached),
            ],
        );
    }
    let relaxed = [BoundedDelay, TimelyTimers, ReliableLinks, NoDuplication];
    assert_pinned(
        &system(retry(Retry::Token), &relaxed, 1),
        "delay, loss, duplication, a crash",
        222,
        &[
            Pin::verdict("at_most_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::verdict("request_acknowledged", Verdict::Reached),
        ],
    );
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
    assert_pinned(
        &system(retry(Retry::Token), &relaxed, 1),
        "token write not durable",
        391,
        &[
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::violated("at_most_once", 12),
            Pin::verdict("request_acknowledged", Verdict::Reached),
        ],
    );
}

#[test]
fn retry_non_idempotent_counterexample_names_the_late_message() {
    let system = system(retry(Retry::Plain), &[BoundedDelay], 0);
    let outcome = testing::search(&system, &options(Strategy::Bfs, 1));
    let report = synccheck::report::build(
        "retry_non_idempotent",
        &synccheck::model::Params::default(),
        Some(system.assumptions()),
        &options(Strategy::Bfs, 1),
        &system,
        &outcome,
    );
    let trace = report
        .property("at_most_once")
        .and_then(|p| p.counterexample.as_ref())
        .expect("a counterexample");
    assert_eq!(trace.breaks.len(), 1);
    assert_eq!(trace.breaks[0].assumption, "bounded_delay");
    assert_eq!(trace.breaks[0].step, 5);
    assert!(trace.breaks[0].sentence.contains("Reply"));
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

#[test]
fn at_least_once_queue_is_exactly_once_while_timing_holds() {
    for (ack, states) in [
        (Ack::After, 76),
        (Ack::Before, 86),
        (Ack::IdempotentConsumer, 76),
    ] {
        let label = format!("{ack:?}");
        assert_pinned(
            &system(queue(ack), &[], 0),
            &label,
            states,
            &[
                Pin::verdict("effect_at_most_once", Verdict::Holds),
                Pin::verdict("effect_at_least_once", Verdict::Holds),
                Pin::verdict("deadlock_free", Verdict::Holds),
                Pin::verdict("message_processed", Verdict::Reached),
            ],
        );
    }
}

#[test]
fn at_least_once_queue_ack_after_duplicates_after_a_pause_or_a_crash() {
    assert_pinned(
        &system(queue(Ack::After), &[BoundedPause], 0),
        "ack_after, pause",
        2_992,
        &[
            Pin::verdict("effect_at_least_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::violated("effect_at_most_once", 17),
            Pin::verdict("message_processed", Verdict::Reached),
        ],
    );
    assert_pinned(
        &system(queue(Ack::After), &[], 1),
        "ack_after, crash",
        1_161,
        &[
            Pin::verdict("effect_at_least_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::violated("effect_at_most_once", 17),
            Pin::verdict("message_processed", Verdict::Reached),
        ],
    );
}

#[test]
fn at_least_once_queue_ack_before_loses_the_message_in_a_crash() {
    assert_pinned(
        &system(queue(Ack::Before), &[], 1),
        "ack_before, crash",
        986,
        &[
            Pin::verdict("effect_at_most_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::violated("effect_at_least_once", 4),
            Pin::verdict("message_processed", Verdict::Reached),
        ],
    );
    // Finding: a paused consumer's delete arrives after the redelivery, and it
    // applies the effect anyway.
    assert_pinned(
        &system(queue(Ack::Before), &[BoundedPause], 0),
        "ack_before, pause",
        2_224,
        &[
            Pin::verdict("effect_at_least_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::violated("effect_at_most_once", 18),
            Pin::verdict("message_processed", Verdict::Reached),
        ],
    );
}

#[test]
fn at_least_once_queue_idempotent_consumer_holds_with_timing_relaxed() {
    let relaxed = [BoundedPause, TimelyTimers, BoundedDelay];
    assert_pinned(
        &system(queue(Ack::IdempotentConsumer), &relaxed, 1),
        "idempotent_consumer, timing relaxed, a crash",
        27_428,
        &[
            Pin::verdict("effect_at_most_once", Verdict::Holds),
            Pin::verdict("effect_at_least_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::verdict("message_processed", Verdict::Reached),
        ],
    );
    assert_pinned(
        &system(queue(Ack::IdempotentConsumer), &[BoundedPause], 0),
        "idempotent_consumer, pause",
        2_992,
        &[
            Pin::verdict("effect_at_most_once", Verdict::Holds),
            Pin::verdict("effect_at_least_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::verdict("message_processed", Verdict::Reached),
        ],
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
        assert_pinned(
            &system(window(Dedup::CheckThenAct, within, 4), &[], 0),
            &label,
            states,
            &[
                Pin::verdict("deadlock_free", Verdict::Holds),
                Pin::violated("at_most_once", steps),
                Pin::verdict("request_acknowledged", Verdict::Reached),
            ],
        );
    }
}

#[test]
fn idempotency_window_put_if_absent_holds_only_while_retries_come_within_the_ttl() {
    assert_pinned(
        &system(window(Dedup::PutIfAbsent, true, 4), &[], 0),
        "put_if_absent, within the TTL",
        278,
        &[
            Pin::verdict("at_most_once", Verdict::Holds),
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::verdict("request_acknowledged", Verdict::Reached),
        ],
    );
    let late_system = system(window(Dedup::PutIfAbsent, false, 4), &[], 0);
    assert_pinned(
        &late_system,
        "put_if_absent, after the TTL",
        134,
        &[
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::violated("at_most_once", 21),
            Pin::verdict("request_acknowledged", Verdict::Reached),
        ],
    );
    let outcome = testing::search(&late_system, &options(Strategy::Bfs, 1));
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
    assert_pinned(
        &system(window(Dedup::PutIfAbsent, true, 3), &[], 0),
        "put_if_absent, TTL 3",
        324,
        &[
            Pin::verdict("deadlock_free", Verdict::Holds),
            Pin::violated("at_most_once", 16),
            Pin::verdict("request_acknowledged", Verdict::Reached),
        ],
    );
}
