//! stateright's Explorer as synccheck serves it: `check --explorer-link` gives the
//! path of a counterexample, `explore --trace FILE` opens at a saved trace, and the
//! Explorer's views of a timed system name the nodes, list the network, and show true
//! time, true pause lengths and the assumption break (not Debug dumps, not the capped
//! pause counter).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support;
use support::{paused_lease_lock, synccheck, text};

/// The Explorer path printed by `--explorer-link` for C1's 22-step counterexample.
fn linked_path() -> Vec<usize> {
    let output = synccheck(&paused_lease_lock("check", &["--explorer-link"]));
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let prefix = "explorer link to the counterexample of `no_lost_increment`: http://localhost:3000/#/steps/";
    let line = stdout
        .lines()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no link: {stdout}"));
    assert!(
        stdout.contains("  serve it with: synccheck explore fenced_lease_lock --set lease_ticks=5 --set validity_ticks=2 --set variant=writes --relax-all --hold bounded_delay=1"),
        "{stdout}"
    );
    line[prefix.len()..]
        .split('/')
        .map(|index| index.parse().expect("an action index"))
        .collect()
}

/// A running `synccheck explore`, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("address").to_string();
    drop(listener);
    address
}

fn serve(args: &[&str]) -> Server {
    let child = support::command()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("explore starts");
    Server(child)
}

