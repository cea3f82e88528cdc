//! Arguments (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "Exit codes:
  0  every property holds / is reached (or, with a plan, every expectation is met)
  1  a property failed, or an expectation was not met
  2  usage, configuration or input error (unknown model, parameter, assumption, value)
  3  incomplete: a limit (states, depth, time, Ctrl-C, SIGTERM) was hit before a verdict

Environment:
  SYNCCHECK_NO_PROGRESS     set (any value): no progress output on stderr
  SYNCCHECK_HEARTBEAT_SECS  seconds between heartbeat lines when stderr is not a
                            terminal (default 15)
  GITHUB_ACTIONS=true       write annotations (and GITHUB_STEP_SUMMARY) for plans";

/// synccheck: make a protocol's timing assumptions explicit, break them on purpose,
/// and get the shortest run that shows what breaks.
#[derive(Debug, Parser)]
#[command(name = "synccheck", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to colour the output: auto (on a terminal, unless NO_COLOR is set), always,
    /// never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Quiet: results on stdout and errors on stderr, nothing else (no progress, no
    /// notes, no per-check status lines).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Verbose: with --plan/--all, each check's search statistics as it finishes.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every model: family, description, parameters, assumptions, properties.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Check one model, a plan file, or the whole catalog.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Re-execute saved traces against their models; exit 0 if every one reproduces, 1
    /// if one does not, 2 for a malformed or wrong-version file.
    Replay {
        /// The trace files (written by `check --trace-dir`), each replayed in turn; with
        /// several, each line of the outcome starts with its file.
        #[arg(required = true, num_args = 1.., value_name = "TRACE")]
        traces: Vec<String>,
        /// Threads for the searches that re-check the trace's claims (which breaks are
        /// needed, whether it breaks the fewest): they run side by side, as `check`
        /// runs them. The outcome is the same for any count.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: u16,
    },
    /// Render a saved trace.
    Show {
        /// The trace file (one: a chart is of one run).
        #[arg(required = true, num_args = 1.., value_name = "TRACE")]
        traces: Vec<String>,
        /// text: terminal sequence chart; mermaid: GitHub sequenceDiagram; dot:
        /// Graphviz happens-before graph; shiviz: ShiViz log (regex
        /// `(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`).
        #[arg(long = "as", value_enum, default_value_t = ShowAs::Text)]
        render_as: ShowAs,
    },
    /// Which assumptions are load-bearing: a matrix of verdicts with each assumption
    /// the model leans on relaxed alone (and each pair), the minimal sufficient sets,
    /// and one sentence per load-bearing assumption.
    Assumptions {
        /// The model (timed).
        model: String,
        /// Set a model parameter.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Hold an assumption in the base set.
        #[arg(long, value_name = "NAME[=N]")]
        hold: Vec<String>,
        /// Relax an assumption in the base set.
        #[arg(long, value_name = "NAME")]
        relax: Vec<String>,
        /// Also relax each pair.
        #[arg(long)]
        pairs: bool,
        /// Only this property (repeatable; default: every property, and
        /// `deadlock_free`): an expensive `eventually` property need not hold up the
        /// others' answers.
        #[arg(long = "property", value_name = "NAME")]
        properties: Vec<String>,
        /// Worker threads per check.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: u16,
        /// State limit per check (a cell becomes `unknown`).
        #[arg(long, value_name = "N")]
        max_states: Option<usize>,
        /// Stop after this many seconds of wall time, for all the runs together (the
        /// runs not finished in time give `unknown` cells).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// Stop a run once the process's resident memory passes this many MiB (its
        /// cells become `unknown`). Default: nine tenths of the memory available when
        /// the command starts (Linux's `MemAvailable`).
        #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
        max_memory: Option<u64>,
        /// The reductions and the audit of their contracts.
        #[command(flatten)]
        reductions: Reductions,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// How much is sufficiently synchronized: per property and numeric assumption
    /// (bounded_delay, bounded_skew, bounded_pause, max_crashes), the largest bound
    /// that holds and the smallest violated, with the shortest counterexample there.
    /// Exit 0 when every bound was decided, 3 when a limit left one unknown.
    #[command(after_help = EXIT_CODES)]
    Bounds(BoundsArgs),
    /// Export the reachable state graph; exit 0 with the whole graph, 3 when
    /// --max-states cut it.
    #[command(after_help = EXIT_CODES)]
    Graph {
        /// The model.
        model: String,
        /// Set a model parameter.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Hold an assumption.
        #[arg(long, value_name = "NAME[=N]")]
        hold: Vec<String>,
        /// Relax an assumption.
        #[arg(long, value_name = "NAME")]
        relax: Vec<String>,
        /// Relax every assumption first (then --hold and --relax apply).
        #[arg(long)]
        relax_all: bool,
        /// dot (Graphviz) or json.
        #[arg(long = "as", value_enum, default_value_t = GraphAs::Dot)]
        render_as: GraphAs,
        /// Stop adding states beyond this many: the export says it was truncated, and
        /// the exit code is 3 (incomplete).
        #[arg(long, default_value_t = 10_000)]
        max_states: usize,
        /// Store message ages and pause lengths even where the lean state would not
        /// (protocols that declare `LEAN_STATE`), keep the network a multiset where
        /// the message set would (`MESSAGE_SET`: a delivered message stays in flight),
        /// and keep the messages a protocol says its nodes ignore (`DROPS_IGNORED`):
        /// more states. The graph is always the
        /// full space (no symmetry reduction).
        #[arg(long)]
        no_lean: bool,
    },
    /// Combine the JSON plan reports of several shards into one verdict and exit code.
    Merge {
        /// JSON reports written by `check --plan/--all --format json`.
        #[arg(required = true)]
        reports: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also write the merged verdicts as JUnit XML here.
        #[arg(long, value_name = "PATH")]
        junit: Option<String>,
    },
    /// Print a shell completion script to stdout (e.g. `synccheck completions bash >
    /// ~/.local/share/bash-completion/completions/synccheck`); it completes the
    /// registered models' names, assumptions, parameter choices and properties too.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: `synccheck man > synccheck.1`.
    Man,
    /// Print the JSON Schema of a document synccheck writes or reads.
    Schema {
        /// report: `check MODEL --format json`; plan-report: `check --plan/--all
        /// --format json` and `merge`; trace: a saved trace; plan: a plan file (TOML).
        #[arg(value_enum)]
        kind: SchemaArg,
    },
    /// Serve stateright's Explorer web UI for a model, to walk its states by hand: each
    /// step shows the nodes by name, the network, and (above) true time, true clock
    /// offsets and pause lengths and where a relaxed assumption broke.
    Explore {
        /// The model.
        #[arg(required_unless_present = "trace", conflicts_with = "trace")]
        model: Option<String>,
        /// Open at a saved trace's path: serves the model of the file with its exact
        /// parameters and assumption set, and prints the link to the trace's last step.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["sets", "hold", "relax", "relax_all"])]
        trace: Option<String>,
        /// Set a model parameter.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Hold an assumption.
        #[arg(long, value_name = "NAME[=N]")]
        hold: Vec<String>,
        /// Relax an assumption.
        #[arg(long, value_name = "NAME")]
        relax: Vec<String>,
        /// Relax every assumption first.
        #[arg(long)]
        relax_all: bool,
        /// Where to listen.
        #[arg(long, default_value = crate::explore::DEFAULT_ADDRESS)]
        address: String,
        /// Store message ages and pause lengths even where the lean state would not
        /// (protocols that declare `LEAN_STATE`), keep the network a multiset where
        /// the message set would (`MESSAGE_SET`: a delivered message stays in flight),
        /// and keep the messages a protocol says its nodes ignore (`DROPS_IGNORED`);
        /// with --trace, the link points into
        /// that space. The Explorer always walks the full space (no symmetry).
        #[arg(long)]
        no_lean: bool,
    },
}

