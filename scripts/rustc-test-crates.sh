#!/usr/bin/env bash
# The rustc wrapper for synccheck's own crates (`build.rustc-workspace-wrapper` in
# .cargo/config.toml): a test harness (`rustc --test`: the integration suite, the
# library's unit tests, the loom crates) is optimized at `opt-level = 1`; every other
# crate (the library, the binary, the examples) is compiled exactly as cargo asks.
#
# Why: `cargo test --release` builds the test harnesses with the release profile, and
# a profile cannot tell a package's test harnesses from its library. The suite's heavy
# searches run in the library (the catalog's pipelines, `compiled_here!`), which stays
# at `opt-level = 3`: the suite built at 1 runs its tests in the same time and takes
# about a tenth less CPU to build (BENCHMARKS.md, "The suite's agreement tests, and
# test harnesses at `opt-level = 1`"). What the suite compiles itself (its test-local
# protocols' pipelines) runs at 1. `cargo test` (the test profile) is at 1 already.
#
# Turn it off for one command with an empty `RUSTC_WORKSPACE_WRAPPER= cargo ...` (say,
# to measure a test crate at 3; cargo then rebuilds synccheck's crates, and again when
# the wrapper is back); `cargo clippy` sets its own. Cargo does not track this
# file: after editing it, `cargo clean -p synccheck` so the crates are built through
# the new version.
#
# Called by cargo as: rustc-test-crates.sh RUSTC ARGS...
set -euo pipefail
rustc="$1"
shift
for arg in "$@"; do
  if [ "$arg" = "--test" ]; then
    # rustc takes the last of a repeated `-C` option: this one, after cargo's.
    exec "$rustc" "$@" -C opt-level=1
  fi
done
exec "$rustc" "$@"
