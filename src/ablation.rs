//! Which assumptions are load-bearing: check a model with every assumption it leans on
//! held, then with each relaxed alone (and each pair), and find, per property, the
//! smallest sets of assumptions that, held, make it hold.
//!
//! Holding more assumptions only removes behaviours, so a safety property that holds
//! under a set holds under every superset; the minimal sufficient sets are computed
//! over every subset of the declared assumptions, so the other subsets are checked
//! too, where at most [`DECLARED_MAX`] are declared (more: the rows shown only, and no
//! minimal sets). The runs go in order of how many assumptions they relax (every one
//! held, each alone, each pair, ...), so the rows shown come first under a limit.
//!
//! Every run of an ablation spends one [`Budget`]: `--timeout` bounds the whole
//! command, and a run that a limit cut leaves its cells `unknown`. A property with an
//! unknown cell gets no minimal sets, and only a decided `violated` makes an
//! assumption load-bearing.

use crate::check::{Budget, CheckOptions, Progress, StopReason, Verdict};
use crate::registry::Registry;
use crate::request::{AssumptionChanges, CheckRequest, RequestError};
use crate::system::{Assumption, PropertyKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Subsets are enumerated exhaustively (for the minimal sufficient sets) up to this many
/// declared assumptions: 2^6 = 64 checks.
pub const DECLARED_MAX: usize = 6;

/// One property under one assumption set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The verdict.
    pub verdict: Verdict,
    /// Counterexample length, when violated.
    pub counterexample_steps: Option<usize>,
}

/// One row: which assumptions were relaxed.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Relaxed assumptions (empty: every declared assumption held).
    pub relaxed: Vec<Assumption>,
    /// Property → cell.
    pub cells: BTreeMap<String, Cell>,
}

/// The ablation of one model.
#[derive(Clone, Debug, Serialize)]
pub struct Ablation {
    /// Format version of this JSON document.
    pub schema_version: u32,
    /// The synccheck version that wrote it.
    pub synccheck_version: String,
    /// The model.
    pub model: String,
    /// The assumptions it leans on.
    pub declared: Vec<Assumption>,
    /// Properties with their kinds.
    pub properties: Vec<(String, PropertyKind)>,
    /// The matrix rows shown (all held, each alone, each pair with `--pairs`).
    pub rows: Vec<Row>,
    /// Per safety/liveness property: the minimal sets that, held, make it hold.
    pub minimal_sufficient: BTreeMap<String, Vec<Vec<Assumption>>>,
    /// Whether every subset of the declared assumptions was checked, as the minimal
    /// sets need: not where more than [`DECLARED_MAX`] are declared (then
    /// `minimal_sufficient` is empty).
    pub every_subset: bool,
    /// Per `always`/`eventually` property: the assumptions whose relaxing alone breaks it
    /// (it holds with every one held, and is violated with that one relaxed). A property
    /// a limit left undecided is in `load_bearing_unknown` instead.
    pub load_bearing: BTreeMap<String, Vec<Assumption>>,
    /// Per property whose load-bearing answer a limit left open: the assumptions it is
    /// open for (their run with that one relaxed was cut; every one where the run with
    /// all held was). The ones known to be load-bearing are still in `sentences`.
    pub load_bearing_unknown: BTreeMap<String, Vec<Assumption>>,
    /// One sentence per load-bearing assumption.
    pub sentences: Vec<String>,
    /// The first limit that cut a run (its cells are `unknown`), if any did.
    pub stopped: Option<StopReason>,
    /// Why some rows could not run at all (their cells are empty, read as `unknown`):
    /// the model reads clock offsets, which a row relaxing `bounded_skew` does not
    /// store (`system::OFFSETS_UNSTORED`). The first such error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_run: Option<String>,
}

