# Sourced by bench/s3/run.sh and bench/offsite/run.sh: the radosgw both upload benchmarks run
# against, started the same way for both (tests/s3_fixture/start-rgw.sh on a file-backed OSD
# sized for the object: memstore would keep every GiB uploaded in RAM, since RGW frees deleted
# data only in its deferred garbage collection), stopped on exit.
#
# bench_s3_server NAME MIB: sets
#   work     a temporary directory (removed on exit) holding server/, data and curl.cfg
#   server   the server's directory (its settings in $server/env, sourced here: S3_*)
#   bucket   a new bucket, made here; url  $S3_ENDPOINT_HTTPS/$bucket/curl-object
#   curl_s3  (array) curl signing with the throwaway keys, which it reads from a file
# and writes MIB MiB of random data to $work/data, read once into the page cache so every
# contender starts alike.
bench_s3_server() {
  local name=$1 mib=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  work=$(mktemp -d "/tmp/smokerbak-$name-bench.XXXXXX")
  server=$work/server
  # (expanded now: $root and $work are fixed for this run)
  # shellcheck disable=SC2064
  trap "'$root/tests/s3_fixture/stop-rgw.sh' '$server' || true; rm -rf '$work'" EXIT
  "$root/tests/s3_fixture/start-rgw.sh" "$server" --file-backed \
    --osd-bytes $(((mib * 4 + 4096) << 20)) >/dev/null
  # shellcheck disable=SC1091
  . "$server/env"
  head -c "$((mib << 20))" /dev/urandom > "$work/data"
  (umask 077 && printf 'user = "%s:%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" > "$work/curl.cfg")
  bucket=bench-$$
  url=$S3_ENDPOINT_HTTPS/$bucket/curl-object
  curl_s3=(curl -sS -K "$work/curl.cfg" --cacert "$S3_CA_FILE" --aws-sigv4 "aws:amz:$S3_REGION:s3"
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
  "${curl_s3[@]}" -X PUT -o /dev/null "$S3_ENDPOINT_HTTPS/$bucket"
  cat "$work/data" > /dev/null
}

# bench_fields "OUT": sets secs, speed, cpu, rss from a bench binary's result line
# ("... seconds=S mib_per_s=M cpu_s=C peak_rss_mib=R ...").
bench_fields() {
  secs=$(sed -E 's/.* seconds=([0-9.]+).*/\1/' <<<"$1")
  speed=$(sed -E 's/.* mib_per_s=([0-9.]+).*/\1/' <<<"$1")
  cpu=$(sed -E 's/.* cpu_s=([0-9.]+).*/\1/' <<<"$1")
  rss=$(sed -E 's/.* peak_rss_mib=([0-9.]+).*/\1/' <<<"$1")
}

# bench_curl_put: the reference, `curl -T $work/data` to $url, timed; sets secs, speed, cpu,
# rss like bench_fields ("-" when /usr/bin/time wrote nothing), then deletes the object.
bench_curl_put() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "${curl_s3[@]}" -T "$work/data" -o /dev/null "$url"
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b - a}')
  speed=$(awk -v m="$mib" -v s="$secs" 'BEGIN{printf "%.1f", m / s}')
  cpu="-"
  rss="-"
  if [ -s "$work/time" ]; then
    cpu=$(awk '{printf "%.2f", $2 + $3}' "$work/time")
    rss=$(awk '{printf "%.1f", $4 / 1024}' "$work/time")
  fi
  "${curl_s3[@]}" -X DELETE -o /dev/null "$url"
}
