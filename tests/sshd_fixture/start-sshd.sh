#!/usr/bin/env bash
# Starts a throwaway OpenSSH sshd on 127.0.0.1 for demos and benchmarks (the C++ tests use
# SshdFixture instead). Usage: start-sshd.sh DIR [PATH_DIR...]
#   DIR gets host/user ed25519 keys, sshd_config, known_hosts, sshd.log and an `env` file with
#   SSHD_PORT, SSHD_PID, SSHD_USER, SSHD_IDENTITY, SSHD_KNOWN_HOSTS. PATH_DIRs come first on the
#   session's PATH (e.g. the stand-in mongodump). Stop it with: kill "$(cat DIR/sshd.pid)"
set -euo pipefail
dir=$1; shift
mkdir -p "$dir" /run/sshd
dir=$(cd "$dir" && pwd)
path=""
for p in "$@"; do path+="$p:"; done
path+="/usr/local/bin:/usr/bin:/bin"
rm -f "$dir"/host_ed25519* "$dir"/user_ed25519*
ssh-keygen -q -t ed25519 -N '' -C demo-host -f "$dir/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C demo-user -f "$dir/user_ed25519"
cp "$dir/user_ed25519.pub" "$dir/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
UseDNS no
LogLevel ERROR
SetEnv HOME=$dir PATH=$path
CONF
/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
pid=$!
for _ in $(seq 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$dir/sshd.log" >&2; exit 1; }
  sleep 0.05
done
echo "$pid" > "$dir/sshd.pid"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" > "$dir/known_hosts"
cat > "$dir/env" <<ENV
SSHD_PORT=$port
SSHD_PID=$pid
SSHD_USER=$(id -un)
SSHD_IDENTITY=$dir/user_ed25519
SSHD_KNOWN_HOSTS=$dir/known_hosts
ENV
echo "sshd listening on 127.0.0.1:$port (pid $pid); settings in $dir/env"
