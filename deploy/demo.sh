#!/usr/bin/env bash
# The README's first command: install what is needed, build, and show the main job.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
deploy/install-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build" --target pve-smokerbak
"$build/agent/pve-smokerbak" version && "$build/agent/pve-smokerbak" retention simulate --policy keep-daily=7,keep-weekly=4,keep-monthly=12 --timezone Europe/Berlin --generate 2025-01-01T01:00,2025-12-31T01:00,1d
