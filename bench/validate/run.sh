#!/bin/bash
# Validation benchmark (issue 4): the agent's archive validator (gzip + archive grammar + every
# BSON document + CRC-64) versus `igzip -t` (ISA-L inflate only) on the same mongodump
# `--archive --gzip` file of realistic BSON, measured side by side in one run. Target: ratio
# >= 0.6. Not a test; prints figures.
#
#   bench/validate/run.sh BUILD_DIR [BYTES] [WORKDIR]
# BYTES defaults to 1 GiB of BSON; the archive is generated once by the stand-in mongodump
# (deterministic) and reused while its size matches.
# Measured 2026-11-26, 2 cores, load 4-8 (other builds): 335 MB inflated, best of 3: igzip -t
# 0.292 s, validator 0.374 s, ratio 0.78 (was 0.35 with libbson's bson_validate per document).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [BYTES] [WORKDIR]}
bytes=${2:-1073741824}
work=${3:-${TMPDIR:-/tmp}/smokerbak-bench-validate}
bin="$build/tests/fake_mongo/bin"
cmake --build "$build" --target fake_mongodump mongo_validate_file >/dev/null
command -v igzip >/dev/null || { echo "igzip (Debian package isal) is required" >&2; exit 2; }
mkdir -p "$work"
archive="$work/dump-$bytes.archive.gz"
if [[ ! -s $archive ]]; then
  printf 'db=smoker\nbytes=%s\n' "$bytes" >"$work/config"
  echo "generating $archive ..."
  FAKE_MONGO_DIR="$work" "$bin/mongodump" --archive="$archive" --gzip --db=smoker 2>/dev/null
fi
cat "$archive" >/dev/null  # page cache
plain=$(igzip -dc "$archive" | wc -c)
echo "file: $(stat -c %s "$archive") bytes compressed, $plain bytes inflated"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
best_igzip=999999; best_val=999999
for i in 1 2 3; do
  t0=$(date +%s.%N); igzip -t "$archive"; t1=$(date +%s.%N)
  ig=$(echo "$t1 - $t0" | bc -l)
  t0=$(date +%s.%N); "$bin/mongo-validate-file" "$archive" >"$work/verdict.txt"; t1=$(date +%s.%N)
  va=$(echo "$t1 - $t0" | bc -l)
  printf 'round %d: igzip -t %.3f s (%.0f MB/s)   validator %.3f s (%.0f MB/s)   ratio %.2f\n' \
    "$i" "$ig" "$(echo "$plain / $ig / 1000000" | bc -l)" "$va" \
    "$(echo "$plain / $va / 1000000" | bc -l)" "$(echo "$ig / $va" | bc -l)"
  best_igzip=$(echo "if ($ig < $best_igzip) $ig else $best_igzip" | bc -l)
  best_val=$(echo "if ($va < $best_val) $va else $best_val" | bc -l)
done
cat "$work/verdict.txt" | head -3
printf 'best: igzip -t %.3f s, validator %.3f s, speed ratio validator/igzip = %.2f (target >= 0.60)\n' \
  "$best_igzip" "$best_val" "$(echo "$best_igzip / $best_val" | bc -l)"
