# Sourced by deploy/demo.sh: the off-site part of the demo. A throwaway radosgw on 127.0.0.1
# (the test suite's tests/s3_fixture/start-rgw.sh: one Ceph monitor, one memstore OSD, radosgw;
# needs root and the ceph packages of deploy/apt-packages.txt), a bucket with Object Lock made
# with curl --aws-sigv4, an age identity that plays "kept off the host", and an `offsite`
# section appended to the demo's config, so `run` also makes the encrypted off-site copy.
# Off with --no-offsite (or DEMO_OFFSITE=0); when radosgw cannot run here the demo goes on
# without it and says how to enable it.
demo_offsite_enabled=0

# demo_offsite_start WORK CONFIG: start the server and add the destination to CONFIG.
demo_offsite_start() {
  local work=$1 config=$2 rc=0 t0=$SECONDS
  if [ "${DEMO_OFFSITE:-1}" = 0 ]; then
    echo "== off-site copy skipped (--no-offsite)"
    return 0
  fi
  echo "== starting a throwaway S3 server (Ceph radosgw on 127.0.0.1) for the off-site copy"
  tests/s3_fixture/start-rgw.sh "$work/rgw" >"$work/rgw.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "   (not started: $(tail -n 1 "$work/rgw.log"))"
    echo "   The off-site tier needs an S3 server: run the demo as root with the ceph-mon,"
    echo "   ceph-osd, radosgw and ceph-common packages installed (deploy/install-deps.sh), or"
    echo "   configure a real destination as in docs/offsite.md."
    return 0
  fi
  # shellcheck disable=SC1091
  . "$work/rgw/env"
  umask 077
  printf 'user = "%s:%s"\ncacert = "%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" "$S3_CA_FILE" \
    >"$work/s3-admin.curlrc"
  printf 'access_key_id = %s\nsecret_access_key = %s\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" \
    >"$work/s3.credentials"
  umask 022
  local signed=(curl --fail-with-body --silent --show-error -K "$work/s3-admin.curlrc"
    --aws-sigv4 "aws:amz:$S3_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
  "${signed[@]}" -X PUT -H "x-amz-bucket-object-lock-enabled: true" \
    "$S3_ENDPOINT_HTTPS/demo-offsite" >/dev/null
  "${signed[@]}" -X PUT --data-binary \
    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>' \
    "$S3_ENDPOINT_HTTPS/demo-offsite?versioning=" >/dev/null
  age-keygen -o "$work/offsite-identity.txt" 2>/dev/null
  cat >>"$config" <<YAML
offsite:
  destinations:
    - name: local-rgw
      endpoint: $S3_ENDPOINT_HTTPS
      region: $S3_REGION
      bucket: demo-offsite
      prefix: pve1/
      credentials_file: $work/s3.credentials
      ca_file: $S3_CA_FILE
      lock: governance   # the demo's server is thrown away; use compliance for real copies
      recipients: [$(age-keygen -y "$work/offsite-identity.txt")]
YAML
  demo_offsite_enabled=1
  echo "   radosgw up, bucket demo-offsite with Object Lock ($((SECONDS - t0)) s)"
}

# demo_offsite_show BIN WORK: what is stored off-site, and one copy fetched back.
demo_offsite_show() {
  local bin=$1 work=$2
  [ "$demo_offsite_enabled" = 1 ] || return 0
  echo
  echo "\$ pve-smokerbak offsite list"
  "$bin" offsite list || true
  echo
  echo "\$ pve-smokerbak offsite fetch latest --target prod-cloud --tier mongo --identity ... --to $work/fetched"
  mkdir -p "$work/fetched"
  "$bin" offsite fetch latest --target prod-cloud --tier mongo \
    --identity "$work/offsite-identity.txt" --to "$work/fetched" || true
  echo "(without the agent: docs/recovery-offsite.md, with curl, age and sha256sum)"
}

# demo_offsite_stop WORK: stop exactly the daemons start-rgw.sh recorded.
demo_offsite_stop() {
  [ -f "$1/rgw/pids" ] && tests/s3_fixture/stop-rgw.sh "$1/rgw" >/dev/null 2>&1
  return 0
}
