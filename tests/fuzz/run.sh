#!/usr/bin/env bash
# Builds the libFuzzer targets (Debian's clang, ASan+UBSan) and runs each for a bounded time.
# Fails on any crash, leak, timeout, out-of-memory or sanitizer report, and says how to
# reproduce it. Usage (from anywhere):
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# Defaults: 20 s each, every target. Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz),
# FUZZ_JOBS (parallel fuzzing processes per target, default 1), SMOKERBAK_SHARED_DIR (default
# <repo>/../shared; its testdata/mongodump-real is read in place as an extra seed corpus).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-20}
shift || true
jobs=${FUZZ_JOBS:-1}
shared=${SMOKERBAK_SHARED_DIR:-$root/../shared}
real="$shared/testdata/mongodump-real"

command -v clang++ >/dev/null || { echo "fuzz: clang++ missing (deploy/install-deps.sh)" >&2; exit 2; }
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DSMOKERBAK_FUZZ=ON >/dev/null
cmake --build "$build" -j2 >/dev/null

fuzz_dir="$build/tests/fuzz"
# target  seed-folder  max_len
table="
fuzz_archive_validator archive 262144
fuzz_bson_walk bson 65536
fuzz_dump_log dump_log 16384
fuzz_export_names export_names 1024
fuzz_safe_text safe_text 4096
fuzz_response_parser response_parser 65536
fuzz_tar_walker tar 16384
fuzz_prune_options prune_options 512
fuzz_config_loader config 8192
fuzz_notes_parser notes 2048
fuzz_age_decrypt age_decrypt 300000
"
wanted=("$@")
failed=()
ran=0
while read -r target seeds max_len; do
  [[ -z $target ]] && continue
  [[ -x $fuzz_dir/$target ]] || continue  # e.g. fuzz_age_decrypt before the age module exists
  if ((${#wanted[@]} > 0)) && [[ ! " ${wanted[*]} " =~ " $target " ]]; then continue; fi
  corpus="$fuzz_dir/corpus/$target"  # grows across runs; the only folder libFuzzer writes
  artifacts="$fuzz_dir/artifacts/$target"
  mkdir -p "$corpus" "$artifacts" "$fuzz_dir/seeds/$seeds"
  dirs=("$corpus" "$fuzz_dir/seeds/$seeds")
  if [[ -d $real && ($target == fuzz_archive_validator || $target == fuzz_bson_walk) ]]; then
    dirs+=("$real")  # read in place, never copied
  fi
  log="$fuzz_dir/$target.log"
  echo "fuzz: $target for ${seconds}s (jobs $jobs)"
  parallel=()
  ((jobs > 1)) && parallel=(-jobs="$jobs" -workers="$jobs")
  set +e
  # Run from the fuzz folder: with -jobs libFuzzer writes each worker's fuzz-N.log there.
  (cd "$fuzz_dir" && rm -f fuzz-*.log &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "./$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 "${parallel[@]}" \
      -artifact_prefix="$artifacts/" "${dirs[@]}") >"$log" 2>&1
  rc=$?
  set -e
  ran=$((ran + 1))
  if ((jobs > 1)); then cat "$fuzz_dir"/fuzz-*.log >>"$log" 2>/dev/null || true; fi
  if ((rc != 0)) || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $rc); log: $log" >&2
    grep -E 'ERROR:|runtime error:|SUMMARY:|Test unit written to' "$log" | head -20 >&2
    echo "fuzz: reproduce with: $fuzz_dir/$target $artifacts/<crash-file>" >&2
  else
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | tail -2 | sed "s/^/  /"
  fi
done <<<"$table"
if ((ran == 0)); then
  echo "fuzz: no target ran" >&2
  exit 2
fi
if ((${#failed[@]} > 0)); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ok ($ran targets, ${seconds}s each)"
