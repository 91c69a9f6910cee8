#!/usr/bin/env bash
# Incremental updates against a full retrain, for users who arrive after training
# (docs/UPDATE.md, "Measurement"). Steps:
#  1. generate a world; build-kg on ALL events (time split) -> the reference cutoff and test.tsv
#  2. hold out every user whose id hashes to 0 mod --holdout-mod (default 10: ~10% of users):
#     the base world drops their events and their catalog rows (users, follows, playlists)
#  3. base: build-kg (same cutoff) -> build-graph -> partition (METIS, 2) -> train LightGCN
#  4. update: `melograph update` with the held-out users' training-period events (those build-kg
#     put into train.tsv for the full world: before the cutoff, pairs that are not test pairs)
#  5. retrain: build-graph -> partition -> train on the full world's train.tsv (same config, seed)
#  6. eval Recall@20 / NDCG@20 of both on the held-out users' test pairs (and, as a check, the
#     base and updated runs on the other users' test pairs: identical rows, identical figures)
# Prints key: value lines. Usage:
#   bench/update_bench.sh [--preset demo|small] [--seed 42] [--out /tmp/update_bench]
#                         [--holdout-mod 10] [--config cluster/presets/lightgcn-demo.pbtxt]
#                         [--steps N] [--ranks 2]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=demo seed=42 out=/tmp/update_bench mod=10 config=cluster/presets/lightgcn-demo.pbtxt
steps="" ranks=2
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --holdout-mod) mod=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    *) echo "usage: $0 [--preset demo|small] [--seed S] [--out DIR] [--holdout-mod M] [--config F] [--steps N] [--ranks R]" >&2; exit 2 ;;
  esac
done
mg=${MELOGRAPH:-build/release/tools/melograph}
mpi_flags=(--oversubscribe)
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi
rm -rf "$out"; mkdir -p "$out"
log="$out/log.txt"
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
metric() { grep -E "^$1: " "$2" | head -n 1 | awk '{ print $2 }'; }

# 1. world and the full knowledge graph
$mg generate --preset "$preset" --seed "$seed" --out "$out/world" >>"$log" 2>&1
$mg build-kg --events "$out/world/events.tsv" --catalog "$out/world/catalog" \
  --out "$out/kg_full" >>"$log" 2>"$out/kg_full.stderr"
cutoff=$(metric cutoff "$out/kg_full.stderr")

# 2. held-out users: FNV-1a-like hash of the raw id (printable ASCII), mod $mod == 0
awk -F'\t' -v mod="$mod" '
  BEGIN { for (i = 32; i < 127; ++i) ord[sprintf("%c", i)] = i }
  /^#/ { next }
  { if (seen[$1]++) next
    h = 2166136261
    for (i = 1; i <= length($1); ++i) h = (h * 31 + ord[substr($1, i, 1)]) % 1000000007
    if (h % mod == 0) print $1 }' "$out/world/events.tsv" >"$out/new_users.txt"

# base world: without the held-out users' events and catalog rows
mkdir -p "$out/base_catalog"
awk -F'\t' 'NR == FNR { held[$1] = 1; next } /^#/ || !($1 in held)' \
  "$out/new_users.txt" "$out/world/events.tsv" >"$out/base_events.tsv"
cp "$out/world/catalog/songs.tsv" "$out/world/catalog/artist_works.tsv" "$out/base_catalog/"
awk -F'\t' 'NR == FNR { held[$1] = 1; next } /^#/ || !($1 in held)' \
  "$out/new_users.txt" "$out/world/catalog/users.tsv" >"$out/base_catalog/users.tsv"
awk -F'\t' 'NR == FNR { held[$1] = 1; next } /^#/ || !($1 in held || $2 in held)' \
  "$out/new_users.txt" "$out/world/catalog/follows.tsv" >"$out/base_catalog/follows.tsv"
awk -F'\t' 'NR == FNR { held[$1] = 1; next } /^#/ || !($2 in held)' \
  "$out/new_users.txt" "$out/world/catalog/playlists.tsv" >"$out/base_catalog/playlists.tsv"

# the held-out users' training-period events (what build-kg puts into train.tsv for them) and
# their test pairs; the other users' test pairs
awk -F'\t' -v cutoff="$cutoff" '
  FILENAME == ARGV[1] { held[$1] = 1; next }
  FILENAME == ARGV[2] { test[$1 "\t" $2] = 1; next }
  /^#/ { next }
  ($1 in held) && $4 < cutoff && !(("user:" $1 "\tsong:" $2) in test)' \
  "$out/new_users.txt" "$out/kg_full/test.tsv" "$out/world/events.tsv" >"$out/new_events.tsv"
awk -F'\t' 'NR == FNR { held["user:" $1] = 1; next } ($1 in held)' \
  "$out/new_users.txt" "$out/kg_full/test.tsv" >"$out/test_new_users.tsv"
awk -F'\t' 'NR == FNR { held["user:" $1] = 1; next } !($1 in held)' \
  "$out/new_users.txt" "$out/kg_full/test.tsv" >"$out/test_old_users.tsv"

