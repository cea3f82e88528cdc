//! What each subcommand does.

use super::args::{CheckArgs, Cli, Command, Format, GraphAs, SchemaArg, ShowAs, StrategyArg};
use crate::check::{CheckOptions, Progress, Strategy, DEADLOCK_PROPERTY};
use crate::plan::{self, Plan};
use crate::registry::Registry;
use crate::report::render_human;
use crate::request::{parse_sets, resolve_params, AssumptionChanges, CheckRequest};
use crate::trace::TraceFile;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs the command line over synccheck's catalog; returns the process exit code.
#[cfg(not(test))] // as `catalog::registry`
pub fn run(cli: Cli) -> i32 {
    run_with(cli, &crate::catalog::registry())
}

/// Runs the command line over the models of `registry`; returns the exit code.
pub fn run_with(cli: Cli, registry: &Registry) -> i32 {
    super::style::configure(cli.color, cli.quiet, cli.verbose);
    if let Err(error) = registry.validate() {
        return fail(error);
    }
    match cli.command {
        Command::Completions { shell } => completions(shell, registry),
        Command::Man => man(),
        Command::Schema { kind } => json(&crate::schema::schema(match kind {
            SchemaArg::Report => crate::schema::SchemaKind::Report,
            SchemaArg::PlanReport => crate::schema::SchemaKind::PlanReport,
            SchemaArg::Trace => crate::schema::SchemaKind::Trace,
            SchemaArg::Plan => crate::schema::SchemaKind::Plan,
        })),
        Command::List { format } => list(registry, format),
        Command::Check(args) => check(registry, &args),
        Command::Replay { traces, threads } => {
            // Each file in turn, the worst outcome's exit code (2 over 1 over 0).
            let several = traces.len() > 1;
            (traces.iter())
                .map(|path| replay(registry, path, several, usize::from(threads)))
                .max()
                .unwrap_or(0)
        }
        Command::Bounds(args) => super::bounds::run(registry, &args),
        Command::Show { traces, render_as } => match traces.as_slice() {
            [trace] => show(trace, render_as),
            // A glob that matched several files (clap would say "unexpected argument").
            several => fail(format!(
                "show renders one trace, and {} files were given ({}): show each in turn",
                several.len(),
                several.join(", ")
            )),
        },
        Command::Assumptions {
            model,
            sets,
            hold,
            relax,
            pairs,
            properties,
            threads,
            max_states,
            timeout,
            max_memory,
            reductions,
            format,
        } => {
            let base = AssumptionChanges {
                relax_all: false,
                hold,
                relax,
            };
            let limits = Limits {
                max_states,
                timeout,
                max_memory,
            };
            match limits.options(usize::from(threads)) {
                Ok(options) => {
                    let options = CheckOptions {
                        properties,
                        ..reductions.apply(options)
                    };
                    assumptions(registry, &model, &sets, &base, pairs, &options, format)
                }
                Err(message) => fail(message),
            }
        }
        Command::Graph {
            model,
            sets,
            hold,
            relax,
            relax_all,
            render_as,
            max_states,
            no_lean,
        } => {
            let changes = AssumptionChanges {
                relax_all,
                hold,
                relax,
            };
            graph(
                registry, &model, &sets, &changes, render_as, max_states, no_lean,
            )
        }
        Command::Merge {
            reports,
            format,
            junit,
        } => merge(&reports, format, junit.as_deref()),
        Command::Explore {
            trace: Some(trace),
            address,
            no_lean,
            ..
        } => explore_trace(registry, &trace, &address, no_lean),
        Command::Explore {
            model,
            sets,
            hold,
            relax,
            relax_all,
            address,
            no_lean,
            trace: None,
        } => explore(
            registry,
            model.as_deref().unwrap_or_default(),
            &sets,
            AssumptionChanges {
                relax_all,
                hold,
                relax,
            },
            &address,
            no_lean,
        ),
    }
}

/// The limits `check` and `assumptions` share, as given on the command line.
struct Limits {
    max_states: Option<usize>,
    timeout: Option<f64>,
    max_memory: Option<u64>,
}

impl Limits {
    /// Validated options with these limits: a clear error (exit 2) for a value that
    /// is not a limit, never a panic or a silent wrap.
    fn options(&self, threads: usize) -> Result<CheckOptions, String> {
        let timeout = match self.timeout {
            Some(seconds) if !(seconds.is_finite() && seconds > 0.0) => {
                return Err(format!(
                    "--timeout {seconds}: expected a positive number of seconds"
                ))
            }
            Some(seconds) => Some(Duration::try_from_secs_f64(seconds).map_err(|_| {
                format!(
                    "--timeout {seconds}: too large; give at most {} seconds",
                    u64::MAX
                )
            })?),
            None => None,
        };
        if self.max_states == Some(0) {
            return Err("--max-states 0: expected at least 1".to_string());
        }
        let max_memory_bytes = crate::check::memory_limit(self.max_memory)?;
        Ok(CheckOptions {
            threads,
            max_states: self.max_states,
            timeout,
            max_memory_bytes,
            ..CheckOptions::default()
        })
    }
}

fn assumptions(
    registry: &Registry,
    model: &str,
    sets: &[String],
    base: &AssumptionChanges,
    pairs: bool,
    options: &CheckOptions,
    format: Format,
) -> i32 {
    let params = match parse_sets(sets) {
        Ok(params) => params,
        Err(error) => return fail(error),
    };
    let _cancelling = super::signals::cancel_on_signal(&options.cancel);
    let label = format!("assumptions {model}");
    let ablation = with_progress(options, &label, None, || {
        crate::ablation::ablate(registry, model, &params, base, pairs, options)
    });
    let ablation = match ablation {
        Ok(ablation) => ablation,
        Err(error) => return fail(error),
    };
    let written = if format == Format::Json {
        json(&ablation)
    } else {
        emit_human(&crate::ablation::render(&ablation))
    };
    // A cut run, or one that could not run, leaves its cells unknown: the matrix is
    // incomplete (exit 3), as a check that hits a limit is.
    match (
        written,
        ablation.stopped.is_some() || ablation.not_run.is_some(),
    ) {
        (0, true) => 3,
        (written, _) => written,
    }
}

