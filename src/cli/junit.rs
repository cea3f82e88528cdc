//! JUnit XML for CI test reporters, written with `quick-junit` (the serializer
//! cargo-nextest uses): one `<testsuite>` per check of a plan, one `<testcase>` per
//! expectation.
//!
//! - An unmet expectation is a `<failure>` whose message says expected vs found (and the
//!   counterexample's length); its body is the counterexample as numbered steps, the
//!   command that reruns the check and, when traces were saved, the one that replays it.
//! - A check that stopped on a limit before deciding reports `unknown` once: one
//!   `<testcase name="complete">` failure saying which limit, and each expectation it
//!   left undecided is `<skipped>` (not a second failure for the same cause).
//! - A check that could not run is one `<testcase name="run">` with an `<error>`.
//! - A check not run at all (the plan was cancelled) is a suite whose cases are
//!   `<skipped>`.
//! - Every testcase has a `time`: a check's time is shared out evenly over its
//!   expectations (the search ran once for all of them), so the cases of a suite add up
//!   to the suite's time. Times are never negative.

use crate::check::Verdict;
use crate::plan::{PlanCheck, PlanCheckResult, PlanReport};
use crate::report::{render_trace, CheckReport};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::Path;
use std::time::Duration;

/// Renders `report` as JUnit XML. `trace_dir`, when traces were saved there, makes each
/// failure name its trace file and `synccheck replay` command; `not_run` are the checks
/// a cancelled plan never started.
pub fn render(
    report: &PlanReport,
    trace_dir: Option<&Path>,
    not_run: &[&PlanCheck],
) -> Result<String, String> {
    let mut junit = Report::new("synccheck");
    let mut total = Duration::ZERO;
    for check in &report.checks {
        let suite = suite(check, trace_dir);
        total += suite.time.unwrap_or_default();
        junit.add_test_suite(suite);
    }
    for check in not_run {
        junit.add_test_suite(skipped_suite(check));
    }
    junit.set_time(total);
    junit.to_string().map_err(|e| e.to_string())
}

/// Writes the JUnit file, naming the path in any error.
pub fn write(
    path: &str,
    report: &PlanReport,
    trace_dir: Option<&Path>,
    not_run: &[&PlanCheck],
) -> Result<(), String> {
    let text = render(report, trace_dir, not_run).map_err(|e| format!("--junit {path}: {e}"))?;
    std::fs::write(path, text).map_err(|e| format!("--junit {path}: {e}"))
}

/// Seconds as a duration, never negative (a clock that went back reads as zero).
fn duration(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or_default()
}

fn suite(check: &PlanCheckResult, trace_dir: Option<&Path>) -> TestSuite {
    let mut suite = TestSuite::new(check.name.as_str());
    // Reports of versions before `seconds` read it as 0: their searches' time then.
    let seconds = duration(check.report.as_ref().map_or(0.0, |r| {
        if r.seconds > 0.0 {
            r.seconds
        } else {
            r.search_seconds()
        }
    }));
    let bound_seconds: f64 = check.bounds.iter().map(|b| b.seconds.max(0.0)).sum();
    suite.set_time(seconds + duration(bound_seconds));
    if let Some(error) = &check.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.as_str());
        let mut case = TestCase::new("run", status);
        case.set_classname("synccheck").set_time(Duration::ZERO);
        suite.add_test_case(case);
        return suite;
    }
    let Some(report) = &check.report else {
        return suite;
    };
    suite.add_properties(properties(report));
    let classname = format!("synccheck.{}", report.model);
    let undecided = check
        .expectations
        .iter()
        .any(|e| !e.met && e.actual == Verdict::Unknown);
    let cases = check.expectations.len() + usize::from(undecided);
    let share = seconds
        .checked_div(u32::try_from(cases.max(1)).unwrap_or(u32::MAX))
        .unwrap_or_default();
    if undecided {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(format!("unknown: {}", stopped_where(report)))
            .set_type("unknown")
            .set_description(format!("rerun:  {}\n", rerun_command(report)));
        let mut case = TestCase::new("complete", status);
        case.set_classname(classname.as_str()).set_time(share);
        suite.add_test_case(case);
    }
    for expectation in &check.expectations {
        let status = if expectation.met {
            TestCaseStatus::success()
        } else if expectation.actual == Verdict::Unknown {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!(
                "expected {}, not decided: {} (reported once, as `complete`)",
                expectation.expected.name(),
                stopped_where(report)
            ));
            status
        } else {
            failure(report, expectation, trace_dir)
        };
        let mut case = TestCase::new(expectation.property.as_str(), status);
        case.set_classname(classname.as_str()).set_time(share);
        suite.add_test_case(case);
    }
    for bound in &check.bounds {
        let mut case = TestCase::new(bound.label(), bound_status(report, bound, trace_dir));
        case.set_classname(classname.as_str())
            .set_time(duration(bound.seconds));
        suite.add_test_case(case);
    }
    suite
}

