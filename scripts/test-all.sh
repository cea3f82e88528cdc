#!/usr/bin/env bash
# The whole test suite: unit, integration (the loom tests included: they compile
# src/sync's components against loom's primitives in their own crates), CLI, examples
# and doctests, in a release build so the exhaustive checks run at full speed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Graphviz: a test parses `synccheck graph --as dot` with `dot`; xmllint (libxml2-utils)
# validates the JUnit output against tests/data/jenkins-junit.xsd; Python's jsonschema
# validates reports, traces and plans against docs/schemas/. All are required when CI
# is set.
missing=""
command -v dot >/dev/null 2>&1 || missing="$missing graphviz"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
python3 -c 'import jsonschema, tomllib' >/dev/null 2>&1 || missing="$missing python3-jsonschema"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # shellcheck disable=SC2086 # the package names are separate words
  (apt-get update -qq && apt-get install -y -qq $missing) >/dev/null 2>&1 || echo "note: could not install$missing" >&2
fi
# Every target `cargo test` builds by default: the library's and the binary's unit tests,
# the integration suite and the loom crates, the doctests, and the examples, built as the
# binaries they are (not as test harnesses without a test, as `--all-targets` would), so
# the user_cli tests run the example's binary without building it a second time.
cargo test --release
cargo run --release --quiet --example user_cli -- check --all >/dev/null
