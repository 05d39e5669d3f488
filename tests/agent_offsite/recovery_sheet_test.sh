#!/usr/bin/env bash
# Runs docs/recovery-offsite.md as written: the agent uploads two backups to the test radosgw,
# then the host is "gone" (state, backups and config deleted) and the sheet's `sh` blocks are
# executed in order with only curl, age, sha256sum and gzip. The bytes they bring back must be
# the newest backup's. Then the newest key is deleted (a delete marker, as an attacker with the
# keys would leave) and section 5 must still bring the same bytes back from its version, and
# show its Object Lock.
#
# Usage: recovery_sheet_test.sh PVE_SMOKERBAK_BINARY SHEET.md S3_FIXTURE_ENV
# Exit 77 (skipped) when the S3 test server or a tool is missing.
set -euo pipefail
binary=${1:?binary} sheet=${2:?sheet} env_file=${3:?s3 fixture env}

skip() { echo "SKIP: $*"; exit 77; }
# The fixture always writes its env file (settings, or S3_UNAVAILABLE when it cannot run here):
# a missing one is a broken build set-up, never a reason to skip.
[ -f "$env_file" ] || { echo "FAIL: no s3_server fixture env file at $env_file" >&2; exit 1; }
# shellcheck disable=SC1090
. "$env_file"
[ -z "${S3_UNAVAILABLE:-}" ] || skip "$S3_UNAVAILABLE"
for tool in curl age age-keygen sha256sum gzip awk; do
  command -v "$tool" >/dev/null || skip "$tool missing"
done

