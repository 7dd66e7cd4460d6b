#!/bin/sh
# Installs what dvr-testbed needs on a Debian 12 machine (run as root). Open vSwitch 3.1 provides ovsdb-server,
# ovs-vswitchd and the ovs-* tools; no kernel module is needed (the testbed uses the userspace datapath).
# iptables is only needed for SNAT namespaces (routers with an external gateway); it is not preinstalled here.
set -e
missing=""
command -v ovs-vswitchd >/dev/null 2>&1 || missing="$missing openvswitch-switch"
command -v ethtool >/dev/null 2>&1 || missing="$missing ethtool"
command -v iptables >/dev/null 2>&1 || missing="$missing iptables"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v ping >/dev/null 2>&1 || missing="$missing iputils-ping"
if [ -n "$missing" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
echo "dvr-testbed prerequisites present"
