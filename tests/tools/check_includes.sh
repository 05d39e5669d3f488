#!/usr/bin/env bash
# Fails when a source includes across a forbidden module arrow, or when a public header
# exposes libcurl, libssh, OpenSSL, XML or JSON types (DEVELOPERS.md, docs/ARCHITECTURE.md).
#   agent -> proxmox, remote, policies, s3, http, age;  proxmox -> http;  s3 -> http;
#   http, remote, age -> nothing of ours;  policies -> nothing (standard library + tl only).
#   age: OpenSSL only in its .cpp files.
# Inside agent/, one folder per layer library (agent/CMakeLists.txt); each may include only the
# folders listed for it below, so the arrows point down:
#   cli -> everything;  run, status, retention, validate (commands) -> tier, config, core
#   (validate also reads the tiers' files: vzdump, mongo, mongo_format);  drill and coverage
#   (commands that restore and inspect through the tiers' own modules) -> tier, config, core,
#   vzdump, mongo, mongo_format, and proxmox/ + remote/;  events -> config, core (+ http/);
#   vzdump, mongo
#   (tiers) -> tier, config, core (mongo also mongo_format);  tier -> config, core;
#   config -> core;  mongo_format -> core;  core -> nothing of agent;  offsite (the off-site
#   tier, above the other tiers: reads their records) -> tier, config, core, vzdump, mongo,
#   mongo_format.
# Only the vzdump tier, the drill and coverage commands (and cli, which builds the client) talk
# to proxmox/; only the mongo tier, drill and coverage (and cli) to remote/.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
fail=0
bad() { echo "check_includes: $1: includes $2 ($3)"; fail=1; }

scan() {  # scan DIR FORBIDDEN_REGEX REASON [GLOB]
  local dir=$1 re=$2 why=$3 glob=${4:-*.[ch]pp} f line
  [ -d "$dir" ] || return 0
  # One grep over the folder; each hit is "file:line".
  while IFS= read -r hit; do
    f=${hit%%:*}
    line=${hit#*:}
    bad "$f" "${line#*#include }" "$why"
  done < <(grep -rHE --include="$glob" "^[[:space:]]*#[[:space:]]*include[[:space:]]+[<\"]($re)" "$dir")
}

scan policies 'agent/|proxmox/|remote/' "policies depends on nothing"
scan policies 'curl|libssh|nlohmann|openssl|yaml|spdlog|CLI|httplib|zlib|zstd|bson|isa-l' \
  "policies is pure code: no third-party I/O libraries"
scan policies 'http/|s3/|age/' "policies depends on nothing"
scan proxmox 'agent/|remote/|policies/|s3/|age/' "proxmox depends on http only"
scan remote 'agent/|proxmox/|policies/|http/|s3/|age/' "remote must not depend on other modules"
scan http 'agent/|proxmox/|remote/|policies/|s3/|age/' "http depends on nothing of ours"
scan s3 'agent/|proxmox/|remote/|policies/|age/' "s3 depends on http only"
scan age 'agent/|proxmox/|remote/|policies/|http/|s3/' "age must not depend on other modules"
scan age 'curl|libssh|nlohmann|yaml|spdlog|CLI|httplib|zlib|zstd|bson|isa-l|pugixml' \
  "age uses OpenSSL and nothing else third-party"
for m in agent proxmox remote policies http s3 age; do
  scan "$m" 'curl/|libssh/|nlohmann/|openssl/|httplib|pugixml' \
    "no transport/JSON/XML types in public headers" '*.hpp'
done

# Includes are rooted at the repo root, so the arrows above see every one of them: no relative
# ("../x.hpp") or bare ("x.hpp") project include. Test fakes and fixtures live in tests/ and are
# never compiled into a production library.
for m in agent proxmox remote policies http s3 age; do
  scan "$m" '\.\.?/|[A-Za-z0-9_]+\.hpp"' "includes are rooted at the repo root (DEVELOPERS.md)"
  scan "$m" 'tests/' "test support is never part of a production library"
done

# One file per third-party seam: libcurl/OpenSSL only in http/curl_transport.cpp (proxmox/ and
# s3/ go through http::Transport), pugixml only in s3/xml_answers.cpp, OpenSSL in s3/ only for
# digests (s3/digest.cpp).
only_in() {  # only_in DIR REGEX ALLOWED_FILE REASON
  local dir=$1 re=$2 allowed=$3 why=$4 f line
  [ -d "$dir" ] || return 0
  while IFS= read -r hit; do
    f=${hit%%:*}
    line=${hit#*:}
    [ "$f" = "$allowed" ] && continue
    bad "$f" "${line#*#include }" "$why"
  done < <(grep -rHE --include='*.[ch]pp' "^[[:space:]]*#[[:space:]]*include[[:space:]]+[<\"]($re)" "$dir")
}
only_in http 'curl/|openssl/' http/curl_transport.cpp "libcurl/OpenSSL stay in curl_transport.cpp"
only_in proxmox 'curl/|openssl/' none "proxmox reaches the network through http/"
only_in s3 'curl/' none "s3 reaches the network through http/"
only_in s3 'pugixml' s3/xml_answers.cpp "pugixml stays in xml_answers.cpp"
only_in s3 'openssl/' s3/digest.cpp "OpenSSL in s3/ is for digests only"

agent_parts="cli config core coverage drill events mongo mongo_format offsite retention run status tier validate vzdump"
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
layer offsite tier config core vzdump mongo mongo_format
layer drill tier config core vzdump mongo mongo_format
layer events config core
layer coverage tier config core vzdump mongo mongo_format
layer cli config core coverage drill events mongo mongo_format offsite retention run status tier validate vzdump
for dir in core config events mongo_format tier mongo offsite run status retention validate; do
  scan "agent/$dir" 'proxmox/' "only the vzdump tier, drill, coverage and cli talk to the Proxmox API"
done
for dir in core config events mongo_format tier vzdump offsite run status retention validate; do
  scan "agent/$dir" 'remote/' "only the mongo tier, drill, coverage and cli open SSH sessions"
done
# What a command shows goes through agent::Output (core/output.hpp), the log through spdlog:
# only cli/main.cpp, which builds the StreamOutput, names the standard streams.
while IFS= read -r hit; do
  case "$hit" in agent/cli/main.cpp:*) continue ;; esac
  echo "check_includes: ${hit%%:*}: writes to a standard stream (${hit#*:*:}); use agent::Output"
  fail=1
done < <(grep -rHnE --include='*.[ch]pp' 'std::(cout|cerr|clog)([^a-z_]|$)|(^|[^a-z_])(f|v|vf|d)?printf\(|(^|[^a-z_])f?puts\(' agent |
  grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')

# Every agent folder is a layer above: a new one must be added here and to agent/CMakeLists.txt.
for d in agent/*/; do
  d=${d%/}
  case " $agent_parts " in *" ${d#agent/} "*) ;; *) echo "check_includes: $d: not a known layer"; fail=1 ;; esac
done

[ "$fail" = 0 ] && echo "check_includes: module arrows, agent layers and public headers are clean"
exit "$fail"
