//! What CI and terminals read from synccheck: GitHub workflow commands (parsed by
//! GitHub's documented rules), the job summary, JUnit validated against the Jenkins
//! schema (`tests/data/jenkins-junit.xsd`, with xmllint), progress on a terminal and
//! heartbeat lines in a log, and closed pipes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support;
use support::{text, write_plan};

fn synccheck() -> Command {
    let mut command = support::command();
    command
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
    command
}

/// A plan: one check met, one unmet with a name full of characters that need escaping
/// (line 7), one stopped by its state limit (line 14).
const PLAN: &str = r#"[[check]]
name = "met"
model = "two_phase_commit"
params = { rms = 2 }
expect = { consistent = "holds" }

[[check]]
name = "lease: writes, <b>only</b> | pause"
model = "fenced_lease_lock"
params = { variant = "writes" }
relax = ["bounded_pause"]
expect = { no_lost_increment = "holds", both_incremented = "reached" }

[[check]]
name = "cut short"
model = "fenced_lease_lock"
params = { variant = "all" }
relax_all = true
max_states = 200
expect = { no_lost_increment = "holds" }
"#;

/// A workflow command as GitHub's runner parses it: `::name k=v,k=v::message`, the
/// properties split at `,` and the first `=`, property values unescaped for `%25`,
/// `%0D`, `%0A`, `%3A`, `%2C`, the message for `%25`, `%0D`, `%0A` only.
#[derive(Debug)]
struct WorkflowCommand {
    name: String,
    properties: BTreeMap<String, String>,
    message: String,
}

fn unescape(text: &str, property: bool) -> String {
    let mut pairs = vec![("%0D", "\r"), ("%0A", "\n")];
    if property {
        pairs.extend([("%3A", ":"), ("%2C", ",")]);
    }
    let mut out = text.to_string();
    for (escaped, plain) in pairs {
        out = out.replace(escaped, plain);
    }
    // `%25` last, so an escaped `%` never starts another escape.
    out.replace("%25", "%")
}

fn parse_commands(output: &str) -> Vec<WorkflowCommand> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("::"))
        .map(|rest| {
            let (head, message) = rest.split_once("::").expect("`::` ends the properties");
            let (name, properties) = head.split_once(' ').unwrap_or((head, ""));
            let properties = properties
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (key, value) = p.split_once('=').expect("key=value");
                    (key.to_string(), unescape(value, true))
                })
                .collect();
            WorkflowCommand {
                name: name.to_string(),
                properties,
                message: unescape(message, false),
            }
        })
        .collect()
}

/// Validates JUnit XML with xmllint against the Jenkins schema; skipped (with a note)
/// where xmllint is missing, but required in CI.
fn assert_valid_junit(path: &Path) {
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/jenkins-junit.xsd");
    let result = Command::new("xmllint")
        .args(["--noout", "--schema", schema])
        .arg(path)
        .output();
    let Ok(result) = result else {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmllint (libxml2-utils) must be installed in CI"
        );
        eprintln!("xmllint not installed here: JUnit not validated");
        return;
    };
    assert!(
        result.status.success(),
        "{} does not validate against the Jenkins schema: {}",
        path.display(),
        text(&result.stderr)
    );
}

/// Every `<testcase ...>` start tag of a JUnit file, as attribute maps.
fn testcases(xml: &str) -> Vec<BTreeMap<String, String>> {
    elements(xml, b"testcase")
}

