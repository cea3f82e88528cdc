//! The command line's conventions (ripgrep, cargo-nextest, hyperfine): colour with
//! `--color` and `NO_COLOR`, `-q`/`-v`, shell completions and a man page generated
//! from the arguments, "did you mean", every plan error at once with its source line.

use std::process::Output;

use crate::support;
use support::{text, write_plan};

fn synccheck_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = support::command();
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn synccheck(args: &[&str]) -> Output {
    synccheck_with(args, &[])
}

const GREEN_HOLDS: &str = "\u{1b}[32mholds\u{1b}[0m";

#[test]
fn colour_follows_the_flag_and_no_color() {
    let check = ["check", "two_phase_commit", "--set", "rms=2"];
    let with = |extra: &[&str], env: &[(&str, &str)]| {
        let args: Vec<&str> = check.iter().chain(extra).copied().collect();
        let output = synccheck_with(&args, env);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    // Not a terminal: no colour by default.
    let plain = with(&[], &[]);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("holds"), "{plain}");
    // Forced on: the verdict is green, the rest of the text unchanged.
    let forced = with(&[], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains(GREEN_HOLDS), "{forced}");
    // NO_COLOR wins over CLICOLOR_FORCE in auto mode.
    let no_color = with(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!no_color.contains('\u{1b}'), "{no_color}");
    // An explicit --color wins over both.
    let always = with(&["--color", "always"], &[("NO_COLOR", "1")]);
    assert!(always.contains(GREEN_HOLDS), "{always}");
    let never = with(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]);
    let without_timing = |text: &str| -> String {
        text.lines()
            .filter(|line| !line.starts_with("search:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_timing(&never), without_timing(&plain));
    // Errors are painted on stderr too, and only there.
    let error = synccheck_with(&["check", "nope", "--color", "always"], &[]);
    assert_eq!(error.status.code(), Some(2));
    let stderr = text(&error.stderr);
    assert!(stderr.starts_with("\u{1b}["), "{stderr}");
    assert!(stderr.contains("error:\u{1b}[0m unknown model"), "{stderr}");
}

const ONE_CHECK: &str = r#"
[[check]]
name = "2pc"
model = "two_phase_commit"
params = { rms = 2 }
expect = { consistent = "holds" }
"#;

#[test]
fn quiet_leaves_results_and_verbose_adds_statistics() {
    // `args` run plainly and with `-q`: exit 0 both times, the same stdout, and
    // nothing on stderr under `-q`; the plain run's stderr comes back.
    let quiet_keeps_the_results = |args: &[&str]| -> String {
        let normal = synccheck(args);
        assert_eq!(normal.status.code(), Some(0), "{args:?}");
        let quiet = synccheck(&[&["-q"], args].concat());
        assert_eq!(quiet.status.code(), Some(0), "-q {args:?}");
        assert_eq!(text(&quiet.stderr), "", "nothing but errors on stderr");
        assert_eq!(
            text(&quiet.stdout),
            text(&normal.stdout),
            "the same results"
        );
        text(&normal.stderr)
    };
    let (_dir, path) = write_plan(ONE_CHECK);
    let normal = quiet_keeps_the_results(&["check", "--plan", &path]);
    assert_eq!(normal, "[1/1] 2pc: ok\n");
    let verbose = synccheck(&["check", "--plan", &path, "-v"]);
    assert_eq!(verbose.status.code(), Some(0));
    let stderr = text(&verbose.stderr);
    assert!(stderr.starts_with("[1/1] 2pc: ok ("), "{stderr}");
    assert!(stderr.contains(" unique states, depth "), "{stderr}");
    let both = synccheck(&["-q", "-v", "list"]);
    assert_eq!(both.status.code(), Some(2), "-q and -v conflict");
    // `bounds` too: its notes (and its probes, which the tests' environment turns off
    // with SYNCCHECK_NO_PROGRESS) are not results.
    let bounds = ["bounds", "lww_register", "--set", "variant=physical"];
    let bounds = [&bounds[..], &["--relax", "bounded_skew", "--up-to", "2"]].concat();
    let normal = quiet_keeps_the_results(&bounds);
    assert!(
        normal.contains("note: --relax bounded_skew: `bounded_skew` is searched"),
        "{normal}"
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_arguments() {
    let bash = synccheck(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    let bash = text(&bash.stdout);
    assert!(bash.contains("_synccheck()"), "{bash}");
    for word in [
        "check",
        "explore",
        "--explorer-link",
        "--relax-all",
        "completions",
        // The registry's words: a model, an assumption, a parameter's value, a property.
        "primary_backup",
        "bounded_skew",
        "variant=async",
        "acked_write_survives",
    ] {
        assert!(
            bash.contains(word),
            "`{word}` missing from the bash completion"
        );
    }
    let zsh = text(&synccheck(&["completions", "zsh"]).stdout);
    assert!(zsh.starts_with("#compdef synccheck"), "{zsh}");
    let fish = text(&synccheck(&["completions", "fish"]).stdout);
    assert!(fish.contains("complete -c synccheck"), "{fish}");
    let unknown = synccheck(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));

    let man = synccheck(&["man"]);
    assert_eq!(man.status.code(), Some(0));
    let man = text(&man.stdout);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH synccheck"),
        "{man}"
    );
    assert!(man.contains(".TH synccheck 1"), "{man}");
    assert!(man.contains("\\-\\-color"), "{man}");
    assert!(man.contains("Exit codes"), "{man}");
}

#[test]
fn timeout_is_documented_as_per_check() {
    let help = text(&synccheck(&["check", "--help"]).stdout);
    let at = help.find("--timeout").expect("--timeout in the help");
    assert!(
        help[at..].contains("The limit is per check"),
        "{}",
        &help[at..]
    );
}

#[test]
fn unknown_names_get_a_did_you_mean() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["check", "fenced_lease_lok"],
            "unknown model `fenced_lease_lok` (did you mean `fenced_lease_lock`?); valid models:",
        ),
        (
            &["check", "fenced_lease_lock", "--set", "varient=writes"],
            "has no parameter `varient` (did you mean `variant`?)",
        ),
        (
            &["check", "fenced_lease_lock", "--relax", "bounded_pase"],
            "unknown assumption `bounded_pase` (did you mean `bounded_pause`?)",
        ),
        (&["check", "zzzz"], "unknown model `zzzz`; valid models:"),
    ];
    for (args, expected) in cases {
        let output = synccheck(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn every_plan_error_is_reported_with_its_line() {
    let (_dir, path) = write_plan(
        r#"[[check]]
name = "first"
model = "fenced_lease_lok"

[[check]]
name = "fine"
model = "two_phase_commit"
expect = { consistent = "holds" }

[[check]]
name = "third"
model = "two_phase_commit"
expect = { consistant = "holds" }
"#,
    );
    let output = synccheck(&["check", "--plan", &path]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "error: {path}:3:9: key `model`: unknown model `fenced_lease_lok` (did you mean `fenced_lease_lock`?)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "error: {path}:13:12: key `expect.consistant`: model `two_phase_commit` has no property `consistant` (did you mean `consistent`?)"
        )),
        "{stderr}"
    );
    // Each with its source line and a marker under the token.
    assert!(
        stderr.contains("3 | model = \"fenced_lease_lok\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("13 | expect = { consistant = \"holds\" }"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("here").count(), 2, "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn every_error_of_one_check_is_reported_not_only_its_first() {
    let (_dir, path) = write_plan(
        r#"[[check]]
model = "fenced_lease_lock"
params = { variant = "wirtes", lease_ticks = 99 }
hold = ["bounded_dely"]
relax = ["bounded_pause"]
expect = { no_lost_incremnt = "violated", deadlock_free = "maybe" }
expect_bounds = { no_lost_increment = { reliable_links = 1 } }
max_states = 0
"#,
    );
    let output = synccheck(&["check", "--plan", &path]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    for (line, column, key) in [
        (3, 22, "params.variant"),
        (3, 46, "params.lease_ticks"),
        (4, 9, "hold"),
        (6, 12, "expect.no_lost_incremnt"),
        (6, 59, "expect.deadlock_free"),
        (7, 41, "expect_bounds.no_lost_increment.reliable_links"),
        (8, 14, "max_states"),
    ] {
        assert!(
            stderr.contains(&format!("error: {path}:{line}:{column}: key `{key}`")),
            "{line}:{column} `{key}` missing from:\n{stderr}"
        );
    }
    assert_eq!(stderr.matches("error: ").count(), 7, "{stderr}");
    // In the order they are written.
    let positions: Vec<usize> = ["3:22:", "3:46:", "4:9:", "6:12:", "6:59:", "7:41:", "8:14:"]
        .iter()
        .map(|at| stderr.find(&format!("{path}:{at}")).expect("reported"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{stderr}");
}
