#!/usr/bin/env bash
# Fan-out benchmark: one shared session watched by many, tmux as the peer (issue 11).
#
#   bench/fanout.sh [--smoke] [--build-dir DIR] [--no-build] [--swarm-bin FILE] [--idle N]
#                   [--size-mb N] [--seconds S] [--phases bulk,lag,join,idle] [--lag-counts N,N]
#                   [--broker-option --KEY=VALUE]...
#
# Starts the demo instance as bench/run.sh does (scripts/lib/instance.sh) with tandem-broker's web
# face on a random 127.0.0.1 port, opens a creator session through tandem-sshd with the real ssh
# client on a PTY, `share`s it, and measures (bench/fanout.py):
#   - bulk throughput of the shared session with 0, 1, 10, 100 WebSocket viewers, 10 SSH viewers
#     and 1 viewer + 1 stalled one (never reads), beside OpenSSH ProxyJump in the same run;
#   - a producer at 1 MB/s with timestamped markers to N = 10, 100, 1000 WebSocket viewers
#     (tandem-viewer-swarm): lag p50/p99, dropped, broker CPU and RSS; tmux with N attached
#     clients fed the same output as the peer;
#   - join to full screen over 50 joins: WebSocket, SSH join@, tmux attach;
#   - --idle N idle shared sessions (default 100; the issue asks 500): broker RSS per session,
#     tandem-shell RSS, tandem-sshd RSS per connection.
# The table goes to stdout and bench/results/fanout-latest.md (--smoke: every path with tiny
# counts in well under a minute, bench/results/fanout-smoke.md). --broker-option passes a
# configuration key to tandem-broker (e.g. --broker-option --broker.viewer_max_lag=20ms).
# Figures are reported, never asserted; exits non-zero only if a path does not work. See
# docs/benchmarks.md.
set -euo pipefail