/// The attributes of every element named `name`, in document order.
fn elements(xml: &str, name: &[u8]) -> Vec<BTreeMap<String, String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == name => {
                cases.push(
                    e.attributes()
                        .map(|a| {
                            let a = a.expect("attribute parses");
                            (
                                text(a.key.as_ref()),
                                a.unescape_value().expect("unescapes").into_owned(),
                            )
                        })
                        .collect(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    cases
}

#[test]
fn github_annotations_summary_and_junit_of_a_plan_and_of_its_merge() {
    let (dir, plan) = write_plan(PLAN);
    let summary = dir.path().join("summary.md");
    let junit = dir.path().join("junit.xml");
    let output = synccheck()
        .args(["check", "--plan", &plan, "--format", "json", "--junit"])
        .arg(&junit)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));

    // Annotations (on stderr, since stdout is JSON), attached to each check's line.
    let commands = parse_commands(&text(&output.stderr));
    assert_eq!(commands.len(), 2, "{commands:?}");
    let unmet = &commands[0];
    assert_eq!(unmet.name, "error");
    assert_eq!(unmet.properties["file"], plan);
    assert_eq!(unmet.properties["line"], "7");
    assert_eq!(unmet.properties["col"], "1");
    assert_eq!(
        unmet.properties["title"],
        "synccheck: lease: writes, <b>only</b> | pause"
    );
    assert_eq!(
        unmet.message,
        "`no_lost_increment` expected holds, found violated (counterexample: 22 steps)"
    );
    let cut = &commands[1];
    assert_eq!(cut.properties["line"], "14");
    assert_eq!(
        cut.message,
        "`no_lost_increment` expected holds, found unknown"
    );

    // The summary: escaped cells, what went wrong first, expected things folded.
    let markdown = std::fs::read_to_string(&summary).expect("summary written");
    assert!(
        markdown.contains("2 of 4 expectations met in 3 checks."),
        "{markdown}"
    );
    assert!(markdown.contains("### Not as expected"), "{markdown}");
    assert!(
        markdown.contains("| lease: writes, &lt;b&gt;only&lt;/b&gt; \\| pause | <code>no_lost_increment</code> | holds | violated ❌ |"),
        "{markdown}"
    );
    assert!(
        !markdown.contains("<b>only"),
        "HTML passes through: {markdown}"
    );
    assert!(
        markdown
            .contains("unexpected counterexample for <code>no_lost_increment</code> (22 steps)"),
        "{markdown}"
    );
    assert_eq!(markdown.matches("```mermaid").count(), 1, "{markdown}");
    // Every row of a Markdown table has as many cells as its header: no `|` leaks.
    for line in markdown.lines().filter(|l| l.starts_with("| ")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells == 5 || cells == 6, "a broken table row: {line}");
    }

    // JUnit: valid for Jenkins, a time on every case, `unknown` once.
    assert_valid_junit(&junit);
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(!xml.contains("time=\"-"), "{xml}");
    let cases = testcases(&xml);
    assert_eq!(cases.len(), 5, "{xml}");
    for case in &cases {
        assert!(
            case.contains_key("time"),
            "a testcase without time: {case:?}"
        );
    }
    assert_eq!(xml.matches("<failure").count(), 2, "{xml}");
    assert_eq!(xml.matches("type=\"unknown\"").count(), 1, "{xml}");
    assert_eq!(xml.matches("<skipped").count(), 1, "{xml}");
    // Held assumptions as `--hold` takes them: a bound only where one is taken.
    let held: Vec<String> = elements(&xml, b"property")
        .into_iter()
        .filter(|p| p.get("name").map(String::as_str) == Some("held"))
        .filter_map(|p| p.get("value").cloned())
        .collect();
    assert!(!held.is_empty(), "{xml}");
    let specs: Vec<&str> = held.iter().flat_map(|h| h.split_whitespace()).collect();
    assert!(specs.contains(&"reliable_links"), "{held:?}");
    for spec in specs {
        let assumption = synccheck::system::Assumption::of_spec(spec).expect("an assumption");
        assert_eq!(
            spec.contains('='),
            assumption.takes_bound(),
            "{spec} in {held:?}"
        );
    }

    // `merge` of the report: the same annotations on stdout, a summary, exit 1.
    let report = dir.path().join("report.json");
    std::fs::write(&report, &output.stdout).expect("writes the report");
    let merged_summary = dir.path().join("merged.md");
    let merged = synccheck()
        .arg("merge")
        .arg(&report)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &merged_summary)
        .output()
        .expect("runs");
    assert_eq!(merged.status.code(), Some(1));
    let merged_commands = parse_commands(&text(&merged.stdout));
    assert_eq!(merged_commands.len(), 2, "{}", text(&merged.stdout));
    let merged_unmet = merged_commands
        .iter()
        .find(|c| c.properties["title"] == unmet.properties["title"])
        .expect("the unmet check is annotated");
    assert_eq!(merged_unmet.properties["file"], plan);
    assert_eq!(merged_unmet.properties["line"], "7");
    assert_eq!(merged_unmet.message, unmet.message);
    let merged_markdown = std::fs::read_to_string(&merged_summary).expect("summary written");
    assert!(
        merged_markdown.contains("2 of 4 expectations met in 3 checks."),
        "{merged_markdown}"
    );
}