/// GET `path` from the server at `address`, retrying while it starts.
fn get(address: &str, path: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(mut stream) = TcpStream::connect(address) {
            stream
                .set_read_timeout(Some(Duration::from_secs(20)))
                .expect("timeout");
            let request = format!("GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n");
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut response = String::new();
                if stream.read_to_string(&mut response).is_ok() && !response.is_empty() {
                    return response;
                }
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the Explorer did not answer on {address}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The Explorer's view of the step `indices.last()` taken after `indices[..len-1]`.
fn step_view(address: &str, indices: &[usize]) -> serde_json::Value {
    let (last, before) = indices.split_last().expect("a step");
    let path: String = before.iter().map(|i| format!("/{i}")).collect();
    let response = get(address, &format!("/.states{path}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .expect("an HTTP body");
    let steps: serde_json::Value = serde_json::from_str(body).expect("JSON states");
    steps
        .as_array()
        .expect("a list")
        .iter()
        .find(|step| step["actionIndex"] == *last)
        .cloned()
        .unwrap_or_else(|| panic!("no action {last} after {path}: {body}"))
}

#[test]
fn the_explorer_shows_the_timed_systems_view_along_the_linked_counterexample() {
    let indices = linked_path();
    assert_eq!(indices.len(), 23, "the initial state and 22 steps");
    let address = free_address();
    let _server = serve(&paused_lease_lock("explore", &["--address", &address]));
    // Step 6: client_a pauses. The stored pause counter is capped, so the state pane
    // says "paused" without a count; the panel above counts it along the path.
    let paused = step_view(&address, &indices[..7]);
    assert_eq!(paused["action"], "client_a pauses");
    let outcome = paused["outcome"].as_str().expect("format_step text");
    assert!(outcome.starts_with("lock: Lock{"), "{outcome}");
    assert!(outcome.contains("\nclient_a: Client{"), "{outcome}");
    assert!(outcome.contains(" · paused"), "{outcome}");
    assert!(!outcome.contains("counter"), "{outcome}");
    assert!(outcome.contains("\nnetwork: empty\n"), "{outcome}");
    // Five ticks later (step 11): true time 5, client_a paused for 5 ticks.
    let later = step_view(&address, &indices[..12]);
    assert_eq!(later["action"], "tick");
    let svg = later["svg"].as_str().expect("as_svg panel");
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(
        svg.contains(">true time t=5 · after 11 steps</text>"),
        "{svg}"
    );
    assert!(svg.contains("paused for 5 ticks"), "{svg}");
    assert!(
        svg.contains("⚠ step 6: t=0: client_a pauses: bounded_pause(0) broken here"),
        "{svg}"
    );
    // The last step of the counterexample is reachable through the link.
    let last = step_view(&address, &indices);
    assert_eq!(last["action"], "deliver WriteAck storage→client_b (age 0)");
    let svg = last["svg"].as_str().expect("as_svg panel");
    assert!(
        svg.contains("✗ `no_lost_increment` is violated in this state"),
        "{svg}"
    );
    assert!(!later["svg"].as_str().unwrap_or("").contains("is violated"));
}

/// `explore --no-lean` serves the space `check --no-lean` explores: with `bounded_delay`
/// relaxed the lean state stores no message ages, so after a tick the network shows
/// none; `--no-lean` shows each message's age.
#[test]
fn explore_no_lean_shows_message_ages() {
    let after_tick = |more: &[&str]| {
        let address = free_address();
        let mut args = vec!["explore", "fenced_lease_lock", "--relax", "bounded_delay"];
        args.extend(["--address", &address]);
        args.extend_from_slice(more);
        let _server = serve(&args);
        // From the initial state: both clients' `Acquire` in flight, action 2 a tick.
        let tick = step_view(&address, &[0, 2]);
        assert_eq!(tick["action"], "tick");
        tick["outcome"]
            .as_str()
            .expect("format_step text")
            .to_string()
    };
    let lean = after_tick(&[]);
    assert!(lean.contains("\n  Acquire client_a→lock\n"), "{lean}");
    let full = after_tick(&["--no-lean"]);
    assert!(
        full.contains("\n  Acquire client_a→lock, age 1\n"),
        "{full}"
    );
}

/// The worked example's counterexample, saved in `dir`.
fn saved_lease_trace(dir: &std::path::Path) -> std::path::PathBuf {
    let dir_text = dir.to_string_lossy().into_owned();
    let args = paused_lease_lock("check", &["--trace-dir", &dir_text]);
    assert_eq!(synccheck(&args).status.code(), Some(1));
    std::fs::read_dir(dir)
        .expect("trace dir")
        .map(|entry| entry.expect("entry").path())
        .find(|path| path.to_string_lossy().ends_with(".trace.json"))
        .expect("a saved trace")
}

#[test]
fn explore_opens_at_a_saved_trace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trace = saved_lease_trace(dir.path());
    let address = free_address();
    let mut server = serve(&[
        "explore",
        "--trace",
        &trace.to_string_lossy(),
        "--address",
        &address,
    ]);
    let page = get(&address, "/");
    assert!(
        page.starts_with("HTTP/1.1 200") || page.starts_with("HTTP/1.0 200"),
        "{page}"
    );
    let _ = server.0.kill();
    let output = server.0.wait_with_output_stderr();
    let expected: String = linked_path().iter().map(|i| format!("/{i}")).collect();
    assert!(
        output.contains(&format!(
            "the trace (22 steps, `no_lost_increment` violated): http://{address}/#/steps{expected}"
        )),
        "{output}"
    );
}

trait StderrOf {
    fn wait_with_output_stderr(&mut self) -> String;
}

impl StderrOf for Child {
    fn wait_with_output_stderr(&mut self) -> String {
        let _ = self.wait();
        let mut stderr = String::new();
        if let Some(pipe) = self.stderr.as_mut() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        stderr
    }
}

#[test]
fn explore_refuses_a_trace_with_model_arguments() {
    let output = synccheck(&["explore", "fenced_lease_lock", "--trace", "x.trace.json"]);
    assert_eq!(output.status.code(), Some(2));
    let output = synccheck(&["explore", "--trace", "/nonexistent.trace.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("/nonexistent.trace.json"));
}

/// A plan run links each check's counterexamples too (on stderr, after the check),
/// at the address asked for; the link is the one the single check prints.
#[test]
fn a_plan_run_prints_the_links_at_the_address_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[check]]\nmodel = \"fenced_lease_lock\"\nparams = { variant = \"writes\" }\nrelax = [\"bounded_pause\"]\nexpect = { no_lost_increment = \"violated\" }\n",
    )
    .expect("plan written");
    let plan = plan.to_string_lossy().into_owned();
    let output = synccheck(&[
        "check",
        "--plan",
        &plan,
        "--explorer-link",
        "--explorer-address",
        "127.0.0.1:4000",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let prefix =
        "explorer link to the counterexample of `no_lost_increment`: http://127.0.0.1:4000/#/steps/";
    let line = stderr
        .lines()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no link: {stderr}"));
    let path: Vec<usize> = line[prefix.len()..]
        .split('/')
        .map(|index| index.parse().expect("an action index"))
        .collect();
    assert_eq!(path, linked_path(), "the plan's link is the single check's");
    assert!(stderr.contains("--address 127.0.0.1:4000"), "{stderr}");

    let without = synccheck(&["check", "--plan", &plan, "--explorer-address", "x:1"]);
    assert_eq!(
        without.status.code(),
        Some(2),
        "--explorer-address needs --explorer-link"
    );
    // An address `explore --address` would not take: refused before any check runs.
    for address in [
        "notanaddr",
        ":4000",
        "host:port",
        "host:70000",
        "http://localhost:3000",
        "::1:3000",
    ] {
        let args = [
            "check",
            "--plan",
            &plan,
            "--explorer-link",
            "--explorer-address",
        ];
        let bad = synccheck(&[&args[..], &[address]].concat());
        assert_eq!(bad.status.code(), Some(2), "{address}");
        let expected = format!("error: --explorer-address {address}: expected HOST:PORT");
        assert!(
            text(&bad.stderr).contains(&expected),
            "{}",
            text(&bad.stderr)
        );
    }
}

/// An address the Explorer cannot serve on is an error naming the option, before any
/// banner says it is being served (and with no empty model name in it).
#[test]
fn an_unusable_address_is_an_error_before_the_banner() {
    for args in [
        &["explore", "lww_register", "--address", "bogus"][..],
        &["explore", "lww_register", "--address", "256.0.0.1:80"][..],
    ] {
        let output = synccheck(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.starts_with(&format!("error: --address {}: ", args[3])),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("Explorer for"), "{stderr}");
        assert!(!stderr.contains("``"), "{stderr}");
    }
}

/// `explore --trace` replays the trace first, as `replay` does: its link says the
/// property is violated there, so a trace that does not reproduce is refused (exit 1,
/// before anything is served), with replay's words for where it diverges.
#[test]
fn explore_refuses_a_trace_that_does_not_reproduce() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trace = saved_lease_trace(dir.path());
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).expect("read")).expect("JSON");
    value["property_kind"] = "eventually".into();
    let edited = dir.path().join("edited.trace.json");
    std::fs::write(&edited, value.to_string()).expect("write");
    let address = free_address();
    let mut server = serve(&[
        "explore",
        "--trace",
        &edited.to_string_lossy(),
        "--address",
        &address,
    ]);
    // It must exit on its own (the Explorer, once started, serves until stopped).
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().expect("waits") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "a trace that does not reproduce was served on {address}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(1));
    let stderr = server.0.wait_with_output_stderr();
    assert!(
        stderr.contains(
            "does not reproduce: the end (after step 22): /property_kind: recorded eventually, but `no_lost_increment` is always"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("http://"), "nothing served: {stderr}");
}
