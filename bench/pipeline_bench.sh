#!/usr/bin/env bash
# End-to-end ingest benchmark: generate a world, then time build-kg and build-graph separately
# (wall and user+system CPU seconds, peak RSS from /usr/bin/time), run stats, and time loading
# the built graph by mmap (graph_bench --load: median of 5, with and without CRC verification).
# Usage: bench/pipeline_bench.sh [preset=small] [workdir=/tmp/melograph-bench] [seed=1]
#   REUSE_WORLD=1  keep an existing $workdir/world instead of generating it again
#   FRESH_OUTPUT=1 delete the previous run's kg/ and graph/ first (untimed), then wait 3 s: a
#                  first build into new directories, whose memory is all fresh (on a VM with
#                  free page reporting the host has taken the freed pages back by then). By
#                  default a rerun replaces them, and the tools drop their cached pages first.
# Prints stable `key: value` lines. Needs a release build:
#   cmake --preset release && cmake --build --preset release --target melograph graph_bench
# Denominators: `events` = interaction edges (lines of events.tsv), `train_triples` = triples
# written by build-kg (what build-graph reads). See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-small}
work=${2:-/tmp/melograph-bench}
seed=${3:-1}
mg=${MELOGRAPH:-build/release/tools/melograph}
gb=${GRAPH_BENCH:-build/release/bench/graph_bench}
[ -x "$mg" ] || { echo "missing $mg: build the release preset first" >&2; exit 1; }
[ -x "$gb" ] || { echo "missing $gb: build the release preset first" >&2; exit 1; }
mkdir -p "$work"
measure() {  # measure NAME CMD...: runs CMD, records wall and CPU seconds and peak RSS (bytes)
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"
  read -r secs user sys kb <"$work/$name.time"
  eval "${name}_s=$secs; ${name}_cpu=$(awk "BEGIN { print $user + $sys }"); ${name}_rss=$((kb * 1024))"
}
py() { awk "BEGIN { printf \"%.6g\", $1 }"; }
if [ "${REUSE_WORLD:-0}" = 1 ] && [ -f "$work/world/events.tsv" ]; then
  generate_s=0; generate_cpu=0
else
  measure generate "$mg" generate --preset "$preset" --seed "$seed" --out "$work/world" --quiet
fi
if [ "${FRESH_OUTPUT:-0}" = 1 ]; then
  rm -rf "$work/kg" "$work/graph"
  sleep 3
fi
measure buildkg "$mg" build-kg --events "$work/world/events.tsv" --catalog "$work/world/catalog" --out "$work/kg"
measure buildgraph "$mg" build-graph --triples "$work/kg/train.tsv" --out "$work/graph"
measure stats "$mg" stats "$work/graph" --no-verify
"$gb" --load "$work/graph" --load-repeats 5 >"$work/load.out"
load_verify=$(awk '/^load_seconds_verify:/ { print $2 }' "$work/load.out")
load_no_verify=$(awk '/^load_seconds_no_verify:/ { print $2 }' "$work/load.out")
events=$(awk '/^events_read:/ { print $2 }' "$work/buildkg.err")
triples=$(awk '/^triples:/ { print $2 }' "$work/buildkg.err")
interactions=$(awk '/^triples\.(listened|rejected):/ { n += $2 } END { print n + 0 }' "$work/buildkg.err")
stored=$(awk '/^stored_edges:/ { print $2 }' "$work/buildgraph.out")
peak_rss=$(( buildkg_rss > buildgraph_rss ? buildkg_rss : buildgraph_rss ))
echo "preset: $preset"
echo "events: $events"
echo "train_triples: $triples"
echo "interaction_edges: $interactions"
echo "stored_edges: $stored"
echo "generate_seconds: $generate_s"
echo "build_kg_seconds: $buildkg_s"
echo "build_kg_cpu_seconds: $buildkg_cpu"
echo "build_kg_events_per_s: $(py "$events / $buildkg_s")"
echo "build_kg_peak_rss_bytes: $buildkg_rss"
echo "build_kg_peak_rss_bytes_per_event: $(py "$buildkg_rss / $events")"
echo "build_graph_seconds: $buildgraph_s"
echo "build_graph_cpu_seconds: $buildgraph_cpu"
echo "build_graph_triples_per_s: $(py "$triples / $buildgraph_s")"
echo "build_graph_peak_rss_bytes: $buildgraph_rss"
echo "build_graph_peak_rss_bytes_per_triple: $(py "$buildgraph_rss / $triples")"
echo "end_to_end_triples_per_s: $(py "$triples / ($buildkg_s + $buildgraph_s)")"
echo "triples_per_s: $(py "$triples / ($buildkg_s + $buildgraph_s)")"
echo "triples_per_cpu_s: $(py "$triples / ($buildkg_cpu + $buildgraph_cpu)")"
echo "peak_rss_bytes: $peak_rss"
echo "peak_rss_bytes_per_edge: $(py "$peak_rss / $events")"
echo "peak_rss_bytes_per_triple: $(py "$peak_rss / $triples")"
echo "stats_seconds: $stats_s"
echo "load_seconds: $load_verify"
echo "load_seconds_no_verify: $load_no_verify"
echo "load_seconds_per_1e7_stored_edges: $(py "$load_verify * 1e7 / $stored")"
