//! The JSON Schemas `synccheck schema KIND` prints describe what it writes: every key
//! of a real report, plan report and trace is a property of its schema, every required
//! one is there, and the plan schema names the keys the plan parser accepts.

use std::process::Output;

mod support;
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
    assert_fits(
        "plan-report",
        &schema_of("plan-report"),
        &json(&plan_report),
    );

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
