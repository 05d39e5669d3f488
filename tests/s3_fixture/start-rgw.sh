#!/usr/bin/env bash
# Starts a throwaway single-node Ceph cluster (one monitor, one memstore OSD) and a radosgw on
# 127.0.0.1 for the S3 tests and benchmarks. No systemd; every daemon runs in DIR and is
# stopped by stop-rgw.sh DIR, which kills exactly the PIDs recorded here.
# Why each setting: tests/s3_fixture/README.md.
#
# Usage: start-rgw.sh DIR [--store memstore|filestore-bytes N]
#   --osd-bytes N     size of the OSD store (default 4 GiB; memstore only uses what is stored)
#   --file-backed     keep objects on disk in DIR (bluestore on a sparse file) instead of RAM,
#                     for benchmarks that store GiBs
# Writes DIR/env (sourceable, KEY=value lines):
#   S3_ENDPOINT_HTTPS, S3_ENDPOINT_HTTP, S3_CA_FILE, S3_FINGERPRINT, S3_ACCESS_KEY,
#   S3_SECRET_KEY, S3_REGION, S3_PIDS (radosgw osd mon)
# When the server cannot run here (not root, packages missing) it writes
# S3_UNAVAILABLE="reason" into DIR/env and exits 77, so tests skip with that reason.
set -euo pipefail
dir=${1:?usage: start-rgw.sh DIR [--osd-bytes N] [--file-backed]}
# A start that fails (rather than finding the server unavailable, exit 77) is tried once more
# from scratch with new ports: a start once failed in CI for reasons its log did not keep, and
# one flaky start must not turn every S3 test into "Not Run". Both attempts' logs are printed.
if [ -z "${RGW_START_ATTEMPT:-}" ]; then
  rc=0
  RGW_START_ATTEMPT=1 "$0" "$@" || rc=$?
  if [ "$rc" = 0 ] || [ "$rc" = 77 ]; then exit "$rc"; fi
  echo "start-rgw.sh: first start failed (exit $rc); trying once more from scratch" >&2
  RGW_START_ATTEMPT=2 exec "$0" "$@"
fi
shift
osd_bytes=$((4 << 30))
file_backed=0
while [ $# -gt 0 ]; do
  case $1 in
    --osd-bytes) osd_bytes=$2; shift 2 ;;
    --file-backed) file_backed=1; shift ;;
    *) echo "start-rgw.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
env_file=$dir/env

