//! Fuzzing the plan parser and the trace-file parser (and replay) with proptest.
//!
//! Two kinds of input: arbitrary strings (and token soups close to TOML/JSON), and
//! mutations of valid inputs — the catalog's own plans and real traces produced here by
//! the checker — by deleting, duplicating, replacing or inserting byte ranges,
//! truncating, flipping numbers and swapping keys (plus, for traces, structured edits
//! of the JSON tree, so that more inputs get past the decoder and into replay).
//!
//! Properties: the parsers never panic; an error names the file (and for plans, a
//! line:column inside the text); a trace that parses replays without panicking.
//!
//! The default case counts keep the file under ~20 s in release; set `PROPTEST_CASES`
//! to scale every property up (e.g. `PROPTEST_CASES=200000 cargo test --release --test
//! suite fuzz_parsers::`).

use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use synccheck::check::CheckOptions;
use synccheck::request::{AssumptionChanges, CheckRequest};
use synccheck::trace::TraceError;

const PLAN_FILE: &str = "fuzz/plan.toml";
const TRACE_LABEL: &str = "fuzz/some.trace.json";

/// `PROPTEST_CASES` when set, otherwise `default`; no regression files are written
/// (found failures are kept as explicit tests below).
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn request(model: &str, params: &[(&str, &str)], relax: &[&str]) -> CheckRequest {
    CheckRequest {
        model: model.to_string(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        changes: AssumptionChanges {
            relax_all: false,
            hold: Vec::new(),
            relax: relax.iter().map(|s| s.to_string()).collect(),
        },
    }
}

/// Real traces: a safety counterexample of a timed model and a lasso of another.
fn real_traces() -> &'static [String] {
    static TRACES: OnceLock<Vec<String>> = OnceLock::new();
    TRACES.get_or_init(|| {
        let requests = [
            request(
                "fenced_lease_lock",
                &[("variant", "writes")],
                &["bounded_pause"],
            ),
            request("backoff_jitter", &[("jitter", "none")], &[]),
        ];
        let mut texts = Vec::new();
        for request in &requests {
            let report = synccheck::catalog::registry()
                .run(request, &CheckOptions::default())
                .expect("the catalog runs the check");
            let traces = synccheck::trace::traces_of(&report);
            assert!(!traces.is_empty(), "{}: no violation found", request.model);
            for trace in traces {
                texts.push(serde_json::to_string_pretty(&trace).expect("a trace serializes"));
            }
        }
        assert!(texts.len() >= 2, "expected a safety trace and a lasso");
        assert!(
            texts.iter().any(|t| t.contains("\"loop_start\": 1")
                || t.contains("\"loop_start\": 2")
                || t.contains("\"loop_start\": 3")
                || t.contains("\"loop_start\": 4")
                || t.contains("\"loop_start\": 5")),
            "expected a lasso among the real traces"
        );
        texts
    })
}

/// One edit of a text, positions taken modulo its length.
#[derive(Clone, Debug)]
enum Edit {
    Delete(Index, usize),
    Duplicate(Index, usize, Index),
    Replace(Index, usize, Vec<u8>),
    Insert(Index, Vec<u8>),
    Truncate(Index),
    FlipNumber(Index, String),
    SwapWords(Index, Index),
    ReplaceWord(Index, String),
}