fn graph(
    registry: &Registry,
    model: &str,
    sets: &[String],
    changes: &AssumptionChanges,
    render_as: GraphAs,
    max_states: usize,
    no_lean: bool,
) -> i32 {
    if max_states == 0 {
        return fail("--max-states 0: the graph holds at least its initial states; give 1 or more");
    }
    let result = registry.find(model).and_then(|entry| {
        let params = resolve_params(entry.name(), entry.parameters(), &parse_sets(sets)?)?;
        entry.graph(&params, changes, max_states, no_lean)
    });
    let graph = match result {
        Ok(graph) => graph,
        Err(error) => return fail(error),
    };
    let written = match render_as {
        GraphAs::Json => json(&graph),
        GraphAs::Dot => emit(&crate::graph::to_dot(&graph)),
    };
    if written != 0 || !graph.truncated {
        return written;
    }
    // A cut graph is an incomplete export: exit 3, as a check a limit cut.
    note(&format!(
        "note: the graph was cut at {} (--max-states): an incomplete export, exit 3\n",
        crate::report::counted(max_states, "state", "states")
    ));
    3
}

fn merge(paths: &[String], format: Format, junit: Option<&str>) -> i32 {
    let mut reports = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => return fail(format!("{path}: {error}")),
        };
        // JSON first (a TOML plan given here is named as such), then the kind of
        // synccheck document, then the plan report itself.
        let malformed = |error: serde_json::Error| {
            let (line, column, mut message) = crate::trace::json_error_position(&error);
            if error.is_syntax() || error.is_eof() {
                message.push_str(&crate::schema::not_json_hint(&text).unwrap_or_default());
            }
            format!("{path}:{line}:{column}: not a synccheck plan report: {message}")
        };
        let value = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) => value,
            Err(error) => return fail(malformed(error)),
        };
        if let Some(kind) = crate::schema::Document::of(&value)
            .filter(|kind| *kind != crate::schema::Document::PlanReport)
        {
            return fail(format!(
                "{path}: this is {}, not a plan report: `merge` takes the JSON reports of `check --plan FILE [--shard I/N] --format json`",
                kind.describe()
            ));
        }
        match serde_json::from_str::<plan::PlanReport>(&text) {
            Ok(report) if report.schema_version == crate::report::SCHEMA_VERSION => {
                reports.push((path.clone(), report))
            }
            Ok(report) => {
                return fail(format!(
                    "{path}: report schema_version {} is not supported",
                    report.schema_version
                ))
            }
            Err(error) => return fail(malformed(error)),
        }
    }
    let merged = match plan::merge(reports) {
        Ok(merged) => merged,
        Err(error) => return fail(error),
    };
    for check in &merged.checks {
        if let Some(error) = &check.error {
            eprintln!(
                "error: check `{}` did not run: {error} (exit code 2)",
                check.name
            );
        }
    }
    if let Some(path) = junit {
        if let Err(message) = super::junit::write(path, &merged, None, &[]) {
            return fail(message);
        }
    }
    let written = match format {
        Format::Json => json(&merged),
        Format::Human => emit_human(&plan::render_summary(&merged)),
    };
    if let Err(message) = github_outputs(&merged, format) {
        return fail(message);
    }
    if written != 0 {
        return written;
    }
    merged.exit_code()
}

/// Replays the trace at `path`; `named`: its outcome's line starts with the path (one
/// of several files).
fn replay(registry: &Registry, path: &str, named: bool, threads: usize) -> i32 {
    let trace = match crate::trace::load(std::path::Path::new(path)) {
        Ok(trace) => trace,
        Err(error) => return fail(error),
    };
    let options = CheckOptions {
        threads,
        ..CheckOptions::default()
    };
    let file = if named {
        format!("{path}: ")
    } else {
        String::new()
    };
    // A parameter the file leaves out (one added to the model since it was written)
    // is replayed at its default: said, as that may not be the value the run had.
    let parameters = registry.find(&trace.model).map(|entry| entry.parameters());
    for missing in
        (parameters.unwrap_or_default().iter()).filter(|p| !trace.params.contains_key(p.name))
    {
        note!(
            "note: {path}: /params/{} is missing: replayed with its default, {} (a trace from before the parameter existed; if the run had another value, add it)",
            missing.name,
            missing.default
        );
    }
    match registry.replay_file_with(path, &trace, &options) {
        Ok(crate::trace::ReplayOutcome::Reproduced { steps }) => emit(&format!(
            "{file}reproduced: {} of {} {} to the recorded states, and `{}` is {}\n",
            crate::report::steps(steps),
            trace.model,
            if steps == 1 { "replays" } else { "replay" },
            trace.property,
            match (trace.property_kind, trace.loop_start) {
                (crate::system::PropertyKind::Sometimes, _) => "reached at the end",
                (_, Some(_)) => "violated: its loop repeats for ever",
                _ => "violated at the end",
            }
        )),
        Ok(crate::trace::ReplayOutcome::Diverged { step, reason }) => {
            let place = crate::trace::ReplayOutcome::place(step, trace.trace.steps.len());
            let _ = emit(&format!("{file}does not reproduce: {place}: {reason}\n"));
            1
        }
        Err(error) => fail(error),
    }
}

fn show(path: &str, render_as: ShowAs) -> i32 {
    let trace = match crate::trace::load(std::path::Path::new(path)) {
        Ok(trace) => trace,
        Err(error) => return fail(error),
    };
    let rendering = match render_as {
        ShowAs::Text => crate::trace::Rendering::Text,
        ShowAs::Mermaid => crate::trace::Rendering::Mermaid,
        ShowAs::Dot => crate::trace::Rendering::Dot,
        ShowAs::Shiviz => crate::trace::Rendering::Shiviz,
    };
    emit(&crate::trace::render(&trace, rendering))
}

fn explore(
    registry: &Registry,
    model: &str,
    sets: &[String],
    changes: AssumptionChanges,
    address: &str,
    no_lean: bool,
) -> i32 {
    let result = registry.find(model).and_then(|entry| {
        let params = resolve_params(entry.name(), entry.parameters(), &parse_sets(sets)?)?;
        crate::registry::usable_address(address)?;
        // What `explore` is run for: said under --quiet too.
        note_raw!("Explorer for {model} on http://{address} (Ctrl-C to stop)\n");
        entry.explore(&params, &changes, address, no_lean)
    });
    match result {
        Ok(()) => 0,
        Err(error) => fail(error),
    }
}

