#!/usr/bin/env bash
# Drives both tiers through simulated nightly runs (simulator clock and the agent's clock
# moved together), with failures injected on some nights, and checks after the last night:
#   - the surviving vzdump archives and mongo backups equal the retention engine's prediction
#     for the nights whose tier succeeded (failed nights take no slot and delete nothing);
#   - vzdump notes carry the ownership tag and the keep reason; mongo manifests name the
#     vzdump archive of the same run;
#   - status --json / --check and the metrics file report the truth.
# Usage: simulated_nights.sh PVE_SMOKERBAK PVE_SIM FAKE_MONGO_BIN SOURCE_DIR [NIGHTS]
set -euo pipefail
bin=$1 sim=$2 fake_bin=$3 src=$4 nights=${5:-${E2E_NIGHTS:-45}}
[ -x /usr/sbin/sshd ] || { echo "SKIP: /usr/sbin/sshd not installed"; exit 125; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 125; }
work=$(mktemp -d /tmp/smokerbak-e2e.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_E2E:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

start=1767229200  # 2026-01-01T01:00:00Z
"$sim" --data-dir "$work/pve" --guest 106:smartsmoker-cloud:pve1 --freeze-clock \
  --start-time "$start" --task-polls 1 --archive-bytes 65536 >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/pve/connection.json" ] && break; sleep 0.05; done
conn="$work/pve/connection.json"
jq_() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$conn" "$1"; }
url=$(jq_ url) ca=$(jq_ ca_file) ctl=$(jq_ control_secret)
control() {  # control METHOD PATH JSON
  python3 - "$url" "$ca" "$ctl" "$1" "$2" "${3:-}" <<'PY'
import ssl, sys, urllib.request
url, ca, secret, method, path, body = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
req = urllib.request.Request(url + path, data=body.encode() if body else None, method=method,
                             headers={"X-PveSim-Control": secret, "Content-Type": "application/json"})
urllib.request.urlopen(req, context=ctx).read()
PY
}

mkdir -p "$work/mongo"
write_fake_config() {
  printf 'password=%s\nusername=smartsmoker\nauth_db=admin\ndb=smartsmoker\n' "$1" \
    >"$work/mongo/config"
}
write_fake_config e2e-secret
"$src/tests/sshd_fixture/start-sshd.sh" "$work/sshd" "$fake_bin" >/dev/null
pids+=("$(cat "$work/sshd/sshd.pid")")
. "$work/sshd/env"
install -m 0600 /dev/stdin "$work/mongo.secret" <<<"e2e-secret"
cat >"$work/config.yaml" <<YAML
proxmox:
  api_url: $url
  token_id: "$(jq_ token_id)"
  token_secret_file: $(jq_ token_secret_file)
  ca_file: $ca
retention: "keep-daily=5,keep-weekly=3,keep-monthly=2"
timezone: UTC
state_dir: $work/state
metrics_file: $work/metrics.prom
targets:
  - name: prod-cloud
    vmid: 106
    vzdump: { storage: local }
    mongo:
      ssh: { host: 127.0.0.1, port: $SSHD_PORT, user: $SSHD_USER,
             identity_file: $SSHD_IDENTITY, known_hosts: $SSHD_KNOWN_HOSTS }
      command: "env FAKE_MONGO_DIR=$work/mongo"
      database: smartsmoker
      username: smartsmoker
      password_file: $work/mongo.secret
      backup_dir: $work/mongodb
YAML
export PVE_SMOKERBAK_CONFIG="$work/config.yaml"

vz_ok=() mongo_ok=()
for ((i = 0; i < nights; i++)); do
  t=$((start + i * 86400))
  control POST /_sim/clock "{\"set\": $t}"
  fault=""
  if ((i == 9)); then control POST /_sim/fault '{"kind": "task_job_errors"}'; fault=vzdump; fi
  if ((i == 17)); then write_fake_config other-password; fault=mongo; fi
  rc=0
  PVE_SMOKERBAK_NOW=$t "$bin" run >"$work/run-$i.log" 2>&1 || rc=$?
  if ((i == 17)); then write_fake_config e2e-secret; fi
  if [ -z "$fault" ]; then
    [ "$rc" = 0 ] || { cat "$work/run-$i.log"; fail "night $i: exit $rc, expected 0"; }
    vz_ok+=("$t") mongo_ok+=("$t")
  else
    [ "$rc" = 1 ] || { cat "$work/run-$i.log"; fail "night $i: exit $rc, expected 1 ($fault fault)"; }
    [ "$fault" = vzdump ] && mongo_ok+=("$t") || vz_ok+=("$t")
  fi
  if ((i == 17)); then
    PVE_SMOKERBAK_NOW=$t "$bin" status --check >"$work/check.txt" || [ $? = 1 ] ||
      fail "status --check after a failed mongo night should be WARNING: $(cat "$work/check.txt")"
    grep -q "WARNING" "$work/check.txt" || fail "status --check: $(cat "$work/check.txt")"
  fi
done

predict() {  # predict EPOCH... -> kept epochs, one per line
  python3 -c '
import json, sys
print(json.dumps([{"id": str(t), "ctime": int(t)} for t in sys.argv[1:]]))' "$@" |
    "$bin" retention simulate --policy keep-daily=5,keep-weekly=3,keep-monthly=2 --timezone UTC \
      --input - --json |
    python3 -c 'import json,sys; [print(d["id"]) for d in json.load(sys.stdin) if d["mark"] == "keep"]' |
    sort
}
want_vz=$(predict "${vz_ok[@]}")
want_mongo=$(predict "${mongo_ok[@]}")
have_vz=$(ls "$work/pve/storage/local/dump" | grep -E '^vzdump-lxc-106-.*\.tar\.zst$' |
  python3 -c '
import sys, calendar, time
for n in sys.stdin:
    s = n.strip()[len("vzdump-lxc-106-"):][:19]
    print(calendar.timegm(time.strptime(s, "%Y_%m_%d-%H_%M_%S")))' | sort)
have_mongo=$(for m in "$work"/mongodb/backup-*/manifest.json; do
  python3 -c '
import calendar, json, sys, time
v = json.load(open(sys.argv[1]))["started_at"]
print(v if isinstance(v, int) else calendar.timegm(time.strptime(v, "%Y-%m-%dT%H:%M:%SZ")))' "$m"
done | sort)
[ "$have_vz" = "$want_vz" ] || fail "vzdump survivors differ from the prediction:
have: $(echo $have_vz)
want: $(echo $want_vz)"
[ "$have_mongo" = "$want_mongo" ] || fail "mongo survivors differ from the prediction:
have: $(echo $have_mongo)
want: $(echo $want_mongo)"
echo "survivors match the retention engine: vzdump $(echo "$have_vz" | wc -l), mongo $(echo "$have_mongo" | wc -l)"

# Notes: every surviving archive is tagged and says why it is kept.
for n in "$work"/pve/storage/local/dump/*.notes; do
  head -n1 "$n" | grep -Eq '^prod-cloud smokerbak:[0-9]{8}T[0-9]{6}Z · keep: .* · verified' ||
    fail "notes of $n: $(head -n1 "$n")"
done
# Manifests pair with the vzdump archive of the same run (except the night vzdump failed).
last=$(ls -d "$work"/mongodb/backup-* | tail -n1)
python3 - "$last/manifest.json" <<'PY' || fail "manifest does not name the vzdump archive"
import json, sys
m = json.load(open(sys.argv[1]))
assert m.get("vzdump_volid", "").startswith("local:backup/vzdump-lxc-106-"), m.get("vzdump_volid")
PY
[ -z "$(ls -d "$work"/mongodb/*.partial 2>/dev/null)" ] || fail ".partial left behind"

t=$((start + (nights - 1) * 86400 + 3600))
PVE_SMOKERBAK_NOW=$t "$bin" status --json >"$work/status.json"
python3 - "$work/status.json" "$(echo "$have_vz" | wc -l)" "$(echo "$have_mongo" | wc -l)" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
assert s["state"] == "ok", s["state"]
tiers = s["targets"][0]["tiers"]
assert tiers["vzdump"]["count"] == int(sys.argv[2]), tiers["vzdump"]
assert tiers["mongo"]["count"] == int(sys.argv[3]), tiers["mongo"]
assert tiers["mongo"]["last_success_age_s"] == 3600, tiers["mongo"]
PY
  fail "status --json: $(cat "$work/status.json")"
PVE_SMOKERBAK_NOW=$t "$bin" status --check | grep -q '^PVE-SMOKERBAK OK' || fail "status --check not OK"
# Three days later without runs: critical (past 50 h).
PVE_SMOKERBAK_NOW=$((t + 3 * 86400)) "$bin" status --check >/dev/null && fail "stale: expected non-zero" || [ $? = 2 ] ||
  fail "stale backups should be CRITICAL (exit 2)"
grep -q "pve_smokerbak_backups{target=\"prod-cloud\",tier=\"mongo\"} $(echo "$have_mongo" | wc -l)" \
  "$work/metrics.prom" || fail "metrics: $(cat "$work/metrics.prom")"
# Proxmox unreachable: local facts still shown, the vzdump tier `unknown`, mongo unaffected.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
PVE_SMOKERBAK_NOW=$t "$bin" status --json >"$work/status-offline.json"
python3 - "$work/status-offline.json" <<'PY' || fail "status with Proxmox down: $(cat "$work/status-offline.json")"
import json, sys
tiers = json.load(open(sys.argv[1]))["targets"][0]["tiers"]
assert tiers["vzdump"]["state"] == "unknown", tiers["vzdump"]["state"]
assert tiers["vzdump"]["count"] is not None
assert tiers["mongo"]["state"] == "ok", tiers["mongo"]
PY
echo "PASS: $nights simulated nights"
