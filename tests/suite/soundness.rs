//! No false verdict, whatever the limits and the thread count (issue #19): a state not
//! expanded makes a run incomplete; every phase (search, liveness, metrics, ablation)
//! keeps the same limits; lassos are shown along the edges the construction chose and
//! are fair; replay checks every recorded field; counterexamples do not depend on the
//! thread count; bad inputs are refused with exit code 2; the JSON graph export is
//! enough to re-decide the properties without synccheck.

use serde_json::{json, Value};
use stateright::{Model, Property};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use synccheck::catalog;
use synccheck::check::{self, Budget, CheckOptions, StopReason, Strategy, Verdict};
use synccheck::liveness::{decide_eventually, loop_unfairness, Fairness};
use synccheck::report::{Explain, TraceReport};
use synccheck::request::{resolve_params, AssumptionChanges, CheckRequest};
use synccheck::trace::{self, ReplayOutcome, TraceFile};

use crate::support;
use support::{assert_usage_error, break_necessities, synccheck, text};

// ---------------------------------------------------------------- small models ----

/// 0 → 1 → 2, and 2 has no enabled action: a deadlock at depth 2.
struct Chain;

impl Model for Chain {
    type State = u8;
    type Action = u8;
    fn init_states(&self) -> Vec<u8> {
        vec![0]
    }
    fn actions(&self, state: &u8, actions: &mut Vec<u8>) {
        if *state < 2 {
            actions.push(*state + 1);
        }
    }
    fn next_state(&self, _: &u8, action: u8) -> Option<u8> {
        Some(action)
    }
}

/// A client that fails and retries forever or succeeds; time passes on `tick`, which
/// stutters; a pending `deliver` stays enabled while waiting.
#[derive(Clone, Copy)]
struct Waiting;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    Sending,
    BackingOff,
    Done,
}

impl Model for Waiting {
    type State = Phase;
    type Action = &'static str;
    fn init_states(&self) -> Vec<Phase> {
        vec![Phase::Sending]
    }
    fn actions(&self, state: &Phase, actions: &mut Vec<&'static str>) {
        match state {
            Phase::Sending => actions.extend(["fail", "tick", "deliver"]),
            Phase::BackingOff => actions.extend(["retry", "tick"]),
            Phase::Done => actions.push("tick"),
        }
    }
    fn next_state(&self, state: &Phase, action: &'static str) -> Option<Phase> {
        match action {
            "fail" => Some(Phase::BackingOff),
            "retry" => Some(Phase::Sending),
            "deliver" => Some(Phase::Done),
            _ => Some(*state),
        }
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::eventually("done", |_, s| *s == Phase::Done)]
    }
}

impl Fairness for Waiting {
    fn fair_class(&self, action: &&'static str) -> Option<u64> {
        match *action {
            "tick" => Some(1),
            "deliver" => Some(2),
            "retry" => Some(3),
            _ => None,
        }
    }
    fn progress_class(&self) -> Option<u64> {
        Some(1)
    }
}

impl Explain for Waiting {
    fn explain_state(&self, state: &Phase) -> Value {
        json!(format!("{state:?}"))
    }
    fn explain_action(&self, action: &&'static str) -> (String, Value) {
        (action.to_string(), json!(action))
    }
}

// ------------------------------------------------------------------- helpers ----

/// A fresh directory under the system's temporary one, removed when dropped.
fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("synccheck-soundness-{name}-"))
        .tempdir()
        .expect("temp dir")
}

fn request(model: &str, sets: &[(&str, &str)], relax: &[&str]) -> CheckRequest {
    CheckRequest {
        model: model.to_string(),
        params: sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        changes: AssumptionChanges {
            relax_all: false,
            hold: Vec::new(),
            relax: relax.iter().map(|r| r.to_string()).collect(),
        },
    }
}

fn trace_of(request: &CheckRequest, property: &str) -> TraceFile {
    let report = catalog::registry()
        .run(request, &CheckOptions::default())
        .expect("the check runs");
    trace::traces_of(&report)
        .into_iter()
        .find(|t| t.property == property)
        .unwrap_or_else(|| panic!("{}: no trace of `{property}`", request.model))
}

fn replayed(trace: &TraceFile) -> ReplayOutcome {
    catalog::registry()
        .replay_file("edited", trace)
        .expect("the trace names a catalog model")
}