/// `synccheck explore --trace FILE`: serves the trace's model with its exact
/// parameters and assumption set, after printing the link to the trace's path. The
/// trace is replayed first, as `replay` does: the link says the property is violated
/// there, so a trace that does not reproduce is refused (exit 1).
fn explore_trace(registry: &Registry, path: &str, address: &str, no_lean: bool) -> i32 {
    let trace = match crate::trace::load(std::path::Path::new(path)) {
        Ok(trace) => trace,
        Err(error) => return fail(error),
    };
    if let Err(error) = crate::registry::usable_address(address) {
        return fail(error);
    }
    match registry.replay_file_with(path, &trace, &CheckOptions::default()) {
        Ok(crate::trace::ReplayOutcome::Reproduced { .. }) => {}
        Ok(crate::trace::ReplayOutcome::Diverged { step, reason }) => {
            let place = crate::trace::ReplayOutcome::place(step, trace.trace.steps.len());
            let program = super::program_name();
            // Said even under `-q`: it is why nothing is served.
            let _ = writeln!(
                anstream::stderr(),
                "{path} does not reproduce: {place}: {reason}; `{program} explore {}` walks its model by hand",
                crate::explore::explore_arguments(&trace).join(" ")
            );
            return 1;
        }
        Err(error) => return fail(error),
    }
    let indices = match crate::explore::trace_path(registry, path, &trace, no_lean) {
        Ok(Some(indices)) => indices,
        Ok(None) => {
            let program = super::program_name();
            return fail(format!(
                "{path}: the trace does not run on the model (`{program} replay {path}` says where)"
            ));
        }
        Err(error) => return fail(error),
    };
    let mut arguments = crate::explore::explore_arguments(&trace);
    if no_lean {
        arguments.push("--no-lean".to_string());
    }
    let changes = AssumptionChanges {
        relax_all: trace.assumptions.is_some(),
        hold: trace
            .assumptions
            .as_ref()
            .map(|a| a.held_specs())
            .unwrap_or_default(),
        relax: Vec::new(),
    };
    let sets: Vec<String> = trace
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    // The link is what `explore --trace` is run for: said under --quiet too.
    note_raw!(
        "the trace ({}, `{}` violated): {}\n",
        crate::report::steps(trace.trace.length),
        trace.property,
        crate::explore::link(address, &indices)
    );
    note_raw!(
        "(the same as: {} explore {})\n",
        super::program_name(),
        arguments.join(" ")
    );
    explore(registry, &trace.model, &sets, changes, address, no_lean)
}

/// The `synccheck explore` command that serves `trace`'s model at `address`, storing
/// every quantity when `no_lean`.
fn explore_command(trace: &crate::trace::TraceFile, address: &str, no_lean: bool) -> String {
    let mut arguments = crate::explore::explore_arguments(trace);
    if address != crate::explore::DEFAULT_ADDRESS {
        arguments.push(format!("--address {address}"));
    }
    if no_lean {
        arguments.push("--no-lean".to_string());
    }
    arguments.join(" ")
}

/// The Explorer links of the counterexamples of `report` (`check --explorer-link`),
/// into the space the check explored (`no_lean`: every quantity stored).
fn explorer_links(
    registry: &Registry,
    report: &crate::report::CheckReport,
    address: &str,
    no_lean: bool,
) -> String {
    let mut text = String::new();
    for trace in crate::trace::traces_of(report) {
        match crate::explore::trace_path(registry, &trace.model, &trace, no_lean) {
            Ok(Some(indices)) => text.push_str(&format!(
                "explorer link to the counterexample of `{}`: {}
  serve it with: {} explore {}
",
                trace.property,
                crate::explore::link(address, &indices),
                super::program_name(),
                explore_command(&trace, address, no_lean)
            )),
            Ok(None) => text.push_str(&format!(
                "explorer link to the counterexample of `{}`: none (the trace does not run on the model)
",
                trace.property
            )),
            Err(error) => text.push_str(&format!(
                "explorer link to the counterexample of `{}`: none ({error})
",
                trace.property
            )),
        }
    }
    text
}

/// The traces of `report`, each with what it shows (its property).
fn report_traces(report: &crate::report::CheckReport) -> Vec<(String, TraceFile)> {
    (crate::trace::traces_of(report).into_iter())
        .map(|trace| (format!("`{}`", trace.property), trace))
        .collect()
}

/// The counterexamples that decide a plan check's pinned boundaries (`expect_bounds`),
/// each with what it shows: the property and the bound it was found at.
fn bound_traces(result: &plan::PlanCheckResult) -> Vec<(String, TraceFile)> {
    (result.bounds.iter())
        .filter_map(|bound| {
            let trace = bound.counterexample.clone()?;
            Some((
                format!("`{}` at {}", bound.property, bound.deciding()),
                trace,
            ))
        })
        .collect()
}

/// Saves `traces` (each with what it shows) into `dir`; returns the text that names
/// them. A trace whose file `written` holds already (the same model, parameters,
/// assumptions and property: a plan check and another's pinned boundary can be one
/// check) is not written again; the text names the file.
fn save_traces(
    traces: &[(String, TraceFile)],
    dir: &str,
    written: &mut std::collections::BTreeSet<std::path::PathBuf>,
) -> Result<String, String> {
    let mut text = String::new();
    for (shows, trace) in traces {
        let file = std::path::Path::new(dir).join(crate::trace::file_name(trace));
        if !written.insert(file.clone()) {
            text.push_str(&format!(
                "trace of {shows}: the same model, parameters, assumptions and property as a trace saved above: {}\n",
                file.display()
            ));
            continue;
        }
        let path = crate::trace::save(std::path::Path::new(dir), trace)
            .map_err(|e| format!("--trace-dir {dir}: {e}"))?;
        let (program, path) = (super::program_name(), path.display());
        text.push_str(&format!(
            "trace of {shows} saved: {path}\n  replay: {program} replay {path}\n  chart:  {program} show {path} --as text\n",
        ));
    }
    Ok(text)
}

pub(super) fn fail(message: impl std::fmt::Display) -> i32 {
    let _ = writeln!(
        anstream::stderr(),
        "{} {message}",
        super::style::error_prefix()
    );
    2
}

/// A note on stderr, unless `-q`.
fn note(text: &str) {
    if super::style::verbosity() >= super::style::Verbosity::Normal {
        // Never a panic: stderr may be a closed pipe.
        let _ = write!(anstream::stderr(), "{text}");
    }
}

/// Human output on stdout, painted where colour is on.
fn emit_human(text: &str) -> i32 {
    emit(&super::style::paint_human(text))
}

