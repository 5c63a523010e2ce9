#!/usr/bin/env bash
# Runs every fuzz target of a TANDEM_FUZZ build for a bounded time against its committed seed
# corpus, two at a time; fails on any crash, leak, timeout or out-of-memory (docs/fuzzing.md).
#
#   tests/fuzz/run.sh [--build] [--seed N] BUILD_DIR [SECONDS]
#
# SECONDS per target, default 20. Prints each target's execution count. New inputs found go to
# a scratch directory, never into the committed corpus. --build first configures and builds
# BUILD_DIR as a fuzz-only tree with clang (only the targets and the libraries they link).
# --seed N makes the run repeatable (CI: 1): the same mutations in the same order, a slower
# machine running a prefix of them; without it each run explores anew.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_first=0 seed_args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build_first=1 ;;
    --seed) seed_args=(-seed="$2"); shift ;;
    *) break ;;
    esac
    shift
done
build=${1:?usage: tests/fuzz/run.sh [--build] BUILD_DIR [SECONDS]}
seconds=${2:-20}
if [ $build_first = 1 ]; then
    CC=clang CXX=clang++ TANDEM_BUILD_TARGETS=fuzz "$here/../../scripts/build.sh" "$build" \
        -DTANDEM_FUZZ=ON -DTANDEM_BUILD_TESTS=OFF || exit 1
    case "$build" in /*) ;; *) build="$here/../../$build" ;; esac
fi
bin="$build/fuzz"
if [ ! -d "$bin" ]; then
    echo "no fuzz targets in $bin: configure with CC=clang CXX=clang++ -DTANDEM_FUZZ=ON" >&2
    exit 1
fi
work=$(mktemp -d /tmp/tandem-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

# run_one NAME: the target for $seconds on a copy of its corpus; its log in $work/NAME.log.
run_one() {
    local name=$1 corpus="$work/$1.corpus"
    mkdir -p "$corpus" "$work/$1.artifacts"
    [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$corpus/"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a finding, not a swap storm.
    "$bin/fuzz_$name" "${seed_args[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/$name.artifacts/" \
        "$corpus" >"$work/$name.log" 2>&1
}

mapfile -t targets < <(find "$bin" -maxdepth 1 -name 'fuzz_*' -type f -executable -printf '%f\n' |
    sed 's/^fuzz_//' | sort)
if [ ${#targets[@]} = 0 ]; then
    echo "no fuzz targets built in $bin" >&2
    exit 1
fi

failed=0
report() { # NAME STATUS
    local name=$1 status=$2 runs
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -1)
    if [ "$status" = 0 ]; then
        printf '  %-20s ok      %12s executions\n' "$name" "${runs:-?}"
    else
        printf '  %-20s FAILED  %12s executions (status %s)\n' "$name" "${runs:-?}" "$status"
        grep -E 'ERROR: |SUMMARY: |runtime error|differs|Test unit written' "$work/$name.log" |
            head -20 | sed 's/^/      /'
        for input in "$work/$name.artifacts"/*; do
            [ -f "$input" ] || continue
            echo "      input (base64): $(head -c 4096 "$input" | base64 -w0)"
        done
        failed=$((failed + 1))
    fi
}

echo "fuzzing ${#targets[@]} targets, ${seconds} s each, 2 at a time${seed_args:+, ${seed_args[0]}}"
i=0
while [ $i -lt ${#targets[@]} ]; do
    a=${targets[$i]} b=${targets[$((i + 1))]:-}
    run_one "$a" &
    pid_a=$!
    if [ -n "$b" ]; then
        run_one "$b" &
        pid_b=$!
    fi
    wait "$pid_a"
    report "$a" $?
    if [ -n "$b" ]; then
        wait "$pid_b"
        report "$b" $?
    fi
    i=$((i + 2))
done
if [ $failed -gt 0 ]; then
    echo "fuzzing: $failed of ${#targets[@]} targets found a problem"
    exit 1
fi
echo "fuzzing: ${#targets[@]} targets, no finding"
