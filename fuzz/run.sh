#!/usr/bin/env bash
# Configures and builds the clang `fuzz` preset (build/fuzz) and runs each libFuzzer target for
# N seconds from its committed seed corpus fuzz/corpus/<name>/. New interesting inputs go to
# build/fuzz/corpus/<name>/ (the committed corpus is never written); crashes go to
# build/fuzz/artifacts/<name>/ and make the script exit non-zero.
#
# Usage: fuzz/run.sh [--seconds N] [--jobs J] [--no-build] [name...]
#   (default: 30 s, every target, one at a time; --jobs J runs J targets side by side)
#   names: triple_reader events_reader catalog_reader import_hetrec import_kgat import_lightgcn
#          kg_config graph_manifest partition_manifest train_config
# Long run (hours, all targets in turn; extra libFuzzer flags via MELOGRAPH_FUZZ_FLAGS):
#   MELOGRAPH_FUZZ_FLAGS="-jobs=2 -workers=2" fuzz/run.sh --seconds 3600
# Prints one `name: ...` line per target with executions, executions/s and the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=30 build=1 jobs=1 names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for f in fuzz/*_fuzz.cc; do n=${f##*/}; names+=("${n%_fuzz.cc}"); done
fi
for n in "${names[@]}"; do
  [ -f "fuzz/${n}_fuzz.cc" ] || { echo "fuzz/run.sh: no target '$n' (fuzz/${n}_fuzz.cc)" >&2; exit 2; }
done
if [ "$build" = 1 ]; then
  command -v clang++ >/dev/null || { echo "fuzz/run.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }
  cmake --preset fuzz >/dev/null
  cmake --build build/fuzz --target "${names[@]/%/_fuzz}"
fi
# One target: runs it and writes its summary line to build/fuzz/<name>.result (first word:
# "ok" or "FAILED"), so targets can run side by side (--jobs) and report in a fixed order.
run_one() {
  local n=$1 exe=build/fuzz/fuzz/${1}_fuzz work=build/fuzz/corpus/$1 art=build/fuzz/artifacts/$1
  local log=build/fuzz/$1.log result=build/fuzz/$1.result rc runs rate corpus
  mkdir -p "$work" "$art"
  set +e
  # shellcheck disable=SC2086
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$art/" ${MELOGRAPH_FUZZ_FLAGS:-} \
    "$work" "fuzz/corpus/$n" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  corpus=$(ls "$work" | wc -l)
  if [ $rc -eq 0 ]; then
    echo "ok: $n: ${runs:-?} executions, ${rate:-?} exec/s, ${seconds} s, $corpus new corpus files" >"$result"
  else
    {
      echo "FAILED: $n (exit $rc) after ${runs:-?} executions; log $log; artifacts in $art:"
      ls "$art" | sed 's/^/  /'
      grep -E '==melograph fuzz==|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$log" | head -n 5 | sed 's/^/  /'
    } >"$result"
  fi
}
running=0
for n in "${names[@]}"; do
  rm -f "build/fuzz/$n.result"
  run_one "$n" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
failed=0
for n in "${names[@]}"; do
  line=$(cat "build/fuzz/$n.result" 2>/dev/null || echo "FAILED: $n (no result)")
  case "$line" in ok:*) ;; *) failed=1 ;; esac
  echo "$line" | sed 's/^ok: //'
  [ -f "build/fuzz/$n.result" ] && tail -n +2 "build/fuzz/$n.result"
done
exit $failed
