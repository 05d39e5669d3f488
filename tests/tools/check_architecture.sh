#!/usr/bin/env bash
# Fails when docs/ARCHITECTURE.md no longer matches the tree:
#   - every agent/ folder has its row in the layer table (`agent_<folder>` (`<folder>/`)), and
#     every row names a folder that exists and is built as that library (agent/CMakeLists.txt);
#   - each row's "may include" column names the same agent folders as that folder's `layer`
#     line in tests/tools/check_includes.sh (the arrows the include check enforces);
#   - every top-level module the build adds (CMakeLists.txt add_subdirectory) is named;
#   - every repository path the page names in backticks exists;
#   - every journal step the page names (journal step `X`) is one the code records.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
doc=docs/ARCHITECTURE.md
checker=tests/tools/check_includes.sh
fail=0
bad() { echo "check_architecture: $*"; fail=1; }

folders=$(for d in agent/*/; do d=${d%/}; echo "${d#agent/}"; done | sort)

# The table rows: | `agent_X` (`X/`) | may include | what it is |
rows=$(grep -E '^\| `agent_[a-z_]+` \(`[a-z_]+/`\) \|' "$doc")
row_folders=$(sed -E 's/^\| `agent_([a-z_]+)` \(`([a-z_]+)\/`\).*/\2/' <<<"$rows" | sort)
while read -r row; do
  lib=$(sed -E 's/^\| `agent_([a-z_]+)`.*/\1/' <<<"$row")
  dir=$(sed -E 's/^\| `agent_[a-z_]+` \(`([a-z_]+)\/`\).*/\1/' <<<"$row")
  [ "$lib" = "$dir" ] || bad "row agent_$lib names folder $dir/"
done <<<"$rows"
for f in $folders; do
  grep -qx "$f" <<<"$row_folders" || bad "agent/$f/ has no row in the layer table of $doc"
  grep -Eq "add_library\(agent_$f[[:space:]]" "agent/$f/CMakeLists.txt" 2>/dev/null ||
    bad "agent/$f/CMakeLists.txt does not build agent_$f"
done
for f in $row_folders; do
  [ -d "agent/$f" ] || bad "$doc has a row for agent/$f/, which does not exist"
done

# "may include" (second column) against check_includes.sh's `layer` lines.
for f in $row_folders; do
  column=$(grep -E "^\| \`agent_$f\` " "$doc" | awk -F'|' '{print $3}')
  if grep -q "every agent layer" <<<"$column"; then
    documented=$(grep -vx "$f" <<<"$folders" | tr '\n' ' ')
  else
    documented=""
    for g in $folders; do
      [ "$g" = "$f" ] && continue
      grep -Eq "(^|[^a-z_])$g([^a-z_]|$)" <<<"$column" && documented+="$g "
    done
  fi
  enforced=$(grep -E "^layer $f( |$)" "$checker" | cut -d' ' -f3-)
  a=$(tr ' ' '\n' <<<"$documented" | grep . | sort | tr '\n' ' ')
  b=$(tr ' ' '\n' <<<"$enforced" | grep . | sort | tr '\n' ' ')
  [ "$a" = "$b" ] || bad "agent/$f/ may include '$a' in $doc but '$b' in $checker"
done

# Top-level modules of the build.
for m in $(grep -E '^add_subdirectory\(' CMakeLists.txt | sed -E 's/add_subdirectory\(([a-z0-9_]+)\).*/\1/' |
  grep -v '^tests$'); do
  grep -q "\`$m/\`" "$doc" || bad "module $m/ is not named in $doc"
done

# Paths in backticks that look like repository paths must exist.
while read -r p; do
  p=${p%%:*}
  [ -e "$p" ] || bad "$doc names $p, which does not exist"
done < <(grep -oE '`(agent|proxmox|remote|policies|http|s3|age|tests|docs|deploy|bench)/[A-Za-z0-9_./-]*`' "$doc" |
  tr -d '`' | grep -v '<' | sort -u)

# Journal steps the page names.
while read -r step; do
  # The word is JournalStep's (agent/tier/journal_step.cpp) and some record() call uses it.
  grep -qF "\"$step\"}" agent/tier/journal_step.cpp &&
    grep -rqzE "record\([^;]*JournalStep::${step//-/_}\b" agent --include=*.cpp ||
    bad "journal step '$step' in $doc is recorded nowhere in agent/"
done < <(grep -oE 'journal step `[a-z-]+`' "$doc" | sed -E 's/.*`([a-z-]+)`/\1/' | sort -u)

[ "$fail" = 0 ] && echo "check_architecture: $doc matches the tree"
exit "$fail"
