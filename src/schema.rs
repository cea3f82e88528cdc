//! JSON Schemas (generated with schemars) of what synccheck writes and reads: the
//! check report (`check MODEL --format json`), the plan report (`check --plan/--all
//! --format json`, which `merge` reads), the saved trace (`--trace-dir`), and the plan
//! file. A plan is TOML; its schema describes the same tables, so editors that
//! validate TOML against a JSON Schema (taplo, Even Better TOML: `#:schema
//! ./plan.schema.json` as the first line) check plans as they are written.
//! `synccheck schema KIND` prints one (`tests/suite/schemas.rs` checks real documents
//! against them).

use schemars::JsonSchema;
use std::collections::BTreeMap;

/// The documents with a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// `check MODEL --format json`.
    Report,
    /// `check --plan/--all --format json` and `merge --format json`.
    PlanReport,
    /// A saved trace.
    Trace,
    /// A plan file (TOML).
    Plan,
}

impl SchemaKind {
    /// Every kind, with a conventional file name for its schema.
    pub const ALL: [(SchemaKind, &'static str); 4] = [
        (SchemaKind::Report, "report.schema.json"),
        (SchemaKind::PlanReport, "plan-report.schema.json"),
        (SchemaKind::Trace, "trace.schema.json"),
        (SchemaKind::Plan, "plan.schema.json"),
    ];
}

/// The schema of `kind`.
pub fn schema(kind: SchemaKind) -> serde_json::Value {
    let schema = match kind {
        SchemaKind::Report => schemars::schema_for!(crate::report::CheckReport),
        SchemaKind::PlanReport => schemars::schema_for!(crate::plan::PlanReport),
        SchemaKind::Trace => schemars::schema_for!(crate::trace::TraceFile),
        SchemaKind::Plan => schemars::schema_for!(PlanFile),
    };
    serde_json::to_value(schema).expect("a schema is JSON")
}

/// A synccheck plan: checks with pinned expectations (`synccheck check --plan FILE`).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "synccheck plan")]
#[allow(dead_code)] // Only its schema is used; plans are parsed with spans in `plan`.
struct PlanFile {
    /// The checks, run in order.
    check: Vec<PlanEntry>,
}

/// One check of a plan.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PlanEntry {
    /// A label, unique in the plan, not empty (default: the model, its parameters, its
    /// assumption changes and its `properties`, written as the command line's flags,
    /// each kind sorted).
    #[schemars(length(min = 1))]
    name: Option<String>,
    /// The model (`synccheck list`).
    model: String,
    /// Model parameters: name → value (`synccheck list` gives each one's range).
    #[serde(default)]
    params: BTreeMap<String, ParamValue>,
    /// Assumptions to hold, `NAME` or `NAME=N` (`bounded_delay=2`).
    #[serde(default)]
    hold: Vec<String>,
    /// Assumptions to relax, by name.
    #[serde(default)]
    relax: Vec<String>,
    /// Relax every assumption first (then `hold` and `relax` apply).
    #[serde(default)]
    relax_all: bool,
    /// Search only these properties (as `--property`; default: every one, and
    /// `deadlock_free`). `expect` and `expect_bounds` may name only these.
    #[serde(default)]
    properties: Vec<String>,
    /// Property → expected verdict: `holds` or `violated` for an `always` or
    /// `eventually` property, `reached` or `unreached` for a `sometimes` one, `unknown`
    /// for any. A check expects something: here or in `expect_bounds`.
    #[serde(default)]
    expect: BTreeMap<String, crate::check::Verdict>,
    /// Pinned boundaries: property → numeric assumption → the largest bound it holds
    /// under (checked at that bound and one above).
    #[serde(default)]
    expect_bounds: BTreeMap<String, BTreeMap<String, u32>>,
    /// A state limit for this check.
    max_states: Option<u64>,
}

/// A parameter value: a choice, a number or a flag.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ParamValue {
    Text(String),
    Integer(i64),
    Boolean(bool),
}

/// The JSON documents synccheck writes, told apart by their top-level keys: an error
/// about a file of the wrong kind (a check report given to `merge`, a plan report to
/// `replay`) says which kind it is and what writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Document {
    Trace,
    PlanReport,
    Report,
    Sweep,
    Bounds,
    Assumptions,
    Graph,
}

