#!/usr/bin/env bash
# Builds the `dev` preset (Debug + ASan/UBSan, warnings as errors) and runs the whole test suite.
# Usage: cluster/test.sh [extra ctest args, e.g. -R graph]
# Then fuzzes every parser briefly from its committed corpus (cluster/fuzz_ci.sh, libFuzzer):
#   MELOGRAPH_FUZZ_SECONDS=N seconds per target (default 10, two targets at a time; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."
cluster/install_deps.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"
# Brief fuzzing of every parser (docs/CLUSTER.md, "Fuzzing").
MELOGRAPH_FUZZ_SECONDS=${MELOGRAPH_FUZZ_SECONDS:-10} cluster/fuzz_ci.sh
