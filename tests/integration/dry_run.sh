#!/usr/bin/env bash
# `run --dry-run` and `prune --dry-run` change nothing anywhere and say what they would do.
# Setup as the year-long test (pve-sim, sshd with the stand-in mongodump): a few real nights
# leave state on every side (tier records, metrics, journals' absence, vzdump archives with
# notes/log sidecars, mongo backups, a failed mongo attempt, `latest`), the last two nights with
# --no-prune so retention has work to do. Then every byte is snapshotted (paths, types, sizes,
# modes, mtimes, symlink targets, SHA-256 of every file) before and after each dry run, and the
# simulator's request log must show reads only. Finally a real `prune` must change the
# snapshot by exactly the removals the dry runs announced (so the comparison can fail).
# Usage: dry_run.sh PVE_SMOKERBAK PVE_SIM FAKE_MONGO_BIN SOURCE_DIR
set -euo pipefail
bin=$1 sim=$2 fake_bin=$3 src=$4
# shellcheck source=lib/setup.sh
. "$src/tests/integration/lib/setup.sh"

start=1767229200 # 2026-01-01T01:00:00Z
setup_init dryrun
setup_start_sim --freeze-clock --start-time "$start" --task-polls 1 --archive-bytes 65536
setup_start_sshd
setup_write_config "keep-last=3"

night() {  # night INDEX [run options...]: one real run at 01:00 UTC of day INDEX
  local i=$1 rc=0
  shift
  sim_control POST /_sim/clock "{\"set\": $((start + i * 86400))}"
  PVE_SMOKERBAK_NOW=$((start + i * 86400)) "$bin" run "$@" >"$work/run-$i.log" 2>&1 || rc=$?
  echo "$rc"
}
for i in 0 1 2 3; do
  [ "$(night $i)" = 0 ] || { cat "$work/run-$i.log"; fail "night $i failed"; }
done
fake_mongo_config wrong-password
[ "$(night 4)" = 1 ] || { cat "$work/run-4.log"; fail "night 4 should fail (mongo password)"; }
fake_mongo_config e2e-secret
for i in 5 6; do
  [ "$(night $i --no-prune)" = 0 ] || { cat "$work/run-$i.log"; fail "night $i failed"; }
done
[ -d "$work"/mongodb/failed-20260105-010000 ] || fail "no failed mongo attempt to protect"
# keep-last=3: night 4 pruned vzdump to Jan 3-5 (its mongo attempt failed, so mongo kept
# Jan 2-4); nights 5 and 6 added two of each. The dry runs must name these for removal, no more.
want_vz_removed="vzdump-lxc-106-2026_01_03-01_00_00.tar.zst vzdump-lxc-106-2026_01_04-01_00_00.tar.zst"
want_mongo_removed="backup-20260102-010000 backup-20260103-010000"

snapshot() {  # snapshot FILE: every byte of state the agent could touch
  (
    cd "$work"
    # The stand-in shell's own call records (mongosh.last, shell-scripts) are left out: the
    # coverage preflight's read-only listDatabases in `run` writes them, not the agent.
    skip=(! -name mongosh.last ! -name shell-scripts)
    find state mongodb pve mongo metrics.prom "${skip[@]}" -printf '%p %y %s %m %T@ %l\n' | LC_ALL=C sort
    find state mongodb pve mongo metrics.prom -type f "${skip[@]}" -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum
  ) >"$1"
}
requests() { sim_control GET /_sim/stats ""; printf '%s\n' "$sim_reply" >"$1"; }
same_as_before() {  # same_as_before WHAT: the snapshot and the simulator saw no change
  snapshot "$work/after.txt"
  diff -u "$work/before.txt" "$work/after.txt" >&2 || fail "$1 changed the state above"
  requests "$work/stats-after.json"
  python3 - "$work/stats-before.json" "$work/stats-after.json" <<'PY' || fail "$1 wrote to Proxmox"
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
new = after["request_log"][len(before["request_log"]):]
writes = [r for r in new if not r.startswith("GET ")]
assert not writes, writes
assert after["tasks_started"] == before["tasks_started"], (before["tasks_started"], after["tasks_started"])
assert new, "the dry run asked Proxmox nothing (it cannot have planned anything)"
PY
}
expect_in() {  # expect_in FILE TEXT...: each TEXT appears in FILE
  local file=$1
  shift
  local text
  for text in "$@"; do
    grep -qF -- "$text" "$file" || { cat "$file" >&2; fail "$file does not say: $text"; }
  done
}

sim_control POST /_sim/clock "{\"set\": $((start + 7 * 86400))}"
export PVE_SMOKERBAK_NOW=$((start + 7 * 86400))
snapshot "$work/before.txt"
requests "$work/stats-before.json"

rc=0
"$bin" run --dry-run >"$work/dry-run.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/dry-run.out"; fail "run --dry-run exit $rc, expected 0"; }
same_as_before "run --dry-run"
expect_in "$work/dry-run.out" "would start vzdump of CT 106 on pve1" "would run \`" "mongodump" \
  "would keep 3 and remove 2 agent-owned archives"
for v in $want_vz_removed; do expect_in "$work/dry-run.out" "remove  local:backup/$v"; done
for b in $want_mongo_removed; do expect_in "$work/dry-run.out" "remove  $b"; done

for tier in vzdump mongo; do
  rc=0
  "$bin" prune --dry-run --tier "$tier" >"$work/prune-$tier.out" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { cat "$work/prune-$tier.out"; fail "prune --dry-run --tier $tier exit $rc"; }
  same_as_before "prune --dry-run --tier $tier"
done
for v in $want_vz_removed; do expect_in "$work/prune-vzdump.out" "remove  local:backup/$v"; done
for b in $want_mongo_removed; do expect_in "$work/prune-mongo.out" "remove  $b"; done
grep -q "vzdump-lxc" "$work/prune-mongo.out" && fail "prune --tier mongo talks about vzdump"
grep -q "backup-2026" "$work/prune-vzdump.out" && fail "prune --tier vzdump talks about mongo"

# The control: a real prune removes exactly what the dry runs announced, and the snapshot sees it.
rc=0
"$bin" prune >"$work/prune.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/prune.out"; fail "prune exit $rc"; }
snapshot "$work/after.txt"
removed=$({ diff "$work/before.txt" "$work/after.txt" || true; } |
  sed -n 's/^< \([^ ]*\) [fdl] .*/\1/p' |
  grep -Eo '(vzdump-lxc-106-[0-9_-]+\.tar\.zst|backup-[0-9]{8}-[0-9]{6})$' | LC_ALL=C sort -u | xargs)
[ "$removed" = "$want_mongo_removed $want_vz_removed" ] ||
  fail "a real prune removed '$removed', the dry runs announced '$want_mongo_removed $want_vz_removed'"
echo "PASS: run --dry-run and prune --dry-run changed nothing and announced what prune then did"
