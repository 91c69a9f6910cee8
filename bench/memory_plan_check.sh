#!/bin/bash
# Compares `melograph plan` with the measured peak RSS of one training epoch.
# usage: bench/memory_plan_check.sh NAME PARTITION CONFIG RANKS
#   Runs CONFIG with `epochs: 1` and no evaluation on PARTITION (run it from the directory the
#   partition's graph path is relative to), under /usr/bin/time; prints stable key: value lines.
# Env: MELOGRAPH (binary, default build/release/tools/melograph of this checkout), OUT (scratch
# directory, default /tmp/memory-plan-check).
set -euo pipefail
name=$1 partition=$2 config=$3 ranks=$4
here=$(cd "$(dirname "$0")/.." && pwd)
mg=${MELOGRAPH:-$here/build/release/tools/melograph}
out=${OUT:-/tmp/memory-plan-check}/$name
rm -rf "$out" && mkdir -p "$out"
sed -e 's/^epochs: .*/epochs: 1/' -e '/eval_every/d' "$config" > "$out/config.pbtxt"
grep -q '^epochs' "$out/config.pbtxt" || echo 'epochs: 1' >> "$out/config.pbtxt"
"$mg" plan --partition "$partition" --config "$out/config.pbtxt" > "$out/plan.txt"
plan=$(grep '^max_rank_total_bytes' "$out/plan.txt" | cut -d' ' -f2)
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [ "$ranks" = 1 ]; then
  /usr/bin/time -f "%M" -o "$out/time.txt" "$mg" train --partition "$partition" --config "$out/config.pbtxt" --out "$out/run" --quiet > "$out/train.log" 2>&1
else
  /usr/bin/time -f "%M" -o "$out/time.txt" mpirun -np "$ranks" --oversubscribe "$mg" train --partition "$partition" \
      --config "$out/config.pbtxt" --out "$out/run" --quiet > "$out/train.log" 2>&1
fi
peak=$(( $(tail -1 "$out/time.txt") * 1024 ))
echo "name: $name"
echo "plan_bytes: $plan"
echo "peak_rss_bytes: $peak"
awk -v p="$peak" -v q="$plan" 'BEGIN { printf "peak_over_plan: %.3f\n", p / q }'
