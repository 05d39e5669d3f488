#!/usr/bin/env bash
# Fails when a source includes across a forbidden module arrow, or when a public header
# exposes libcurl, libssh, OpenSSL or JSON types (DEVELOPERS.md, docs/ARCHITECTURE.md).
#   agent -> proxmox, remote, policies;  policies -> nothing (standard library + tl only).
#   age -> nothing of ours; OpenSSL only in its .cpp files.
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
scan age 'agent/|proxmox/|remote/|policies/' "age must not depend on other modules"
scan age 'curl|libssh|nlohmann|yaml|spdlog|CLI|httplib|zlib|zstd|bson|isa-l' \
  "age uses OpenSSL and nothing else third-party"
for m in agent proxmox remote policies age; do
  scan "$m" 'curl/|libssh/|nlohmann/|openssl/|httplib' "no transport/JSON types in public headers" '*.hpp'
done
[ "$fail" = 0 ] && echo "check_includes: module arrows and public headers are clean"
exit "$fail"