/// Whether `error` says that the model reads clock offsets a relaxed skew leaves
/// unstored: a row that relaxes `bounded_skew` cannot run for it (where a row that
/// holds it fails so, the base relaxes it: a genuine error).
fn reads_unstored(error: &RequestError) -> bool {
    matches!(error, RequestError::Build { reason, .. }
        if reason.starts_with(crate::system::OFFSETS_UNSTORED))
}

fn run_subset(
    registry: &Registry,
    model: &str,
    params: &BTreeMap<String, String>,
    base: &AssumptionChanges,
    relaxed: &[Assumption],
    options: &CheckOptions,
) -> Result<(BTreeMap<String, Cell>, StopReason), RequestError> {
    let mut changes = base.clone();
    // A row relaxes what the base holds (its bound is the base's, not a contradiction).
    changes.hold.retain(|spec| {
        let name = spec.split_once('=').map_or(spec.as_str(), |(name, _)| name);
        !Assumption::parse(name.trim()).is_some_and(|(a, _)| relaxed.contains(&a))
    });
    changes
        .relax
        .extend(relaxed.iter().map(|a| a.name().to_string()));
    let request = CheckRequest {
        model: model.to_string(),
        params: params.clone(),
        changes,
    };
    let report = registry.run(&request, options)?;
    let cells = report
        .properties
        .iter()
        .map(|p| {
            let cell = Cell {
                verdict: p.verdict,
                counterexample_steps: p.counterexample.as_ref().map(|t| t.length),
            };
            (p.name.clone(), cell)
        })
        .collect();
    // The ablation shows verdicts only: a limit that stopped just the metrics pass,
    // after a search that finished, leaves every cell decided.
    let reason = match report.later_cut {
        Some(cut) if cut.phase == crate::check::Phase::Metrics => cut.search,
        _ => report.stop_reason,
    };
    Ok((cells, reason))
}

