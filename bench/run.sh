#!/usr/bin/env bash
# Relay benchmark: bulk PTY output and keystroke echo latency over three paths in one run.
#
#   bench/run.sh [--smoke] [--no-broker] [--runs N] [--size-mb N] [--echoes N] [--build-dir DIR]
#                [--no-build] [--no-openssh] [--broker-bin FILE]
#
# Paths, all ending in an interactive shell on the same managed host (a stock OpenSSH sshd on
# loopback, scripts/managed-host.sh):
#   direct           ssh -tt straight to the host
#   proxyjump        ssh -tt -J through a second stock sshd (the jump host)
#   tandem           ssh -tt through tandem-sshd, naming the account (demo@bastion LOGIN@HOST),
#                    with tandem-broker running as deployed (every session streams to it)
#   tandem-nobroker  the same through a second tandem-sshd whose hooks find no broker
#   tandem-openssh   OpenSSH drop-in mode: a stock sshd, tandem-keys, tandem-shell as the key's
#                    forced command (ssh -tt tandem@bastion LOGIN@HOST), with the broker; only
#                    as root (bench/lib/openssh_dropin.sh), skipped otherwise or with --no-openssh
# --broker-bin FILE: run that tandem-broker build instead (before/after comparisons).
# --no-broker: no broker at all; the tandem path is then the broker-less one (no tandem-nobroker).
# Full run: 100 MB of output and 2000 echo round trips per path, 3 runs, median; the table goes
# to stdout and bench/results/latest.md. --smoke: 2 MB, 50 round trips, 1 run (report in
# bench/results/smoke.md). Exits non-zero if any path does not work. Timings are reported,
# never asserted. See docs/benchmarks.md.
set -euo pipefail

TANDEM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
smoke=0 runs="" size_mb="" echoes="" build_dir=build build=1 broker=1 openssh=1
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) smoke=1 ;;
    --no-broker) broker=0 ;;
    --no-openssh) openssh=0 ;;
    --broker-bin) TANDEM_BROKER_BIN=$(realpath "$2"); shift ;;
    --runs) runs=$2; shift ;;
    --size-mb) size_mb=$2; shift ;;
    --echoes) echoes=$2; shift ;;
    --build-dir) build_dir=$2; shift ;;
    --no-build) build=0 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ "$smoke" = 1 ]; then
    runs=${runs:-1} size_mb=${size_mb:-2} echoes=${echoes:-50} warmup=5
else
    runs=${runs:-3} size_mb=${size_mb:-100} echoes=${echoes:-2000} warmup=50
