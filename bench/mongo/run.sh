#!/usr/bin/env bash
# Mongo tier transfer and end-to-end benchmark (figures, not a pass/fail test).
# Everything runs side by side in one go on loopback against one throwaway sshd, cipher
# aes128-gcm@openssh.com for every client:
#   openssh     ssh HOST cat DUMP > /dev/null                        (the issue's reference)
#   openssh-same  ssh HOST cat DUMP | tee FILE | openssl dgst -sha256; sync FILE (OpenSSH doing the same
#               work as our transfer: disk + SHA-256 (same OpenSSL, SHA-NI) + fsync; a fairness
#               reference. coreutils sha256sum would be unfair: no SHA-NI, ~365 MB/s)
#   validate    read the stored dump once: validation + SHA-256
#   transfer/V  libssh exec -> disk + SHA-256 with receiver variant V  (target >= 0.8x openssh)
#   e2e/V       the same + full validation, overlapped                 (target <= 1.25x the
#               slower of openssh and validate; peak RSS <= 64 MiB)
# Variants (tests/agent_mongo/mongo_bench.cpp): "pipeline" is the agent's DumpPipeline; the
# others are alternatives kept for comparison. Each round runs every contender once, in order.
# Usage: bench/mongo/run.sh [BSON_BYTES]   (default 3 GiB of BSON, about 785 MB gzipped)
# Env: BUILD_DIR (default build-bench), WORK (scratch dir, default /tmp/smokerbak-bench),
#      ROUNDS (default 3), VARIANTS (default below),
#      BEFORE_BENCH (a mongo_bench binary of another build: its "pipeline" also runs, as
#      "before", for a before/after comparison of a change in one run).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bytes=${1:-3221225472}
build=${BUILD_DIR:-$root/build-bench}
work=${WORK:-/tmp/smokerbak-bench}
rounds=${ROUNDS:-3}
variants=${VARIANTS:-"pipeline threaded inline-chunk inline-packet inline-chunk-wb8 inline-packet-wb8"}
if [ -n "${BEFORE_BENCH:-}" ]; then variants="before $variants"; fi
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

ssh_cmd=(ssh -q -p "$SSHD_PORT" -i "$SSHD_IDENTITY" -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS"
  -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes
  -c aes128-gcm@openssh.com "$SSHD_USER@127.0.0.1")

now() { date +%s.%N; }
# OpenSSH receiving into /dev/null. Prints "seconds client_cpu_seconds".
ssh_ref() {
  local t0 t1 cpu
  t0=$(now)
  cpu=$( { TIMEFORMAT='%U %S'; time "${ssh_cmd[@]}" cat "$dump" >/dev/null; } 2>&1 )
  t1=$(now)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$cpu" | awk '{print $1 + $2}')"
}
# OpenSSH doing what our transfer does: file + SHA-256 + fsync of the file.
ssh_same() {
  local t0 sum
  t0=$(now)
  sum=$("${ssh_cmd[@]}" cat "$dump" | tee "$work/out.gz" | openssl dgst -sha256 -r)
  sync "$work/out.gz"
  echo "$(now) - $t0" | bc -l
  rm -f "$work/out.gz"
  [ "${sum%% *}" = "$expected_sha" ] || { echo "openssh-same: SHA-256 mismatch" >&2; exit 1; }
}

