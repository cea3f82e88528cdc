#!/usr/bin/env bash
# The whole test suite: unit, integration, CLI, examples and doctests (release build,
# so the exhaustive checks run at full speed), then the loom suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --all-targets
cargo test --release --doc
cargo run --release --quiet --example custom_protocol >/dev/null
RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 \
  cargo test --release --target-dir target/loom --test 'loom_*'