fn edited(trace: &TraceFile, edit: impl FnOnce(&mut Value)) -> TraceFile {
    let mut value = serde_json::to_value(trace).expect("serializable");
    edit(&mut value);
    serde_json::from_value(value).expect("still a trace file")
}

fn assert_diverges_at(trace: &TraceFile, pointer: &str) {
    match replayed(trace) {
        ReplayOutcome::Diverged { reason, .. } => {
            assert!(
                reason.contains(pointer),
                "`{pointer}` not named in: {reason}"
            )
        }
        other => panic!("an edit at {pointer} was accepted: {other:?}"),
    }
}

// ------------------------------------------------ 1. a state not expanded ----

#[test]
fn dfs_depth_bound_still_checks_the_states_at_the_bound_for_deadlocks() {
    for threads in [1, 2] {
        for strategy in [Strategy::Dfs, Strategy::Bfs] {
            let options = CheckOptions {
                strategy,
                threads,
                max_depth: Some(2),
                ..CheckOptions::default()
            };
            let outcome = check::run(&Chain, &options);
            let verdict = outcome
                .property(check::DEADLOCK_PROPERTY)
                .map(|p| p.verdict);
            assert_ne!(verdict, Some(Verdict::Holds), "{strategy:?} x{threads}");
            if strategy == Strategy::Dfs {
                assert_eq!(verdict, Some(Verdict::Violated), "x{threads}");
                let path = outcome
                    .property(check::DEADLOCK_PROPERTY)
                    .and_then(|p| p.path.as_ref());
                assert_eq!(path.map(|p| p.len()), Some(2));
            }
            // A bound below the deadlock: unknown, never holds.
            let shallow = check::run(
                &Chain,
                &CheckOptions {
                    max_depth: Some(1),
                    ..options
                },
            );
            assert!(!shallow.complete(), "{strategy:?} x{threads}");
            assert_eq!(
                shallow
                    .property(check::DEADLOCK_PROPERTY)
                    .map(|p| p.verdict),
                Some(Verdict::Unknown),
                "{strategy:?} x{threads}"
            );
        }
    }
}

/// A bounded search run inside a larger check's budget (break confirmation, the
/// fewest-breaks search) stops at its own depth bound. It once used only the
/// budget's (the check's: none), so a "violated without X within L steps" could
/// rest on a longer run.
#[test]
fn a_bounded_search_within_a_larger_budget_keeps_its_own_depth_bound() {
    let unbounded = Budget::unlimited();
    for strategy in [Strategy::Bfs, Strategy::Dfs] {
        let options = CheckOptions {
            strategy,
            max_depth: Some(1),
            ..CheckOptions::default()
        };
        let outcome = check::run_budgeted(&Chain, &options, None, &unbounded);
        assert_eq!(outcome.stop_reason, StopReason::DepthLimit, "{strategy:?}");
        assert_eq!(
            outcome
                .property(check::DEADLOCK_PROPERTY)
                .map(|p| p.verdict),
            Some(Verdict::Unknown),
            "{strategy:?}: the deadlock at depth 2 is beyond the bound"
        );
    }
    // The catalog case it hid: primary_backup async with every assumption but
    // duplication relaxed. Without `timely_timers` (or `bounded_delay`) the first
    // violation takes 9 steps, not 8: both breaks of the 8-step run are needed. The
    // same with one thread (the breaks confirmed one after the other) and three (side
    // by side, the other property's breaks with them).
    let mut claims = Vec::new();
    for threads in ["1", "3"] {
        let output = synccheck(&[
            "check",
            "primary_backup",
            "--set",
            "variant=async",
            "--relax-all",
            "--hold",
            "no_duplication",
            "--threads",
            threads,
            "--format",
            "json",
        ]);
        assert_eq!(output.status.code(), Some(1));
        let report: Value = serde_json::from_slice(&output.stdout).expect("json");
        let trace = &report["properties"][0]["counterexample"];
        assert_eq!(report["properties"][0]["name"], "acked_write_survives");
        assert_eq!(trace["length"], 8);
        let necessity = break_necessities(trace);
        assert_eq!(
            necessity,
            [
                ("bounded_delay", "necessary"),
                ("timely_timers", "necessary")
            ],
            "{threads} threads"
        );
        assert_eq!(trace["fewest_breaks"], "fewest");
        let all: Vec<Vec<(String, String)>> = report["properties"]
            .as_array()
            .expect("properties")
            .iter()
            .filter(|p| p["counterexample"].is_object())
            .map(|p| {
                break_necessities(&p["counterexample"])
                    .into_iter()
                    .map(|(a, n)| (a.to_string(), n.to_string()))
                    .collect()
            })
            .collect();
        assert!(all.len() >= 2, "two counterexamples, confirmed together");
        claims.push(all);
    }
    assert_eq!(claims[0], claims[1], "the same claims for 1 and 3 threads");
}

