//! Clock offsets where `bounded_skew` is relaxed: the engine stores none there (the
//! skew has no bound), so a handler or a property that reads one would see 0 whatever
//! the clocks did, and a check could say `holds` of a design that unbounded skew
//! breaks. Each is an error naming the reader (exit 2), never a verdict; with the skew
//! held at a bound both read what the state stores. The model is
//! `support::one_message`'s (its `Declared` impl is in `model_panics.rs`).

use synccheck::check::{CheckOptions, Verdict};
use synccheck::request::{AssumptionChanges, CheckRequest, RequestError};

use crate::support::one_message::OneMessage;

/// `one_message` with the switches `on` on, under `changes`.
fn run(
    on: &[&str],
    changes: AssumptionChanges,
) -> Result<synccheck::report::CheckReport, RequestError> {
    let registry = synccheck::registry![OneMessage];
    let request = CheckRequest {
        model: "one_message".to_string(),
        params: on
            .iter()
            .map(|param| (param.to_string(), "on".to_string()))
            .collect(),
        changes,
    };
    registry.run(&request, &CheckOptions::default())
}

fn skew_relaxed() -> AssumptionChanges {
    AssumptionChanges {
        relax: vec!["bounded_skew".to_string()],
        ..AssumptionChanges::default()
    }
}

fn skew_held_at_2() -> AssumptionChanges {
    AssumptionChanges {
        hold: vec!["bounded_skew=2".to_string()],
        ..AssumptionChanges::default()
    }
}

/// The error of a check that must end with one, naming the model.
#[track_caller]
fn error_of(result: Result<synccheck::report::CheckReport, RequestError>) -> String {
    match result {
        Err(RequestError::Build { model, reason }) => {
            assert_eq!(model, "one_message");
            reason
        }
        other => panic!("not an error of the model: {other:?}"),
    }
}

#[test]
fn a_handler_reading_its_clock_where_skew_is_relaxed_is_an_error() {
    let reason = error_of(run(&["reads_clock"], skew_relaxed()));
    assert!(
        reason.contains("node n1 reads its clock offset (Context::clock_offset_ticks)"),
        "{reason}"
    );
    assert!(reason.contains("hold bounded_skew at a bound"), "{reason}");
    // Everything relaxed relaxes the skew too.
    let everything = AssumptionChanges {
        relax_all: true,
        ..AssumptionChanges::default()
    };
    assert!(error_of(run(&["reads_clock"], everything)).contains("reads its clock offset"));
    // Held (at 0 by default, or at a bound) the offset is stored and read.
    for changes in [AssumptionChanges::default(), skew_held_at_2()] {
        let report = run(&["reads_clock"], changes).expect("the check runs");
        assert!(report.complete);
        assert_eq!(
            report.property("received").map(|p| p.verdict),
            Some(Verdict::Holds)
        );
    }
}

#[test]
fn a_property_reading_clock_offsets_where_skew_is_relaxed_is_an_error() {
    let reason = error_of(run(&["clock_property"], skew_relaxed()));
    assert!(
        reason.contains(
            "property `clocks_agree` reads clock offsets: it is true on a state and false"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("seen at state 1 of a breadth-first search"),
        "{reason}"
    );
    // Held, the offsets are stored and read: at 0 the clocks agree, at 2 they may not
    // (every clock drifts, stable nodes too).
    for (changes, verdict) in [
        (AssumptionChanges::default(), Verdict::Holds),
        (skew_held_at_2(), Verdict::Violated),
    ] {
        let report = run(&["clock_property"], changes).expect("the check runs");
        assert!(report.complete);
        assert_eq!(
            report.property("clocks_agree").map(|p| p.verdict),
            Some(verdict)
        );
    }
    // Neither switch on: relaxed skew is no error.
    let report = run(&[], skew_relaxed()).expect("the check runs");
    assert_eq!(
        report.property("received").map(|p| p.verdict),
        Some(Verdict::Holds)
    );
}

/// `bounds` over `bounded_skew` for a model whose property reads clock offsets: its
/// probe with the skew relaxed cannot run, so the search goes on from 0 without it
/// and finds the boundary (the clocks agree at 0, not at 1) instead of failing.
#[test]
fn bounds_over_the_skew_of_a_clock_reader_search_from_zero() {
    use synccheck::bounds::{self, BoundStatus, BoundsRequest, SearchOptions};
    use synccheck::system::Assumption;
    let request = BoundsRequest {
        model: "one_message".to_string(),
        params: [("clock_property".to_string(), "on".to_string())].into(),
        properties: vec!["clocks_agree".to_string()],
        assumptions: vec!["bounded_skew".to_string()],
        ..BoundsRequest::default()
    };
    let report = bounds::bounds(
        &synccheck::registry![OneMessage],
        &request,
        &SearchOptions::new(4, 2),
        &CheckOptions::default(),
        &|_| {},
    )
    .expect("the search runs without the relaxed probe");
    let entry = report
        .entry("clocks_agree", Assumption::BoundedSkew)
        .expect("searched");
    assert_eq!(entry.status, BoundStatus::Boundary, "{}", entry.sentence);
    assert_eq!((entry.holds_up_to, entry.violated_from), (Some(0), Some(1)));
    assert_eq!(entry.relaxed, None, "the relaxed probe did not run");
    assert!(entry.relaxed_not_run);
    assert!(
        entry.sentence.ends_with(
            "(Not checked with bounded_skew relaxed: the model reads clock offsets, which \
             relaxed skew does not store.)"
        ),
        "{}",
        entry.sentence
    );
}

/// `assumptions` for a model whose handler reads its clock: the rows relaxing
/// `bounded_skew` cannot run, the others do, and the output says why.
#[test]
fn the_assumptions_of_a_clock_reader_run_every_row_but_relaxed_skew() {
    use synccheck::system::Assumption;
    let on = ["reads_clock", "leans_on_seven"];
    let ablation = crate::support::one_message::ablate(&on, &AssumptionChanges::default())
        .expect("the ablation runs");
    assert!(ablation
        .not_run
        .as_deref()
        .is_some_and(|reason| reason.contains("node n1 reads its clock offset")));
    let row = |relaxed: &[Assumption]| {
        (ablation.rows.iter())
            .find(|row| row.relaxed == relaxed)
            .map(|row| row.cells.len())
    };
    assert_eq!(row(&[Assumption::BoundedSkew]), Some(0), "not run");
    assert!(row(&[]).is_some_and(|cells| cells > 0));
    assert!(row(&[Assumption::ReliableLinks]).is_some_and(|cells| cells > 0));
    assert_eq!(
        ablation
            .load_bearing_unknown
            .get("received")
            .map(Vec::as_slice),
        Some(&[Assumption::BoundedSkew][..])
    );
    let text = synccheck::ablation::render(&ablation);
    assert!(
        text.contains(
            "not run (their cells are -, read as unknown): the rows relaxing bounded_skew:"
        ),
        "{text}"
    );
    // With the skew relaxed in the base, every row relaxes it, the one with every
    // declared assumption held too: the error it is, not a matrix of `-`.
    let result = crate::support::one_message::ablate(&on, &skew_relaxed());
    assert!(
        matches!(&result, Err(RequestError::Build { reason, .. }) if reason.contains("reads its clock offset")),
        "{:?}",
        result.map(|ablation| ablation.rows.len())
    );
}
