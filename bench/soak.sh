#!/usr/bin/env bash
# Soak: many shared sessions, each watched by SSH and WebSocket viewers, streaming a mix of
# terminal output for minutes (issue 13).
#
#   bench/soak.sh [--smoke] [--sessions N] [--viewers N] [--ssh-viewers N] [--minutes M]
#                 [--rate BYTES_PER_S] [--warmup S] [--seed S] [--build-dir DIR] [--no-build]
#                 [--keep-work]
#
# Starts the demo instance as bench/fanout.sh does (scripts/lib/instance.sh, its own folder,
# random 127.0.0.1 ports, tandem-broker with its web face). N creators log in through tandem-sshd
# with the real ssh client and `share`; each share gets --viewers viewers, --ssh-viewers of them
# `ssh join@` on PTYs and the rest WebSocket viewers (tandem-viewer-swarm). Every creator runs
# bench/soak_gen.py on the host: full-screen redraws on the alternate screen, cursor moves, a
# scroll region, SGR colours, UTF-8 with wide CJK and combining marks, bulk lines, at --rate
# bytes/s for --minutes, then a still final screen and an end marker. Then (bench/soak.py):
#   - every viewer's screen (ScreenState: rows, attributes, cursor) equals its creator's;
#   - each session's recording holds exactly the bytes the generator wrote (SHA-256);
#   - no viewer dropped, no process died; RSS at warm-up end vs the end (full run: any process
#     past 1 MiB + 2 % growth fails).
# Defaults: 100 sessions x 5 viewers (2 SSH), 10 minutes at 2000 B/s per session, warm-up 300 s;
# --smoke: 8 x 5 (2 SSH), 42 s at 2000 B/s, warm-up 15 s (what CI runs). Report on stdout and
# in bench/results/soak-latest.md (--smoke: soak-smoke.md); a failing session's streams are kept
# in bench/results/soak-failures/ (--keep-work keeps the whole scratch folder: streams/ holds every
# client's bytes). Exits non-zero on any failed check. See docs/benchmarks.md.
set -euo pipefail

TANDEM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
smoke=0 build_dir=build build=1 sessions="" viewers="" ssh_viewers="" minutes="" rate="" warmup=""
seed=1 keep_work=0
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) smoke=1 ;;
    --sessions) sessions=$2; shift ;;
    --viewers) viewers=$2; shift ;;
    --ssh-viewers) ssh_viewers=$2; shift ;;
    --minutes) minutes=$2; shift ;;
    --rate) rate=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --seed) seed=$2; shift ;;
    --build-dir) build_dir=$2; shift ;;
    --no-build) build=0 ;;
    --keep-work) keep_work=1 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench/soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$build_dir" in /*) ;; *) build_dir="$TANDEM_ROOT/$build_dir" ;; esac
if [ "$smoke" = 1 ]; then
    # 8 sessions: one batch of logins (about 12 s here; a login through tandem-sshd is slow,
    # docs/benchmarks.md), so the whole smoke stays near 75 s.
    sessions=${sessions:-8} viewers=${viewers:-5} ssh_viewers=${ssh_viewers:-2}
    minutes=${minutes:-0.7} rate=${rate:-2000} warmup=${warmup:-15}
    out=$TANDEM_ROOT/bench/results/soak-smoke.md
else
    # Warm-up 300 s: a creator's hook keeps the newest output for a broker reconnect in a buffer
    # that grows to 512 KB before it is cut back to 256 KB, and the recording has a 256 KB stdio
    # buffer; at 2000 B/s they reach full size after about 260 s.
    sessions=${sessions:-100} viewers=${viewers:-5} ssh_viewers=${ssh_viewers:-2}
    minutes=${minutes:-10} rate=${rate:-2000} warmup=${warmup:-300}
    out=$TANDEM_ROOT/bench/results/soak-latest.md
fi
[ "$ssh_viewers" -le "$viewers" ] || { echo "soak: --ssh-viewers exceeds --viewers" >&2; exit 2; }

[ "$build" = 1 ] && TANDEM_BUILD_TARGETS="tandem-admin tandem-sshd tandem-shell tandem-broker tandem-keys tandem-viewer-swarm tandem-soak-screen" \
    "$TANDEM_ROOT/scripts/build.sh" "$build_dir"
TANDEM_BIN=$build_dir/bin
for tool in tandem-viewer-swarm tandem-soak-screen; do
    [ -x "$TANDEM_BIN/$tool" ] || { echo "soak: $TANDEM_BIN/$tool is missing (build it)" >&2; exit 1; }
done
# shellcheck source=scripts/lib/instance.sh
source "$TANDEM_ROOT/scripts/lib/instance.sh"

