#!/usr/bin/env bash
# Checks the built packages: scripts/package.sh on an already built tree, then the .deb's and the
# .rpm's metadata and contents, lintian and rpmlint (no errors; warnings printed), and
# systemd-analyze verify on the units as installed. Exits non-zero on the first failed check.
#
#   tests/packaging/check_packages.sh [BUILD_DIR]      (default ./build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$root/build}
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
cd "$root"
work=$(mktemp -d /tmp/tandem-pkgcheck.XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

version=$(sed -nE 's/^project\(tandem VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
rpm_arch=$(uname -m)
deb=dist/tandem_${version}_${arch}.deb
rpm=dist/tandem-${version}.${rpm_arch}.rpm
rm -f "$deb" "$rpm"

t0=$(date +%s)
scripts/package.sh --no-build --build-dir "$build_dir"
[ -f "$deb" ] || fail "$deb was not built"
[ -f "$rpm" ] || fail "$rpm was not built"
ok "packages built in $(($(date +%s) - t0))s: $deb ($(du -k "$deb" | cut -f1) KiB), $rpm ($(du -k "$rpm" | cut -f1) KiB)"

# Every installed file an installed system needs, in both packages.
expected=(
    /usr/bin/tandem-admin /usr/bin/tandem-shell
    /usr/sbin/tandem-sshd /usr/sbin/tandem-broker /usr/sbin/tandem-keys
    /etc/tandem/tandem.conf
    /usr/lib/systemd/system/tandem-broker.service /usr/lib/systemd/system/tandem-sshd.service
    /usr/lib/tmpfiles.d/tandem.conf /usr/libexec/tandem/package-setup
    /usr/share/tandem/webview/join.html /usr/share/tandem/webview/xterm.js
    /usr/share/tandem/webview/xterm.css /usr/share/tandem/sshd_config.d/tandem.conf
    /usr/share/doc/tandem/copyright /usr/share/doc/tandem/changelog.gz
    /usr/share/doc/tandem/install.md /usr/share/doc/tandem/configuration.md
    /usr/share/man/man1/tandem-admin.1.gz /usr/share/man/man1/tandem-shell.1.gz
    /usr/share/man/man8/tandem-sshd.8.gz /usr/share/man/man8/tandem-broker.8.gz
    /usr/share/man/man8/tandem-keys.8.gz /usr/share/man/man5/tandem.conf.5.gz
)

# --- deb: metadata and contents
dpkg-deb -I "$deb" >"$work/deb-info"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\.||' >"$work/deb-files"
field() { sed -nE "s/^ $1: (.*)/\1/p" "$work/deb-info"; }
[ "$(field Package)" = tandem ] || fail "deb Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "deb Version: $(field Version), want $version"
[ "$(field Architecture)" = "$arch" ] || fail "deb Architecture: $(field Architecture)"
depends=$(field Depends)
for dep in libssh-4 libsqlite3-0 libvterm0 libboost-program-options1.74.0 libssl3 libc6 passwd; do
    grep -qE "(^|, )$dep( |,|$)" <<<"$depends" || fail "deb Depends lacks $dep: $depends"
done
for f in "${expected[@]}"; do
    grep -qxF "$f" "$work/deb-files" || fail "deb lacks $f"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$work" ./conffiles ./postinst ./prerm ./postrm
grep -qxF /etc/tandem/tandem.conf "$work/conffiles" || fail "tandem.conf is not a deb conffile"
dpkg-deb -c "$deb" | grep -E ' \./usr/bin/tandem-admin$' | grep -q '^-rwxr-xr-x root/root' ||
    fail "tandem-admin is not root-owned 0755"
ok "deb metadata and contents (Depends: $depends)"

# --- rpm: metadata and contents
rpm -qip "$rpm" >"$work/rpm-info" 2>/dev/null
grep -qE '^Name +: tandem$' "$work/rpm-info" || fail "rpm Name"
grep -qE "^Version +: $version\$" "$work/rpm-info" || fail "rpm Version"
rpm -qlp "$rpm" 2>/dev/null >"$work/rpm-files"
for f in "${expected[@]}"; do
    grep -qxF "$f" "$work/rpm-files" || fail "rpm lacks $f"
done
# Directories the distribution owns must not be claimed by the package.
for d in /etc /usr/lib/systemd/system /usr/share/man/man1 /usr/share/doc /usr/libexec; do
    if grep -qxF "$d" "$work/rpm-files"; then fail "rpm owns the system folder $d"; fi
done
rpm -qcp "$rpm" 2>/dev/null | grep -qxF /etc/tandem/tandem.conf || fail "tandem.conf is not an rpm %config"
rpm -qRp "$rpm" 2>/dev/null >"$work/rpm-requires"
for req in 'libssh.so.4' 'libsqlite3.so.0' 'libvterm.so.0' 'libboost_program_options.so' \
    'libcrypto.so.3' 'shadow-utils'; do
    grep -q "$req" "$work/rpm-requires" || fail "rpm requires nothing matching $req"
done
rpm -qp --scripts "$rpm" 2>/dev/null | grep -q 'package-setup configure' || fail "rpm %post"
ok "rpm metadata, contents and requires ($(grep -c . "$work/rpm-requires") requirements)"

# --- lintian: no errors (warnings are listed; docs/install.md's packaging notes justify them)
lintian --tag-display-limit 0 --display-level '>=warning' "$deb" >"$work/lintian" 2>&1 || true
cat "$work/lintian"
if grep -q '^E: ' "$work/lintian"; then fail "lintian reports errors"; fi
ok "lintian: no errors, $(grep -c '^W: ' "$work/lintian" || true) warnings"

# --- rpmlint: no errors
rpmlint --config packaging/rpm/rpmlint.toml "$rpm" >"$work/rpmlint" 2>&1 || true
cat "$work/rpmlint"
grep -qE '^ *[0-9]+ packages and [0-9]+ specfiles checked; 0 errors' "$work/rpmlint" ||
    fail "rpmlint reports errors (or did not finish)"
ok "rpmlint: no errors"

# --- systemd-analyze verify, against the package's own files: the extracted package as --root
# (so ExecStart= must name the packaged binaries), with the host's units (sysinit.target...)
# beside them. Man pages are checked above, not by looking them up on the host.
mkdir "$work/root"
dpkg-deb -x "$deb" "$work/root"
cp -rn /usr/lib/systemd/system/. "$work/root/usr/lib/systemd/system/"
verify_status=0
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$work/root" \
    "$work/root/usr/lib/systemd/system/tandem-broker.service" \
    "$work/root/usr/lib/systemd/system/tandem-sshd.service" >"$work/verify" 2>&1 || verify_status=$?
cat "$work/verify"
if [ "$verify_status" != 0 ] || [ -s "$work/verify" ]; then fail "systemd-analyze verify"; fi
ok "systemd-analyze verify: both units clean"

# --- systemd-analyze security: the units' exposure, kept low (0 = fully sandboxed, 10 = none)
for unit in tandem-broker tandem-sshd; do
    score=$(systemd-analyze security --offline=true --root="$work/root" \
        "$work/root/usr/lib/systemd/system/$unit.service" 2>/dev/null |
        sed -nE 's/.*Overall exposure level for .*: ([0-9.]+).*/\1/p')
    [ -n "$score" ] || fail "systemd-analyze security gave no score for $unit"
    awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "$unit exposure $score is above 2.0"
    ok "systemd-analyze security $unit.service: exposure $score"
done
