#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds (warnings are errors), runs every NUnit project
# (codec, compiler, controller against real Open vSwitch, end-to-end on the namespace testbed) and
# prints one closing line "N passed, N failed, N skipped". Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
echo "test: building Dvr.sln (Release)"
dotnet build Dvr.sln -c Release --nologo --verbosity quiet

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "test: $name"
  # A hung test must not hang CI: dump and fail after 10 minutes without progress.
  if ! dotnet test "$project" -c Release --no-build --nologo \
      --blame-hang-timeout 10m \
      --logger "trx;LogFileName=$results/$name.trx" \
      --logger "console;verbosity=minimal" "$@"; then
    status=1
  fi
done

# One closing line summed over every project's TRX file.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o "$1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$passed" -eq 0 ]; then
  echo "test: no test ran" >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