pub(super) fn emit(text: &str) -> i32 {
    let mut stdout = anstream::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => 0,
        // A reader that stopped reading (`| head`) has what it wanted: not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            let _ = writeln!(
                anstream::stderr(),
                "{} writing the report: {error}",
                super::style::error_prefix()
            );
            2
        }
    }
}

/// `synccheck completions SHELL`: the arguments, and the words this binary's registry
/// gives them (model names, assumptions, parameter choices, property names).
fn completions(shell: clap_complete::Shell, registry: &Registry) -> i32 {
    let mut text = Vec::new();
    let mut command = with_candidates(super::command(), &Candidates::of(registry));
    let name = command.get_name().to_string();
    clap_complete::generate(shell, &mut command, name, &mut text);
    emit(&String::from_utf8_lossy(&text))
}

/// The words a shell may complete an argument's value with, from the registry.
struct Candidates {
    /// Every registered model's name.
    models: Vec<String>,
    /// Every assumption's name (`--hold`, `--relax`).
    assumptions: Vec<String>,
    /// `NAME=VALUE` for each value of every choice parameter of any model (`--set`).
    sets: Vec<String>,
    /// Every property of any model (`--property`).
    properties: Vec<String>,
}

impl Candidates {
    fn of(registry: &Registry) -> Candidates {
        let mut sets = std::collections::BTreeSet::new();
        let mut properties =
            std::collections::BTreeSet::from([crate::check::DEADLOCK_PROPERTY.to_string()]);
        for entry in registry.entries() {
            for param in entry.parameters() {
                if let crate::model::ParamKind::Choice(values) = param.kind {
                    sets.extend(values.iter().map(|value| format!("{}={value}", param.name)));
                }
            }
            // A model that cannot describe itself at its defaults has its error shown
            // by the commands that need it; its properties are just not offered here.
            if let Ok(description) = entry.describe() {
                properties.extend(description.properties.iter().map(|p| p.name.to_string()));
            }
        }
        Candidates {
            models: registry
                .names()
                .iter()
                .map(|name| name.to_string())
                .collect(),
            assumptions: (crate::system::Assumption::ALL.iter())
                .map(|assumption| assumption.name().to_string())
                .chain(["no_crash".to_string()])
                .collect(),
            sets: sets.into_iter().collect(),
            properties: properties.into_iter().collect(),
        }
    }

    /// The words for an argument, by its id, if it takes them.
    fn for_arg(&self, id: &str) -> Option<&[String]> {
        match id {
            "model" => Some(&self.models),
            "hold" | "relax" | "assumptions" => Some(&self.assumptions),
            "sets" => Some(&self.sets),
            "properties" => Some(&self.properties),
            _ => None,
        }
    }
}

/// `command` with each argument that takes a registry's word offering them as its
/// possible values. Only the completion script is generated from it: the command line
/// itself parses any word and answers an unknown one in its own words.
fn with_candidates(command: clap::Command, candidates: &Candidates) -> clap::Command {
    let command = command.mut_args(|arg| match candidates.for_arg(arg.get_id().as_str()) {
        Some(words) if !words.is_empty() => {
            arg.value_parser(clap::builder::PossibleValuesParser::new(words.to_vec()))
        }
        _ => arg,
    });
    command.mut_subcommands(|sub| with_candidates(sub, candidates))
}

/// `synccheck man`.
fn man() -> i32 {
    let mut text = Vec::new();
    match clap_mangen::Man::new(super::command()).render(&mut text) {
        Ok(()) => emit(&String::from_utf8_lossy(&text)),
        Err(error) => fail(error),
    }
}

fn list(registry: &Registry, format: Format) -> i32 {
    let mut descriptions = Vec::new();
    for model in registry.entries() {
        match model.describe() {
            Ok(description) => descriptions.push(description),
            Err(error) => return fail(error),
        }
    }
    if format == Format::Json {
        return json(&serde_json::json!({
            "schema_version": crate::report::SCHEMA_VERSION,
            "synccheck_version": crate::report::VERSION,
            "models": descriptions,
        }));
    }
    let mut out = String::new();
    for d in &descriptions {
        out.push_str(&format!("{} [{}]\n  {}\n", d.name, d.family, d.summary));
        for p in &d.parameters {
            let values = p.range_text();
            out.push_str(&format!(
                "  param {}={} ({values}): {}\n",
                p.name, p.default, p.help
            ));
        }
        if d.timed {
            for (assumption, because) in &d.leans_on {
                out.push_str(&format!("  leans on {assumption}: {because}\n"));
            }
        } else {
            out.push_str("  untimed (a plain stateright model): no timing assumptions\n");
        }
        let properties: Vec<String> = d
            .properties
            .iter()
            .map(|p| format!("{} {}", p.kind.name(), p.name))
            .collect();
        out.push_str(&format!("  properties: {}\n\n", properties.join(", ")));
    }
    emit(&out)
}

fn options(args: &CheckArgs) -> Result<CheckOptions, String> {
    if args.walks == Some(0) {
        return Err("--walks 0: expected at least 1".to_string());
    }
    // A BFS or DFS has no seed and no walks: a flag it would ignore is a mistake.
    let simulation = matches!(args.strategy, StrategyArg::Simulation);
    let walk_flags = [
        ("--seed", args.seed.is_some()),
        ("--walks", args.walks.is_some()),
    ];
    if let (false, Some((flag, _))) = (simulation, walk_flags.iter().find(|(_, given)| *given)) {
        return Err(format!(
            "{flag} is for --strategy simulation (the search here is {}, which it would not change): drop it, or add --strategy simulation",
            if matches!(args.strategy, StrategyArg::Dfs) { "dfs" } else { "bfs" }
        ));
    }
    let mut properties: Vec<String> = Vec::new();
    for name in &args.properties {
        if !properties.contains(name) {
            properties.push(name.clone());
        }
    }
    // The links are for `explore --address` to serve later: the address must be one
    // it takes (HOST:PORT), though nothing need listen there yet.
    // A host name or an IPv4 address, or an IPv6 one in brackets; no scheme, no path.
    let host_ok = |host: &str| {
        let bracketed = host.starts_with('[') && host.ends_with(']');
        !host.is_empty() && !host.contains('/') && (bracketed || !host.contains(':'))
    };
    let port = (args.explorer_address.rsplit_once(':'))
        .filter(|(host, _)| host_ok(host))
        .map(|(_, port)| port.parse::<u16>());
    if args.explorer_link && !matches!(port, Some(Ok(_))) {
        return Err(format!(
            "--explorer-address {}: expected HOST:PORT (as `explore --address` takes it), e.g. {}",
            args.explorer_address,
            crate::explore::DEFAULT_ADDRESS
        ));
    }
    if args.no_deadlock && properties.iter().any(|p| p == DEADLOCK_PROPERTY) {
        return Err(format!(
            "--property {DEADLOCK_PROPERTY} and --no-deadlock contradict each other: give one"
        ));
    }
    let limits = Limits {
        max_states: args.max_states,
        timeout: args.timeout,
        max_memory: args.max_memory,
    };
    Ok(CheckOptions {
        strategy: match args.strategy {
            StrategyArg::Bfs => Strategy::Bfs,
            StrategyArg::Dfs => Strategy::Dfs,
            StrategyArg::Simulation => Strategy::Simulation,
        },
        seed: args.seed.unwrap_or(0),
        max_depth: args.max_depth,
        check_deadlock: !args.no_deadlock,
        properties,
        simulation_walks: args
            .walks
            .unwrap_or(CheckOptions::default().simulation_walks),
        cancel: Arc::new(AtomicBool::new(false)),
        progress: Arc::new(Progress::default()),
        exact: args.exact,
        ..args
            .reductions
            .apply(limits.options(usize::from(args.threads))?)
    })
}