train() {  # train GRAPH PART RUN: partition + train, prints nothing
  $mg partition "$1" --parts "$ranks" --method metis --out "$2" >>"$log" 2>&1
  mpirun -np "$ranks" "${mpi_flags[@]}" $mg train --partition "$2" --config "$config" \
    --out "$3" --quiet >>"$log" 2>&1
}

# 3. base
$mg build-kg --events "$out/base_events.tsv" --catalog "$out/base_catalog" --cutoff "$cutoff" \
  --out "$out/kg_base" >>"$log" 2>&1
$mg build-graph --triples "$out/kg_base/train.tsv" --out "$out/graph_base" >>"$log" 2>&1
train "$out/graph_base" "$out/part_base" "$out/run_base"

# 4. update
update_flags=()
if [ -n "$steps" ]; then update_flags+=(--steps "$steps"); fi
t0=$(now)
$mg update "$out/run_base" --graph "$out/graph_base" --events "$out/new_events.tsv" \
  --catalog "$out/world/catalog" --out "$out/updated" --seed "$seed" "${update_flags[@]}" \
  >"$out/update.txt" 2>>"$log"
t1=$(now)
update_seconds=$(elapsed "$t0" "$t1")
# the same without optimisation steps (the weighted mean of the played songs' vectors)
$mg update "$out/run_base" --graph "$out/graph_base" --events "$out/new_events.tsv" \
  --catalog "$out/world/catalog" --out "$out/updated_mean" --seed "$seed" --steps 0 \
  >>"$log" 2>&1

# 5. retrain on everything
t0=$(now)
$mg build-graph --triples "$out/kg_full/train.tsv" --out "$out/graph_full" >>"$log" 2>&1
t1=$(now)
train "$out/graph_full" "$out/part_full" "$out/run_full"
t2=$(now)
retrain_seconds=$(elapsed "$t0" "$t2")
retrain_train_seconds=$(elapsed "$t1" "$t2")

# 6. evaluation
ev() { $mg eval --graph "$1" --run "$2" --test "$3" --k 20 2>>"$log"; }
ev "$out/updated/graph" "$out/updated/run" "$out/test_new_users.tsv" >"$out/eval_update.txt"
ev "$out/updated_mean/graph" "$out/updated_mean/run" "$out/test_new_users.tsv" >"$out/eval_mean.txt"
ev "$out/graph_full" "$out/run_full" "$out/test_new_users.tsv" >"$out/eval_retrain.txt"
ev "$out/graph_base" "$out/run_base" "$out/test_old_users.tsv" >"$out/eval_base_old.txt"
ev "$out/updated/graph" "$out/updated/run" "$out/test_old_users.tsv" >"$out/eval_update_old.txt"
ev "$out/graph_full" "$out/run_full" "$out/test_old_users.tsv" >"$out/eval_retrain_old.txt"

r_upd=$(metric 'recall@20' "$out/eval_update.txt")
r_mean=$(metric 'recall@20' "$out/eval_mean.txt")
r_full=$(metric 'recall@20' "$out/eval_retrain.txt")
echo "preset: $preset"
echo "seed: $seed"
echo "config: $config"
echo "cutoff: $cutoff"
echo "users: $(cut -f1 "$out/world/events.tsv" | grep -v '^#' | sort -u | wc -l)"
echo "new_users: $(wc -l <"$out/new_users.txt")"
echo "new_user_events: $(wc -l <"$out/new_events.tsv")"
echo "new_users_evaluated: $(metric users "$out/eval_update.txt")"
echo "new_user_test_pairs: $(metric test_pairs "$out/eval_update.txt")"
for key in new_users new_songs new_other_nodes new_edges steps; do
  echo "update_$key: $(metric "$key" "$out/update.txt")"
done
echo "update_seconds: $update_seconds"
echo "update_fold_seconds: $(metric seconds_fold "$out/update.txt")"
echo "retrain_seconds: $retrain_seconds"
echo "retrain_train_seconds: $retrain_train_seconds"
echo "time_ratio: $(awk -v a="$update_seconds" -v b="$retrain_seconds" 'BEGIN { printf "%.4f", a / b }')"
echo "new_users_recall@20_update: $r_upd"
echo "new_users_recall@20_update_steps0: $r_mean"
echo "new_users_recall@20_retrain: $r_full"
echo "new_users_ndcg@20_update: $(metric 'ndcg@20' "$out/eval_update.txt")"
echo "new_users_ndcg@20_retrain: $(metric 'ndcg@20' "$out/eval_retrain.txt")"
echo "recall_ratio: $(awk -v a="$r_upd" -v b="$r_full" 'BEGIN { printf "%.4f", a / b }')"
echo "recall_ratio_steps0: $(awk -v a="$r_mean" -v b="$r_full" 'BEGIN { printf "%.4f", a / b }')"
echo "old_users_recall@20_base: $(metric 'recall@20' "$out/eval_base_old.txt")"
echo "old_users_recall@20_update: $(metric 'recall@20' "$out/eval_update_old.txt")"
echo "old_users_recall@20_retrain: $(metric 'recall@20' "$out/eval_retrain_old.txt")"
