#!/usr/bin/env bash
# The README's first command: install what is needed, build, and run the main job against the
# bundled simulators -- a Proxmox VE node (pve-sim, HTTPS on 127.0.0.1) and a throwaway sshd on
# 127.0.0.1 whose PATH holds the stand-in mongodump -- then show `status` and `list`.
# Everything runs in a temporary directory and is stopped afterwards.
# With root and the ceph packages it also makes an encrypted off-site copy to a throwaway
# radosgw and fetches it back (deploy/demo-offsite.sh); --no-offsite leaves that out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. deploy/demo-offsite.sh
[ "${1:-}" = --no-offsite ] && DEMO_OFFSITE=0
deploy/install-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build" --target pve-smokerbak pve-sim fake_mongodump fake_mongorestore
bin="$build/agent/pve-smokerbak"
fake_bin="$root/$build/tests/fake_mongo/bin"
[ -d "$fake_bin" ] || fake_bin="$build/tests/fake_mongo/bin"

work=$(mktemp -d /tmp/pve-smokerbak-demo.XXXXXX)
pids=()
cleanup() {
  demo_offsite_stop "$work"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_DEMO:-}" ] && echo "demo files kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

echo "== starting the simulated Proxmox VE node (CT 106 on pve1)"
"$build/tests/pvesim/pve-sim" --data-dir "$work/pve" --guest 106:smartsmoker-cloud:pve1 \
  --guest-config "106:mp0=local:106/vm-106-disk-1.raw,mp=/var/lib/mongodb,backup=1,size=8G" \
  --task-seconds 2 --archive-bytes $((8 << 20)) >"$work/pve-sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/pve/connection.json" ] && break; sleep 0.05; done
conn="$work/pve/connection.json"
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$conn" "$1"; }

echo "== starting a throwaway sshd with the stand-in mongodump on its PATH"
mkdir -p "$work/mongo"
printf 'password=demo-mongo-secret\nusername=smartsmoker\nauth_db=admin\ndb=smartsmoker\n' \
  >"$work/mongo/config"
# What the stand-in ps shows of the container's processes (the coverage preflight reads it).
printf '/sbin/init\n/usr/bin/mongod --dbpath /var/lib/mongodb --bind_ip 127.0.0.1\n' >"$work/mongo/ps"
tests/sshd_fixture/start-sshd.sh "$work/sshd" "$fake_bin" >/dev/null
pids+=("$(cat "$work/sshd/sshd.pid")")
# shellcheck disable=SC1091
. "$work/sshd/env"
install -m 0600 /dev/stdin "$work/mongo.secret" <<<"demo-mongo-secret"

cat >"$work/config.yaml" <<YAML
proxmox:
  api_url: $(json url)
  token_id: "$(json token_id)"
  token_secret_file: $(json token_secret_file)
  ca_file: $(json ca_file)
  node: pve1  # the simulated node this agent "runs on"
retention:
  keep-daily: 7
  keep-weekly: 4
  keep-monthly: 12
timezone: UTC
state_dir: $work/state
metrics_file: $work/metrics/pve-smokerbak.prom
targets:
  - name: prod-cloud
    vmid: 106
    vzdump: { storage: local, mode: snapshot, compress: zstd, notes: "{{guestname}} ({{node}})" }
    mongo:
      ssh: { host: 127.0.0.1, port: $SSHD_PORT, user: $SSHD_USER,
             identity_file: $SSHD_IDENTITY, known_hosts: $SSHD_KNOWN_HOSTS }
      command: "env FAKE_MONGO_DIR=$work/mongo"
      database: smartsmoker
      username: smartsmoker
      auth_db: admin
      password_file: $work/mongo.secret
      backup_dir: $work/backups/prod-cloud/mongodb
    drill:
      vzdump: { vmid: 9106, storage: local }
      mongo: { checks: [{ collection: temps, query: "{}", min_count: 1 }] }
YAML

demo_offsite_start "$work" "$work/config.yaml"

export PVE_SMOKERBAK_CONFIG="$work/config.yaml"
echo
echo "\$ pve-smokerbak config check"
"$bin" config check | tail -n 5
echo
echo "\$ pve-smokerbak config check --coverage    # what neither tier would back up"
"$bin" config check --coverage | sed -n '/^coverage of/,$p' || true
echo
echo "\$ pve-smokerbak run"
rc=0
"$bin" run || rc=$?
echo "(exit code $rc)"
echo
echo "\$ pve-smokerbak drill    # restore each tier's newest verified backup into a scratch place"
"$bin" drill || rc=$?
echo
echo "\$ pve-smokerbak status"
"$bin" status || true
echo
echo "\$ pve-smokerbak list"
"$bin" list || true
demo_offsite_show "$bin" "$work"
echo
echo "\$ pve-smokerbak status --check"
"$bin" status --check || true
echo
echo "Metrics written to the node-exporter textfile:"
grep -v '^#' "$work/metrics/pve-smokerbak.prom" | head -n 8
exit "$rc"
