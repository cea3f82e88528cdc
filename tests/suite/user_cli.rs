//! A user's own protocol through the public entry point: `examples/user_cli` registers
//! `heartbeat_detector` (not in the catalog) and its plan, and its binary is the whole
//! synccheck command line. Each subcommand is driven as a user would, with the
//! documented exit codes (0 met/holds, 1 violated/unmet, 2 bad input).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The example's binary, beside this test's (`target/<profile>/examples/user_cli`).
/// `cargo test` builds it (`scripts/test-all.sh`), but `cargo test --all-targets` or
/// `--test suite` builds it only as a test harness or not at all, so the binary is
/// built here, once per test process (a no-op when it is up to date): an existing one
/// may be stale.
fn binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("the test binary has a path");
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("target/<profile>/deps/<test>")
                .to_path_buf();
            let mut build = Command::new(env!("CARGO"));
            build
                .args(["build", "--quiet", "--example", "user_cli"])
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if !cfg!(debug_assertions) {
                build.arg("--release");
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "building examples/user_cli");
            profile_dir
                .join("examples")
                .join(format!("user_cli{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

fn user_cli(args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SYNCCHECK_NO_PROGRESS", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("the example runs")
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Each property's name, verdict and counterexample length in a JSON report: what two
/// searches of one space must agree on.
fn outcome(report: &serde_json::Value) -> Vec<(String, String, Option<u64>)> {
    report["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .map(|p| {
            (
                p["name"].to_string(),
                p["verdict"].to_string(),
                p["counterexample"]["length"].as_u64(),
            )
        })
        .collect()
}

/// The JSON report of `check heartbeat_detector`, `args` and `more`, which exits 1.
fn violated_report(args: &[&str], more: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "heartbeat_detector"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    all.extend_from_slice(more);
    serde_json::from_str(&assert_exit(&user_cli(&all), 1)).expect("a JSON report")
}

#[test]
fn list_shows_the_users_model_and_only_it() {
    let out = assert_exit(&user_cli(&["list"]), 0);
    assert!(
        out.contains("heartbeat_detector [failure_detection]"),
        "{out}"
    );
    assert!(out.contains("param timeout_ticks=4 (1..=16)"), "{out}");
    assert!(out.contains("leans on bounded_delay(1)"), "{out}");
    assert!(!out.contains("fenced_lease_lock"), "{out}");
    let error = user_cli(&["check", "fenced_lease_lock"]);
    assert_exit(&error, 2);
    let stderr = String::from_utf8_lossy(&error.stderr);
    assert!(
        stderr.contains("valid models: heartbeat_detector"),
        "{stderr}"
    );
}

#[test]
fn check_holds_with_timing_held_and_breaks_without_it() {
    let out = assert_exit(&user_cli(&["check", "heartbeat_detector"]), 0);
    assert!(out.contains("no_false_suspicion"), "{out}");
    assert!(out.contains("holds"), "{out}");
    let json = assert_exit(
        &user_cli(&[
            "check",
            "heartbeat_detector",
            "--relax",
            "bounded_delay",
            "--format",
            "json",
        ]),
        1,
    );
    let report: serde_json::Value = serde_json::from_str(&json).expect("a JSON report");
    assert_eq!(report["model"], "heartbeat_detector");
    let violated = report["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .find(|p| p["name"] == "no_false_suspicion")
        .expect("declared");
    assert_eq!(violated["verdict"], "violated");
    assert!(violated["counterexample"]["length"].as_u64() > Some(0));
}

/// A user's model that declares `MESSAGE_SET` gets the message set through its own
/// CLI: the report says so, with fewer states and the verdicts and counterexample
/// length of the multiset network (`--no-lean`).
#[test]
fn the_users_model_runs_on_the_message_set_when_it_opts_in() {
    let report = |more: &[&str]| violated_report(&["--relax-all"], more);
    let (set, multiset) = (report(&[]), report(&["--no-lean"]));
    assert_eq!(set["network"], "message set");
    assert!(multiset.get("network").is_none());
    assert_eq!(outcome(&set), outcome(&multiset));
    // Measured: 66 states on the message set (guided by drift classes; 78 unguided; 151
    // and 193 before subsumption counted the late timers), 852 on the multiset network
    // (`--no-lean`: no subsumption), each search stopping at depth 7 once every
    // property is decided (deadlock freedom is settled by the relaxed delay); the whole
    // spaces, without subsumption, are 232 and 1 700 states.
    assert_eq!(set["stop_reason"], "all_decided");
    assert_eq!(set["stats"]["unique_states"], 66);
    assert_eq!(multiset["stats"]["unique_states"], 852);
}

#[test]
fn saved_traces_replay_and_render() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let dir_text = dir.path().display().to_string();
    let saved = assert_exit(
        &user_cli(&[
            "check",
            "heartbeat_detector",
            "--relax",
            "timely_timers",
            "--trace-dir",
            &dir_text,
        ]),
        1,
    );
    let traces: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("the trace dir")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    assert_eq!(traces.len(), 1, "{traces:?}");
    let trace = traces[0].display().to_string();
    let text = std::fs::read_to_string(&traces[0]).expect("the trace");
    assert!(text.contains("\"model\": \"heartbeat_detector\""), "{text}");
    // The printed commands name the binary that registers the model, not `synccheck`.
    assert!(
        saved.contains(&format!("replay: user_cli replay {trace}")),
        "{saved}"
    );
    let replayed = assert_exit(&user_cli(&["replay", &trace]), 0);
    assert!(replayed.starts_with("reproduced"), "{replayed}");
    let chart = assert_exit(&user_cli(&["show", &trace, "--as", "mermaid"]), 0);
    assert!(chart.contains("sequenceDiagram"), "{chart}");
    assert!(chart.contains("monitor"), "{chart}");
}

#[test]
fn check_all_runs_the_users_plan_and_writes_junit() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let junit = dir.path().join("junit.xml");
    let junit_text = junit.display().to_string();
    let summary = assert_exit(&user_cli(&["check", "--all", "--junit", &junit_text]), 0);
    assert!(summary.contains("heartbeat late delivery"), "{summary}");
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    assert!(xml.contains("heartbeat short timeout"), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
}

#[test]
fn an_unmet_expectation_in_the_users_plan_exits_1() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[check]]\nname = \"wrong\"\nmodel = \"heartbeat_detector\"\nrelax = [\"bounded_delay\"]\nexpect = { no_false_suspicion = \"holds\" }\n",
    )
    .expect("plan written");
    let out = assert_exit(
        &user_cli(&["check", "--plan", &plan.display().to_string()]),
        1,
    );
    assert!(out.contains("wrong"), "{out}");
    std::fs::write(&plan, "[[check]]\nmodel = \"nope\"\n").expect("plan written");
    assert_exit(
        &user_cli(&["check", "--plan", &plan.display().to_string()]),
        2,
    );
}

