#!/usr/bin/env bash
# Events through the real binary: `run` against pve-sim and the test sshd (as the other
# end-to-end tests) with pings and a webhook configured to a local receiver. A good night
# arrives as start -> success -> webhook, a night whose mongo password is wrong as start ->
# fail -> webhook with error_kind access; a receiver answering 500 or hanging never changes the
# exit code and is reported in the summary within the events' time budget; a dry run sends
# nothing and says what it would send; `config check --events` sends the test pings. The ping
# URLs' secret path (a UUID) and the webhook's Authorization never appear in any output.
# Usage: events.sh PVE_SMOKERBAK PVE_SIM FAKE_MONGO_BIN SOURCE_DIR
set -euo pipefail
bin=$1 sim=$2 fake_bin=$3 src=$4
# shellcheck source=lib/setup.sh
. "$src/tests/integration/lib/setup.sh"

start=1767229200 # 2026-01-01T01:00:00Z
setup_init events
setup_start_sim --freeze-clock --start-time "$start" --task-polls 1 --archive-bytes 65536
setup_start_sshd
setup_write_config "keep-last=3"

recv=$work/recv
mkdir -p "$recv"
echo ok >"$recv/mode"
python3 "$src/tests/integration/lib/event_receiver.py" "$recv/port" "$recv/log.jsonl" \
  "$recv/mode" &
setup_track_pid $!
for _ in $(seq 200); do [ -s "$recv/port" ] && break; sleep 0.05; done
[ -s "$recv/port" ] || fail "the event receiver did not start"
port=$(cat "$recv/port")
uuid=9d3c2b1a-6f5e-4d7c-8b9a-0f1e2d3c4b5a
auth="Bearer e2e-hook-secret-31337"
install -m 0600 /dev/stdin "$work/hook.secret" <<<"$auth"
cat >>"$work/config.yaml" <<YAML
events:
  allow_plain_loopback: true
  timeout_s: 2
  ping:
    start: http://127.0.0.1:$port/$uuid/start
    success: http://127.0.0.1:$port/$uuid
    fail: http://127.0.0.1:$port/$uuid/fail
  webhook:
    url: http://127.0.0.1:$port/hook/$uuid
    authorization_file: $work/hook.secret
YAML

no_secret() {  # no_secret FILE: neither the ping UUID nor the webhook's authorization in FILE
  ! grep -qF -e "$uuid" -e "e2e-hook-secret" "$1" || { cat "$1" >&2; fail "a secret in $1"; }
}
hits() { [ -f "$recv/log.jsonl" ] && wc -l <"$recv/log.jsonl" || echo 0; }
paths_since() {  # paths_since N: the paths of the requests after the first N
  tail -n "+$(($1 + 1))" "$recv/log.jsonl" | python3 -c '
import json, sys
print(" ".join(json.loads(l)["path"] for l in sys.stdin))'
}
night() {  # night INDEX [run options...] -> $rc, output in $work/run-INDEX.log
  sim_control POST /_sim/clock "{\"set\": $((start + $1 * 86400))}"
  rc=0
  PVE_SMOKERBAK_NOW=$((start + $1 * 86400)) "$bin" run "${@:2}" >"$work/run-$1.log" 2>&1 || rc=$?
  no_secret "$work/run-$1.log"
}

# config check validates the URLs and, with --events, sends the test pings (never fail).
rc=0
"$bin" config check --events >"$work/check.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/check.log"; fail "config check --events exit $rc"; }
no_secret "$work/check.log"
[ "$(paths_since 0)" = "/$uuid/start /$uuid /hook/$uuid" ] ||
  fail "config check --events sent: $(paths_since 0)"
grep -qF "fail ping to http://127.0.0.1:$port/…: not sent by the test" "$work/check.log" ||
  { cat "$work/check.log"; fail "config check --events does not say the fail ping was not sent"; }
sed 's/allow_plain_loopback: true/allow_plain_loopback: false/' "$work/config.yaml" \
  >"$work/plain.yaml"
rc=0
"$bin" -c "$work/plain.yaml" config check >"$work/check-plain.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || { cat "$work/check-plain.log"; fail "http:// without allow_plain_loopback: exit $rc"; }
grep -q "expected an https:// URL" "$work/check-plain.log" || fail "no https:// complaint"

