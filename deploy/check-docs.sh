#!/usr/bin/env bash
# Checks that the shipped documentation matches the binary: every command and every flag
# that `pve-smokerbak ... --help` lists appears in the man page (roff and Markdown source)
# and in the bash completion, and every exit code of agent/core/exit_codes.hpp is documented
# in the man page and docs/exit-codes.md.
# Usage: deploy/check-docs.sh PATH/TO/pve-smokerbak
# Prints each gap and exits 1 when there is any; exits 0 (saying what it checked) otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:?usage: deploy/check-docs.sh PATH/TO/pve-smokerbak}

# The roff page as plain words: "\-" is a hyphen, font escapes go away.
man_text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$root/docs/pve-smokerbak.1")
md_text=$(cat "$root/docs/pve-smokerbak.1.md")
completion=$(cat "$root/deploy/bash-completion/pve-smokerbak")
exit_doc=$(cat "$root/docs/exit-codes.md")

gaps=0
gap() {
  echo "check-docs: $*" >&2
  gaps=$((gaps + 1))
}

# Lines of one CLI11 help section ("Options:", "Subcommands:") up to the next blank line.
help_section() {
  awk -v want="$2" '$0 == want { on = 1; next } on && /^[[:space:]]*$/ { on = 0 } on' <<<"$1"
}

checked_flags=0
checked_commands=0
# check_command "WORDS..." : the command's flags, then its subcommands, recursively.
check_command() {
  local words=("$@") help
  ((${#words[@]} <= 4)) || { gap "subcommands nested deeper than 4: ${words[*]}"; return; }
  # shellcheck disable=SC2086  # the words are separate arguments
  help=$("$bin" "${words[@]}" --help 2>&1) || true
  local flag
  while read -r flag; do
    [[ -z $flag ]] && continue
    checked_flags=$((checked_flags + 1))
    local where="${words[*]:-(global)}"
    grep -qF -- "$flag" <<<"$man_text" || gap "$where: $flag missing from docs/pve-smokerbak.1"
    grep -qF -- "$flag" <<<"$md_text" || gap "$where: $flag missing from docs/pve-smokerbak.1.md"
    grep -qwF -- "$flag" <<<"$completion" ||
      gap "$where: $flag missing from deploy/bash-completion/pve-smokerbak"
  # Flags are named at the start of an option line ("  -h,--help", "  --tier TEXT"), not in
  # descriptions (which mention e.g. mongorestore's --nsFrom).
  done < <(help_section "$help" "Options:" | grep -oE -- '^  (-[a-zA-Z],)?--[a-z][a-z0-9-]*' |
    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  local sub
  while read -r sub; do
    [[ -z $sub ]] && continue
    checked_commands=$((checked_commands + 1))
    local full="${words[*]} $sub"
    full=${full# }
    grep -qF -- "$full" <<<"$man_text" || gap "command '$full' missing from docs/pve-smokerbak.1"
    grep -qF -- "$full" <<<"$md_text" || gap "command '$full' missing from docs/pve-smokerbak.1.md"
    grep -qw -- "$sub" <<<"$completion" ||
      gap "command '$full' missing from deploy/bash-completion/pve-smokerbak"
    check_command "${words[@]}" "$sub"
  # A subcommand line is indented by exactly two spaces; wrapped descriptions by more.
  done < <(help_section "$help" "Subcommands:" | grep -E '^  [a-z][a-z0-9-]*( |$)' | awk '{ print $1 }')
}
check_command

# Exit codes: every k_* constant's value is a documented exit status.
while read -r code; do
  grep -qE "^\.B $code\$" "$root/docs/pve-smokerbak.1" ||
    gap "exit code $code missing from the EXIT STATUS section of docs/pve-smokerbak.1"
  grep -qE "^\| *$code *\|" <<<"$exit_doc" || gap "exit code $code missing from docs/exit-codes.md"
done < <(grep -oE 'k_[a-z_]+ = [0-9]+;' "$root/agent/core/exit_codes.hpp" | grep -oE '[0-9]+')

if ((checked_commands == 0)); then
  gap "found no subcommands in '$bin --help' (not a pve-smokerbak binary?)"
fi
if ((gaps > 0)); then
  echo "check-docs: $gaps gap(s) between the binary and its documentation" >&2
  exit 1
fi
echo "check-docs: ok ($checked_commands commands, $checked_flags flags, exit codes)"