#[test]
fn a_state_limit_equal_to_the_space_is_complete_and_one_less_is_not() {
    for strategy in [Strategy::Bfs, Strategy::Dfs] {
        let exact = CheckOptions {
            strategy,
            max_states: Some(3),
            ..CheckOptions::default()
        };
        let outcome = check::run(&Chain, &exact);
        // DFS stops once every property is decided; neither is a state limit.
        assert!(
            matches!(
                outcome.stop_reason,
                StopReason::Complete | StopReason::AllDecided
            ),
            "{strategy:?}: {:?}",
            outcome.stop_reason
        );
        let less = CheckOptions {
            max_states: Some(2),
            ..exact
        };
        let outcome = check::run(&Chain, &less);
        assert_eq!(outcome.stop_reason, StopReason::StateLimit, "{strategy:?}");
    }
    // 2PC with 3 RMs has 288 states (TLC).
    let exact = synccheck(&[
        "check",
        "two_phase_commit",
        "--set",
        "rms=3",
        "--max-states",
        "288",
    ]);
    assert!(
        text(&exact.stdout).contains("complete (288 unique states"),
        "{}",
        text(&exact.stdout)
    );
    let less = synccheck(&[
        "check",
        "two_phase_commit",
        "--set",
        "rms=3",
        "--max-states",
        "287",
    ]);
    assert!(text(&less.stdout).contains("stopped: state limit"));
    assert_eq!(less.status.code(), Some(3));
}

// ----------------------------------------- 2. one budget for every phase ----

fn liveness_under(options: &CheckOptions) -> (Verdict, StopReason) {
    let mut outcome = check::run(&Waiting, &CheckOptions::default());
    assert!(outcome.complete());
    decide_eventually(&Waiting, &mut outcome, &Budget::start(options));
    let verdict = outcome.property("done").map(|p| p.verdict).expect("done");
    (verdict, outcome.stop_reason)
}

#[test]
fn the_liveness_phase_keeps_every_limit_and_says_which_cut_it() {
    let (verdict, reason) = liveness_under(&CheckOptions::default());
    assert_eq!((verdict, reason), (Verdict::Violated, StopReason::Complete));
    let cancelled = CheckOptions::default();
    cancelled.cancel.store(true, Ordering::Relaxed);
    assert_eq!(
        liveness_under(&cancelled),
        (Verdict::Unknown, StopReason::Cancelled)
    );
    let late = CheckOptions {
        timeout: Some(Duration::from_nanos(1)),
        ..CheckOptions::default()
    };
    assert_eq!(
        liveness_under(&late),
        (Verdict::Unknown, StopReason::TimeLimit)
    );
    let small = CheckOptions {
        max_states: Some(1),
        ..CheckOptions::default()
    };
    assert_eq!(
        liveness_under(&small),
        (Verdict::Unknown, StopReason::StateLimit)
    );
    // The loop Sending → BackingOff → Sending needs depth 2 in the graph.
    let shallow = CheckOptions {
        max_depth: Some(1),
        ..CheckOptions::default()
    };
    assert_eq!(
        liveness_under(&shallow),
        (Verdict::Unknown, StopReason::DepthLimit)
    );
    let memory = CheckOptions {
        max_memory_bytes: Some(1),
        ..CheckOptions::default()
    };
    if std::path::Path::new("/proc/self/statm").exists() {
        assert_eq!(
            liveness_under(&memory),
            (Verdict::Unknown, StopReason::MemoryLimit)
        );
    }
}

#[test]
fn the_metrics_pass_stops_at_the_timeout() {
    // Before: 28.9 s in the metrics pass with `--timeout 2`.
    let started = Instant::now();
    let output = synccheck(&[
        "check",
        "retry_amplification",
        "--relax-all",
        "--set",
        "variant=every_layer",
        "--set",
        "layers=4",
        "--set",
        "attempts=5",
        "--timeout",
        "1",
    ]);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    // Exit 1: a counterexample was found before the limit.
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    assert!(text(&output.stdout).contains("stopped: time limit"));
}

