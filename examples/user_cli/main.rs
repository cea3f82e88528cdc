//! # A user's own project: your protocol, the whole synccheck command line
//!
//! Copy this directory into your crate (`src/main.rs` + your protocol modules + a plan)
//! and you get every synccheck subcommand for your models: `list`, `check` (one model,
//! `--plan`, `--all` over the plans you register), `--format json`, `--junit`, GitHub
//! output, `--trace-dir`, `replay`, `show`, `explore`, `assumptions`, `graph`, `merge`.
//!
//! ```sh
//! cargo run --example user_cli -- list
//! cargo run --example user_cli -- check heartbeat_detector --relax bounded_delay --trace-dir traces
//! cargo run --example user_cli -- replay traces/heartbeat_detector.*.trace.json
//! cargo run --example user_cli -- check --all        # the plan below; exit 0 when every expectation is met
//! ```
//!
//! `ci.yml` beside this file is the GitHub Actions workflow that runs the plan.

mod heartbeat;

// Optional, and what synccheck's own binary does: mimalloc as the allocator makes a
// search 10–30 % faster than glibc's malloc (BENCHMARKS.md, "Allocator"). Add
// `mimalloc = { version = "0.1", default-features = false, features = ["no_thp"] }`
// to your Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Your models, the plans `check --all` runs, and (optionally) synccheck's catalog:
    // `.extend(synccheck::catalog::registry())`.
    let registry = synccheck::registry![heartbeat::HeartbeatDetector]
        .plan("examples/user_cli/plan.toml", include_str!("plan.toml"));
    synccheck::cli::main_with(registry)
}
