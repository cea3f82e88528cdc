//! Sharding a plan and merging the shards' reports gives the unsharded verdicts.

use std::process::{Command, Output};

fn synccheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synccheck"))
        .args(args)
        .env("SYNCCHECK_NO_PROGRESS", "1")
        .output()
        .expect("the binary runs")
}

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
}
