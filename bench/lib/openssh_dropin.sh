# shellcheck shell=bash
# OpenSSH drop-in mode for the benchmarks (docs/openssh-mode.md): a stock sshd on loopback whose
# AuthorizedKeysCommand is tandem-keys, so people reach tandem-shell as a forced command. Needs
# root (sshd, the logins tandem and join). Sourced by bench/run.sh after scripts/lib/instance.sh.
#
# The instance is handed to the service login (the hooks run as it and open the store), and the
# broker runs as it too; tandem-sshd's hooks (root) accept it through broker.uid.

dropin_available() {
    [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ] && command -v setpriv >/dev/null
}

# Creates the logins as the integration harness does: both share one uid, '*' = no password.
dropin_logins() {
    getent passwd tandem >/dev/null ||
        useradd --system --user-group --shell /bin/sh --home-dir / --no-create-home \
            --password '*' tandem
    getent passwd join >/dev/null ||
        useradd --non-unique --uid "$(id -u tandem)" --gid "$(id -g tandem)" --shell /bin/sh \
            --home-dir / --no-create-home --password '*' join
}

# Copies the binaries where sshd accepts an AuthorizedKeysCommand (root-owned path) and the
# service login can run them, points the instance at them and hands the instance over.
dropin_prepare() { # WORK INSTANCE_DIR
    local work=$1 dir=$2 name
    dropin_logins
    DROPIN_BIN=/run/tandem-bench-$$
    install -d -m 0755 "$DROPIN_BIN"
    for name in tandem-keys tandem-shell; do
        install -m 0755 "$TANDEM_BIN/$name" "$DROPIN_BIN/$name"
    done
    install -m 0755 "${TANDEM_BROKER_BIN:-$TANDEM_BIN/tandem-broker}" "$DROPIN_BIN/tandem-broker"
    sed -i "s|^shell = /usr/bin/tandem-shell|shell = $DROPIN_BIN/tandem-shell|" "$dir/tandem.conf"
    chmod 0711 "$work"
    chown -R tandem: "$dir"
}

# Starts the broker as the service login; sets TANDEM_BROKER_PID.
dropin_broker_start() { # INSTANCE_DIR LOG [ARGS...]
    local dir=$1 log=$2 _
    shift 2
    : >"$log"
    # setpriv execs the broker itself (runuser would stay its parent), so the pid is the broker's.
    setpriv --reuid=tandem --regid=tandem --init-groups "$DROPIN_BIN/tandem-broker" \
        --config "$dir/tandem.conf" "$@" >>"$log" 2>&1 </dev/null &
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

# Starts the stock sshd with packaging/sshd_config.d/tandem.conf; sets DROPIN_PID, DROPIN_PORT
# and writes WORK/dropin/ssh_host_ed25519_key.pub.
dropin_sshd_start() { # WORK INSTANCE_DIR
    local work=$1 dir=$2 d=$1/dropin _
    mkdir -p "$d" /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$d/ssh_host_ed25519_key"
    DROPIN_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    {
        printf 'ListenAddress 127.0.0.1:%s\nHostKey %s\nPidFile none\nUsePAM no\n' \
            "$DROPIN_PORT" "$d/ssh_host_ed25519_key"
        printf 'AuthorizedKeysFile none\nPasswordAuthentication no\n'
        printf 'KbdInteractiveAuthentication no\nAllowUsers tandem join\n'
        sed -e "s|/usr/sbin/tandem-keys|$DROPIN_BIN/tandem-keys|" \
            -e "s|/etc/tandem/tandem.conf|$dir/tandem.conf|" \
            "$TANDEM_ROOT/packaging/sshd_config.d/tandem.conf"
    } >"$d/sshd_config"
    /usr/sbin/sshd -D -e -f "$d/sshd_config" >"$d/sshd.log" 2>&1 </dev/null &
    DROPIN_PID=$!
    for _ in $(seq 1 100); do
        grep -q "Server listening on 127.0.0.1 port $DROPIN_PORT" "$d/sshd.log" && return 0
        kill -0 "$DROPIN_PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$d/sshd.log" >&2
    echo "the drop-in sshd did not start (its log is above)" >&2
    return 1
}

dropin_stop() {
    if [ -n "${DROPIN_PID:-}" ]; then
        kill -TERM "$DROPIN_PID" 2>/dev/null || true
        wait "$DROPIN_PID" 2>/dev/null || true
        DROPIN_PID=""
    fi
    [ -n "${DROPIN_BIN:-}" ] && rm -rf "$DROPIN_BIN"
    DROPIN_BIN=""
}
