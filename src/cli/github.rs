//! GitHub Actions output: one `::error` annotation per unmet expectation (and per check
//! or plan that could not run), attached to the plan line that wrote it, and a Markdown
//! job summary.
//!
//! Workflow commands are escaped as GitHub's runner reads them: in the message, `%`,
//! `\r` and `\n` become `%25`, `%0D`, `%0A` (a `:` stays a `:`); in a property
//! (`file=`, `title=`, ...) `:` and `,` are escaped too (`%3A`, `%2C`).

use crate::plan::{PlanReport, SourceLocation};
use crate::trace::{render, traces_of, Rendering};
use std::fmt::Write as _;
use std::io::Write as _;

/// Whether the process runs inside GitHub Actions.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// One `::error` workflow command, with the plan location when known.
pub fn error(location: Option<&SourceLocation>, title: &str, message: &str) -> String {
    let mut properties = Vec::new();
    if let Some(at) = location {
        properties.push(format!("file={}", escape_property(&at.file)));
        properties.push(format!("line={}", at.line));
        properties.push(format!("col={}", at.column));
    }
    properties.push(format!("title={}", escape_property(title)));
    format!(
        "::error {}::{}\n",
        properties.join(","),
        escape_data(message)
    )
}

/// `::error` lines, one per unmet expectation (not per state) and per check that
/// could not run.
pub fn annotations(report: &PlanReport) -> String {
    let mut out = String::new();
    for check in &report.checks {
        let title = format!("synccheck: {}", check.name);
        let location = check.location.as_ref();
        if let Some(message) = &check.error {
            out.push_str(&error(location, &title, message));
        }
        for e in check.expectations.iter().filter(|e| !e.met) {
            let mut message = format!(
                "`{}` expected {}, found {}",
                e.property,
                e.expected.name(),
                e.actual.name()
            );
            let steps = check
                .report
                .as_ref()
                .and_then(|r| r.property(&e.property))
                .and_then(|p| p.counterexample.as_ref())
                .map(|t| t.length);
            if let Some(steps) = steps {
                let _ = write!(
                    message,
                    " (counterexample: {})",
                    crate::report::steps(steps)
                );
            }
            out.push_str(&error(location, &title, &message));
        }
        for b in check.bounds.iter().filter(|b| !b.met) {
            let message = format!(
                "`{}` pinned to hold with {}({}) and break at {}: found {} and {}",
                b.property,
                b.assumption.name(),
                b.holds_up_to,
                b.holds_up_to + 1,
                b.at_bound.name(),
                b.above_bound.name()
            );
            out.push_str(&error(location, &title, &message));
        }
    }
    out
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Text for a Markdown table cell or an HTML element: HTML escaped, `|` escaped so it
/// cannot end the cell.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', " ")
}

