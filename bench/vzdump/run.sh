#!/usr/bin/env bash
# vzdump tier benchmark: one full run (backup + prune) against the in-process Proxmox
# simulator (requests beyond task polling, agent CPU time), and archive verification speed
# against `zstd -t` on the same ~512 MiB archive, measured side by side in one run.
# Usage: bench/vzdump/run.sh [build-dir] [MiB]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mib=${2:-512}
cmake --build "$build" --target vzdump_bench -j2 >/dev/null
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
"$build/tests/agent_vzdump/vzdump_bench" "$mib"