/// Renderings of `graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphAs {
    /// Graphviz DOT.
    Dot,
    /// JSON: states, edges, truncated.
    Json,
}

/// Renderings of `show`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowAs {
    /// Terminal message sequence chart.
    Text,
    /// Mermaid sequenceDiagram.
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// ShiViz log.
    Shiviz,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// Versioned JSON (`schema_version`).
    Json,
}

/// Search strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Breadth-first: shortest counterexamples.
    Bfs,
    /// Depth-first.
    Dfs,
    /// Seeded random walks (never proves a property).
    Simulation,
}

/// `synccheck check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The model to check (see `synccheck list`).
    #[arg(required_unless_present_any = ["plan", "all"], conflicts_with_all = ["plan", "all"])]
    pub model: Option<String>,
    /// Run the checks of a plan file (TOML) and compare against its expectations.
    #[arg(long, value_name = "FILE", conflicts_with = "all")]
    pub plan: Option<String>,
    /// Run the catalog's own plans (every model, buggy and fixed variants).
    #[arg(long)]
    pub all: bool,
    /// Set a model parameter (the variant is a parameter: `--set variant=writes`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Hold an assumption, optionally with a bound: `--hold bounded_delay=2`.
    #[arg(long, value_name = "NAME[=N]")]
    pub hold: Vec<String>,
    /// Relax an assumption: `--relax bounded_pause`.
    #[arg(long, value_name = "NAME")]
    pub relax: Vec<String>,
    /// Relax every assumption (then --hold and --relax apply).
    #[arg(long)]
    pub relax_all: bool,
    /// Search strategy.
    #[arg(long, value_enum, default_value_t = StrategyArg::Bfs)]
    pub strategy: StrategyArg,
    /// Seed of the simulation strategy (default 0; only with `--strategy simulation`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Worker threads.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Stop once more than this many unique states are stored (verdicts not yet known
    /// become `unknown`; a space of exactly N states is complete, and the count a cut
    /// search reports may pass N by the states its last step stored).
    #[arg(long, value_name = "N")]
    pub max_states: Option<usize>,
    /// Do not explore beyond this depth.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Stop each check after this many seconds of wall time. The limit is per check:
    /// with --plan/--all every check gets the whole limit (verdicts not yet known
    /// become `unknown`).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Stop before the process's resident memory passes this many MiB (incomplete).
    /// Default: nine tenths of the memory available when the command starts (Linux's
    /// `MemAvailable`), so that a space too large for the machine ends with a report.
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_memory: Option<u64>,
    /// Random walks for `--strategy simulation` (default 2000; only with it).
    #[arg(long, value_name = "N")]
    pub walks: Option<usize>,
    /// Do not report states without successors as deadlocks.
    #[arg(long)]
    pub no_deadlock: bool,
    /// Search only this property (repeatable; default: every property, and
    /// `deadlock_free` unless --no-deadlock). A check of fewer properties may store
    /// less (no `eventually` property: no message ages or pause lengths where their
    /// assumptions are relaxed) and stops once those are decided.
    #[arg(long = "property", value_name = "NAME", conflicts_with_all = ["plan", "all"])]
    pub properties: Vec<String>,
    /// Also store every state in full and cross-check the count against the
    /// fingerprints (a collision becomes an error, exit 2). It expands every state, as
    /// --no-subsumption does (subsumption compares 64-bit fingerprints of frames), so
    /// its counts are those of --no-subsumption. For runs that fit memory.
    #[arg(long)]
    pub exact: bool,
    /// The reductions and the audit of their contracts.
    #[command(flatten)]
    pub reductions: Reductions,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write one trace file per violated property into this directory.
    #[arg(long, value_name = "DIR")]
    pub trace_dir: Option<String>,
    /// Run only shard I of N of the plan's checks (1-based). The split is by a hash of
    /// each check's name, so it is stable when unrelated checks are added or
    /// reordered; `synccheck merge` combines the shards' JSON reports.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print, per counterexample, the Explorer link to its last step and the
    /// `synccheck explore` command that serves it (with --plan/--all: on stderr, for
    /// each check's counterexamples, as saved traces are listed).
    #[arg(long)]
    pub explorer_link: bool,
    /// The address the links of --explorer-link point at (where `synccheck explore
    /// --address` will listen).
    #[arg(
        long,
        value_name = "HOST:PORT",
        default_value = crate::explore::DEFAULT_ADDRESS,
        requires = "explorer_link"
    )]
    pub explorer_address: String,
    /// With --plan/--all: also write a JUnit XML report here (one testsuite per check,
    /// one testcase per expectation; failures carry the counterexample).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<String>,
}