impl Document {
    /// Each kind, the top-level keys it always has, and what writes it.
    const KINDS: [(Document, &'static [&'static str], &'static str); 7] = [
        (
            Document::Trace,
            &["trace", "property", "nodes"],
            "a saved trace (`check --trace-dir`)",
        ),
        (
            Document::PlanReport,
            &["checks", "files", "met"],
            "a plan report (`check --plan/--all --format json`)",
        ),
        (
            Document::Report,
            &["properties", "stats", "stop_reason"],
            "a check report (`check MODEL --format json`)",
        ),
        (
            Document::Sweep,
            &["rows", "parameter"],
            "a bounds sweep (`bounds MODEL --sweep … --format json`)",
        ),
        (
            Document::Bounds,
            &["entries", "searched", "up_to"],
            "a bounds report (`bounds MODEL --format json`)",
        ),
        (
            Document::Assumptions,
            &["declared", "rows", "minimal_sufficient"],
            "an assumptions report (`assumptions MODEL --format json`)",
        ),
        (
            Document::Graph,
            &["states", "edges", "truncated"],
            "a state graph (`graph MODEL --as json`)",
        ),
    ];

    /// The kind `value` looks like, if any.
    pub(crate) fn of(value: &serde_json::Value) -> Option<Document> {
        let object = value.as_object()?;
        Self::KINDS
            .iter()
            .find(|(_, keys, _)| keys.iter().all(|key| object.contains_key(*key)))
            .map(|(kind, _, _)| *kind)
    }

    /// The kind, with the command that writes it.
    pub(crate) fn describe(self) -> &'static str {
        Self::KINDS
            .iter()
            .find(|(kind, _, _)| *kind == self)
            .map_or("a synccheck document", |(_, _, described)| described)
    }
}

/// serde_json's syntax error on text that is not JSON at all (a TOML plan given as a
/// trace, say) says only "expected value"; this says what the text is instead.
pub(crate) fn not_json_hint(text: &str) -> Option<String> {
    let Some(first) = text.trim_start().chars().next() else {
        return Some(" (the file is empty)".to_string());
    };
    if first == '\u{feff}' {
        return Some(
            " (the file starts with a byte-order mark, which JSON does not allow: save it without one)"
                .to_string(),
        );
    }
    if text.parse::<toml::Table>().is_ok() {
        return Some(" (the file is TOML, not JSON: a plan?)".to_string());
    }
    (!matches!(first, '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n')).then(|| {
        format!(
            " (the file is not JSON: it starts with `{}`)",
            first.escape_debug()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_told_apart_by_their_keys() {
        let of = |text: &str| Document::of(&serde_json::from_str(text).expect("JSON"));
        assert_eq!(
            of(r#"{"schema_version": 1, "trace": {}, "property": "p", "nodes": []}"#),
            Some(Document::Trace)
        );
        assert_eq!(
            of(r#"{"checks": [], "files": [], "met": true}"#),
            Some(Document::PlanReport)
        );
        assert_eq!(
            of(r#"{"properties": [], "stats": {}, "stop_reason": "complete"}"#),
            Some(Document::Report)
        );
        assert_eq!(
            of(r#"{"rows": [], "parameter": "p"}"#),
            Some(Document::Sweep)
        );
        assert_eq!(
            of(r#"{"rows": [], "declared": [], "minimal_sufficient": []}"#),
            Some(Document::Assumptions)
        );
        assert_eq!(
            of(r#"{"entries": [], "searched": [], "up_to": 4}"#),
            Some(Document::Bounds)
        );
        assert_eq!(
            of(r#"{"states": [], "edges": [], "truncated": false}"#),
            Some(Document::Graph)
        );
        assert_eq!(of(r#"{"schema_version": 1}"#), None);
        // Every kind has its own words (none falls back to the generic ones).
        for (kind, _, described) in Document::KINDS {
            assert_eq!(kind.describe(), described);
        }
        assert_eq!(
            Document::Report.describe(),
            "a check report (`check MODEL --format json`)"
        );
        assert_eq!(of("[1, 2]"), None);
    }

    #[test]
    fn text_that_is_not_json_is_named_by_its_first_character() {
        assert_eq!(
            not_json_hint("\n[[check]]\nmodel = \"m\"\n").as_deref(),
            Some(" (the file is TOML, not JSON: a plan?)")
        );
        assert_eq!(
            not_json_hint("<?xml version=\"1.0\"?>").as_deref(),
            Some(" (the file is not JSON: it starts with `<`)")
        );
        assert_eq!(
            not_json_hint("\u{feff}{\"a\": 1}").as_deref(),
            Some(" (the file starts with a byte-order mark, which JSON does not allow: save it without one)")
        );
        assert_eq!(
            not_json_hint("\u{7}").as_deref(),
            Some(" (the file is not JSON: it starts with `\\u{7}`)")
        );
        assert_eq!(not_json_hint("  {\"a\": 1"), None);
        assert_eq!(not_json_hint("[1, 2"), None);
        assert_eq!(
            not_json_hint(" \n").as_deref(),
            Some(" (the file is empty)")
        );
    }
}
