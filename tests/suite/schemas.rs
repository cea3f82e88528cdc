//! The JSON Schemas `synccheck schema KIND` prints describe what it writes: every key
//! of a real report, plan report and trace is a property of its schema, every required
//! one is there, the documents validate against their schemas in full (with Python's
//! `jsonschema`, required in CI), the plan schema names the keys the plan parser
//! accepts, and the copies committed under `docs/schemas/` are the printed ones.

use std::process::Output;

use crate::support;
use support::{paused_lease_lock, synccheck};

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn schema_of(kind: &str) -> serde_json::Value {
    let output = synccheck(&["schema", kind]);
    assert_eq!(output.status.code(), Some(0));
    json(&output)
}

#[test]
fn every_schema_is_printed_as_json_schema() {
    for kind in ["report", "plan-report", "trace", "plan"] {
        let printed = schema_of(kind);
        assert!(
            printed["$schema"]
                .as_str()
                .is_some_and(|s| s.contains("json-schema.org")),
            "{kind}: {printed}"
        );
        assert!(printed["properties"].is_object(), "{kind}: {printed}");
    }
    let unknown = synccheck(&["schema", "plans"]);
    assert_eq!(unknown.status.code(), Some(2));
}

/// Every key of `value` is a property of `schema` (top level), and every required
/// property is present.
fn assert_fits(kind: &str, schema: &serde_json::Value, value: &serde_json::Value) {
    let properties = schema["properties"].as_object().expect("properties");
    for key in value.as_object().expect("an object").keys() {
        assert!(
            properties.contains_key(key),
            "{kind}: `{key}` not in the schema"
        );
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let required = required.as_str().expect("a name");
        assert!(
            value.get(required).is_some(),
            "{kind}: required `{required}` missing"
        );
    }
}

#[test]
fn real_documents_fit_their_schemas() {
    let report = synccheck(&paused_lease_lock("check", &["--format", "json"]));
    assert_eq!(report.status.code(), Some(1));
    let report = json(&report);
    assert_fits("report", &schema_of("report"), &report);
    assert_validates("report", &report);
    assert_eq!(report["synccheck_version"], env!("CARGO_PKG_VERSION"));

    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[check]]\nmodel = \"two_phase_commit\"\nparams = { rms = 2 }\nexpect = { consistent = \"holds\" }\n",
    )
    .expect("write plan");
    let plan_report = synccheck(&[
        "check",
        "--plan",
        &plan.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(plan_report.status.code(), Some(0));
    let plan_report = json(&plan_report);
    assert_fits("plan-report", &schema_of("plan-report"), &plan_report);
    assert_validates("plan-report", &plan_report);

    let traces = dir.path().join("traces");
    let saved = synccheck(&paused_lease_lock(
        "check",
        &["--trace-dir", &traces.to_string_lossy()],
    ));
    assert_eq!(saved.status.code(), Some(1));
    let trace_path = std::fs::read_dir(&traces)
        .expect("traces")
        .next()
        .expect("one trace")
        .expect("entry")
        .path();
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(trace_path).expect("read")).expect("JSON");
    assert_fits("trace", &schema_of("trace"), &trace);
    assert_validates("trace", &trace);

    // The plan schema names exactly the keys the plan parser accepts.
    let plan_schema = schema_of("plan");
    let entry = &plan_schema["$defs"]["PlanEntry"]["properties"];
    for key in [
        "name",
        "model",
        "params",
        "hold",
        "relax",
        "relax_all",
        "expect",
        "expect_bounds",
        "max_states",
    ] {
        assert!(entry.get(key).is_some(), "plan key `{key}`: {plan_schema}");
    }
    assert_eq!(
        plan_schema["$defs"]["PlanEntry"]["additionalProperties"],
        false
    );
}

/// Validates `document` against the committed schema of `kind` with Python's
/// `jsonschema` (the validator its `$schema` names); skipped with a note where Python
/// or `jsonschema` is missing, but required in CI.
fn assert_validates(kind: &str, document: &serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("document.json");
    std::fs::write(&path, document.to_string()).expect("document written");
    validate_file(kind, &path, "json.load(open(sys.argv[2]))");
}

/// The first Python that has `jsonschema` and `tomllib` (the one on PATH, else the
/// system's, where `apt-get install python3-jsonschema` puts it).
fn python_with_jsonschema() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        std::process::Command::new(python)
            .args(["-c", "import jsonschema, tomllib"])
            .output()
            .is_ok_and(|r| r.status.success())
    })
}

fn validate_file(kind: &str, path: &std::path::Path, load: &str) {
    let schema = format!(
        "{}/docs/schemas/{kind}.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let script = format!(
        "import json, sys, tomllib, jsonschema\n\
         schema = json.load(open(sys.argv[1]))\n\
         document = {load}\n\
         validator = jsonschema.validators.validator_for(schema)\n\
         validator.check_schema(schema)\n\
         errors = sorted(validator(schema).iter_errors(document), key=str)\n\
         for error in errors:\n    print(list(error.absolute_path), error.message)\n\
         sys.exit(1 if errors else 0)\n"
    );
    let Some(python) = python_with_jsonschema() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with jsonschema (python3-jsonschema) must be installed in CI"
        );
        eprintln!("python3 jsonschema not installed here: {kind} not validated");
        return;
    };
    let result = std::process::Command::new(python)
        .args(["-c", &script, &schema])
        .arg(path)
        .output()
        .expect("python runs");
    assert!(
        result.status.success(),
        "{} does not validate against docs/schemas/{kind}.schema.json:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn every_catalog_plan_validates_against_the_plan_schema() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut plans = Vec::new();
    for family in std::fs::read_dir(format!("{root}/models")).expect("models/") {
        let plan = family.expect("entry").path().join("plan.toml");
        if plan.exists() {
            plans.push(plan);
        }
    }
    plans.push(format!("{root}/examples/user_cli/plan.toml").into());
    assert!(plans.len() >= 4, "{plans:?}");
    for plan in plans {
        validate_file("plan", &plan, "tomllib.load(open(sys.argv[2], 'rb'))");
    }
}

#[test]
fn the_committed_schemas_are_the_printed_ones() {
    for kind in ["report", "plan-report", "trace", "plan"] {
        let path = format!(
            "{}/docs/schemas/{kind}.schema.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let committed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("committed schema"))
                .expect("JSON");
        assert_eq!(
            committed,
            schema_of(kind),
            "docs/schemas/{kind}.schema.json is stale: run `synccheck schema {kind} > docs/schemas/{kind}.schema.json`"
        );
    }
}
