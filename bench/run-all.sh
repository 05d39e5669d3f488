#!/usr/bin/env bash
# Every performance figure of the project side by side, in one run (figures, not a pass/fail
# test; see bench/RESULTS.md). Builds Release in its own build folder, generates its inputs once
# (kept in WORK while their size matches), then runs each contender and its reference
# interleaved for N rounds, with the load average at each round's start, and prints one table
# (median, min, max, ratio to the reference, peak RSS from /usr/bin/time -v) and writes JSON.
#
#   figure           ours                                    reference
#   dump-transfer    mongo_bench transfer pipeline           ssh HOST cat DUMP >/dev/null
#                    (libssh -> disk + SHA-256 + fsync)      (OpenSSH, aes128-gcm both sides)
#                    and libssh-discard (libssh, no work: the ceiling of our SSH client)
#   dump-e2e         mongo_bench e2e pipeline (transfer +    the slower of dump-transfer's
#                    full validation, overlapped)            reference and validation, per round
#   validation       mongo-validate-file (inflate, framing,  igzip -t
#                    every BSON document, CRC-64)
#   vzdump-verify    vzdump_bench verify (zstd, tar walk,    zstd -t
#                    SHA-256 of the file)
#   retention-100k   marking 100,000 / 1,000,000 backups     -
#   retention-1M     with all six keep-* rules (UTC)
#   status-10k       pve-smokerbak status / list, 10,000     -
#   list-10k         backups per tier (pve-sim storage with
#                    notes; mongo backup dirs with manifests)
#   vzdump-requests  HTTP requests per steady-state nightly vzdump run (beyond task polling)
#   offsite-upload   encrypted upload vs curl -T: not driven here yet (bench/offsite/run.sh)
#
# Usage: bench/run-all.sh [--smoke] [--rounds N] [--only FIG,FIG...] [--out FILE]
#   --smoke   small inputs, one round, a couple of minutes at most (.ci/run calls it so the
#             benchmark cannot rot); writes WORK/results-smoke.json unless --out is given
# Env: BUILD_DIR (default build-bench, configured Release; an existing one is used as it is
#      configured), WORK (inputs and scratch, default
#      /tmp/smokerbak-bench-all), DUMP_BSON_BYTES (default 4.5 GiB of BSON, ~1.1 GB gzipped),
#      TAR_MIB (default 2048: a ~1.1 GiB .tar.zst), BACKUPS (default 10000),
#      BEFORE_DIR (a folder with mongo_bench, mongo-validate-file and vzdump_bench of another
#      build: they run as contender "before" in the same rounds, for a before/after table),
#      TRANSFER_VARIANTS (more mongo_bench receivers for dump-transfer, default "discard";
#      see tests/agent_mongo/mongo_bench.cpp, e.g. "discard threaded").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
smoke=0
rounds=3
only=""
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1 ;;
    --rounds) rounds=$2; shift ;;
    --only) only=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench/run-all.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
build=${BUILD_DIR:-$root/build-bench}
work=${WORK:-/tmp/smokerbak-bench-all}
if [ "$smoke" = 1 ]; then
  rounds=1
  bson=${DUMP_BSON_BYTES:-67108864}
  tar_mib=${TAR_MIB:-64}
  backups=${BACKUPS:-1000}
  out=${out:-$work/results-smoke.json}
  work=$work/smoke
else
  bson=${DUMP_BSON_BYTES:-4831838208}
  tar_mib=${TAR_MIB:-2048}
  backups=${BACKUPS:-10000}
  out=${out:-$root/bench/results.json}
fi
for tool in igzip zstd ssh /usr/sbin/sshd python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/run-all.sh: $tool is missing (deploy/install-deps.sh)" >&2; exit 2; }
done
before=${BEFORE_DIR:-}
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
mkdir -p "$work"
chmod 700 "$work"
raw=$work/raw.tsv
: >"$raw"

# Its own Release build folder by default; an existing BUILD_DIR keeps its configuration (CI's
# smoke run reuses the test build instead of compiling everything again).
if [ -n "${BUILD_DIR:-}" ] && [ -f "$build/CMakeCache.txt" ]; then
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
else
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  build_type=Release
fi
echo "== build (${build_type:-default}, $build)"
cmake --build "$build" -j2 --target mongo_bench fake_mongodump mongo_validate_file vzdump_bench \
  retention_bench pve-smokerbak pve-sim >/dev/null
bin=$build/agent/pve-smokerbak
fakebin=$build/tests/fake_mongo/bin
mongo_bench=$build/tests/agent_mongo/mongo_bench
vzdump_bench=$build/tests/agent_vzdump/vzdump_bench

