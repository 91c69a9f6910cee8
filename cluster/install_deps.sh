#!/usr/bin/env bash
# Installs the Debian packages melograph needs, only those that are missing.
# Usage: cluster/install_deps.sh   (as root, or with sudo available)
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libopenmpi-dev openmpi-bin libmetis-dev
  libeigen3-dev libprotobuf-dev protobuf-compiler libboost-graph-dev libgtest-dev libgmock-dev
  libbenchmark-dev zlib1g-dev libcli11-dev libfaiss-dev python3 python3-numpy
  clang libclang-rt-14-dev libomp-dev)  # clang: the dev preset and the fuzzing stage of cluster/test.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