/// Fails now, before any check runs, when `path` cannot be written (a report found
/// unwritable only after the whole plan ran is a plan's time lost).
fn probe_writable(path: &str) -> Result<(), String> {
    let existed = std::path::Path::new(path).exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("--junit {path}: cannot write here: {e}"))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

fn check(registry: &Registry, args: &CheckArgs) -> i32 {
    let options = match options(args) {
        Ok(options) => options,
        Err(message) => return fail(message),
    };
    // Ctrl-C, SIGTERM and SIGHUP cancel the check: the partial report and JUnit are
    // written, exit 3 (`signals`).
    let _cancelling = super::signals::cancel_on_signal(&options.cancel);
    if args.all || args.plan.is_some() {
        return check_plans(registry, args, &options);
    }
    if args.junit.is_some() {
        return fail("--junit reports a plan's expectations: use it with --plan or --all");
    }
    if args.shard.is_some() {
        return fail("--shard splits a plan: use it with --plan or --all");
    }
    let Some(model) = &args.model else {
        return fail("name a model, --plan FILE or --all");
    };
    let params = match parse_sets(&args.sets) {
        Ok(params) => params,
        Err(error) => return fail(error),
    };
    let request = CheckRequest {
        model: model.clone(),
        params,
        changes: AssumptionChanges {
            relax_all: args.relax_all,
            hold: args.hold.clone(),
            relax: args.relax.clone(),
        },
    };
    let report = match with_progress(&options, model, None, || registry.run(&request, &options)) {
        Ok(report) => report,
        Err(error) => return fail(error),
    };
    let mut saved = match args
        .trace_dir
        .as_deref()
        .map(|dir| save_traces(&report_traces(&report), dir, &mut Default::default()))
    {
        Some(Err(message)) => return fail(message),
        Some(Ok(text)) => text,
        None => String::new(),
    };
    if args.explorer_link {
        saved.push_str(&explorer_links(
            registry,
            &report,
            &args.explorer_address,
            args.reductions.no_lean,
        ));
    }
    let written = match args.format {
        Format::Human => emit_human(&(render_human(&report) + &saved)),
        Format::Json => {
            note_raw!("{saved}");
            json(&report)
        }
    };
    if written != 0 {
        return written;
    }
    report.exit_code()
}

pub(super) fn json<T: serde::Serialize>(value: &T) -> i32 {
    match serde_json::to_string_pretty(value) {
        Ok(text) => emit(&(text + "\n")),
        Err(error) => fail(error),
    }
}

/// Why plans could not be loaded: a plain message, or plan errors already rendered
/// with their source lines (and each error's place and words, for annotations).
enum PlanLoadError {
    Message(String),
    Located {
        rendered: String,
        errors: Vec<(plan::SourceLocation, String)>,
    },
}

impl From<String> for PlanLoadError {
    fn from(message: String) -> Self {
        PlanLoadError::Message(message)
    }
}

fn load_plans(registry: &Registry, args: &CheckArgs) -> Result<Vec<Plan>, PlanLoadError> {
    if args.all {
        if registry.plans().is_empty() {
            return Err(PlanLoadError::Message(
                "--all runs the registry's plans, and this binary registers none: use --plan FILE"
                    .to_string(),
            ));
        }
        let plans = registry
            .plans()
            .iter()
            .filter(|source| source.text.contains("[[check]]"))
            .map(|source| {
                plan::parse(&source.file, &source.text, registry)
                    .map_err(|e| located_error(&e, &source.text))
            })
            .collect::<Result<Vec<Plan>, _>>()?;
        // One report, one JUnit file and `merge` tell checks apart by name, across
        // the plans as within each.
        let mut seen: Vec<&plan::PlanCheck> = Vec::new();
        for check in plans.iter().flat_map(|plan| &plan.checks) {
            if let Some(first) = seen.iter().find(|c| c.name == check.name) {
                return Err(PlanLoadError::Message(format!(
                    "{}:{}: check `{}` is named like the check at {}:{}: `--all` reports them \
                     together, and reports, shards and JUnit tell checks apart by name",
                    check.location.file,
                    check.location.line,
                    check.name,
                    first.location.file,
                    first.location.line
                )));
            }
            seen.push(check);
        }
        return Ok(plans);
    }
    let file = args.plan.clone().unwrap_or_default();
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    Ok(vec![
        plan::parse(&file, &text, registry).map_err(|e| located_error(&e, &text))?
    ])
}

/// A plan error with every error rendered at its source line, and each one's place.
fn located_error(error: &plan::PlanError, text: &str) -> PlanLoadError {
    PlanLoadError::Located {
        rendered: located(error, text),
        errors: error
            .all()
            .into_iter()
            .map(|each| {
                (
                    plan::SourceLocation {
                        file: each.file.clone(),
                        line: each.line,
                        column: each.column,
                    },
                    format!(
                        "{}:{}:{}: {}",
                        each.file, each.line, each.column, each.message
                    ),
                )
            })
            .collect(),
    }
}