work=$(mktemp -d /tmp/recovery-sheet.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- The host as it was: an identity off the host, a bucket with Object Lock, two backups.
age-keygen -o identity.txt 2>/dev/null
recipient=$(age-keygen -y identity.txt)
umask 077
printf 'user = "%s:%s"\ncacert = "%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" "$S3_CA_FILE" > admin.curlrc
umask 022
signed() {
  curl --fail-with-body --silent --show-error -K ./admin.curlrc \
    --aws-sigv4 "aws:amz:$S3_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
bucket="recovery-sheet-$$-$RANDOM"
signed -X PUT -H "x-amz-bucket-object-lock-enabled: true" "$S3_ENDPOINT_HTTPS/$bucket" >/dev/null
signed -X PUT --data-binary \
  '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>' \
  "$S3_ENDPOINT_HTTPS/$bucket?versioning=" >/dev/null

now=$(date +%s)
add_backup() {  # add_backup ID CTIME BYTES
  local id=$1 ctime=$2 bytes=$3 dir=backups/$1
  mkdir -p "$dir"
  head -c "$bytes" /dev/urandom | gzip -1 > "$dir/app.archive.gz"
  local size sha
  size=$(stat -c %s "$dir/app.archive.gz")
  sha=$(sha256sum "$dir/app.archive.gz" | cut -d' ' -f1)
  cat > "$dir/manifest.json" <<JSON
{"format": "pve-smokerbak-mongo-backup/1", "backup_id": "$id", "run_id": "r", "target": "prod",
 "database": "app", "started_epoch": $ctime, "finished_epoch": $ctime,
 "archive": {"file": "app.archive.gz", "size": $size, "sha256": "$sha"},
 "mongodump_exit": 0, "validation": {"valid": true, "errors": [], "warnings": []}}
JSON
  cp "$dir/app.archive.gz" "original-$id.gz"
}
older=backup-20261201-010002
newer=backup-20261203-010002
add_backup "$older" $((now - 2 * 86400)) 100000
add_backup "$newer" $((now - 600)) 12000000   # > 8 MiB of ciphertext: a multipart upload

umask 077
printf 'access_key_id = %s\nsecret_access_key = %s\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" > s3.credentials
umask 022
mkdir -p state
cat > config.yaml <<YAML
timezone: UTC
state_dir: $work/state
metrics_file: $work/metrics.prom
targets:
  - name: prod
    vmid: 106
    mongo:
      ssh: { host: 127.0.0.1, identity_file: /nonexistent/k, known_hosts: /nonexistent/kh }
      database: app
      backup_dir: $work/backups
offsite:
  destinations:
    - name: rgw
      endpoint: $S3_ENDPOINT_HTTPS
      region: $S3_REGION
      bucket: $bucket
      prefix: pve1/
      credentials_file: $work/s3.credentials
      ca_file: $S3_CA_FILE
      lock: governance
      recipients: [$recipient]
YAML
env -u CREDENTIALS_DIRECTORY "$binary" -c config.yaml run --tier offsite > agent.log 2>&1 ||
  { cat agent.log; fail "the agent's off-site run failed"; }
grep -q "uploaded 2 backups" agent.log || { cat agent.log; fail "the agent did not upload both"; }

# --- The host is gone: nothing of the agent is left, only the identity and read credentials.
rm -rf state backups config.yaml s3.credentials metrics.prom
mkdir recovery
mv identity.txt recovery/
cd recovery
cat > recovery.env <<ENV
ENDPOINT=$S3_ENDPOINT_HTTPS
REGION=$S3_REGION
BUCKET=$bucket
PREFIX=pve1/
TARGET=prod
TIER=mongo
IDENTITY=$work/recovery/identity.txt
ENV
umask 077
printf 'user = "%s:%s"\ncacert = "%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" "$S3_CA_FILE" > s3.curlrc
umask 022

# The sheet's `sh` blocks of the given sections ("## N." headings), in order.
blocks() {
  awk -v want=" $* " '
    /^## [0-9]+\./ { n = $2; sub(/\./, "", n); on = index(want, " " n " ") > 0 }
    /^```sh$/ { if (on) keep = 1; next }
    /^```/ { keep = 0; next }
    keep { print }
  ' "$sheet"
}
blocks 1 2 3 4 > steps-1-4.sh
[ "$(grep -c . steps-1-4.sh)" -gt 20 ] || fail "found too few commands in $sheet"
bash steps-1-4.sh > steps-1-4.out 2>&1 || { cat steps-1-4.out; fail "the sheet's steps 1-4 failed"; }
cat steps-1-4.out
expected_file=$newer.app.archive.gz
[ -f "$expected_file" ] || fail "steps 1-4 did not leave $expected_file"
cmp "$expected_file" "../original-$newer.gz" || fail "steps 1-4 brought back other bytes"
grep -q "$expected_file: OK" steps-1-4.out || fail "sha256sum --check did not say OK"
[ ! -e copy.age ] || fail "copy.age left"
rm "$expected_file"

# --- An attacker deletes the newest copy (a plain delete: a delete marker hides it).
newest_key=$(grep '^newest copy: ' steps-1-4.out | cut -d' ' -f3)
[ -n "$newest_key" ] || fail "no 'newest copy:' line"
cd ..
signed -X DELETE "$S3_ENDPOINT_HTTPS/$bucket/$newest_key" >/dev/null
cd recovery
blocks 1 2 > listing.sh
bash listing.sh > listing.out 2>&1 || { cat listing.out; fail "listing after the delete failed"; }
grep -q "^newest copy: .*$older" listing.out || { cat listing.out; fail "the deleted key is still listed"; }
blocks 1 5 > steps-5.sh
bash steps-5.sh > steps-5.out 2>&1 || { cat steps-5.out; fail "the sheet's step 5 failed"; }
cat steps-5.out
cmp "$expected_file" "../original-$newer.gz" || fail "step 5 brought back other bytes"
grep -q "<Mode>GOVERNANCE</Mode>" steps-5.out || fail "step 5 did not show the Object Lock"

# Cleanup: the throwaway server goes with the fixture; remove what is not locked.
echo "PASS: the recovery sheet brought back $newer from $bucket (also after a delete marker)"
