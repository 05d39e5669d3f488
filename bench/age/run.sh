#!/usr/bin/env bash
# age format benchmark (figures, not a pass/fail test): our library's streaming encryption and
# decryption (bench/age/age_tool.cpp, stdin to stdout like the age tool) against Debian's
# `age -e` / `age -d` on the same 1 GiB of random data, interleaved in each round, with the
# load average recorded before every measurement. Encryption writes to /dev/null (CPU cost of
# the format, not the disk); decryption reads the same age-made file, writes to /dev/null.
# Usage: bench/age/run.sh [MiB]   (default 1024)
# Env: BUILD_DIR (default build-bench), WORK (default /tmp/smokerbak-age-bench), ROUNDS (3).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mib=${1:-1024}
build=${BUILD_DIR:-$root/build-bench}
work=${WORK:-/tmp/smokerbak-age-bench}
rounds=${ROUNDS:-3}
command -v age >/dev/null || { echo "bench/age: install the Debian package age" >&2; exit 2; }
mkdir -p "$work"
chmod 700 "$work"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target age_tool -j2 >/dev/null
tool=$build/tests/age/age_tool

plain=$work/plain-$mib
if [ ! -s "$plain" ]; then
  echo "generating $mib MiB of random data ..."
  openssl rand -out "$plain" $((mib * 1024 * 1024))
fi
key=$work/key.txt
[ -s "$key" ] || age-keygen -o "$key" 2>/dev/null
pub=$(age-keygen -y "$key")
age -e -r "$pub" -o "$work/file.age" "$plain"
cat "$plain" "$work/file.age" >/dev/null  # warm the page cache

# measure NAME CMD...: one timed run, stdin/stdout redirected by the caller's CMD.
declare -A total cpu
measure() {
  local name=$1
  shift
  local load t
  load=$(cut -d' ' -f1 /proc/loadavg)
  t=$( { /usr/bin/time -f '%e %U %S %M' "$@" >/dev/null; } 2>&1 | tail -1)
  read -r real user sys rss <<<"$t"
  local rate
  rate=$(awk -v m="$mib" -v s="$real" 'BEGIN { printf "%.0f", m / s }')
  printf '  %-12s %6.2f s  %5s MiB/s  user %5.2f  sys %5.2f  rss %6s KiB  load %s\n' \
    "$name" "$real" "$rate" "$user" "$sys" "$rss" "$load"
  total[$name]=$(awk -v a="${total[$name]:-0}" -v b="$real" 'BEGIN { print a + b }')
  cpu[$name]=$(awk -v a="${cpu[$name]:-0}" -v u="$user" -v s="$sys" 'BEGIN { print a + u + s }')
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)," \
  "age $(age --version), $mib MiB, $rounds rounds"
for r in $(seq 1 "$rounds"); do
  echo "round $r"
  measure age-encrypt sh -c "age -e -r '$pub' < '$plain'"
  measure our-encrypt sh -c "'$tool' encrypt '$pub' < '$plain'"
  measure age-decrypt sh -c "age -d -i '$key' < '$work/file.age'"
  measure our-decrypt sh -c "'$tool' decrypt '$key' < '$work/file.age'"
done
# Both decrypt the same bytes to the same plaintext (correctness of what was timed).
cmp <("$tool" decrypt "$key" <"$work/file.age" | openssl dgst -sha256) \
  <(openssl dgst -sha256 <"$plain") >/dev/null && echo "our decryption matches the plaintext"
ratios() {  # ratios LABEL ARRAY-NAME
  local -n t=$2
  awk -v l="$1" -v ae="${t[age-encrypt]}" -v oe="${t[our-encrypt]}" -v ad="${t[age-decrypt]}" \
    -v od="${t[our-decrypt]}" 'BEGIN {
    printf "%s ratio ours/age: encrypt %.2f, decrypt %.2f (below 1 = ours is faster)\n", l, oe / ae, od / ad }'
}
ratios "wall-time" total
ratios "CPU-time (user+sys)" cpu
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg) (other builders share the 2 cores)"
