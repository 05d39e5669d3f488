#!/usr/bin/env bash
# Off-site fetch benchmark: `pve-smokerbak offsite fetch` of a vzdump archive (download from
# radosgw over HTTPS, age decrypt, SHA-256, full tar.zst verification, rename into place)
# against the same steps done by stock tools: `curl` download, then `age -d` (and `age -d`
# alone, on the downloaded file). Needs root, the ceph packages and `age`.
# Usage: bench/offsite/fetch.sh [build-dir] [MiB, default 512] [rounds, default 2]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mib=${2:-512}
rounds=${3:-2}
cmake --build "$build" --target pve-smokerbak -j2 >/dev/null
bin=$build/agent/pve-smokerbak
work=$(mktemp -d /tmp/smokerbak-fetch-bench.XXXXXX)
server=$work/server
cleanup() {
  "$root/tests/s3_fixture/stop-rgw.sh" "$server" || true
  rm -rf "$work"
}
trap cleanup EXIT
"$root/tests/s3_fixture/start-rgw.sh" "$server" --file-backed --osd-bytes $(((mib * 4 + 4096) << 20)) >/dev/null
# shellcheck disable=SC1091
. "$server/env"
umask 077
mkdir -p "$work"/{dump,state,src}
# A vzdump-shaped archive: a tar of random data, zstd -1 (verifiable by the agent).
head -c "$((mib << 20))" /dev/urandom > "$work/src/rootfs.img"
name=vzdump-lxc-106-2026_01_01-01_00_00.tar.zst
tar -C "$work/src" -cf - rootfs.img | zstd -1 -q -o "$work/dump/$name"
rm "$work/src/rootfs.img"
size=$(stat -c %s "$work/dump/$name")
sha=$(sha256sum "$work/dump/$name" | cut -d' ' -f1)
mkdir -p "$work/state/prod/vzdump"
cat > "$work/state/prod/vzdump/local_backup_$name.json" <<JSON
{"format": 1, "tier": "vzdump", "target": "prod", "vmid": 106, "node": "pve1",
 "storage": "local", "volid": "local:backup/$name", "path": "$work/dump/$name",
 "run_id": "20260101T010000Z", "ctime": 1767229200, "size": $size, "sha256": "$sha",
 "verdict": "verified", "problem": "", "compression": "zstd", "tar_entries": 1,
 "tar_bytes": $((mib << 20)), "checked_at": "2026-01-01T01:05:00Z", "task_exitstatus": "OK",
 "notes_rest": "", "verify_state": "verified"}
JSON
age-keygen -o "$work/identity.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/identity.txt")
printf 'access_key_id = %s\nsecret_access_key = %s\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" > "$work/s3.credentials"
echo 00000000-0000-0000-0000-000000000000 > "$work/token"
printf 'user = "%s:%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" > "$work/curl.cfg"
bucket=fetch-bench-$$
curl_s3=(curl -sS -f -K "$work/curl.cfg" --cacert "$S3_CA_FILE" --aws-sigv4 "aws:amz:$S3_REGION:s3"
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
"${curl_s3[@]}" -X PUT -o /dev/null "$S3_ENDPOINT_HTTPS/$bucket"
cat > "$work/config.yaml" <<YAML
timezone: UTC
state_dir: $work/state
metrics_file: $work/metrics.prom
proxmox:
  api_url: https://127.0.0.1:9
  token_id: "smokerbak@pve!agent"
  token_secret_file: $work/token
targets:
  - name: prod
    vmid: 106
    vzdump: {}
offsite:
  destinations:
    - name: rgw
      endpoint: $S3_ENDPOINT_HTTPS
      region: $S3_REGION
      bucket: $bucket
      prefix: pve1/
      credentials_file: $work/s3.credentials
      ca_file: $S3_CA_FILE
      lock: off
      recipients: [$recipient]
YAML
# Upload through the tier (the Proxmox API is absent: the notes update only warns).
"$bin" -c "$work/config.yaml" run --tier offsite >"$work/run.out" 2>&1 || [ $? = 3 ] ||
  { cat "$work/run.out"; exit 1; }
key=pve1/prod/vzdump/20260101T010000Z/$name.age
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%FT%TZ); other builders may be running (see load)"
echo "archive: $mib MiB of random data in a tar.zst ($size bytes); radosgw on a file-backed OSD, HTTPS"
printf '%-5s %-28s %8s %8s %8s %s\n' round tool seconds MiB/s cpu_s load_before
timed() {  # timed LABEL COMMAND...: one line of the table
  local label=$1 load start end secs cpu
  shift
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b - a}')
  cpu=$(awk '{printf "%.2f", $1 + $2}' "$work/time")
  printf '%-5s %-28s %8.2f %8.1f %8s %s\n' "$r" "$label" "$secs" \
    "$(awk -v s="$size" -v t="$secs" 'BEGIN{printf "%.1f", s / 1048576 / t}')" "$cpu" "$load"
}
for r in $(seq "$rounds"); do
  rm -rf "$work/out" && mkdir -p "$work/out"
  timed "offsite fetch (all steps)" "$bin" -c "$work/config.yaml" offsite fetch "local:backup/$name" \
    --identity "$work/identity.txt" --to "$work/out"
  cmp -s "$work/out/$name" "$work/dump/$name" || { echo "fetched archive differs"; exit 1; }
  rm -rf "$work/out" && mkdir -p "$work/out"
  timed "curl download" "${curl_s3[@]}" -o "$work/out/$name.age" "$S3_ENDPOINT_HTTPS/$bucket/$key"
  timed "age -d alone" age -d -i "$work/identity.txt" -o "$work/out/$name" "$work/out/$name.age"
  cmp -s "$work/out/$name" "$work/dump/$name" || { echo "age -d output differs"; exit 1; }
done