/// HTML-escaped text (for `<summary>`, list items).
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The Markdown job summary: the count, then what went wrong (unmet expectations and
/// errors, each unexpected counterexample as a Mermaid chart), then, folded, every
/// expectation and the counterexamples that were expected (one line each).
pub fn summary(report: &PlanReport) -> String {
    let met: usize = report
        .checks
        .iter()
        .map(|c| {
            c.expectations.iter().filter(|e| e.met).count()
                + c.bounds.iter().filter(|b| b.met).count()
        })
        .sum();
    let total: usize = report
        .checks
        .iter()
        .map(|c| c.expectations.len() + c.bounds.len())
        .sum();
    let errors = report.checks.iter().filter(|c| c.error.is_some()).count();
    let mut out = format!(
        "## synccheck\n\n{met} of {} met in {}.\n\n",
        crate::report::counted(total, "expectation", "expectations"),
        crate::report::counted(report.checks.len(), "check", "checks")
    );
    let unmet = report.checks.iter().any(|c| {
        c.error.is_some()
            || c.expectations.iter().any(|e| !e.met)
            || c.bounds.iter().any(|b| !b.met)
    });
    if unmet {
        out.push_str(
            "### Not as expected\n\n| check | property | expected | actual |\n|---|---|---|---|\n",
        );
        for check in &report.checks {
            if let Some(error) = &check.error {
                let _ = writeln!(
                    out,
                    "| {} | | | error: {} |",
                    cell(&check.name),
                    cell(error)
                );
            }
            for e in check.expectations.iter().filter(|e| !e.met) {
                let _ = writeln!(
                    out,
                    "| {} | <code>{}</code> | {} | {} ❌ |",
                    cell(&check.name),
                    cell(&e.property),
                    e.expected.name(),
                    e.actual.name()
                );
            }
            for b in check.bounds.iter().filter(|b| !b.met) {
                let _ = writeln!(
                    out,
                    "| {} | <code>{}</code> | ≤ {} | {} ❌ |",
                    cell(&check.name),
                    cell(&b.label()),
                    b.holds_up_to,
                    cell(&b.found())
                );
            }
        }
        out.push('\n');
        if errors > 0 {
            let _ = writeln!(out, "{errors} checks could not run.\n");
        }
        for check in &report.checks {
            let Some(check_report) = &check.report else {
                continue;
            };
            for trace in traces_of(check_report) {
                let unexpected = check
                    .expectations
                    .iter()
                    .any(|e| e.property == trace.property && !e.met);
                if !unexpected {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "<details><summary>{}: unexpected counterexample for <code>{}</code> ({})</summary>\n\n```mermaid\n{}```\n\n</details>\n",
                    html(&check.name),
                    html(&trace.property),
                    crate::report::steps(trace.trace.length),
                    render(&trace, Rendering::Mermaid)
                );
            }
        }
        for check in &report.checks {
            for bound in check.bounds.iter().filter(|b| !b.met) {
                let Some(trace) = &bound.counterexample else {
                    continue;
                };
                let _ = writeln!(
                    out,
                    "<details><summary>{}: counterexample for <code>{}</code> at {} ({})</summary>\n\n```mermaid\n{}```\n\n</details>\n",
                    html(&check.name),
                    html(&bound.label()),
                    html(&bound.deciding()),
                    crate::report::steps(trace.trace.length),
                    render(trace, Rendering::Mermaid)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "<details><summary>All {total} expectations</summary>\n\n| check | property | expected | actual | |\n|---|---|---|---|---|"
    );
    for check in &report.checks {
        for e in &check.expectations {
            let mark = if e.met { "✅" } else { "❌" };
            let _ = writeln!(
                out,
                "| {} | <code>{}</code> | {} | {} | {mark} |",
                cell(&check.name),
                cell(&e.property),
                e.expected.name(),
                e.actual.name()
            );
        }
        for b in &check.bounds {
            let mark = if b.met { "✅" } else { "❌" };
            let _ = writeln!(
                out,
                "| {} | <code>{}</code> | ≤ {} | {} | {mark} |",
                cell(&check.name),
                cell(&b.label()),
                b.holds_up_to,
                cell(&b.found())
            );
        }
    }
    out.push_str("\n</details>\n\n");
    let mut expected = String::new();
    let mut count = 0;
    for check in &report.checks {
        let Some(check_report) = &check.report else {
            continue;
        };
        for trace in traces_of(check_report) {
            let as_pinned = check
                .expectations
                .iter()
                .any(|e| e.property == trace.property && e.met);
            if as_pinned {
                count += 1;
                let _ = writeln!(
                    expected,
                    "- {}: <code>{}</code> violated in {}",
                    html(&check.name),
                    html(&trace.property),
                    crate::report::steps(trace.trace.length)
                );
            }
        }
    }
    if count > 0 {
        let _ = writeln!(
            out,
            "<details><summary>{} (pinned violations, found as expected)</summary>\n\n{expected}\n</details>",
            crate::report::counted(count, "expected counterexample", "expected counterexamples")
        );
    }
    out
}

/// Appends the summary to `$GITHUB_STEP_SUMMARY` when set.
pub fn write_summary(report: &PlanReport) -> Result<(), String> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("GITHUB_STEP_SUMMARY {}: {e}", path.to_string_lossy()))?;
    file.write_all(summary(report).as_bytes())
        .map_err(|e| format!("GITHUB_STEP_SUMMARY {}: {e}", path.to_string_lossy()))
}
