#!/usr/bin/env bash
# A simulated year of nightly runs of both tiers: the real pve-smokerbak against pve-sim (HTTPS
# on 127.0.0.1, frozen clock moved by the test together with PVE_SMOKERBAK_NOW) and a real sshd
# on 127.0.0.1 with the stand-in mongodump, with faults injected on some nights and a gap when
# the timer did not run.
#
# Each night the script checks the exit code at once and records what the night left: the run
# log, `status --json`, `status --check` (line and exit code) an hour after the run, a copy of
# the metrics file, the vzdump archives on the storage with the first line of their notes, the
# mongo backup directories and the night's manifest. verify_nights.py then checks every night
# in one process against the schedule (which faults on which night, which nights did not run;
# what each fault does to each tier) and the retention engine's prediction (`retention
# simulate`, applied night by night as the agent prunes; computed while the nights run):
#   - the surviving vzdump archives and mongo backups on each day, failed attempts kept as
#     evidence only while they are the newest failed one;
#   - vzdump notes: ownership tag, keep rules and verify state; mongo manifests name the
#     vzdump archive of the same run;
#   - status --json / --check and the metrics file on each day (freshness, last run, count,
#     validation; `unknown` for the vzdump tier while the Proxmox API is down).
# Usage: simulated_nights.sh PVE_SMOKERBAK PVE_SIM FAKE_MONGO_BIN SOURCE_DIR [NIGHTS]
#        (NIGHTS defaults to $E2E_NIGHTS, else 365; KEEP_E2E=1 keeps the work directory;
#        E2E_FAULTS="3=vz_truncated 5=skip" replaces the fault table below)
set -euo pipefail
bin=$1 sim=$2 fake_bin=$3 src=$4 nights=${5:-${E2E_NIGHTS:-365}}
# shellcheck source=lib/setup.sh
. "$src/tests/integration/lib/setup.sh"

policy="keep-daily=7,keep-weekly=4,keep-monthly=12"
start=1767229200 # 2026-01-01T01:00:00Z, the first night
# The injected faults (night index -> kind); verify_nights.py knows what each one does:
#   vz_job_errors   the vzdump task ends with `job errors`, no archive     -> vzdump failed
#   mongo_auth      the mongo password is wrong                            -> mongo failed
#   api_down        every Proxmox API request fails for the whole night    -> vzdump failed,
#                   and status shows the vzdump tier `unknown` that day
#   mongo_midway    mongodump fails after 16 KiB (Failed: line, exit 1)    -> mongo failed
#   mongo_truncate  the dump stream is cut after 16 KiB, exit 0: validation fails -> mongo failed
#   vz_truncated    the archive is cut in half, task OK: verification fails -> vzdump failed
#   both_fail       vzdump `job errors` and a wrong mongo password         -> both failed
#   skip            the timer did not run that night
declare -A fault=(
  [9]=vz_job_errors [17]=mongo_auth [45]=api_down [80]=mongo_midway
  [120]=skip [121]=skip [122]=skip
  [150]=vz_truncated [200]=mongo_truncate [230]=vz_truncated [300]=both_fail [331]=api_down
)
# E2E_FAULTS="NIGHT=KIND ..." replaces the table (to reproduce one fault in a short run).
if [ -n "${E2E_FAULTS:-}" ]; then
  fault=()
  for f in $E2E_FAULTS; do fault[${f%%=*}]=${f#*=}; done
fi

setup_init e2e
setup_start_sim --freeze-clock --start-time "$start" --task-polls 1 --archive-bytes 65536
setup_start_sshd
setup_write_config "$policy"

night_dirs=()
for ((i = 0; i < nights; i++)); do
  night_dirs+=("$work/nights/$i")
  printf '%s\t%s\t%s\n' "$i" "$((start + i * 86400))" "${fault[$i]:-none}"
done >"$work/schedule.tsv"
mkdir -p "${night_dirs[@]}"
# The expected state of every day depends on the schedule only: compute it (hundreds of
# retention engine calls) while the nights run.
python3 "$src/tests/integration/verify_nights.py" --predict --bin "$bin" --work "$work" \
  --policy "$policy" --model "$work/model.pickle" >"$work/predict.log" 2>&1 &
predict_pid=$!
setup_track_pid "$predict_pid"
# copy FROM TO, with builtins only (a night is dominated by process starts).
copy() {
  local text=""
  IFS= read -r -d '' text <"$1" || true
  printf '%s' "$text" >"$2"
}
# Where a night's wall time goes (microseconds), printed at the end for the figures.
declare -A spent=([control]=0 [run]=0 [status]=0 [record]=0)
lap_at=${EPOCHREALTIME/./}
lap() {
  local now=${EPOCHREALTIME/./}
  spent[$1]=$((spent[$1] + now - lap_at))
  lap_at=$now
}
loop_began=$lap_at
for ((i = 0; i < nights; i++)); do
  lap record
  t=$((start + i * 86400))
  kind=${fault[$i]:-none}
  d="$work/nights/$i"
  sim_control POST /_sim/clock "{\"set\": $t}"
  case $kind in
    vz_job_errors) sim_control POST /_sim/fault '{"kind": "task_job_errors"}' ;;
    vz_truncated) sim_control POST /_sim/fault '{"kind": "truncated_archive"}' ;;
    api_down) sim_control POST /_sim/fault '{"kind": "drop_connection", "count": 100000}' ;;
    mongo_auth) fake_mongo_config other-password ;;
    mongo_midway) fake_mongo_config e2e-secret fault=exit_midway fault_after_bytes=16384 ;;
    mongo_truncate) fake_mongo_config e2e-secret fault=truncate fault_after_bytes=16384 ;;
    both_fail)
      sim_control POST /_sim/fault '{"kind": "task_job_errors"}'
      fake_mongo_config other-password
      ;;
  esac
  lap control
  rc=none
  if [ "$kind" != skip ]; then
    rc=0
    PVE_SMOKERBAK_NOW=$t "$bin" run >"$d/run.log" 2>&1 || rc=$?
    want=1
    [ "$kind" = none ] && want=0
    [ "$rc" = "$want" ] || { cat "$d/run.log"; fail "night $i ($kind): run exit $rc, expected $want"; }
  fi
  case $kind in mongo_* | both_fail) fake_mongo_config e2e-secret ;; esac
  lap run

  # What operators and monitoring see an hour after the run (still during the API outage).
  PVE_SMOKERBAK_NOW=$((t + 3600)) "$bin" status --json >"$d/status.json" 2>"$d/status.err" ||
    fail "night $i: status --json exit $? ($(cat "$d/status.err"))"
  rc=0
  PVE_SMOKERBAK_NOW=$((t + 3600)) "$bin" status --check >"$d/check.txt" 2>/dev/null || rc=$?
  printf '%s\n' "$rc" >>"$d/check.txt"
  lap status
  case $kind in api_down | vz_job_errors | vz_truncated | both_fail) sim_control DELETE /_sim/fault ;; esac
  [ -f "$work/metrics.prom" ] && copy "$work/metrics.prom" "$d/metrics.prom"
  # What is on disk, with shell builtins only (no process per file).
  {
    for f in "$sim_storage_dir"/vzdump-lxc-106-*; do
      [ -e "$f" ] || continue
      case $f in *.notes | *.log | *.protected) continue ;; esac
      notes=""
      [ -f "$f.notes" ] && { IFS= read -r notes <"$f.notes" || true; }
      printf 'vz\t%s\t%s\n' "${f##*/}" "$notes"
    done
    for m in "$work"/mongodb/*; do
      [ -d "$m" ] && [ ! -L "$m" ] && printf 'mongo\t%s\n' "${m##*/}"
    done
  } >"$d/disk.tsv"
  TZ=UTC printf -v stamp '%(%Y%m%d-%H%M%S)T' "$t"
  m="$work/mongodb/backup-$stamp/manifest.json"
  [ -f "$m" ] && copy "$m" "$d/manifest.json"
  if ((i % 30 == 29)); then echo "night $i done ($(date -u +%T))"; fi
