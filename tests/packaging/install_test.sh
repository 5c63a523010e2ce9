#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions run from traps
# Installs the .deb into a clean Debian 12 root and uses it the way an admin would, then upgrades
# to a newer package and purges it:
#   1. a minbase bookworm root from mmdebstrap (cached as BUILD_DIR/pkgtest/*.tar);
#   2. `apt-get install ./tandem_*.deb` in it (chroot: no systemd, so the units' ExecStart runs
#      as their User= by hand);
#   3. a user alice and a user bob, a managed host (scripts/managed-host.sh on loopback) and
#      grants with tandem-admin; alice sshes in from outside the root and shares, bob joins and
#      sees her screen;
#   4. an upgrade to the same tree packaged under a higher version: the users, the edited
#      tandem.conf, the keys and the recording survive;
#   5. `apt-get purge`: nothing of tandem is left (files, folders, logins).
# Needs root (chroot, mounts). Skips (exit 77) only when chroot or mounting is refused.
#
#   tests/packaging/install_test.sh [BUILD_DIR]      (default ./build; packages in dist/)
#   tests/packaging/install_test.sh --root-only [BUILD_DIR]
#       only makes the cached root (scripts/test.sh does this while the sanitizer tree builds)
set -euo pipefail

root_only=0
if [ "${1:-}" = --root-only ]; then
    root_only=1
    shift
