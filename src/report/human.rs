//! The human report: a verdict table, then each counterexample as numbered steps with
//! true time, and the sentence that names where each relaxed assumption broke.

use super::{CheckReport, FewestBreaks, Necessity, TraceReport};
use crate::check::Verdict;
use std::fmt::Write;

/// A line of the final state (a node, a message, the ghost) is cut at this many
/// characters; the JSON report and the saved trace have the whole state.
const STATE_LINE_CHARS_MAX: usize = 400;

/// Renders a report for a terminal.
pub fn render_human(report: &CheckReport) -> String {
    let mut out = String::new();
    header(report, &mut out);
    metrics(report, &mut out);
    table(report, &mut out);
    for property in &report.properties {
        if let Some(trace) = &property.counterexample {
            let _ = writeln!(
                out,
                "\nCounterexample for `{}` ({}):",
                property.name,
                super::steps(trace.length)
            );
            render_trace(trace, &report.nodes, &mut out);
        }
    }
    out
}

/// For a state limit that stopped the liveness graph or the metrics pass: that these
/// phases have one even where `--max-states` sets none.
pub(crate) fn default_cap(reason: crate::check::StopReason) -> String {
    if reason == crate::check::StopReason::StateLimit {
        format!(
            " of --max-states, or of {} states where it sets none",
            crate::liveness::LIVENESS_STATES_DEFAULT
        )
    } else {
        String::new()
    }
}

