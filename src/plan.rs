//! Check plans: TOML files listing checks and the verdict each property must have.
//!
//! ```toml
//! [[check]]
//! name = "fenced_lease_lock: fencing on writes, pauses allowed"
//! model = "fenced_lease_lock"
//! params = { variant = "writes" }
//! relax = ["bounded_pause"]
//! expect = { no_lost_increment = "violated", both_incremented = "reached" }
//! # pinned boundaries: holds with bounded_pause(0), violated with bounded_pause(1)
//! expect_bounds = { no_lost_increment = { bounded_pause = 0 } }
//! ```
//!
//! Every error names the file, line and column, the offending key and the valid
//! choices.

use crate::check::{CheckOptions, Verdict};
use crate::registry::Registry;
use crate::report::{CheckReport, SCHEMA_VERSION};
use crate::request::{resolve_params, AssumptionChanges, CheckRequest, RequestError};
use crate::system::{Assumption, AssumptionError, AssumptionSet, PropertyKind, BOUND_MAX};
use crate::trace::TraceFile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// An error in a plan file: exit code 2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}{}", more_lines(.more))]
pub struct PlanError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and what is valid.
    pub message: String,
    /// The errors of the plan's later checks (every check is validated, so one run
    /// reports them all), each shown on its own line.
    pub more: Vec<PlanError>,
}

impl PlanError {
    /// This error and the further ones, in file order.
    pub fn all(&self) -> Vec<&PlanError> {
        std::iter::once(self).chain(self.more.iter()).collect()
    }
}

fn more_lines(more: &[PlanError]) -> String {
    more.iter().map(|error| format!("\n{error}")).collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[serde(default)]
    check: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    name: Option<Spanned<String>>,
    model: Spanned<String>,
    #[serde(default)]
    params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    hold: Vec<Spanned<String>>,
    #[serde(default)]
    relax: Vec<Spanned<String>>,
    #[serde(default)]
    relax_all: bool,
    #[serde(default)]
    properties: Vec<Spanned<String>>,
    #[serde(default)]
    expect: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    expect_bounds: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<i64>>>,
    max_states: Option<Spanned<usize>>,
}

/// A pinned boundary: `property` holds with `assumption` held at `holds_up_to` and is
/// violated at `holds_up_to + 1` (both checked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundExpectation {
    /// The property.
    pub property: String,
    /// The numeric assumption.
    pub assumption: Assumption,
    /// The largest bound under which it holds.
    pub holds_up_to: u32,
}

/// One validated check of a plan.
#[derive(Clone, Debug)]
pub struct PlanCheck {
    /// A label, unique in its plan (the `name` key, or the model, its parameters,
    /// its assumption changes and its selected properties as command-line flags, each
    /// kind sorted).
    pub name: String,
    /// What to run.
    pub request: CheckRequest,
    /// The properties it searches (the `properties` key, as `--property`; empty: all).
    pub properties: Vec<String>,
    /// Property → expected verdict.
    pub expect: BTreeMap<String, Verdict>,
    /// Pinned boundaries (`expect_bounds`).
    pub expect_bounds: Vec<BoundExpectation>,
    /// A per-check state limit.
    pub max_states: Option<usize>,
    /// Where the check's `[[check]]` table is written.
    pub location: SourceLocation,
}

/// A place in a plan file (1-based line and column), for annotations that point at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SourceLocation {
    /// The plan file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A validated plan.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Where it came from.
    pub file: String,
    /// The checks, in file order.
    pub checks: Vec<PlanCheck>,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}

struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    fn location(&self, span: &Range<usize>) -> SourceLocation {
        let (line, column) = position(self.text, span.start);
        SourceLocation {
            file: self.file.to_string(),
            line,
            column,
        }
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> PlanError {
        let (line, column) = position(self.text, span.start);
        PlanError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
            more: Vec::new(),
        }
    }
}