echo "== inputs ($work)"
dump=$work/dump.archive.gz
if [ ! -s "$dump" ] || [ "$(cat "$work/dump.bytes" 2>/dev/null)" != "$bson" ]; then
  echo "generating a mongodump --archive --gzip of $bson BSON bytes (stand-in mongodump) ..."
  mkdir -p "$work/fake"
  printf 'db=smoker\nbytes=%s\n' "$bson" >"$work/fake/config"
  FAKE_MONGO_DIR=$work/fake "$fakebin/mongodump" --archive --gzip --db=smoker >"$dump" 2>"$work/gen.log"
  echo "$bson" >"$work/dump.bytes"
fi
archive=$work/big.tar.zst
# Only when its figure runs (a scaling run of the dump figures alone needs no .tar.zst).
if ! want vzdump-verify; then
  archive=/dev/null
elif [ ! -s "$archive" ] || [ "$(cat "$work/tar.mib" 2>/dev/null)" != "$tar_mib" ]; then
  echo "generating a .tar.zst of $tar_mib MiB of tar ..."
  "$vzdump_bench" make-archive "$archive" "$tar_mib"
  echo "$tar_mib" >"$work/tar.mib"
fi
dump_bytes=$(stat -c %s "$dump")
dump_plain=$(cat "$work/dump.plain" 2>/dev/null || true)
if [ "$(cat "$work/dump.plain.for" 2>/dev/null)" != "$bson" ] || [ -z "$dump_plain" ]; then
  dump_plain=$(igzip -dc "$dump" | wc -c)
  echo "$dump_plain" >"$work/dump.plain"
  echo "$bson" >"$work/dump.plain.for"
fi
tar_bytes=$((tar_mib * 1048576))
archive_bytes=$(stat -c %s "$archive" 2>/dev/null || echo 0)
echo "dump: $dump_bytes bytes gzipped ($dump_plain inflated); archive: $archive_bytes bytes ($tar_bytes of tar)"

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -f "$work/out.gz"
}
trap cleanup EXIT
"$root/tests/sshd_fixture/start-sshd.sh" "$work/sshd" "$fakebin" >/dev/null
pids+=("$(cat "$work/sshd/sshd.pid")")
# shellcheck disable=SC1091
. "$work/sshd/env"
ssh_cmd=(ssh -q -p "$SSHD_PORT" -i "$SSHD_IDENTITY" -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS"
  -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes
  -c aes128-gcm@openssh.com "$SSHD_USER@127.0.0.1")

if want status-10k || want list-10k; then
  "$root/bench/seed-listing.sh" "$work/listing" "$build" "$backups" "$SSHD_PORT" "$SSHD_USER" \
    "$SSHD_IDENTITY" "$SSHD_KNOWN_HOSTS" >"$work/listing.log" 2>&1 ||
    { cat "$work/listing.log" >&2; exit 1; }
  pids+=("$(cat "$work/listing/sim.pid")")
fi

# measure ROUND FIGURE CONTENDER BYTES CMD...: one timed run (wall clock around it, peak RSS and
# user + system CPU seconds of the command from /usr/bin/time -v); stdout of CMD goes to
# $work/last.out.
load=0
measure() {
  local round=$1 figure=$2 contender=$3 bytes=$4
  shift 4
  local t0 t1 rss
  t0=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/last.out" 2>"$work/last.err"; then
    echo "FAILED: $figure/$contender: $*" >&2
    cat "$work/last.err" >&2
    exit 1
  fi
  t1=$(date +%s.%N)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$work/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$figure" "$contender" \
    "$(echo "$t1 - $t0" | bc -l)" "$rss" "$load" "$bytes" "$cpu" >>"$raw"
}
# record ROUND FIGURE CONTENDER SECONDS BYTES: a figure timed by the program itself.
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${6:-0}" "$load" "$5" >>"$raw"
}
sha_of_transfer() { awk '{print $6}' "$work/last.out"; }

