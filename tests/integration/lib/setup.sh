# shellcheck shell=bash disable=SC2154,SC2034  # inputs from the caller, outputs for it
# Shared setup of the integration scripts (source it; bash only): a pve-sim Proxmox node with
# a frozen clock (HTTPS on 127.0.0.1, ephemeral port), a throwaway sshd on 127.0.0.1 whose PATH
# holds the stand-in mongodump, and a pve-smokerbak config for both tiers of target prod-cloud.
# Everything lives in one temporary directory and is stopped and removed on exit
# (KEEP_E2E=1 keeps the directory for a post-mortem).
#
# The caller sets: bin (pve-smokerbak), sim (pve-sim), fake_bin (stand-in mongodump dir),
# src (source tree). Then, in this order:
#   setup_init NAME                  -> $work, exit trap
#   setup_start_sim [ARGS...]        -> $sim_pid, $sim_url, $sim_storage_dir..., sim_control
#   setup_start_sshd                 -> SSHD_* variables
#   setup_write_config POLICY        -> $work/config.yaml, PVE_SMOKERBAK_CONFIG exported
# Helpers: fail MESSAGE; sim_control METHOD PATH [JSON]; fake_mongo_config PASSWORD [K=V...].

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

setup_preflight() {
  [ -x /usr/sbin/sshd ] || { echo "SKIP: /usr/sbin/sshd not installed"; exit 125; }
  command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 125; }
  if [ ! -x "$bin" ] || [ ! -x "$sim" ] || [ ! -x "$fake_bin/mongodump" ]; then
    fail "build pve-smokerbak, pve-sim and fake_mongodump first ($bin, $sim, $fake_bin)"
  fi
}

_setup_pids=()
_setup_cleanup() {
  local p
  for p in "${_setup_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP_E2E:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}

# setup_track_pid PID: a background process of the caller, stopped on exit.
setup_track_pid() { _setup_pids+=("$1"); }

setup_init() {
  setup_preflight
  work=$(mktemp -d "/tmp/smokerbak-$1.XXXXXX")
  trap _setup_cleanup EXIT
}

# Starts pve-sim in $work/pve with CT 106 on node pve1; ARGS are further pve-sim options (the
# tests freeze the clock and let tasks finish at their first status poll, see
# tests/pvesim/README.md). Waits for its connection file.
setup_start_sim() {
  "$sim" --data-dir "$work/pve" --guest 106:smartsmoker-cloud:pve1 "$@" >"$work/sim.log" 2>&1 &
  sim_pid=$!
  _setup_pids+=("$sim_pid")
  local _
  for _ in $(seq 400); do
    [ -s "$work/pve/connection.json" ] && break
    kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log" >&2; fail "pve-sim did not start"; }
    sleep 0.05
  done
  [ -s "$work/pve/connection.json" ] || fail "pve-sim wrote no connection file"
  local -a conn
  mapfile -t conn < <(python3 - "$work/pve/connection.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for key in ("url", "ca_file", "token_id", "token_secret_file", "storage_dir"):
    print(c[key])
PY
)
  [ "${#conn[@]}" = 5 ] || fail "unreadable $work/pve/connection.json"
  sim_url=${conn[0]} sim_ca_file=${conn[1]} sim_token_id=${conn[2]}
  sim_token_secret_file=${conn[3]} sim_storage_dir=${conn[4]}
  # One Python for every control call of the whole test (see sim_control.py).
  coproc SIMCTL { exec python3 -u "$src/tests/integration/lib/sim_control.py" "$work/pve/connection.json"; }
  _setup_pids+=("$SIMCTL_PID")
}

# sim_control METHOD PATH [JSON]: one control request; fails the test unless the answer is 2xx.
# The answer body is left in $sim_reply.
sim_reply=""
sim_control() {
  printf '%s %s %s\n' "$1" "$2" "${3:-}" >&"${SIMCTL[1]}"
  local line
  IFS= read -r line <&"${SIMCTL[0]}" || fail "the sim_control helper died"
  sim_reply=${line#* }
  case $line in
    2*) ;;
    *) fail "pve-sim control $1 $2 ${3:-}: $line" ;;
  esac
}

# fake_mongo_config PASSWORD [KEY=VALUE...]: the stand-in mongodump's settings for the next runs
# (tests/fake_mongo/README.md), e.g. fault=exit_midway. About 200 kB of BSON in 5 collections
# (a 57 kB archive) keeps a night short.
fake_mongo_config() {
  local password=$1
  shift
  mkdir -p "$work/mongo"
  {
    printf 'password=%s\nusername=smartsmoker\nauth_db=admin\ndb=smartsmoker\nbytes=200000\n' \
      "$password"
    local kv
    for kv in "$@"; do printf '%s\n' "$kv"; done
  } >"$work/mongo/config"
}

setup_start_sshd() {
  "$src/tests/sshd_fixture/start-sshd.sh" "$work/sshd" "$fake_bin" >/dev/null
  _setup_pids+=("$(cat "$work/sshd/sshd.pid")")
  # shellcheck disable=SC1091
  . "$work/sshd/env"
}

# setup_write_config POLICY: both tiers of prod-cloud (CT 106, storage local), UTC periods, the
# mongo password "e2e-secret" in a 0600 file (fake_mongo_config is called with it).
setup_write_config() {
  fake_mongo_config e2e-secret
  install -m 0600 /dev/stdin "$work/mongo.secret" <<<"e2e-secret"
  cat >"$work/config.yaml" <<YAML
proxmox:
  api_url: $sim_url
  token_id: "$sim_token_id"
  token_secret_file: $sim_token_secret_file
  ca_file: $sim_ca_file
  node: pve1  # the simulator's node: archives on its local storage are read here
retention: "$1"
timezone: UTC
state_dir: $work/state
metrics_file: $work/metrics.prom
targets:
  - name: prod-cloud
    vmid: 106
    vzdump: { storage: local }
    mongo:
      ssh: { host: 127.0.0.1, port: $SSHD_PORT, user: $SSHD_USER,
             identity_file: $SSHD_IDENTITY, known_hosts: $SSHD_KNOWN_HOSTS }
      command: "env FAKE_MONGO_DIR=$work/mongo"
      database: smartsmoker
      username: smartsmoker
      password_file: $work/mongo.secret
      backup_dir: $work/mongodb
YAML
  export PVE_SMOKERBAK_CONFIG="$work/config.yaml"
}