/// Parses a plan and validates it against the models of `registry`.
pub fn parse(file: &str, text: &str, registry: &Registry) -> Result<Plan, PlanError> {
    let at = Locator { file, text };
    let raw: RawPlan = toml::from_str(text).map_err(|error| {
        // A JSON document given as a plan: say which, not "invalid key".
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let kind = crate::schema::Document::of(&value).map_or("JSON", |kind| kind.describe());
            return at.error(
                0..0,
                format!("this is {kind}, not a plan: a plan is TOML, with [[check]] tables"),
            );
        }
        let span = error.span().unwrap_or(0..0);
        let message = match error.message().trim() {
            // The TOML parser has no words for some errors (`model=` at the end).
            "" => "invalid TOML: an incomplete or malformed key, value or table".to_string(),
            // A value of the wrong type or range: its key, as the checks' own errors say.
            message => match key_of_value(text, span.start) {
                Some(key) if !message.starts_with("unknown field") => {
                    format!("key `{key}`: {message}")
                }
                _ => message.to_string(),
            },
        };
        at.error(span, message)
    })?;
    if raw.check.is_empty() {
        return Err(at.error(0..0, "the plan has no [[check]] entries"));
    }
    let mut checks: Vec<PlanCheck> = Vec::new();
    let mut errors = Vec::new();
    // Each check's name and line, the invalid ones too where they give a `name`:
    // reports, shards, `merge` and JUnit tell checks apart by name.
    let mut names: Vec<(String, usize, bool)> = Vec::new();
    for check in raw.check {
        let span = check.span();
        let given = (check.get_ref().name.as_ref()).map(|name| name.get_ref().clone());
        let name = match validate(&at, check, registry) {
            Ok(check) => {
                let name = check.name.clone();
                checks.push(check);
                Some(name)
            }
            Err(found) => {
                errors.extend(found);
                given.clone()
            }
        };
        let Some(name) = name else { continue };
        let line = at.location(&span).line;
        if let Some((_, first, first_given)) = names.iter().find(|(other, ..)| *other == name) {
            let message = match (given.is_some(), first_given) {
                // Both named after what they check: the same check twice.
                (false, false) => format!(
                    "check `{name}` is the check at line {first} again (the same model, parameters, assumptions and properties, in any order): keep one, or give one a `name`"
                ),
                (true, _) => format!(
                    "check `{name}` is named like the check at line {first}: reports, shards and JUnit tell checks apart by name; rename one"
                ),
                (false, true) => format!(
                    "check `{name}` is named like the check at line {first}: reports, shards and JUnit tell checks apart by name; give one a `name`"
                ),
            };
            errors.push(at.error(span, message));
        }
        names.push((name, line, given.is_some()));
    }
    if !errors.is_empty() {
        // In the order they are written (a check's keys are validated table by table).
        errors.sort_by_key(|error| (error.line, error.column));
        let mut first = errors.remove(0);
        first.more = errors;
        return Err(first);
    }
    Ok(Plan {
        file: file.to_string(),
        checks,
    })
}

/// The key whose value starts at byte `start`, in a `[[check]]` table, where the text
/// before it on its line is `KEY =` (`relax = "x"`) or `TABLE = { KEY =` with no string
/// or other table before it (`params.lease_ticks` in `params = { lease_ticks = 99 }`):
/// `None` for anything else (a nested table, a `[check.expect]` header), rather than a
/// wrong name.
fn key_of_value(text: &str, start: usize) -> Option<String> {
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |at| at + 1);
    let header = (text.get(..line_start)?.lines().rev())
        .map(str::trim)
        .find(|line| line.starts_with('['));
    if header.is_some_and(|header| header != "[[check]]") {
        return None;
    }
    let line = text.get(line_start..start)?;
    if line.contains(['"', '\'', '[']) || line.matches('{').count() > 1 {
        return None;
    }
    let last_key = |before: &str| -> Option<String> {
        let before = before.trim_end().strip_suffix('=')?;
        let key = before.trim_end().rsplit([' ', '{', ',', '\t']).next()?;
        let bare = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        (!key.is_empty() && key.chars().all(bare)).then(|| key.to_string())
    };
    let before = line;
    let key = last_key(before)?;
    // Within an inline table: the table's own key first.
    match before
        .rfind('{')
        .and_then(|brace| last_key(&before[..brace]))
    {
        Some(table) => Some(format!("{table}.{key}")),
        None => Some(key),
    }
}