cat "$dump" "$archive" >/dev/null  # page cache, for every contender alike
expected_sha=$(sha256sum "$dump" | cut -d' ' -f1)
ret_json() {  # ret_json N: seconds per marking of N backups from the google-benchmark JSON
  python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["benchmarks"][0]; print(b["real_time"] / {"ms":1e3,"us":1e6,"ns":1e9,"s":1}[b["time_unit"]])' "$work/last.out"
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $rounds round(s)"
for round in $(seq "$rounds"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "round $round (load $load)"
  printf '%s\tload\t-\t%s\t0\t%s\t0\n' "$round" "$load" "$load" >>"$raw"
  if want dump-transfer || want dump-e2e; then
    measure "$round" dump-transfer openssh "$dump_bytes" "${ssh_cmd[@]}" cat "$dump"
    for v in pipeline ${before:+before} ${TRANSFER_VARIANTS-discard}; do
      exe=$mongo_bench name=ours variant=$v
      case $v in
        before) exe=$before/mongo_bench name=before variant=pipeline ;;
        discard) name=libssh-discard ;;
        pipeline) ;;
        *) name=variant-$v ;;
      esac
      measure "$round" dump-transfer "$name" "$dump_bytes" "$exe" transfer "$variant" 127.0.0.1 \
        "$SSHD_PORT" "$SSHD_USER" "$SSHD_IDENTITY" "$SSHD_KNOWN_HOSTS" "$dump" "$work/out.gz"
      rm -f "$work/out.gz"
      [ "$v" = discard ] || [ "$(sha_of_transfer)" = "$expected_sha" ] ||
        { echo "dump-transfer/$name: SHA-256 mismatch" >&2; exit 1; }
    done
  fi
  if want validation || want dump-e2e; then
    measure "$round" validation igzip-t "$dump_plain" igzip -t "$dump"
    measure "$round" validation ours "$dump_plain" "$fakebin/mongo-validate-file" "$dump"
    [ -z "$before" ] || measure "$round" validation before "$dump_plain" "$before/mongo-validate-file" "$dump"
  fi
  if want dump-e2e; then
    measure "$round" dump-e2e ours "$dump_bytes" "$mongo_bench" e2e pipeline 127.0.0.1 \
      "$SSHD_PORT" "$SSHD_USER" "$SSHD_IDENTITY" "$SSHD_KNOWN_HOSTS" "$dump" "$work/out.gz"
    rm -f "$work/out.gz"
    [ "$(sha_of_transfer)" = "$expected_sha" ] || { echo "dump-e2e: SHA-256 mismatch" >&2; exit 1; }
    if [ -n "$before" ]; then
      measure "$round" dump-e2e before "$dump_bytes" "$before/mongo_bench" e2e pipeline 127.0.0.1 \
        "$SSHD_PORT" "$SSHD_USER" "$SSHD_IDENTITY" "$SSHD_KNOWN_HOSTS" "$dump" "$work/out.gz"
      rm -f "$work/out.gz"
    fi
  fi
  if want vzdump-verify; then
    measure "$round" vzdump-verify zstd-t "$tar_bytes" zstd -q -t "$archive"
    measure "$round" vzdump-verify ours "$tar_bytes" "$vzdump_bench" verify "$archive"
    [ -z "$before" ] || measure "$round" vzdump-verify before "$tar_bytes" "$before/vzdump_bench" verify "$archive"
  fi
  for n in 100k 1M; do
    want "retention-$n" || continue
    [ "$smoke" = 1 ] && [ $n = 1M ] && continue
    count=$([ $n = 100k ] && echo 100000 || echo 1000000)
    measure "$round" "retention-$n" ours 0 "$build/tests/agent_retention/retention_bench" \
      "--benchmark_filter=BM_MarkAllRulesUtc/$count\$" --benchmark_format=json
    # The table shows the time per marking (google benchmark's), not the process's run time.
    sed -i '$d' "$raw"
    record "$round" "retention-$n" ours "$(ret_json)" 0 \
      "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
  done
  for cmd in status list; do
    want "$cmd-10k" || continue
    measure "$round" "$cmd-10k" ours 0 env PVE_SMOKERBAK_CONFIG="$work/listing/config.yaml" \
      PVE_SMOKERBAK_NOW="$(cat "$work/listing/now")" "$bin" "$cmd"
  done
done
if want vzdump-requests; then
  "$vzdump_bench" requests "$([ "$smoke" = 1 ] && echo 2 || echo 5)" >"$work/requests.out"
  read -r _ beyond polling < <(grep '^requests-per-run ' "$work/requests.out")
  printf '1\tvzdump-requests\tbeyond-polling\t%s\t0\t%s\t0\n1\tvzdump-requests\ttask-polling\t%s\t0\t%s\t0\n' \
    "$beyond" "$load" "$polling" "$load" >>"$raw"
fi
if want offsite-upload && [ -d "$root/bench/offsite" ]; then
  echo "offsite-upload: bench/offsite exists but run-all.sh does not drive it yet" >&2
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$root/bench/summarize.py" "$raw" "$out" --backups "$backups" --rounds "$rounds" \
  --smoke "$smoke" --dump-bytes "$dump_bytes" --archive-bytes "$archive_bytes"