#[test]
fn assumptions_takes_a_timeout_for_all_its_runs_and_a_memory_limit() {
    let started = Instant::now();
    let output = synccheck(&[
        "assumptions",
        "at_least_once_queue",
        "--set",
        "variant=ack_after",
        "--timeout",
        "1",
    ]);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    let shown = text(&output.stdout);
    assert!(shown.contains("incomplete: stopped: time limit"), "{shown}");
    assert!(shown.contains("unknown"), "{shown}");
    let output = synccheck(&[
        "assumptions",
        "at_least_once_queue",
        "--set",
        "variant=ack_after",
        "--max-memory",
        "1",
        "--threads",
        "2",
    ]);
    let shown = text(&output.stdout);
    assert!(
        shown.contains("incomplete: stopped: memory limit"),
        "{shown}"
    );
    assert_usage_error(
        &["assumptions", "at_least_once_queue", "--timeout", "1e20"],
        &["--timeout 100000000000000000000: too large"],
    );
}

// ---------------------------------------------- 3. lassos that are fair ----

/// The pinned `eventually … = "violated"` checks of the catalog plans.
fn catalog_lasso_checks() -> Vec<synccheck::plan::PlanCheck> {
    let mut checks = Vec::new();
    let registry = catalog::registry();
    for source in registry.plans() {
        if !source.text.contains("[[check]]") {
            continue;
        }
        let plan = synccheck::plan::parse(&source.file, &source.text, &registry)
            .expect("the catalog plans parse");
        checks.extend(plan.checks.into_iter().filter(|c| {
            c.expect.iter().any(|(name, verdict)| {
                name.starts_with("eventually") && *verdict == Verdict::Violated
            })
        }));
    }
    checks
}

fn is_tick(step: &synccheck::report::StepReport) -> bool {
    step.action_detail == json!({"kind": "tick"})
}

#[test]
fn every_catalog_lasso_takes_a_tick_and_is_fair_by_itself() {
    let registry = catalog::registry();
    let checks = catalog_lasso_checks();
    assert!(checks.len() >= 10, "{} lasso checks", checks.len());
    let mut lassos = 0;
    for check in &checks {
        let result = synccheck::plan::run_check(check, &CheckOptions::default(), &registry);
        let report = result.report.expect("the check runs");
        for trace in trace::traces_of(&report) {
            let Some(start) = trace.loop_start else {
                continue;
            };
            lassos += 1;
            let looped = &trace.trace.steps[start - 1..];
            assert!(
                looped.iter().any(is_tick),
                "{}: the loop of `{}` never ticks: {:?}",
                check.name,
                trace.property,
                looped.iter().map(|s| &s.action).collect::<Vec<_>>()
            );
            // Replay checks that the loop closes and is fair by itself.
            assert_eq!(
                replayed(&trace),
                ReplayOutcome::Reproduced {
                    steps: trace.trace.steps.len()
                },
                "{}: `{}`",
                check.name,
                trace.property
            );
        }
    }
    assert!(lassos >= 10, "{lassos} lassos walked");
}

#[test]
fn the_loops_named_in_the_issue_now_tick() {
    let backoff = request("backoff_jitter", &[("jitter", "full")], &["bounded_skew"]);
    let trace = trace_of(&backoff, "eventually_all_succeed");
    let start = trace.loop_start.expect("a lasso");
    // Before: the loop was [drift ahead, drift behind] (the construction had chosen a
    // Tick between the same two states). Now: [tick, drift behind]: the server's clock
    // stands still while time passes.
    let looped: Vec<&str> = trace.trace.steps[start - 1..]
        .iter()
        .map(|s| s.action.as_str())
        .collect();
    assert_eq!(looped, ["tick", "clock of server drifts behind"]);
}

// ------------------------------------------------- 4. replay checks all ----