cat "$dump" >/dev/null  # warm the page cache for every contender alike
expected_sha=$(sha256sum "$dump" | cut -d' ' -f1)
results=$work/results.txt
: > "$results"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), dump $size bytes"
for round in $(seq "$rounds"); do
  read -r ref ref_cpu < <(ssh_ref)
  same=$(ssh_same)
  read -r _ va _ _ va_cpu _ < <("$bench" validate "$dump")
  slower=$(echo "if ($ref > $va) $ref else $va" | bc -l)
  printf 'round %d (load %s): openssh %.2fs (%.0f MB/s, client cpu %.2fs) | openssh-same %.2fs | validate %.2fs (cpu %.2fs)\n' \
    "$round" "$(cut -d' ' -f1 /proc/loadavg)" "$ref" "$(echo "$size/$ref/1000000" | bc -l)" \
    "$ref_cpu" "$same" "$va" "$va_cpu"
  echo "openssh $ref 0 $ref_cpu" >> "$results"
  echo "openssh-same $same 0 0" >> "$results"
  echo "validate $va 0 $va_cpu" >> "$results"
  for v in $variants; do
    exe=$bench
    if [ "$v" = before ]; then exe=$BEFORE_BENCH; fi
    for mode in transfer e2e; do
      read -r name t _ rss cpu sha < <("$exe" "$mode" "${v/#before/pipeline}" 127.0.0.1 "$SSHD_PORT" "$SSHD_USER" \
        "$SSHD_IDENTITY" "$SSHD_KNOWN_HOSTS" "$dump" "$work/out.gz")
      # An older mongo_bench (BEFORE_BENCH) prints no cpu field.
      if [ -z "$sha" ]; then sha=$cpu; cpu=0; fi
      rm -f "$work/out.gz"
      [ "$v" = discard ] || [ "$sha" = "$expected_sha" ] || { echo "$name: SHA-256 mismatch" >&2; exit 1; }
      name=$mode/$v
      if [ "$mode" = transfer ]; then
        ratio=$(echo "$ref/$t" | bc -l)
        printf '  %-28s %.2fs (%.0f MB/s, %.2fx openssh, %.2fx openssh-same) rss %d KiB, cpu %.2fs\n' \
          "$name" "$t" "$(echo "$size/$t/1000000" | bc -l)" "$ratio" "$(echo "$same/$t" | bc -l)" \
          "$rss" "$cpu"
      else
        printf '  %-28s %.2fs (%.2fx slower reference) rss %d KiB, cpu %.2fs\n' "$name" "$t" \
          "$(echo "$t/$slower" | bc -l)" "$rss" "$cpu"
      fi
      echo "$name $t $rss $cpu" >> "$results"
    done
  done
done

# Medians over the rounds: ratios of medians, so one noisy round does not decide.
median() { grep "^$1 " "$results" | awk -v f="${2:-2}" '{print $f}' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
maxrss() { grep "^$1 " "$results" | awk '{print $3}' | sort -n | tail -1; }
ref=$(median openssh)
same=$(median openssh-same)
va=$(median validate)
slower=$(echo "if ($ref > $va) $ref else $va" | bc -l)
echo
printf 'medians of %d rounds: openssh %.2fs (client cpu %.2fs), openssh-same %.2fs, validate %.2fs (cpu %.2fs)\n' \
  "$rounds" "$ref" "$(median openssh 4)" "$same" "$va" "$(median validate 4)"
printf '| variant | transfer | vs openssh | vs openssh-same | cpu | e2e | vs slower ref | cpu | peak RSS e2e |\n|---|---|---|---|---|---|---|---|---|\n'
for v in $variants; do
  t=$(median "transfer/$v")
  e=$(median "e2e/$v")
  printf '| %s | %.2f s | %.2fx | %.2fx | %.2f s | %.2f s | %.2fx | %.2f s | %.1f MiB |\n' "$v" "$t" \
    "$(echo "$ref/$t" | bc -l)" "$(echo "$same/$t" | bc -l)" "$(median "transfer/$v" 4)" "$e" \
    "$(echo "$e/$slower" | bc -l)" "$(median "e2e/$v" 4)" "$(echo "$(maxrss "e2e/$v")/1024" | bc -l)"
done
echo "cpu: user + system seconds of the receiving process (all threads); sshd and cat come on top"
echo "targets: transfer >= 0.80x openssh; e2e <= 1.25x slower reference; e2e rss <= 64 MiB"