/// Runs the ablation.
pub fn ablate(
    registry: &Registry,
    model: &str,
    params: &BTreeMap<String, String>,
    base: &AssumptionChanges,
    pairs: bool,
    options: &CheckOptions,
) -> Result<Ablation, RequestError> {
    let entry = registry.find(model)?;
    // What it leans on and its properties, for these parameters.
    let description = entry.describe_with(params)?;
    if !description.timed {
        return Err(RequestError::Untimed(model.to_string()));
    }
    let declared: Vec<Assumption> = description.leans_on_ids.to_vec();
    let subsets = 1usize << declared.len();
    let every_subset = declared.len() <= DECLARED_MAX;
    let shown = |mask: usize| {
        mask.count_ones() == 0 || mask.count_ones() == 1 || (pairs && mask.count_ones() == 2)
    };
    // The fewest relaxed first: the rows shown come before the subsets only the minimal
    // sets need (larger spaces, as a rule), so a limit cuts those first.
    let mut order: Vec<usize> = (0..subsets)
        .filter(|mask| every_subset || shown(*mask))
        .collect();
    order.sort_by_key(|mask| (mask.count_ones(), *mask));
    let mut by_relaxed: BTreeMap<usize, BTreeMap<String, Cell>> = BTreeMap::new();
    let budget = Budget::start(options);
    // The rows are independent checks: side by side on the threads (each with a share
    // of them), in that order, stopping at the first error (but a row relaxing
    // `bounded_skew` that cannot run for a clock reader: `Ok(Err(why))`, not run). Each
    // counts on counters of its own; the display's add up the rows done.
    let found = crate::pool::side_by_side_until(
        order.len(),
        options,
        |index, share, _| {
            let relaxed: Vec<Assumption> = relaxed_of(&declared, order[index]);
            let own = CheckOptions {
                progress: Arc::new(Progress::default()),
                ..budget.options_for_rest(share)
            };
            let found = match run_subset(registry, model, params, base, &relaxed, &own) {
                Err(error)
                    if reads_unstored(&error) && relaxed.contains(&Assumption::BoundedSkew) =>
                {
                    Ok(Err(error.to_string()))
                }
                found => found.map(Ok),
            };
            let done = &own.progress;
            let shown = &options.progress;
            shown.unique_states.fetch_add(
                done.unique_states.load(Ordering::Relaxed),
                Ordering::Relaxed,
            );
            shown
                .max_depth
                .fetch_max(done.max_depth.load(Ordering::Relaxed), Ordering::Relaxed);
            found
        },
        |found| found.is_err(),
    );
    let mut stopped = None;
    let mut not_run = None;
    for (mask, found) in order.iter().zip(found) {
        let (cells, reason) = match found? {
            Ok(found) => found,
            Err(reason) => {
                not_run.get_or_insert(reason);
                (BTreeMap::new(), StopReason::Complete)
            }
        };
        if !matches!(reason, StopReason::Complete | StopReason::AllDecided) {
            stopped.get_or_insert(reason);
        }
        by_relaxed.insert(*mask, cells);
    }
    let rows = (order.iter().copied())
        .filter(|mask| shown(*mask))
        .map(|mask| Row {
            relaxed: relaxed_of(&declared, mask),
            cells: by_relaxed[&mask].clone(),
        })
        .collect();
    // Deadlock freedom too, where the rows checked it (as every cell then shows it).
    let deadlock = crate::check::DEADLOCK_PROPERTY;
    let checked_deadlock = by_relaxed
        .values()
        .any(|cells| cells.contains_key(deadlock));
    // The columns: the properties asked for (`--property`), or every one.
    let asked =
        |name: &str| options.properties.is_empty() || options.properties.iter().any(|p| p == name);
    let properties: Vec<(String, PropertyKind)> = (description.properties.iter())
        .filter(|p| asked(p.name))
        .map(|p| (p.name.to_string(), p.kind))
        .chain(checked_deadlock.then(|| (deadlock.to_string(), PropertyKind::Always)))
        .collect();
    let mut minimal_sufficient = BTreeMap::new();
    let mut load_bearing = BTreeMap::new();
    let mut load_bearing_unknown = BTreeMap::new();
    let mut sentences = Vec::new();
    let full = subsets - 1;
    for (name, kind) in properties
        .iter()
        .filter(|(_, k)| *k != PropertyKind::Sometimes)
    {
        let verdict = |mask_relaxed: usize| {
            (by_relaxed.get(&mask_relaxed))
                .and_then(|cells| cells.get(name))
                .map_or(Verdict::Unknown, |c| c.verdict)
        };
        let holds = |mask_relaxed: usize| verdict(mask_relaxed) == Verdict::Holds;
        let unknown = (0..subsets).any(|mask| verdict(mask) == Verdict::Unknown);
        // A held set is the complement of the relaxed mask.
        let sufficient: Vec<usize> = (0..subsets).filter(|held| holds(full & !held)).collect();
        let minimal: Vec<usize> = sufficient
            .iter()
            .copied()
            .filter(|held| {
                !sufficient
                    .iter()
                    .any(|other| other != held && other & held == *other)
            })
            .collect();
        if every_subset && !unknown {
            minimal_sufficient.insert(
                name.clone(),
                minimal.iter().map(|m| relaxed_of(&declared, *m)).collect(),
            );
        }
        let bearing: Vec<Assumption> = declared
            .iter()
            .enumerate()
            .filter(|(bit, _)| holds(0) && verdict(1 << bit) == Verdict::Violated)
            .map(|(_, a)| *a)
            .collect();
        for assumption in &bearing {
            let bit = declared
                .iter()
                .position(|a| a == assumption)
                .expect("declared");
            let cell = &by_relaxed[&(1 << bit)][name];
            // The model says why of its own properties; deadlock freedom is the engine's.
            let because = if name == crate::check::DEADLOCK_PROPERTY {
                "with it relaxed a run reaches a state where no step is enabled"
            } else {
                (description.leans_on.get(bit)).map_or("", |(_, because)| because.as_str())
            };
            // The model's sentence is about the assumption, not this property.
            let why = match (name == crate::check::DEADLOCK_PROPERTY, because.is_empty()) {
                (_, true) => String::new(),
                (true, false) => format!(" ({because})"),
                (false, false) => {
                    format!("; the model's reason for {}: {because}", assumption.name())
                }
            };
            sentences.push(format!(
                "{} is load-bearing for {name} ({}): relaxed alone, {name} is {}{}{why}.",
                assumption.name(),
                kind.name(),
                cell.verdict.name(),
                cell.counterexample_steps
                    .map(|n| format!(" in {}", crate::report::steps(n)))
                    .unwrap_or_default()
            ));
        }
        let singles: Vec<Verdict> = (0..declared.len()).map(|bit| verdict(1 << bit)).collect();
        match undecided(verdict(0), &singles) {
            None => {
                load_bearing.insert(name.clone(), bearing);
            }
            Some(open) => {
                let open = open.into_iter().map(|bit| declared[bit]).collect();
                load_bearing_unknown.insert(name.clone(), open);
            }
        }
    }
    Ok(Ablation {
        schema_version: crate::report::SCHEMA_VERSION,
        synccheck_version: crate::report::VERSION.to_string(),
        model: model.to_string(),
        declared,
        properties,
        rows,
        minimal_sufficient,
        every_subset,
        load_bearing,
        load_bearing_unknown,
        sentences,
        stopped,
        not_run,
    })
}

