//! What the tests that run the `synccheck` binary share: its command, a run to the
//! end, its output as text, a refused request, a plan file. A test file takes it with
//! `use crate::support;` and uses what it needs (hence `dead_code` allowed here).
#![allow(dead_code)]

pub mod one_message;

use std::process::{Command, Output};

/// The `synccheck` binary's command, with progress lines off (stderr stays readable).
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_synccheck"));
    command.env("SYNCCHECK_NO_PROGRESS", "1");
    command
}

/// Runs `synccheck ARGS` to the end.
pub fn synccheck(args: &[&str]) -> Output {
    command().args(args).output().expect("the binary runs")
}

/// The arguments of `VERB` on C1, the catalog's worked example (`fenced_lease_lock`
/// fencing writes only, `bounded_pause` relaxed: violated in 22 steps), then `more`.
pub fn paused_lease_lock<'a>(verb: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![verb, "fenced_lease_lock", "--set", "variant=writes"];
    args.extend(["--relax", "bounded_pause"]);
    args.extend_from_slice(more);
    args
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A run's stdout as text.
pub fn stdout(output: &Output) -> String {
    text(&output.stdout)
}

/// A run's stderr as text.
pub fn stderr(output: &Output) -> String {
    text(&output.stderr)
}

/// Runs `synccheck ARGS` (with `--format json` among them), asserts its exit code, and
/// returns the JSON report it printed.
#[track_caller]
pub fn json_report(args: &[&str], code: i32) -> serde_json::Value {
    let output = synccheck(args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: {}",
        stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).expect("a JSON report")
}

/// Asserts that `synccheck ARGS` is refused as bad input: exit code 2, every fragment
/// in the message on stderr, and no panic.
#[track_caller]
pub fn assert_usage_error(args: &[&str], fragments: &[&str]) {
    let output = synccheck(args);
    let message = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
    for fragment in fragments {
        assert!(
            message.contains(fragment),
            "{args:?}: `{fragment}` missing from: {message}"
        );
    }
    assert!(!message.contains("panicked"), "{args:?}: {message}");
}

/// Writes `text` to `plan.toml` in a new temporary directory; returns the directory
/// (removed when dropped) and the plan's path.
pub fn write_plan(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.toml");
    std::fs::write(&path, text).expect("write plan");
    let path = path.to_string_lossy().into_owned();
    (dir, path)
}

/// A JSON counterexample's breaks as `(assumption, necessity)` pairs, in trace order
/// (`"absent"` where a break carries no necessity).
pub fn break_necessities(trace: &serde_json::Value) -> Vec<(&str, &str)> {
    trace["breaks"]
        .as_array()
        .expect("a trace has breaks")
        .iter()
        .map(|b| {
            (
                b["assumption"].as_str().unwrap_or("?"),
                b["necessity"].as_str().unwrap_or("absent"),
            )
        })
        .collect()
}