/// Every error of a plan, each with the plan line it points at (annotate-snippets).
fn located(error: &plan::PlanError, text: &str) -> String {
    use annotate_snippets::{Level, Renderer, Snippet};
    let renderer = Renderer::styled();
    let mut out = String::new();
    for each in error.all() {
        let title = format!(
            "{}:{}:{}: {}",
            each.file, each.line, each.column, each.message
        );
        let span = token_at(text, each.line, each.column);
        let message = Level::Error.title(&title).snippet(
            Snippet::source(text)
                .line_start(1)
                .origin(&each.file)
                .fold(true)
                .annotation(Level::Error.span(span).label("here")),
        );
        out.push_str(&format!("{}\n", renderer.render(message)));
    }
    out
}

/// The byte range of the token at 1-based `line`:`column` (characters) of `text`.
fn token_at(text: &str, line: usize, column: usize) -> std::ops::Range<usize> {
    let start_of_line: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(start_of_line..).unwrap_or("");
    let line_text = rest.lines().next().unwrap_or("");
    let start = start_of_line
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(at, _)| at);
    let length: usize = text
        .get(start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| !c.is_whitespace() && !",]}=".contains(*c))
        .map(char::len_utf8)
        .sum();
    start..(start + length.max(1)).min(text.len())
}

fn check_plans(registry: &Registry, args: &CheckArgs, options: &CheckOptions) -> i32 {
    if args.model.is_some()
        || !args.sets.is_empty()
        || !args.hold.is_empty()
        || !args.relax.is_empty()
        || args.relax_all
    {
        return fail("--plan/--all take their models, parameters and assumptions from the plan; drop --set/--hold/--relax");
    }
    if let Some(path) = &args.junit {
        if let Err(message) = probe_writable(path) {
            return fail(message);
        }
    }
    let whole = match load_plans(registry, args) {
        Ok(plans) => plans,
        Err(PlanLoadError::Message(message)) => {
            if super::github::active() {
                let annotation = super::github::error(None, "synccheck: invalid plan", &message);
                github_annotate(&annotation, args.format);
            }
            return fail(message);
        }
        Err(PlanLoadError::Located { rendered, errors }) => {
            if super::github::active() {
                let annotations: String = errors
                    .iter()
                    .map(|(at, message)| {
                        super::github::error(Some(at), "synccheck: invalid plan", message)
                    })
                    .collect();
                github_annotate(&annotations, args.format);
            }
            let _ = write!(anstream::stderr(), "{rendered}");
            return 2;
        }
    };
    if args.no_deadlock {
        // As `--property deadlock_free --no-deadlock` is refused for one check.
        let selecting = (whole.iter().flat_map(|p| &p.checks))
            .find(|check| check.properties.iter().any(|p| p == DEADLOCK_PROPERTY));
        if let Some(check) = selecting {
            let at = &check.location;
            return fail(format!(
                "{}:{}:{}: check `{}` searches {DEADLOCK_PROPERTY} (key `properties`), which --no-deadlock turns off: drop one",
                at.file, at.line, at.column, check.name
            ));
        }
    }
    let shard = match args.shard.as_deref().map(plan::parse_shard) {
        Some(Ok(shard)) => shard,
        Some(Err(message)) => return fail(message),
        None => (1, 1),
    };
    let mut plans = whole.clone();
    for plan in &mut plans {
        plan.checks.retain(|check| plan::in_shard(check, shard));
    }
    let checks: Vec<&plan::PlanCheck> = plans.iter().flat_map(|p| &p.checks).collect();
    let total = checks.len();
    let mut results = Vec::new();
    let mut written = std::collections::BTreeSet::new();
    let emitted = run_in_order(&checks, options, registry, |label, result| {
        if let Some(dir) = &args.trace_dir {
            let mut traces = result
                .report
                .as_ref()
                .map(report_traces)
                .unwrap_or_default();
            traces.extend(bound_traces(&result));
            match save_traces(&traces, dir, &mut written) {
                Ok(text) if args.format == Format::Human => note(&text),
                Ok(_) => {}
                Err(message) => return Err(fail(message)),
            }
        }
        if let (true, Some(check_report)) = (args.explorer_link, &result.report) {
            note(&explorer_links(
                registry,
                check_report,
                &args.explorer_address,
                args.reductions.no_lean,
            ));
        }
        if args.format == Format::Human {
            let status = result.status();
            let stats = match (&result.report, super::style::verbosity()) {
                (Some(report), super::style::Verbosity::Verbose) => format!(
                    " ({}, depth {}, {:.2} s)",
                    crate::report::counted(
                        report.stats.unique_states,
                        "unique state",
                        "unique states"
                    ),
                    report.stats.max_depth,
                    report.seconds
                ),
                _ => String::new(),
            };
            note(&super::style::paint_human(&format!(
                "{label}: {status}{stats}\n"
            )));
        }
        results.push(result);
        Ok(())
    });
    if let Err(code) = emitted {
        return code;
    }
    let not_run: Vec<&plan::PlanCheck> = plans
        .iter()
        .flat_map(|p| &p.checks)
        .skip(results.len())
        .collect();
    let files = plans.iter().map(|p| p.file.clone()).collect();
    let mut report = plan::report(files, results);
    plan::identify(&mut report, &whole, shard);
    if let Some(path) = &args.junit {
        let trace_dir = args.trace_dir.as_deref().map(std::path::Path::new);
        if let Err(message) = super::junit::write(path, &report, trace_dir, &not_run) {
            return fail(message);
        }
    }
    let written = match args.format {
        Format::Human => {
            let mut text = plan::render_summary(&report);
            if options.cancel.load(Ordering::Relaxed) {
                text.push_str(&format!(
                    "stopped: cancelled (Ctrl-C or SIGTERM): incomplete, {} of {total} checks not run\n",
                    total - report.checks.len()
                ));
            }
            for check in &report.checks {
                let Some(check_report) = &check.report else {
                    continue;
                };
                // Every unmet expectation of the check, then its report once.
                let unmet: Vec<String> = (check.expectations.iter().filter(|e| !e.met))
                    .map(|e| {
                        format!(
                            "`{}` expected {}, found {}",
                            e.property,
                            e.expected.name(),
                            e.actual.name()
                        )
                    })
                    .collect();
                if !unmet.is_empty() {
                    text.push_str(&format!("\n{}: {}\n", check.name, unmet.join("; ")));
                    text.push_str(&render_human(check_report));
                }
                for b in check.bounds.iter().filter(|b| !b.met) {
                    text.push_str(&format!(
                        "\n{}: `{}` pinned to hold with {}({}) and break with {}({}): found {} there and {} above\n",
                        check.name,
                        b.property,
                        b.assumption.name(),
                        b.holds_up_to,
                        b.assumption.name(),
                        b.holds_up_to + 1,
                        b.at_bound.name(),
                        b.above_bound.name()
                    ));
                    if let Some(trace) = &b.counterexample {
                        text.push_str(&format!(
                            "counterexample at {} ({}):\n",
                            b.deciding(),
                            crate::report::steps(trace.trace.length)
                        ));
                        crate::report::render_trace(&trace.trace, &trace.nodes, &mut text);
                    }
                }
            }
            emit(&text)
        }
        Format::Json => json(&report),
    };
    if let Err(message) = github_outputs(&report, args.format) {
        return fail(message);
    }
    if written != 0 {
        return written;
    }
    if options.cancel.load(Ordering::Relaxed) {
        return 3;
    }
    report.exit_code()
}

