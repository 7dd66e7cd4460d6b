#!/usr/bin/env bash
# Installs what Dvr needs on a fresh Debian machine (root), then restores NuGet packages.
# Idempotent: packages already present are not reinstalled. Prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

need_cmd() { command -v "$1" >/dev/null 2>&1; }

missing=()
need_cmd ovs-vswitchd || missing+=(openvswitch-switch)
need_cmd ovs-ofctl    || missing+=(openvswitch-common)
need_cmd ip           || missing+=(iproute2)
need_cmd ethtool      || missing+=(ethtool)
need_cmd iptables     || missing+=(iptables)
need_cmd tcpdump      || missing+=(tcpdump)
need_cmd ping         || missing+=(iputils-ping)
need_cmd pgrep        || missing+=(procps)
[ -e /usr/lib/x86_64-linux-gnu/libpcap.so.0.8 ] || [ -e /usr/lib/aarch64-linux-gnu/libpcap.so.0.8 ] || missing+=(libpcap0.8)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages ${missing[*]}; run as root (apt-get install needs it)" >&2
    exit 2
  fi
  echo "setup: installing ${missing[*]} with apt-get"
  # Keep the package's own OVS service from starting: Dvr's tests and testbed run their own daemons.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  trap '[ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${missing[*]}"
fi

if ! need_cmd dotnet; then
  echo "setup: the .NET 10 SDK (dotnet) is required and is not on PATH" >&2
  exit 2
fi

echo "setup: restoring NuGet packages"
dotnet restore Dvr.sln --verbosity quiet
