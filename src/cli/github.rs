//! GitHub Actions output: one `::error` annotation per unmet expectation, and a
//! Markdown job summary (expected vs actual, each counterexample as a Mermaid chart).

use crate::plan::PlanReport;
use crate::trace::{render, traces_of, Rendering};
use std::fmt::Write as _;
use std::io::Write as _;

/// Whether the process runs inside GitHub Actions.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// `::error` lines, one per unmet expectation (not per state).
pub fn annotations(report: &PlanReport) -> String {
    let mut out = String::new();
    for check in &report.checks {
        if let Some(error) = &check.error {
            let _ = writeln!(
                out,
                "::error title=synccheck: {}::{}",
                escape(&check.name),
                escape(error)
            );
        }
        for e in check.expectations.iter().filter(|e| !e.met) {
            let _ = writeln!(
                out,
                "::error title=synccheck: {}::`{}` expected {}, found {}",
                escape(&check.name),
                escape(&e.property),
                e.expected.name(),
                e.actual.name()
            );
        }
        for b in check.bounds.iter().filter(|b| !b.met) {
            let _ = writeln!(
                out,
                "::error title=synccheck: {}::`{}` pinned to hold with {}({}) and break at {}: found {} and {}",
                escape(&check.name),
                escape(&b.property),
                b.assumption.name(),
                b.holds_up_to,
                b.holds_up_to + 1,
                b.at_bound.name(),
                b.above_bound.name()
            );
        }
    }
    out
}

/// GitHub's workflow-command escaping.
fn escape(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// The Markdown job summary.
pub fn summary(report: &PlanReport) -> String {
    let mut out = String::from(
        "## synccheck\n\n| check | property | expected | actual | |\n|---|---|---|---|---|\n",
    );
    for check in &report.checks {
        for e in &check.expectations {
            let mark = if e.met { "✅" } else { "❌" };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {mark} |",
                check.name,
                e.property,
                e.expected.name(),
                e.actual.name()
            );
        }
        for b in &check.bounds {
            let mark = if b.met { "✅" } else { "❌" };
            let _ = writeln!(
                out,
                "| {} | `{}` | holds ≤ {} | {} | {mark} |",
                check.name,
                b.label(),
                b.holds_up_to,
                b.found()
            );
        }
    }
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
    let _ = writeln!(out, "\n{met} of {total} expectations met.\n");
    for check in &report.checks {
        let Some(check_report) = &check.report else {
            continue;
        };
        for trace in traces_of(check_report) {
            let _ = writeln!(
                out,
                "<details><summary>{}: counterexample for <code>{}</code> ({} steps)</summary>\n\n```mermaid\n{}```\n\n</details>\n",
                check.name,
                trace.property,
                trace.trace.length,
                render(&trace, Rendering::Mermaid)
            );
        }
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
