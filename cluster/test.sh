#!/usr/bin/env bash
# Builds the `dev` preset (Debug + ASan/UBSan, warnings as errors) and runs the whole test suite.
# Usage: cluster/test.sh [extra ctest args, e.g. -R graph]
#   MELOGRAPH_FUZZ_SECONDS=30 cluster/test.sh   also fuzzes each parser 30 s (cluster/fuzz_ci.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
cluster/install_deps.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"
# Brief fuzzing of every parser when MELOGRAPH_FUZZ_SECONDS is set (docs/CLUSTER.md).
[ -z "${MELOGRAPH_FUZZ_SECONDS:-}" ] || cluster/fuzz_ci.sh