fn validate(
    at: &Locator<'_>,
    spanned: Spanned<RawCheck>,
    registry: &Registry,
) -> Result<PlanCheck, Vec<PlanError>> {
    let mut errors = Vec::new();
    let span = spanned.span();
    let location = at.location(&span);
    let raw = spanned.into_inner();
    let model = registry
        .find(raw.model.get_ref())
        .map_err(|e| vec![at.error(raw.model.span(), format!("key `model`: {e}"))])?;
    let mut params = BTreeMap::new();
    for (key, value) in &raw.params {
        let text = match value.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                errors.push(at.error(
                    value.span(),
                    format!(
                        "key `params.{}`: expected a string or integer, found {}",
                        key.get_ref(),
                        other.type_str()
                    ),
                ));
                continue;
            }
        };
        params.insert(key.get_ref().clone(), text);
        let one = BTreeMap::from([(key.get_ref().clone(), params[key.get_ref()].clone())]);
        if let Err(e) = resolve_params(model.name(), model.parameters(), &one) {
            let where_ = if matches!(e, RequestError::UnknownParameter { .. }) {
                key.span()
            } else {
                value.span()
            };
            errors.push(at.error(where_, format!("key `params.{}`: {e}", key.get_ref())));
        }
    }
    let mut probe = AssumptionSet::default();
    for spec in &raw.hold {
        if let Err(e) = probe.hold_spec(spec.get_ref()) {
            errors.push(at.error(spec.span(), format!("key `hold`: {e}")));
        }
    }
    for name in &raw.relax {
        if let Err(e) = probe.relax_spec(name.get_ref()) {
            errors.push(at.error(name.span(), format!("key `relax`: {e}")));
        }
    }
    let holds: Vec<String> = raw.hold.iter().map(|s| s.get_ref().clone()).collect();
    let relaxes: Vec<String> = raw.relax.iter().map(|s| s.get_ref().clone()).collect();
    if let Some(conflict) = crate::system::find_conflict(&holds, &relaxes) {
        // Point at the entry that contradicts an earlier one.
        let second = match &conflict {
            AssumptionError::Conflict { second, .. } => second.as_str(),
            _ => "",
        };
        let entry = raw
            .hold
            .iter()
            .map(|s| (format!("hold {}", s.get_ref().trim()), s.span()))
            .chain(
                raw.relax
                    .iter()
                    .map(|s| (format!("relax {}", s.get_ref().trim()), s.span())),
            )
            .find(|(written, _)| written == second)
            .map_or(span.clone(), |(_, span)| span);
        errors.push(at.error(entry, conflict.to_string()));
    }
    // At the check's parameters (what the model leans on and its properties may
    // depend on them); at the defaults where a parameter is in error (said above).
    let description = (model.describe_with(&params))
        .or_else(|_| model.describe())
        .map_err(|e| {
            errors.push(at.error(span.clone(), e.to_string()));
            std::mem::take(&mut errors)
        })?;
    let changes = AssumptionChanges {
        relax_all: raw.relax_all,
        hold: raw.hold.iter().map(|s| s.get_ref().clone()).collect(),
        relax: raw.relax.iter().map(|s| s.get_ref().clone()).collect(),
    };
    if !description.timed && !changes.is_empty() {
        errors.push(at.error(
            span.clone(),
            format!(
                "model `{}` is untimed: remove hold/relax/relax_all",
                model.name()
            ),
        ));
    }
    let mut property_names: Vec<&str> = description.properties.iter().map(|p| p.name).collect();
    property_names.push(crate::check::DEADLOCK_PROPERTY);
    let valid = property_names.join(", ");
    // `key` names where in the check the property is written (`expect.NAME`, ...).
    let no_such_property = |key: &str, name: &Spanned<String>| -> Option<PlanError> {
        (!property_names.contains(&name.get_ref().as_str())).then(|| {
            at.error(
                name.span(),
                format!(
                    "key `{key}`: model `{}` has no property `{}`{}; valid properties: {valid}",
                    model.name(),
                    name.get_ref(),
                    crate::suggest::did_you_mean(name.get_ref(), &valid),
                ),
            )
        })
    };
    let mut properties: Vec<String> = Vec::new();
    for name in &raw.properties {
        if let Some(error) = no_such_property("properties", name) {
            errors.push(error);
        } else if properties.contains(name.get_ref()) {
            errors.push(at.error(
                name.span(),
                format!("key `properties`: `{}` is listed twice", name.get_ref()),
            ));
        } else {
            properties.push(name.get_ref().clone());
        }
    }
    // A pinned verdict of a property the check does not search could never be met (not
    // said while `properties` itself is wrong: that error comes first).
    let selection_valid = properties.len() == raw.properties.len();
    let unsearched = |key: &str, property: &Spanned<String>| -> Option<PlanError> {
        (selection_valid
            && !properties.is_empty()
            && property_names.contains(&property.get_ref().as_str())
            && !properties.contains(property.get_ref()))
        .then(|| {
            at.error(
                property.span(),
                format!(
                    "key `{key}.{}`: the check searches only {} (key `properties`), so `{}` gets no verdict; add it to `properties`",
                    property.get_ref(),
                    properties
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    property.get_ref()
                ),
            )
        })
    };
    let mut expect = BTreeMap::new();
    for (property, verdict) in &raw.expect {
        errors.extend(unsearched("expect", property));
        errors.extend(no_such_property(
            &format!("expect.{}", property.get_ref()),
            property,
        ));
        match Verdict::parse(verdict.get_ref()) {
            Some(parsed) => {
                // `deadlock_free` is an `always` one; an unknown name is reported above.
                let kind = (description.properties.iter())
                    .find(|p| p.name == property.get_ref())
                    .map(|p| p.kind)
                    .or((property.get_ref() == crate::check::DEADLOCK_PROPERTY)
                        .then_some(PropertyKind::Always));
                if let Some((kind, valid)) =
                    kind.and_then(|kind| Some((kind, never_found(kind, parsed)?)))
                {
                    errors.push(at.error(
                        verdict.span(),
                        format!(
                            "key `expect.{}`: `{}` is {} `{}` property, which is never `{}`; valid verdicts: {valid}",
                            property.get_ref(),
                            property.get_ref(),
                            if kind == PropertyKind::Sometimes { "a" } else { "an" },
                            kind.name(),
                            parsed.name()
                        ),
                    ));
                }
                expect.insert(property.get_ref().clone(), parsed);
            }
            None => errors.push(at.error(verdict.span(), format!("key `expect.{}`: unknown verdict `{}`; valid verdicts: holds, violated, reached, unreached, unknown", property.get_ref(), verdict.get_ref()))),
        }
    }
    let mut expect_bounds = Vec::new();
    for (property, pins) in &raw.expect_bounds {
        errors.extend(unsearched("expect_bounds", property));
        if let Some(error) =
            no_such_property(&format!("expect_bounds.{}", property.get_ref()), property)
        {
            errors.push(error);
            continue;
        }
        // A boundary is where a property stops holding: `sometimes` ones never hold
        // (they are reached or not), as `bounds` says of them too.
        let sometimes = (description.properties.iter())
            .any(|p| p.name == property.get_ref() && p.kind == PropertyKind::Sometimes);
        if sometimes {
            let boundable: Vec<&str> = (description.properties.iter())
                .filter(|p| p.kind != PropertyKind::Sometimes)
                .map(|p| p.name)
                .chain([crate::check::DEADLOCK_PROPERTY])
                .collect();
            errors.push(at.error(
                property.span(),
                format!(
                    "key `expect_bounds.{0}`: `{0}` is a `sometimes` property, which has no boundary (it is reached or not, never held or violated); pin one of: {1}",
                    property.get_ref(),
                    boundable.join(", ")
                ),
            ));
            continue;
        }
        for (name, bound) in pins {
            let key = format!("expect_bounds.{}.{}", property.get_ref(), name.get_ref());
            let Some(assumption) = Assumption::parse(name.get_ref())
                .map(|(a, _)| a)
                .filter(|a| a.takes_bound())
            else {
                errors.push(at.error(
                    name.span(),
                    format!("key `{key}`: not a numeric assumption; valid: bounded_delay, bounded_skew, bounded_pause, max_crashes"),
                ));
                continue;
            };
            let Some(holds_up_to) = u32::try_from(*bound.get_ref())
                .ok()
                .filter(|b| *b < BOUND_MAX)
            else {
                errors.push(at.error(
                    bound.span(),
                    format!("key `{key}`: expected the largest bound that holds, an integer from 0 to {}", BOUND_MAX - 1),
                ));
                continue;
            };
            expect_bounds.push(BoundExpectation {
                property: property.get_ref().clone(),
                assumption,
                holds_up_to,
            });
        }
    }
    if !description.timed && !expect_bounds.is_empty() {
        errors.push(at.error(
            span.clone(),
            format!(
                "model `{}` is untimed: it has no bounds to pin",
                model.name()
            ),
        ));
    }
    if let Some(empty) = (raw.name.as_ref()).filter(|name| name.get_ref().trim().is_empty()) {
        errors.push(at.error(
            empty.span(),
            "key `name`: empty; give the check a name, or leave `name` out to have it named by what it checks",
        ));
    }
    if let Some(max) = raw.max_states.as_ref().filter(|m| *m.get_ref() == 0) {
        errors.push(at.error(
            max.span(),
            "key `max_states`: 0 stores no state at all; give at least 1 (or leave it out)",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if expect.is_empty() && expect_bounds.is_empty() {
        // Only once the rest is right: a typo elsewhere is the likelier cause.
        return Err(vec![at.error(
            span,
            format!(
                "check of `{}` expects nothing (no `expect`, no `expect_bounds`), so it could never fail; pin a verdict, e.g. `expect = {{ {} = \"{}\" }}`",
                model.name(),
                property_names[0],
                match description.properties.first().map(|p| p.kind) {
                    Some(PropertyKind::Sometimes) => "reached",
                    _ => "holds",
                }
            ),
        )]);
    }
    // A check without a name is named after what it checks, each list sorted: the order
    // `hold`, `relax` and `properties` are written in changes nothing checked.
    let name = raw.name.map(Spanned::into_inner).unwrap_or_else(|| {
        let sorted = |flag: &str, items: &[String]| {
            let mut items: Vec<String> = (items.iter())
                .map(|item| format!("{flag} {}", item.trim()))
                .collect();
            items.sort();
            items
        };
        let mut shown = vec![model.name().to_string()];
        shown.extend(params.iter().map(|(k, v)| format!("{k}={v}")));
        if changes.relax_all {
            shown.push("--relax-all".to_string());
        }
        shown.extend(sorted("--hold", &changes.hold));
        shown.extend(sorted("--relax", &changes.relax));
        shown.extend(sorted("--property", &properties));
        shown.join(" ")
    });
    Ok(PlanCheck {
        name,
        request: CheckRequest {
            model: model.name().to_string(),
            params,
            changes,
        },
        properties,
        expect,
        expect_bounds,
        max_states: raw.max_states.map(Spanned::into_inner),
        location,
    })
}

/// Where a property of `kind` can never be found `verdict`: the verdicts it can be.
fn never_found(kind: PropertyKind, verdict: Verdict) -> Option<&'static str> {
    let sometimes = kind == PropertyKind::Sometimes;
    match verdict {
        Verdict::Holds | Verdict::Violated if sometimes => Some("reached, unreached, unknown"),
        Verdict::Reached | Verdict::Unreached if !sometimes => Some("holds, violated, unknown"),
        _ => None,
    }
}

/// One expectation's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExpectationResult {
    /// The property.
    pub property: String,
    /// What the plan says.
    pub expected: Verdict,
    /// What the check found.
    pub actual: Verdict,
    /// Whether they agree.
    pub met: bool,
}

