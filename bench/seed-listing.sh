#!/usr/bin/env bash
# shellcheck disable=SC2154  # url, token_id, token_secret_file, ca_file come from conn.env
# Input of bench/run-all.sh's status/list figures: a pve-sim node whose storage holds N
# agent-owned vzdump archives (empty files with .notes sidecars naming the agent's tag) and a
# mongo backup folder with N backups (manifest.json each), one backup an hour back from the
# frozen clock, and a config for both tiers of one target (the mongo tier's SSH goes to the
# caller's sshd, for `status`'s probe).
# Usage: seed-listing.sh DIR BUILD_DIR N SSHD_PORT SSHD_USER SSHD_IDENTITY SSHD_KNOWN_HOSTS
# Leaves DIR/config.yaml, DIR/now (for PVE_SMOKERBAK_NOW) and DIR/sim.pid (stop it after use).
set -euo pipefail
dir=$1 build=$2 n=$3 port=$4 user=$5 identity=$6 known_hosts=$7
rm -rf "$dir"
mkdir -p "$dir"
now=1798761600  # 2027-01-01T00:00:00Z
date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ >"$dir/now"
"$build/tests/pvesim/pve-sim" --data-dir "$dir/pve" --guest 106:bench:pve1 --freeze-clock \
  --start-time "$now" >"$dir/sim.log" 2>&1 &
echo $! >"$dir/sim.pid"
for _ in $(seq 400); do
  [ -s "$dir/pve/connection.json" ] && break
  sleep 0.05
done
[ -s "$dir/pve/connection.json" ] || { cat "$dir/sim.log" >&2; exit 1; }
python3 - "$dir" "$n" "$now" <<'PY'
import datetime, json, os, sys
d, n, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = json.load(open(os.path.join(d, "pve", "connection.json")))
dump = os.path.join(c["storage_dir"])
os.makedirs(dump, exist_ok=True)
mongo = os.path.join(d, "mongodb")
os.makedirs(mongo, exist_ok=True)
for i in range(1, n + 1):
    t = datetime.datetime.fromtimestamp(now - i * 3600, datetime.timezone.utc)
    name = t.strftime("vzdump-lxc-106-%Y_%m_%d-%H_%M_%S.tar.zst")
    open(os.path.join(dump, name), "wb").close()
    with open(os.path.join(dump, name + ".notes"), "w") as f:
        f.write("bench smokerbak:" + t.strftime("%Y%m%dT%H%M%SZ") + "\n")
    bid = t.strftime("backup-%Y%m%d-%H%M%S")
    os.makedirs(os.path.join(mongo, bid), exist_ok=True)
    stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    m = {"format": "pve-smokerbak-mongo-backup/1", "backup_id": bid, "run_id": bid,
         "target": "bench", "database": "smoker", "started_at": stamp,
         "started_epoch": now - i * 3600, "finished_at": stamp, "finished_epoch": now - i * 3600,
         "archive": {"file": "dump.archive.gz", "size": 1000, "sha256": "0" * 64},
         "tool_version": "100.9.4", "server_version": "7.0.0", "vzdump_volid": None,
         "collections": [{"namespace": "smoker.readings", "documents_log": 10,
                          "documents_archive": 10, "crc64": "0", "crc_ok": True}],
         "mongodump_exit": 0, "validation": {"valid": True, "errors": [], "warnings": []}}
    with open(os.path.join(mongo, bid, "manifest.json"), "w") as f:
        json.dump(m, f, indent=2)
with open(os.path.join(d, "conn.env"), "w") as f:
    for k in ("url", "ca_file", "token_id", "token_secret_file"):
        f.write(f"{k}={c[k]}\n")
PY
# shellcheck disable=SC1091
. "$dir/conn.env"
install -m 0600 /dev/stdin "$dir/mongo.secret" <<<"bench-secret"
cat >"$dir/config.yaml" <<YAML
proxmox:
  api_url: $url
  token_id: "$token_id"
  token_secret_file: $token_secret_file
  ca_file: $ca_file
retention: "keep-daily=7,keep-weekly=4,keep-monthly=12"
timezone: UTC
state_dir: $dir/state
metrics_file: $dir/metrics.prom
targets:
  - name: bench
    vmid: 106
    vzdump: { storage: local }
    mongo:
      ssh: { host: 127.0.0.1, port: $port, user: $user,
             identity_file: $identity, known_hosts: $known_hosts }
      database: smoker
      username: smoker
      password_file: $dir/mongo.secret
      backup_dir: $dir/mongodb
YAML
