#!/usr/bin/env bash
# End-to-end ingest benchmark: generate a world, then time build-kg and build-graph separately
# (wall seconds, peak RSS from /usr/bin/time) and load the graph back.
# Usage: bench/pipeline_bench.sh [preset=small] [workdir=/tmp/melograph-bench] [seed=1]
# Prints stable `key: value` lines. Needs a release build (cmake --preset release && cmake --build --preset release).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-small}
work=${2:-/tmp/melograph-bench}
seed=${3:-1}
mg=${MELOGRAPH:-build/release/tools/melograph}
[ -x "$mg" ] || { echo "missing $mg: build the release preset first" >&2; exit 1; }
mkdir -p "$work"
measure() {  # measure NAME CMD...: runs CMD, records wall seconds and peak RSS (bytes)
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"
  read -r secs kb <"$work/$name.time"
  eval "${name}_s=$secs; ${name}_rss=$((kb * 1024))"
}
measure generate "$mg" generate --preset "$preset" --seed "$seed" --out "$work/world"
measure buildkg "$mg" build-kg --events "$work/world/events.tsv" --catalog "$work/world/catalog" --out "$work/kg"
measure buildgraph "$mg" build-graph --triples "$work/kg/train.tsv" --out "$work/graph"
measure stats "$mg" stats "$work/graph"
events=$(grep -c -v '^#' "$work/world/events.tsv" || true)
triples=$(grep -c -v '^#' "$work/kg/train.tsv" || true)
interactions=$(awk -F'\t' '$2=="listened" || $2=="rejected"' "$work/kg/train.tsv" | wc -l)
py() { awk "BEGIN { printf \"%.6g\", $1 }"; }
echo "preset: $preset"
echo "events: $events"
echo "train_triples: $triples"
echo "interaction_edges: $interactions"
echo "generate_seconds: $generate_s"
echo "build_kg_seconds: $buildkg_s"
echo "build_kg_events_per_s: $(py "$events / $buildkg_s")"
echo "build_kg_peak_rss_bytes: $buildkg_rss"
echo "build_kg_peak_rss_bytes_per_event: $(py "$buildkg_rss / $events")"
echo "build_graph_seconds: $buildgraph_s"
echo "build_graph_triples_per_s: $(py "$triples / $buildgraph_s")"
echo "build_graph_peak_rss_bytes: $buildgraph_rss"
echo "build_graph_peak_rss_bytes_per_triple: $(py "$buildgraph_rss / $triples")"
echo "end_to_end_triples_per_s: $(py "$triples / ($buildkg_s + $buildgraph_s)")"
echo "stats_seconds: $stats_s"
