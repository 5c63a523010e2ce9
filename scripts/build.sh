#!/usr/bin/env bash
# The one build step every entry point shares (demo, tests, benchmarks, CI).
#
#   scripts/build.sh [BUILD_DIR] [CMAKE_ARG]...
#
# Installs the Debian dependencies, configures with CMake + Ninja (RelWithDebInfo, warnings as
# errors, ccache when present) and builds everything. BUILD_DIR defaults to ./build; re-runs are
# incremental. Extra arguments go to CMake, e.g. `scripts/build.sh build-asan -DTANDEM_SANITIZE=ON`.
# TANDEM_BUILD_TARGETS="a b" builds only those targets (the demo needs just the binaries).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-build}
[ $# -gt 0 ] && shift
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac

"$root/scripts/install-deps.sh"

cmake -S "$root" -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTANDEM_WERROR=ON "$@"
# shellcheck disable=SC2086  # a list of target names
cmake --build "$build_dir" ${TANDEM_BUILD_TARGETS:+--target $TANDEM_BUILD_TARGETS}
