#!/usr/bin/env bash
# The two structure checks can fail: on a copy of the tree, check_includes.sh and
# check_architecture.sh must pass as it is and fail on each planted violation (a layer arrow
# pointing up, a module including cli/, a relative include, a new agent folder nobody
# registered, a documented arrow that differs from the enforced one, a path the page names that
# does not exist, a tier writing to std::cout).
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

fresh() {  # a pristine copy of what the checks read
  rm -rf "$work/t" && mkdir -p "$work/t/tests" "$work/t/docs"
  (cd "$root" && cp -r agent proxmox remote policies http s3 age CMakeLists.txt "$work/t/") &&
    cp -r "$root/tests/tools" "$work/t/tests/" && cp "$root/docs/ARCHITECTURE.md" "$work/t/docs/"
  # Paths the page names outside the copied folders only need to exist.
  (cd "$root" && grep -oE '`(tests|docs|deploy|bench)/[A-Za-z0-9_./-]*`' docs/ARCHITECTURE.md |
    tr -d '`' | sort -u) | while read -r p; do
    [ -e "$work/t/$p" ] && continue
    if [ -d "$root/$p" ] || [ "${p%/}" != "$p" ]; then
      mkdir -p "$work/t/$p"
    else
      mkdir -p "$work/t/$(dirname "$p")" && touch "$work/t/$p"
    fi
  done
}
expect() {  # expect pass|fail CHECK WHAT
  local want=$1 check=$2 what=$3 got
  if "$work/t/tests/tools/$check" "$work/t" >"$work/out" 2>&1; then got=pass; else got=fail; fi
  if [ "$got" != "$want" ]; then
    echo "check_tools_selftest: $check should $want on: $what"
    sed 's/^/  /' "$work/out"
    fail=1
  fi
}

fresh
expect pass check_includes.sh "the tree as it is"
expect pass check_architecture.sh "the tree as it is"

# Include violations, each in its own planted file; one run must name every one of them.
fresh
plant() { echo "#include \"$2\"" >"$work/t/agent/$1"; }
plant config/planted_cli.cpp agent/cli/wiring.hpp            # config/ including cli/
plant run/planted_tier.cpp agent/vzdump/vzdump_tier.hpp      # a command including a tier
plant tier/planted_up.hpp agent/run/run_job.hpp              # an arrow pointing up
plant status/planted_api.cpp proxmox/client.hpp              # status/ talking to proxmox/
plant core/planted_ssh.cpp remote/ssh_session.hpp            # core/ opening SSH sessions
plant run/planted_relative.cpp ../core/clock.hpp             # a relative include
plant tier/planted_fake.cpp tests/support/fake_tier.hpp      # a test fake in production
printf '#include <iostream>\nvoid f() { std::cout << "plan"; }\n' >"$work/t/agent/mongo/planted_cout.cpp"
printf '#include <cstdio>\nvoid g() { fprintf(stderr, "x"); }\n' >"$work/t/agent/vzdump/planted_printf.cpp"
mkdir "$work/t/agent/unregistered" && touch "$work/t/agent/unregistered/part.cpp"  # no layer
expect fail check_includes.sh "planted include violations"
for f in config/planted_cli.cpp run/planted_tier.cpp tier/planted_up.hpp status/planted_api.cpp \
  core/planted_ssh.cpp run/planted_relative.cpp tier/planted_fake.cpp mongo/planted_cout.cpp \
  vzdump/planted_printf.cpp unregistered; do
  grep -q "agent/$f" "$work/out" || {
    echo "check_tools_selftest: check_includes.sh did not report agent/$f"
    fail=1
  }
done
expect fail check_architecture.sh "an agent folder without its row"

fresh
sed -i -E 's/^(\| `agent_status` \(`status\/`\) \| )tier, config, core/\1tier, config, core, vzdump/' \
  "$work/t/docs/ARCHITECTURE.md"
expect fail check_architecture.sh "a documented arrow that is not the enforced one"

fresh
echo 'See `agent/run/no_such_file.cpp`.' >>"$work/t/docs/ARCHITECTURE.md"
expect fail check_architecture.sh "a path that does not exist"

fresh
echo 'Then journal step `uploaded`.' >>"$work/t/docs/ARCHITECTURE.md"
expect fail check_architecture.sh "a journal step nothing records"

[ "$fail" = 0 ] && echo "check_tools_selftest: both checks pass on the tree and catch every planted violation"
exit "$fail"