/// `synccheck bounds`.
#[derive(Debug, Args)]
pub struct BoundsArgs {
    /// The model (timed; see `synccheck list`).
    pub model: String,
    /// Set a model parameter.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Hold an assumption in the base set (the others stay at the model's defaults):
    /// every searched assumption is searched with the base set's others; its own
    /// probes replace what the base set says of it.
    #[arg(long, value_name = "NAME[=N]")]
    pub hold: Vec<String>,
    /// Relax an assumption in the base set (as --hold: a searched assumption's own
    /// probes replace it).
    #[arg(long, value_name = "NAME")]
    pub relax: Vec<String>,
    /// Search only this property (repeatable; default: every always/eventually
    /// property; `deadlock_free` only when named).
    #[arg(long = "property", value_name = "NAME")]
    pub properties: Vec<String>,
    /// Search only this numeric assumption (repeatable; default: the numeric
    /// assumptions the model leans on).
    #[arg(long = "assumption", value_name = "NAME")]
    pub assumptions: Vec<String>,
    /// The largest bound probed (1 to 60, the largest the engine represents).
    #[arg(long, value_name = "N", default_value_t = crate::bounds::UP_TO_DEFAULT)]
    pub up_to: u32,
    /// Probe every bound from 0 to --up-to (checks monotonicity over the range).
    #[arg(long)]
    pub exhaustive: bool,
    /// The boundary as a function of a model parameter: PARAM=A..B (a table and an
    /// SVG chart).
    #[arg(long, value_name = "PARAM=A..B")]
    pub sweep: Option<String>,
    /// With --sweep: where to write the SVG chart (default MODEL.PARAM.bounds.svg).
    #[arg(long, value_name = "PATH")]
    pub svg: Option<String>,
    /// Probes run at once (each a single-threaded check).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// State limit per probe (a probe it cuts short is `unknown` at that bound).
    #[arg(long, value_name = "N")]
    pub max_states: Option<usize>,
    /// Wall-time limit per probe, in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Stop a probe before the process's resident memory passes this many MiB (all
    /// probes running at once share the process). Default: nine tenths of the memory
    /// available when the command starts (Linux's `MemAvailable`).
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_memory: Option<u64>,
    /// The reductions and the audit of their contracts.
    #[command(flatten)]
    pub reductions: Reductions,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the counterexample at each smallest violated bound into this directory.
    #[arg(long, value_name = "DIR")]
    pub trace_dir: Option<String>,
}

