#!/usr/bin/env bash
# Stops the server that start-rgw.sh DIR started: TERM to exactly the PIDs it recorded
# (radosgw, osd, mon), KILL to any still there after 1 s, then removes DIR. An orderly stop
# takes ~5 s (each daemon waits ~2 s, and the OSD hangs for minutes when the monitor goes
# first); a throwaway memstore cluster has nothing worth a slower shutdown.
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
running() { local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ "$s" != Z ]; }
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for _ in $(seq 20); do
  alive=0
  for p in "${pids[@]}"; do running "$p" && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.05
done
for p in "${pids[@]}"; do running "$p" && kill -KILL "$p" 2>/dev/null; done
# Wait (bounded) until they are gone, so nothing of the server outlives this script (a zombie
# waiting for its reaper counts as gone).
for _ in $(seq 60); do
  alive=0
  for p in "${pids[@]}"; do running "$p" && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.05
done
rm -rf "$dir"
