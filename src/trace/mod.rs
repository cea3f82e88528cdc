//! Counterexample traces: one saved format (serde JSON, `schema_version`), replay
//! against the model, and renderers (terminal chart, Mermaid, Graphviz DOT, ShiViz).
//!
//! A trace file is self-contained: it names the model, its parameters and the exact
//! assumption set, so `synccheck replay FILE` rebuilds the model from the file alone.
//! Replay matches each recorded step by its structured action among the actions the
//! model enables, re-executes it, and compares the resulting state with the recorded
//! one; the last state must violate the property.

mod render;
mod replay;

pub use render::{render, Rendering};
pub use replay::{replay, replay_with, ReplayOutcome};

use crate::check::Verdict;
use crate::report::{AssumptionsReport, CheckReport, TraceReport};
use crate::request::RequestError;
use crate::system::{AssumptionSet, PropertyKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The version of the trace format; a file of another version is refused.
pub const TRACE_SCHEMA_VERSION: u32 = 1;

/// A saved counterexample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceFile {
    /// Format version ([`TRACE_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The model's catalog name.
    pub model: String,
    /// Parameter values, defaults filled in.
    pub params: BTreeMap<String, String>,
    /// The exact assumption set (timed models).
    pub assumptions: Option<AssumptionsReport>,
    /// Recorded by a check with `--no-lean` (every quantity stored, the capped multiset
    /// network): `replay` rebuilds that system, and searches there again for what the
    /// trace claims. Absent: false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_lean: bool,
    /// The violated property.
    pub property: String,
    /// Its kind.
    pub property_kind: PropertyKind,
    /// Node names, for charts.
    pub nodes: Vec<String>,
    /// For a liveness counterexample (a lasso), the 1-based step where the loop starts.
    pub loop_start: Option<usize>,
    /// The steps.
    pub trace: TraceReport,
}

/// An error reading a trace file: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// Unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a trace (JSON error with line and column).
    #[error("{path}:{line}:{column}: not a synccheck trace: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The decoder's message.
        message: String,
    },
    /// Another format version.
    #[error("{path}: trace schema_version {found} is not supported (this synccheck reads version {TRACE_SCHEMA_VERSION}); re-create it with the `check` command and `--trace-dir`")]
    Version {
        /// The file.
        path: String,
        /// The version found.
        found: u64,
    },
    /// Inconsistent content (step numbering, lengths, unknown assumption names).
    #[error("{path}: {message}")]
    Inconsistent {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The model, parameters or assumptions it names are not valid.
    #[error("{path}: {source}")]
    Request {
        /// The file.
        path: String,
        /// Why.
        source: RequestError,
    },
}

/// The traces of every violated property of a report.
pub fn traces_of(report: &CheckReport) -> Vec<TraceFile> {
    report
        .properties
        .iter()
        .filter(|p| p.verdict == Verdict::Violated)
        .filter_map(|p| {
            p.counterexample.as_ref().map(|trace| TraceFile {
                schema_version: TRACE_SCHEMA_VERSION,
                model: report.model.clone(),
                params: report.params.clone(),
                assumptions: report.assumptions.clone(),
                no_lean: report.no_lean,
                property: p.name.clone(),
                property_kind: p.kind,
                nodes: report.nodes.clone(),
                loop_start: trace.loop_start,
                trace: trace.clone(),
            })
        })
        .collect()
}

