#!/usr/bin/env bash
# CI step for the Debian package: build pve-smokerbak_<version>_amd64.deb from BUILD_DIR,
# install it with dpkg, check what it installed, and purge it again.
#   deploy/ci-package-check.sh BUILD_DIR
# BUILD_DIR must be configured from this repository with deploy/package.cmake included (the
# root CMakeLists.txt does that). Needs root (or sudo) for dpkg. Checks, each fatal:
#   1. the man page and bash completion cover every command and flag (deploy/check-docs.sh);
#   2. the package installs; `pve-smokerbak --version` matches the package version;
#   3. files and modes: units, conffile, 0700 state and secret directories, man page;
#   4. `config check` exits 0 on a copy of the installed example config whose secrets are
#      throwaway files (with systemd credential names served through $CREDENTIALS_DIRECTORY),
#      and exits 2 without printing the secret when a secret file is group-readable;
#   5. `systemd-analyze verify` accepts the installed units (skipped only when this machine
#      cannot verify even a trivial unit);
#   6. `ansible-playbook --syntax-check` accepts the example playbook (when ansible-playbook
#      is installed; Debian package ansible-core);
#   7. `dpkg --purge` removes everything the package installed.
# Idempotent: a package left behind by an interrupted earlier run of this script is purged
# first; a pve-smokerbak installed by anyone else makes the script stop without touching it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: deploy/ci-package-check.sh BUILD_DIR}" && pwd)
start=$(date +%s)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
marker=/var/lib/pve-smokerbak/.installed-by-ci-package-check

say() { echo "== package: $*"; }
fail() {
  echo "package check FAILED: $*" >&2
  exit 1
}

# --- build -------------------------------------------------------------------------------
[ -f "$build/CPackConfig.cmake" ] ||
  fail "$build has no CPackConfig.cmake: the root CMakeLists.txt must include(deploy/package.cmake)"
say "building the binary and the .deb"
cmake --build "$build" --target pve-smokerbak >/dev/null
rm -f "$build"/package/pve-smokerbak_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
debs=("$build"/package/pve-smokerbak_*_amd64.deb)
[ -f "${debs[0]}" ] || fail "cpack produced no pve-smokerbak_*_amd64.deb in $build/package"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
say "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"

say "documentation against the binary"
"$root/deploy/check-docs.sh" "$build/agent/pve-smokerbak" || fail "documentation gaps (above)"

# --- install -----------------------------------------------------------------------------
if dpkg-query -W -f='${Status}' pve-smokerbak 2>/dev/null | grep -q installed; then
  if [ -e "$marker" ]; then
    say "purging the package left by an interrupted earlier check"
    $sudo rm -f "$marker"
    $sudo dpkg --purge pve-smokerbak >/dev/null
  else
    fail "pve-smokerbak is installed on this machine and not by this script; not touching it"
  fi
fi