/// `synccheck schema KIND`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaArg {
    /// The check report.
    Report,
    /// The plan report.
    PlanReport,
    /// A saved trace.
    Trace,
    /// A plan file.
    Plan,
}

/// The reductions a check uses by default, each with the flag that turns it off (on
/// `check`, `assumptions` and `bounds`), and the audit of the contracts they rely on.
#[derive(Clone, Debug, Args)]
pub struct Reductions {
    /// Store message ages and pause lengths even where the lean state would not
    /// (protocols that declare `LEAN_STATE`), keep the network a multiset where the
    /// message set would not (`MESSAGE_SET`), keep the messages a protocol says its
    /// nodes ignore for ever (`DROPS_IGNORED`), and expand every state, also one that
    /// a state with younger messages, shorter pauses or nearer timers covers
    /// (subsumption): same verdicts, more states.
    #[arg(long)]
    pub no_lean: bool,
    /// Check the full space even where a model declares interchangeable nodes (by
    /// default one state per class of node renamings is stored).
    #[arg(long)]
    pub no_symmetry: bool,
    /// Expand every state the BFS reaches, also one that a state with younger
    /// messages, shorter pauses or nearer timers covers (by default, under a held
    /// delay or pause bound, or with timers allowed to fire late, such a state is
    /// stored and checked but not expanded): same verdicts and counterexample
    /// lengths, more states.
    #[arg(long)]
    pub no_subsumption: bool,
    /// Search the full system only, not first up to clock-drift classes (by default,
    /// for a protocol that declares `LEAN_STATE`, the BFS or DFS, without
    /// --max-depth, first stores one state per class of the clock drifts a node can
    /// undo, and takes from it the verdicts that need no path: an `always` that holds,
    /// a `sometimes` never reached; the rest is searched on the full system): same
    /// verdicts and counterexamples, more states.
    #[arg(long)]
    pub no_drift_classes: bool,
    /// Search the full system for what the drift classes found violated or reached
    /// unguided (by default that search expands only the states whose depth plus
    /// their class's distance to such a finding is within a bound, raised until it
    /// finds them; after a BFS only, a DFS is never guided): same verdicts and
    /// counterexample lengths, more states.
    #[arg(long)]
    pub no_class_guide: bool,
    /// How many states, breadth-first, to audit before a check of a protocol that
    /// declares `LEAN_STATE` or `MESSAGE_SET` where the check relies on it (the lean
    /// state, subsumption, drift classes, the message set): no property or metric may
    /// read message ages, pause lengths or the order of messages in flight, and no
    /// property timers' remaining ticks or clock offsets (`LEAN_STATE`), nor which
    /// messages are in flight (`MESSAGE_SET`); one that does is an error (exit 2)
    /// naming it. And a message a protocol says a node ignores for ever
    /// (`DROPS_IGNORED`) must be: one that is not is an error naming it. Under a
    /// declared symmetry, a state and its renamings must step to the same classes
    /// (on at most the first 2 000 states): a handler that tells a group's nodes apart
    /// is an error naming a step. 0: no audit.
    #[arg(long, value_name = "STATES", default_value_t = crate::check::LEAN_AUDIT_STATES)]
    pub lean_audit: usize,
}

impl Reductions {
    /// `options` with these reductions and this audit.
    pub fn apply(&self, options: crate::check::CheckOptions) -> crate::check::CheckOptions {
        crate::check::CheckOptions {
            no_lean: self.no_lean,
            symmetry: !self.no_symmetry,
            subsumption: !self.no_subsumption,
            drift_classes: !self.no_drift_classes,
            class_guide: !self.no_class_guide,
            lean_audit_states: self.lean_audit,
            ..options
        }
    }
}
