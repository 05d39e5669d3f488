#!/usr/bin/env bash
# Builds and runs the retention engine benchmark: marking 100,000 backups with all six keep-*
# rules (UTC and Europe/Berlin). Target (issue 2): under 100 ms per run. Figures only.
#   BUILD_DIR=build bench/retention/run.sh [extra google-benchmark flags]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja >/dev/null
cmake --build "$build" --target retention_bench
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/tests/agent_retention/retention_bench" --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true "$@"
