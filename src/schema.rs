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
    /// A label, unique in the plan (default: the model, its parameters, its
    /// assumption changes and its `properties`, written as the command line's flags).
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