/// Inside GitHub Actions: the annotations and the job summary of a plan report.
fn github_outputs(report: &plan::PlanReport, format: Format) -> Result<(), String> {
    if !super::github::active() {
        return Ok(());
    }
    github_annotate(&super::github::annotations(report), format);
    super::github::write_summary(report)
}

/// Workflow commands go to stdout, where the runner reads them, unless stdout is JSON.
fn github_annotate(annotations: &str, format: Format) {
    if format == Format::Json {
        note_raw!("{annotations}");
    } else {
        let _ = emit(annotations);
    }
}

/// Runs the plan's `checks` and hands each result to `emit` in plan order, as soon as
/// it and every check before it are done; stops starting checks when the run is
/// cancelled or `emit` fails (its error comes back). With several threads the checks
/// run side by side ([`plan_workers`]), each check with an equal share of the
/// threads: most plan checks are small, and a small search, or the explanation,
/// confirmation and liveness phases after one, use one thread, so whole checks side
/// by side keep every thread busy where one check at a time does not. Every check's
/// report is the one it gives alone with its share of the threads; a limit (time,
/// memory) is met at the pace the checks beside it leave, and the memory limit counts
/// the whole process (so checks side by side share it). After Ctrl-C or an error from
/// `emit` no check starts and the running ones are cancelled (waited for, briefly).
fn run_in_order(
    checks: &[&plan::PlanCheck],
    options: &CheckOptions,
    registry: &Registry,
    mut emit: impl FnMut(&str, plan::PlanCheckResult) -> Result<(), i32>,
) -> Result<(), i32> {
    let label = |index: usize| plan_label(checks, index);
    let workers = plan_workers(options.threads, checks.len());
    if workers <= 1 {
        for (index, check) in checks.iter().enumerate() {
            if options.cancel.load(Ordering::Relaxed) {
                break;
            }
            let result = with_progress(options, &label(index), None, || {
                plan::run_check(check, options, registry)
            });
            emit(&label(index), result)?;
        }
        return Ok(());
    }
    let pool = PlanPool {
        checks,
        registry,
        share: CheckOptions {
            threads: (options.threads / workers).max(1),
            ..options.clone()
        },
        // One live line per running check on a terminal, printed lines above them.
        lines: (progress_mode() == ProgressMode::Line).then(indicatif::MultiProgress::new),
        next: std::sync::atomic::AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        let (sender, received) = std::sync::mpsc::channel();
        for _ in 0..workers {
            let sender = sender.clone();
            let pool = &pool;
            scope.spawn(move || pool.work(&sender));
        }
        drop(sender);
        let mut waiting = std::collections::BTreeMap::new();
        let mut due = 0;
        for (index, result) in received {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&due) {
                let emitted = match &pool.lines {
                    Some(lines) => lines.suspend(|| emit(&label(due), result)),
                    None => emit(&label(due), result),
                };
                if emitted.is_err() {
                    // No more checks, and those running stop now (the run ends with
                    // `emit`'s error).
                    pool.stop();
                    return emitted;
                }
                due += 1;
            }
        }
        Ok(())
    })
}

/// `[3/112] name`: how the plan's check `index` is shown.
fn plan_label(checks: &[&plan::PlanCheck], index: usize) -> String {
    format!("[{}/{}] {}", index + 1, checks.len(), checks[index].name)
}

/// What the workers of [`run_in_order`] share.
struct PlanPool<'a> {
    checks: &'a [&'a plan::PlanCheck],
    registry: &'a Registry,
    /// The options of each check: its share of the threads.
    share: CheckOptions,
    lines: Option<indicatif::MultiProgress>,
    /// The next check to start.
    next: std::sync::atomic::AtomicUsize,
    /// Set when the run ends early: no check starts any more.
    stop: AtomicBool,
}

impl PlanPool<'_> {
    /// Runs checks, taken in plan order, until none is left or the run stops, and
    /// sends each result with its index.
    fn work(&self, sender: &std::sync::mpsc::Sender<(usize, plan::PlanCheckResult)>) {
        loop {
            if self.stop.load(Ordering::Relaxed) || self.share.cancel.load(Ordering::Relaxed) {
                return;
            }
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(check) = self.checks.get(index) else {
                return;
            };
            // Its own counters: the checks beside it count theirs.
            let own = CheckOptions {
                progress: Arc::new(Progress::default()),
                ..self.share.clone()
            };
            // A panicking check stops the others; its panic goes on once they are done.
            let guard = StopOnPanic(self);
            let label = plan_label(self.checks, index);
            let result = with_progress(&own, &label, self.lines.as_ref(), || {
                plan::run_check(check, &own, self.registry)
            });
            std::mem::forget(guard);
            if sender.send((index, result)).is_err() {
                return;
            }
        }
    }

    /// No check starts any more, and those running are cancelled.
    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.share.cancel.store(true, Ordering::Relaxed);
    }
}

/// Stops a [`PlanPool`] when dropped, which happens only when its check panicked (on
/// success it is forgotten).
struct StopOnPanic<'p, 'a>(&'p PlanPool<'a>);

impl Drop for StopOnPanic<'_, '_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// How many of a plan's `checks` run at once with `threads` threads: the least `w`
/// with `w² ≥ threads` (at most one per check), each check then getting
/// `⌊threads / w⌋` (the rest stay idle: 1 of 3, 2 of 5; a report's `threads` then
/// does not depend on which worker ran it). A check's threads are fixed when it
/// starts, so the plan's longest check runs on its share alone at the end: one check
/// per thread would leave it one thread (on 16 threads `quorum_register --relax-all` alone takes longer on one
/// thread than the whole catalog did on 16), one check at a time leaves the small
/// checks' threads idle. The square root keeps both within √threads of their best:
/// 2 threads run 2 checks of 1 thread (measured: BENCHMARKS.md), 16 run 4 of 4.
fn plan_workers(threads: usize, checks: usize) -> usize {
    let mut workers = 1;
    while workers * workers < threads {
        workers += 1;
    }
    workers.min(checks)
}

