//! JUnit XML for CI test reporters: one `<testsuite>` per check of a plan, one
//! `<testcase>` per expectation. An unmet expectation is a `<failure>` whose message
//! says expected vs found (and the counterexample's length); its body is the
//! counterexample as numbered steps and the command that replays it. A check that
//! could not run is one `<testcase name="run">` with an `<error>`.

use crate::check::Verdict;
use crate::plan::{PlanCheckResult, PlanReport};
use crate::report::{render_trace, CheckReport};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::path::Path;

/// Renders `report` as JUnit XML. `trace_dir`, when traces were saved there, makes each
/// failure name its trace file and `synccheck replay` command.
pub fn render(report: &PlanReport, trace_dir: Option<&Path>) -> Result<String, String> {
    let mut xml = Xml(Writer::new_with_indent(Vec::new(), b' ', 2));
    xml.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (tests, failures, errors) = totals(report.checks.iter());
    let seconds: f64 = report
        .checks
        .iter()
        .filter_map(|c| c.report.as_ref())
        .map(|r| r.stats.seconds)
        .sum();
    xml.start(
        "testsuites",
        &[
            ("name", "synccheck".to_string()),
            ("tests", tests.to_string()),
            ("failures", failures.to_string()),
            ("errors", errors.to_string()),
            ("time", format!("{seconds:.3}")),
        ],
    )?;
    for check in &report.checks {
        suite(&mut xml, check, trace_dir)?;
    }
    xml.end("testsuites")?;
    let bytes = xml.0.into_inner();
    String::from_utf8(bytes)
        .map(|text| text + "\n")
        .map_err(|e| e.to_string())
}

/// Writes the JUnit file, naming the path in any error.
pub fn write(path: &str, report: &PlanReport, trace_dir: Option<&Path>) -> Result<(), String> {
    let text = render(report, trace_dir).map_err(|e| format!("--junit {path}: {e}"))?;
    std::fs::write(path, text).map_err(|e| format!("--junit {path}: {e}"))
}

/// (tests, failures, errors) over some checks.
fn totals<'a>(checks: impl Iterator<Item = &'a PlanCheckResult>) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for check in checks {
        if check.error.is_some() {
            counts.0 += 1;
            counts.2 += 1;
            continue;
        }
        counts.0 += check.expectations.len() + check.bounds.len();
        counts.1 += check.expectations.iter().filter(|e| !e.met).count();
        counts.1 += check.bounds.iter().filter(|b| !b.met).count();
    }
    counts
}

fn suite(xml: &mut Xml, check: &PlanCheckResult, trace_dir: Option<&Path>) -> Result<(), String> {
    let (tests, failures, errors) = totals(std::iter::once(check));
    let seconds = check.report.as_ref().map_or(0.0, |r| r.stats.seconds);
    xml.start(
        "testsuite",
        &[
            ("name", check.name.clone()),
            ("tests", tests.to_string()),
            ("failures", failures.to_string()),
            ("errors", errors.to_string()),
            ("time", format!("{seconds:.3}")),
        ],
    )?;
    if let Some(error) = &check.error {
        xml.start(
            "testcase",
            &[
                ("name", "run".to_string()),
                ("classname", "synccheck".to_string()),
            ],
        )?;
        xml.start("error", &[("message", error.clone())])?;
        xml.end("error")?;
        xml.end("testcase")?;
        return xml.end("testsuite");
    }
    let Some(report) = &check.report else {
        return xml.end("testsuite");
    };
    properties(xml, report)?;
    for expectation in &check.expectations {
        xml.start(
            "testcase",
            &[
                ("name", expectation.property.clone()),
                ("classname", format!("synccheck.{}", report.model)),
                ("time", format!("{:.3}", report.stats.seconds)),
            ],
        )?;
        if !expectation.met {
            let property = report.property(&expectation.property);
            let trace = property.and_then(|p| p.counterexample.as_ref());
            let mut message = format!(
                "expected {}, found {}",
                expectation.expected.name(),
                expectation.actual.name()
            );
            if let Some(trace) = trace {
                message.push_str(&format!(" (counterexample: {} steps)", trace.length));
            } else if expectation.actual == Verdict::Unknown {
                message.push_str(&format!(" ({})", report.stop_reason.describe()));
            }
            xml.start(
                "failure",
                &[
                    ("message", message),
                    ("type", expectation.actual.name().to_string()),
                ],
            )?;
            let mut body = String::new();
            if let Some(trace) = trace {
                render_trace(trace, &mut body);
            }
            body.push_str(&format!("rerun:  {}\n", rerun_command(report)));
            if let (Some(dir), Some(_)) = (trace_dir, trace) {
                let saved = crate::trace::traces_of(report)
                    .into_iter()
                    .find(|t| t.property == expectation.property);
                if let Some(saved) = saved {
                    let file = dir.join(crate::trace::file_name(&saved));
                    body.push_str(&format!("replay: synccheck replay {}\n", file.display()));
                }
            }
            xml.text(&body)?;
            xml.end("failure")?;
        }
        xml.end("testcase")?;
    }
    for bound in &check.bounds {
        bound_case(xml, report, bound)?;
    }
    xml.end("testsuite")
}

