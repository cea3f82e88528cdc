#!/usr/bin/env bash
# The whole test suite: unit, integration, CLI, examples and doctests (release build,
# so the exhaustive checks run at full speed), then the loom suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# Graphviz: a test parses `synccheck graph --as dot` with `dot` (required when CI is set).
if ! command -v dot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq graphviz) >/dev/null 2>&1 || echo "note: could not install graphviz" >&2
fi
cargo test --release --all-targets
cargo test --release --doc
cargo run --release --quiet --example user_cli -- check --all >/dev/null
RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 \
  cargo test --release --target-dir target/loom --test 'loom_*'
