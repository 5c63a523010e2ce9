# shellcheck shell=bash
# Setting up a self-contained tandem instance with a demo managed host, and running tandem-sshd.
# Sourced by scripts/demo.sh and bench/run.sh so the set-up exists once. Needs `set -euo pipefail`
# in the caller and TANDEM_ROOT (the repository) and TANDEM_BIN (the build's bin/ directory).
#
# Instance layout (DIR):
#   tandem.conf, tandem.db, ...     written by `tandem-admin init --dir DIR`
#   host/                           the managed host (scripts/managed-host.sh), its keys and port
#   demo_user_key[.pub]             the demo user's SSH key
#   known_hosts                     the bastion's host key, for `ssh -o UserKnownHostsFile=...`
#   .provisioned                    present once user, host, account and grant are in the store

TANDEM_DEMO_USER=${TANDEM_DEMO_USER:-demo}
TANDEM_DEMO_HOST=${TANDEM_DEMO_HOST:-demo-host}

tandem_admin() { # DIR ARGS...
    local dir=$1
    shift
    "$TANDEM_BIN/tandem-admin" --config "$dir/tandem.conf" "$@"
}

# Prints the value of KEY in [SECTION] of an INI file (empty when absent).
tandem_conf_value() { # FILE SECTION KEY
    awk -v want_section="$2" -v want_key="$3" '
        /^[[:space:]]*\[/ { gsub(/[][[:space:]]/, ""); section = $0; next }
        section == want_section {
            line = $0; sub(/[#;].*/, "", line)
            n = index(line, "=")
            if (n == 0) next
            key = substr(line, 1, n - 1); value = substr(line, n + 1)
            gsub(/^[[:space:]]+|[[:space:]]+$/, "", key); gsub(/^[[:space:]]+|[[:space:]]+$/, "", value)
            if (key == want_key) { print value; exit }
        }' "$1"
}

tandem_port_is_free() { # PORT
    python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

# Starts DIR/host on the port it had before (the store pins its address), or a free one the
# first time. Prints the port.
tandem_host_start() { # DIR
    local host_dir=$1/host port=""
    [ -s "$host_dir/port" ] && port=$(cat "$host_dir/port")
    "$TANDEM_ROOT/scripts/managed-host.sh" stop "$host_dir" # a leftover from a killed run
    if [ -n "$port" ] && ! tandem_port_is_free "$port"; then
        echo "port $port, where the instance's managed host listens, is taken by another" \
            "program; free it, or delete $1 to start afresh" >&2
        return 1
    fi
    port=$("$TANDEM_ROOT/scripts/managed-host.sh" start "$host_dir" ${port:+"$port"})
    echo "$port" >"$host_dir/port"
    echo "$port"
}

tandem_host_stop() { # DIR
    "$TANDEM_ROOT/scripts/managed-host.sh" stop "$1/host"
}

# The account the demo user works on: the current Unix user on the demo host.
tandem_demo_account() {
    echo "$(id -un)@$TANDEM_DEMO_HOST"
}

# Creates the instance when DIR/tandem.conf is missing, starts its managed host and puts the demo
# user, host, account and grant in the store once. A half-done first set-up is removed so the
# next run starts clean. Sets TANDEM_HOST_PORT.
tandem_instance_up() { # DIR
    local dir=$1
    if [ ! -f "$dir/tandem.conf" ]; then
        rm -rf "$dir"
        tandem_admin_init "$dir"
    fi
    TANDEM_HOST_PORT=$(tandem_host_start "$dir")
    [ -f "$dir/.provisioned" ] && return 0
    if ! tandem_provision "$dir"; then
        tandem_host_stop "$dir"
        rm -rf "$dir"
        echo "setting up the instance in $dir failed (message above); it was removed" >&2
        return 1
    fi
    touch "$dir/.provisioned"
}

tandem_admin_init() { # DIR
    mkdir -p "$(dirname "$1")"
    "$TANDEM_BIN/tandem-admin" init --dir "$1"
}

tandem_provision() { # DIR (with its host running on TANDEM_HOST_PORT)
    local dir=$1
    [ -f "$dir/demo_user_key" ] ||
        ssh-keygen -q -t ed25519 -N '' -C "$TANDEM_DEMO_USER@tandem-demo" -f "$dir/demo_user_key"
    tandem_admin "$dir" user add "$TANDEM_DEMO_USER" --key "$dir/demo_user_key.pub" &&
        tandem_admin "$dir" host add "$TANDEM_DEMO_HOST" 127.0.0.1 --port "$TANDEM_HOST_PORT" \
            --host-key "$dir/host/ssh_host_ed25519_key.pub" &&
        tandem_admin "$dir" account add "$(tandem_demo_account)" --key "$dir/host/account_key" &&
        tandem_admin "$dir" grant "$TANDEM_DEMO_USER" "$(tandem_demo_account)" &&
        tandem_add_guest "$dir"
}

# A second person for trying shared sessions: `guest`, holding a grant on the same account.
tandem_add_guest() { # DIR
    local dir=$1
    [ -f "$dir/guest_key" ] && return 0
    ssh-keygen -q -t ed25519 -N '' -C "guest@tandem-demo" -f "$dir/guest_key" &&
        tandem_admin "$dir" user add guest --key "$dir/guest_key.pub" &&
        tandem_admin "$dir" grant guest "$(tandem_demo_account)"
}

# Gives USER a random web password once, kept in DIR/USER.web-password (0600); prints it.
tandem_web_password() { # DIR USER
    local dir=$1 user=$2 file=$1/$2.web-password
    if [ ! -s "$file" ]; then
        (umask 077 && openssl rand -base64 12 | tr -d '/+=\n' >"$file.new")
        tandem_admin "$dir" user passwd "$user" <"$file.new" >/dev/null
        mv "$file.new" "$file"
    fi
    cat "$file"
}

# The first free port from PORT upwards (20 tries); prints it.
tandem_free_port_from() { # PORT
    local port=$1 _
    for _ in $(seq 1 20); do
        tandem_port_is_free "$port" && echo "$port" && return 0
        port=$((port + 1))
    done
    echo "no free port from $1 to $port" >&2
    return 1
}

# Starts tandem-broker for DIR (sharing, web face); extra ARGS are --section.key=value
# overrides. Sets TANDEM_BROKER_PID. Sessions work without it.
tandem_broker_start() { # DIR LOG [ARGS...]
    local dir=$1 log=$2 _
    shift 2
    : >"$log"
    "${TANDEM_BROKER_BIN:-$TANDEM_BIN/tandem-broker}" --config "$dir/tandem.conf" "$@" >>"$log" 2>&1 </dev/null &
    TANDEM_BROKER_PID=$!
    for _ in $(seq 1 100); do
        grep -q 'tandem-broker listening on' "$log" && return 0
        kill -0 "$TANDEM_BROKER_PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$log" >&2
    echo "tandem-broker did not start (its output is above)" >&2
    return 1
}

tandem_broker_stop() {
    [ -n "${TANDEM_BROKER_PID:-}" ] || return 0
    kill -TERM "$TANDEM_BROKER_PID" 2>/dev/null || true
    wait "$TANDEM_BROKER_PID" 2>/dev/null || true
    TANDEM_BROKER_PID=""
}

# Starts tandem-sshd for DIR in its own process group, listening on 127.0.0.1:PORT (0 = any free
# port), with its output in LOG. Waits until it listens; sets TANDEM_SSHD_PID and TANDEM_SSHD_PORT
# and writes DIR/known_hosts with the bastion's host key for that port. Extra ARGS are
# --section.key=value overrides (tandem-sshd passes them on to its hooks).
tandem_sshd_start() { # DIR PORT LOG [ARGS...]
    local dir=$1 port=$2 log=$3 line="" _
    shift 3
    : >"$log"
    setsid "$TANDEM_BIN/tandem-sshd" --config "$dir/tandem.conf" --ssh.listen="127.0.0.1:$port" \
        "$@" >>"$log" 2>&1 </dev/null &
    TANDEM_SSHD_PID=$!
    for _ in $(seq 1 200); do
        line=$(grep -m1 -o 'tandem-sshd listening on 127\.0\.0\.1:[0-9]*' "$log" || true)
        [ -n "$line" ] && break
        kill -0 "$TANDEM_SSHD_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$line" ]; then
        cat "$log" >&2
        echo "tandem-sshd did not start (its output is above)" >&2
        tandem_sshd_stop
        return 1
    fi
    TANDEM_SSHD_PORT=${line##*:}
    local host_key
    host_key=$(tandem_conf_value "$dir/tandem.conf" ssh host_key)
    echo "[127.0.0.1]:$TANDEM_SSHD_PORT $(cut -d' ' -f1,2 "$host_key.pub" 2>/dev/null ||
        ssh-keygen -y -f "$host_key")" >"$dir/known_hosts"
}

# Ends tandem-sshd and every connection process it spawned (its process group).
tandem_sshd_stop() {
    [ -n "${TANDEM_SSHD_PID:-}" ] || return 0
    kill -TERM -- "-$TANDEM_SSHD_PID" 2>/dev/null || true
    local _
    for _ in $(seq 1 50); do
        kill -0 "$TANDEM_SSHD_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL -- "-$TANDEM_SSHD_PID" 2>/dev/null || true
    wait "$TANDEM_SSHD_PID" 2>/dev/null || true
    TANDEM_SSHD_PID=""
}
