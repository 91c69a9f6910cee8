#!/usr/bin/env bash
# CI stage: runs every libFuzzer target briefly from its committed corpus (fuzz/run.sh), after
# the test suite; cluster/test.sh calls it with MELOGRAPH_FUZZ_SECONDS (default there: 10 s per
# target, two targets side by side; 0 skips). A crash fails CI. Skips with a message where
# clang++ is missing.
# Cost on 2 cores: a few minutes to configure and build build/fuzz from scratch, then
# 10 targets x MELOGRAPH_FUZZ_SECONDS / 2 (10 s -> about 50 s).
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
exec fuzz/run.sh --seconds "$seconds" --jobs 2