/// One pinned boundary as a testcase `property@assumption`; unmet, a failure with both
/// verdicts, the deciding counterexample and the `synccheck bounds` command that finds
/// where the boundary is now.
fn bound_case(
    xml: &mut Xml,
    report: &CheckReport,
    bound: &crate::plan::BoundExpectationResult,
) -> Result<(), String> {
    xml.start(
        "testcase",
        &[
            ("name", bound.label()),
            ("classname", format!("synccheck.{}", report.model)),
            ("time", format!("{:.3}", bound.seconds)),
        ],
    )?;
    if !bound.met {
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
            message.push_str(&format!(" (counterexample: {} steps)", trace.trace.length));
        }
        xml.start(
            "failure",
            &[("message", message), ("type", "bound".to_string())],
        )?;
        let mut body = String::new();
        if let Some(trace) = &bound.counterexample {
            render_trace(&trace.trace, &mut body);
        }
        let mut command = format!("synccheck bounds {}", report.model);
        for (key, value) in &report.params {
            command.push_str(&format!(" --set {key}={value}"));
        }
        command.push_str(&format!(
            " --property {} --assumption {name} --up-to {}",
            bound.property,
            (bound.holds_up_to + 2).min(crate::system::BOUND_MAX)
        ));
        body.push_str(&format!("search: {command}\n"));
        xml.text(&body)?;
        xml.end("failure")?;
    }
    xml.end("testcase")
}

/// The check's model, parameters and exact assumption set as `<properties>`.
fn properties(xml: &mut Xml, report: &CheckReport) -> Result<(), String> {
    xml.start("properties", &[])?;
    let mut entries = vec![("model".to_string(), report.model.clone())];
    for (key, value) in &report.params {
        entries.push((format!("param.{key}"), value.clone()));
    }
    if let Some(assumptions) = &report.assumptions {
        let held: Vec<String> = assumptions
            .held
            .iter()
            .map(|(name, bound)| format!("{name}={bound}"))
            .collect();
        entries.push(("held".to_string(), held.join(" ")));
        entries.push(("relaxed".to_string(), assumptions.relaxed.join(" ")));
    }
    entries.push((
        "unique_states".to_string(),
        report.stats.unique_states.to_string(),
    ));
    entries.push(("complete".to_string(), report.complete.to_string()));
    for (name, value) in entries {
        xml.empty("property", &[("name", name), ("value", value)])?;
    }
    xml.end("properties")
}

/// A command line that runs the same check: the model, its parameters, and the exact
/// assumption set (everything relaxed, then each held assumption with its bound).
pub fn rerun_command(report: &CheckReport) -> String {
    let mut command = format!("synccheck check {}", report.model);
    for (key, value) in &report.params {
        command.push_str(&format!(" --set {key}={value}"));
    }
    if let Some(assumptions) = &report.assumptions {
        command.push_str(" --relax-all");
        for spec in assumptions.held_specs() {
            command.push_str(&format!(" --hold {spec}"));
        }
    }
    command
}

/// A thin writer that turns quick-xml's errors into strings.
struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn event(&mut self, event: Event<'_>) -> Result<(), String> {
        self.0.write_event(event).map_err(|e| e.to_string())
    }

    fn start(&mut self, name: &str, attributes: &[(&str, String)]) -> Result<(), String> {
        let element =
            BytesStart::new(name).with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())));
        self.event(Event::Start(element))
    }

    fn empty(&mut self, name: &str, attributes: &[(&str, String)]) -> Result<(), String> {
        let element =
            BytesStart::new(name).with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())));
        self.event(Event::Empty(element))
    }

    fn text(&mut self, text: &str) -> Result<(), String> {
        self.event(Event::Text(BytesText::new(text)))
    }

    fn end(&mut self, name: &str) -> Result<(), String> {
        self.event(Event::End(BytesEnd::new(name)))
    }
}
