#!/usr/bin/env bash
#
# Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
#
# Runs the zctor-vs-CAF benchmark suite. Builds nothing: point it at the directory holding the
# benchmark binaries (zctor_bench_<name>, caf_bench_<name>).
#
#   bench/run.sh [-k ROUNDS] [-s SCALE] [-t SECONDS] [BUILD_BENCH_DIR] [BENCHMARK...]
#
#   BUILD_BENCH_DIR  default build/bench (relative to the repository root)
#   BENCHMARK...     a subset to run, in that order (default: the whole suite, see below)
#   -k ROUNDS        rounds, default 5; each round runs every benchmark, zctor then CAF (A B A B ...)
#   -s SCALE         passed to every binary as --scale, default 1.0
#   -t SECONDS       time limit of one run, default 600; a run over it counts as failed
#
# Writes, under bench/results/ (<stamp> is the start time, UTC):
#   <stamp>.jsonl  raw results, one JSON line per run, plus "round" (failed runs: "failed":true)
#   <stamp>.csv    the table below, as CSV
#   <stamp>.txt    everything this script prints (load before and after, the table)
#   ratios.svg     the ratios as a bar chart, if gnuplot is installed (and ratios.gp/.dat)
#   latest.jsonl   a copy of the last <stamp>.jsonl, what `bench/report.py` reads by default
# and prints one table (bench/report.py): benchmark, zctor median (min-max), CAF median (min-max),
# the ratio of the medians zctor/CAF, the median peak RSS of each side and the rounds of each.
# ping_pong_local and thread_ring_local are zctor's ping_pong and thread_ring binaries run with
# `--placement local` (their actors co-located on one worker). They have no CAF twin: the table
# compares them with CAF's ping_pong and thread_ring, so run those in the same run.
# Exits non-zero if any run failed (a wrong result is a failed run, never a fast one).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# The suite, in the order the benchmarks run within a round.
suite=(ping_pong ping_pong_local counting fork_join_throughput fork_join_creation thread_ring
    thread_ring_local chameneos big bank_transaction skynet idle_actors idle_cpu ask)
# Variants: a benchmark name run as another binary with extra arguments, on the zctor side only.
declare -A variant_binary=([ping_pong_local]=ping_pong [thread_ring_local]=thread_ring)
declare -A variant_args=([ping_pong_local]="--placement local" [thread_ring_local]="--placement local")

usage() { sed -n '5,27p' "$0" | sed 's/^# \{0,1\}//'; }

rounds=5
scale=1.0
limit=600
while getopts "k:s:t:h" opt; do
    case $opt in
        k) rounds=$OPTARG ;;
        s) scale=$OPTARG ;;
        t) limit=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

dir=$root/build/bench
benchmarks=()
for arg in "$@"; do
    if [ -d "$arg" ]; then
        dir=$arg
    elif [[ " ${suite[*]} " == *" $arg "* ]]; then
        benchmarks+=("$arg")
    else
        echo "run.sh: '$arg' is neither a directory nor a benchmark (${suite[*]})" >&2
        exit 2
    fi
done
[ ${#benchmarks[@]} -eq 0 ] && benchmarks=("${suite[@]}")
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: -k needs a positive integer, got '$rounds'" >&2
    exit 2
fi
if [ ! -d "$dir" ]; then
    echo "run.sh: no such directory: $dir (build the bench targets first)" >&2
    exit 2
fi

results_dir=$here/results
mkdir -p "$results_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$results_dir/$stamp.jsonl
log=$results_dir/$stamp.txt
: > "$out"
# Everything printed from here on also goes to the log.
exec 3>&1 4>&2 > >(tee "$log") 2>&1
tee_pid=$!
finish() { # exit code: lets tee write the last lines before the script returns
    exec 1>&3 2>&4
    wait "$tee_pid" 2>/dev/null
    exit "$1"
}

echo "zctor bench: ${benchmarks[*]}"
echo "$rounds rounds, scale $scale, binaries in $dir"
echo "host: $(uname -srm), $(nproc) CPUs; zctor $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
echo "load before: $(uptime)"

failed=0
missing=()
run_one() { # impl name round
    local binary=${variant_binary[$2]:-$2}
    local -a extra=()
    if [ -n "${variant_binary[$2]:-}" ]; then
        [ "$1" = zctor ] || return 0 # a zctor variant: no CAF twin
        read -r -a extra <<< "${variant_args[$2]}"
    fi
    local exe=$dir/$1_bench_$binary
    if [ ! -x "$exe" ]; then
        [[ " ${missing[*]} " == *" $1_bench_$binary "* ]] || missing+=("$1_bench_$binary")
        [ "$1" = zctor ] && failed=1 # the zctor side is always built; CAF may be absent
        return 0
    fi
    local line rc
    line=$(timeout "$limit" "$exe" --scale "$scale" "${extra[@]}")
    rc=$?
    if [ $rc -ne 0 ] || [[ $line != \{* ]]; then
        echo "FAILED (exit $rc): $exe --scale $scale ${extra[*]}" >&2
        echo "{\"round\":$3,\"bench\":\"$2\",\"impl\":\"$1\",\"failed\":true,\"exit\":$rc}" >> "$out"
        failed=1
        return 0
    fi
    echo "${line/#\{/\{\"round\":$3,}" >> "$out"
}

start=$SECONDS
for ((r = 1; r <= rounds; ++r)); do
    echo "round $r/$rounds ($((SECONDS - start)) s)"
    for b in "${benchmarks[@]}"; do
        run_one zctor "$b" "$r"
        run_one caf "$b" "$r"
    done
done

[ ${#missing[@]} -ne 0 ] && echo "not built, skipped: ${missing[*]}" >&2
echo "load after:  $(uptime)"
echo "took $((SECONDS - start)) s; raw results: $out"
cp "$out" "$results_dir/latest.jsonl"
echo
python3 "$here/report.py" --csv "$results_dir/$stamp.csv" --plot "$results_dir/ratios.svg" \
    --title "zctor / CAF 0.17, median of $rounds rounds, scale $scale, $stamp" "$out" || failed=1
finish $failed
