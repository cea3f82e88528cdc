//! Ctrl-C during a long check: the partial report (marked incomplete) is printed and
//! the exit code is 3, for a single check (human and JSON) and for a plan.
#![cfg(unix)]

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support;
use support::text;

/// How long the check runs before the signal.
const RUN_BEFORE_SIGNAL: Duration = Duration::from_millis(1_500);
/// How long a cancelled run may take to report and exit.
const EXIT_WITHIN: Duration = Duration::from_secs(30);

fn spawn(args: &[&str]) -> Child {
    support::command()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Sends SIGINT after `RUN_BEFORE_SIGNAL` and collects the output; fails if the
/// process ended on its own before the signal (the check was not long enough).
fn interrupt(args: &[&str]) -> Output {
    signal("-INT", args)
}

/// Sends `signal` (a `kill` option) after `RUN_BEFORE_SIGNAL`; see [`interrupt`].
fn signal(signal: &str, args: &[&str]) -> Output {
    let mut child = spawn(args);
    let started = Instant::now();
    std::thread::sleep(RUN_BEFORE_SIGNAL);
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "{args:?} finished before the signal: pick a longer check"
    );
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {signal} failed");
    // Drain the pipes on threads so a large report cannot block the child.
    let mut stdout = child.stdout.take().expect("stdout piped");
    let mut stderr = child.stderr.take().expect("stderr piped");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).expect("reads stdout");
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).expect("reads stderr");
        bytes
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > RUN_BEFORE_SIGNAL + EXIT_WITHIN {
            let _ = child.kill();
            panic!("{args:?} did not stop within {EXIT_WITHIN:?} of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    }
}

/// The full system alone, unreduced: on drift classes (the default) this check ends in
/// about a second, and a cancelled one may already report `no_lost_increment` holding
/// there; subsumption, counting its late timers, ends it in about one too.
const LONG_CHECK: &[&str] = &[
    "check",
    "fenced_lease_lock",
    "--set",
    "variant=all",
    "--relax-all",
    "--no-drift-classes",
    "--no-subsumption",
    "--threads",
    "2",
];

#[test]
fn ctrl_c_prints_the_partial_report_and_exits_3() {
    let output = interrupt(LONG_CHECK);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("stopped: cancelled"), "{stdout}");
    assert!(stdout.contains("unknown"), "{stdout}");
    // A cancelled search proves nothing; with the delay relaxed, deadlock freedom is
    // settled by the engine's rules, not by the search, and says so.
    for line in stdout.lines().filter(|line| line.contains(" holds")) {
        assert!(
            line.starts_with("deadlock_free") && line.contains("holds (without search:"),
            "a cancelled run proves nothing: {stdout}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn ctrl_c_with_json_reports_incomplete_and_cancelled() {
    let mut args = LONG_CHECK.to_vec();
    args.extend(["--format", "json"]);
    let output = interrupt(&args);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(3),
        "{stdout}{}",
        text(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(
        report["complete"],
        serde_json::Value::Bool(false),
        "{stdout}"
    );
    assert_eq!(report["stop_reason"], "cancelled", "{stdout}");
    let properties = report["properties"].as_array().expect("properties");
    assert!(!properties.is_empty());
    assert!(report["deadlock_free_by"].is_string(), "{stdout}");
    for property in properties {
        if property["name"] != "deadlock_free" {
            assert_ne!(property["verdict"], "holds", "{property}");
        }
        assert_ne!(property["verdict"], "unreached", "{property}");
    }
    let states = report["stats"]["unique_states"].as_u64().expect("a count");
    assert!(states > 0, "the partial report counts the states explored");
}

#[test]
fn ctrl_c_during_a_plan_prints_the_summary_and_exits_3() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("long.toml");
    let check = "[[check]]\nmodel = \"fenced_lease_lock\"\nparams = { variant = \"all\" }\nrelax_all = true\nexpect = { no_lost_increment = \"holds\" }\n";
    std::fs::write(
        &plan,
        format!(
            "{check}name = \"first long check\"\n\n{check}name = \"second long check\"\n\n\
             {check}name = \"third long check\"\n"
        ),
    )
    .expect("writes the plan");
    let plan = plan.display().to_string();
    let output = interrupt(&[
        "check",
        "--plan",
        &plan,
        "--no-drift-classes",
        "--no-subsumption",
        "--threads",
        "2",
    ]);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    // Two threads: the first two checks run side by side, both cancelled; the third
    // is never started.
    assert!(stdout.contains("first long check"), "{stdout}");
    assert!(stdout.contains("second long check"), "{stdout}");
    assert!(stdout.contains("unknown"), "{stdout}");
    assert!(
        !stdout.contains("third long check"),
        "the third check must not run after Ctrl-C: {stdout}"
    );
    assert!(
        stdout
            .contains("stopped: cancelled (Ctrl-C or SIGTERM): incomplete, 1 of 3 checks not run"),
        "the summary says why it stopped: {stdout}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn sigterm_during_a_plan_writes_the_partial_report_and_junit_and_exits_3() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("long.toml");
    let check = "[[check]]\nmodel = \"fenced_lease_lock\"\nparams = { variant = \"all\" }\nrelax_all = true\nexpect = { no_lost_increment = \"holds\" }\n";
    std::fs::write(
        &plan,
        format!(
            "{check}name = \"first long check\"\n\n{check}name = \"second long check\"\n\n\
             {check}name = \"third long check\"\n"
        ),
    )
    .expect("writes the plan");
    let plan = plan.display().to_string();
    let junit = dir.path().join("junit.xml");
    let junit_text = junit.display().to_string();
    let output = signal(
        "-TERM",
        &[
            "check",
            "--plan",
            &plan,
            "--no-drift-classes",
            "--no-subsumption",
            "--threads",
            "2",
            "--junit",
            &junit_text,
        ],
    );
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout
            .contains("stopped: cancelled (Ctrl-C or SIGTERM): incomplete, 1 of 3 checks not run"),
        "{stdout}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let xml = std::fs::read_to_string(&junit).expect("JUnit written after SIGTERM");
    assert!(
        xml.contains("<testsuite name=\"first long check\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuite name=\"third long check\""),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<skipped message=\"not run: the plan was cancelled before this check started\""
        ),
        "the check not run is skipped: {xml}"
    );
}
