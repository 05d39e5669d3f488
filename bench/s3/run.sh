#!/usr/bin/env bash
# S3 upload benchmark: s3::upload_object (1, 2 and 3 parts in flight) against `curl -T` of the
# same file to the same radosgw over HTTPS in the same run, interleaved rounds, with the load
# average before each upload and the uploader's peak RSS (goal <= 64 MiB). radosgw runs on a
# file-backed OSD here (memstore would keep every GiB uploaded in RAM: RGW frees deleted data
# only in its deferred garbage collection). Needs root and the ceph packages.
# Usage: bench/s3/run.sh [build-dir] [MiB, default 1024] [rounds, default 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mib=${2:-1024}
rounds=${3:-3}
cmake --build "$build" --target s3_upload_bench -j2 >/dev/null
# The radosgw, bucket, data file and curl of both upload benchmarks: bench/s3_server.sh.
. "$root/bench/s3_server.sh"
bench_s3_server s3 "$mib"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%FT%TZ); other builders may be running (see load)"
echo "object: $mib MiB of random data from a file in the page cache; radosgw on a file-backed OSD, HTTPS"
printf '%-5s %-22s %8s %8s %8s %10s %s\n' round tool seconds MiB/s cpu_s peak_rss load_before
declare -A sum
for r in $(seq "$rounds"); do
  for tool in uploader-1 uploader-2 uploader-3 curl; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    case $tool in
      uploader-*)
        out=$("$build/tests/s3/s3_upload_bench" --env "$server/env" --bucket "$bucket" \
          --file "$work/data" --parts-in-flight "${tool#uploader-}" --key "bench/$tool")
        bench_fields "$out"
        ;;
      curl)
        bench_curl_put
        ;;
    esac
    printf '%-5s %-22s %8.2f %8.1f %8s %10s %s\n' "$r" "$tool" "$secs" "$speed" "$cpu" "$rss" "$load"
    sum[$tool]=$(awk -v a="${sum[$tool]:-0}" -v b="$speed" 'BEGIN{print a + b}')
  done
done
echo "mean MiB/s over $rounds rounds:"
for tool in uploader-1 uploader-2 uploader-3 curl; do
  printf '  %-12s %6.1f\n' "$tool" "$(awk -v a="${sum[$tool]}" -v n="$rounds" 'BEGIN{print a / n}')"
done
for n in 1 2 3; do
  printf '  ratio uploader-%s / curl -T: %.2f\n' "$n" \
    "$(awk -v a="${sum[uploader-$n]}" -v b="${sum[curl]}" 'BEGIN{print a / b}')"
done
"${curl_s3[@]}" -X DELETE -o /dev/null "$S3_ENDPOINT_HTTPS/$bucket" || true
