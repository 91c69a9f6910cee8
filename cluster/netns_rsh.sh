#!/bin/sh
# Open MPI rsh agent for the one-machine multi-host test (cluster/netns_hosts.sh): instead of
# ssh, run the command in the network namespace named like the host. Open MPI calls
# `AGENT HOST COMMAND...` to start its orted daemon there; the environment (PATH,
# LD_LIBRARY_PATH, OMPI_*) is inherited, and the filesystem is the same, so orted and the
# melograph binary are found at the same paths.
# The "hosts" share /tmp and the host name, so each gets its own TMPDIR: otherwise their orted
# daemons race creating Open MPI session directories under one /tmp/ompi.<host>.<uid>/ and one
# fails with "mkdir ... File exists".
host=$1
shift
tmp=${MELOGRAPH_NETNS_TMPDIR:-/tmp/melograph-netns}/$host
mkdir -p "$tmp"
TMPDIR=$tmp
export TMPDIR
exec ip netns exec "$host" sh -c "$*"