/// Which assumptions a property's load-bearing answer is still open for, by index into
/// the declared ones, given its verdict with every assumption held (`all_held`) and with
/// each relaxed alone (`singles`); `None` when it is decided. A property that does not
/// hold with every assumption held has no load-bearing assumption (decided); one that
/// holds is open for each assumption whose cell a limit cut (it might be violated);
/// an unknown all-held cell leaves it open for all of them.
fn undecided(all_held: Verdict, singles: &[Verdict]) -> Option<Vec<usize>> {
    let open: Vec<usize> = match all_held {
        Verdict::Holds => (singles.iter().enumerate())
            .filter(|(_, verdict)| **verdict == Verdict::Unknown)
            .map(|(bit, _)| bit)
            .collect(),
        Verdict::Unknown => (0..singles.len()).collect(),
        _ => Vec::new(),
    };
    (all_held == Verdict::Unknown || !open.is_empty()).then_some(open)
}

fn relaxed_of(declared: &[Assumption], mask: usize) -> Vec<Assumption> {
    declared
        .iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, a)| *a)
        .collect()
}

fn cell_text(cell: Option<&Cell>) -> String {
    match cell {
        None => "-".to_string(),
        Some(Cell {
            verdict: Verdict::Violated,
            counterexample_steps: Some(steps),
        }) => format!("violated ({steps})"),
        Some(cell) => cell.verdict.name().to_string(),
    }
}