tmp=$(mktemp -d)
cleanup() {
  rm -rf "$tmp"
  if dpkg-query -W -f='${Status}' pve-smokerbak 2>/dev/null | grep -q installed; then
    $sudo rm -f "$marker"
    $sudo dpkg --purge pve-smokerbak >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

say "dpkg -i"
$sudo dpkg -i "$deb" >/dev/null
$sudo touch "$marker"

got=$(pve-smokerbak --version)
[ "$got" = "pve-smokerbak $version" ] || fail "--version printed '$got', want 'pve-smokerbak $version'"
pve-smokerbak version >/dev/null
say "$got"

# --- installed files ---------------------------------------------------------------------
mode_of() { stat -c '%a %U:%G' "$1"; }
expect_mode() {
  local got
  got=$(mode_of "$1" 2>/dev/null) || fail "$1 was not installed"
  [ "$got" = "$2" ] || fail "$1 is '$got', want '$2'"
}
expect_mode /usr/bin/pve-smokerbak "755 root:root"
expect_mode /etc/pve-smokerbak "750 root:root"
expect_mode /etc/pve-smokerbak/credentials "700 root:root"
expect_mode /etc/pve-smokerbak/ssh "700 root:root"
expect_mode /var/lib/pve-smokerbak "700 root:root"
units=(pve-smokerbak.service pve-smokerbak.timer pve-smokerbak-validate.service
  pve-smokerbak-validate.timer pve-smokerbak-failure@.service)
for u in "${units[@]}"; do expect_mode "/lib/systemd/system/$u" "644 root:root"; done
expect_mode /usr/share/bash-completion/completions/pve-smokerbak "644 root:root"
dpkg-query -W -f='${Conffiles}\n' pve-smokerbak | grep -q ' /etc/pve-smokerbak/config.yaml ' ||
  fail "/etc/pve-smokerbak/config.yaml is not a conffile"
expect_mode /etc/pve-smokerbak/config.yaml "640 root:root"
cmp -s /etc/pve-smokerbak/config.yaml "$root/deploy/config.example.yaml" ||
  fail "/etc/pve-smokerbak/config.yaml differs from deploy/config.example.yaml"
man_page=/usr/share/man/man1/pve-smokerbak.1.gz
if [ -e "$man_page" ]; then
  if command -v groff >/dev/null; then
    warnings=$(zcat "$man_page" | groff -man -ww -z 2>&1) || true
    [ -z "$warnings" ] || fail "groff warnings in the man page: $warnings"
  else
    say "groff not installed (Debian: groff-base); man page not linted"
  fi
elif dpkg -L pve-smokerbak | grep -qx "$man_page"; then
  say "man page excluded by this machine's dpkg path-exclude; not checked here"
else
  fail "the package ships no $man_page"
fi
# Both services must run in the same sandbox: their lines from UMask= on are identical.
sandbox() { sed -n '/^UMask=/,$p' "/lib/systemd/system/$1"; }
diff <(sandbox pve-smokerbak.service) <(sandbox pve-smokerbak-validate.service) >/dev/null ||
  fail "the hardening of pve-smokerbak.service and pve-smokerbak-validate.service differs"

# --- config check on the example config with throwaway secrets ---------------------------
say "config check on the installed example config"
mkdir -m 0700 "$tmp/creds" "$tmp/secrets" "$tmp/state"
ssh-keygen -q -t ed25519 -N '' -C ci-package-check -f "$tmp/secrets/id_ed25519"
printf '[127.0.0.1]:22 %s\n' "$(cut -d' ' -f1,2 "$tmp/secrets/id_ed25519.pub")" \
  >"$tmp/secrets/known_hosts"
secret_value="ci-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Prints the throwaway replacement for one value of a secret key, creating the file:
# credential names go to $tmp/creds (found through $CREDENTIALS_DIRECTORY), paths to
# $tmp/secrets under the same base name.
throwaway_secret() {
  local value=$1 file
  if [[ $value == /* ]]; then file="$tmp/secrets/$(basename "$value")"; else file="$tmp/creds/$value"; fi
  (umask 077 && printf '%s\n' "$secret_value" >"$file")
  echo "$file" >>"$tmp/secret-files"
  if [[ $value == /* ]]; then echo "$file"; else echo "$value"; fi
}
# Copies config SRC to DST, pointing every key that names a secret, key or state path at
# throwaway files; keeps everything else as it is.
throwaway_copy() {
  local line lead key value n=0 saw_token=""
  while IFS= read -r line; do
    if [[ $line =~ ^([[:space:]-]*)([a-z_]+):[[:space:]]*([^#[:space:]]+)(.*)$ ]]; then
      lead=${BASH_REMATCH[1]} key=${BASH_REMATCH[2]} value=${BASH_REMATCH[3]//[\"\']/}
      case $key in
        token_secret_file | password_file) value=$(throwaway_secret "$value") ;;
        identity_file) value="$tmp/secrets/id_ed25519" ;;
        known_hosts) value="$tmp/secrets/known_hosts" ;;
        state_dir) value="$tmp/state" ;;
        metrics_file) value="$tmp/state/metrics.prom" ;;
        backup_dir) value="$tmp/state/mongo-$((++n))" ;;
        *) printf '%s\n' "$line" && continue ;;
      esac
      [ "$key" != token_secret_file ] || saw_token=1
      printf '%s%s: "%s"\n' "$lead" "$key" "$value"
    else
      printf '%s\n' "$line"
    fi
  done <"$1" >"$2"
  [ -n "$saw_token" ] || fail "$1 names no token_secret_file; cannot exercise the secret checks"
}

# check_config FILE: `config check` as the units run it (credentials in a directory).
check_config() {
  CREDENTIALS_DIRECTORY="$tmp/creds" pve-smokerbak --config "$1" config check \
    >"$tmp/check.out" 2>&1
}

throwaway_copy /etc/pve-smokerbak/config.yaml "$tmp/config.yaml"
check_config "$tmp/config.yaml" ||
  fail "config check of the example config exited $?: $(cat "$tmp/check.out")"
if grep -qF "$secret_value" "$tmp/check.out"; then fail "config check printed a secret"; fi

say "config check refuses a group-readable secret"
head -n1 "$tmp/secret-files" | xargs chmod 0640
rc=0
check_config "$tmp/config.yaml" || rc=$?
[ "$rc" -eq 2 ] || fail "config check with a group-readable secret exited $rc, want 2"
if grep -qF "$secret_value" "$tmp/check.out"; then fail "config check printed a secret"; fi
head -n1 "$tmp/secret-files" | xargs chmod 0600

# --- systemd units -----------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  say "systemd-analyze verify"
  printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$tmp/probe.service"
  if ! systemd-analyze verify --man=no "$tmp/probe.service" >/dev/null 2>&1; then
    say "systemd-analyze cannot verify units on this machine; skipped"
  else
    out=$(systemd-analyze verify --man=no "${units[@]/#//lib/systemd/system/}" 2>&1) ||
      fail "systemd-analyze verify: $out"
    ! grep -q pve-smokerbak <<<"$out" || fail "systemd-analyze verify: $out"
  fi
else
  say "systemd-analyze not installed; units not verified"
fi

# --- Ansible role ------------------------------------------------------------------------
if command -v ansible-playbook >/dev/null; then
  say "ansible-playbook --syntax-check, and config check on the role's rendered config"
  export ANSIBLE_ROLES_PATH="$root/deploy/ansible/roles" ANSIBLE_NOCOLOR=1
  ansible-playbook --syntax-check -i localhost, "$root/deploy/ansible/site.example.yml" \
    >"$tmp/ansible.out" 2>&1 || fail "ansible-playbook --syntax-check: $(cat "$tmp/ansible.out")"
  mkdir "$tmp/ansible"
  ansible-playbook -i localhost, -c local "$root/deploy/ansible/tests/render-config.yml" \
    -e out_dir="$tmp/ansible" >"$tmp/ansible.out" 2>&1 ||
    fail "rendering the role's templates: $(cat "$tmp/ansible.out")"
  throwaway_copy "$tmp/ansible/config.yaml" "$tmp/ansible/config.check.yaml"
  check_config "$tmp/ansible/config.check.yaml" ||
    fail "config check of the role's config exited $?: $(cat "$tmp/check.out")"
else
  say "ansible-playbook not installed (Debian: ansible-core); role not checked"
fi

# --- remove ------------------------------------------------------------------------------
say "dpkg --purge"
$sudo rm -f "$marker"
$sudo dpkg --purge pve-smokerbak >/dev/null
for path in /usr/bin/pve-smokerbak /etc/pve-smokerbak /var/lib/pve-smokerbak \
  /lib/systemd/system/pve-smokerbak.service /usr/share/man/man1/pve-smokerbak.1.gz; do
  [ ! -e "$path" ] || fail "$path is still there after dpkg --purge"
done
say "ok in $(($(date +%s) - start)) s"
