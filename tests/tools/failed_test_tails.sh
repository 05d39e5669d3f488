#!/usr/bin/env bash
# Prints the last lines of each failed test's output from ctest's LastTest.log, so that the end
# of a CI log (often all that is kept) says why a test failed, not only which one.
# Usage: failed_test_tails.sh BUILD_DIR [LINES_PER_TEST] [MAX_TESTS]
set -uo pipefail
build=${1:?usage: failed_test_tails.sh BUILD_DIR [LINES] [MAX_TESTS]}
lines=${2:-12}
max_tests=${3:-6}
failed=$build/Testing/Temporary/LastTestsFailed.log
log=$build/Testing/Temporary/LastTest.log
[ -f "$failed" ] && [ -f "$log" ] || exit 0
echo "== why the failed tests failed (last $lines lines of each; whole output above)"
count=0
while IFS= read -r entry; do
  name=${entry#*:}
  [ -n "$name" ] || continue
  count=$((count + 1))
  if [ "$count" -gt "$max_tests" ]; then
    echo "-- ... and more failed tests: see $failed"
    break
  fi
  echo "-- $name"
  awk -v name="$name" '
    $0 ~ "^[0-9]+/[0-9]+ Testing: " && $3 == name { mine = 1; next }
    mine && /^Output:$/ { getline; grab = 1; next }
    mine && grab && /^<end of output>$/ { exit }
    mine && grab { print }
  ' "$log" | tail -n "$lines" | cut -c1-300
done < "$failed"