# A good night: start, success, webhook (JSON, with the Authorization header).
n=$(hits)
night 0
[ "$rc" = 0 ] || { cat "$work/run-0.log"; fail "night 0 exit $rc"; }
[ "$(paths_since "$n")" = "/$uuid/start /$uuid /hook/$uuid" ] || fail "night 0 sent: $(paths_since "$n")"
tail -n 1 "$recv/log.jsonl" | python3 -c '
import json, sys
hit = json.loads(sys.stdin.read())
assert hit["authorization"] == "Bearer e2e-hook-secret-31337", hit["authorization"]
assert hit["content_type"] == "application/json", hit["content_type"]
body = json.loads(hit["body"])
assert body["event"] == "run.finished" and body["result"] == "success", body
assert body["exit_code"] == 0, body
steps = {(s["tier"], s["step"]): s for s in body["steps"]}
assert steps[("vzdump", "backup")]["result"] == "ok", steps
assert steps[("vzdump", "backup")]["backup_bytes"] > 0, steps
assert steps[("mongo", "backup")]["backup_bytes"] > 0, steps
assert all(s["error_kind"] is None for s in body["steps"]), steps
assert "error" not in json.dumps(body["steps"]).replace("error_kind", ""), body
' || fail "night 0: unexpected webhook body"
grep -q "start ping to http://127.0.0.1:$port/…: sent (HTTP 200" "$work/run-0.log" ||
  { cat "$work/run-0.log"; fail "night 0: the summary does not report the start ping"; }

# A failed night (wrong mongo password): start, fail, webhook with the kind; exit 1 as always.
fake_mongo_config wrong-password
n=$(hits)
night 1
fake_mongo_config e2e-secret
[ "$rc" = 1 ] || { cat "$work/run-1.log"; fail "night 1 exit $rc, expected 1"; }
[ "$(paths_since "$n")" = "/$uuid/start /$uuid/fail /hook/$uuid" ] ||
  fail "night 1 sent: $(paths_since "$n")"
tail -n 1 "$recv/log.jsonl" | python3 -c '
import json, sys
body = json.loads(json.loads(sys.stdin.read())["body"])
assert body["result"] == "fail" and body["exit_code"] == 1, body
kinds = [s["error_kind"] for s in body["steps"] if s["tier"] == "mongo" and s["step"] == "backup"]
assert kinds and kinds[0] is not None, body
assert "wrong-password" not in json.dumps(body), body
' || fail "night 1: unexpected webhook body"

# A receiver answering 500: retried (at most 3 attempts per event), reported, exit unchanged.
echo 500 >"$recv/mode"
n=$(hits)
night 2
[ "$rc" = 0 ] || { cat "$work/run-2.log"; fail "night 2 (receiver 500) exit $rc, expected 0"; }
sent=$(($(hits) - n))
[ "$sent" -ge 4 ] && [ "$sent" -le 9 ] || fail "night 2: $sent requests for 3 events"
grep -q "success ping to http://127.0.0.1:$port/…: FAILED after .* attempts .*HTTP 500" \
  "$work/run-2.log" || { cat "$work/run-2.log"; fail "night 2: the summary does not report the 500"; }

# A receiver that hangs: each event gives up after timeout_s (2 s); the run still exits 0.
echo hang >"$recv/mode"
t0=$(date +%s)
night 3
took=$(($(date +%s) - t0))
[ "$rc" = 0 ] || { cat "$work/run-3.log"; fail "night 3 (hanging receiver) exit $rc, expected 0"; }
grep -q "start ping to http://127.0.0.1:$port/…: FAILED" "$work/run-3.log" ||
  { cat "$work/run-3.log"; fail "night 3: the summary does not report the hanging receiver"; }
echo "night 3 with a hanging receiver took ${took}s (3 events of at most 2 s)"
echo ok >"$recv/mode"

# A dry run sends nothing and says what it would send.
n=$(hits)
night 4 --dry-run
[ "$rc" = 0 ] || { cat "$work/run-4.log"; fail "run --dry-run exit $rc"; }
[ "$(hits)" = "$n" ] || fail "run --dry-run sent $(paths_since "$n")"
grep -qF "webhook to http://127.0.0.1:$port/…: not sent (dry run); would POST" "$work/run-4.log" ||
  { cat "$work/run-4.log"; fail "run --dry-run does not say what it would send"; }
grep -qF '"event":"run.finished"' "$work/run-4.log" || fail "run --dry-run does not show the body"
echo "PASS: events arrived in order, failures were reported without changing the exit code"
