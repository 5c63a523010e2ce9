#!/usr/bin/env bash
# A throwaway managed host: a real OpenSSH sshd on loopback with its own generated keys.
# Used by the demo, the integration tests and the benchmarks (one implementation for all).
#
#   managed-host.sh start DIR [PORT]   prints the port; login is the current Unix user,
#                                      authenticated by DIR/account_key
#   managed-host.sh stop DIR           ends the listener and every session it spawned
#   managed-host.sh freeze|thaw DIR    SIGSTOP/SIGCONT the whole sshd process tree (the host
#                                      "stops responding" while its TCP connections stay up)
set -euo pipefail

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|freeze|thaw DIR [PORT]" >&2; exit 2; }

# The listener and all its descendants (session processes rename themselves, so walk the tree).
tree_pids() {
  local pid=$1 child
  echo "$pid"
  for child in $(pgrep -P "$pid" 2>/dev/null); do tree_pids "$child"; done
}

signal_tree() {
  [ -s "$dir/sshd.pid" ] || return 0
  local pids; pids=$(tree_pids "$(cat "$dir/sshd.pid")")
  # shellcheck disable=SC2086
  kill "-$1" $pids 2>/dev/null || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
  port=${3:-$(free_port)}
  mkdir -p "$dir"; chmod 700 "$dir"; dir=$(cd "$dir" && pwd)
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/ssh_host_ed25519_key"
  [ -f "$dir/account_key" ] || ssh-keygen -q -t ed25519 -N '' -C managed-host-account -f "$dir/account_key"
  cp "$dir/account_key.pub" "$dir/authorized_keys"
  chmod 600 "$dir/authorized_keys"
  mkdir -p /run/sshd 2>/dev/null || true  # privilege separation directory sshd insists on
  cat > "$dir/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $dir/ssh_host_ed25519_key
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 100:30:200
MaxSessions 100
ClientAliveInterval 0
Subsystem sftp internal-sftp
CFG
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  for _ in $(seq 1 100); do
    if [ -s "$dir/sshd.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; exit 0
    fi
    sleep 0.05
  done
  echo "managed-host: sshd did not start; see $dir/sshd.log" >&2; exit 1
  ;;
stop)
  signal_tree CONT
  signal_tree TERM
  rm -f "$dir/sshd.pid"
  ;;
freeze) signal_tree STOP ;;
thaw) signal_tree CONT ;;
*) echo "usage: $0 start|stop|freeze|thaw DIR [PORT]" >&2; exit 2 ;;
esac