fi
case "$build_dir" in /*) ;; *) build_dir="$TANDEM_ROOT/$build_dir" ;; esac

[ "$build" = 1 ] && TANDEM_BUILD_TARGETS="tandem-admin tandem-sshd tandem-shell tandem-broker tandem-keys" \
    "$TANDEM_ROOT/scripts/build.sh" "$build_dir"
TANDEM_BIN=$build_dir/bin
# shellcheck source=scripts/lib/instance.sh
source "$TANDEM_ROOT/scripts/lib/instance.sh"
# shellcheck source=bench/lib/openssh_dropin.sh
source "$TANDEM_ROOT/bench/lib/openssh_dropin.sh"
[ "$broker" = 1 ] && dropin_available || openssh=0

work=$(mktemp -d /tmp/tandem-bench.XXXXXX)
nobroker_sshd_pid=""
cleanup() {
    tandem_sshd_stop
    if [ -n "$nobroker_sshd_pid" ]; then
        TANDEM_SSHD_PID=$nobroker_sshd_pid
        tandem_sshd_stop
    fi
    tandem_broker_stop
    dropin_stop
    tandem_host_stop "$work/instance"
    "$TANDEM_ROOT/scripts/managed-host.sh" stop "$work/jump"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The same instance as the demo (user, host, account, grant), in a scratch directory.
tandem_instance_up "$work/instance"
sshd_args=()
if [ "$broker" = 1 ]; then
    # Hooks of the comparison sshd look for the broker where none listens.
    tandem_sshd_start "$work/instance" 0 "$work/tandem-sshd-nobroker.log" \
        --broker.socket="$work/no-broker.sock"
    nobroker_sshd_pid=$TANDEM_SSHD_PID nobroker_port=$TANDEM_SSHD_PORT
    cp "$work/instance/known_hosts" "$work/nobroker_known_hosts"
    if [ "$openssh" = 1 ]; then
        # One broker for both front ends, as the service login (drop-in hooks run as it).
        dropin_prepare "$work" "$work/instance"
        dropin_broker_start "$work/instance" "$work/tandem-broker.log" --web.listen=127.0.0.1:0
        sshd_args=(--broker.uid="$(id -u tandem)")
        dropin_sshd_start "$work" "$work/instance"
    else
        tandem_broker_start "$work/instance" "$work/tandem-broker.log" --web.listen=127.0.0.1:0
    fi
fi
tandem_sshd_start "$work/instance" 0 "$work/tandem-sshd.log" "${sshd_args[@]}"
jump_port=$("$TANDEM_ROOT/scripts/managed-host.sh" start "$work/jump")
host_port=$TANDEM_HOST_PORT
login=$(id -un)

{
    echo "[127.0.0.1]:$host_port $(cut -d' ' -f1,2 "$work/instance/host/ssh_host_ed25519_key.pub")"
    echo "[127.0.0.1]:$jump_port $(cut -d' ' -f1,2 "$work/jump/ssh_host_ed25519_key.pub")"
    cat "$work/instance/known_hosts"
    [ "$broker" = 1 ] && cat "$work/nobroker_known_hosts"
    [ "$openssh" = 1 ] &&
        echo "[127.0.0.1]:$DROPIN_PORT $(cut -d' ' -f1,2 "$work/dropin/ssh_host_ed25519_key.pub")"
} >"$work/known_hosts"
# One client configuration for every path, so only the route differs.
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
  Port $host_port
  User $login
  IdentityFile $work/instance/host/account_key
Host target-via-jump
  Port $host_port
  User $login
  IdentityFile $work/instance/host/account_key
  ProxyJump jump
Host bastion
  Port $TANDEM_SSHD_PORT
  User $TANDEM_DEMO_USER
  IdentityFile $work/instance/demo_user_key
Host dropin
  Port ${DROPIN_PORT:-0}
  User tandem
  IdentityFile $work/instance/demo_user_key
Host bastion-nobroker
  Port ${nobroker_port:-0}
  User $TANDEM_DEMO_USER
  IdentityFile $work/instance/demo_user_key
EOF

# Base64 text: what a terminal shows, and no byte the PTY's line discipline would act on.
python3 - "$work/payload" "$size_mb" <<'PY'
import base64, os, sys
path, size = sys.argv[1], int(float(sys.argv[2]) * 1e6)
with open(path, "wb") as f:
    while size > 0:
        line = base64.encodebytes(os.urandom(57 * 1024))[:size]  # 76-column lines
        f.write(line)
        size -= len(line)
PY

ssh_cmd="ssh -F $work/ssh_config -tt"
args=(
    --path "direct=$ssh_cmd target"
    --path "proxyjump=$ssh_cmd target-via-jump"
    --path "tandem=$ssh_cmd bastion $(tandem_demo_account)"
)
[ "$broker" = 1 ] && args+=(--path "tandem-nobroker=$ssh_cmd bastion-nobroker $(tandem_demo_account)")
[ "$openssh" = 1 ] && args+=(--path "tandem-openssh=$ssh_cmd dropin $(tandem_demo_account)")
args+=(
    --baseline proxyjump --target tandem
    --payload "$work/payload" --workdir "$work"
    --runs "$runs" --echoes "$echoes" --warmup "$warmup"
)
if [ "$smoke" = 1 ]; then
    args+=(--smoke --out "$TANDEM_ROOT/bench/results/smoke.md")
else
    args+=(--out "$TANDEM_ROOT/bench/results/latest.md")
fi
status=0
python3 "$TANDEM_ROOT/bench/relay_bench.py" "${args[@]}" || status=$?
# What the broker cost over the whole run (CPU time does not depend on how busy the machine was,
# wall-clock throughput does): user+system CPU seconds and peak RSS.
if [ -n "${TANDEM_BROKER_PID:-}" ] && [ -r "/proc/$TANDEM_BROKER_PID/stat" ]; then
    broker_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
        "/proc/$TANDEM_BROKER_PID/stat")
    broker_rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$TANDEM_BROKER_PID/status")
    # Proof that the broker paths really streamed to it: hooks log each registration.
    registered=$(grep -c 'registered with the broker' \
        "$(tandem_conf_value "$work/instance/tandem.conf" log file)" 2>/dev/null || true)
    line="tandem-broker over the run: ${broker_cpu} s CPU (user+system), peak RSS ${broker_rss} kB,"
    line+=" ${registered:-0} sessions registered with it"
    echo "$line"
    out_file=$TANDEM_ROOT/bench/results/$([ "$smoke" = 1 ] && echo smoke || echo latest).md
    [ -f "$out_file" ] && printf '\n%s\n' "$line" >>"$out_file"
fi
if [ "$status" != 0 ]; then
    log_file=$(tandem_conf_value "$work/instance/tandem.conf" log file)
    for f in "$work"/tandem-*.log "$work"/dropin/sshd.log ${log_file:+"$log_file"}; do
        echo "--- $(basename "$f") (last 40 lines) ---" >&2
        tail -n 40 "$f" >&2 || true
    done
    echo "bench: FAILED" >&2
    exit "$status"
fi
[ "$smoke" = 1 ] && echo "bench smoke: all paths work" ||
    echo "bench: report written to bench/results/latest.md"
