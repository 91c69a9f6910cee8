#!/usr/bin/env bash
# CI stage: runs every libFuzzer target briefly from its committed corpus (fuzz/run.sh), after
# the test suite. Off unless MELOGRAPH_FUZZ_SECONDS is set (seconds per target, e.g. 30);
# cluster/test.sh calls it. Skips with a message where clang++ is missing.
# Cost on 2 busy cores: ~4.5 min to configure and build build/fuzz from scratch, then
# MELOGRAPH_FUZZ_SECONDS per target (10 targets): 30 s -> about 10 min in all.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${MELOGRAPH_FUZZ_SECONDS:-0}
if [ "$seconds" = 0 ]; then
  echo "fuzz_ci.sh: MELOGRAPH_FUZZ_SECONDS not set: fuzzing skipped"
  exit 0
fi
if ! command -v clang++ >/dev/null; then
  echo "fuzz_ci.sh: SKIPPED: clang++ is not installed (apt-get install clang)"
  exit 0
fi
exec fuzz/run.sh --seconds "$seconds"
