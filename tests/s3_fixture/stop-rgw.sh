#!/usr/bin/env bash
# Stops the server that start-rgw.sh DIR started: TERM to exactly the PIDs it recorded
# (radosgw, then osd, then mon), KILL after 5 s, then removes DIR. Safe to run twice.
set -uo pipefail
dir=${1:?usage: stop-rgw.sh DIR}
[ -f "$dir/pids" ] || { rm -rf "$dir"; exit 0; }
read -r -a pids < "$dir/pids"
for p in "${pids[@]}"; do
  kill -TERM "$p" 2>/dev/null || continue
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$p" 2>/dev/null || true
done
rm -rf "$dir"