/// Words both formats use: keys, model, parameter, assumption and verdict names.
const WORDS: &[&str] = &[
    "model",
    "name",
    "params",
    "hold",
    "relax",
    "relax_all",
    "expect",
    "max_states",
    "check",
    "schema_version",
    "property",
    "property_kind",
    "nodes",
    "loop_start",
    "trace",
    "length",
    "steps",
    "index",
    "initial_state",
    "breaks",
    "assumptions",
    "held",
    "relaxed",
    "action_detail",
    "state",
    "annotations",
    "notes",
    "time_ticks",
    "clock_offsets_ticks",
    "fenced_lease_lock",
    "backoff_jitter",
    "two_phase_commit",
    "variant",
    "jitter",
    "bounded_pause",
    "bounded_delay",
    "bounded_skew",
    "holds",
    "violated",
    "reached",
    "unreached",
    "unknown",
    "always",
    "sometimes",
    "eventually",
    "deadlock_free",
    "true",
    "false",
    "null",
    "inf",
    "nan",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "2",
    "255",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "99999999999999999999999999",
    "1.5",
    "1e999",
    "-1e-999",
    "0x10",
    "1_000",
];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(str::to_string)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NUMBERS).prop_map(str::to_string),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let bytes = prop::collection::vec(any::<u8>(), 0..8);
    prop_oneof![
        (any::<Index>(), 1usize..64).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<Index>(), 1usize..64, any::<Index>())
            .prop_map(|(at, len, to)| Edit::Duplicate(at, len, to)),
        (any::<Index>(), 1usize..8, bytes.clone())
            .prop_map(|(at, len, with)| Edit::Replace(at, len, with)),
        (any::<Index>(), bytes).prop_map(|(at, with)| Edit::Insert(at, with)),
        any::<Index>().prop_map(Edit::Truncate),
        (any::<Index>(), number()).prop_map(|(at, to)| Edit::FlipNumber(at, to)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapWords(a, b)),
        (any::<Index>(), word()).prop_map(|(at, to)| Edit::ReplaceWord(at, to)),
    ]
}

/// Byte ranges of maximal runs matching `is_part` (numbers, identifiers).
fn runs(text: &[u8], is_part: impl Fn(u8) -> bool) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, &byte) in text.iter().enumerate() {
        match (start, is_part(byte)) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                found.push((from, at));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        found.push((from, text.len()));
    }
    found
}

fn identifiers(text: &[u8]) -> Vec<(usize, usize)> {
    runs(text, |b| b.is_ascii_alphabetic() || b == b'_')
}

fn apply(text: &mut Vec<u8>, edit: &Edit) {
    let len = text.len();
    // `Index::index` panics on 0; an empty text only grows.
    let at = |i: &Index| if len == 0 { 0 } else { i.index(len + 1) };
    match edit {
        Edit::Delete(i, n) => {
            let from = at(i).min(len);
            text.drain(from..(from + n).min(len));
        }
        Edit::Duplicate(i, n, to) => {
            let from = at(i).min(len);
            let piece = text[from..(from + n).min(len)].to_vec();
            let to = at(to).min(len);
            text.splice(to..to, piece);
        }
        Edit::Replace(i, n, with) => {
            let from = at(i).min(len);
            text.splice(from..(from + n).min(len), with.iter().copied());
        }
        Edit::Insert(i, with) => {
            let to = at(i).min(len);
            text.splice(to..to, with.iter().copied());
        }
        Edit::Truncate(i) => text.truncate(at(i)),
        Edit::FlipNumber(i, to) => {
            let numbers = runs(text, |b| b.is_ascii_digit());
            if !numbers.is_empty() {
                let (from, end) = numbers[i.index(numbers.len())];
                text.splice(from..end, to.bytes());
            }
        }
        Edit::SwapWords(a, b) => {
            let words = identifiers(text);
            if words.len() >= 2 {
                let (mut first, mut second) = (a.index(words.len()), b.index(words.len()));
                if first > second {
                    std::mem::swap(&mut first, &mut second);
                }
                if first != second {
                    let (a0, a1) = words[first];
                    let (b0, b1) = words[second];
                    let left = text[a0..a1].to_vec();
                    let right = text[b0..b1].to_vec();
                    text.splice(b0..b1, left);
                    text.splice(a0..a1, right);
                }
            }
        }
        Edit::ReplaceWord(i, to) => {
            let words = identifiers(text);
            if !words.is_empty() {
                let (from, end) = words[i.index(words.len())];
                text.splice(from..end, to.bytes());
            }
        }
    }
}