#[test]
fn assumptions_and_graph_work_on_the_users_model() {
    let out = assert_exit(&user_cli(&["assumptions", "heartbeat_detector"]), 0);
    assert!(out.contains("bounded_delay"), "{out}");
    let graph = assert_exit(
        &user_cli(&["graph", "heartbeat_detector", "--as", "json"]),
        0,
    );
    let value: serde_json::Value = serde_json::from_str(&graph).expect("graph JSON");
    assert!(value.is_object(), "{graph}");
    // The flags that choose the space reach a user's model through the same registry
    // path; `heartbeat_detector` does not opt in to the lean state, so the graph is
    // the same.
    let full = assert_exit(
        &user_cli(&["graph", "heartbeat_detector", "--as", "json", "--no-lean"]),
        0,
    );
    assert_eq!(full, graph);
    let out = assert_exit(
        &user_cli(&[
            "assumptions",
            "heartbeat_detector",
            "--no-lean",
            "--no-symmetry",
        ]),
        0,
    );
    assert!(out.contains("bounded_delay"), "{out}");
}

/// A user's model that declares `LEAN_STATE` gets subsumption through its own CLI
/// (with the delay held, a state whose heartbeats are younger covers an older one),
/// after the audit of its claim passed: fewer states, the verdicts and lengths of
/// `--no-subsumption`.
#[test]
fn the_users_model_gets_subsumption_when_it_declares_lean_state() {
    let report = |more: &[&str]| violated_report(&["--hold", "bounded_delay=4"], more);
    let (subsumed, every) = (report(&[]), report(&["--no-subsumption"]));
    assert_eq!(outcome(&subsumed), outcome(&every));
    assert_eq!(
        (
            &subsumed["stats"]["unique_states"],
            &subsumed["stats"]["subsumed_states"]
        ),
        (&serde_json::json!(68), &serde_json::json!(9))
    );
    assert_eq!(every["stats"]["unique_states"], 86);
    // The audit's size is the user's to set; a bad one is bad input.
    assert_eq!(report(&["--lean-audit", "0"])["stats"]["unique_states"], 68);
    let bad = user_cli(&["check", "heartbeat_detector", "--lean-audit", "many"]);
    assert_exit(&bad, 2);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("--lean-audit"), "{stderr}");
}

/// The user's binary names itself, not `synccheck`, wherever a command is printed to
/// be run or installed: usage, `--version`, completions, the man page, and the
/// `explore` command an Explorer link prints.
#[test]
fn the_users_binary_names_itself() {
    let version = assert_exit(&user_cli(&["--version"]), 0);
    assert_eq!(
        version.trim(),
        format!("user_cli (synccheck {})", env!("CARGO_PKG_VERSION"))
    );
    let help = assert_exit(&user_cli(&["--help"]), 0);
    assert!(help.contains("Usage: user_cli "), "{help}");
    // Its help too: the commands it names, and what `--all` runs (its own plans).
    let check = assert_exit(&user_cli(&["check", "--help"]), 0);
    assert!(!check.contains("synccheck"), "{check}");
    assert!(!check.contains("catalog"), "{check}");
    assert!(check.contains("(see `user_cli list`)"), "{check}");
    assert!(
        check.contains("Run the plans this binary registers"),
        "{check}"
    );
    let merge = assert_exit(&user_cli(&["merge", "--help"]), 0);
    assert!(!merge.contains("`synccheck "), "{merge}");
    let bash = assert_exit(&user_cli(&["completions", "bash"]), 0);
    assert!(bash.contains("complete -F _user_cli"), "{bash}");
    assert!(!bash.contains("synccheck"), "{bash}");
    // It completes its own models' names, not the catalog's.
    assert!(bash.contains("heartbeat_detector"), "{bash}");
    assert!(!bash.contains("primary_backup"), "{bash}");
    let man = assert_exit(&user_cli(&["man"]), 0);
    assert!(man.contains(".TH user_cli"), "{man}");
    let output = user_cli(&[
        "check",
        "heartbeat_detector",
        "--relax",
        "bounded_delay",
        "--explorer-link",
    ]);
    assert_exit(&output, 1);
    let links = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        links.contains("serve it with: user_cli explore heartbeat_detector"),
        "{links}"
    );
}
