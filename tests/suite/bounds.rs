//! `synccheck bounds`: boundaries that the protocols' own arithmetic predicts, each
//! with a test that the counterexample at the first breaking bound replays; a
//! constructed non-monotone case reported as such.

use synccheck::bounds::{self, BoundStatus, BoundsReport, BoundsRequest, SearchOptions};
use synccheck::check::{self, CheckOptions, Verdict};
use synccheck::model::Params;
use synccheck::report::{self, CheckReport};
use synccheck::system::{Assumption, AssumptionSet, Protocol, TimedSystem};
use synccheck::trace::{self, ReplayOutcome};

use crate::support;

fn quiet(_: &bounds::ProbeEvent) {}

fn catalog_bounds(
    model: &str,
    params: &[(&str, &str)],
    property: &str,
    assumption: &str,
    up_to: u32,
) -> BoundsReport {
    let request = BoundsRequest {
        model: model.to_string(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        properties: vec![property.to_string()],
        assumptions: vec![assumption.to_string()],
        ..BoundsRequest::default()
    };
    bounds::bounds(
        &synccheck::catalog::registry(),
        &request,
        &SearchOptions::new(up_to, 2),
        &CheckOptions::default(),
        &quiet,
    )
    .expect("a valid request")
}

/// Asserts the boundary `holds_up_to` / `holds_up_to + 1` and that the counterexample
/// at the first breaking bound replays against the catalog model; returns its length.
fn assert_boundary(
    report: &BoundsReport,
    property: &str,
    assumption: Assumption,
    holds_up_to: u32,
) -> usize {
    let entry = report
        .entry(property, assumption)
        .expect("the property and assumption were searched");
    assert_eq!(entry.status, BoundStatus::Boundary, "{}", entry.sentence);
    assert_eq!(entry.holds_up_to, Some(holds_up_to), "{}", entry.sentence);
    assert_eq!(
        entry.violated_from,
        Some(holds_up_to + 1),
        "{}",
        entry.sentence
    );
    // Both sides of the pair were checked, not inferred.
    let verdict_at = |bound| {
        entry
            .probes
            .iter()
            .find(|p| p.bound == Some(bound))
            .map(|p| p.verdict)
    };
    assert_eq!(verdict_at(holds_up_to), Some(Verdict::Holds));
    assert_eq!(verdict_at(holds_up_to + 1), Some(Verdict::Violated));
    let counterexample = entry
        .counterexample
        .as_ref()
        .expect("a counterexample at the first breaking bound");
    let held = counterexample
        .assumptions
        .as_ref()
        .and_then(|a| a.held.get(assumption.name()).copied());
    assert_eq!(
        held,
        Some(holds_up_to + 1),
        "found under the breaking bound"
    );
    match synccheck::catalog::registry().replay_file("bounds", counterexample) {
        Ok(ReplayOutcome::Reproduced { steps }) => steps,
        other => panic!("the counterexample does not replay: {other:?}"),
    }
}

// ------------------------------------------------------------ R3 lww_register

/// Physical timestamps lose the later write exactly when the two clocks may be further
/// apart than the write gap: 2ε > gap, i.e. the largest safe ε is ⌊gap/2⌋. The first
/// write must come late enough for both clocks to have drifted ε (first_write_clock ≥
/// 2ε + 1): the model is fixed across probes, so it is set for the largest ε searched
/// (up to 3: first_write_clock = 7).
fn lww_boundary(gap: u32) -> usize {
    let gap_text = gap.to_string();
    let report = catalog_bounds(
        "lww_register",
        &[
            ("variant", "physical"),
            ("first_write_clock", "7"),
            ("write_gap_ticks", &gap_text),
        ],
        "no_lost_update",
        "bounded_skew",
        3,
    );
    assert_boundary(&report, "no_lost_update", Assumption::BoundedSkew, gap / 2)
}

#[test]
fn lww_physical_breaks_where_twice_the_skew_exceeds_gap_1() {
    assert_eq!(lww_boundary(1), 23);
}

#[test]
fn lww_physical_breaks_where_twice_the_skew_exceeds_gap_2() {
    assert_eq!(lww_boundary(2), 24);
}

#[test]
fn lww_physical_breaks_where_twice_the_skew_exceeds_gap_3() {
    assert_eq!(lww_boundary(3), 26);
}

#[test]
fn lww_physical_breaks_where_twice_the_skew_exceeds_gap_4() {
    assert_eq!(lww_boundary(4), 27);
}

#[test]
fn lww_hybrid_holds_at_every_skew() {
    let report = catalog_bounds(
        "lww_register",
        &[("variant", "hybrid")],
        "no_lost_update",
        "bounded_skew",
        8,
    );
    let entry = report
        .entry("no_lost_update", Assumption::BoundedSkew)
        .expect("searched");
    assert_eq!(entry.status, BoundStatus::HoldsRelaxed);
    assert_eq!(entry.holds_up_to, Some(synccheck::system::BOUND_MAX));
    assert_eq!(entry.violated_from, None);
    // Settled by the relaxed run: no bound beyond 0 was needed.
    assert_eq!(report.probes_run, 2);
}

// ------------------------------------------------------- C1 fenced_lease_lock

/// Without fencing, the lease alone protects the increment only with no pause at all:
/// `bounded_pause(P)` bounds each pause, not their sum, and a client may pause again
/// right after it resumes, so with P = 1 it stays away as long as it likes (the
/// counterexample pauses four times in a row). The largest safe pause is 0 whatever
/// the lease (lease 8 gives the same pair, in 32 steps).
#[test]
fn fenced_lease_lock_without_fencing_is_safe_only_without_pauses() {
    let report = catalog_bounds(
        "fenced_lease_lock",
        &[("variant", "none")],
        "no_lost_increment",
        "bounded_pause",
        2,
    );
    let steps = assert_boundary(&report, "no_lost_increment", Assumption::BoundedPause, 0);
    assert_eq!(steps, 23);
}

// ---------------------------------------------------- C2 failover_split_brain

/// With lease demotion the old primary stops writing before the failover when
/// `lease + Δ + 2ε < failover` (its clock may run ε slow, the detector's ε fast): with
/// lease 1 and Δ = 1, the largest safe ε is 0 at failover 3 and 4 (ε = 1 already
/// breaks at 4, so skew counts twice), and 1 at failover 5 (measured by hand: ε = 2
/// breaks there in 15 steps, but that probe is 5.2 M states, too slow for a test).
#[test]
fn failover_lease_demotion_safe_skew_follows_the_lease_arithmetic() {
    for (failover, steps) in [("3", 12), ("4", 14)] {
        let report = catalog_bounds(
            "failover_split_brain",
            &[("variant", "lease_demotion"), ("failover_ticks", failover)],
            "single_writer_per_epoch",
            "bounded_skew",
            1,
        );
        let found = assert_boundary(
            &report,
            "single_writer_per_epoch",
            Assumption::BoundedSkew,
            0,
        );
        assert_eq!(found, steps, "failover {failover}");
    }
}

// ------------------------------------------------------------ the heartbeat

/// The user's own heartbeat failure detector of `examples/user_cli/`: the worker sends a
/// heartbeat at start and every `period_ticks`, `heartbeats` in all; the monitor
/// suspects it after `timeout_ticks` without one.
#[path = "../../examples/user_cli/heartbeat.rs"]
mod heartbeat;
use heartbeat::HeartbeatDetector as Heartbeat;

fn heartbeat_system(
    protocol: Heartbeat,
    assumption: Assumption,
    bound: Option<u32>,
) -> TimedSystem<Heartbeat> {
    let mut set: AssumptionSet = protocol.default_assumptions();
    match bound {
        Some(bound) => set.hold(assumption, Some(bound)).expect("a valid bound"),
        None => set.relax(assumption),
    }
    TimedSystem::new(protocol, set).expect("within the engine's limits")
}

fn heartbeat_check(system: &TimedSystem<Heartbeat>) -> CheckReport {
    let options = CheckOptions::default();
    let outcome = check::run(system, &options);
    report::build(
        "heartbeat",
        &Params::default(),
        Some(system.assumptions()),
        &options,
        system,
        &outcome,
    )
}

/// Searches Δ for a detector built by `design(Δ)` (most designs ignore Δ; the
/// non-monotone one derives its timeout from it).
fn heartbeat_bounds(
    design: impl Fn(u32) -> Heartbeat + Sync,
    search: &SearchOptions,
) -> BoundsReport {
    let design = &design;
    bounds::search_with(
        "heartbeat",
        &[Assumption::BoundedDelay],
        search,
        |assumption, bound| {
            let protocol = design(bound.unwrap_or(0));
            Ok(heartbeat_check(&heartbeat_system(
                protocol, assumption, bound,
            )))
        },
        &quiet,
    )
    .expect("a valid search")
}

/// A heartbeat sent `period` after the last one arrives at most Δ after it was sent;
/// the monitor's timer, re-armed at the last arrival (itself possibly on time), fires
/// `timeout` after it. The heartbeat is late when it arrives after `timeout − period`
/// ticks of delay, i.e. the detector breaks where Δ > timeout − period − 1: in
/// discrete time a heartbeat that arrives in the very tick the timer is due may be
/// handled after the timer (the order within a tick is free), and that already is a
/// false suspicion. So the largest safe Δ is timeout − period − 1 (the example's
/// "timeout > period + Δ"); a monitor that tolerates `timeout` full ticks of silence
/// (a timer of timeout + 1) breaks exactly where Δ > timeout − period.
#[test]
fn heartbeat_breaks_where_the_delay_exceeds_timeout_minus_period() {
    for (period_ticks, timeout_ticks) in [(2, 4), (1, 4), (2, 5), (3, 5), (2, 7)] {
        let design = |_| Heartbeat {
            period_ticks,
            timeout_ticks,
            heartbeats: 3,
        };
        let report = heartbeat_bounds(design, &SearchOptions::new(8, 2));
        let entry = report
            .entry("no_false_suspicion", Assumption::BoundedDelay)
            .expect("searched");
        let margin = timeout_ticks - period_ticks - 1;
        assert_eq!(
            (entry.status, entry.holds_up_to, entry.violated_from),
            (BoundStatus::Boundary, Some(margin), Some(margin + 1)),
            "period {period_ticks}, timeout {timeout_ticks}: {}",
            entry.sentence
        );
        let counterexample = entry.counterexample.as_ref().expect("violated");
        let system = heartbeat_system(design(0), Assumption::BoundedDelay, Some(margin + 1));
        assert!(
            matches!(
                trace::replay(&system, counterexample),
                ReplayOutcome::Reproduced { .. }
            ),
            "period {period_ticks}, timeout {timeout_ticks}: the counterexample replays"
        );
    }
}

/// A constructed non-monotone case: a detector whose timeout is derived from the
/// delay it assumes, in whole 2-tick units (timeout = period + 1 + 2⌊Δ/2⌋). It is
/// safe while Δ ≤ timeout − period − 1 = 2⌊Δ/2⌋ (see above): accurate at every even
/// Δ and wrong at every odd one. Doubling stops at the first
/// violation (Δ = 1) and reports the pair 0/1; probing every bound shows the property
/// holds again at 2, and the entry is reported as non-monotone with both runs.
#[test]
fn a_timeout_rounded_to_even_ticks_is_reported_non_monotone() {
    let design = |delay: u32| Heartbeat {
        period_ticks: 2,
        timeout_ticks: 3 + 2 * (delay / 2),
        heartbeats: 3,
    };
    let quick = heartbeat_bounds(design, &SearchOptions::new(4, 2));
    let entry = quick
        .entry("no_false_suspicion", Assumption::BoundedDelay)
        .expect("searched");
    assert_eq!(entry.status, BoundStatus::Boundary, "{:?}", entry.probes);
    assert_eq!((entry.holds_up_to, entry.violated_from), (Some(0), Some(1)));
    let full = heartbeat_bounds(design, &SearchOptions::new(4, 2).exhaustive(true));
    let entry = full
        .entry("no_false_suspicion", Assumption::BoundedDelay)
        .expect("searched");
    assert_eq!(entry.status, BoundStatus::NonMonotone, "{}", entry.sentence);
    assert_eq!(entry.holds_up_to, Some(0));
    assert_eq!(entry.violated_from, Some(1));
    assert_eq!(entry.holds_again_at, Some(2));
    assert!(entry.counterexample.is_some(), "the violated run is kept");
    let verdicts: Vec<(Option<u32>, Verdict)> =
        entry.probes.iter().map(|p| (p.bound, p.verdict)).collect();
    assert_eq!(
        verdicts,
        vec![
            (None, Verdict::Violated),
            (Some(0), Verdict::Holds),
            (Some(1), Verdict::Violated),
            (Some(2), Verdict::Holds),
            (Some(3), Verdict::Violated),
            (Some(4), Verdict::Holds),
        ]
    );
    assert!(entry.sentence.contains("NOT monotone"));
}

// ------------------------------------------------------------------- the CLI

/// `synccheck ARGS`: exit code, stdout, stderr.
fn synccheck(args: &[&str]) -> (i32, String, String) {
    let output = support::synccheck(args);
    let code = output.status.code().unwrap_or(-1);
    (code, support::stdout(&output), support::stderr(&output))
}

#[test]
fn cli_bounds_json_gives_the_pair_and_the_counterexample() {
    let (code, stdout, stderr) = synccheck(&[
        "bounds",
        "lww_register",
        "--set",
        "variant=physical",
        "--up-to",
        "2",
        "--threads",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["schema_version"], 1);
    let entries = json["entries"].as_array().expect("entries");
    assert_eq!(
        entries.len(),
        1,
        "one always property, one numeric assumption"
    );
    let entry = &entries[0];
    assert_eq!(entry["property"], "no_lost_update");
    assert_eq!(entry["assumption"], "bounded_skew");
    assert_eq!(entry["status"], "boundary");
    assert_eq!(entry["holds_up_to"], 1);
    assert_eq!(entry["violated_from"], 2);
    // The catalog's pinned 18-step counterexample at the defaults (first write at 5).
    assert_eq!(entry["counterexample"]["trace"]["length"], 18);
    assert_eq!(
        entry["counterexample"]["assumptions"]["held"]["bounded_skew"],
        2
    );
    // A base `--hold` of the searched assumption is replaced by its own probes (it
    // holds for the other assumptions' searches): the same boundary, no error.
    let (code, held, stderr) = synccheck(&[
        "bounds",
        "lww_register",
        "--set",
        "variant=physical",
        "--hold",
        "bounded_skew=1",
        "--up-to",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let held: serde_json::Value = serde_json::from_str(&held).expect("JSON");
    assert_eq!(held["entries"][0]["holds_up_to"], 1, "{held}");
    assert_eq!(held["entries"][0]["violated_from"], 2, "{held}");
    assert!(
        stderr.contains("note: --hold bounded_skew=1: `bounded_skew` is searched, so its own probes replace this"),
        "{stderr}"
    );
    // The header names a searched assumption once, as searched, whatever the base set
    // said of it (a base `--relax` listed it under `relaxed:` too).
    for base in ["--relax", "--hold"] {
        let spec = if base == "--hold" {
            "bounded_skew=1"
        } else {
            "bounded_skew"
        };
        let args = ["bounds", "lww_register", "--set", "variant=physical"];
        let (code, text, stderr) = synccheck(&[&args[..], &[base, spec, "--up-to", "2"]].concat());
        assert_eq!(code, 0, "{stderr}");
        let header: Vec<&str> = text.lines().take_while(|line| !line.is_empty()).collect();
        assert!(header.contains(&"searched: bounded_skew"), "{text}");
        let naming = header.iter().filter(|line| line.contains("bounded_skew"));
        assert_eq!(naming.count(), 1, "{base} {spec}: {text}");
    }
}

/// `bounds --no-lean` and `--no-symmetry` probe the space `check` explores with the
/// same flags (`fenced_lease_lock` with `bounded_delay` relaxed: message ages not
/// stored, the two clients interchangeable): the same verdicts, more states.
#[test]
fn cli_bounds_probes_with_no_lean_and_no_symmetry_as_check_does() {
    let probes = |more: &[&str]| {
        let mut args = vec!["bounds", "fenced_lease_lock", "--relax", "bounded_delay"];
        args.extend(["--assumption", "bounded_pause", "--property"]);
        args.extend(["no_lost_increment", "--up-to", "1", "--format", "json"]);
        args.extend_from_slice(more);
        let (code, stdout, stderr) = synccheck(&args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
        let entry = &json["entries"][0];
        assert_eq!(entry["status"], "holds_relaxed", "{args:?}");
        entry["probes"]
            .as_array()
            .expect("probes")
            .iter()
            .map(|p| (p["bound"].as_u64(), p["unique_states"].as_u64()))
            .collect::<Vec<_>>()
    };
    // Relaxed, then held at 0: the counts of `check --property` on the same spaces
    // (a probe searches only the properties whose bounds are searched).
    let checked = |more: &[&str]| {
        let mut args = vec!["check", "fenced_lease_lock", "--relax", "bounded_delay"];
        args.extend(["--property", "no_lost_increment", "--format", "json"]);
        args.extend_from_slice(more);
        support::json_report(&args, 0)["stats"]["unique_states"].as_u64()
    };
    let relaxed = checked(&["--relax", "bounded_pause"]);
    let at_zero = checked(&["--hold", "bounded_pause=0"]);
    assert_eq!(probes(&[]), [(None, relaxed), (Some(0), at_zero)]);
    assert_eq!(probes(&[]), [(None, Some(20_575)), (Some(0), Some(5_144))]);
    assert_eq!(
        probes(&["--no-lean"]),
        [(None, Some(39_786)), (Some(0), Some(9_947))]
    );
    assert_eq!(
        probes(&["--no-symmetry"]),
        [(None, Some(41_148)), (Some(0), Some(10_287))]
    );
}

/// A probe searches only the properties whose bounds are searched, on the system
/// `check --property` narrows: `concurrent_failover compare_and_set` with
/// `bounded_delay` relaxed stores message ages only for its `eventually` property, so
/// the bounds of `at_most_one_primary` alone are probed on 344 and 76 states, where
/// the whole check (every property: the probes before) stores 816 and 174.
#[test]
fn cli_bounds_probes_only_the_properties_it_searches() {
    let model = ["concurrent_failover", "--set", "variant=compare_and_set"];
    let checked = |more: &[&str], code: i32| {
        let mut args = vec!["check"];
        args.extend(model);
        args.extend(["--relax", "bounded_delay", "--format", "json"]);
        args.extend_from_slice(more);
        support::json_report(&args, code)["stats"]["unique_states"].as_u64()
    };
    let selected = ["--property", "at_most_one_primary"];
    let relaxed = [&["--relax", "bounded_pause"][..], &selected].concat();
    let at_zero = [&["--hold", "bounded_pause=0"][..], &selected].concat();
    assert_eq!(checked(&relaxed, 0), Some(344));
    assert_eq!(checked(&at_zero, 0), Some(76));
    // The whole check: with pauses relaxed, `eventually_one_primary` is violated.
    assert_eq!(checked(&["--relax", "bounded_pause"], 1), Some(816));
    assert_eq!(checked(&["--hold", "bounded_pause=0"], 0), Some(174));
    let mut args = vec!["bounds"];
    args.extend(model);
    args.extend(["--relax", "bounded_delay", "--assumption", "bounded_pause"]);
    args.extend(selected);
    args.extend(["--up-to", "1", "--format", "json"]);
    let (code, stdout, stderr) = synccheck(&args);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let entry = &json["entries"][0];
    assert_eq!(entry["status"], "holds_relaxed");
    let probes: Vec<_> = (entry["probes"].as_array().expect("probes").iter())
        .map(|p| (p["bound"].as_u64(), p["unique_states"].as_u64()))
        .collect();
    assert_eq!(probes, [(None, Some(344)), (Some(0), Some(76))]);
}

#[test]
fn cli_bounds_rejects_bad_requests_with_exit_2() {
    for (args, needle) in [
        (&["bounds", "lww_register", "--up-to", "0"][..], "--up-to 0"),
        (
            &["bounds", "lww_register", "--assumption", "reliable_links"][..],
            "takes no bound",
        ),
        (
            &["bounds", "lww_register", "--property", "nope"][..],
            "valid: no_lost_update",
        ),
        (
            &["bounds", "lww_register", "--sweep", "write_gap_ticks=3..1"][..],
            "PARAM=A..B",
        ),
        (&["bounds", "two_phase_commit"][..], "untimed"),
        // A sweep outside the parameter's range names the sweep, not its first value
        // outside (`21`), and runs nothing.
        (
            &["bounds", "lww_register", "--sweep", "write_gap_ticks=1..60"][..],
            "--sweep write_gap_ticks=1..60: `write_gap_ticks` takes 1 to 20; keep the range inside it",
        ),
        (
            &["bounds", "lww_register", "--sweep", "variant=1..2"][..],
            "--sweep variant=1..2: `variant` is not an integer parameter of `lww_register`",
        ),
        (
            &["bounds", "lww_register", "--sweep", "gap=1..2"][..],
            "--sweep gap=1..2: `lww_register` has no parameter `gap`; integer ones: first_write_clock, write_gap_ticks",
        ),
    ] {
        let (code, _, stderr) = synccheck(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("model ``"),
            "no empty model name: {stderr}"
        );
    }
}

#[test]
fn cli_sweep_prints_a_table_and_writes_the_chart() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let svg = dir.path().join("sweep.svg");
    let (code, stdout, stderr) = synccheck(&[
        "bounds",
        "lww_register",
        "--set",
        "variant=physical",
        "--sweep",
        "write_gap_ticks=1..2",
        "--up-to",
        "2",
        "--threads",
        "2",
        "--svg",
        svg.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("1 ") || l.starts_with("2 "))
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert!(rows[0].contains("0 / 1"), "gap 1: {stdout}");
    assert!(rows[1].contains("1 / 2"), "gap 2: {stdout}");
    let chart = std::fs::read_to_string(&svg).expect("the chart was written");
    assert!(
        chart.starts_with("<svg"),
        "{}",
        &chart[..chart.len().min(80)]
    );
    assert!(chart.contains("write_gap_ticks"));
}

#[test]
fn plan_expect_bounds_met_mismatched_and_malformed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let plan = dir.path().join("plan.toml");
    let junit = dir.path().join("junit.xml");
    std::fs::write(
        &plan,
        r#"[[check]]
name = "pinned"
model = "lww_register"
params = { variant = "physical" }
expect_bounds = { no_lost_update = { bounded_skew = 1 } }

[[check]]
name = "moved"
model = "lww_register"
params = { variant = "physical", write_gap_ticks = 1 }
expect_bounds = { no_lost_update = { bounded_skew = 1 } }
"#,
    )
    .expect("written");
    let traces = dir.path().join("traces");
    let summary = dir.path().join("summary.md");
    let output = support::command()
        .args([
            "check",
            "--plan",
            plan.to_str().expect("UTF-8"),
            "--junit",
            junit.to_str().expect("UTF-8"),
            "--trace-dir",
            traces.to_str().expect("UTF-8"),
            "--format",
            "json",
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("the binary runs");
    let (code, stdout, stderr) = (
        output.status.code().unwrap_or(-1),
        support::stdout(&output),
        support::stderr(&output),
    );
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let pinned = &json["checks"][0]["bounds"][0];
    assert_eq!(pinned["met"], true);
    assert_eq!(pinned["at_bound"], "holds");
    assert_eq!(pinned["above_bound"], "violated");
    let moved = &json["checks"][1]["bounds"][0];
    assert_eq!(moved["met"], false);
    assert_eq!(moved["at_bound"], "violated", "gap 1 breaks at ε = 1");
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    assert!(xml.contains("no_lost_update@bounded_skew"));
    assert!(xml.contains("synccheck bounds lww_register"));
    // `--trace-dir` saves the counterexample behind each pinned boundary (found at
    // bounded_skew(2) for the met pin, at bounded_skew(1) for the moved one), and each
    // replays; the unmet pin's JUnit failure names its file, and the GitHub summary
    // draws it.
    let mut saved: Vec<std::path::PathBuf> = std::fs::read_dir(&traces)
        .expect("the trace directory")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    saved.sort();
    assert_eq!(saved.len(), 2, "{saved:?}");
    for path in &saved {
        let (code, _, stderr) = synccheck(&["replay", path.to_str().expect("UTF-8")]);
        assert_eq!(code, 0, "{}: {stderr}", path.display());
    }
    let held: Vec<String> = (saved.iter())
        .map(|path| {
            let trace: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
            trace["assumptions"]["held"].to_string()
        })
        .collect();
    assert!(
        held.iter().any(|h| h.contains("\"bounded_skew\":1")),
        "{held:?}"
    );
    assert!(
        held.iter().any(|h| h.contains("\"bounded_skew\":2")),
        "{held:?}"
    );
    assert_eq!(xml.matches("replay: synccheck replay ").count(), 1, "{xml}");
    let named = (xml.split("replay: synccheck replay ").nth(1))
        .and_then(|rest| rest.split(['\n', '<']).next())
        .unwrap_or_default();
    assert!(
        saved.contains(&std::path::PathBuf::from(named)),
        "{named} is not among {saved:?}"
    );
    assert!(
        xml.contains("(counterexample at bounded_skew(1): "),
        "{xml}"
    );
    let markdown = std::fs::read_to_string(&summary).expect("the summary is written");
    assert!(
        markdown.contains(
            "moved: counterexample for <code>no_lost_update@bounded_skew</code> at bounded_skew(1)"
        ),
        "{markdown}"
    );
    assert_eq!(markdown.matches("```mermaid").count(), 1, "{markdown}");

    std::fs::write(
        &plan,
        "[[check]]\nmodel = \"lww_register\"\nexpect_bounds = { no_lost_update = { reliable_links = 1 } }\n",
    )
    .expect("written");
    let (code, _, stderr) = synccheck(&["check", "--plan", plan.to_str().expect("UTF-8")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(":3:") && stderr.contains("not a numeric assumption"),
        "{stderr}"
    );
}
