#!/usr/bin/env bash
# Launches a melograph MPI subcommand, or the whole pipeline, on several hosts with Open MPI:
# from a hostfile / host list, or inside a Slurm allocation (srun --mpi=pmix when Slurm has
# PMIx, else mpirun, which reads the allocation itself). See docs/CLUSTER.md.
#
# Usage:
#   cluster/launch.sh [launch options] run -- SUBCOMMAND [ARGS...]
#       one MPI job: mpirun ... melograph SUBCOMMAND ARGS (e.g. mpi-selftest, sample, train)
#   cluster/launch.sh [launch options] pipeline --graph DIR --test FILE --parts K --work DIR
#                     [--config FILE] [--epochs N] [--item-type T] [--method metis|hash|ldg]
#                     [--seed S] [--replicate-entries B]
#       partition (one process, --seed; --replicate-entries: hub replicas, docs/PARTITION.md) -> train (K ranks; --config, default
#       cluster/presets/lightgcn.pbtxt; --epochs overrides the config's) -> export -> eval
#       (one process each; --item-type: the ranked node type, default song). With a melograph
#       that has no `train` subcommand, train/export/eval are skipped with a message and a
#       distributed `sample --verify` checks the launch instead. WORK must be on a filesystem every host sees at the same path:
#       WORK/partition, WORK/run, WORK/export, WORK/eval.txt.
# Launch options:
#   --hostfile FILE      Open MPI hostfile ("node01 slots=2" per line)
#   --hosts H1,H2,...    host list (mpirun -H); a host may repeat, or use H:SLOTS
#   -n, --np N           rank count (pipeline: defaults to --parts)
#   --oversubscribe      allow more ranks than slots/cores
#   --tcp                --mca btl tcp,self (no shared memory / InfiniBand transports)
#   --if NET             --mca btl_tcp_if_include NET --mca oob_tcp_if_include NET
#                        (NET: an interface name like eth1 or a subnet like 10.77.0.0/24)
#   --rsh-agent CMD      --mca plm_rsh_agent CMD (default ssh; the netns test uses
#                        cluster/netns_rsh.sh)
#   --bind core|none     process binding (default core)
#   --keepalive T,I,N    TCP keepalive of Open MPI's daemon links: first probe after T s idle,
#                        then every I s, N lost probes declare a host lost and end the job
#                        (default 10,5,3: a cut link ends the job within ~25 s; TCP alone
#                        waits ~15 min). `off` keeps Open MPI's default (300,20,9).
#   --slurm auto|srun|mpirun|off   inside an allocation (SLURM_JOB_ID): auto = srun --mpi=pmix
#                        if `srun --mpi=list` offers pmix, else mpirun (default auto)
#   --melograph PATH     the binary (default: build/release/tools/melograph, else `melograph`
#                        in PATH); it must exist at the same path on every host
#   --mpirun PATH        default: mpirun
#   -x VAR               export VAR to the ranks (repeatable). OMPI_MCA_* variables are read
#                        by mpirun and reach the ranks by themselves; MELOGRAPH_* variables
#                        are exported automatically.
#   --dry-run            print the commands instead of running them
# Running as root adds --allow-run-as-root (only then).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

hostfile="" hosts="" np="" oversubscribe=0 tcp=0 net="" rsh="" bind=core slurm=auto keepalive=10,5,3
melograph="" mpirun=mpirun dry=0 exports=()
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-2}"; }
die() { echo "launch.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --hostfile) hostfile=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    -n|--np) np=$2; shift 2 ;;
    --oversubscribe) oversubscribe=1; shift ;;
    --tcp) tcp=1; shift ;;
    --keepalive) keepalive=$2; shift 2 ;;
    --if) net=$2; shift 2 ;;
    --rsh-agent) rsh=$2; shift 2 ;;
    --bind) bind=$2; shift 2 ;;
    --slurm) slurm=$2; shift 2 ;;
    --melograph) melograph=$2; shift 2 ;;
    --mpirun) mpirun=$2; shift 2 ;;
    -x) exports+=("$2"); shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage 0 ;;
    run|pipeline) break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ $# -gt 0 ] || usage
mode=$1; shift
case "$bind" in core|none) ;; *) die "--bind must be core or none" ;; esac
case "$slurm" in auto|srun|mpirun|off) ;; *) die "--slurm must be auto, srun, mpirun or off" ;; esac
[ -z "$hostfile" ] || [ -r "$hostfile" ] || die "hostfile '$hostfile' is not readable"

if [ -z "$melograph" ]; then
  if [ -x "$here/build/release/tools/melograph" ]; then melograph=$here/build/release/tools/melograph
  elif command -v melograph >/dev/null; then melograph=$(command -v melograph)
  else die "no melograph binary: build the release preset or pass --melograph PATH"; fi
fi
[ -x "$melograph" ] || die "--melograph '$melograph' is not executable"
melograph=$(cd "$(dirname "$melograph")" && pwd)/$(basename "$melograph")

# Which launcher: Slurm's srun with PMIx, or Open MPI's mpirun.
launcher=mpirun
if [ -n "${SLURM_JOB_ID:-}" ] && [ "$slurm" != off ]; then
  case "$slurm" in
    srun) launcher=srun ;;
    mpirun) launcher=mpirun ;;
    auto) if command -v srun >/dev/null && srun --mpi=list 2>&1 | grep -q pmix; then launcher=srun; fi ;;
  esac
  [ -z "$np" ] && [ -n "${SLURM_NTASKS:-}" ] && [ "$mode" = run ] && np=$SLURM_NTASKS
