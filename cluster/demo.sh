#!/usr/bin/env bash
# The main job end to end on the embedded default (a small synthetic music world):
# install missing packages, build Release, generate the world, build the knowledge graph and
# the typed graph, print its stats, partition it, evaluate the classic recall channels, train
# LightGCN on 2 MPI ranks, evaluate it and draw its report (out/demo/run/report.html).
# Usage: cluster/demo.sh [--preset demo|small] [--seed S] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=demo seed=42 out=out/demo
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--preset demo|small] [--seed S] [--out DIR]" >&2; exit 2 ;;
  esac
done
cluster/install_deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target melograph
mg=build/release/tools/melograph
step() { printf '\n== %s\n' "$*"; }

step "1. generate a synthetic music world ($preset, seed $seed)"
$mg generate --preset "$preset" --seed "$seed" --out "$out/world"
step "2. behaviour logs + catalog -> weighted typed triples and a time split"
$mg build-kg --events "$out/world/events.tsv" --catalog "$out/world/catalog" --out "$out/kg"
step "3. triples -> typed CSR graph"
$mg build-graph --triples "$out/kg/train.tsv" --out "$out/graph"
$mg stats "$out/graph"
step "4. METIS partition into 2 shards (hash baseline for comparison)"
$mg partition "$out/graph" --parts 2 --method hash --out "$out/partition-hash" | tail -n 8
$mg partition "$out/graph" --parts 2 --method metis --out "$out/partition" | tail -n 8
step "5. classic recall channels on the held-out plays"
for channel in mostpop itemcf usercf kg-hop; do
  echo "-- $channel"
  $mg eval --graph "$out/graph" --test "$out/kg/test.tsv" --channel "$channel" --k 20 | grep -E '^(recall|ndcg)@20:'
done
step "6. one user's daily list (mix channel) with the reason for each song"
$mg recall --graph "$out/graph" --channel mix --user user:u0 --k 10
step "7. distributed LightGCN training on the 2 METIS shards (mpirun -np 2), then its recall"
mpi_flags=(--oversubscribe)
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi
mpirun -np 2 "${mpi_flags[@]}" $mg train --partition "$out/partition" \
  --config cluster/presets/lightgcn-demo.pbtxt --out "$out/run" --quiet
$mg eval --graph "$out/graph" --test "$out/kg/test.tsv" --run "$out/run" --k 20 | grep -E '^(recall|ndcg)@20:'
$mg report "$out/run"