/// The file name a trace is saved under: model, parameters and property to read, and
/// a stable hash of what identifies the check (model, parameters, the exact assumption
/// set, property), so two checks that differ only in their assumptions never share a
/// file. The hash is FNV-1a (64 bits, shown as 8 hex digits of its top half): the same
/// on every platform and version.
pub fn file_name(trace: &TraceFile) -> String {
    let params: Vec<String> = trace
        .params
        .iter()
        .map(|(k, v)| format!("{k}-{v}"))
        .collect();
    let mut name = format!("{}.{}", trace.model, trace.property);
    if !params.is_empty() {
        name = format!("{}.{}.{}", trace.model, params.join("."), trace.property);
    }
    let mut identity = format!("{}\n", trace.model);
    for (key, value) in &trace.params {
        identity.push_str(&format!("{key}={value}\n"));
    }
    if let Some(assumptions) = &trace.assumptions {
        identity.push_str(&format!(
            "held {}\nrelaxed {}\n",
            assumptions.held_specs().join(" "),
            assumptions.relaxed.join(" ")
        ));
    }
    identity.push_str(&trace.property);
    let name = format!("{name}.{:08x}", fnv1a64(identity.as_bytes()) >> 32);
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.trace.json")
}

/// FNV-1a, 64 bits.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes `trace` into `dir` (created if missing); returns the path.
pub fn save(dir: &Path, trace: &TraceFile) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(file_name(trace));
    let text = serde_json::to_string_pretty(trace).map_err(std::io::Error::other)?;
    std::fs::write(&path, text + "\n")?;
    Ok(path)
}

/// Reads and validates a trace file.
pub fn load(path: &Path) -> Result<TraceFile, TraceError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| TraceError::Io {
        path: shown.clone(),
        source,
    })?;
    parse(&shown, &text)
}

/// Where a JSON document failed to parse, as 1-based line and column, and serde_json's
/// message without the position it appends (so an error names the position once).
/// serde_json counts a position just after a newline (or in empty text) as column 0.
pub(crate) fn json_error_position(error: &serde_json::Error) -> (usize, usize, String) {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    (error.line().max(1), error.column().max(1), message)
}