#[test]
fn a_plan_error_is_an_annotation_at_its_line_with_colons_kept() {
    let (_dir, plan) = write_plan(
        "[[check]]\nmodel = \"two_phase_commit\"\nexpect = { consistent = \"maybe\" }\n",
    );
    let output = synccheck()
        .args(["check", "--plan", &plan])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let commands = parse_commands(&text(&output.stdout));
    assert_eq!(commands.len(), 1, "{}", text(&output.stdout));
    assert_eq!(commands[0].properties["file"], plan);
    assert_eq!(commands[0].properties["line"], "3");
    assert_eq!(commands[0].properties["title"], "synccheck: invalid plan");
    assert!(
        commands[0].message.contains(":3:")
            && commands[0].message.contains("unknown verdict `maybe`"),
        "{:?}",
        commands[0].message
    );
    // In the raw line, `:` is escaped in the title (a property), not in the message.
    let raw = text(&output.stdout);
    let (properties, message) = raw
        .trim_start_matches("::error ")
        .split_once("::")
        .expect("a workflow command");
    assert!(
        properties.contains("title=synccheck%3A invalid plan"),
        "{raw}"
    );
    assert!(message.contains(":3:") && !message.contains("%3A"), "{raw}");
}

#[test]
fn a_passing_summary_keeps_expected_counterexamples_compact_and_apart() {
    let (dir, plan) = write_plan(
        "[[check]]\nname = \"pinned\"\nmodel = \"fenced_lease_lock\"\nparams = { variant = \"writes\" }\nrelax = [\"bounded_pause\"]\nexpect = { no_lost_increment = \"violated\" }\n",
    );
    let summary = dir.path().join("summary.md");
    let output = synccheck()
        .args(["check", "--plan", &plan])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(!text(&output.stdout).contains("::error"));
    let markdown = std::fs::read_to_string(&summary).expect("summary written");
    assert!(!markdown.contains("Not as expected"), "{markdown}");
    assert!(!markdown.contains("```mermaid"), "{markdown}");
    assert!(
        markdown.contains("1 expected counterexample (pinned violations, found as expected)"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- pinned: <code>no_lost_increment</code> violated in 22 steps"),
        "{markdown}"
    );
}

#[test]
fn stdout_into_a_closed_pipe_exits_quietly_with_the_verdict() {
    let mut child = synccheck()
        .args(["check", "two_phase_commit", "--set", "rms=3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("waits");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn stderr_into_a_closed_pipe_never_panics() {
    // An error is written to stderr: with stderr closed it is lost, not a panic (101).
    let mut child = synccheck()
        .args(["check", "no_such_model"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stderr.take());
    assert_eq!(child.wait().expect("waits").code(), Some(2));

    // A plan run in human format writes its per-check lines to stderr.
    let (_dir, plan) = write_plan(
        "[[check]]\nmodel = \"two_phase_commit\"\nparams = { rms = 2 }\nexpect = { consistent = \"holds\" }\n",
    );
    let mut child = synccheck()
        .args(["check", "--plan", &plan])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stderr.take());
    assert_eq!(child.wait().expect("waits").code(), Some(0));
}

/// A check that runs for `--timeout` seconds (a large space), ending `unknown` (exit 3).
/// A check that runs past its time limit: the full system alone, unreduced (on drift
/// classes it completes in under a second, and with subsumption counting its late
/// timers in about one).
const TIMED_CHECK: &[&str] = &[
    "check",
    "fenced_lease_lock",
    "--set",
    "variant=all",
    "--relax-all",
    "--no-drift-classes",
    "--no-subsumption",
    "--timeout",
    "2.5",
];

#[test]
fn heartbeat_lines_on_stderr_when_it_is_not_a_terminal() {
    // A plan run with JSON on stdout: stderr still says the run is alive.
    let (_dir, plan) = write_plan(
        "[[check]]\nname = \"long\"\nmodel = \"fenced_lease_lock\"\nparams = { variant = \"all\" }\nrelax_all = true\nexpect = { no_lost_increment = \"holds\" }\n",
    );
    let output = synccheck()
        .args([
            "check",
            "--plan",
            &plan,
            "--format",
            "json",
            "--no-drift-classes",
            "--no-subsumption",
            "--timeout",
            "2.5",
        ])
        .env_remove("SYNCCHECK_NO_PROGRESS")
        .env("SYNCCHECK_HEARTBEAT_SECS", "0.5")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let beats: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[1/1] long: ") && l.contains(" states/s, depth "))
        .collect();
    assert!(beats.len() >= 2, "{stderr}");
    serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("stdout stays JSON");

    // `SYNCCHECK_NO_PROGRESS` turns it off.
    let quiet = synccheck()
        .args([
            "check",
            "--plan",
            &plan,
            "--format",
            "json",
            "--timeout",
            "1",
        ])
        .env("SYNCCHECK_HEARTBEAT_SECS", "0.2")
        .output()
        .expect("runs");
    assert!(
        !text(&quiet.stderr).contains("states/s"),
        "{}",
        text(&quiet.stderr)
    );

    // `assumptions` too.
    let ablation = synccheck()
        .args([
            "assumptions",
            "fenced_lease_lock",
            "--set",
            "variant=none",
            "--max-states",
            "200000",
        ])
        .env_remove("SYNCCHECK_NO_PROGRESS")
        .env("SYNCCHECK_HEARTBEAT_SECS", "0.2")
        .output()
        .expect("runs");
    let stderr = text(&ablation.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("assumptions fenced_lease_lock: ") && l.contains(" states/s")),
        "{stderr}"
    );
}

/// Once the search is done the heartbeat keeps the search's counts and says so, and
/// names the counterexamples' claims while they run: their searches (break
/// confirmation, fewest breaks: most of this check's time) count on counters of their
/// own. They used to reset the line's
/// counts, which then dropped and rose again.
#[test]
fn after_the_search_the_heartbeat_keeps_its_counts_and_says_the_search_is_done() {
    let output = synccheck()
        .args([
            "check",
            "tombstone_gc",
            "--set",
            "variant=purge_after_all_acks",
            "--relax-all",
            "--format",
            "json",
        ])
        .env_remove("SYNCCHECK_NO_PROGRESS")
        .env("SYNCCHECK_HEARTBEAT_SECS", "0.2")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let states = report["stats"]["unique_states"].as_u64().expect("a count");
    let stderr = text(&output.stderr);
    let done: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("; checking the counterexamples' claims"))
        .collect();
    assert!(!done.is_empty(), "{stderr}");
    let shown = format!("tombstone_gc: search done ({states} states, depth ");
    assert!(done.iter().all(|l| l.starts_with(&shown)), "{stderr}");
}

#[test]
fn on_a_terminal_the_progress_line_shows_states_rate_and_depth() {
    // `script` runs the command on a pseudo-terminal and copies what it drew.
    let Ok(probe) = Command::new("script").arg("--version").output() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "`script` (util-linux) must be installed in CI"
        );
        eprintln!("`script` not installed here: progress on a terminal not tested");
        return;
    };
    assert!(probe.status.success());
    let mut line = String::from(env!("CARGO_BIN_EXE_synccheck"));
    for arg in TIMED_CHECK {
        line.push(' ');
        line.push_str(arg);
    }
    let output: Output = Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        .env_remove("SYNCCHECK_NO_PROGRESS")
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    let drawn = text(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{drawn}");
    assert!(
        drawn.contains("fenced_lease_lock: ") && drawn.contains(" states/s, depth "),
        "no progress line on the terminal: {drawn}"
    );
    assert!(!drawn.contains("0/0"), "an empty bar: {drawn}");
}

