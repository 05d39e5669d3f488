#!/usr/bin/env bash
# Off-site upload benchmark: the tier's encrypted upload (age-encrypting file source +
# s3::upload_object, 3 parts in flight) against `curl -T` of the same plaintext to the same
# radosgw over HTTPS in the same run, interleaved rounds, with the load average before each
# upload and the encrypted upload's peak RSS (goal: >= 0.9x curl, <= 64 MiB). radosgw runs on a
# file-backed OSD. Needs root and the ceph packages.
# Usage: bench/offsite/run.sh [build-dir] [MiB, default 1024] [rounds, default 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mib=${2:-1024}
rounds=${3:-3}
cmake --build "$build" --target offsite_upload_bench -j2 >/dev/null
# The radosgw, bucket, data file and curl of both upload benchmarks: bench/s3_server.sh.
. "$root/bench/s3_server.sh"
bench_s3_server offsite "$mib"
sha=$(sha256sum "$work/data" | cut -d' ' -f1)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%FT%TZ); other builders may be running (see load)"
echo "object: $mib MiB of random data in the page cache; radosgw on a file-backed OSD, HTTPS"
printf '%-5s %-10s %8s %8s %8s %10s %s\n' round tool seconds MiB/s cpu_s peak_rss load_before
declare -A sum
for r in $(seq "$rounds"); do
  for tool in offsite curl; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    case $tool in
      offsite)
        out=$("$build/tests/agent_offsite/offsite_upload_bench" --env "$server/env" \
          --bucket "$bucket" --file "$work/data" --sha256 "$sha" --key "bench/offsite")
        bench_fields "$out"
        ;;
      curl)
        bench_curl_put
        ;;
    esac
    printf '%-5s %-10s %8.2f %8.1f %8s %10s %s\n' "$r" "$tool" "$secs" "$speed" "$cpu" "$rss" "$load"
    sum[$tool]=$(awk -v a="${sum[$tool]:-0}" -v b="$speed" 'BEGIN{print a + b}')
  done
done
printf 'mean MiB/s over %s rounds: offsite %.1f, curl -T %.1f; ratio offsite / curl -T: %.2f\n' \
  "$rounds" "$(awk -v a="${sum[offsite]}" -v n="$rounds" 'BEGIN{print a / n}')" \
  "$(awk -v a="${sum[curl]}" -v n="$rounds" 'BEGIN{print a / n}')" \
  "$(awk -v a="${sum[offsite]}" -v b="${sum[curl]}" 'BEGIN{print a / b}')"
"${curl_s3[@]}" -X DELETE -o /dev/null "$S3_ENDPOINT_HTTPS/$bucket" || true