fi

show() { printf '+'; printf ' %q' "$@"; printf '\n'; }
do_run() { show "$@"; [ "$dry" = 1 ] || "$@"; }

# mpi_cmd N ARGS...: the command line that starts N ranks of `melograph ARGS`.
mpi_cmd() {
  local n=$1; shift
  cmd=()
  if [ "$launcher" = srun ]; then
    cmd=(srun --mpi=pmix -n "$n" --export=ALL)
    [ "$bind" = core ] && cmd+=(--cpu-bind=cores)
    [ "$bind" = none ] && cmd+=(--cpu-bind=none)
    [ "$tcp" = 1 ] && export OMPI_MCA_btl=tcp,self
    if [ -n "$net" ]; then export OMPI_MCA_btl_tcp_if_include=$net OMPI_MCA_oob_tcp_if_include=$net; fi
  else
    cmd=("$mpirun" -np "$n" --bind-to "$bind")
    [ "$(id -u)" = 0 ] && cmd+=(--allow-run-as-root)
    [ "$oversubscribe" = 1 ] && cmd+=(--oversubscribe)
    [ -n "$hostfile" ] && cmd+=(--hostfile "$hostfile")
    [ -n "$hosts" ] && cmd+=(-H "$hosts")
    [ "$tcp" = 1 ] && cmd+=(--mca btl tcp,self)
    [ -n "$net" ] && cmd+=(--mca btl_tcp_if_include "$net" --mca oob_tcp_if_include "$net")
    [ -n "$rsh" ] && cmd+=(--mca plm_rsh_agent "$rsh")
    if [ "$keepalive" != off ]; then
      local ka
      IFS=, read -r -a ka <<<"$keepalive"
      [ ${#ka[@]} = 3 ] || die "--keepalive wants T,I,N (seconds, seconds, count) or off, got '$keepalive'"
      cmd+=(--mca oob_tcp_keepalive_time "${ka[0]}" --mca oob_tcp_keepalive_intvl "${ka[1]}"
        --mca oob_tcp_keepalive_probes "${ka[2]}")
    fi
    local v
    for v in "${exports[@]}" $(compgen -e | grep '^MELOGRAPH_' || true); do cmd+=(-x "$v"); done
  fi
  cmd+=("$melograph" "$@")
}

if [ "$mode" = run ]; then
  [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || die "run: name a melograph subcommand after --"
  [ -n "$np" ] || die "run: give the rank count with --np N (or run inside a Slurm allocation)"
  mpi_cmd "$np" "$@"
  do_run "${cmd[@]}"
  exit 0
fi

[ "$mode" = pipeline ] || die "unknown mode '$mode' (run or pipeline)"
graph="" test_split="" parts="" work="" config=$here/cluster/presets/lightgcn.pbtxt method=metis seed=1
epochs="" item_type=song replicate_entries=0
while [ $# -gt 0 ]; do
  case "$1" in
    --graph) graph=$2; shift 2 ;;
    --test) test_split=$2; shift 2 ;;
    --parts) parts=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --item-type) item_type=$2; shift 2 ;;
    --method) method=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --replicate-entries) replicate_entries=$2; shift 2 ;;
    *) die "pipeline: unknown option '$1'" ;;
  esac
done
[ -n "$graph" ] && [ -n "$test_split" ] && [ -n "$parts" ] && [ -n "$work" ] ||
  die "pipeline needs --graph DIR --test FILE --parts K --work DIR"
np=${np:-$parts}
[ "$np" = "$parts" ] || die "pipeline: --np $np differs from --parts $parts (one rank per part)"
mkdir -p "$work"
work=$(cd "$work" && pwd)
step() { printf '\n== %s\n' "$*"; }

step "1/4 partition $graph into $parts parts ($method) -> $work/partition"
do_run "$melograph" partition "$graph" --parts "$parts" --method "$method" --seed "$seed" \
  --replicate-entries "$replicate_entries" --out "$work/partition"

# (`melograph train --help` would print the top-level help and succeed: look in the list.)
if "$melograph" --help 2>/dev/null | grep -qE '^ +train( |$)'; then
  step "2/4 train on $parts ranks -> $work/run"
  mpi_cmd "$parts" train --partition "$work/partition" --graph "$graph" --config "$config" \
    ${epochs:+--epochs "$epochs"} --out "$work/run" --quiet
  do_run "${cmd[@]}"
  step "3/4 export -> $work/export"
  do_run "$melograph" export "$work/run" --graph "$graph" --out "$work/export"
  step "4/4 eval -> $work/eval.txt"
  do_run "$melograph" eval --graph "$graph" --test "$test_split" --run "$work/run" --item-type "$item_type" \
    --out "$work/eval.txt"
else
  step "2/4 train: SKIPPED - this melograph has no 'train' subcommand yet"
  echo "   (export and eval need a trained run, so they are skipped too; checking the"
  echo "    distributed launch with 'sample --verify' on the same partition instead)"
  mpi_cmd "$parts" sample --partition "$work/partition" --graph "$graph" --verify --batches 2 --seed "$seed"
  do_run "${cmd[@]}"
  step "3/4 export: SKIPPED (no run)"
  step "4/4 eval: SKIPPED (no run)"
fi
