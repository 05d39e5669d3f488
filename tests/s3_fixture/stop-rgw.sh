#!/usr/bin/env bash
# Stops the server that start-rgw.sh DIR started: TERM to exactly the PIDs it recorded
# (radosgw, osd, mon; all at once: each takes ~2 s to exit and nothing of a throwaway cluster
# needs an orderly shutdown), KILL to any still there after 4 s, then removes DIR.
# Safe to run twice.
set -uo pipefail
dir=${1:?usage: stop-rgw.sh DIR}
[ -f "$dir/pids" ] || { rm -rf "$dir"; exit 0; }
dir=$(cd "$dir" && pwd)
read -r -a recorded < "$dir/pids"
# Only PIDs still running this server (their argv names DIR's ceph.conf): a recorded PID that
# exited may have been reused by an unrelated process.
pids=()
for p in "${recorded[@]}"; do
  tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$dir/ceph.conf" && pids+=("$p")
done
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for _ in $(seq 80); do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.05
done
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
rm -rf "$dir"