/// A JSON pointer and the edit at it.
type Edit = (&'static str, Box<dyn Fn(&mut Value)>);

#[test]
fn replay_names_every_edited_field_by_its_json_pointer() {
    let safety = trace_of(
        &request(
            "fenced_lease_lock",
            &[("variant", "writes")],
            &["bounded_pause"],
        ),
        "no_lost_increment",
    );
    assert_eq!(
        replayed(&safety),
        ReplayOutcome::Reproduced {
            steps: safety.trace.steps.len()
        }
    );
    let edits: Vec<Edit> = vec![
        (
            "/trace/steps/0/action",
            Box::new(|v| v["trace"]["steps"][0]["action"] = json!("deliver nothing")),
        ),
        (
            "/trace/steps/8/time_ticks",
            Box::new(|v| v["trace"]["steps"][8]["time_ticks"] = json!(9)),
        ),
        (
            "/trace/steps/2/clock_offsets_ticks/0",
            Box::new(|v| v["trace"]["steps"][2]["clock_offsets_ticks"][0] = json!(3)),
        ),
        (
            "/trace/steps/5/annotations",
            Box::new(|v| v["trace"]["steps"][5]["annotations"] = json!([])),
        ),
        (
            "/trace/breaks/0/step",
            Box::new(|v| v["trace"]["breaks"][0]["step"] = json!(7)),
        ),
        (
            "/trace/breaks/0/sentence",
            Box::new(|v| v["trace"]["breaks"][0]["sentence"] = json!("fine")),
        ),
        (
            "/trace/breaks/0/necessity",
            Box::new(|v| v["trace"]["breaks"][0]["necessity"] = json!("also_violated_without_it")),
        ),
        ("/nodes/0", Box::new(|v| v["nodes"][0] = json!("elsewhere"))),
        (
            "/property_kind",
            Box::new(|v| v["property_kind"] = json!("sometimes")),
        ),
        (
            "/trace/steps/3/state",
            Box::new(|v| v["trace"]["steps"][3]["state"]["crashes"] = json!(1)),
        ),
    ];
    for (pointer, edit) in edits {
        assert_diverges_at(&edited(&safety, edit), pointer);
    }
}

/// A trace saved before synccheck wrote `1 tick` (it wrote `1 ticks`) still replays:
/// its sentences are read in today's words. Any other change to a sentence diverges.
#[test]
fn a_trace_in_the_old_words_still_replays_and_a_changed_count_does_not() {
    let trace = trace_of(
        &request(
            "primary_backup",
            &[("variant", "async")],
            &["bounded_delay"],
        ),
        "acked_write_survives",
    );
    let sentence = trace.trace.breaks[0].sentence.clone();
    assert!(sentence.contains(" is 1 tick old"), "{sentence}");
    let reproduced = ReplayOutcome::Reproduced {
        steps: trace.trace.steps.len(),
    };
    let in_words = |from: &'static str, to: &'static str| {
        edited(&trace, |v| {
            let text = serde_json::to_string(v).expect("serializable");
            *v = serde_json::from_str(&text.replace(from, to)).expect("still JSON");
        })
    };
    let old = in_words(" is 1 tick old", " is 1 ticks old");
    assert!(
        serde_json::to_string(&old)
            .expect("serializable")
            .contains(" is 1 ticks old"),
        "the edit took"
    );
    assert_eq!(replayed(&old), reproduced);
    assert_diverges_at(
        &in_words(" is 1 tick old", " is 2 ticks old"),
        "/trace/breaks/0/sentence",
    );
}

#[test]
fn replay_refuses_a_loop_without_time_or_without_fairness() {
    // The lasso shown before the fix: its loop is a clock drifting ahead and back.
    let zeno: TraceFile = trace::parse(
        "tests/data/backoff_jitter_zeno_loop.trace.json",
        include_str!("../data/backoff_jitter_zeno_loop.trace.json"),
    )
    .expect("a well-formed trace");
    match replayed(&zeno) {
        ReplayOutcome::Diverged { step, reason } => {
            assert_eq!(step, zeno.trace.steps.len() + 1);
            assert!(reason.contains("never lets time advance"), "{reason}");
        }
        other => panic!("a Zeno loop was accepted: {other:?}"),
    }
    // A bare tick while `deliver` stays enabled and is never taken.
    let states = [Phase::Sending, Phase::Sending];
    let unfair = loop_unfairness(&Waiting, &states, &["tick"]).expect("unfair");
    assert!(
        unfair.contains("`deliver` is enabled in every state"),
        "{unfair}"
    );
    let zeno = loop_unfairness(
        &Waiting,
        &[Phase::BackingOff, Phase::Sending, Phase::BackingOff],
        &["retry", "fail"],
    );
    assert!(zeno.is_some_and(|r| r.contains("never lets time advance")));
    let fair = [
        Phase::Sending,
        Phase::BackingOff,
        Phase::BackingOff,
        Phase::Sending,
    ];
    assert_eq!(
        loop_unfairness(&Waiting, &fair, &["fail", "tick", "retry"]),
        None
    );
    // Through replay: the same unfair loop as a saved trace of the small model.
    let path = check::Path::<Waiting> {
        states: vec![Phase::Sending, Phase::Sending],
        actions: vec!["tick"],
    };
    let mut report: TraceReport = Waiting.explain_path(&path);
    report.loop_start = Some(1);
    let file = TraceFile {
        schema_version: trace::TRACE_SCHEMA_VERSION,
        model: "waiting".to_string(),
        params: Default::default(),
        assumptions: None,
        no_lean: false,
        property: "done".to_string(),
        property_kind: synccheck::system::PropertyKind::Eventually,
        nodes: Vec::new(),
        loop_start: Some(1),
        trace: report,
    };
    match trace::replay(&Waiting, &file) {
        ReplayOutcome::Diverged { reason, .. } => assert!(reason.contains("not fair"), "{reason}"),
        other => panic!("an unfair loop was accepted: {other:?}"),
    }
}

// ----------------------------------- 5. one counterexample per check ----

/// Cheap catalog checks with counterexamples (the whole plan is minutes): the two the
/// issue names and one of each kind of path (safety, reached example, lasso).
const DETERMINISM_CHECKS: &[&str] = &[
    "quorum_register no_write_back, lossy links",
    "fenced_lease_lock writes, pauses",
    "backoff_jitter jitter=full",
    "concurrent_failover independent, pauses",
    "tombstone_gc all acks, pauses",
];

#[test]
fn counterexamples_are_the_same_for_one_and_two_threads_and_every_run() {
    let mut found = 0;
    let registry = catalog::registry();
    for source in registry.plans() {
        if !source.text.contains("[[check]]") {
            continue;
        }
        let plan = synccheck::plan::parse(&source.file, &source.text, &registry)
            .expect("the catalog plans parse");
        for check in plan
            .checks
            .iter()
            .filter(|c| DETERMINISM_CHECKS.contains(&c.name.as_str()))
        {
            found += 1;
            let run = |threads: usize| {
                let options = CheckOptions {
                    threads,
                    ..CheckOptions::default()
                };
                let report = synccheck::plan::run_check(check, &options, &registry)
                    .report
                    .expect("the check runs");
                let paths: Vec<Value> = report
                    .properties
                    .iter()
                    .map(|p| json!([p.name, p.verdict, p.counterexample, p.example_length]))
                    .collect();
                assert!(
                    report.properties.iter().any(|p| p.counterexample.is_some()),
                    "{}",
                    check.name
                );
                (paths, report.stats.unique_states)
            };
            let one = run(1);
            for attempt in 0..3 {
                assert_eq!(run(2), one, "{}: 2 threads, run {attempt}", check.name);
            }
        }
    }
    assert_eq!(
        found,
        DETERMINISM_CHECKS.len(),
        "a named check is missing from the plans"
    );
}

#[test]
fn paths_are_the_same_for_any_thread_count_even_where_workers_contend() {
    // More workers than cores: workers meet the same new states out of level order, so
    // claims are taken over and states pushed twice (each must be expanded once: the
    // generated count says so); a run cut by a limit mid-level rebuilds its paths
    // through claims of the levels it recorded.
    let runs: [&[&str]; 3] = [
        &["two_phase_commit", "--set", "rms=5"],
        &[
            "fenced_lease_lock",
            "--set",
            "variant=none",
            "--relax-all",
            "--hold",
            "no_duplication",
        ],
        // Cut at depth 10, after every path it reports (≤ 9 steps) was found.
        &[
            "primary_backup",
            "--set",
            "variant=async",
            "--relax-all",
            "--max-states",
            "60000",
        ],
    ];
    for args in runs {
        let run = |threads: &str| {
            let mut all = vec!["check"];
            all.extend_from_slice(args);
            all.extend_from_slice(&["--threads", threads, "--format", "json", "-q"]);
            let output = synccheck(&all);
            let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
            let paths: Vec<Value> = report["properties"]
                .as_array()
                .expect("properties")
                .iter()
                .map(|p| {
                    json!([
                        p["name"],
                        p["verdict"],
                        p["counterexample"],
                        p["example_length"]
                    ])
                })
                .collect();
            // A cut run's counts depend on where each worker was when the limit hit.
            let stats = match report["stop_reason"].as_str() {
                Some("complete") => json!([
                    report["stats"]["unique_states"],
                    report["stats"]["generated_states"],
                    report["stats"]["max_depth"]
                ]),
                _ => Value::Null,
            };
            (
                output.status.code(),
                report["stop_reason"].clone(),
                stats,
                paths,
            )
        };
        let one = run("1");
        assert!(
            one.3.iter().any(|p| !p[2].is_null() || !p[3].is_null()),
            "{args:?}: a path to compare"
        );
        for threads in ["2", "3", "8", "2", "8"] {
            assert_eq!(run(threads), one, "{args:?} with {threads} threads");
        }
    }
}

// ---------------------------------------------- 6. inputs that slip ----

#[test]
fn limits_that_are_not_limits_are_refused() {
    assert_usage_error(
        &["check", "fenced_lease_lock", "--timeout", "1e20"],
        &["--timeout", "too large"],
    );
    assert_usage_error(
        &[
            "check",
            "fenced_lease_lock",
            "--max-memory",
            "17592186044416",
        ],
        &["--max-memory 17592186044416: too large"],
    );
    // `bounds` too (it used to multiply without a check: a limit of 0 in release).
    assert_usage_error(
        &["bounds", "lww_register", "--max-memory", "17592186044416"],
        &["--max-memory 17592186044416: too large"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--hold", "no_crash=5"],
        &["no_crash", "already means a bound of 0", "max_crashes=5"],
    );
    assert_usage_error(
        &[
            "check",
            "fenced_lease_lock",
            "--set",
            "variant=none",
            "--set",
            "variant=writes",
        ],
        &["`--set variant` is given twice", "`none`", "`writes`"],
    );
    let dir = temp_dir("plans");
    let plan = dir.path().join("zero.toml");
    std::fs::write(
        &plan,
        "[[check]]\nmodel = \"fenced_lease_lock\"\nmax_states = 0\nexpect = { no_lost_increment = \"holds\" }\n",
    )
    .expect("write");
    let shown = plan.display().to_string();
    assert_usage_error(
        &["check", "--plan", &shown],
        &[&format!("{shown}:3:14"), "max_states"],
    );
}

#[test]
fn bad_trace_files_and_reports_exit_2_with_a_message() {
    let dir = temp_dir("traces");
    let good = trace_of(
        &request("backoff_jitter", &[("jitter", "full")], &["bounded_skew"]),
        "eventually_all_succeed",
    );
    let write = |name: &str, edit: &dyn Fn(&mut Value)| {
        let mut value = serde_json::to_value(&good).expect("serializable");
        edit(&mut value);
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).expect("write");
        path.display().to_string()
    };
    let text_version = write("version.json", &|v| v["schema_version"] = json!("1"));
    assert_usage_error(
        &["replay", &text_version],
        &["/schema_version", "write the integer 1"],
    );
    let unknown = write("unknown.json", &|v| {
        v["property"] = json!("no_such_property")
    });
    assert_usage_error(
        &["replay", &unknown],
        &["/property", "no property `no_such_property`"],
    );

    // A plan report with an errored check: merge says which, exit 2.
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[check]]\nname = \"broken\"\nmodel = \"backoff_jitter\"\nexpect = { all_succeed = \"reached\" }\n",
    )
    .expect("write");
    let ran = synccheck(&[
        "check",
        "--plan",
        &plan.display().to_string(),
        "--format",
        "json",
    ]);
    let mut report: Value = serde_json::from_slice(&ran.stdout).expect("a plan report");
    report["checks"][0]["error"] = json!("model build failed");
    report["checks"][0]["report"] = Value::Null;
    report["checks"][0]["expectations"] = json!([]);
    report["met"] = json!(false);
    let path = dir.path().join("errored.json");
    std::fs::write(&path, report.to_string()).expect("write");
    assert_usage_error(
        &["merge", &path.display().to_string()],
        &["check `broken` did not run: model build failed"],
    );
}