/// How a plan summary marks an expectation: `ok` when met, `INCOMPLETE` when a limit
/// left it `unknown` (exit 3), `MISMATCH` when the check found otherwise (exit 1).
pub fn result_word(met: bool, unknown: bool) -> &'static str {
    match (met, unknown) {
        (true, _) => "ok",
        (false, true) => "INCOMPLETE",
        (false, false) => "MISMATCH",
    }
}

impl ExpectationResult {
    /// [`result_word`] of this expectation.
    pub fn result(&self) -> &'static str {
        result_word(self.met, self.actual == Verdict::Unknown)
    }
}

impl PlanCheckResult {
    /// The check's word in a plan run's status line: `error`, else the worst of its
    /// expectations' [`result_word`]s (`MISMATCH` over `INCOMPLETE` over `ok`).
    pub fn status(&self) -> &'static str {
        if self.error.is_some() {
            return "error";
        }
        let words = (self.expectations.iter().map(ExpectationResult::result))
            .chain(self.bounds.iter().map(BoundExpectationResult::result));
        words.fold("ok", |worst, word| match (worst, word) {
            ("MISMATCH", _) | (_, "MISMATCH") => "MISMATCH",
            ("INCOMPLETE", _) | (_, "INCOMPLETE") => "INCOMPLETE",
            _ => "ok",
        })
    }
}

