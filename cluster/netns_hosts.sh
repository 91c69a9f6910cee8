#!/usr/bin/env bash
# Three "hosts" on one machine for the multi-host test: network namespaces mg-h1..mg-h3, each
# with a veth pair into the bridge mg-br0 in the root namespace. The bridge has its own address
# (10.77.0.254) so mpirun, which stays in the root namespace, reaches the orted daemons and
# ranks in the namespaces over TCP; the hosts are 10.77.0.1..3, named in /etc/hosts (lines
# tagged "# melograph-netns"); loopback is up in every namespace.
#
# Usage: cluster/netns_hosts.sh up|down|status
#   up     (re)creates everything (a leftover from a killed run is removed first); if any step
#          fails, what was made is removed again (trap) and the exit code is non-zero:
#          3 = namespaces are not permitted here (no root / no CAP_NET_ADMIN / no veth support)
#   down   removes namespaces, links and /etc/hosts entries; safe to repeat
# Then: mpirun --mca plm_rsh_agent cluster/netns_rsh.sh --mca btl tcp,self \
#         --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
#         -H mg-h1,mg-h2,mg-h3 -np 3 melograph mpi-selftest
set -uo pipefail
SUBNET=10.77.0.0/24 PREFIX=10.77.0 BRIDGE=mg-br0 HOSTS=(mg-h1 mg-h2 mg-h3) TAG="# melograph-netns"

down() {
  local i
  for i in 1 2 3; do
    ip netns del "mg-h$i" 2>/dev/null || true
    ip link del "mg-v$i" 2>/dev/null || true  # deleting one end removes the pair
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  if grep -q "$TAG" /etc/hosts 2>/dev/null; then
    # /etc/hosts may be a bind mount (containers): rewrite in place, never rename over it.
    local kept
    kept=$(grep -v "$TAG" /etc/hosts)
    printf '%s\n' "$kept" >/etc/hosts
  fi
  return 0
}

up() {
  down
  if [ "$(id -u)" != 0 ] || ! ip netns add mg-h1 2>/dev/null; then
    echo "netns_hosts.sh: network namespaces are not permitted here (need root / CAP_NET_ADMIN)" >&2
    return 3
  fi
  trap 'rc=$?; if [ $rc -ne 0 ]; then echo "netns_hosts.sh: setup failed (exit $rc), cleaning up" >&2; down; fi' EXIT
  set -e
  if ! ip link add "$BRIDGE" type bridge 2>/dev/null; then
    echo "netns_hosts.sh: cannot create a bridge here (no bridge support)" >&2
    exit 3
  fi
  ip addr add "$PREFIX.254/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local i
  for i in 1 2 3; do
    [ "$i" = 1 ] || ip netns add "mg-h$i"
    if ! ip link add "mg-v$i" type veth peer name "mg-p$i" 2>/dev/null; then
      echo "netns_hosts.sh: cannot create veth pairs here" >&2
      exit 3
    fi
    ip link set "mg-p$i" netns "mg-h$i"
    ip link set "mg-v$i" master "$BRIDGE" up
    ip netns exec "mg-h$i" ip addr add "$PREFIX.$i/24" dev "mg-p$i"
    ip netns exec "mg-h$i" ip link set "mg-p$i" up
    ip netns exec "mg-h$i" ip link set lo up
    printf '%s\t%s %s\n' "$PREFIX.$i" "mg-h$i" "$TAG" >>/etc/hosts
  done
  # Bridged frames must not be dropped by a host firewall (br_netfilter + FORWARD DROP).
  [ -w /proc/sys/net/bridge/bridge-nf-call-iptables ] && echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables
  # Every host must reach the bridge before MPI starts: a TCP connect to a closed port of the
  # bridge address answering "refused" proves the path works (no ping needed).
  for i in 1 2 3; do
    local ok=0 try
    for try in $(seq 1 25); do
      local answer
      answer=$(ip netns exec "mg-h$i" timeout 1 bash -c "exec 3<>/dev/tcp/$PREFIX.254/9" 2>&1 || true)
      if [[ "$answer" == *refused* ]]; then
        ok=1
        break
      fi
      sleep 0.2
    done
    if [ "$ok" != 1 ]; then echo "netns_hosts.sh: mg-h$i cannot reach the bridge $PREFIX.254" >&2; exit 1; fi
  done
  set +e
  trap - EXIT
  echo "netns hosts up: ${HOSTS[*]} on $SUBNET (bridge $BRIDGE $PREFIX.254)"
}

status() {
  ip netns list | grep '^mg-h' || echo "no mg-h* namespaces"
  grep "$TAG" /etc/hosts || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