/// Parses and validates trace text.
pub fn parse(path: &str, text: &str) -> Result<TraceFile, TraceError> {
    let malformed = |error: serde_json::Error| {
        let (line, column, mut message) = json_error_position(&error);
        if error.is_syntax() || error.is_eof() {
            message.push_str(&crate::schema::not_json_hint(text).unwrap_or_default());
        }
        TraceError::Malformed {
            path: path.to_string(),
            line,
            column,
            message,
        }
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(malformed)?;
    if let Some(kind) =
        crate::schema::Document::of(&value).filter(|kind| *kind != crate::schema::Document::Trace)
    {
        return Err(TraceError::Inconsistent {
            path: path.to_string(),
            message: format!(
                "this is {}, not a saved trace: traces are the `.trace.json` files that `--trace-dir` writes",
                kind.describe()
            ),
        });
    }
    match value.get("schema_version") {
        Some(version) if version.as_u64() == Some(u64::from(TRACE_SCHEMA_VERSION)) => {}
        Some(version) if version.as_u64().is_some() => {
            return Err(TraceError::Version {
                path: path.to_string(),
                found: version.as_u64().unwrap_or_default(),
            })
        }
        Some(other) => {
            return Err(TraceError::Inconsistent {
                path: path.to_string(),
                message: format!(
                    "/schema_version: `{other}` is not a version number; write the integer {TRACE_SCHEMA_VERSION}"
                ),
            })
        }
        None => {
            return Err(TraceError::Inconsistent {
                path: path.to_string(),
                message: "no `schema_version`: not a synccheck trace".to_string(),
            })
        }
    }
    let trace: TraceFile = serde_json::from_str(text).map_err(malformed)?;
    check_consistency(path, &trace)?;
    Ok(trace)
}

fn check_consistency(path: &str, trace: &TraceFile) -> Result<(), TraceError> {
    let inconsistent = |message: String| TraceError::Inconsistent {
        path: path.to_string(),
        message,
    };
    if trace.trace.length != trace.trace.steps.len() {
        return Err(inconsistent(format!(
            "`length` is {} but there are {} steps",
            trace.trace.length,
            trace.trace.steps.len()
        )));
    }
    for (position, step) in trace.trace.steps.iter().enumerate() {
        if step.index != position + 1 {
            return Err(inconsistent(format!(
                "step {} is numbered {}",
                position + 1,
                step.index
            )));
        }
    }
    if let Some(start) = trace.loop_start {
        if start == 0 || start > trace.trace.steps.len() {
            return Err(inconsistent(format!("`loop_start` {start} is not a step")));
        }
    }
    let shown = |start: Option<usize>| start.map_or("null".to_string(), |s| s.to_string());
    if trace.loop_start != trace.trace.loop_start {
        return Err(inconsistent(format!(
            "/loop_start is {} but /trace/loop_start is {}",
            shown(trace.loop_start),
            shown(trace.trace.loop_start)
        )));
    }
    if trace.loop_start.is_some() && trace.property_kind != crate::system::PropertyKind::Eventually
    {
        return Err(inconsistent(format!(
            "/loop_start is {}, but a loop belongs to a counterexample of an `eventually` property, and /property_kind is {}",
            shown(trace.loop_start),
            trace.property_kind.name()
        )));
    }
    // The charts draw a step at its nodes' lanes: every node a step names is one of
    // `nodes`.
    if !trace.nodes.is_empty() {
        for (position, step) in trace.trace.steps.iter().enumerate() {
            let detail = &step.action_detail;
            let named = [
                ("node", detail.get("node")),
                (
                    "envelope/src",
                    detail.get("envelope").and_then(|e| e.get("src")),
                ),
                (
                    "envelope/dst",
                    detail.get("envelope").and_then(|e| e.get("dst")),
                ),
            ];
            for (key, value) in named {
                let Some(value) = value else { continue };
                let known = (value.as_u64())
                    .and_then(|n| usize::try_from(n).ok())
                    .is_some_and(|n| n < trace.nodes.len());
                if !known {
                    return Err(inconsistent(format!(
                        "/trace/steps/{position}/action_detail/{key}: {value} is not a node; /nodes names {} (0 to {})",
                        trace.nodes.len(),
                        trace.nodes.len() - 1
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Rebuilds the assumption set a trace was found under.
pub fn assumption_set(path: &str, report: &AssumptionsReport) -> Result<AssumptionSet, TraceError> {
    let mut set = AssumptionSet::all_relaxed();
    for spec in report.held_specs() {
        set.hold_spec(&spec).map_err(|e| TraceError::Request {
            path: path.to_string(),
            source: e.into(),
        })?;
    }
    for name in &report.relaxed {
        set.relax_spec(name).map_err(|e| TraceError::Request {
            path: path.to_string(),
            source: e.into(),
        })?;
    }
    // The names are known (above); each assumption is said once, held or relaxed, and
    // one without a bound is held at 0: a set the file contradicts is not replayed.
    let inconsistent = |message: String| TraceError::Inconsistent {
        path: path.to_string(),
        message,
    };
    let mut said: Vec<(crate::system::Assumption, &str)> = Vec::new();
    let held = (report.held.iter()).map(|(name, bound)| (name, Some(*bound)));
    let relaxed = report.relaxed.iter().map(|name| (name, None));
    for (name, bound) in held.chain(relaxed) {
        let Some(assumption) = crate::system::Assumption::of_spec(name) else {
            continue;
        };
        let how = if bound.is_some() { "held" } else { "relaxed" };
        if let Some((_, before)) = said.iter().find(|(seen, _)| *seen == assumption) {
            return Err(inconsistent(format!(
                "/assumptions: `{}` is {before} and {how}; say it once",
                assumption.name()
            )));
        }
        if let Some(bound) = bound.filter(|b| *b != 0 && !assumption.takes_bound()) {
            return Err(inconsistent(format!(
                "/assumptions/held/{name}: {bound}, but `{}` takes no bound (0)",
                assumption.name()
            )));
        }
        said.push((assumption, how));
    }
    if let Some(missing) = (crate::system::Assumption::ALL.iter())
        .find(|assumption| said.iter().all(|(seen, _)| seen != *assumption))
    {
        return Err(inconsistent(format!(
            "/assumptions: `{}` is neither held nor relaxed",
            missing.name()
        )));
    }
    Ok(set)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