/// One pinned boundary's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BoundExpectationResult {
    /// The property.
    pub property: String,
    /// The numeric assumption.
    pub assumption: Assumption,
    /// The pinned largest bound that holds.
    pub holds_up_to: u32,
    /// The verdict with the assumption held at `holds_up_to`.
    pub at_bound: Verdict,
    /// The verdict at `holds_up_to + 1`.
    pub above_bound: Verdict,
    /// Whether it holds at the bound and is violated above it.
    pub met: bool,
    /// The counterexample that decides: at `holds_up_to + 1`, or at `holds_up_to`
    /// when the boundary moved below the pin.
    pub counterexample: Option<TraceFile>,
    /// Both checks' wall time.
    pub seconds: f64,
}

impl BoundExpectationResult {
    /// What the two checks found, in words: `≤ N` (the pin, written as the expected
    /// column writes it) when met, `fails at N` when it is violated at the pin already,
    /// `holds at N+1` when it still holds above it. Only those two bounds are checked:
    /// where the boundary moved, `synccheck bounds` finds it.
    pub fn found(&self) -> String {
        let n = self.holds_up_to;
        match (self.at_bound, self.above_bound) {
            (Verdict::Holds, Verdict::Violated) => format!("≤ {n}"),
            (Verdict::Violated, _) => format!("fails at {n}"),
            (Verdict::Holds, Verdict::Holds) => format!("holds at {}", n + 1),
            _ => "unknown".to_string(),
        }
    }

    /// The bound its counterexample was found at, as `assumption(N)`: `holds_up_to`
    /// where it is violated there already, else `holds_up_to + 1`.
    pub fn deciding(&self) -> String {
        let bound = if self.at_bound == Verdict::Violated {
            self.holds_up_to
        } else {
            self.holds_up_to + 1
        };
        format!("{}({bound})", self.assumption.name())
    }

    /// The expectation's label: `property@assumption`.
    pub fn label(&self) -> String {
        format!("{}@{}", self.property, self.assumption.name())
    }

    /// Whether a limit left it undecided: not when it already fails at the bound (a
    /// violation there is decided, whatever a limit left above it).
    pub fn is_unknown(&self) -> bool {
        !self.met
            && self.at_bound != Verdict::Violated
            && (self.at_bound == Verdict::Unknown || self.above_bound == Verdict::Unknown)
    }

    /// [`result_word`] of this pin.
    pub fn result(&self) -> &'static str {
        result_word(self.met, self.is_unknown())
    }
}

/// One check's outcome within a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanCheckResult {
    /// The check's label.
    pub name: String,
    /// Expectations, in property order.
    pub expectations: Vec<ExpectationResult>,
    /// Pinned boundaries (`expect_bounds`), in property order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bounds: Vec<BoundExpectationResult>,
    /// The full report, or the error that stopped the check.
    pub report: Option<CheckReport>,
    /// An error running the check.
    pub error: Option<String>,
    /// Where the check is written in its plan (absent in reports of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

/// Which plan a report comes from and which part of it it ran, so that `merge` can
/// tell a complete set of shards from a partial, duplicated or mixed one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ShardIdentity {
    /// xxh64 (hex) of the resolved plan: every check's name, model, parameters,
    /// assumption changes, expectations and state limit, in order.
    pub plan_id: String,
    /// Every check of the plan, by name, in plan order.
    pub plan_checks: Vec<String>,
    /// This shard, 1-based.
    pub index: u64,
    /// The number of shards the plan was split into (1: not split).
    pub count: u64,
    /// The checks this report ran, by name, in run order.
    pub checks_run: Vec<String>,
}

/// The outcome of a whole plan (or several).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanReport {
    /// Format version.
    pub schema_version: u32,
    /// Plan files.
    pub files: Vec<String>,
    /// The plan's identity and the shard this report covers (absent in reports
    /// written before shards were identified: `merge` refuses those).
    #[serde(default)]
    pub shard: Option<ShardIdentity>,
    /// Whether every expectation was met.
    pub met: bool,
    /// The checks.
    pub checks: Vec<PlanCheckResult>,
}

impl PlanReport {
    /// 0 when every expectation is met; 3 when the only misses are `unknown`s (a limit
    /// was hit); 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        let misses = || {
            self.checks
                .iter()
                .flat_map(|c| &c.expectations)
                .filter(|e| !e.met)
        };
        if self.checks.iter().any(|c| c.error.is_some()) {
            return 2;
        }
        let bound_misses = || {
            self.checks
                .iter()
                .flat_map(|c| &c.bounds)
                .filter(|b| !b.met)
        };
        if misses().any(|e| e.actual != Verdict::Unknown) || bound_misses().any(|b| !b.is_unknown())
        {
            1
        } else if misses().next().is_some() || bound_misses().next().is_some() {
            3
        } else {
            0
        }
    }
}

