#!/usr/bin/env bash
#
# Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
#
# Quick zctor-vs-CAF comparison. Builds nothing: point it at the directory holding the
# benchmark binaries (zctor_bench_<name>, caf_bench_<name>).
#
#   bench/run_quick.sh [-k ROUNDS] [-s SCALE] [BUILD_BENCH_DIR]
#
#   BUILD_BENCH_DIR  default build/bench (relative to the repository root)
#   -k ROUNDS        rounds, default 5; each round runs every benchmark zctor then CAF (A B A B ...)
#   -s SCALE         passed to every binary as --scale, default 1.0
#
# Raw results (one JSON line per run, plus "round") go to bench/results/quick.jsonl; the table is
# printed by bench/report.py. Exits non-zero if any run failed (a wrong result is a failed run).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

rounds=5
scale=1.0
while getopts "k:s:h" opt; do
    case $opt in
        k) rounds=$OPTARG ;;
        s) scale=$OPTARG ;;
        *) sed -n '6,15p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
dir=${1:-$root/build/bench}

# The benchmarks, in the order they run within a round. Add new ones here.
benchmarks=(ping_pong counting idle_cpu)

if [ ! -d "$dir" ]; then
    echo "run_quick.sh: no such directory: $dir (build the bench targets first)" >&2
    exit 2
fi

results_dir=$here/results
mkdir -p "$results_dir"
out=$results_dir/quick.jsonl
: > "$out"

echo "zctor quick bench: $rounds rounds, scale $scale, binaries in $dir"
echo "load before: $(uptime)"

failed=0
run_one() { # impl name round
    local exe=$dir/$1_bench_$2
    if [ ! -x "$exe" ]; then
        return 0 # e.g. the CAF side was not built
    fi
    local line
    if ! line=$("$exe" --scale "$scale"); then
        echo "FAILED: $exe --scale $scale" >&2
        failed=1
        return 0
    fi
    echo "${line/#\{/\{\"round\":$3,}" >> "$out"
}

for ((r = 1; r <= rounds; ++r)); do
    for b in "${benchmarks[@]}"; do
        run_one zctor "$b" "$r"
        run_one caf "$b" "$r"
    done
done

echo "load after:  $(uptime)"
echo "raw results: $out"
echo
python3 "$here/report.py" "$out" || failed=1
exit $failed