/// The matrix, the minimal sets and the sentences, for a terminal.
pub fn render(ablation: &Ablation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "model: {}  leans on: {}\n",
        ablation.model,
        names(&ablation.declared)
    );
    let first = ablation
        .rows
        .iter()
        .map(|r| names(&r.relaxed).len())
        .max()
        .unwrap_or(8)
        .max(16);
    let _ = write!(out, "{:<first$}", "relaxed");
    for (name, _) in &ablation.properties {
        let _ = write!(out, "  {:<20}", name);
    }
    out.push('\n');
    for row in &ablation.rows {
        let label = if row.relaxed.is_empty() {
            "(all held)".to_string()
        } else {
            names(&row.relaxed)
        };
        let _ = write!(out, "{label:<first$}");
        for (name, _) in &ablation.properties {
            let _ = write!(out, "  {:<20}", cell_text(row.cells.get(name)));
        }
        out.push('\n');
    }
    if let Some(reason) = &ablation.not_run {
        let _ = writeln!(
            out,
            "\nnot run (their cells are -, read as unknown): the rows relaxing bounded_skew: {reason}"
        );
    }
    if let Some(reason) = ablation.stopped {
        let _ = writeln!(
            out,
            "\nincomplete: {} (the cut runs' cells are unknown{})",
            reason.describe(),
            match reason {
                // A run's liveness graph has a state limit even where none is given.
                StopReason::StateLimit => format!(
                    "; the liveness graph stops at --max-states, or at {} states where it \
                     is not given; --property leaves out the properties not asked about",
                    crate::liveness::LIVENESS_STATES_DEFAULT
                ),
                _ => String::new(),
            }
        );
    }
    out.push_str("\nMinimal sufficient assumption sets (held):\n");
    if !ablation.every_subset {
        let _ = writeln!(
            out,
            "  not computed: {} assumptions declared, and every subset of them is {} checks \
             (computed for at most {DECLARED_MAX})",
            ablation.declared.len(),
            1usize << ablation.declared.len()
        );
    }
    for (name, kind) in &ablation.properties {
        if *kind != PropertyKind::Sometimes
            && ablation.every_subset
            && !ablation.minimal_sufficient.contains_key(name)
        {
            let _ = writeln!(
                out,
                "  {name}: unknown (a limit cut some of its runs, or they could not run)"
            );
        }
    }
    for (name, sets) in &ablation.minimal_sufficient {
        let shown: Vec<String> = sets
            .iter()
            .map(|s| {
                if s.is_empty() {
                    "{} (none needed)".to_string()
                } else {
                    format!("{{{}}}", names(s))
                }
            })
            .collect();
        let shown = if shown.is_empty() {
            "none: it fails even with all held".to_string()
        } else {
            shown.join(" or ")
        };
        let _ = writeln!(out, "  {name}: {shown}");
    }
    out.push_str("\nLoad-bearing assumptions:\n");
    let open = &ablation.load_bearing_unknown;
    if ablation.sentences.is_empty() && open.is_empty() {
        out.push_str("  none: no single relaxed assumption breaks a property\n");
    }
    for sentence in &ablation.sentences {
        let _ = writeln!(out, "  - {sentence}");
    }
    if !open.is_empty() {
        for (name, _) in &ablation.properties {
            if let Some(unknown) = open.get(name) {
                let _ = match unknown.is_empty() {
                    true => writeln!(
                        out,
                        "  {name}: unknown (a limit cut its run, or it could not run)"
                    ),
                    false => writeln!(
                        out,
                        "  {name}: unknown for {} (a limit cut its runs, or they could not run)",
                        names(unknown)
                    ),
                };
            } else if ablation.load_bearing.get(name).is_some_and(Vec::is_empty) {
                let _ = writeln!(out, "  {name}: none");
            }
        }
    }
    out
}

fn names(assumptions: &[Assumption]) -> String {
    assumptions
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::undecided;
    use crate::check::Verdict::{Holds, Unknown, Violated};

    #[test]
    fn a_load_bearing_answer_is_open_for_each_cut_run_it_rests_on() {
        // Every run decided: decided, whatever the verdicts.
        assert_eq!(undecided(Holds, &[Holds, Violated]), None);
        assert_eq!(undecided(Violated, &[Violated, Holds]), None);
        // Violated with all held: nothing is load-bearing, whatever was cut.
        assert_eq!(undecided(Violated, &[Unknown, Unknown]), None);
        // Holds with all held: open for each cut single run, known for the rest.
        assert_eq!(undecided(Holds, &[Violated, Unknown]), Some(vec![1]));
        assert_eq!(
            undecided(Holds, &[Unknown, Holds, Unknown]),
            Some(vec![0, 2])
        );
        // The all-held run cut: open for every assumption.
        assert_eq!(undecided(Unknown, &[Violated, Holds]), Some(vec![0, 1]));
        assert_eq!(undecided(Unknown, &[]), Some(vec![]));
    }
}
