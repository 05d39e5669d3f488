#!/usr/bin/env bash
# vzdump tier benchmark: nightly runs (backup + prune; night 1 a first run, then the steady
# state) against the in-process Proxmox simulator (requests per endpoint beyond task polling,
# agent CPU time), and archive verification speed against `zstd -t` on the same ~512 MiB
# archive, measured side by side in one run. Definitions: tests/agent_vzdump/vzdump_bench.cpp.
# Usage: bench/vzdump/run.sh [build-dir] [MiB] [nights]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mib=${2:-512}
nights=${3:-10}
cmake --build "$build" --target vzdump_bench -j2 >/dev/null
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
"$build/tests/agent_vzdump/vzdump_bench" "$mib" "$nights"