/// Runs one check of a plan against the models of `registry`.
pub fn run_check(
    check: &PlanCheck,
    options: &CheckOptions,
    registry: &Registry,
) -> PlanCheckResult {
    let mut options = options.clone();
    if check.max_states.is_some() {
        options.max_states = check.max_states;
    }
    options.properties.clone_from(&check.properties);
    match registry.run(&check.request, &options) {
        Ok(report) => {
            let expectations = check
                .expect
                .iter()
                .map(|(property, expected)| {
                    let actual = report
                        .property(property)
                        .map_or(Verdict::Unknown, |p| p.verdict);
                    ExpectationResult {
                        property: property.clone(),
                        expected: *expected,
                        actual,
                        met: actual == *expected,
                    }
                })
                .collect();
            let mut result = PlanCheckResult {
                name: check.name.clone(),
                expectations,
                bounds: Vec::new(),
                report: Some(report),
                error: None,
                location: Some(check.location.clone()),
            };
            for pin in &check.expect_bounds {
                match run_bound(check, pin, &options, registry) {
                    Ok(found) => result.bounds.push(found),
                    Err(error) => {
                        result.error = Some(error.to_string());
                        break;
                    }
                }
            }
            result
        }
        Err(error) => PlanCheckResult {
            name: check.name.clone(),
            expectations: Vec::new(),
            bounds: Vec::new(),
            report: None,
            error: Some(error.to_string()),
            location: Some(check.location.clone()),
        },
    }
}

/// Checks one pinned boundary: the pair N (holds) and N + 1 (violated).
fn run_bound(
    check: &PlanCheck,
    pin: &BoundExpectation,
    options: &CheckOptions,
    registry: &Registry,
) -> Result<BoundExpectationResult, RequestError> {
    let (at, above) = crate::bounds::check_pinned_pair(
        registry,
        &check.request.model,
        &check.request.params,
        &check.request.changes,
        pin.assumption,
        pin.holds_up_to,
        options,
    )?;
    let verdict = |report: &CheckReport| {
        report
            .property(&pin.property)
            .map_or(Verdict::Unknown, |p| p.verdict)
    };
    let (at_bound, above_bound) = (verdict(&at), verdict(&above));
    let deciding = if at_bound == Verdict::Violated {
        &at
    } else {
        &above
    };
    Ok(BoundExpectationResult {
        property: pin.property.clone(),
        assumption: pin.assumption,
        holds_up_to: pin.holds_up_to,
        at_bound,
        above_bound,
        met: at_bound == Verdict::Holds && above_bound == Verdict::Violated,
        counterexample: crate::trace::traces_of(deciding)
            .into_iter()
            .find(|t| t.property == pin.property),
        seconds: at.stats.seconds + above.stats.seconds,
    })
}

/// Parses `I/N` (1-based).
pub fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--shard {text}: expected I/N with 1 ≤ I ≤ N, e.g. 2/3");
    let (index, count) = text.split_once('/').ok_or_else(bad)?;
    let index: u64 = index.trim().parse().map_err(|_| bad())?;
    let count: u64 = count.trim().parse().map_err(|_| bad())?;
    if count == 0 || index == 0 || index > count {
        return Err(bad());
    }
    Ok((index, count))
}

/// A hash that is the same on every platform, build and version of synccheck
/// (xxh64, seed 0): shards and plan identities must agree across CI machines.
fn stable_hash(text: &str) -> u64 {
    xxhash_rust::xxh64::xxh64(text.as_bytes(), 0)
}

/// Whether `check` belongs to shard `index` of `count`: a stable hash of its name, so
/// the split does not move when other checks are added or reordered, nor between
/// machines.
pub fn in_shard(check: &PlanCheck, (index, count): (u64, u64)) -> bool {
    stable_hash(&check.name) % count == index - 1
}

/// The identity of the resolved plans (all of `plans`, before any shard split).
pub fn plan_id(plans: &[Plan]) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    for check in plans.iter().flat_map(|p| &p.checks) {
        let request = &check.request;
        let _ = write!(
            text,
            "{:?}|{:?}|{:?}|{}|{:?}|{:?}|{:?}|{:?}",
            check.name,
            request.model,
            request.params,
            request.changes.relax_all,
            request.changes.hold,
            request.changes.relax,
            check.expect,
            check.max_states
        );
        // Only when given, so that the identity of a plan without them is unchanged.
        if !check.properties.is_empty() {
            let _ = write!(text, "|{:?}", check.properties);
        }
        text.push('\n');
    }
    format!("{:016x}", stable_hash(&text))
}

