#!/usr/bin/env bash
# Mongo tier transfer and end-to-end benchmark (figures, not a pass/fail test).
# Everything runs side by side in one go on loopback against one throwaway sshd:
#   1. OpenSSH reference:  ssh -c aes128-gcm@openssh.com HOST cat DUMP > /dev/null
#   2. transfer:           libssh exec -> disk + SHA-256            (target >= 0.8x of 1)
#   3. validation alone:   read the stored dump once, validate + SHA-256
#   4. end to end:         libssh -> disk + SHA-256 + validation, overlapped
#                          (target <= 1.25x the slower of 1 and 3; peak RSS <= 64 MiB)
# Usage: bench/mongo/run.sh [BSON_BYTES]   (default 3 GiB of BSON, about 1.1 GiB gzipped)
# Env: BUILD_DIR (default build-bench), WORK (scratch dir, default /tmp/smokerbak-bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bytes=${1:-3221225472}
build=${BUILD_DIR:-$root/build-bench}
work=${WORK:-/tmp/smokerbak-bench}
mkdir -p "$work"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target mongo_bench fake_mongodump -j2 >/dev/null
bench=$build/tests/agent_mongo/mongo_bench
fakebin=$build/tests/fake_mongo/bin

dump=$work/dump.archive.gz
if [ ! -s "$dump" ] || [ "$(cat "$work/dump.bytes" 2>/dev/null)" != "$bytes" ]; then
  echo "generating a dump of ~$bytes BSON bytes with the stand-in mongodump ..."
  mkdir -p "$work/fake"
  printf 'bytes=%s\n' "$bytes" > "$work/fake/config"
  FAKE_MONGO_DIR=$work/fake "$fakebin/mongodump" --archive --gzip --db=smoker >"$dump" 2>"$work/gen.log"
  echo "$bytes" > "$work/dump.bytes"
fi
size=$(stat -c %s "$dump")

"$root/tests/sshd_fixture/start-sshd.sh" "$work/sshd" >/dev/null
# shellcheck disable=SC1091
. "$work/sshd/env"
trap 'kill "$SSHD_PID" 2>/dev/null || true; rm -f "$work/out.gz"' EXIT

ssh_ref() {
  local t0 t1
  t0=$(date +%s.%N)
  ssh -q -p "$SSHD_PORT" -i "$SSHD_IDENTITY" -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" \
    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes \
    -c aes128-gcm@openssh.com "$SSHD_USER@127.0.0.1" cat "$dump" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

cat "$dump" >/dev/null  # warm the page cache for every contender alike
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), dump $size bytes"
for round in 1 2 3; do
  ref=$(ssh_ref)
  read -r _ tr _ tr_rss _ < <("$bench" transfer 127.0.0.1 "$SSHD_PORT" "$SSHD_USER" "$SSHD_IDENTITY" "$SSHD_KNOWN_HOSTS" "$dump" "$work/out.gz")
  rm -f "$work/out.gz"
  read -r _ va _ va_rss _ < <("$bench" validate "$dump")
  read -r _ e2e _ e2e_rss _ < <("$bench" e2e 127.0.0.1 "$SSHD_PORT" "$SSHD_USER" "$SSHD_IDENTITY" "$SSHD_KNOWN_HOSTS" "$dump" "$work/out.gz")
  rm -f "$work/out.gz"
  slower=$(echo "if ($ref > $va) $ref else $va" | bc -l)
  printf 'round %d: openssh %.2fs (%.0f MB/s) | transfer %.2fs (%.0f MB/s, %.2fx openssh speed, rss %d KiB) | validate %.2fs | e2e %.2fs (%.2fx slower ref, rss %d KiB)\n' \
    "$round" "$ref" "$(echo "$size/$ref/1000000" | bc -l)" "$tr" "$(echo "$size/$tr/1000000" | bc -l)" \
    "$(echo "$ref/$tr" | bc -l)" "$tr_rss" "$va" "$e2e" "$(echo "$e2e/$slower" | bc -l)" "$e2e_rss"
done
echo "targets: transfer >= 0.80x openssh speed; e2e <= 1.25x slower reference; e2e rss <= 65536 KiB"