#[test]
fn an_unwritable_junit_path_is_refused_before_any_check_runs() {
    let started = Instant::now();
    let output = synccheck(&["check", "--all", "--junit", "/nonexistent-dir/x/report.xml"]);
    let message = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("--junit /nonexistent-dir/x/report.xml: cannot write here"),
        "{message}"
    );
    assert!(!message.contains("[1/"), "a check ran first: {message}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ------------------------------------------ 7. a graph export to re-check ----

/// Re-decides `always`/`sometimes`/`deadlock_free` from the JSON export alone.
fn redecide(graph: &Value) -> Vec<(String, Verdict)> {
    let states = graph["states"].as_array().expect("states");
    let edges = graph["edges"].as_array().expect("edges");
    let mut verdicts = Vec::new();
    for property in graph["properties"].as_array().expect("properties") {
        let name = property["name"].as_str().expect("name");
        let values = states
            .iter()
            .map(|s| s["properties"][name].as_bool().expect("bool"));
        let verdict = match property["kind"].as_str() {
            Some("always") if values.clone().all(|v| v) => Verdict::Holds,
            Some("always") => Verdict::Violated,
            Some("sometimes") if values.clone().any(|v| v) => Verdict::Reached,
            Some("sometimes") => Verdict::Unreached,
            _ => continue,
        };
        verdicts.push((name.to_string(), verdict));
    }
    let moving: std::collections::BTreeSet<u64> = edges
        .iter()
        .map(|e| e["from"].as_u64().expect("from"))
        .collect();
    let deadlock_free = if moving.len() == states.len() {
        Verdict::Holds
    } else {
        Verdict::Violated
    };
    verdicts.push((check::DEADLOCK_PROPERTY.to_string(), deadlock_free));
    verdicts
}

#[test]
fn the_json_graph_is_enough_to_redecide_always_and_sometimes() {
    let cases = [
        request("two_phase_commit", &[("rms", "3")], &[]),
        request("backoff_jitter", &[("jitter", "full")], &["bounded_skew"]),
        request(
            "concurrent_failover",
            &[("variant", "independent")],
            &["bounded_pause"],
        ),
        request("retry_non_idempotent", &[], &[]),
    ];
    let registry = catalog::registry();
    for case in &cases {
        let entry = registry.find(&case.model).expect("model");
        let params =
            resolve_params(entry.name(), entry.parameters(), &case.params).expect("params");
        let graph = entry
            .graph(&params, &case.changes, 50_000, false)
            .expect("graph");
        let graph = serde_json::to_value(&graph).expect("JSON");
        assert_eq!(graph["schema_version"], 1);
        assert_eq!(graph["truncated"], false, "{}", case.model);
        let initial = graph["states"]
            .as_array()
            .expect("states")
            .iter()
            .filter(|s| s["initial"] == true)
            .count();
        assert!(initial >= 1, "{}", case.model);
        let report = registry.run(case, &CheckOptions::default()).expect("check");
        assert!(report.complete);
        for (name, verdict) in redecide(&graph) {
            assert_eq!(
                report.property(&name).map(|p| p.verdict),
                Some(verdict),
                "{}: `{name}` re-decided from the export",
                case.model
            );
        }
    }
}

#[test]
fn the_json_graph_keeps_stuttering_steps_and_fairness_classes() {
    let output = synccheck(&[
        "graph",
        "two_phase_commit",
        "--set",
        "rms=3",
        "--as",
        "json",
    ]);
    let graph: Value = serde_json::from_str(&text(&output.stdout)).expect("JSON");
    let states = graph["states"].as_array().expect("states").len();
    assert_eq!(states, 288);
    let edges = graph["edges"].as_array().expect("edges");
    let moving: std::collections::BTreeSet<u64> = edges
        .iter()
        .map(|e| e["from"].as_u64().expect("from"))
        .collect();
    // Before: 28 states had no out-edge although 2PC does not deadlock.
    assert_eq!(moving.len(), states, "every state has an out-edge");
    assert!(edges.iter().any(|e| e["stutter"] == true));
    let timed = synccheck(&["graph", "backoff_jitter", "--as", "json"]);
    let graph: Value = serde_json::from_str(&text(&timed.stdout)).expect("JSON");
    assert!(graph["progress_class"].is_string());
    let edges = graph["edges"].as_array().expect("edges");
    assert!(edges
        .iter()
        .any(|e| e["fair_class"] == graph["progress_class"]));
    assert!(edges.iter().all(|e| e["action_detail"].is_object()));
}