fn header(report: &CheckReport, out: &mut String) {
    let params: Vec<String> = report
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(out, "model: {}  {}", report.model, params.join(" "));
    if let Some(assumptions) = &report.assumptions {
        let held = assumptions.held_bounds();
        let _ = writeln!(
            out,
            "held: {}",
            if held.is_empty() {
                "-".to_string()
            } else {
                held.join(", ")
            }
        );
        let relaxed = if assumptions.relaxed.is_empty() {
            "-".to_string()
        } else {
            assumptions.relaxed.join(", ")
        };
        let _ = writeln!(out, "relaxed: {relaxed}");
    }
    if !report.only_properties.is_empty() {
        let _ = writeln!(
            out,
            "properties: only {} (selected: the model's others were not searched)",
            report.only_properties.join(", ")
        );
    }
    let stats = &report.stats;
    let _ = writeln!(
        out,
        "search: {}, {} thread{}, {} ({}, {} generated, depth {}, {:.2} s)",
        report.strategy,
        report.threads,
        if report.threads == 1 { "" } else { "s" },
        report
            .later_cut
            .map_or(report.stop_reason, |cut| cut.search)
            .describe(),
        crate::report::counted(stats.unique_states, "unique state", "unique states"),
        stats.generated_states,
        stats.max_depth,
        stats.seconds
    );
    match stats.subsumed_states {
        Some(0) => {
            let _ = writeln!(
                out,
                "subsumption: on; no stored state was covered by one with younger messages, \
                 shorter pauses or nearer timers, so none went unexpanded for that \
                 (--no-subsumption: expand every state)"
            );
        }
        Some(subsumed) => {
            let _ = writeln!(
                out,
                "subsumption: {subsumed} of them stored but not expanded, each covered by a state \
                 with younger messages, shorter pauses or nearer timers, all else equal, expanded at its depth or \
                 before (--no-subsumption: expand every state)"
            );
        }
        None => {}
    }
    if let Some(cut) = report.later_cut {
        let left = match cut.phase {
            crate::check::Phase::Liveness => "`eventually` verdicts it had not reached are unknown",
            crate::check::Phase::Metrics => "metric maxima are of the states it reached",
        };
        let _ = writeln!(
            out,
            "{}: {}{} ({left}; the check is incomplete)",
            cut.phase.describe(),
            report.stop_reason.describe(),
            default_cap(report.stop_reason)
        );
    }
    let classes = |groups: &str| {
        if groups == crate::report::MODEL_SYMMETRY {
            "of the model's own canonicalization".to_string()
        } else {
            format!("of renamings of {groups}")
        }
    };
    if let Some(groups) = &report.symmetry {
        let _ = writeln!(
            out,
            "symmetry: one state per class {} (--no-symmetry: the full space)",
            classes(groups)
        );
    }
    if let Some(groups) = &report.symmetry_off {
        let _ = writeln!(
            out,
            "symmetry: off (--no-symmetry): the full space, not one state per class {}",
            classes(groups)
        );
    }
    if let Some(network) = &report.network {
        let _ = writeln!(
            out,
            "network: {network}: a delivered message stays in flight, to arrive again or never \
             (--no-lean: the multiset network, a duplicate only while fewer than 6 are in flight)"
        );
    }
    if let Some(set) = &report.set_search {
        let _ = writeln!(
            out,
            "message set search: {}, {} generated, depth {}, {:.2} s (the \
             properties it decided; the search line above is the multiset network's)",
            crate::report::counted(set.unique_states, "unique state", "unique states"),
            set.generated_states,
            set.max_depth,
            set.seconds
        );
    }
    if let Some(cut) = &report.drift_classes_cut {
        let _ = writeln!(
            out,
            "drift classes: {} after {} classes, depth {}, {:.2} s, before it decided \
             anything{}; the full system was searched with the rest (--no-drift-classes: \
             skip it)",
            cut.stop_reason.describe(),
            cut.stats.unique_states,
            cut.stats.max_depth,
            cut.stats.seconds,
            if cut.stop_reason == crate::check::StopReason::TimeLimit {
                " (its share of --timeout is half of the time left)"
            } else {
                ""
            }
        );
    }
    if let Some(drift) = &report.drift_classes {
        let decided = if drift.decided.is_empty() {
            "nothing of its own (what it found violated or reached is searched on the full \
             system)"
                .to_string()
        } else {
            drift.decided.join(", ")
        };
        let _ = match &drift.search {
            None => writeln!(
                out,
                "drift classes: the safety search stored one state per clock-drift class \
                 (each clock anywhere a drift it can undo takes it) and decided {decided} \
                 (--no-drift-classes: every state)"
            ),
            Some(search) => writeln!(
                out,
                "drift classes: {} classes, {} generated, {:.2} s, decided {decided}; the \
                 search line above is the full system's, for the rest \
                 (--no-drift-classes: every state)",
                search.unique_states, search.generated_states, search.seconds
            ),
        };
        if let Some(guided) = &drift.guided {
            let earlier = if guided.runs > 1 {
                format!(
                    " (the {} before it: {} states, {:.2} s)",
                    guided.runs - 1,
                    guided.earlier_states,
                    guided.earlier_seconds
                )
            } else {
                String::new()
            };
            let which = if guided.on_set {
                "the message set's search"
            } else {
                "the full system's search"
            };
            let last = if guided.unguided_last {
                "; the last search ran unguided (the table did not reach what was open)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "class guide: {which} expanded only the states whose depth plus class \
                 distance to a finding is at most {}, run {}{earlier}, {} states left \
                 unexpanded; distances of {} classes in {:.2} s{last} (--no-class-guide: \
                 unguided)",
                guided.bound,
                super::counted(guided.runs, "time", "times"),
                guided.unexpanded,
                guided.classes,
                guided.table_seconds
            );
        }
    }
    if report.no_lean {
        let _ = writeln!(
            out,
            "network: multiset, every quantity stored (--no-lean): a duplicate, where \
             allowed, only while fewer than 6 are in flight"
        );
    }
    let _ = match stats.exact_states {
        Some(exact) => writeln!(
            out,
            "exact: {exact} distinct states stored in full; the fingerprint count agrees\n"
        ),
        // No repeat at all: no state was taken for one seen before, so none collided.
        None if report.fingerprint_collision_probability == 0.0 => writeln!(
            out,
            "fingerprints: 64-bit, no collision (no state was reached twice, so none was taken for another)\n"
        ),
        None => writeln!(
            out,
            "fingerprints: 64-bit, collision probability ≈ {:.1e} (TLC's estimate: unique × repeats / 2^64; --exact cross-checks)\n",
            report.fingerprint_collision_probability
        ),
    };
}

fn metrics(report: &CheckReport, out: &mut String) {
    if report.metrics.is_empty() {
        return;
    }
    for (name, value) in &report.metrics {
        let _ = if report.metrics_lower_bounds {
            writeln!(
                out,
                "metric {name}: at least {value} (the largest over the states the metrics pass reached before its limit and over the paths shown)"
            )
        } else {
            writeln!(
                out,
                "metric {name}: {value} (maximum over the reachable states)"
            )
        };
    }
    out.push('\n');
}

fn table(report: &CheckReport, out: &mut String) {
    let width = report
        .properties
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(out, "{:<width$}  {:<10}  verdict", "property", "kind");
    for property in &report.properties {
        let detail = match (
            &property.counterexample,
            property.example_length,
            property.verdict,
        ) {
            (Some(trace), _, _) => format!(" (counterexample: {})", super::steps(trace.length)),
            (None, Some(length), _) => format!(" (example: {})", super::steps(length)),
            (None, None, Verdict::Unknown)
                if property.kind == crate::system::PropertyKind::Eventually
                    && report
                        .later_cut
                        .is_some_and(|cut| cut.phase == crate::check::Phase::Liveness) =>
            {
                format!(
                    " (liveness graph: {})",
                    report.stop_reason.unknown_because()
                )
            }
            (None, None, Verdict::Unknown) => {
                format!(" ({})", report.stop_reason.unknown_because())
            }
            (None, None, Verdict::Holds) if property.name == crate::check::DEADLOCK_PROPERTY => {
                report
                    .deadlock_free_by
                    .as_ref()
                    .map(|why| format!(" (without search: {why})"))
                    .unwrap_or_default()
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<10}  {}{}",
            property.name,
            property.kind.name(),
            property.verdict.name(),
            detail
        );
    }
}