/// How progress is shown on stderr.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ProgressMode {
    /// `SYNCCHECK_NO_PROGRESS` is set: nothing.
    Off,
    /// stderr is a terminal: a live line (after the first second).
    Line,
    /// stderr is a file or pipe (a CI log): a heartbeat line every so often, so a long
    /// run does not look hung.
    Heartbeat(Duration),
}

/// Seconds between heartbeat lines unless `SYNCCHECK_HEARTBEAT_SECS` says otherwise.
const HEARTBEAT_DEFAULT: Duration = Duration::from_secs(15);

fn progress_mode() -> ProgressMode {
    if std::env::var_os("SYNCCHECK_NO_PROGRESS").is_some()
        || super::style::verbosity() < super::style::Verbosity::Normal
    {
        return ProgressMode::Off;
    }
    if std::io::stderr().is_terminal() {
        return ProgressMode::Line;
    }
    let every = std::env::var("SYNCCHECK_HEARTBEAT_SECS")
        .ok()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .unwrap_or(HEARTBEAT_DEFAULT);
    ProgressMode::Heartbeat(every)
}

/// Runs `work` while stderr shows how far it got: states, states/s and depth, as a live
/// line on a terminal (after the first second) or as a heartbeat line every
/// `SYNCCHECK_HEARTBEAT_SECS` (default 15) otherwise. `SYNCCHECK_NO_PROGRESS` turns
/// both off.
/// With `lines` (checks side by side on a terminal) the live line is one of theirs.
fn with_progress<T>(
    options: &CheckOptions,
    label: &str,
    lines: Option<&indicatif::MultiProgress>,
    work: impl FnOnce() -> T,
) -> T {
    let mode = progress_mode();
    if mode == ProgressMode::Off {
        return work();
    }
    let progress = Arc::clone(&options.progress);
    // Dropped when the work is done: the watcher wakes at once (a sleep would hold
    // every check up to a tenth of a second, seconds over a plan).
    let (finished, wait) = std::sync::mpsc::channel::<()>();
    let label = label.to_string();
    let lines = lines.cloned();
    let watcher = {
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut next_beat = match mode {
                ProgressMode::Heartbeat(every) => every,
                _ => Duration::from_secs(1),
            };
            let bar = indicatif::ProgressBar::hidden();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .expect("a valid indicatif template"),
            );
            // Drawn from the first second on.
            let mut shown = false;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                wait.recv_timeout(Duration::from_millis(100))
            {
                let elapsed = started.elapsed();
                if elapsed < next_beat {
                    continue;
                }
                let states = progress.unique_states.load(Ordering::Relaxed);
                let depth = progress.max_depth.load(Ordering::Relaxed);
                let status = if progress.after_search.load(Ordering::Relaxed) {
                    match progress.phase() {
                        Some((phase, held)) => format!(
                            "{label}: search done ({states} states, depth {depth}); {}: \
                             {held} states",
                            phase.describe()
                        ),
                        None if progress.in_claims() => format!(
                            "{label}: search done ({states} states, depth {depth}); checking \
                             the counterexamples' claims"
                        ),
                        None => format!(
                            "{label}: {states} states, depth {depth}; search done, checking \
                             liveness and the counterexamples' claims"
                        ),
                    }
                } else {
                    let rate = states as f64 / elapsed.as_secs_f64();
                    format!("{label}: {states} states, {rate:.0} states/s, depth {depth}")
                };
                match mode {
                    ProgressMode::Heartbeat(every) => {
                        note!("{status}, {:.0} s", elapsed.as_secs_f64());
                        next_beat += every;
                    }
                    _ => {
                        if !shown {
                            shown = true;
                            match &lines {
                                Some(lines) => {
                                    lines.add(bar.clone());
                                }
                                None => {
                                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr())
                                }
                            }
                        }
                        bar.set_message(status);
                        bar.tick();
                    }
                }
            }
            bar.finish_and_clear();
            if let Some(lines) = &lines {
                lines.remove(&bar);
            }
        })
    };
    let result = work();
    drop(finished);
    let _ = watcher.join();
    options.progress.unique_states.store(0, Ordering::Relaxed);
    options.progress.max_depth.store(0, Ordering::Relaxed);
    options
        .progress
        .after_search
        .store(false, Ordering::Relaxed);
    result
}

#[cfg(test)]
mod tests {
    /// `check --all` reports every registered plan together: a name two plans share is
    /// an error naming both places, as within one plan.
    #[test]
    fn all_plans_together_tell_their_checks_apart_by_name() {
        use clap::Parser;
        let plan = "[[check]]\nname = \"same\"\nmodel = \"two_phase_commit\"\n\
                    expect = { consistent = \"holds\" }\n";
        let registry = crate::registry::Registry::new()
            .plain::<crate::models::recovery::two_phase_commit::TwoPhaseCommit>()
            .plan("first.toml", plan)
            .plan("second.toml", plan);
        let cli = super::Cli::parse_from(["synccheck", "check", "--all"]);
        let super::Command::Check(args) = cli.command else {
            panic!("a check command");
        };
        match super::load_plans(&registry, &args) {
            Err(super::PlanLoadError::Message(message)) => assert!(
                message.starts_with(
                    "second.toml:1: check `same` is named like the check at first.toml:1:"
                ),
                "{message}"
            ),
            Err(super::PlanLoadError::Located { rendered, .. }) => panic!("{rendered}"),
            Ok(plans) => panic!("{} plans loaded", plans.len()),
        }
    }

    /// √threads checks at a time, never more than the plan has.
    #[test]
    fn a_plan_runs_about_the_square_root_of_the_threads_side_by_side() {
        use super::plan_workers;
        let cases = [
            ((1, 112), 1),
            ((2, 112), 2),
            ((3, 112), 2),
            ((4, 112), 2),
            ((5, 112), 3),
            ((9, 112), 3),
            ((16, 112), 4),
            ((17, 112), 5),
            ((16, 3), 3),
            ((2, 1), 1),
            ((2, 0), 0),
        ];
        for ((threads, checks), workers) in cases {
            assert_eq!(
                plan_workers(threads, checks),
                workers,
                "{threads} threads, {checks} checks"
            );
        }
    }
}
