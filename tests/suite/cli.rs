//! The command line as a user runs it: exit codes, messages, JSON, plans.

use crate::support;
use support::{
    assert_usage_error, json_report, paused_lease_lock, stderr, stdout, synccheck, write_plan,
};

#[test]
fn two_phase_commit_json_reports_tlc_count_and_exit_zero() {
    let output = synccheck(&[
        "check",
        "two_phase_commit",
        "--set",
        "rms=3",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["model"], "two_phase_commit");
    assert_eq!(report["params"]["rms"], "3");
    assert_eq!(report["complete"], true);
    assert_eq!(report["stats"]["unique_states"], 288);
    assert!(report["stats"]["generated_states"]
        .as_u64()
        .is_some_and(|g| g >= 288));
    assert!(report["stats"]["seconds"].is_number());
    let properties = report["properties"].as_array().expect("properties");
    assert_eq!(properties.len(), 5);
    for property in properties {
        let verdict = property["verdict"].as_str().expect("verdict");
        assert!(verdict == "holds" || verdict == "reached", "{property}");
    }
}

#[test]
fn paused_client_with_write_fencing_exits_one_and_names_the_break() {
    let output = synccheck(&paused_lease_lock("check", &[]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("no_lost_increment  always      violated (counterexample: 22 steps)"),
        "{text}"
    );
    assert!(
        text.contains("Counterexample for `no_lost_increment` (22 steps):"),
        "{text}"
    );
    assert!(
        text.contains("pauses: bounded_pause(0) broken here"),
        "{text}"
    );
    assert!(
        text.contains("relaxed: bounded_pause, fifo_links"),
        "{text}"
    );
    // The final state node by node, by name, then the messages still in flight.
    assert!(
        text.contains(
            "  final state (t=5):\n    lock: Lock{holder:[client_b,2],next_token:3,\
             served:[client_a,client_b],waiting:[]} · timers LeaseExpiry in 5\n    \
             storage: Storage{highest_token:2,value:1}\n    client_a: Client{"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "    network (2):\n      Release{token:1} client_a→lock, age 0\n      \
             Release{token:2} client_b→lock, age 0\n    ghost: acknowledged(2)\n  \
             Where the relaxed assumptions broke:"
        ),
        "{text}"
    );
}

/// An untimed model's final state: one line per field, no true time.
#[test]
fn an_untimed_counterexample_ends_with_its_state_field_by_field() {
    let output = synccheck(&[
        "check",
        "raft_commit_rule",
        "--set",
        "commit_rule=count_replicas",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("  final state:\n    applied: [[1,2],[]]\n    servers: [{commitIndex:1,"),
        "{text}"
    );
}

#[test]
fn json_counterexample_has_structured_steps_and_breaks() {
    let output = synccheck(&[
        "check",
        "fenced_lease_lock",
        "--set",
        "variant=none",
        "--relax",
        "bounded_pause",
        "--format",
        "json",
        "--threads",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["assumptions"]["held"]["bounded_delay"], 1);
    assert!(report["assumptions"]["relaxed"]
        .as_array()
        .expect("list")
        .iter()
        .any(|a| a == "bounded_pause"));
    let property = &report["properties"][0];
    assert_eq!(property["name"], "no_lost_increment");
    assert_eq!(property["kind"], "always");
    assert_eq!(property["verdict"], "violated");
    let trace = &property["counterexample"];
    assert_eq!(trace["length"], 22);
    assert_eq!(trace["steps"].as_array().map(Vec::len), Some(22));
    assert!(trace["steps"][0]["action_detail"]["kind"].is_string());
    assert!(trace["steps"][0]["state"]["nodes"].is_array());
    assert_eq!(trace["breaks"][0]["assumption"], "bounded_pause");
}

/// The README's class-guide example: subsumption is on and covers nothing there, and
/// the report says so rather than "0 of them stored but not expanded".
#[test]
fn the_subsumption_line_when_nothing_was_covered() {
    let output = synccheck(&[
        "check",
        "fenced_lease_lock",
        "--set",
        "variant=all",
        "--relax-all",
        "--hold",
        "no_duplication",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("\nsubsumption: on; no stored state was covered by one with younger messages, shorter pauses or nearer timers, so none went unexpanded for that (--no-subsumption: expand every state)\n"),
        "{text}"
    );
    assert!(!text.contains("0 of them"), "{text}");
}

#[test]
fn a_state_limit_exits_three_with_unknown() {
    let output = synccheck(&[
        "check",
        "fenced_lease_lock",
        "--max-states",
        "50",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["complete"], false);
    assert_eq!(report["stop_reason"], "state_limit");
    for property in report["properties"].as_array().expect("properties") {
        assert_ne!(property["verdict"], "holds", "a limit hit is never `holds`");
    }
    assert_eq!(report["properties"][0]["verdict"], "unknown");
    assert!(
        report.get("later_cut").is_none(),
        "the search itself was cut: {report}"
    );
}

/// A limit that stops the metrics pass after a search that finished is reported as the
/// metrics pass's, not the search's: the search line keeps its own ending and counts,
/// and the maximum is shown as a lower bound.
#[test]
fn a_limit_that_stops_the_metrics_pass_is_reported_there() {
    let args = [
        "check",
        "retry_amplification",
        "--relax-all",
        "--max-states",
        "10000",
    ];
    let output = synccheck(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["complete"], false);
    assert_eq!(report["stop_reason"], "state_limit");
    assert_eq!(
        report["later_cut"],
        serde_json::json!({"phase": "metrics", "search": "all_decided"})
    );
    assert_eq!(
        report["stats"]["unique_states"], 57,
        "the search's own count"
    );
    assert_eq!(report["properties"][0]["verdict"], "violated");
    assert_eq!(report["metrics_lower_bounds"], true);
    let text = stdout(&synccheck(&args));
    assert!(
        text.contains("stopped: every property decided (57 unique states"),
        "{text}"
    );
    assert!(
        text.contains("metrics pass: stopped: state limit of --max-states, or of 2000000 states where it sets none (metric maxima are of the states it reached; the check is incomplete)"),
        "{text}"
    );
    assert!(
        text.contains("metric database_attempts_per_request: at least "),
        "{text}"
    );
}

/// A metric is a lower bound only when the metrics pass itself was stopped: a limit
/// that cut the search (or the liveness graph) leaves a metrics pass that finished
/// exact, and the report says `at least` only where it is one.
#[test]
fn a_metric_is_a_lower_bound_only_when_its_own_pass_was_stopped() {
    let output = synccheck(&["check", "retry_amplification", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["complete"], true);
    assert!(
        report.get("metrics_lower_bounds").is_none(),
        "absent when the pass finished: {report}"
    );
    let render = |report: &serde_json::Value| {
        let report: synccheck::report::CheckReport =
            serde_json::from_value(report.clone()).expect("a report");
        synccheck::report::render_human(&report)
    };
    let exact = "metric database_attempts_per_request: 3 (maximum over the reachable states)";
    assert!(render(&report).contains(exact), "{}", render(&report));
    // The search stopped by the clock, the metrics pass finished: still exact.
    report["complete"] = false.into();
    report["stop_reason"] = "time_limit".into();
    assert!(render(&report).contains(exact), "{}", render(&report));
    report["metrics_lower_bounds"] = true.into();
    assert!(
        render(&report).contains("metric database_attempts_per_request: at least 3 ("),
        "{}",
        render(&report)
    );
}

#[test]
fn bad_input_exits_two_and_lists_the_valid_choices() {
    assert_usage_error(
        &["check", "no_such_model"],
        &[
            "unknown model `no_such_model`",
            "valid models: ",
            "fenced_lease_lock",
        ],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--set", "colour=red"],
        &[
            "no parameter `colour`",
            "valid parameters: variant, lease_ticks, validity_ticks",
        ],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--set", "variant=maybe"],
        &["invalid value `maybe`", "one of none, writes, all"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--set", "lease_ticks=x"],
        &["invalid value `x`", "an integer from 1 to 20"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--set", "variant"],
        &["malformed `--set variant`"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--relax", "bounded_latency"],
        &[
            "unknown assumption `bounded_latency`",
            "valid assumptions: bounded_delay",
        ],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--hold", "bounded_delay=-1"],
        &["invalid bound for `bounded_delay`"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--hold", "bounded_pause=1000"],
        &["above the largest supported bound"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--hold", "reliable_links=3"],
        &["takes no bound"],
    );
    assert_usage_error(
        &["check", "two_phase_commit", "--relax", "bounded_delay"],
        &["untimed"],
    );
    assert_usage_error(
        &["check", "two_phase_commit", "--set", "rms=0"],
        &["an integer from 1 to 12"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--timeout", "0"],
        &["--timeout 0: expected a positive number of seconds"],
    );
    assert_usage_error(
        &["check", "fenced_lease_lock", "--strategy", "bogo"],
        &["bogo"],
    );
    assert_usage_error(&["check"], &["required"]);
    assert_usage_error(
        &["check", "--plan", "/nonexistent/plan.toml"],
        &["/nonexistent/plan.toml"],
    );
}

/// `--property` searches only what it names: the report lists those and says so, the
/// verdicts are the whole check's, and a selection without the `eventually` property
/// stores no message ages where `bounded_delay` is relaxed (76 states against 174).
#[test]
fn a_property_selection_searches_only_what_it_names_and_may_store_less() {
    let base = [
        "check",
        "concurrent_failover",
        "--set",
        "variant=compare_and_set",
        "--relax",
        "bounded_delay",
    ];
    let run = |more: &[&str]| -> serde_json::Value {
        let args: Vec<&str> = (base.iter().chain(more).chain(&["--format", "json"]))
            .copied()
            .collect();
        json_report(&args, 0)
    };
    let verdicts = |report: &serde_json::Value| -> Vec<(String, String)> {
        (report["properties"].as_array().expect("properties").iter())
            .map(|p| {
                let field = |key: &str| p[key].as_str().unwrap_or("?").to_string();
                (field("name"), field("verdict"))
            })
            .collect()
    };
    let whole = run(&[]);
    let selected = run(&[
        "--property",
        "at_most_one_primary",
        "--property",
        "eventually_one_primary",
    ]);
    let safety = run(&["--property", "at_most_one_primary"]);
    let pair = |name: &str, verdict: &str| (name.to_string(), verdict.to_string());
    assert_eq!(
        verdicts(&whole),
        [
            pair("at_most_one_primary", "holds"),
            pair("primary_promoted", "reached"),
            pair("eventually_one_primary", "holds"),
            pair("deadlock_free", "holds"),
        ]
    );
    assert!(whole.get("only_properties").is_none(), "{whole}");
    assert_eq!(
        verdicts(&selected),
        [
            pair("at_most_one_primary", "holds"),
            pair("eventually_one_primary", "holds")
        ]
    );
    assert_eq!(verdicts(&safety), [pair("at_most_one_primary", "holds")]);
    assert_eq!(
        safety["only_properties"],
        serde_json::json!(["at_most_one_primary"])
    );
    // With `eventually_one_primary` searched the message ages are stored, as in the
    // whole check; without it they are not, and the space is smaller.
    let states = |report: &serde_json::Value| report["stats"]["unique_states"].as_u64();
    assert_eq!(states(&whole), Some(174));
    assert_eq!(states(&selected), Some(174));
    assert_eq!(states(&safety), Some(76));
    let args: Vec<&str> = (base.iter().chain(&["--property", "at_most_one_primary"]))
        .copied()
        .collect();
    let human = synccheck(&args);
    assert_eq!(human.status.code(), Some(0), "{}", stderr(&human));
    assert!(
        stdout(&human).contains(
            "properties: only at_most_one_primary (selected: the model's others were not searched)"
        ),
        "{}",
        stdout(&human)
    );
    // With every assumption relaxed the whole check's safety search runs on the message
    // set and its `eventually` on the multiset network; a selection of the `always`
    // property does not put the whole check there (its runs would be runs of an
    // uncapped network that the saved trace's replay, built with every property, does
    // not have): the same network line, the same counterexample, and it replays.
    let dir = tempfile::tempdir().expect("temp dir");
    let traces = dir.path().to_string_lossy().into_owned();
    let everything = |more: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "check",
            "concurrent_failover",
            "--set",
            "variant=independent",
        ];
        args.extend(["--relax-all", "--format", "json"]);
        args.extend_from_slice(more);
        json_report(&args, 1)
    };
    let whole = everything(&[]);
    let safety = everything(&["--property", "at_most_one_primary", "--trace-dir", &traces]);
    assert_eq!(safety["network"], whole["network"]);
    let length =
        |report: &serde_json::Value| report["properties"][0]["counterexample"]["length"].as_u64();
    assert_eq!(length(&safety), Some(12));
    assert_eq!(length(&safety), length(&whole));
    let saved: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the trace directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path().to_string_lossy().into_owned())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let replay = synccheck(&["replay", &saved[0]]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));

    // A plan check that searches `deadlock_free` cannot run under --no-deadlock.
    let (_plan_dir, plan) = write_plan(
        "[[check]]\nname = \"deadlocks\"\nmodel = \"two_phase_commit\"\nproperties = [\"deadlock_free\"]\nexpect = { deadlock_free = \"holds\" }\n",
    );
    assert_usage_error(
        &["check", "--plan", &plan, "--no-deadlock"],
        &[":1:1: check `deadlocks` searches deadlock_free (key `properties`), which --no-deadlock turns off"],
    );

    // A plain stateright model: the search keeps only what is selected.
    let plain = json_report(
        &[
            "check",
            "two_phase_commit",
            "--property",
            "commit_reached",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(verdicts(&plain), [pair("commit_reached", "reached")]);
    assert_usage_error(
        &["check", "two_phase_commit", "--property", "consistant"],
        &[
            "--property consistant: no such property (did you mean `consistent`?)",
            "valid properties: ",
        ],
    );
    assert_usage_error(
        &[
            "check",
            "fenced_lease_lock",
            "--property",
            "deadlock_free",
            "--no-deadlock",
        ],
        &["--property deadlock_free and --no-deadlock contradict each other"],
    );
    // A simulation's flags on another search would change nothing: refused.
    assert_usage_error(
        &["check", "two_phase_commit", "--seed", "5"],
        &["--seed is for --strategy simulation (the search here is bfs"],
    );
    assert_usage_error(
        &[
            "check",
            "two_phase_commit",
            "--strategy",
            "dfs",
            "--walks",
            "5",
        ],
        &["--walks is for --strategy simulation (the search here is dfs"],
    );
    assert_usage_error(
        &["check", "--all", "--property", "no_lost_increment"],
        &["--property", "cannot be used with"],
    );
}

#[test]
fn list_shows_models_parameters_assumptions_and_properties() {
    let output = synccheck(&["list"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("fenced_lease_lock [recovery]"), "{text}");
    assert!(
        text.contains("param variant=all (none|writes|all)"),
        "{text}"
    );
    assert!(text.contains("leans on bounded_pause(0)"), "{text}");
    assert!(
        text.contains("always no_lost_increment, sometimes both_incremented"),
        "{text}"
    );
    assert!(text.contains("two_phase_commit [recovery]"), "{text}");
    assert!(text.contains("param rms=3 (1..=12)"), "{text}");
    let json = synccheck(&["list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("valid JSON");
    assert_eq!(list["schema_version"], 1);
    assert_eq!(list["synccheck_version"], env!("CARGO_PKG_VERSION"));
    assert!(list["models"].as_array().is_some_and(|m| m.len() >= 2));
}

#[test]
fn a_plan_with_one_unmet_expectation_exits_one_with_a_summary() {
    let (_dir, path) = write_plan(
        r#"
[[check]]
name = "met"
model = "two_phase_commit"
params = { rms = 2 }
expect = { consistent = "holds" }

[[check]]
name = "unmet"
model = "fenced_lease_lock"
params = { variant = "writes" }
relax = ["bounded_pause"]
expect = { no_lost_increment = "holds" }
"#,
    );
    let output = synccheck(&["check", "--plan", &path]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        // The property column fits the longest property (`no_lost_increment`).
        text.contains("met    consistent         holds      holds      ok\n"),
        "{text}"
    );
    assert!(
        text.contains("unmet  no_lost_increment  holds      violated   MISMATCH\n"),
        "{text}"
    );
    assert!(
        text.contains("1 of 2 expectations met in 2 checks"),
        "{text}"
    );
    assert!(text.contains("bounded_pause(0) broken here"), "{text}");
    let json = synccheck(&["check", "--plan", &path, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("valid JSON");
    assert_eq!(report["met"], false);
    assert_eq!(report["checks"].as_array().map(Vec::len), Some(2));
}

/// A plan check's `properties` key is `--property`: the check searches only those, and
/// an unnamed check's name says so (two checks that differ only there do not collide).
#[test]
fn a_plan_checks_properties_key_selects_as_the_flag_does() {
    let (_dir, path) = write_plan(
        r#"
[[check]]
model = "two_phase_commit"
params = { rms = 2 }
properties = ["consistent"]
expect = { consistent = "holds" }

[[check]]
model = "two_phase_commit"
params = { rms = 2 }
properties = ["commit_reached", "deadlock_free"]
expect = { commit_reached = "reached", deadlock_free = "holds" }
"#,
    );
    let report = json_report(&["check", "--plan", &path, "--format", "json"], 0);
    let checks = report["checks"].as_array().expect("checks");
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "two_phase_commit rms=2 --property consistent",
            "two_phase_commit rms=2 --property commit_reached --property deadlock_free"
        ]
    );
    let searched = |check: &serde_json::Value| -> Vec<String> {
        (check["report"]["properties"]
            .as_array()
            .expect("properties")
            .iter())
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect()
    };
    assert_eq!(searched(&checks[0]), ["consistent"]);
    assert_eq!(searched(&checks[1]), ["commit_reached", "deadlock_free"]);
    assert_eq!(
        checks[0]["report"]["only_properties"],
        serde_json::json!(["consistent"])
    );
    // A misspelt selection is the one error: no "searches only" for the expectations.
    let (_typo_dir, typo) = write_plan(
        "[[check]]\nmodel = \"two_phase_commit\"\nproperties = [\"consistant\"]\nexpect = { consistent = \"holds\" }\n",
    );
    let output = synccheck(&["check", "--plan", &typo]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains(":3:15: key `properties`: model `two_phase_commit` has no property `consistant` (did you mean `consistent`?)"), "{message}");
    assert!(!message.contains("searches only"), "{message}");
}

#[test]
fn malformed_plans_name_file_line_column_and_choices() {
    let cases = [
        ("[[check]]\nmodel = \"fenced_lease_lok\"\n", ":2:9: key `model`: unknown model `fenced_lease_lok` (did you mean `fenced_lease_lock`?); valid models: "),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nparams = { varient = \"all\" }\n", ":3:12: key `params.varient`: model `fenced_lease_lock` has no parameter `varient`"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nparams = { variant = \"some\" }\n", ":3:22: key `params.variant`: invalid value `some`"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nrelax = [\"bounded_pase\"]\n", ":3:10: key `relax`: unknown assumption `bounded_pase`"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nexpect = { no_lost_increment = \"fine\" }\n", ":3:32: key `expect.no_lost_increment`: unknown verdict `fine`; valid verdicts: holds"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nexpect = { no_lost_update = \"holds\" }\n", ":3:12: key `expect.no_lost_update`: model `fenced_lease_lock` has no property `no_lost_update`"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\ncolour = 1\n", ":3:1: unknown field `colour`"),
        ("[[check]]\nmodel = \n", ":2:9:"),
        ("", "the plan has no [[check]] entries"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\n", ":1:1: check of `fenced_lease_lock` expects nothing (no `expect`, no `expect_bounds`), so it could never fail; pin a verdict, e.g. `expect = { no_lost_increment = \"holds\" }`"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nexpect = { both_incremented = \"holds\" }\n", ":3:31: key `expect.both_incremented`: `both_incremented` is a `sometimes` property, which is never `holds`; valid verdicts: reached, unreached, unknown"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nexpect = { no_lost_increment = \"unreached\" }\n", ":3:32: key `expect.no_lost_increment`: `no_lost_increment` is an `always` property, which is never `unreached`; valid verdicts: holds, violated, unknown"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nexpect = { no_lost_increment = \"holds\" }\n\n[[check]]\nmodel = \"fenced_lease_lock\"\nexpect = { both_incremented = \"reached\" }\n", ":5:1: check `fenced_lease_lock` is the check at line 1 again (the same model, parameters, assumptions and properties, in any order): keep one, or give one a `name`"),
        // The order `relax` is written in changes nothing checked, nor the name derived.
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nrelax = [\"bounded_skew\", \"bounded_delay\"]\nexpect = { no_lost_increment = \"holds\" }\n\n[[check]]\nmodel = \"fenced_lease_lock\"\nrelax = [\"bounded_delay\", \"bounded_skew\"]\nexpect = { both_incremented = \"reached\" }\n", ":6:1: check `fenced_lease_lock --relax bounded_delay --relax bounded_skew` is the check at line 1 again"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nexpect_bounds = { both_incremented = { bounded_pause = 0 } }\n", ":3:19: key `expect_bounds.both_incremented`: `both_incremented` is a `sometimes` property, which has no boundary (it is reached or not, never held or violated); pin one of: no_lost_increment, deadlock_free"),
        ("[[check]]\nname = \" \"\nmodel = \"fenced_lease_lock\"\nexpect = { no_lost_increment = \"holds\" }\n", ":2:8: key `name`: empty; give the check a name, or leave `name` out"),
        // A value of the wrong type or range: its key is named.
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nrelax = \"bounded_delay\"\n", ":3:9: key `relax`: invalid type: string \"bounded_delay\", expected a sequence"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nmax_states = -5\n", ":3:14: key `max_states`: invalid value: integer `-5`"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nparams = { lease_ticks = 99999999999999999999 }\n", ":3:26: key `params.lease_ticks`: "),
        // A JSON document given as a plan.
        ("{\"checks\": [], \"files\": [], \"met\": true}", ":1:1: this is a plan report (`check --plan/--all --format json`), not a plan: a plan is TOML, with [[check]] tables"),
        // Named alike and both invalid: the duplicate is still reported, with advice for
        // names given by hand.
        ("[[check]]\nname = \"a\"\nmodel = \"nope\"\nexpect = { x = \"holds\" }\n\n[[check]]\nname = \"a\"\nmodel = \"nope\"\nexpect = { x = \"holds\" }\n", ":6:1: check `a` is named like the check at line 1: reports, shards and JUnit tell checks apart by name; rename one"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nproperties = [\"no_lost_incremnt\"]\nexpect = { no_lost_increment = \"holds\" }\n", ":3:15: key `properties`: model `fenced_lease_lock` has no property `no_lost_incremnt` (did you mean `no_lost_increment`?); valid properties: no_lost_increment, both_incremented, deadlock_free"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nproperties = [\"no_lost_increment\"]\nexpect = { no_lost_increment = \"holds\", both_incremented = \"reached\" }\n", ":4:41: key `expect.both_incremented`: the check searches only `no_lost_increment` (key `properties`), so `both_incremented` gets no verdict; add it to `properties`"),
        ("[[check]]\nmodel = \"fenced_lease_lock\"\nproperties = [\"deadlock_free\", \"deadlock_free\"]\nexpect = { deadlock_free = \"holds\" }\n", ":3:32: key `properties`: `deadlock_free` is listed twice"),
    ];
    for (text, expected) in cases {
        let (_dir, path) = write_plan(text);
        let output = synccheck(&["check", "--plan", &path]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        let message = stderr(&output);
        assert!(
            message.contains(&format!("{path}{expected}"))
                || (expected.starts_with("the plan") && message.contains(expected)),
            "expected `{expected}` in: {message}"
        );
        assert!(!message.contains("panicked"), "{message}");
    }
}

#[test]
fn inside_github_actions_unmet_expectations_become_annotations_and_a_summary() {
    let (dir, path) = write_plan(
        r#"
[[check]]
name = "met"
model = "two_phase_commit"
params = { rms = 2 }
expect = { consistent = "holds" }

[[check]]
name = "unmet"
model = "fenced_lease_lock"
params = { variant = "writes" }
relax = ["bounded_pause"]
expect = { no_lost_increment = "holds", both_incremented = "reached" }
"#,
    );
    let summary = dir.path().join("summary.md");
    let junit = dir.path().join("junit.xml");
    let traces = dir.path().join("traces");
    let output = support::command()
        .args(["check", "--plan", &path, "--junit"])
        .arg(&junit)
        .arg("--trace-dir")
        .arg(&traces)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(
        annotations,
        vec![format!("::error file={path},line=8,col=1,title=synccheck%3A unmet::`no_lost_increment` expected holds, found violated (counterexample: 22 steps)")]
    );
    let markdown = std::fs::read_to_string(&summary).expect("summary written");
    assert!(
        markdown.contains("| unmet | <code>no_lost_increment</code> | holds | violated | ❌ |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| met | <code>consistent</code> | holds | holds | ✅ |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("2 of 3 expectations met in 2 checks."),
        "{markdown}"
    );
    assert!(
        markdown.contains("```mermaid\nsequenceDiagram\n"),
        "{markdown}"
    );
    assert!(
        markdown
            .contains("unexpected counterexample for <code>no_lost_increment</code> (22 steps)"),
        "{markdown}"
    );
    assert_junit(&std::fs::read_to_string(&junit).expect("junit written"));
}

/// An expectation a limit left unknown is INCOMPLETE (exit 3), not a mismatch; a check
/// with several unmet expectations lists them on one line and shows its report once.
#[test]
fn a_limit_makes_a_plan_check_incomplete_and_its_report_is_shown_once() {
    let (_dir, path) = write_plan(
        "[[check]]\nmodel = \"fenced_lease_lock\"\nmax_states = 5\nexpect = { no_lost_increment = \"holds\", both_incremented = \"unreached\" }\n",
    );
    let output = synccheck(&["check", "--plan", &path]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(stderr(&output), "[1/1] fenced_lease_lock: INCOMPLETE\n");
    let text = stdout(&output);
    assert!(!text.contains("MISMATCH"), "{text}");
    let rows = text.lines().filter(|line| line.ends_with("  INCOMPLETE"));
    assert_eq!(rows.count(), 2, "{text}");
    assert!(
        text.contains("\nfenced_lease_lock: `both_incremented` expected unreached, found unknown; `no_lost_increment` expected holds, found unknown\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("model: fenced_lease_lock").count(),
        1,
        "{text}"
    );
    // A pin already violated at its bound has failed, whatever a limit left above it.
    let (_dir, path) = write_plan(
        "[[check]]\nname = \"x\"\nmodel = \"lww_register\"\nparams = { variant = \"physical\" }\nmax_states = 3200\nexpect_bounds = { no_lost_update = { bounded_skew = 2 } }\n",
    );
    let output = synccheck(&["check", "--plan", &path]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("x      no_lost_update@bounded_skew  ≤ 2        fails at 2  MISMATCH\n"),
        "{text}"
    );
    assert!(
        text.contains("found violated there and unknown above"),
        "{text}"
    );
}

/// The rerun line of a JUnit failure runs the same search: the strategy and the property
/// selection too, not the default BFS of every property.
#[test]
fn the_junit_rerun_line_keeps_the_strategy_and_the_selection() {
    let (dir, path) = write_plan(
        "[[check]]\nname = \"unmet\"\nmodel = \"fenced_lease_lock\"\nparams = { variant = \"writes\" }\nrelax = [\"bounded_pause\"]\nproperties = [\"no_lost_increment\"]\nexpect = { no_lost_increment = \"holds\" }\n",
    );
    let junit = dir.path().join("junit.xml");
    let junit_text = junit.to_string_lossy().into_owned();
    let args = [
        "check",
        "--plan",
        &path,
        "--strategy",
        "dfs",
        "--junit",
        &junit_text,
    ];
    let output = synccheck(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let rerun = (xml.lines())
        .find_map(|line| line.split_once("rerun:  synccheck check fenced_lease_lock "))
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_else(|| panic!("no rerun line: {xml}"));
    assert!(
        rerun.ends_with(" --strategy dfs --property no_lost_increment"),
        "{rerun}"
    );
}

/// The JUnit file parses as XML: one suite per check, one case per expectation, the
/// unmet one a failure with the verdicts, the counterexample and how to replay it.
fn assert_junit(xml: &str) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut suites, mut cases, mut failures) = (Vec::new(), 0, Vec::new());
    let mut in_failure = false;
    let mut body = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attribute = |name: &str| {
                    e.try_get_attribute(name)
                        .expect("attribute parses")
                        .map(|a| a.unescape_value().expect("unescapes").into_owned())
                };
                match e.name().as_ref() {
                    b"testsuite" => suites.push(attribute("name").expect("named")),
                    b"testcase" => cases += 1,
                    b"failure" => {
                        failures.push(attribute("message").expect("message"));
                        in_failure = true;
                    }
                    _ => {}
                }
            }
            Event::Text(text) if in_failure => {
                body.push_str(&text.unescape().expect("unescapes"));
            }
            Event::End(e) if e.name().as_ref() == b"failure" => in_failure = false,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites, vec!["met", "unmet"]);
    assert_eq!(cases, 3);
    assert_eq!(
        failures,
        vec!["expected holds, found violated (counterexample: 22 steps)"]
    );
    assert!(body.contains(" 22. "), "{body}");
    assert!(body.contains("bounded_pause(0) broken here"), "{body}");
    assert!(
        body.contains("rerun:  synccheck check fenced_lease_lock --set"),
        "{body}"
    );
    assert!(body.contains("replay: synccheck replay "), "{body}");
    assert!(
        xml.contains(
            "<testsuites name=\"synccheck\" tests=\"3\" skipped=\"0\" failures=\"1\" errors=\"0\""
        ),
        "{xml}"
    );
}

#[test]
fn a_memory_limit_stops_the_run_as_incomplete() {
    let output = synccheck(&[
        "check",
        "fenced_lease_lock",
        "--relax",
        "bounded_pause",
        "--max-memory",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["stop_reason"], "memory_limit");
    assert_eq!(report["complete"], false);
    assert_eq!(report["properties"][0]["verdict"], "unknown");
}

#[test]
fn junit_needs_a_plan_and_a_writable_path() {
    assert_usage_error(
        &["check", "two_phase_commit", "--junit", "out.xml"],
        &["--junit", "--plan or --all"],
    );
    let (_dir, path) = write_plan(
        r#"
[[check]]
name = "met"
model = "two_phase_commit"
params = { rms = 2 }
expect = { consistent = "holds" }
"#,
    );
    assert_usage_error(
        &[
            "check",
            "--plan",
            &path,
            "--junit",
            "/nonexistent-dir/junit.xml",
        ],
        &["--junit /nonexistent-dir/junit.xml"],
    );
}

/// With several threads a plan's checks run side by side, each with a share of the
/// threads, and everything comes out in plan order: the report's checks, the progress
/// lines on stderr, the saved traces. Each check's report is the one it gives alone
/// (the slow check comes first, so the later ones finish before it).
#[test]
fn a_plan_run_side_by_side_reports_in_plan_order_what_it_reports_one_at_a_time() {
    let (dir, path) = write_plan(
        r#"
[[check]]
name = "slow"
model = "quorum_register"
params = { variant = "write_back" }
expect = { linearizable = "holds" }

[[check]]
name = "small"
model = "two_phase_commit"
params = { rms = 2 }
expect = { consistent = "holds" }

[[check]]
name = "violated"
model = "fenced_lease_lock"
params = { variant = "writes" }
relax = ["bounded_pause"]
expect = { no_lost_increment = "violated" }

[[check]]
name = "last"
model = "two_phase_commit"
params = { rms = 3 }
expect = { consistent = "holds" }
"#,
    );
    let strip = |mut report: serde_json::Value| {
        for check in report["checks"].as_array_mut().expect("checks") {
            let report = &mut check["report"];
            assert!(report["threads"].is_u64(), "{report}");
            report["threads"] = serde_json::Value::Null;
            report["stats"]["seconds"] = serde_json::Value::Null;
            report["seconds"] = serde_json::Value::Null;
        }
        report
    };
    let mut reports = Vec::new();
    for threads in ["1", "3"] {
        let traces = dir.path().join(format!("traces-{threads}"));
        let traces = traces.display().to_string();
        let output = synccheck(&[
            "check",
            "--plan",
            &path,
            "--threads",
            threads,
            "--format",
            "json",
            "--trace-dir",
            &traces,
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        let names: Vec<&str> = report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .map(|check| check["name"].as_str().expect("a name"))
            .collect();
        assert_eq!(names, ["slow", "small", "violated", "last"], "{threads}");
        let used: Vec<u64> = report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .map(|check| check["report"]["threads"].as_u64().expect("threads"))
            .collect();
        // Three threads: two checks at a time (the least w with w² ≥ 3), one thread each.
        assert_eq!(used, [1, 1, 1, 1], "{threads} threads");
        let mut saved: Vec<String> = std::fs::read_dir(&traces)
            .expect("traces saved")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        saved.sort();
        assert_eq!(saved.len(), 1, "{saved:?}");
        assert!(saved[0].contains("no_lost_increment"), "{saved:?}");
        reports.push(strip(report));

        let human = synccheck(&["check", "--plan", &path, "--threads", threads]);
        assert_eq!(human.status.code(), Some(0), "{}", stderr(&human));
        let lines: Vec<String> = stderr(&human)
            .lines()
            .filter(|line| line.starts_with('['))
            .map(str::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "[1/4] slow: ok",
                "[2/4] small: ok",
                "[3/4] violated: ok",
                "[4/4] last: ok"
            ],
            "{threads} threads"
        );
    }
    assert_eq!(reports[0], reports[1], "the same reports side by side");
}
