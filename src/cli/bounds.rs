//! `synccheck bounds`: the thin command over `crate::bounds`.

use super::args::{BoundsArgs, Format};
use super::commands::{emit, fail, json};
use crate::bounds::{self, BoundsReport, BoundsRequest, ProbeEvent, SearchOptions};
use crate::check::{CheckOptions, Progress};
use crate::registry::Registry;
use crate::request::{parse_sets, AssumptionChanges};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

fn check_options(args: &BoundsArgs) -> Result<CheckOptions, String> {
    let timeout = match args.timeout {
        Some(seconds) if !(seconds.is_finite() && seconds > 0.0) => {
            return Err(format!(
                "--timeout {seconds}: expected a positive number of seconds"
            ))
        }
        Some(seconds) => Some(Duration::from_secs_f64(seconds)),
        None => None,
    };
    if args.max_states == Some(0) {
        return Err("--max-states 0: expected at least 1".to_string());
    }
    Ok(CheckOptions {
        threads: 1,
        max_states: args.max_states,
        timeout,
        max_memory_bytes: crate::check::memory_limit(args.max_memory)?,
        cancel: Arc::new(AtomicBool::new(false)),
        progress: Arc::new(Progress::default()),
        ..args.reductions.apply(CheckOptions::default())
    })
}

/// One line per probe on stderr: which bound is being checked, and what it found.
fn progress_line(event: &ProbeEvent) {
    if std::env::var_os("SYNCCHECK_NO_PROGRESS").is_some() {
        return;
    }
    match &event.finished {
        None => note!("probing {} ...", event.label),
        Some(found) => note!("  {}: {found}", event.label),
    }
}

/// Says which `--hold`/`--relax` of the base set a searched assumption's own probes
/// replaced (they still apply to the other assumptions' searches).
fn note_replaced(changes: &AssumptionChanges, searched: &[crate::system::Assumption]) {
    let flags = (changes.hold.iter().map(|spec| ("--hold", spec)))
        .chain(changes.relax.iter().map(|name| ("--relax", name)));
    for (flag, spec) in flags {
        let Some(assumption) = crate::system::Assumption::of_spec(spec) else {
            continue;
        };
        if searched.contains(&assumption) {
            note!(
                "note: {flag} {}: `{}` is searched, so its own probes replace this; it applies to the other assumptions' searches",
                spec.trim(),
                assumption.name()
            );
        }
    }
}

/// Runs `synccheck bounds`; returns the exit code.
pub fn run(registry: &Registry, args: &BoundsArgs) -> i32 {
    let options = match check_options(args) {
        Ok(options) => options,
        Err(message) => return fail(message),
    };
    let _cancelling = super::signals::cancel_on_signal(&options.cancel);
    let params = match parse_sets(&args.sets) {
        Ok(params) => params,
        Err(error) => return fail(error),
    };
    let request = BoundsRequest {
        model: args.model.clone(),
        params,
        changes: AssumptionChanges {
            relax_all: false,
            hold: args.hold.clone(),
            relax: args.relax.clone(),
        },
        properties: args.properties.clone(),
        assumptions: args.assumptions.clone(),
    };
    let search =
        SearchOptions::new(args.up_to, usize::from(args.threads)).exhaustive(args.exhaustive);
    match &args.sweep {
        Some(text) => sweep(registry, args, &request, text, &search, &options),
        None => match bounds::bounds(registry, &request, &search, &options, &progress_line) {
            Ok(report) => {
                note_replaced(&request.changes, &report.searched);
                finish(args, &report, &[&report], report.exit_code(), || {
                    bounds::render(&report)
                })
            }
            Err(error) => fail(error),
        },
    }
}

fn sweep(
    registry: &Registry,
    args: &BoundsArgs,
    request: &BoundsRequest,
    text: &str,
    search: &SearchOptions,
    options: &CheckOptions,
) -> i32 {
    let (parameter, low, high) = match bounds::parse_sweep(text) {
        Ok(range) => range,
        Err(message) => return fail(message),
    };
    let report = match bounds::sweep(
        registry,
        request,
        (&parameter, low, high),
        search,
        options,
        &progress_line,
    ) {
        Ok(report) => report,
        Err(error) => return fail(error),
    };
    let path = args
        .svg
        .clone()
        .unwrap_or_else(|| format!("{}.{parameter}.bounds.svg", report.model));
    let written = bounds::sweep_svg(&report)
        .and_then(|svg| std::fs::write(&path, svg).map_err(|e| format!("--svg {path}: {e}")));
    if let Err(message) = written {
        return fail(message);
    }
    note!("chart written: {path}");
    if let Some(row) = report.rows.first() {
        note_replaced(&request.changes, &row.bounds.searched);
    }
    let rows: Vec<&BoundsReport> = report.rows.iter().map(|r| &r.bounds).collect();
    finish(args, &report, &rows, report.exit_code(), || {
        bounds::render_sweep(&report)
    })
}

/// Saves the counterexamples, prints the result, returns the exit code.
fn finish<T: serde::Serialize>(
    args: &BoundsArgs,
    value: &T,
    reports: &[&BoundsReport],
    code: i32,
    human: impl FnOnce() -> String,
) -> i32 {
    if let Some(dir) = &args.trace_dir {
        for entry in reports.iter().flat_map(|r| &r.entries) {
            let Some(trace) = &entry.counterexample else {
                continue;
            };
            // One file per property, assumption and bound (a plain trace name would
            // collide between the assumptions searched for one property).
            let name = crate::trace::file_name(trace).replace(
                ".trace.json",
                &format!(
                    ".{}-{}.trace.json",
                    entry.assumption.name(),
                    entry.violated_from.unwrap_or(0)
                ),
            );
            let path = std::path::Path::new(dir).join(name);
            let saved = std::fs::create_dir_all(dir)
                .and_then(|()| serde_json::to_string_pretty(trace).map_err(std::io::Error::other))
                .and_then(|text| std::fs::write(&path, text + "\n"))
                .map(|()| path);
            match saved {
                Ok(path) => note!(
                    "counterexample of `{}` at {}({}) saved: {}",
                    entry.property,
                    entry.assumption.name(),
                    entry.violated_from.unwrap_or(0),
                    path.display()
                ),
                Err(error) => return fail(format!("--trace-dir {dir}: {error}")),
            }
        }
    }
    let written = match args.format {
        Format::Json => json(value),
        Format::Human => emit(&human()),
    };
    if written != 0 {
        return written;
    }
    code
}
