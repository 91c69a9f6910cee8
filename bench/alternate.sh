#!/usr/bin/env bash
# Alternated A/B timing: runs each command in turn for ROUNDS rounds (A B C A B C ...), so a
# drift in machine speed hits every command alike, and prints per command the CPU seconds
# (user + system, /usr/bin/time) of every run, their median and minimum, and the peak RSS.
# Usage: bench/alternate.sh ROUNDS NAME='COMMAND' [NAME='COMMAND'...]
#   e.g. bench/alternate.sh 5 new='build/release/tools/melograph build-graph --triples W/kg/train.tsv --out W/g' \
#          off='MELOGRAPH_HUGE_PAGES=0 build/release/tools/melograph build-graph --triples W/kg/train.tsv --out W/g'
# Prints stable `key: value` lines: NAME_cpu_runs, NAME_cpu_median, NAME_cpu_min, NAME_user_median,
# NAME_sys_median (the two parts of the CPU time, each its own median), NAME_wall_median (elapsed
# seconds: CPU plus waits, such as fsync), NAME_peak_rss_kib.
set -euo pipefail
rounds=${1:?usage: bench/alternate.sh ROUNDS NAME=COMMAND...}
shift
[ $# -ge 1 ] || { echo "usage: bench/alternate.sh ROUNDS NAME=COMMAND..." >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 0; r < rounds; ++r)); do
  for spec in "$@"; do
    name=${spec%%=*}
    cmd=${spec#*=}
    /usr/bin/time -f "%U %S %M %e" -o "$tmp/t" bash -c "$cmd" >/dev/null 2>&1 ||
      { echo "$name failed: $cmd" >&2; exit 1; }
    read -r user sys kib wall <"$tmp/t"
    awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f\n", u + s }' >>"$tmp/$name.cpu"
    echo "$user" >>"$tmp/$name.user"
    echo "$sys" >>"$tmp/$name.sys"
    echo "$kib" >>"$tmp/$name.rss"
    echo "$wall" >>"$tmp/$name.wall"
  done
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for spec in "$@"; do
  name=${spec%%=*}
  echo "${name}_cpu_runs: $(paste -sd' ' "$tmp/$name.cpu")"
  echo "${name}_cpu_median: $(median "$tmp/$name.cpu")"
  echo "${name}_cpu_min: $(sort -n "$tmp/$name.cpu" | head -1)"
  echo "${name}_user_median: $(median "$tmp/$name.user")"
  echo "${name}_sys_median: $(median "$tmp/$name.sys")"
  echo "${name}_wall_median: $(median "$tmp/$name.wall")"
  echo "${name}_peak_rss_kib: $(sort -n "$tmp/$name.rss" | tail -1)"
done