/// A check's JUnit time is its whole wall time, the liveness phase and the break
/// confirmations included, not its search's alone: here the search takes a few
/// hundredths of a second and the `eventually` graph most of a second.
#[test]
fn a_checks_junit_time_is_its_whole_wall_time() {
    let (dir, plan) = write_plan(
        "[[check]]\nname = \"gc\"\nmodel = \"tombstone_gc\"\nrelax_all = true\n\
         hold = [\"no_duplication\"]\nexpect = { eventually_converged = \"violated\" }\n",
    );
    let junit = dir.path().join("junit.xml");
    let output = synccheck()
        .args(["check", "--plan", &plan, "--format", "json", "--junit"])
        .arg(&junit)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let check = &report["checks"][0]["report"];
    let whole = check["seconds"].as_f64().expect("seconds");
    let search = check["stats"]["seconds"].as_f64().expect("search seconds");
    assert!(
        whole > search + 0.1,
        "the liveness phase is counted: {whole} s against the search's {search} s"
    );
    assert_valid_junit(&junit);
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let suites = elements(&xml, b"testsuite");
    assert_eq!(suites.len(), 1, "{xml}");
    let time: f64 = suites[0]["time"].parse().expect("a time");
    assert!(
        (time - whole).abs() < 0.002,
        "the suite's time {time} s is the check's {whole} s: {xml}"
    );
}