done
lap record
loop_us=$((lap_at - loop_began))
echo "$nights nights in $((loop_us / 1000000)).$(printf '%03d' $((loop_us / 1000 % 1000))) s;" \
  "per night: run $((spent[run] / nights / 1000)) ms, status --json + --check" \
  "$((spent[status] / nights / 1000)) ms, control $((spent[control] / nights / 1000)) ms," \
  "recording $((spent[record] / nights / 1000)) ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"

wait "$predict_pid" || { cat "$work/predict.log"; fail "the prediction failed"; }
cat "$work/predict.log"
python3 "$src/tests/integration/verify_nights.py" --bin "$bin" --work "$work" --policy "$policy" \
  --storage-dir "$sim_storage_dir" --model "$work/model.pickle"

# The real outage: pve-sim gone. Local facts still shown, the vzdump tier `unknown`.
kill "$sim_pid"
wait "$sim_pid" 2>/dev/null || true
t=$((start + (nights - 1) * 86400 + 3600))
PVE_SMOKERBAK_NOW=$t "$bin" status --json >"$work/status-offline.json"
python3 - "$work/status-offline.json" "$work/nights/$((nights - 1))/status.json" <<'PY' ||
import json, sys
offline, before = (json.load(open(p)) for p in sys.argv[1:3])
tiers, was = offline["targets"][0]["tiers"], before["targets"][0]["tiers"]
assert tiers["vzdump"]["state"] == "unknown", tiers["vzdump"]["state"]
facts = ("count", "last_success", "last_success_age_s", "size_bytes", "last_error", "validation")
for tier in ("vzdump", "mongo"):
    for key in facts + (("state",) if tier == "mongo" else ()):
        assert tiers[tier][key] == was[tier][key], (tier, key, tiers[tier][key], was[tier][key])
PY
  fail "status with pve-sim stopped: $(cat "$work/status-offline.json")"
echo "PASS: $nights simulated nights"