fn mutated(base: &str, edits: &[Edit]) -> Vec<u8> {
    let mut text = base.as_bytes().to_vec();
    for edit in edits {
        apply(&mut text, edit);
    }
    text
}

/// Token soups: near-TOML and near-JSON without being either.
fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        prop::sample::select(
            &[
                "[[check]]",
                "[check]",
                "[",
                "]",
                "{",
                "}",
                "=",
                ":",
                ",",
                "\"",
                "'",
                "\"\"\"",
                "\n",
                " ",
                "#",
                "\\u0000",
                "\\",
                "\u{feff}",
                "é",
                "\r\n",
            ][..]
        )
        .prop_map(str::to_string),
        word(),
        number(),
        word().prop_map(|w| format!("\"{w}\"")),
    ];
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

fn check_plan(text: &str) -> Result<(), TestCaseError> {
    let Err(error) = synccheck::plan::parse(PLAN_FILE, text, &synccheck::catalog::registry())
    else {
        return Ok(());
    };
    let shown = error.to_string();
    prop_assert_eq!(error.file.as_str(), PLAN_FILE);
    prop_assert!(!error.message.trim().is_empty(), "empty message: {shown}");
    prop_assert!(error.line >= 1 && error.column >= 1, "{shown}");
    let lines = text.split('\n').count();
    prop_assert!(error.line <= lines, "line past the end ({lines}): {shown}");
    let line_text = text.split('\n').nth(error.line - 1).unwrap_or("");
    prop_assert!(
        error.column <= line_text.chars().count() + 1,
        "column past the line's end: {shown}"
    );
    let prefix = format!("{PLAN_FILE}:{}:{}: ", error.line, error.column);
    prop_assert!(shown.starts_with(&prefix), "{shown}");
    Ok(())
}

fn check_trace_error(error: &TraceError, label: &str) -> Result<(), TestCaseError> {
    let shown = error.to_string();
    prop_assert!(shown.starts_with(label), "does not name {label}: {shown}");
    prop_assert!(
        shown.len() > label.len() + 2,
        "empty message after the path: {shown}"
    );
    if let TraceError::Malformed {
        line,
        column,
        message,
        ..
    } = error
    {
        prop_assert!(*line >= 1 && *column >= 1, "{shown}");
        prop_assert!(!message.is_empty(), "{shown}");
    }
    Ok(())
}

/// Parses; on success replays (which must not panic either).
fn check_trace(text: &str) -> Result<(), TestCaseError> {
    match synccheck::trace::parse(TRACE_LABEL, text) {
        Err(error) => check_trace_error(&error, TRACE_LABEL),
        Ok(trace) => {
            if let Err(error) = synccheck::catalog::registry().replay_file(TRACE_LABEL, &trace) {
                let shown = error.to_string();
                prop_assert!(shown.starts_with(TRACE_LABEL), "{shown}");
            }
            Ok(())
        }
    }
}

/// A structured edit of a JSON tree: the `nth` node (pre-order) is changed.
#[derive(Clone, Debug)]
enum JsonEdit {
    SetTo(Index, serde_json::Value),
    Remove(Index),
    RenameKey(Index, String),
    SwapKeys(Index, Index),
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(&[0i64, 1, 2, 3, -1, 100_000][..]).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        word().prop_map(Value::String),
        Just(Value::Array(Vec::new())),
        Just(Value::Object(serde_json::Map::new())),
    ]
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        3 => (any::<Index>(), json_value()).prop_map(|(at, v)| JsonEdit::SetTo(at, v)),
        2 => any::<Index>().prop_map(JsonEdit::Remove),
        1 => (any::<Index>(), word()).prop_map(|(at, w)| JsonEdit::RenameKey(at, w)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| JsonEdit::SwapKeys(a, b)),
    ]
}