TANDEM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
smoke=0 build_dir=build build=1 swarm_bin="" idle="" size_mb="" seconds="" phases=bulk,lag,join,idle
lag_counts="" broker_options=()
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) smoke=1 ;;
    --build-dir) build_dir=$2; shift ;;
    --no-build) build=0 ;;
    --swarm-bin) swarm_bin=$(realpath "$2"); shift ;;
    --idle) idle=$2; shift ;;
    --size-mb) size_mb=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --phases) phases=$2; shift ;;
    --lag-counts) lag_counts=$2; shift ;;
    --broker-option) broker_options+=("$2"); shift ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "bench/fanout.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$build_dir" in /*) ;; *) build_dir="$TANDEM_ROOT/$build_dir" ;; esac
if [ "$smoke" = 1 ]; then
    idle=${idle:-3} size_mb=${size_mb:-1} seconds=${seconds:-1}
    counts=(--web-counts 1,3 --lag-counts 3 --tmux-counts 2 --ssh-viewers 2 --joins 3)
    out=$TANDEM_ROOT/bench/results/fanout-smoke.md
else
    # 500 idle sessions would take ~16 minutes here: logins through tandem-sshd took ~1.9 s
    # each on this machine and concurrent ones did not overlap (docs/benchmarks.md).
    idle=${idle:-100} size_mb=${size_mb:-20} seconds=${seconds:-10}
    counts=(--web-counts 1,10,100 --lag-counts 10,100,1000 --tmux-counts 10,100,1000
        --ssh-viewers 10 --joins 50)
    out=$TANDEM_ROOT/bench/results/fanout-latest.md
fi

[ "$build" = 1 ] && TANDEM_BUILD_TARGETS="tandem-admin tandem-sshd tandem-shell tandem-broker tandem-keys tandem-viewer-swarm" \
    "$TANDEM_ROOT/scripts/build.sh" "$build_dir"
TANDEM_BIN=$build_dir/bin
# shellcheck source=scripts/lib/instance.sh
source "$TANDEM_ROOT/scripts/lib/instance.sh"

work=$(mktemp -d /tmp/tandem-fanout.XXXXXX)
cleanup() {
    tandem_sshd_stop
    tandem_broker_stop
    tandem_host_stop "$work/instance"
    "$TANDEM_ROOT/scripts/managed-host.sh" stop "$work/jump"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

swarm=${swarm_bin:-$TANDEM_BIN/tandem-viewer-swarm}
if [ ! -x "$swarm" ]; then
    # A build tree without the tool (e.g. --no-build on an older tree): compile just it.
    swarm=$work/tandem-viewer-swarm
    g++ -std=c++20 -O2 -o "$swarm" "$TANDEM_ROOT/bench/tools/viewer_swarm.cpp" -lssl -lcrypto -lpthread
fi

tandem_instance_up "$work/instance"
web_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
origin=https://127.0.0.1:$web_port
# Room for the largest swarm: one user's 1000 WebSockets in one share; 500 idle sessions.
limits=(--invite.max_participants=1000 --web.max_websockets_per_user=1000
    --web.max_connections=4000)
tandem_broker_start "$work/instance" "$work/tandem-broker.log" --web.listen="127.0.0.1:$web_port" \
    --web.public_url="$origin" "${limits[@]}" "${broker_options[@]}"
tandem_sshd_start "$work/instance" 0 "$work/tandem-sshd.log" --ssh.max_connections=2000 \
    --invite.max_participants=1000
jump_port=$("$TANDEM_ROOT/scripts/managed-host.sh" start "$work/jump")
login=$(id -un)
ca=$(tandem_conf_value "$work/instance/tandem.conf" web tls_cert)

# The invitee's web login (the guest user), the way the login page does it.
password=$(tandem_web_password "$work/instance" guest)
cookie=$(curl -sS --cacert "$ca" -D - -o /dev/null -H 'Content-Type: application/json' \
    -H "Origin: $origin" --data "{\"user\":\"guest\",\"password\":\"$password\"}" \
    "$origin/api/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' | head -n1)
[ -n "$cookie" ] || { echo "fanout: the web login of guest failed" >&2; exit 1; }

{
    echo "[127.0.0.1]:$TANDEM_HOST_PORT $(cut -d' ' -f1,2 "$work/instance/host/ssh_host_ed25519_key.pub")"
    echo "[127.0.0.1]:$jump_port $(cut -d' ' -f1,2 "$work/jump/ssh_host_ed25519_key.pub")"
    cat "$work/instance/known_hosts"
} >"$work/known_hosts"
cat >"$work/ssh_config" <<EOF
Host *
  HostName 127.0.0.1
  UserKnownHostsFile $work/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
  IdentitiesOnly yes
Host jump
  Port $jump_port
  User $login
  IdentityFile $work/jump/account_key
Host target
  Port $TANDEM_HOST_PORT
  User $login
  IdentityFile $work/instance/host/account_key
Host target-via-jump
  Port $TANDEM_HOST_PORT
  User $login
  IdentityFile $work/instance/host/account_key
  ProxyJump jump
Host bastion
  Port $TANDEM_SSHD_PORT
  User $TANDEM_DEMO_USER
  IdentityFile $work/instance/demo_user_key
Host join
  Port $TANDEM_SSHD_PORT
  User join
  IdentityFile $work/instance/guest_key
EOF

python3 - "$work/payload" "$size_mb" <<'PY'
import base64, os, sys
path, size = sys.argv[1], int(float(sys.argv[2]) * 1e6)
with open(path, "wb") as f:
    while size > 0:
        line = base64.encodebytes(os.urandom(57 * 1024))[:size]  # 76-column lines
        f.write(line)
        size -= len(line)
PY

smoke_flag=$([ "$smoke" = 1 ] && echo --smoke || true)
command="bench/fanout.sh${smoke_flag:+ $smoke_flag} --idle $idle --size-mb $size_mb --seconds $seconds --phases $phases${lag_counts:+ --lag-counts $lag_counts}"
for option in "${broker_options[@]}"; do command+=" --broker-option $option"; done
status=0
python3 "$TANDEM_ROOT/bench/fanout.py" --ssh-config "$work/ssh_config" \
    --account "$(tandem_demo_account)" --payload "$work/payload" --workdir "$work" \
    --swarm "$swarm" --ca "$ca" --cookie "$cookie" --origin "$origin" --web-port "$web_port" \
    --broker-pid "$TANDEM_BROKER_PID" --sshd-pid "$TANDEM_SSHD_PID" --idle "$idle" \
    --rate 1000000 --seconds "$seconds" "${counts[@]}" \
    ${lag_counts:+--lag-counts "$lag_counts" --tmux-counts "$lag_counts"} \
    --out "$out" --command "$command" \
    --phases "$phases" \
    ${smoke_flag:+"$smoke_flag"} || status=$?
if [ "$status" != 0 ]; then
    for f in "$work"/tandem-*.log; do
        echo "--- $(basename "$f") (last 30 lines) ---" >&2
        tail -n 30 "$f" >&2 || true
    done
    echo "fanout: FAILED" >&2
    exit "$status"
fi
echo "fanout: report written to ${out#"$TANDEM_ROOT"/}"