/// A pinned boundary (`property@assumption`); unmet, a failure with both verdicts, the
/// deciding counterexample and the `synccheck bounds` command that finds where the
/// boundary is now.
fn bound_status(
    report: &CheckReport,
    bound: &crate::plan::BoundExpectationResult,
    trace_dir: Option<&Path>,
) -> TestCaseStatus {
    if bound.met {
        return TestCaseStatus::success();
    }
    let name = bound.assumption.name();
    let mut message = format!(
        "expected {} to hold with {name}({}) and be violated with {name}({}); found {} and {}",
        bound.property,
        bound.holds_up_to,
        bound.holds_up_to + 1,
        bound.at_bound.name(),
        bound.above_bound.name()
    );
    if let Some(trace) = &bound.counterexample {
        message.push_str(&format!(
            " (counterexample at {}: {})",
            bound.deciding(),
            crate::report::steps(trace.trace.length)
        ));
    }
    let mut body = String::new();
    if let Some(trace) = &bound.counterexample {
        render_trace(&trace.trace, &trace.nodes, &mut body);
    }
    let mut command = format!("{} bounds {}", super::program_name(), report.model);
    for (key, value) in &report.params {
        command.push_str(&format!(" --set {key}={value}"));
    }
    command.push_str(&format!(
        " --property {} --assumption {name} --up-to {}",
        bound.property,
        (bound.holds_up_to + 2).min(crate::system::BOUND_MAX)
    ));
    body.push_str(&format!("search: {command}\n"));
    if let (Some(dir), Some(trace)) = (trace_dir, &bound.counterexample) {
        let file = dir.join(crate::trace::file_name(trace));
        let program = super::program_name();
        body.push_str(&format!("replay: {program} replay {}\n", file.display()));
    }
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status
        .set_message(message)
        .set_type("bound")
        .set_description(body);
    status
}

/// An unmet, decided expectation: the verdicts, the counterexample, how to rerun it.
fn failure(
    report: &CheckReport,
    expectation: &crate::plan::ExpectationResult,
    trace_dir: Option<&Path>,
) -> TestCaseStatus {
    let property = report.property(&expectation.property);
    let trace = property.and_then(|p| p.counterexample.as_ref());
    let mut message = format!(
        "expected {}, found {}",
        expectation.expected.name(),
        expectation.actual.name()
    );
    if let Some(trace) = trace {
        message.push_str(&format!(
            " (counterexample: {})",
            crate::report::steps(trace.length)
        ));
    }
    let mut body = String::new();
    if let Some(trace) = trace {
        render_trace(trace, &report.nodes, &mut body);
    }
    body.push_str(&format!("rerun:  {}\n", rerun_command(report)));
    if let (Some(dir), Some(_)) = (trace_dir, trace) {
        let saved = crate::trace::traces_of(report)
            .into_iter()
            .find(|t| t.property == expectation.property);
        if let Some(saved) = saved {
            let file = dir.join(crate::trace::file_name(&saved));
            let program = super::program_name();
            body.push_str(&format!("replay: {program} replay {}\n", file.display()));
        }
    }
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status
        .set_message(message)
        .set_type(expectation.actual.name())
        .set_description(body);
    status
}

/// A check the plan never started (cancelled): each expectation skipped.
fn skipped_suite(check: &PlanCheck) -> TestSuite {
    let mut suite = TestSuite::new(check.name.as_str());
    suite.set_time(Duration::ZERO);
    let classname = format!("synccheck.{}", check.request.model);
    for property in check.expect.keys() {
        let mut status = TestCaseStatus::skipped();
        status.set_message("not run: the plan was cancelled before this check started");
        let mut case = TestCase::new(property.as_str(), status);
        case.set_classname(classname.as_str())
            .set_time(Duration::ZERO);
        suite.add_test_case(case);
    }
    suite
}

/// The check's model, parameters and exact assumption set as `<properties>`.
fn properties(report: &CheckReport) -> Vec<Property> {
    let mut entries = vec![("model".to_string(), report.model.clone())];
    for (key, value) in &report.params {
        entries.push((format!("param.{key}"), value.clone()));
    }
    if let Some(assumptions) = &report.assumptions {
        // As `--hold` takes them: `bounded_delay=1`, and `durable_writes` bare (the
        // JSON's 0 for an assumption without a bound would read as "none durable").
        entries.push(("held".to_string(), assumptions.held_specs().join(" ")));
        entries.push(("relaxed".to_string(), assumptions.relaxed.join(" ")));
    }
    entries.push((
        "unique_states".to_string(),
        report.stats.unique_states.to_string(),
    ));
    entries.push(("complete".to_string(), report.complete.to_string()));
    entries
        .into_iter()
        .map(|(name, value)| Property::new(name, value))
        .collect()
}

/// A command line that runs the same check: the model, its parameters, the exact
/// assumption set (everything relaxed, then each held assumption with its bound), the
/// search strategy, the property selection, `--no-deadlock` and `--no-lean`, run by the
/// binary this process is (`synccheck`, or a user's own built on `main_with`). Limits
/// are left out (the rerun is for finding out, and a limit only leaves verdicts
/// unknown), and so are a simulation's seed and number of walks, which the report does
/// not record: a simulation rerun walks other paths.
pub fn rerun_command(report: &CheckReport) -> String {
    let mut command = format!("{} check {}", super::program_name(), report.model);
    for (key, value) in &report.params {
        command.push_str(&format!(" --set {key}={value}"));
    }
    if let Some(assumptions) = &report.assumptions {
        command.push_str(" --relax-all");
        for spec in assumptions.held_specs() {
            command.push_str(&format!(" --hold {spec}"));
        }
    }
    if report.strategy != crate::check::Strategy::Bfs.name() {
        command.push_str(&format!(" --strategy {}", report.strategy));
    }
    for property in &report.only_properties {
        command.push_str(&format!(" --property {property}"));
    }
    let deadlock = crate::check::DEADLOCK_PROPERTY;
    if report.only_properties.is_empty() && report.property(deadlock).is_none() {
        command.push_str(" --no-deadlock");
    }
    if report.no_lean {
        command.push_str(" --no-lean");
    }
    command
}

/// Why a check stopped, and in which phase when the search itself finished.
fn stopped_where(report: &crate::report::CheckReport) -> String {
    match report.later_cut {
        Some(cut) => format!(
            "{}: {}",
            cut.phase.describe(),
            report.stop_reason.describe()
        ),
        None => report.stop_reason.describe().to_string(),
    }
}
