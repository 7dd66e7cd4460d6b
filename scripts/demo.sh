#!/usr/bin/env bash
# The main job: installs what is missing, builds, brings up the 3-host DVR testbed from samples/ (network
# namespaces, one Open vSwitch per host, VXLAN underlay), lets the Dvr controller program it, and proves
# cross-host, cross-subnet routing with the gateway MACs kept off the wire. Tears everything down at the end
# unless --keep is given. Exits non-zero if anything fails. Needs root (namespaces, OVS).
#   ./scripts/demo.sh [--keep] [--prefix P] [TOPOLOGY.yaml]
set -euo pipefail
cd "$(dirname "$0")/.."

topology=samples/demo-3host.yaml
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) args+=(--keep) ;;
    --prefix) args+=(--prefix "$2"); shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *.yaml|*.yml) topology="$1" ;;
    *) echo "demo: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

./scripts/setup.sh
echo "demo: building (Release)"
dotnet build tools/ovs-testbed/Testbed.csproj -c Release --nologo --verbosity quiet
exec dotnet tools/ovs-testbed/bin/Release/net10.0/dvr-testbed.dll demo "$topology" --prefix "${DEMO_PREFIX:-demo-}" "${args[@]}"
