#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions run through run_phase and traps
# Builds tandem and runs the whole test suite; what .ci/run runs.
#
#   scripts/test.sh
#
# Phases, each timed:
#   1. build (./build)
#   2. sanitizer build (./build-asan, ASan+UBSan): at the lowest CPU priority, in the background
#      while phases 3, 4, 6, 7 and 8 run (they spend most of their time waiting on processes,
#      and nice keeps the machine theirs whenever they want it); phase 5 waits for it
#   3. clang-format check of every tracked C++ file
#   4. tests (./build): ctest, i.e. unit, integration and browser tests
#   5. tests (./build-asan): the unit and integration tests under the sanitizers (the browser
#      tests drive the same broker code the integration tests reach over HTTPS/WebSocket; under
#      ASan they would add minutes of Chromium time and no coverage of ours). The integration
#      tests are ./build's harness driving ./build-asan's binaries: the harness only talks to
#      them, so the sanitizer tree does not compile it again (tests/CMakeLists.txt)
#   6. bench smoke (bench/run.sh --smoke: every relay path works, tiny sizes), then the fan-out
#      smoke (bench/fanout.sh --smoke: WebSocket and SSH viewers, tmux, joins, idle sessions),
#      then the soak smoke (bench/soak.sh --smoke: 8 shared sessions x 5 viewers streaming a
#      mix for 42 s; every viewer's screen and every recording checked)
#   6b. fuzz targets: a clang tree of the libFuzzer targets, each run 20 s on its seed corpus
#      with a fixed seed, so a run is repeatable (tests/fuzz/run.sh, docs/fuzzing.md); any
#      crash, hang or differential mismatch fails
#   7. packages (./build): the .deb and .rpm from the built tree, their metadata and contents,
#      lintian, rpmlint, systemd-analyze verify (tests/packaging/check_packages.sh)
#   8. package install: install, use, upgrade and purge the .deb in a clean Debian 12 root
#      (tests/packaging/install_test.sh; "skipped", not failed, only where chroot is refused)
# A failed phase does not hide the others; phases that need a failed build are skipped (and
# counted as failed). Ends with a summary table and the number of checks passed and failed;
# exits non-zero on any failure.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
logs=$(mktemp -d /tmp/tandem-test.XXXXXX)
trap 'rm -rf "$logs"' EXIT

names=() results=() times=() notes=()
passed=0 failed=0
started=$(date +%s)

# run_phase NAME COMMAND...: runs it with its output on the console, records status and time.
run_phase() {
    local name=$1 t0 status
    shift
    printf '\n===== %s =====\n' "$name"
    t0=$(date +%s)
    "$@"
    status=$?
    names+=("$name") times+=($(($(date +%s) - t0))) notes+=("${phase_note:-}")
    phase_note=""
    if [ "$status" = 0 ]; then results+=(ok); else results+=(FAILED); fi
    return "$status"
}

skip_phase() { # NAME REASON
    printf '\n===== %s =====\nskipped: %s\n' "$1" "$2"
    names+=("$1") times+=(0) results+=(SKIPPED) notes+=("$2")
    failed=$((failed + 1))
}