/// Why shard reports cannot be merged: exit code 2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// No report given.
    #[error("no report to merge")]
    Empty,
    /// A report without a plan identity.
    #[error("{0}: the report carries no plan identity (written by an older synccheck?); rerun its shard")]
    Unidentified(String),
    /// Reports of different plans (or different splits).
    #[error("{first} and {other} come from different plans or splits (plan {first_plan} in {}, plan {other_plan} in {}); merge the shards of one run", crate::report::counted(usize::try_from(*.first_count).unwrap_or(usize::MAX), "shard", "shards"), crate::report::counted(usize::try_from(*.other_count).unwrap_or(usize::MAX), "shard", "shards"))]
    MixedPlans {
        /// The first report.
        first: String,
        /// Its plan id.
        first_plan: String,
        /// Its shard count.
        first_count: u64,
        /// The report that differs.
        other: String,
        /// Its plan id.
        other_plan: String,
        /// Its shard count.
        other_count: u64,
    },
    /// A shard given twice.
    #[error("shard {index}/{count} is given twice ({first} and {second})")]
    DuplicateShard {
        /// The shard.
        index: u64,
        /// Of how many.
        count: u64,
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
    /// Shards missing.
    #[error("{} {missing} missing: the merge would lose its checks", if .missing.contains(',') { "shards" } else { "shard" })]
    MissingShards {
        /// The missing indices, e.g. `2/3, 3/3`.
        missing: String,
        /// Of how many.
        count: u64,
    },
    /// A check in more than one report.
    #[error("check `{0}` is reported twice")]
    CheckTwice(String),
    /// A check of the plan in no report (a shard stopped early, or was edited).
    #[error("check `{0}` of the plan is in no report (a shard was cancelled or incomplete)")]
    CheckNever(String),
    /// A check no shard should have run.
    #[error("check `{0}` is not in the plan the reports name")]
    CheckForeign(String),
    /// A report that contradicts itself (an outcome that does not follow from what
    /// it records): edited, or not written by synccheck.
    #[error(
        "{file}: check `{check}`: {what}; the report contradicts itself (edited?): rerun its shard"
    )]
    Inconsistent {
        /// The report.
        file: String,
        /// The check.
        check: String,
        /// What does not follow.
        what: String,
    },
}

/// The first outcome of `check` that does not follow from what it records: an
/// expectation's `met` that is not `expected == actual`, an `actual` that is not its
/// report's verdict, a boundary's `met` that is not "holds at it, violated above".
fn contradiction(check: &PlanCheckResult) -> Option<String> {
    for (index, e) in check.expectations.iter().enumerate() {
        let at = format!("/expectations/{index}");
        if e.met != (e.actual == e.expected) {
            return Some(format!(
                "{at}: `met` is {} with expected {} and actual {}",
                e.met,
                e.expected.name(),
                e.actual.name()
            ));
        }
        let reported = (check.report.as_ref()).map(|report| {
            report
                .property(&e.property)
                .map_or(Verdict::Unknown, |p| p.verdict)
        });
        if let Some(reported) = reported.filter(|reported| *reported != e.actual) {
            return Some(format!(
                "{at}: `actual` is {} but its report finds `{}` {}",
                e.actual.name(),
                e.property,
                reported.name()
            ));
        }
    }
    for (index, b) in check.bounds.iter().enumerate() {
        let decided = b.at_bound == Verdict::Holds && b.above_bound == Verdict::Violated;
        if b.met != decided {
            return Some(format!(
                "/bounds/{index}: `met` is {} with {} at the bound and {} above it",
                b.met,
                b.at_bound.name(),
                b.above_bound.name()
            ));
        }
    }
    None
}

/// Combines the reports of every shard of one plan run into one report. `labels`
/// (file names) name the reports in errors. Refuses a missing, duplicated or foreign
/// shard and a check reported twice or never.
pub fn merge(labeled: Vec<(String, PlanReport)>) -> Result<PlanReport, MergeError> {
    let (first_label, first) = labeled.first().ok_or(MergeError::Empty)?;
    let identity = |label: &String, report: &PlanReport| {
        report
            .shard
            .clone()
            .ok_or_else(|| MergeError::Unidentified(label.clone()))
    };
    let base = identity(first_label, first)?;
    let mut seen: BTreeMap<u64, String> = BTreeMap::new();
    for (label, report) in &labeled {
        let shard = identity(label, report)?;
        if shard.plan_id != base.plan_id || shard.count != base.count {
            return Err(MergeError::MixedPlans {
                first: first_label.clone(),
                first_plan: base.plan_id.clone(),
                first_count: base.count,
                other: label.clone(),
                other_plan: shard.plan_id,
                other_count: shard.count,
            });
        }
        if let Some(previous) = seen.insert(shard.index, label.clone()) {
            return Err(MergeError::DuplicateShard {
                index: shard.index,
                count: shard.count,
                first: previous,
                second: label.clone(),
            });
        }
    }
    let missing: Vec<String> = (1..=base.count)
        .filter(|index| !seen.contains_key(index))
        .map(|index| format!("{index}/{}", base.count))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::MissingShards {
            missing: missing.join(", "),
            count: base.count,
        });
    }
    for (label, report) in &labeled {
        for (index, check) in report.checks.iter().enumerate() {
            if let Some(what) = contradiction(check) {
                return Err(MergeError::Inconsistent {
                    file: label.clone(),
                    check: check.name.clone(),
                    what: format!("/checks/{index}{what}"),
                });
            }
        }
    }
    let mut runs: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, report) in &labeled {
        for name in report.checks.iter().map(|c| c.name.as_str()) {
            *runs.entry(name).or_insert(0) += 1;
        }
    }
    let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &base.plan_checks {
        *expected.entry(name.as_str()).or_insert(0) += 1;
    }
    for (name, count) in &runs {
        match expected.get(name) {
            None => return Err(MergeError::CheckForeign(name.to_string())),
            Some(wanted) if count > wanted => return Err(MergeError::CheckTwice(name.to_string())),
            _ => {}
        }
    }
    if let Some((name, _)) = expected
        .iter()
        .find(|(name, wanted)| runs.get(*name).copied().unwrap_or(0) < **wanted)
    {
        return Err(MergeError::CheckNever(name.to_string()));
    }
    let files = labeled
        .iter()
        .flat_map(|(_, r)| r.files.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut checks: Vec<PlanCheckResult> =
        labeled.into_iter().flat_map(|(_, r)| r.checks).collect();
    // In plan order, as an unsharded run lists them (every name is in the plan: checked
    // above).
    let order: BTreeMap<&str, usize> = (base.plan_checks.iter().enumerate())
        .rev()
        .map(|(index, name)| (name.as_str(), index))
        .collect();
    checks.sort_by_key(|check| order.get(check.name.as_str()).copied());
    let checks_run = checks.iter().map(|c| c.name.clone()).collect();
    let mut merged = report(files, checks);
    merged.shard = Some(ShardIdentity {
        index: 1,
        count: 1,
        checks_run,
        ..base
    });
    Ok(merged)
}

