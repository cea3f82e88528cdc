//! Sharding a plan and merging the shards' reports gives the unsharded verdicts.

use crate::support;
use support::synccheck;

fn verdicts(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .flat_map(|check| {
            let name = check["name"].as_str().unwrap_or_default().to_string();
            check["expectations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |e| {
                    (
                        name.clone(),
                        e["property"].as_str().unwrap_or_default().to_string(),
                        e["actual"].as_str().unwrap_or_default().to_string(),
                    )
                })
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn three_shards_merge_to_the_unsharded_verdicts() {
    let plan = "models/retry/plan.toml";
    let whole = synccheck(&["check", "--plan", plan, "--format", "json"]);
    assert_eq!(whole.status.code(), Some(0));
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout).expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    let mut sizes = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let output = synccheck(&[
            "check", "--plan", plan, "--shard", shard, "--format", "json",
        ]);
        assert_eq!(output.status.code(), Some(0), "shard {shard}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        sizes.push(report["checks"].as_array().map(Vec::len).unwrap_or(0));
        let path = dir
            .path()
            .join(format!("shard-{}.json", shard.replace('/', "-")));
        std::fs::write(&path, &output.stdout).expect("write");
        paths.push(path.to_string_lossy().into_owned());
    }
    let total = whole["checks"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(
        sizes.iter().sum::<usize>(),
        total,
        "every check runs in exactly one shard"
    );
    assert!(
        sizes.iter().filter(|s| **s > 0).count() >= 2,
        "the split is not degenerate: {sizes:?}"
    );
    let mut args = vec!["merge", "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let merged = synccheck(&args);
    assert_eq!(merged.status.code(), Some(0));
    let merged: serde_json::Value = serde_json::from_slice(&merged.stdout).expect("JSON");
    assert_eq!(merged["met"], true);
    assert_eq!(verdicts(&merged), verdicts(&whole));
    // The checks in plan order, as the unsharded run lists them (not by name).
    let names = |report: &serde_json::Value| -> Vec<String> {
        (report["checks"].as_array().expect("checks").iter())
            .map(|check| check["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let mut sorted = names(&whole);
    sorted.sort();
    assert_ne!(sorted, names(&whole), "the plan is not in name order");
    assert_eq!(names(&merged), names(&whole));
}

#[test]
fn a_shard_of_a_failing_plan_fails_the_merge() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, "[[check]]\nname = \"wrong on purpose\"\nmodel = \"two_phase_commit\"\nparams = { rms = 2 }\nexpect = { consistent = \"violated\" }\n").expect("write");
    let output = synccheck(&[
        "check",
        "--plan",
        &plan.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report = dir.path().join("report.json");
    std::fs::write(&report, &output.stdout).expect("write");
    let merged = synccheck(&["merge", &report.to_string_lossy()]);
    assert_eq!(merged.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&merged.stdout).contains("MISMATCH"));
}

#[test]
fn bad_shards_and_reports_are_usage_errors() {
    for shard in ["0/3", "4/3", "x", "1/0"] {
        let output = synccheck(&["check", "--all", "--shard", shard]);
        assert_eq!(output.status.code(), Some(2), "{shard}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("expected I/N"),
            "{shard}"
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"schema_version\": 1,").expect("write");
    let output = synccheck(&["merge", &junk.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a synccheck plan report"));
    // Cut just after a newline: the position is 1-based (line 2, column 1, as `replay`
    // says of a trace), and named once.
    std::fs::write(&junk, "{\"schema_version\": 1\n").expect("write");
    let output = synccheck(&["merge", &junk.to_string_lossy()]);
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message
            .contains("junk.json:2:1: not a synccheck plan report: EOF while parsing an object\n"),
        "{message}"
    );
    assert!(!message.contains("column"), "{message}");
    // A plan (TOML) given to merge: said so.
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, SMALL_PLAN).expect("write");
    let output = synccheck(&["merge", &plan.to_string_lossy()]);
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("(the file is TOML, not JSON: a plan?)"),
        "{message}"
    );
    // Another kind of document: said which, and what `merge` takes.
    let report = dir.path().join("report.json");
    let output = synccheck(&["check", "two_phase_commit", "--format", "json"]);
    std::fs::write(&report, &output.stdout).expect("write");
    let output = synccheck(&["merge", &report.to_string_lossy()]);
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains(
            "report.json: this is a check report (`check MODEL --format json`), not a plan report: `merge` takes"
        ),
        "{message}"
    );
}

const SMALL_PLAN: &str = "[[check]]\nname = \"tpc 2\"\nmodel = \"two_phase_commit\"\nparams = { rms = 2 }\nexpect = { consistent = \"holds\" }\n\n[[check]]\nname = \"tpc 3\"\nmodel = \"two_phase_commit\"\nparams = { rms = 3 }\nexpect = { consistent = \"holds\" }\n\n[[check]]\nname = \"tpc 2 again\"\nmodel = \"two_phase_commit\"\nparams = { rms = 2 }\nexpect = { consistent = \"holds\" }\n";

/// Runs every shard of `plan_text` split in `count`; the report paths, in shard order.
fn shard_reports(dir: &std::path::Path, tag: &str, plan_text: &str, count: u64) -> Vec<String> {
    let plan = dir.join(format!("{tag}.toml"));
    std::fs::write(&plan, plan_text).expect("write");
    (1..=count)
        .map(|index| {
            let shard = format!("{index}/{count}");
            let output = synccheck(&[
                "check",
                "--plan",
                &plan.to_string_lossy(),
                "--shard",
                &shard,
                "--format",
                "json",
            ]);
            assert_eq!(output.status.code(), Some(0), "shard {shard}");
            let path = dir.join(format!("{tag}-{index}.json"));
            std::fs::write(&path, &output.stdout).expect("write");
            path.to_string_lossy().into_owned()
        })
        .collect()
}

fn merge_fails_with(paths: &[&str], expected: &str) {
    let mut args = vec!["merge"];
    args.extend(paths);
    let output = synccheck(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{paths:?}: {stderr}");
    assert!(stderr.contains(expected), "{paths:?}: {stderr}");
}

#[test]
fn merge_refuses_a_missing_a_duplicated_and_a_foreign_shard() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = shard_reports(dir.path(), "a", SMALL_PLAN, 3);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&a[0]).expect("read")).expect("JSON");
    assert_eq!(report["shard"]["index"], 1);
    assert_eq!(report["shard"]["count"], 3);
    assert_eq!(
        report["shard"]["plan_checks"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(report["shard"]["plan_id"].as_str().map(str::len), Some(16));
    let all: Vec<&str> = a.iter().map(String::as_str).collect();
    let merged = synccheck(&[["merge"].as_slice(), &all].concat());
    assert_eq!(merged.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&merged.stdout).contains("3 of 3 expectations met"));
    merge_fails_with(
        &all[1..],
        "error: shard 1/3 missing: the merge would lose its checks",
    );
    merge_fails_with(&all[2..], "error: shards 1/3, 2/3 missing");
    merge_fails_with(
        &[all[0], all[1], all[1], all[2]],
        "shard 2/3 is given twice",
    );
    // Another plan (one check renamed) split the same way.
    let b = shard_reports(dir.path(), "b", &SMALL_PLAN.replace("again", "bis"), 3);
    merge_fails_with(&[all[0], all[1], &b[2]], "different plans");
}

#[test]
fn merge_refuses_a_check_reported_twice_or_never() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = shard_reports(dir.path(), "c", SMALL_PLAN, 1);
    let text = std::fs::read_to_string(&paths[0]).expect("read");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let edited = |checks: serde_json::Value, name: &str| {
        let mut copy = report.clone();
        copy["checks"] = checks;
        let path = dir.path().join(name);
        std::fs::write(&path, copy.to_string()).expect("write");
        path.to_string_lossy().into_owned()
    };
    let mut checks = report["checks"].as_array().cloned().expect("checks");
    checks.push(checks[0].clone());
    let twice = edited(serde_json::Value::Array(checks.clone()), "twice.json");
    merge_fails_with(&[&twice], "is reported twice");
    checks.truncate(2);
    let never = edited(serde_json::Value::Array(checks.clone()), "never.json");
    merge_fails_with(&[&never], "is in no report");
    // Outcomes that do not follow from what the report records: a merge that believed
    // `met` would turn a failing shard green.
    let contradicting = |pointer: &str, value: serde_json::Value, name: &str| {
        let mut copy = report["checks"].clone();
        *copy.pointer_mut(pointer).expect("the edited field") = value;
        edited(copy, name)
    };
    let flipped = contradicting(
        "/1/expectations/0/actual",
        "violated".into(),
        "flipped.json",
    );
    merge_fails_with(
        &[&flipped],
        "flipped.json: check `tpc 3`: /checks/1/expectations/0: `met` is true with expected holds and actual violated; the report contradicts itself",
    );
    let lied = contradicting("/0/expectations/0/met", false.into(), "lied.json");
    merge_fails_with(
        &[&lied],
        "`met` is false with expected holds and actual holds",
    );
    let unreported = contradicting(
        "/2/report/properties/0/verdict",
        "violated".into(),
        "unreported.json",
    );
    merge_fails_with(
        &[&unreported],
        "check `tpc 2 again`: /checks/2/expectations/0: `actual` is holds but its report finds `consistent` violated",
    );
}
