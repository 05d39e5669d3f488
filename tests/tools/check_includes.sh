#!/usr/bin/env bash
# Fails when a source includes across a forbidden module arrow, or when a public header
# exposes libcurl, libssh, OpenSSL or JSON types (DEVELOPERS.md, docs/ARCHITECTURE.md).
#   agent -> proxmox, remote, policies;  policies -> nothing (standard library + tl only).
# Inside agent/, one folder per layer library (agent/CMakeLists.txt); each may include only the
# folders listed for it below, so the arrows point down:
#   cli -> everything;  run, status, retention, validate (commands) -> tier, config, core
#   (validate also reads the tiers' files: vzdump, mongo, mongo_format);  vzdump, mongo
#   (tiers) -> tier, config, core (mongo also mongo_format);  tier -> config, core;
#   config -> core;  mongo_format -> core;  core -> nothing of agent.
# Only the vzdump tier (and cli, which builds the client) talks to proxmox/, only the mongo
# tier (and cli) to remote/.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
fail=0
bad() { echo "check_includes: $1: includes $2 ($3)"; fail=1; }

scan() {  # scan DIR FORBIDDEN_REGEX REASON [GLOB]
  local dir=$1 re=$2 why=$3 glob=${4:-*.[ch]pp}
  while IFS= read -r -d '' f; do
    while IFS= read -r line; do
      bad "$f" "${line#*#include }" "$why"
    done < <(grep -E "^[[:space:]]*#[[:space:]]*include[[:space:]]+[<\"]($re)" "$f")
  done < <(find "$dir" -name "$glob" -print0 2>/dev/null)
}

scan policies 'agent/|proxmox/|remote/' "policies depends on nothing"
scan policies 'curl|libssh|nlohmann|openssl|yaml|spdlog|CLI|httplib|zlib|zstd|bson|isa-l' \
  "policies is pure code: no third-party I/O libraries"
scan proxmox 'agent/|remote/|policies/' "proxmox must not depend on other modules"
scan remote 'agent/|proxmox/|policies/' "remote must not depend on other modules"
agent_parts="cli config core mongo mongo_format retention run status tier validate vzdump"
# layer FOLDER ALLOWED...: agent/FOLDER may include agent/ALLOWED/ (and itself) only.
layer() {
  local dir=$1 part forbidden=""
  shift
  for part in $agent_parts; do
    [ "$part" = "$dir" ] && continue
    case " $* " in *" $part "*) continue ;; esac
    forbidden="${forbidden:+$forbidden|}agent/$part/"
  done
  [ -n "$forbidden" ] && scan "agent/$dir" "$forbidden" "agent/$dir may include only: $* (layer arrows)"
}
layer core
layer config core
layer mongo_format core
layer tier config core
layer vzdump tier config core
layer mongo tier config core mongo_format
layer run tier config core
layer status tier config core
layer retention core
layer validate tier config core vzdump mongo mongo_format
layer cli config core mongo mongo_format retention run status tier validate vzdump
for dir in core config mongo_format tier mongo run status retention validate; do
  scan "agent/$dir" 'proxmox/' "only the vzdump tier and cli talk to the Proxmox API"
done
for dir in core config mongo_format tier vzdump run status retention validate; do
  scan "agent/$dir" 'remote/' "only the mongo tier and cli open SSH sessions"
done
# Every agent folder is a layer above: a new one must be added here and to agent/CMakeLists.txt.
for d in agent/*/; do
  d=${d%/}
  case " $agent_parts " in *" ${d#agent/} "*) ;; *) echo "check_includes: $d: not a known layer"; fail=1 ;; esac
done

for m in agent proxmox remote policies; do
  scan "$m" 'curl/|libssh/|nlohmann/|openssl/|httplib' "no transport/JSON types in public headers" '*.hpp'
done
[ "$fail" = 0 ] && echo "check_includes: module arrows, agent layers and public headers are clean"
exit "$fail"