fi
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$root_dir/build}
case "$build_dir" in /*) ;; *) build_dir="$root_dir/$build_dir" ;; esac
cd "$root_dir"

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
skip() { echo "SKIPPED: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root for chroot and mounts (running as uid $(id -u))"
chroot / true 2>/dev/null || skip "chroot is not permitted here"
unshare --mount true 2>/dev/null || skip "mount namespaces are not permitted here"

version=$(sed -nE 's/^project\(tandem VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
deb=dist/tandem_${version}_${arch}.deb
[ "$root_only" = 1 ] || [ -f "$deb" ] || scripts/package.sh --no-build --build-dir "$build_dir"

# --- 1. the clean root, cached: only what the package needs is preinstalled, and apt's lists
# are kept so installing the .deb needs no network.
cache=$build_dir/pkgtest
includes=libssh-4,libsqlite3-0,libvterm0,libboost-program-options1.74.0,libssl3,passwd
tarball=$cache/bookworm-minbase-$(echo "$includes" | md5sum | cut -c1-8).tar
if [ ! -f "$tarball" ] || [ ! -s "$tarball" ]; then
    mkdir -p "$cache"
    rm -rf "$cache"/bookworm-minbase-*.tar "$cache"/bookworm-minbase-*.tar.new
    t0=$(date +%s)
    # --format: mmdebstrap guesses the format from the name's extension, and ".new" would make it
    # a directory.
    mmdebstrap --quiet --format=tar --variant=minbase --skip=cleanup/apt/lists --include="$includes" \
        bookworm "$tarball.new" http://deb.debian.org/debian
    mv "$tarball.new" "$tarball"
    ok "made the Debian 12 root in $(($(date +%s) - t0))s (cached: $tarball)"
fi
[ "$root_only" = 0 ] || exit 0

work=$(mktemp -d /tmp/tandem-pkginstall.XXXXXX)
chr=$work/root
pids=()
# Every process whose root is the test's root (the services and the sessions they spawned),
# ended by pid: as systemd would on stop, and so userdel at purge finds no process of tandem's.
stop_root_processes() {
    local p pid found _
    for _ in $(seq 1 50); do
        found=0
        for p in /proc/[0-9]*; do
            [ "$(readlink "$p/root" 2>/dev/null)" = "$chr" ] || continue
            pid=${p#/proc/}
            found=1
            kill "$pid" 2>/dev/null || true
        done
        [ "$found" = 0 ] && break
        sleep 0.1
    done
    pids=()
}
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "${chr:-}" ] && stop_root_processes
    tmux -L "tandem-pkgtest-$$" kill-server 2>/dev/null || true
    scripts/managed-host.sh stop "$work/host" >/dev/null 2>&1 || true
    for m in dev/pts dev proc; do umount -l "$chr/$m" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir "$chr"
tar -xf "$tarball" -C "$chr"
mount -t proc proc "$chr/proc"
mount --bind /dev "$chr/dev"
mount --bind /dev/pts "$chr/dev/pts"
in_root() { chroot "$chr" "$@"; }
admin() { in_root runuser -u tandem -- tandem-admin "$@"; }

# --- 2. install
cp "$deb" "$chr/tmp/"
t0=$(date +%s)
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "/tmp/$(basename "$deb")" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "apt install"; }
ok "apt-get install of $(basename "$deb") in $(($(date +%s) - t0))s"
grep -q 'Next steps' "$work/install.log" || fail "the first install printed no next steps"
in_root getent passwd tandem >/dev/null || fail "no tandem login"
[ "$(in_root id -u join)" = "$(in_root id -u tandem)" ] || fail "join does not share tandem's uid"
for f in ssh_host_ed25519_key tls.key invite-signing.pem; do
    [ "$(stat -c '%a %U' "$chr/etc/tandem/$f")" = "600 tandem" ] || fail "/etc/tandem/$f: $(stat -c '%a %U' "$chr/etc/tandem/$f")"
done
[ "$(stat -c '%a %U' "$chr/var/lib/tandem")" = "700 tandem" ] || fail "/var/lib/tandem mode"
[ -f "$chr/var/lib/tandem/tandem.db" ] || fail "no store"
[ ! -e "$chr/etc/ssh/sshd_config.d/tandem.conf" ] || fail "the OpenSSH snippet was enabled"
ok "logins, keys (0600, tandem), store and state folder in place"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
ssh_port=$(free_port) web_port=$(free_port)
# The admin's edits: loopback ports for the test, and a public address.
sed -i -e "s|^listen = 0.0.0.0:2222|listen = 127.0.0.1:$ssh_port|" \
    -e "s|^listen = 0.0.0.0:8443|listen = 127.0.0.1:$web_port|" \
    -e "s|^public_address =\$|public_address = 127.0.0.1:$ssh_port|" "$chr/etc/tandem/tandem.conf"
grep -q "127.0.0.1:$ssh_port" "$chr/etc/tandem/tandem.conf" || fail "config edit"

# Starts a unit's ExecStart as its User= inside the root, waits for its listening line.
start_unit() { # UNIT READY-TEXT
    local unit=$chr/usr/lib/systemd/system/$1 user exec log=$work/$1.log
    user=$(sed -n 's/^User=//p' "$unit")
    exec=$(sed -n 's/^ExecStart=//p' "$unit")
    # shellcheck disable=SC2086  # ExecStart is a command line
    chroot --userspec="$user:$user" "$chr" $exec >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        grep -q "$2" "$log" && return 0
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log"
    fail "$1 did not start"
}
start_unit tandem-broker.service 'tandem-broker listening on'
start_unit tandem-sshd.service "listening on 127.0.0.1:$ssh_port"
ok "tandem-broker and tandem-sshd run as tandem from their units' ExecStart"

# --- 3. a user, a host, a grant; ssh in from outside, share, join
host_port=$(scripts/managed-host.sh start "$work/host")
login=$(id -un)
for u in alice bob; do
    ssh-keygen -q -t ed25519 -N '' -C "$u" -f "$work/$u"
    cp "$work/$u.pub" "$chr/tmp/"
    admin user add "$u" --key "/tmp/$u.pub" >/dev/null
done
cp "$work/host/ssh_host_ed25519_key.pub" "$chr/tmp/host.pub"
cp "$work/host/account_key" "$chr/tmp/account_key"
chmod 644 "$chr/tmp/account_key"
admin host add web01 127.0.0.1 --port "$host_port" --host-key /tmp/host.pub >/dev/null
admin account add "$login@web01" --key /tmp/account_key >/dev/null
rm -f "$chr/tmp/account_key"
admin grant alice "$login@web01" >/dev/null
admin grant bob "$login@web01" >/dev/null
ok "user, host, account and grants added with tandem-admin"

ssh_opts=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
    -o IdentitiesOnly=yes -p "$ssh_port")
tm() { tmux -L "tandem-pkgtest-$$" "$@"; }
wait_pane() { # PANE TEXT (a grep pattern), within 30 s
    local _
    for _ in $(seq 1 300); do
        tm capture-pane -p -t "$1" 2>/dev/null | grep -q "$2" && return 0
        sleep 0.1
    done
    tm capture-pane -p -t "$1" 2>&1
    echo "--- alice:"; tm capture-pane -p -J -t alice 2>&1 | grep -v "^$"
    fail "pane $1 never showed: $2"
}
tm new-session -d -s alice -x 120 -y 30 "ssh -tt ${ssh_opts[*]} -i $work/alice alice@127.0.0.1"
wait_pane alice 'tandem>'
tm send-keys -t alice "share $login@web01" Enter
wait_pane alice 'join@'
token=$(tm capture-pane -p -J -t alice | grep -o 'join@[^ ]* [A-Za-z0-9._~-]*' | head -1 | cut -d' ' -f2)
[ -n "$token" ] || fail "no invite token in alice's screen"
# The invite stays on tandem's command line until an empty line closes it; then the host's
# shell prompt is back.
tm send-keys -t alice Enter
wait_pane alice '[#$] *$'
tm send-keys -t alice "echo shared-from-the-package" Enter
wait_pane alice '^shared-from-the-package'
# The pane outlives ssh so a failure shows what bob saw.
tm new-session -d -s bob -x 120 -y 30 "ssh -tt ${ssh_opts[*]} -i $work/bob join@127.0.0.1 $token; sleep 60"
wait_pane bob 'shared-from-the-package'
tm send-keys -t alice "echo second-line-live" Enter
wait_pane bob 'second-line-live'
ok "alice shared over ssh, bob joined and follows her screen live"
tm send-keys -t alice "exit" Enter
recording=""
for _ in $(seq 1 100); do
    recording=$(find "$chr/var/lib/tandem/recordings" -name '*.cast' | head -1)
    [ -n "$recording" ] && break
    sleep 0.1
done
[ -n "$recording" ] || fail "no recording"
tm kill-server 2>/dev/null || true
stop_root_processes
rec_sum=$(md5sum <"$recording")
key_sum=$(md5sum <"$chr/etc/tandem/ssh_host_ed25519_key")

# --- 4. upgrade to a rebuilt, newer package
new_version="$version+upgradetest"
scripts/package.sh --no-build --build-dir "$build_dir" --version "$new_version" --deb-only >/dev/null
new_deb=dist/tandem_${new_version}_${arch}.deb
cp "$new_deb" "$chr/tmp/"
rm -f "$new_deb"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "/tmp/$(basename "$new_deb")" >"$work/upgrade.log" 2>&1 ||
    { cat "$work/upgrade.log"; fail "apt upgrade"; }
[ "$(in_root dpkg-query -W -f="\${Version}" tandem)" = "$new_version" ] || fail "not upgraded"
grep -q 'Next steps' "$work/upgrade.log" && fail "the upgrade printed the first-install steps"
grep -q "listen = 127.0.0.1:$ssh_port" "$chr/etc/tandem/tandem.conf" || fail "config edit lost"
[ "$(md5sum <"$recording")" = "$rec_sum" ] || fail "recording changed or lost"
[ "$(md5sum <"$chr/etc/tandem/ssh_host_ed25519_key")" = "$key_sum" ] || fail "host key replaced"
admin sessions | grep -q alice || fail "alice's session is gone from the store"
if admin user add bob --key /tmp/bob.pub >/dev/null 2>&1; then fail "bob was lost"; fi
start_unit tandem-sshd.service "listening on 127.0.0.1:$ssh_port"
ok "upgraded to $new_version: users, sessions, config edit, keys and recording kept; sshd starts"
stop_root_processes

# --- 5. purge
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tandem >"$work/purge.log" 2>&1 ||
    { cat "$work/purge.log"; fail "apt purge"; }
left=$(cd "$chr" || exit 1; find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp \) -prune -o \
    -iname '*tandem*' -print | grep -v '^./var/lib/dpkg/info\|^./var/log/apt\|^./var/cache/apt' || true)
[ -z "$left" ] || fail "left after purge: $left"
if in_root getent passwd tandem >/dev/null || in_root getent passwd join >/dev/null; then
    cat "$work/purge.log"; fail "a service login survived the purge"
fi
in_root getent group tandem >/dev/null && fail "the tandem group survived the purge"
ok "purged: no file, folder or login of tandem is left"
