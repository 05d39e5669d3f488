#!/usr/bin/env bash
# Stops the server that start-rgw.sh DIR started: TERM to exactly the PIDs it recorded
# (radosgw, osd, mon; all at once: each takes ~2 s to exit and nothing of a throwaway cluster
# needs an orderly shutdown), KILL to any still there after 4 s, then removes DIR.
# Safe to run twice.
set -uo pipefail
dir=${1:?usage: stop-rgw.sh DIR}
[ -f "$dir/pids" ] || { rm -rf "$dir"; exit 0; }
read -r -a pids < "$dir/pids"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for _ in $(seq 80); do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.05
done
for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
rm -rf "$dir"
