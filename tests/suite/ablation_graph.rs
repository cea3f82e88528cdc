//! `synccheck assumptions` (which assumptions are load-bearing) and `synccheck graph`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support;
use support::{paused_lease_lock, stdout, synccheck};

#[test]
fn without_fencing_bounded_pause_is_load_bearing() {
    // A shorter lease (as below) keeps the five checks small: without fencing, every
    // timing assumption is load-bearing at any lease length.
    let small = [
        "--set",
        "variant=none",
        "--set",
        "lease_ticks=3",
        "--set",
        "validity_ticks=0",
        "--threads",
        "2",
    ];
    let mut args = vec!["assumptions", "fenced_lease_lock"];
    args.extend(small);
    args.extend(["--format", "json"]);
    let output = synccheck(&args);
    assert_eq!(output.status.code(), Some(0));
    let ablation: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(ablation["schema_version"], 1);
    let bearing = ablation["load_bearing"]["no_lost_increment"]
        .as_array()
        .expect("list");
    assert!(bearing.iter().any(|a| a == "bounded_pause"), "{bearing:?}");
    assert_eq!(
        bearing.len(),
        4,
        "every timing assumption is load-bearing without fencing"
    );
    let minimal = &ablation["minimal_sufficient"]["no_lost_increment"];
    assert_eq!(minimal.as_array().map(Vec::len), Some(1));
    assert_eq!(minimal[0].as_array().map(Vec::len), Some(4));
    // Deadlock freedom is a column of its own, as every row checked it: it needs none.
    let properties = ablation["properties"].as_array().expect("properties");
    assert_eq!(
        properties.last(),
        Some(&serde_json::json!(["deadlock_free", "always"])),
        "{properties:?}"
    );
    assert_eq!(
        ablation["minimal_sufficient"]["deadlock_free"],
        serde_json::json!([[]])
    );
    let rows = ablation["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 5, "all held + each relaxed alone");
    assert_eq!(rows[1]["relaxed"][0], "bounded_pause");
    assert_eq!(rows[1]["cells"]["no_lost_increment"]["verdict"], "violated");
    assert_eq!(
        rows[1]["cells"]["no_lost_increment"]["counterexample_steps"],
        20
    );
    // The rows ran side by side on the two threads; on one, one after the other: the
    // same ablation.
    let mut one = vec!["assumptions", "fenced_lease_lock"];
    one.extend(&small[..small.len() - 2]);
    one.extend(["--threads", "1", "--format", "json"]);
    let alone: serde_json::Value = serde_json::from_str(&stdout(&synccheck(&one))).expect("JSON");
    assert_eq!(alone, ablation, "the same ablation on one thread");

    let mut args = vec!["assumptions", "fenced_lease_lock"];
    args.extend(small);
    let text = stdout(&synccheck(&args));
    assert!(text.contains("bounded_pause is load-bearing for no_lost_increment (always): relaxed alone, no_lost_increment is violated in 20 steps"), "{text}");
}

#[test]
fn with_fencing_everywhere_no_timing_assumption_is_load_bearing() {
    // A shorter lease keeps the sixteen checks small; fencing does not depend on it.
    let output = synccheck(&[
        "assumptions",
        "fenced_lease_lock",
        "--set",
        "variant=all",
        "--set",
        "lease_ticks=3",
        "--set",
        "validity_ticks=0",
        "--threads",
        "2",
        "--pairs",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let ablation: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(
        ablation["load_bearing"]["no_lost_increment"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(
        ablation["minimal_sufficient"]["no_lost_increment"],
        serde_json::json!([[]])
    );
    assert_eq!(
        ablation["rows"].as_array().map(Vec::len),
        Some(1 + 4 + 6),
        "with pairs"
    );
}

#[test]
fn assumptions_of_an_untimed_model_is_a_usage_error() {
    let output = synccheck(&["assumptions", "two_phase_commit"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("untimed"));
}

#[test]
fn the_state_graph_is_valid_graphviz() {
    let output = synccheck(&["graph", "two_phase_commit", "--set", "rms=2", "--as", "dot"]);
    assert_eq!(output.status.code(), Some(0));
    let dot = stdout(&output);
    assert!(dot.starts_with("digraph states {"), "{dot}");
    let json = synccheck(&[
        "graph",
        "two_phase_commit",
        "--set",
        "rms=2",
        "--as",
        "json",
    ]);
    let graph: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let states = graph["states"].as_array().map(Vec::len).expect("states");
    let labels = dot_labels(&dot);
    assert_eq!(labels.len(), states, "one DOT node per state: {dot}");
    // Multi-line labels, one line per field; no two states look the same.
    assert!(labels[0].contains("\\ltmState: init\\l"), "{}", labels[0]);
    let distinct: std::collections::BTreeSet<String> = labels
        .iter()
        .map(|l| l.split_once("\\l").expect("id").1.to_string())
        .collect();
    assert_eq!(distinct.len(), states, "states must be told apart: {dot}");
    assert_eq!(graph["truncated"], false);
    // Graphviz itself must accept it (CI installs graphviz).
    let parsed = Command::new("dot")
        .arg("-Tcanon")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = parsed else {
        assert!(
            std::env::var_os("CI").is_none(),
            "graphviz (`dot`) must be installed in CI"
        );
        eprintln!("graphviz not installed here: DOT not parsed");
        return;
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("write");
    let result = child.wait_with_output().expect("dot ran");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn a_truncated_graph_says_so() {
    let output = synccheck(&[
        "graph",
        "fenced_lease_lock",
        "--as",
        "json",
        "--max-states",
        "10",
    ]);
    let graph: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(graph["truncated"], true);
    assert_eq!(graph["states"].as_array().map(Vec::len), Some(10));
    // An incomplete export, as a check a limit cut: exit 3, with a note.
    assert_eq!(output.status.code(), Some(3));
    let none = synccheck(&["graph", "fenced_lease_lock", "--max-states", "0"]);
    assert_eq!(none.status.code(), Some(2), "{}", support::stderr(&none));
    assert!(
        support::stderr(&output).contains("the graph was cut at 10 states"),
        "{}",
        support::stderr(&output)
    );
}

/// `graph --relax-all` exports the space of `check --relax-all`: the same graph as every
/// assumption relaxed by name, and then `--hold` applies (`primary_backup`: the plan's
/// fixed-variant check, everything relaxed but duplication).
#[test]
fn graph_relax_all_is_every_assumption_relaxed_by_name() {
    let graph = |more: &[&str]| {
        let mut args = vec!["graph", "primary_backup", "--as", "json"];
        args.extend_from_slice(more);
        args.extend(["--max-states", "200000"]);
        let output = synccheck(&args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        stdout(&output)
    };
    let by_name: Vec<&str> = synccheck::system::Assumption::ALL
        .iter()
        .filter(|a| a.name() != "no_duplication")
        .flat_map(|a| ["--relax", a.name()])
        .collect();
    let all = graph(&["--relax-all", "--hold", "no_duplication"]);
    assert_eq!(all, graph(&by_name));
    let json: serde_json::Value = serde_json::from_str(&all).expect("JSON");
    assert_eq!(json["truncated"], false);
    // As many as `check primary_backup --relax-all --hold no_duplication` stores (the
    // plan's pin; no symmetry declared, ages not stored with the delay relaxed).
    assert_eq!(json["states"].as_array().map(Vec::len), Some(10_884));
    assert_ne!(all, graph(&[]), "relaxing changes the graph");
}

/// `graph --no-lean` exports the space `check --no-lean` explores: message ages stored
/// (`failover_split_brain` with `bounded_delay` relaxed: 107 states lean, 206 full, as
/// `tests/suite/lean_state.rs` pins for `check`).
#[test]
fn graph_no_lean_stores_message_ages() {
    let graph = |more: &[&str]| {
        let mut args = vec![
            "graph",
            "failover_split_brain",
            "--set",
            "variant=no_fencing",
        ];
        args.extend(["--relax", "bounded_delay", "--as", "json"]);
        args.extend_from_slice(more);
        let output = synccheck(&args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let graph: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        assert_eq!(graph["truncated"], false);
        let ages = graph["states"]
            .as_array()
            .expect("states")
            .iter()
            .any(|s| s["state"].to_string().contains("age_ticks\":1"));
        (graph["states"].as_array().map(Vec::len), ages)
    };
    assert_eq!(graph(&[]), (Some(107), false));
    assert_eq!(graph(&["--no-lean"]), (Some(206), true));
    // A plain model has no lean state: the flag changes nothing (as for `check`).
    let plain = |more: &[&str]| {
        let mut args = vec![
            "graph",
            "two_phase_commit",
            "--set",
            "rms=2",
            "--as",
            "json",
        ];
        args.extend_from_slice(more);
        stdout(&synccheck(&args))
    };
    assert_eq!(plain(&[]), plain(&["--no-lean"]));
}

/// `assumptions --no-lean` and `--no-symmetry` check each row in the space `check`
/// explores with the same flags: 5,141 states for the base row of `fenced_lease_lock`
/// with `bounded_delay` relaxed, 9,944 without the lean state, 10,278 without symmetry;
/// a state limit between them decides the row only in the smallest space.
#[test]
fn assumptions_no_lean_and_no_symmetry_check_the_larger_spaces() {
    let base_row = |more: &[&str]| {
        let mut args = vec![
            "assumptions",
            "fenced_lease_lock",
            "--relax",
            "bounded_delay",
        ];
        args.extend(["--max-states", "7000", "--format", "json"]);
        args.extend_from_slice(more);
        let output = synccheck(&args);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        // Rows cut by the state limit make the matrix incomplete: exit 3.
        let expected = if json["stopped"].is_null() { 0 } else { 3 };
        assert_eq!(output.status.code(), Some(expected), "{args:?}");
        let row = &json["rows"][0];
        assert_eq!(row["relaxed"], serde_json::json!([]), "{args:?}");
        row["cells"]["no_lost_increment"]["verdict"].clone()
    };
    assert_eq!(base_row(&[]), "holds");
    assert_eq!(base_row(&["--no-lean"]), "unknown");
    assert_eq!(base_row(&["--no-symmetry"]), "unknown");
}

/// A state limit that cuts a row's run is said, in the human matrix and by exit 3
/// (never exit 0 with unknown cells), and the load-bearing summary does not claim that
/// nothing is load-bearing: with every run cut, each property's answer is unknown for
/// every assumption (JSON `load_bearing_unknown`, not `load_bearing`; no
/// `minimal_sufficient`); the same ablation within its limits exits 0.
#[test]
fn an_ablation_cut_by_a_limit_exits_3() {
    let cut = synccheck(&["assumptions", "primary_backup", "--max-states", "50"]);
    assert_eq!(cut.status.code(), Some(3), "{}", stdout(&cut));
    let text = stdout(&cut);
    assert!(text.contains("incomplete: "), "{text}");
    assert!(
        !text.contains("none: no single relaxed assumption"),
        "{text}"
    );
    let bearing = (text.split("Load-bearing assumptions:").nth(1))
        .unwrap_or_else(|| panic!("no load-bearing section: {text}"));
    assert!(
        bearing.contains(
            "acked_write_survives: unknown for bounded_delay, timely_timers, bounded_pause (a limit cut its runs, or they could not run)"
        ),
        "{text}"
    );
    let json = synccheck(&[
        "assumptions",
        "primary_backup",
        "--max-states",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(json.status.code(), Some(3));
    let ablation: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(
        ablation["load_bearing"],
        serde_json::json!({}),
        "{ablation}"
    );
    assert_eq!(
        ablation["load_bearing_unknown"]["acked_write_survives"],
        serde_json::json!(["bounded_delay", "timely_timers", "bounded_pause"]),
        "{ablation}"
    );
    assert_eq!(ablation["minimal_sufficient"], serde_json::json!({}));
    let whole = synccheck(&["assumptions", "primary_backup"]);
    assert_eq!(whole.status.code(), Some(0), "{}", stdout(&whole));
    assert!(!stdout(&whole).contains("incomplete: "));
}

/// `--property` narrows the ablation to the properties asked about: only their
/// columns, with the same verdicts as in the whole matrix; an unknown name is a usage
/// error. A state limit's line says where the limit comes from.
#[test]
fn an_ablation_of_one_property_has_its_column_alone() {
    let one = synccheck(&[
        "assumptions",
        "primary_backup",
        "--property",
        "acked_write_survives",
        "--format",
        "json",
    ]);
    assert_eq!(one.status.code(), Some(0), "{}", stdout(&one));
    let one: serde_json::Value = serde_json::from_str(&stdout(&one)).expect("JSON");
    let whole = synccheck(&["assumptions", "primary_backup", "--format", "json"]);
    let whole: serde_json::Value = serde_json::from_str(&stdout(&whole)).expect("JSON");
    assert_eq!(
        one["properties"],
        serde_json::json!([["acked_write_survives", "always"]]),
        "{one}"
    );
    let rows = |ablation: &serde_json::Value| -> Vec<serde_json::Value> {
        (ablation["rows"].as_array().expect("rows").iter())
            .map(|row| row["cells"]["acked_write_survives"].clone())
            .collect()
    };
    assert_eq!(rows(&one), rows(&whole));
    for row in one["rows"].as_array().expect("rows") {
        let cells = row["cells"].as_object().expect("cells");
        assert_eq!(cells.len(), 1, "{row}");
    }
    assert_eq!(
        one["load_bearing"]["acked_write_survives"],
        whole["load_bearing"]["acked_write_survives"]
    );
    let unknown = synccheck(&["assumptions", "primary_backup", "--property", "acked"]);
    assert_eq!(unknown.status.code(), Some(2));
    let error = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        error.contains("--property acked: no such property"),
        "{error}"
    );
    let cut = synccheck(&["assumptions", "primary_backup", "--max-states", "50"]);
    assert!(
        stdout(&cut).contains("incomplete: stopped: state limit (the cut runs' cells are unknown; the liveness graph stops at --max-states, or at 2000000 states where it is not given;"),
        "{}",
        stdout(&cut)
    );
}

/// The label of every state node of a `graph --as dot` output.
fn dot_labels(dot: &str) -> Vec<String> {
    dot.lines()
        .filter(|line| !line.contains(" -> "))
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix('s')?;
            let (_, label) = rest.split_once(" [label = \"")?;
            Some(
                label
                    .split("\", ")
                    .next()
                    .unwrap_or(label)
                    .trim_end_matches("\"];")
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn timed_state_labels_show_each_node_by_name_then_the_network() {
    let output = synccheck(&paused_lease_lock("graph", &["--max-states", "40"]));
    assert_eq!(output.status.code(), Some(3), "cut at 40 states");
    let dot = stdout(&output);
    let labels = dot_labels(&dot);
    assert_eq!(labels.len(), 40, "{dot}");
    for label in &labels {
        // Continuations of a wrapped line are indented by four spaces.
        let lines: Vec<&str> = label
            .split("\\l")
            .filter(|line| !line.starts_with("    "))
            .collect();
        // The id, then the four nodes by name, then the network.
        assert!(lines[1].starts_with("lock: Lock{"), "{label}");
        assert!(lines[2].starts_with("storage: Storage{"), "{label}");
        assert!(lines[3].starts_with("client_a: Client{"), "{label}");
        assert!(lines[4].starts_with("client_b: Client{"), "{label}");
        assert!(lines[5].starts_with("network"), "{label}");
        assert!(!label.contains('…'), "nothing is cut: {label}");
    }
    assert!(
        labels
            .iter()
            .any(|l| l.contains("client_b: Client{") && l.contains("paused (counter 0)")),
        "a paused node says so: {dot}"
    );
    let distinct: std::collections::BTreeSet<String> = labels
        .iter()
        .map(|l| l.split_once("\\l").expect("id").1.to_string())
        .collect();
    assert_eq!(distinct.len(), 40, "states must be told apart");
}

/// More declared assumptions than every subset is checked for (seven, over
/// `ablation::DECLARED_MAX`): every one is still a row (none left out unsaid), the
/// minimal sets are not computed and the output says so, and a load-bearing sentence
/// gives the model's reason as the assumption's, not the property's.
#[test]
fn seven_assumptions_are_all_rows_and_the_minimal_sets_say_they_were_not_computed() {
    use synccheck::system::Assumption;
    let ablation = crate::support::one_message::ablate(
        &["leans_on_seven"],
        &synccheck::request::AssumptionChanges::default(),
    )
    .expect("the ablation runs");
    assert_eq!(ablation.declared.len(), 7, "over DECLARED_MAX (6)");
    assert!(!ablation.every_subset);
    assert!(ablation.minimal_sufficient.is_empty());
    assert_eq!(ablation.stopped, None);
    // Every one held, then each relaxed alone, fewest relaxed first.
    let rows: Vec<&[Assumption]> = ablation.rows.iter().map(|r| r.relaxed.as_slice()).collect();
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert!(rows[0].is_empty());
    assert_eq!(rows[7], [Assumption::DurableWrites]);
    // A lost message is never received: reliable_links alone is load-bearing.
    assert_eq!(
        ablation.load_bearing.get("received").map(Vec::as_slice),
        Some(&[Assumption::ReliableLinks][..])
    );
    let text = synccheck::ablation::render(&ablation);
    assert!(
        text.contains(
            "not computed: 7 assumptions declared, and every subset of them is 128 checks"
        ),
        "{text}"
    );
    assert!(!text.contains("unknown (a limit cut"), "{text}");
    assert!(
        text.contains(
            "reliable_links is load-bearing for received (eventually): relaxed alone, received \
             is violated"
        ),
        "{text}"
    );
    assert!(
        text.contains("; the model's reason for reliable_links: a lost message is never received."),
        "{text}"
    );
    assert!(text.contains("durable_writes"), "{text}");
}
