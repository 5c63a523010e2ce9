#!/usr/bin/env bash
# Builds the Debian and RPM packages of tandem with CPack from the CMake build.
#
#   scripts/package.sh [--build-dir DIR] [--no-build] [--version VERSION] [--deb-only]
#
# Output: dist/tandem_VERSION_ARCH.deb and dist/tandem-VERSION.ARCH.rpm (VERSION is the
# project's, from CMakeLists.txt). The build tree (default ./build) is built first with
# scripts/build.sh unless --no-build says it is already built (CI packages its ./build).
# --version packages the same tree under another version (the upgrade test's newer package);
# --deb-only skips the rpm.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build build=1 version="" generators="DEB;RPM"
while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --version) version=$2; shift 2 ;;
    --deb-only) generators=DEB; shift ;;
    -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac

if [ "$build" = 1 ]; then
    # Only what is installed (not the tests): what the install rules name.
    TANDEM_BUILD_TARGETS="tandem-admin tandem-sshd tandem-shell tandem-keys tandem-broker \
webview packaging-files" "$root/scripts/build.sh" "$build_dir"
elif [ ! -f "$build_dir/CPackConfig.cmake" ]; then
    echo "package.sh: $build_dir is not a configured build tree (run without --no-build)" >&2
    exit 1
fi

mkdir -p "$root/dist"
# CPack's scratch space stays inside the build tree; the packages land in dist/.
TANDEM_PACKAGE_VERSION=$version cpack -G "$generators" --config "$build_dir/CPackConfig.cmake" \
    -B "$build_dir/cpack" >"$build_dir/cpack.log" 2>&1 || {
    cat "$build_dir/cpack.log" >&2
    echo "package.sh: cpack failed (log above: $build_dir/cpack.log)" >&2
    exit 1
}
grep -E "package: .* generated" "$build_dir/cpack.log" | sed -E "s/^CPack: - package: (.*) generated\./built \1/"
