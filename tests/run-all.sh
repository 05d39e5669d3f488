#!/usr/bin/env bash
# The README's test command: install Debian packages, build with -Werror, run every
# unit and integration test (benchmarks excluded: bench/run.sh runs those).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
deploy/install-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DSMOKERBAK_WERROR=ON >/dev/null
cmake --build "$build"
if ! ctest --test-dir "$build" --output-on-failure --no-tests=error -LE benchmark -j"$(nproc)"; then
  tests/tools/failed_test_tails.sh "$build"
  exit 8
fi