work=$(mktemp -d /tmp/tandem-soak.XXXXXX)
cleanup() {
    tandem_sshd_stop
    tandem_broker_stop
    tandem_host_stop "$work/instance"
    if [ "$keep_work" = 1 ]; then echo "soak: work folder kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tandem_instance_up "$work/instance"
web_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
origin=https://127.0.0.1:$web_port
per_share=$((viewers + 1))
total=$((sessions * viewers + 100))
limits=(--invite.max_participants="$per_share"
    --web.max_websockets_per_user="$((total < 1000 ? total : 1000))"
    --web.max_connections="$total")
tandem_broker_start "$work/instance" "$work/tandem-broker.log" --web.listen="127.0.0.1:$web_port" \
    --web.public_url="$origin" "${limits[@]}"
tandem_sshd_start "$work/instance" 0 "$work/tandem-sshd.log" --ssh.max_connections="$total" \
    --invite.max_participants="$per_share"
ca=$(tandem_conf_value "$work/instance/tandem.conf" web tls_cert)
recordings=$(tandem_conf_value "$work/instance/tandem.conf" session recordings_dir)
case "$recordings" in /*) ;; *) recordings="$work/instance/$recordings" ;; esac

password=$(tandem_web_password "$work/instance" guest)
cookie=$(curl -sS --cacert "$ca" -D - -o /dev/null -H 'Content-Type: application/json' \
    -H "Origin: $origin" --data "{\"user\":\"guest\",\"password\":\"$password\"}" \
    "$origin/api/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' | head -n1)
[ -n "$cookie" ] || { echo "soak: the web login of guest failed" >&2; exit 1; }

{
    echo "[127.0.0.1]:$TANDEM_HOST_PORT $(cut -d' ' -f1,2 "$work/instance/host/ssh_host_ed25519_key.pub")"
    cat "$work/instance/known_hosts"
} >"$work/known_hosts"
cat >"$work/ssh_config" <<EOC
Host *
  HostName 127.0.0.1
  UserKnownHostsFile $work/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
  IdentitiesOnly yes
Host bastion
  Port $TANDEM_SSHD_PORT
  User $TANDEM_DEMO_USER
  IdentityFile $work/instance/demo_user_key
Host join
  Port $TANDEM_SSHD_PORT
  User join
  IdentityFile $work/instance/guest_key
EOC

smoke_flag=$([ "$smoke" = 1 ] && echo --smoke || true)
command="bench/soak.sh${smoke_flag:+ $smoke_flag} --sessions $sessions --viewers $viewers --ssh-viewers $ssh_viewers --minutes $minutes --rate $rate --warmup $warmup --seed $seed"
status=0
python3 "$TANDEM_ROOT/bench/soak.py" --ssh-config "$work/ssh_config" \
    --account "$(tandem_demo_account)" --workdir "$work" --swarm "$TANDEM_BIN/tandem-viewer-swarm" \
    --screen-bin "$TANDEM_BIN/tandem-soak-screen" --gen "$TANDEM_ROOT/bench/soak_gen.py" \
    --ca "$ca" --cookie "$cookie" --origin "$origin" --web-port "$web_port" \
    --recordings "$recordings" --keep "$TANDEM_ROOT/bench/results/soak-failures" \
    --broker-pid "$TANDEM_BROKER_PID" --sshd-pid "$TANDEM_SSHD_PID" --sessions "$sessions" \
    --viewers "$viewers" --ssh-viewers "$ssh_viewers" --rate "$rate" --seed "$seed" \
    --seconds "$(python3 -c "print($minutes * 60)")" --warmup "$warmup" \
    --out "$out" --command "$command" ${smoke_flag:+"$smoke_flag"} || status=$?
# Sanitizer reports (a build with -DTANDEM_SANITIZE=ON): the daemons' logs, and every client's
# stream (a hook's stderr reaches its ssh client). Leak reports come at exit: daemons stopped first.
tandem_sshd_stop
tandem_broker_stop
mapfile -t reports < <(grep -l -a -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$work"/tandem-*.log "$work"/streams/* 2>/dev/null || true)
if [ ${#reports[@]} -gt 0 ]; then
    echo "soak: sanitizer reports in: ${reports[*]}" >&2
    grep -a -h -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "${reports[@]}" |
        head -n 200 >&2 || true
    printf '\n## Sanitizer reports: the run FAILED\n\nIn: %s\n' \
        "$(for f in "${reports[@]}"; do basename "$f"; done | tr '\n' ' ')" >>"$out"
    status=1
fi
if [ "$status" != 0 ]; then
    for f in "$work"/tandem-*.log; do
        echo "--- $(basename "$f") (last 30 lines) ---" >&2
        tail -n 30 "$f" >&2 || true
    done
    echo "soak: FAILED" >&2
    exit "$status"
fi
echo "soak: report written to ${out#"$TANDEM_ROOT"/}"