fn count_nodes(value: &serde_json::Value) -> usize {
    1 + match value {
        serde_json::Value::Array(items) => items.iter().map(count_nodes).sum(),
        serde_json::Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The container holding node `nth` (pre-order, root excluded) and its key/position.
fn edit_child(
    value: &mut serde_json::Value,
    nth: &mut usize,
    edit: &dyn Fn(&mut serde_json::Value, usize),
) -> bool {
    let children = match value {
        serde_json::Value::Array(items) => items.len(),
        serde_json::Value::Object(map) => map.len(),
        _ => 0,
    };
    for position in 0..children {
        if *nth == 0 {
            edit(value, position);
            return true;
        }
        *nth -= 1;
        let child = match value {
            serde_json::Value::Array(items) => &mut items[position],
            serde_json::Value::Object(map) => {
                map.values_mut().nth(position).expect("position < len")
            }
            _ => unreachable!("children > 0 only for containers"),
        };
        if edit_child(child, nth, edit) {
            return true;
        }
    }
    false
}

fn apply_json(root: &mut serde_json::Value, edit: &JsonEdit) {
    use serde_json::Value;
    let nodes = count_nodes(root) - 1;
    if nodes == 0 {
        return;
    }
    let target = |i: &Index| i.index(nodes);
    match edit {
        JsonEdit::SetTo(i, new) => {
            let mut nth = target(i);
            edit_child(root, &mut nth, &|parent, position| match parent {
                Value::Array(items) => items[position] = new.clone(),
                Value::Object(map) => {
                    *map.values_mut().nth(position).expect("position") = new.clone()
                }
                _ => {}
            });
        }
        JsonEdit::Remove(i) => {
            let mut nth = target(i);
            edit_child(root, &mut nth, &|parent, position| match parent {
                Value::Array(items) => {
                    items.remove(position);
                }
                Value::Object(map) => {
                    let key = map.keys().nth(position).expect("position").clone();
                    map.remove(&key);
                }
                _ => {}
            });
        }
        JsonEdit::RenameKey(i, to) => {
            let mut nth = target(i);
            edit_child(root, &mut nth, &|parent, position| {
                if let Value::Object(map) = parent {
                    let key = map.keys().nth(position).expect("position").clone();
                    if let Some(value) = map.remove(&key) {
                        map.insert(to.clone(), value);
                    }
                }
            });
        }
        JsonEdit::SwapKeys(a, b) => {
            // Swaps the values of two keys of the same object (the object holding `a`).
            let mut nth = target(a);
            let other = b.index(usize::MAX);
            edit_child(root, &mut nth, &|parent, position| {
                if let Value::Object(map) = parent {
                    let keys: Vec<String> = map.keys().cloned().collect();
                    let second = keys[other % keys.len()].clone();
                    let first = keys[position].clone();
                    let left = map.get(&first).cloned().unwrap_or(Value::Null);
                    let right = map.get(&second).cloned().unwrap_or(Value::Null);
                    map.insert(first, right);
                    map.insert(second, left);
                }
            });
        }
    }
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 1..4)
}

proptest! {
    #![proptest_config(config(3_000))]

    #[test]
    fn plan_parser_survives_arbitrary_strings(text in any::<String>()) {
        check_plan(&text)?;
    }

    #[test]
    fn plan_parser_survives_token_soup(text in soup()) {
        check_plan(&text)?;
        check_plan(&format!("[[check]]\n{text}"))?;
    }

    #[test]
    fn plan_parser_survives_mutated_catalog_plans(
        plan in prop::sample::select(catalog_plans()),
        edits in edits(),
    ) {
        let bytes = mutated(&plan.1, &edits);
        check_plan(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn trace_parser_survives_arbitrary_strings(text in any::<String>()) {
        check_trace(&text)?;
    }

    #[test]
    fn trace_parser_survives_token_soup(text in soup()) {
        check_trace(&text)?;
    }

    #[test]
    fn trace_parser_and_replay_survive_mutated_traces(
        which in any::<Index>(),
        edits in edits(),
    ) {
        let traces = real_traces();
        let base = &traces[which.index(traces.len())];
        let bytes = mutated(base, &edits);
        check_trace(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn trace_parser_and_replay_survive_structured_edits(
        which in any::<Index>(),
        edits in prop::collection::vec(json_edit(), 1..4),
    ) {
        let traces = real_traces();
        let mut value: serde_json::Value =
            serde_json::from_str(&traces[which.index(traces.len())]).expect("valid JSON");
        for edit in &edits {
            apply_json(&mut value, edit);
        }
        let text = serde_json::to_string_pretty(&value).expect("serializes");
        check_trace(&text)?;
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn trace_load_names_the_path_of_mutated_files(
        which in any::<Index>(),
        edits in edits(),
    ) {
        let traces = real_traces();
        let bytes = mutated(&traces[which.index(traces.len())], &edits);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mutated.trace.json");
        std::fs::write(&path, &bytes).expect("writes");
        match synccheck::trace::load(&path) {
            Err(error) => check_trace_error(&error, &path.display().to_string())?,
            Ok(trace) => {
                let _ = synccheck::catalog::registry().replay_file(&path.display().to_string(), &trace);
            }
        }
    }
}

#[test]
fn the_unmutated_inputs_are_valid() {
    let registry = synccheck::catalog::registry();
    for source in registry.plans() {
        if source.text.contains("[[check]]") {
            synccheck::plan::parse(&source.file, &source.text, &registry)
                .expect("a catalog plan parses");
        }
    }
    for text in real_traces() {
        let trace = synccheck::trace::parse(TRACE_LABEL, text).expect("a real trace parses");
        let outcome = synccheck::catalog::registry()
            .replay_file(TRACE_LABEL, &trace)
            .expect("replays");
        assert!(
            matches!(outcome, synccheck::trace::ReplayOutcome::Reproduced { .. }),
            "{outcome:?}"
        );
    }
}

#[test]
fn load_of_a_missing_file_names_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("absent.trace.json");
    let error = synccheck::trace::load(&path).expect_err("no such file");
    assert!(
        error.to_string().starts_with(&path.display().to_string()),
        "{error}"
    );
}

/// Found by fuzzing: the TOML parser gives no message for a key with no value at the
/// end of the text; the plan error said `fuzz/plan.toml:1:7: ` and nothing more.
#[test]
fn regression_plan_key_without_value_has_a_message() {
    let error = synccheck::plan::parse(PLAN_FILE, "model=", &synccheck::catalog::registry())
        .expect_err("not a plan");
    assert_eq!((error.line, error.column), (1, 7), "{error}");
    assert!(error.message.contains("invalid TOML"), "{error}");
}

/// Found by fuzzing: serde_json reports column 0 at the start of a line (an empty
/// file, a control character right after a newline); trace errors are 1-based.
#[test]
fn regression_trace_errors_have_1_based_columns() {
    for (text, line) in [("", 1), ("{\"model\": \"a\n\"}", 2)] {
        let error = synccheck::trace::parse(TRACE_LABEL, text).expect_err("not a trace");
        let TraceError::Malformed {
            line: found_line,
            column,
            message,
            ..
        } = &error
        else {
            panic!("expected a malformed-trace error: {error}");
        };
        assert_eq!((*found_line, *column), (line, 1), "{error}");
        assert!(
            !message.contains(" at line "),
            "position given twice: {error}"
        );
        assert!(
            error
                .to_string()
                .starts_with(&format!("{TRACE_LABEL}:{line}:1: not a synccheck trace: ")),
            "{error}"
        );
    }
}

/// The catalog's plans as (file, text) pairs.
fn catalog_plans() -> Vec<(String, String)> {
    synccheck::catalog::registry()
        .plans()
        .iter()
        .map(|source| (source.file.clone(), source.text.clone()))
        .collect()
}