unavailable() {
  local reason=${1//\"/}
  printf 'S3_UNAVAILABLE="%s"\n' "$reason" > "$env_file"
  echo "start-rgw.sh: S3 test server not available: $1" >&2
  exit 77
}
[ "$(id -u)" -eq 0 ] || unavailable "radosgw needs root (ceph daemons run as root here)"
for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph openssl python3; do
  command -v "$tool" >/dev/null || unavailable "$tool missing: run deploy/install-deps.sh (ceph-mon ceph-osd radosgw ceph-common)"
done
# A server left by an interrupted run in this directory: stop exactly its recorded PIDs first.
if [ -f "$dir/pids" ]; then
  "$(dirname "$0")/stop-rgw.sh" "$dir"
  mkdir -p "$dir"
fi
rm -rf "$dir"/{mon,osd,rgw,run,log,tls,ceph.conf,monmap,env}
mkdir -p "$dir"/{mon,osd,rgw,run,log,tls}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
mon_port=$(free_port)
http_port=$(free_port)
https_port=$(free_port)
while [ "$https_port" = "$http_port" ] || [ "$mon_port" = "$http_port" ] || [ "$mon_port" = "$https_port" ]; do
  https_port=$(free_port)
done

# Throwaway CA and a leaf for IP 127.0.0.1 only (so "localhost" is a name outside the
# certificate for the host-name check test), made fresh for every start.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=smokerbak throwaway S3 test CA" -keyout "$dir/tls/ca.key" -out "$dir/tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$dir/tls/rgw.key" -out "$dir/tls/rgw.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/tls/ext.cnf"
openssl x509 -req -in "$dir/tls/rgw.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" \
  -CAcreateserial -days 2 -extfile "$dir/tls/ext.cnf" -out "$dir/tls/rgw.pem" 2>/dev/null
fingerprint=$(openssl x509 -in "$dir/tls/rgw.pem" -noout -fingerprint -sha256 | cut -d= -f2)

fsid=$(cat /proc/sys/kernel/random/uuid)
osd_uuid=$(cat /proc/sys/kernel/random/uuid)
if [ "$file_backed" = 1 ]; then
  osd_store="osd_objectstore = bluestore
bluestore_block_path = $dir/osd/block
bluestore_block_size = $osd_bytes
bluestore_block_create = true
bluestore_block_db_create = false
bluestore_block_wal_create = false
bluestore_cache_size = 134217728"
else
  osd_store="osd_objectstore = memstore
memstore_device_bytes = $osd_bytes"
fi
cat > "$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon_host = v1:127.0.0.1:$mon_port
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_msgr2 = false
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
run_dir = $dir/run
log_file = $dir/log/\$name.log
keyring = $dir/keyring
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
[mon]
mon_data = $dir/mon/\$name
# The monitor refuses to start below 5% free disk (mon_data_avail_crit); its data here is a few
# MiB of a throwaway cluster, so a nearly full build disk must not stop the tests.
mon_data_avail_crit = 0
mon_data_avail_warn = 0
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
[osd]
osd_data = $dir/osd/\$name
$osd_store
osd_crush_update_on_start = false
osd_class_update_on_start = false
admin_socket = $dir/run/\$name.asok
[client.rgw.test]
rgw_frontends = beast endpoint=127.0.0.1:$http_port ssl_endpoint=127.0.0.1:$https_port ssl_certificate=$dir/tls/rgw.pem ssl_private_key=$dir/tls/rgw.key
rgw_data = $dir/rgw
rgw_enable_lc_threads = false
# Free deleted objects' data within seconds (default: after 2 h), so the store holds only what
# is still there: memstore keeps it in RAM, and a full OSD blocks every write.
rgw_gc_obj_min_wait = 2
rgw_gc_processor_period = 2
admin_socket = $dir/run/\$name.asok
CONF
conf=$dir/ceph.conf
pids=()
# Whatever goes wrong from here on, stop what was started.
cleanup_on_error() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  echo "start-rgw.sh: attempt $RGW_START_ATTEMPT failed after ${SECONDS}s; logs in $dir/log" >&2
  df -h "$dir" >&2 || true
  tail -n 20 "$dir"/log/*.log "$dir"/log/daemons.out >&2 2>/dev/null || true
  # Gone before a retry reuses the directory (bounded: 3 s, then KILL).
  for _ in $(seq 60); do
    local alive=0 p
    for p in "${pids[@]}"; do  # a zombie (exited, not yet reaped) counts as gone
      [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo Z)" != Z ] && alive=1
    done
    [ "$alive" = 0 ] && return 0
    sleep 0.05
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}
trap cleanup_on_error ERR

# Daemons get no inherited stdio (ctest waits for its pipes to close) and a session of their own.
spawned=""
spawn() {
  setsid "$@" </dev/null >>"$dir/log/daemons.out" 2>&1 &
  spawned=$!
  pids+=("$spawned")
}
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "start-rgw.sh: timed out waiting for $what" >&2
      false
    fi
    for p in "${pids[@]}"; do
      kill -0 "$p" 2>/dev/null || { echo "start-rgw.sh: pid $p died waiting for $what" >&2; false; }
    done
    sleep 0.05
  done
}

monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >/dev/null 2>&1
spawn ceph-mon -c "$conf" -i a -f
mon_pid=$spawned
wait_for 30 "the monitor" timeout 5 ceph -c "$conf" --connect-timeout 5 mon stat

# A monitor command now and then goes out before the CLI has the cluster's fsid and is refused
# ("handle_command on fsid 0000..."); both commands are idempotent, so try again.
retry() {
  local i
  for i in 1 2 3 4 5; do "$@" && return 0; sleep 0.2; done
  return 1
}
osd_id=$(retry ceph -c "$conf" osd new "$osd_uuid" 2>/dev/null)
retry ceph -c "$conf" osd crush add "osd.$osd_id" 1.0 root=default >/dev/null 2>&1
mkdir -p "$dir/osd/osd.$osd_id"
ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
spawn ceph-osd -c "$conf" -i "$osd_id" -f
osd_pid=$spawned
osd_up() { ceph -c "$conf" osd dump 2>/dev/null | grep -q "^osd.$osd_id up"; }
wait_for 60 "osd.$osd_id up" osd_up

spawn radosgw -c "$conf" -n client.rgw.test -f
rgw_pid=$spawned
wait_for 60 "radosgw on port $http_port" python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$http_port/', timeout=2)"

access_key=$(openssl rand -hex 10 | tr a-f A-F)
secret_key=$(openssl rand -base64 30 | tr -d '/+=' | head -c 40)
# Keys travel through radosgw-admin's argv only here, on a throwaway server made for this run.
radosgw-admin -c "$conf" -n client.admin user create --uid=smokerbak-test \
  --display-name="smokerbak test" --access-key="$access_key" --secret-key="$secret_key" >/dev/null 2>&1
trap - ERR

echo "$rgw_pid $osd_pid $mon_pid" > "$dir/pids"
umask 077
cat > "$env_file" <<ENV
S3_ENDPOINT_HTTPS=https://127.0.0.1:$https_port
S3_ENDPOINT_HTTP=http://127.0.0.1:$http_port
S3_CA_FILE=$dir/tls/ca.pem
S3_FINGERPRINT=$fingerprint
S3_ACCESS_KEY=$access_key
S3_SECRET_KEY=$secret_key
S3_REGION=default
S3_PIDS="$rgw_pid $osd_pid $mon_pid"
ENV
echo "radosgw on https://127.0.0.1:$https_port and http://127.0.0.1:$http_port (pids $rgw_pid $osd_pid $mon_pid, ${SECONDS}s); settings in $env_file"