/// Assembles a plan report (no shard identity: [`identify`] adds it).
pub fn report(files: Vec<String>, checks: Vec<PlanCheckResult>) -> PlanReport {
    let met = checks.iter().all(|c| {
        c.error.is_none() && c.expectations.iter().all(|e| e.met) && c.bounds.iter().all(|b| b.met)
    });
    PlanReport {
        schema_version: SCHEMA_VERSION,
        files,
        shard: None,
        met,
        checks,
    }
}

/// Stamps `report` with the identity of `plans` (the whole plans, before the split)
/// and the shard it ran.
pub fn identify(report: &mut PlanReport, plans: &[Plan], (index, count): (u64, u64)) {
    report.shard = Some(ShardIdentity {
        plan_id: plan_id(plans),
        plan_checks: plans
            .iter()
            .flat_map(|p| &p.checks)
            .map(|c| c.name.clone())
            .collect(),
        index,
        count,
        checks_run: report.checks.iter().map(|c| c.name.clone()).collect(),
    });
}

/// The summary table: one row per expectation.
pub fn render_summary(report: &PlanReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let width = report
        .checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    // The property column fits its longest entry (a pin's label is the longest kind).
    let column = (report.checks.iter())
        .flat_map(|c| {
            (c.expectations.iter().map(|e| e.property.chars().count()))
                .chain(c.bounds.iter().map(|b| b.label().chars().count()))
        })
        .max()
        .unwrap_or(8)
        .max(8);
    // The verdict columns fit their longest entry too: a pin's `fails at 12`.
    let (expected, found) = (report.checks.iter())
        .flat_map(|c| {
            let verdicts = (c.expectations.iter()).map(|e| {
                (
                    e.expected.name().chars().count(),
                    e.actual.name().chars().count(),
                )
            });
            let pins = (c.bounds.iter()).map(|b| {
                let expected = format!("≤ {}", b.holds_up_to).chars().count();
                (expected, b.found().chars().count())
            });
            verdicts.chain(pins)
        })
        .fold((9, 9), |(e, f), (ne, nf)| (e.max(ne), f.max(nf)));
    let _ = writeln!(
        out,
        "{:<width$}  {:<column$}  {:<expected$}  {:<found$}  result",
        "check", "property", "expected", "actual"
    );
    for check in &report.checks {
        if let Some(error) = &check.error {
            let _ = writeln!(out, "{:<width$}  error: {error}", check.name);
        }
        for e in &check.expectations {
            let _ = writeln!(
                out,
                "{:<width$}  {:<column$}  {:<expected$}  {:<found$}  {}",
                check.name,
                e.property,
                e.expected.name(),
                e.actual.name(),
                e.result()
            );
        }
        for b in &check.bounds {
            let _ = writeln!(
                out,
                "{:<width$}  {:<column$}  {:<expected$}  {:<found$}  {}",
                check.name,
                b.label(),
                format!("≤ {}", b.holds_up_to),
                b.found(),
                b.result()
            );
            if !b.met && b.found() != "unknown" {
                let _ = writeln!(
                    out,
                    "{:<width$}  (the boundary moved: the `bounds` command finds where it is now)",
                    ""
                );
            }
        }
    }
    let total: usize = report
        .checks
        .iter()
        .map(|c| c.expectations.len() + c.bounds.len())
        .sum();
    let met: usize = report
        .checks
        .iter()
        .map(|c| {
            c.expectations.iter().filter(|e| e.met).count()
                + c.bounds.iter().filter(|b| b.met).count()
        })
        .sum();
    let _ = writeln!(
        out,
        "\n{met} of {} met in {}",
        crate::report::counted(total, "expectation", "expectations"),
        crate::report::counted(report.checks.len(), "check", "checks")
    );
    out
}