count() { # STATUS
    if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

check_format() {
    local files=() bad=() f
    if git rev-parse --git-dir >/dev/null 2>&1; then
        mapfile -t files < <(git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' '*.h' '*.cc')
    else
        mapfile -t files < <(find core sshd-plugin tools broker tests bench \
            \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' \) 2>/dev/null)
    fi
    for f in "${files[@]}"; do
        [ -f "$f" ] || continue
        clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    echo "clang-format: ${#files[@]} files checked, ${#bad[@]} not formatted"
    if [ ${#bad[@]} -gt 0 ]; then
        printf '  %s\n' "${bad[@]}"
        echo "fix with: clang-format -i ${bad[*]}"
        phase_note="${#bad[@]} files need clang-format"
        return 1
    fi
}

# run_ctest TREE [CTEST_ARG... --] [ENV=VALUE]...: ctest with its summary counted into
# passed/failed.
run_ctest() {
    local tree=$1 log status summary total fails args=() jobs=4
    [ "$(basename "$tree")" = build-asan ] && jobs=5
    log="$logs/$(basename "$1").ctest"
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != "--" ]; do args+=("$1"); shift; done
        shift
    fi
    # A fresh clone has no timings of its own: ctest starts the longest tests first when it
    # has some, so a browser test does not begin in the last minute and hold the phase open
    # (tests/ctest-costs: a run's Testing/Temporary/CTestCostData.txt, refreshed now and then).
    local costs="$root/tests/ctest-costs/$(basename "$tree").txt"
    if [ -f "$costs" ] && [ ! -f "$tree/Testing/Temporary/CTestCostData.txt" ]; then
        mkdir -p "$tree/Testing/Temporary"
        cp "$costs" "$tree/Testing/Temporary/CTestCostData.txt"
    fi
    # Four at a time on two cores (five in the sanitizer tree, alone on the machine by then):
    # the integration and browser tests spend two thirds of their time waiting (handshakes, a
    # host's answer, a timer), measured at ~30 % CPU each under ASan.
    env "$@" ctest --test-dir "$tree" --output-on-failure -j"${TANDEM_TEST_JOBS:-$jobs}" \
        --timeout 300 "${args[@]}" 2>&1 |
        tee "$log"
    status=${PIPESTATUS[0]}
    summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -n "$summary" ]; then
        total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
        fails=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
        passed=$((passed + total - fails)) failed=$((failed + fails))
        phase_note="$((total - fails)) passed, $fails failed"
    elif grep -q 'No tests were found' "$log"; then
        phase_note="no tests found"
        status=1 failed=$((failed + 1))
    else
        phase_note="ctest did not finish"
        status=1 failed=$((failed + 1))
    fi
    return "$status"
}

run_phase "build (./build)" scripts/build.sh build -DTANDEM_UNITY_BUILD=ON
build_ok=$?
count $build_ok
# The package install test's clean Debian root is mostly download and unpacking: made meanwhile,
# while the sanitizer tree compiles (its own phase later waits for it).
root_pid=""
if [ "$build_ok" = 0 ]; then
    tests/packaging/install_test.sh --root-only build >"$logs/install_root" 2>&1 &
    root_pid=$!
fi
# The sanitizer tree (CMakeLists.txt silences GCC 12's false maybe-uninitialized under ASan),
# compiled while the first tree is tested.
printf '\n===== sanitizer build (./build-asan, ASan+UBSan): started in the background =====\n'
asan_t0=$(date +%s)
(
    nice -n 19 scripts/build.sh build-asan -DTANDEM_SANITIZE=ON -DTANDEM_UNITY_BUILD=ON \
        -DTANDEM_INTEGRATION_TESTS_FROM="$root/build" >"$logs/asan_build" 2>&1
    status=$?
    date +%s >"$logs/asan_end"
    exit "$status"
) &
asan_pid=$!
run_phase "clang-format check" check_format
count $?

if [ "$build_ok" = 0 ]; then
    run_phase "tests (./build)" run_ctest build
else
    skip_phase "tests (./build)" "the build failed"
fi
if [ "$build_ok" = 0 ]; then
    run_phase "bench smoke (bench/run.sh --smoke)" bench/run.sh --smoke --no-build --build-dir build
    count $?
    run_phase "fan-out smoke (bench/fanout.sh --smoke)" \
        bench/fanout.sh --smoke --no-build --build-dir build
    count $?
    run_phase "soak smoke (bench/soak.sh --smoke)" \
        bench/soak.sh --smoke --no-build --build-dir build
    count $?
else
    skip_phase "bench smoke (bench/run.sh --smoke)" "the build failed"
    skip_phase "fan-out smoke (bench/fanout.sh --smoke)" "the build failed"
    skip_phase "soak smoke (bench/soak.sh --smoke)" "the build failed"
fi
run_phase "fuzz targets (./build-fuzz, clang, 20 s each)" tests/fuzz/run.sh --build --seed 1 build-fuzz
count $?

# Exit 77 = skipped because this machine refuses chroot or mounts (the script says why).
run_install_test() {
    local status
    if [ -n "$root_pid" ]; then
        wait "$root_pid" || true  # a failure shows again below, with its reason
        cat "$logs/install_root"
    fi
    tests/packaging/install_test.sh build 2>&1 | tee "$logs/install_test"
    status=${PIPESTATUS[0]}
    if [ "$status" = 77 ]; then
        phase_note=$(grep -m1 '^SKIPPED' "$logs/install_test")
        return 77
    fi
    return "$status"
}

if [ "$build_ok" = 0 ]; then
    run_phase "packages (./build)" tests/packaging/check_packages.sh build
    pkg_ok=$?
    count $pkg_ok
    if [ "$pkg_ok" = 0 ]; then
        run_phase "package install (Debian 12 root)" run_install_test
        install_status=$?
        if [ "$install_status" = 77 ]; then results[-1]=skipped; else count $install_status; fi
    else
        skip_phase "package install (Debian 12 root)" "the packages failed their checks"
    fi
else
    skip_phase "packages (./build)" "the build failed"
    skip_phase "package install (Debian 12 root)" "the build failed"
fi

# The sanitizer build's own phase: its wall time from start to end, its log shown now.
wait_asan_build() {
    local status
    wait "$asan_pid"
    status=$?
    cat "$logs/asan_build"
    return "$status"
}
asan_wait_t0=$(date +%s)
run_phase "sanitizer build (./build-asan, ASan+UBSan)" wait_asan_build
asan_ok=$?
count $asan_ok
asan_end=$(cat "$logs/asan_end" 2>/dev/null || date +%s)
times[-1]=$((asan_end - asan_t0))
alone=$((asan_end > asan_wait_t0 ? asan_end - asan_wait_t0 : 0))
notes[-1]="$((times[-1] - alone))s beside the phases above, ${alone}s alone"
if [ "$asan_ok" = 0 ]; then
    run_phase "tests (./build-asan)" run_ctest build-asan -LE browser -- \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
    skip_phase "tests (./build-asan)" "the sanitizer build failed"
fi

total=$(($(date +%s) - started))
printf '\n===== summary =====\n'
status=0
for i in "${!names[@]}"; do
    printf '%-45s %-8s %4dm%02ds  %s\n' "${names[$i]}" "${results[$i]}" \
        $((times[i] / 60)) $((times[i] % 60)) "${notes[$i]}"
    [ "${results[$i]}" = ok ] || [ "${results[$i]}" = skipped ] || status=1
done
printf '%-45s %-8s %4dm%02ds\n' "total" "" $((total / 60)) $((total % 60))
echo "(counted: every test in both trees, plus the two builds, the format check, the three bench"
echo " smokes, the fuzz targets and the two package phases)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || status=1
exit "$status"
