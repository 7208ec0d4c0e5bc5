#!/usr/bin/env python3
#
# Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
#
"""Prints the zctor-vs-CAF table from the JSON lines the benchmark binaries print.

usage: bench/report.py [bench/results/quick.jsonl]

Each row: benchmark and metric, zctor median (min-max), CAF median (min-max), the ratio of the
medians zctor/CAF (below 1.0 means zctor is faster / cheaper), median peak RSS of each, and the
number of rounds of each. Python 3 standard library only.
"""

import json
import os
import statistics
import sys

# (benchmark, metric, label, format, ratio?). Benchmarks not listed get a "seconds" row.
ROWS = [
    ("ping_pong", "p50_us", "round trip p50 (us)", "{:.2f}", True),
    ("ping_pong", "p99_us", "round trip p99 (us)", "{:.2f}", True),
    ("ping_pong", "seconds", "total (s)", "{:.3f}", True),
    ("ping_pong", "cpu_s", "CPU (s)", "{:.3f}", True),
    ("ping_pong", "cross_thread_pct", "pong on other thread (%)", "{:.0f}", False),
    ("counting", "seconds", "total (s)", "{:.3f}", True),
    ("counting", "cpu_s", "CPU (s)", "{:.3f}", True),
    ("idle_cpu", "cpu_ms_per_s", "CPU ms per idle second", "{:.2f}", True),
]
IMPLS = ("zctor", "caf")


def load(path):
    runs = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}")
            runs.setdefault((rec["bench"], rec["impl"]), []).append(rec)
    return runs


def summary(recs, metric, fmt):
    vals = [r[metric] for r in recs if metric in r]
    if not vals:
        return None, "-"
    med = statistics.median(vals)
    return med, f"{fmt.format(med)} ({fmt.format(min(vals))}-{fmt.format(max(vals))})"


def rss(recs):
    vals = [r["peak_rss_kb"] for r in recs if "peak_rss_kb" in r]
    return f"{statistics.median(vals) / 1024:.1f}" if vals else "-"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results", "quick.jsonl")
    runs = load(path)
    benches = []
    for b, _ in runs:
        if b not in benches:
            benches.append(b)
    rows = [r for r in ROWS if r[0] in benches]
    rows += [(b, "seconds", "total (s)", "{:.3f}", True) for b in benches if not any(r[0] == b for r in ROWS)]

    header = ["benchmark", "metric", "zctor median (min-max)", "CAF median (min-max)", "zctor/CAF",
              "RSS MB zctor", "RSS MB CAF", "rounds z/C"]
    table = []
    for bench, metric, label, fmt, with_ratio in rows:
        z = runs.get((bench, "zctor"), [])
        c = runs.get((bench, "caf"), [])
        zm, zs = summary(z, metric, fmt)
        cm, cs = summary(c, metric, fmt)
        ratio = f"{zm / cm:.2f}" if with_ratio and zm is not None and cm else "-"
        table.append([bench, label, zs, cs, ratio, rss(z), rss(c), f"{len(z)}/{len(c)}"])

    widths = [max(len(str(row[i])) for row in [header] + table) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(str(v).ljust(w) for v, w in zip(row, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table:
        print(line(row))


if __name__ == "__main__":
    main()