/// Renders a trace as numbered steps with true time and annotations, then its final
/// state node by node (`names`: the model's node names, as in a report's `nodes`).
/// Library callers: a report's traces are rendered by [`render_human`]; this is for a
/// trace on its own (a saved trace file's `trace` with its `nodes`).
pub fn render_trace(trace: &TraceReport, names: &[String], out: &mut String) {
    for step in &trace.steps {
        if trace.loop_start == Some(step.index) {
            let repeating = if step.index == trace.steps.len() {
                format!("step {} repeats", step.index)
            } else {
                format!("steps {}–{} repeat", step.index, trace.steps.len())
            };
            let _ = writeln!(out, "  --- loop: {repeating} forever ---");
        }
        let time = step
            .time_ticks
            .map(|t| format!("t={t:<3} "))
            .unwrap_or_default();
        let _ = writeln!(out, "  {time}{:>3}. {}", step.index, step.action);
        for annotation in &step.annotations {
            let _ = writeln!(out, "         ^^^ {annotation}");
        }
        for note in &step.notes {
            let _ = writeln!(out, "         note: {note}");
        }
    }
    if let Some(start) = trace.loop_start {
        let _ = writeln!(
            out,
            "  --- back to the state before step {start}; the property never becomes true ---"
        );
    }
    match trace.steps.last() {
        Some(last) if last.time_ticks.is_some() => {
            let now = super::view::time_after(trace);
            let _ = writeln!(out, "  final state (t={now}):");
        }
        Some(_) => {
            let _ = writeln!(out, "  final state:");
        }
        // The initial state violates the property.
        None => {
            let _ = writeln!(out, "  initial state:");
        }
    }
    for line in super::view::last_state_lines(trace, names) {
        let _ = writeln!(out, "    {}", cut_line(&line));
    }
    if trace.breaks.is_empty() {
        let _ = writeln!(out, "  (no relaxed assumption was needed for this run)");
    } else {
        let _ = writeln!(out, "  Where the relaxed assumptions broke:");
        for broken in &trace.breaks {
            let _ = writeln!(out, "  - step {}: {}", broken.step, broken.sentence);
            match broken.necessity {
                Some(Necessity::AlsoViolatedWithoutIt) => {
                    let _ = writeln!(
                        out,
                        "    (also violated without relaxing {}: this break is on the path, the violation does not need it)",
                        broken.assumption
                    );
                }
                Some(Necessity::Unconfirmed) => {
                    let _ = writeln!(
                        out,
                        "    (not confirmed: a limit stopped the search with {} held)",
                        broken.assumption
                    );
                }
                Some(Necessity::Necessary) | None => {}
            }
        }
        match trace.fewest_breaks {
            Some(FewestBreaks::Fewest) => {
                let _ = writeln!(
                    out,
                    "  (no {}-step counterexample breaks fewer relaxed assumptions)",
                    trace.length
                );
            }
            Some(FewestBreaks::FewerExist) => {
                let _ = writeln!(
                    out,
                    "  (a {}-step counterexample breaking fewer relaxed assumptions exists)",
                    trace.length
                );
            }
            Some(FewestBreaks::Unconfirmed) => {
                let _ = writeln!(
                    out,
                    "  (not established that no {}-step counterexample breaks fewer: a limit stopped the search)",
                    trace.length
                );
            }
            None => {}
        }
        if trace.loop_start.is_some() {
            // Only a safety counterexample's breaks are searched again (`confirm`).
            let _ = writeln!(
                out,
                "  (a lasso's breaks are where its run leaves what each held assumption allows; \
                 whether the violation needs them is not searched: check with one held to see)"
            );
        }
    }
}

/// `line` on one line (a control character in the model's text, a newline say, is
/// written escaped), cut at [`STATE_LINE_CHARS_MAX`] characters with ` …`.
fn cut_line(line: &str) -> String {
    let mut shown = String::new();
    for (count, c) in line.chars().enumerate() {
        if count == STATE_LINE_CHARS_MAX {
            shown.push_str(" …");
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}
