#!/usr/bin/env python3
#
# Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
#
"""Prints the zctor-vs-CAF table from the JSON lines the benchmark binaries print (one line per
run, as bench/run.sh collects them), and optionally writes it as CSV and plots the ratios.

usage: bench/report.py [--csv FILE] [--plot FILE.svg|FILE.png] RESULTS.jsonl

Each row: benchmark and metric, zctor median (min-max), CAF median (min-max), the ratio of the
medians zctor/CAF (below 1.0 means zctor is faster / cheaper; for a rate, where higher is better,
the ratio is CAF/zctor and the label says so, so that below 1.0 still means zctor is better, and
the plot's colours stay right), median peak RSS of each side, and
the number of successful rounds of each side (runs that failed are counted apart and never
enter a median). The zctor-only variants (ping_pong_local, thread_ring_local: the same binary
run with its actors co-located on one worker) have no CAF twin: their rows take the CAF figures
of the plain benchmark (CAF_TWIN), and their labels say so. --plot writes a gnuplot script and data file next to FILE and runs gnuplot to
draw one bar per ratio on a log scale, with a line at 1.0; without gnuplot it says so and skips
the plot. Python 3 standard library only.
"""

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys

# (benchmark, metric, label, format, ratio?, plot?). Benchmarks not listed get a "seconds" row.
# Every benchmark's first ratio row is its headline figure; the plot shows the rows marked plot.
ROWS = [
    ("ping_pong", "p50_us", "round trip p50 (us)", "{:.2f}", True, True),
    ("ping_pong", "p99_us", "round trip p99 (us)", "{:.2f}", True, False),
    ("ping_pong", "seconds", "total (s)", "{:.3f}", True, False),
    ("ping_pong", "cpu_s", "CPU (s)", "{:.3f}", True, False),
    ("ping_pong", "cross_thread_pct", "pong on other thread (%)", "{:.1f}", False, False),
    ("ping_pong_local", "p50_us", "round trip p50 (us), zctor co-located on one worker, CAF: ping_pong",
     "{:.2f}", True, False),
    ("ping_pong_local", "p99_us", "round trip p99 (us), zctor co-located on one worker, CAF: ping_pong",
     "{:.2f}", True, False),
    ("ping_pong_local", "seconds", "total (s), zctor co-located on one worker, CAF: ping_pong", "{:.3f}", True,
     False),
    ("ping_pong_local", "cpu_s", "CPU (s), zctor co-located on one worker, CAF: ping_pong", "{:.3f}", True, False),
    ("ping_pong_local", "cross_thread_pct", "pong on other thread (%), zctor co-located, CAF: ping_pong", "{:.1f}",
     False, False),
    ("counting", "seconds", "total (s)", "{:.3f}", True, True),
    ("counting", "cpu_s", "CPU (s)", "{:.3f}", True, False),
    ("fork_join_throughput", "seconds", "total (s)", "{:.3f}", True, True),
    ("fork_join_throughput", "cpu_s", "CPU (s)", "{:.3f}", True, False),
    ("fork_join_creation", "seconds", "total (s)", "{:.3f}", True, True),
    ("thread_ring", "seconds", "total (s)", "{:.3f}", True, True),
    ("thread_ring", "cross_thread_pct", "hops across threads (%)", "{:.1f}", False, False),
    ("thread_ring_local", "seconds", "total (s), zctor co-located on one worker, CAF: thread_ring", "{:.3f}", True,
     False),
    ("thread_ring_local", "cross_thread_pct", "hops across threads (%), zctor co-located, CAF: thread_ring",
     "{:.1f}", False, False),
    ("chameneos", "seconds", "total (s)", "{:.3f}", True, True),
    ("big", "seconds", "total (s)", "{:.3f}", True, True),
    ("bank_transaction", "seconds", "total (s)", "{:.3f}", True, True),
    ("skynet", "seconds", "total (s)", "{:.3f}", True, True),
    ("skynet", "peak_rss_mb", "peak RSS (MB)", "{:.1f}", True, True),
    ("idle_actors", "bytes_per_actor", "bytes per actor", "{:.0f}", True, True),
    ("idle_actors", "seconds", "spawn time (s)", "{:.3f}", True, False),
    ("idle_cpu", "cpu_ms_per_s", "CPU ms per idle second", "{:.2f}", True, True),
    ("ask", "p50_us", "round trip p50, 10 s timeout (us)", "{:.2f}", True, True),
    ("ask", "p99_us", "round trip p99, 10 s timeout (us)", "{:.2f}", True, False),
    ("ask", "nt_p50_us", "round trip p50, no timeout (us)", "{:.2f}", True, True),
    ("ask", "nt_p99_us", "round trip p99, no timeout (us)", "{:.2f}", True, False),
    ("ask", "asks_per_s", "asks/s, 10 s timeout (ratio CAF/zctor)", "{:.0f}", True, True),
    ("ask", "nt_asks_per_s", "asks/s, no timeout (ratio CAF/zctor)", "{:.0f}", True, True),
    ("ask", "seconds", "total, 4 phases (s)", "{:.3f}", True, False),
    ("ask", "cpu_s", "CPU (s)", "{:.3f}", True, False),
    ("ask", "cross_thread_pct", "reply on other thread (%)", "{:.1f}", False, False),
]
# Rates: higher is better, so their ratio is CAF/zctor (below 1.0 = zctor better, as everywhere).
HIGHER_IS_BETTER = {"asks_per_s", "nt_asks_per_s"}
IMPLS = ("zctor", "caf")
# zctor-only variants, and the benchmark whose CAF runs their rows are compared with.
CAF_TWIN = {"ping_pong_local": "ping_pong", "thread_ring_local": "thread_ring"}
# How the plot names a metric after its benchmark ("seconds" needs no name).
PLOT_SUFFIX = {"seconds": "", "p50_us": " p50", "peak_rss_mb": " peak RSS", "bytes_per_actor": " bytes/actor",
               "cpu_ms_per_s": " CPU", "nt_p50_us": " p50 no timeout", "asks_per_s": " rate (CAF/zctor)",
               "nt_asks_per_s": " rate no timeout (CAF/zctor)"}


def load(path):
    """Returns ({(bench, impl): [records]}, {(bench, impl): failures}, benchmarks in file order)."""
    runs, failures, order = {}, {}, []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}")
            if "peak_rss_kb" in rec:
                rec["peak_rss_mb"] = rec["peak_rss_kb"] / 1024
            key = (rec["bench"], rec["impl"])
            if rec["bench"] not in order:
                order.append(rec["bench"])
            if rec.get("failed"):
                failures[key] = failures.get(key, 0) + 1
            else:
                runs.setdefault(key, []).append(rec)
    return runs, failures, order


def stats(recs, metric):
    vals = [r[metric] for r in recs if metric in r]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def fmt_stats(s, fmt):
    if s is None:
        return "-"
    med, lo, hi = s
    return f"{fmt.format(med)} ({fmt.format(lo)}-{fmt.format(hi)})"


def rss_mb(recs):
    vals = [r["peak_rss_mb"] for r in recs if "peak_rss_mb" in r]
    return statistics.median(vals) if vals else None


def summarize(runs, failures, order):
    rows = [r for r in ROWS if r[0] in order]
    rows += [(b, "seconds", "total (s)", "{:.3f}", True, True) for b in order if not any(r[0] == b for r in ROWS)]
    rows.sort(key=lambda r: order.index(r[0]))  # stable: keeps each benchmark's metric order
    out = []
    for bench, metric, label, fmt, with_ratio, plot in rows:
        z = runs.get((bench, "zctor"), [])
        caf_bench = CAF_TWIN.get(bench, bench)
        c = runs.get((caf_bench, "caf"), [])
        zs, cs = stats(z, metric), stats(c, metric)
        ratio = None
        if with_ratio and zs and cs:
            num, den = (cs[0], zs[0]) if metric in HIGHER_IS_BETTER else (zs[0], cs[0])
            ratio = num / den if den else None
        out.append({
            "bench": bench, "metric": metric, "label": label, "fmt": fmt, "plot": plot,
            "zctor": zs, "caf": cs, "ratio": ratio,
            "zctor_rss_mb": rss_mb(z), "caf_rss_mb": rss_mb(c),
            "zctor_rounds": len(z), "caf_rounds": len(c),
            "zctor_failed": failures.get((bench, "zctor"), 0), "caf_failed": failures.get((caf_bench, "caf"), 0),
        })
    return out


def print_table(summary):
    header = ["benchmark", "metric", "zctor median (min-max)", "CAF median (min-max)", "zctor/CAF",
              "peak RSS MB zctor", "peak RSS MB CAF", "rounds z/C"]
    table = []
    for s in summary:
        rounds = f"{s['zctor_rounds']}/{s['caf_rounds']}"
        if s["zctor_failed"] or s["caf_failed"]:
            rounds += f" ({s['zctor_failed']}/{s['caf_failed']} failed)"
        mb = lambda v: "-" if v is None else f"{v:.1f}"
        table.append([s["bench"], s["label"], fmt_stats(s["zctor"], s["fmt"]), fmt_stats(s["caf"], s["fmt"]),
                      "-" if s["ratio"] is None else f"{s['ratio']:.2f}",
                      mb(s["zctor_rss_mb"]), mb(s["caf_rss_mb"]), rounds])
    widths = [max(len(str(row[i])) for row in [header] + table) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(str(v).ljust(w) for v, w in zip(row, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table:
        print(line(row))


def write_csv(summary, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["benchmark", "metric", "zctor_median", "zctor_min", "zctor_max", "caf_median", "caf_min",
                    "caf_max", "ratio_zctor_caf", "zctor_peak_rss_mb", "caf_peak_rss_mb", "zctor_rounds",
                    "caf_rounds", "zctor_failed", "caf_failed"])
        num = lambda v: "" if v is None else f"{v:.6g}"
        for s in summary:
            z = s["zctor"] or (None, None, None)
            c = s["caf"] or (None, None, None)
            w.writerow([s["bench"], s["metric"], *map(num, z), *map(num, c), num(s["ratio"]),
                        num(s["zctor_rss_mb"]), num(s["caf_rss_mb"]), s["zctor_rounds"], s["caf_rounds"],
                        s["zctor_failed"], s["caf_failed"]])


def plot(summary, path, title):
    """Writes PATH minus its extension + .gp and .dat, and runs gnuplot on them."""
    points = [s for s in summary if s["plot"] and s["ratio"] is not None]
    if not points:
        print("report.py: no ratio to plot", file=sys.stderr)
        return True
    gnuplot = shutil.which("gnuplot")
    base = os.path.splitext(path)[0]
    dat, script = base + ".dat", base + ".gp"
    with open(dat, "w") as f:
        f.write("# index label ratio colour\n")
        for i, s in enumerate(points):
            label = s["bench"] + PLOT_SUFFIX.get(s["metric"], " " + s["label"])
            colour = "0x2ca02c" if s["ratio"] <= 1.0 else "0xd62728"
            f.write(f'{i} "{label}" {s["ratio"]:.4f} {colour}\n')
    lo = min(min(s["ratio"] for s in points) / 1.6, 0.5)
    hi = max(max(s["ratio"] for s in points) * 1.6, 2.0)
    terminal = ("pngcairo size 1000,560 font 'sans,10'" if path.endswith(".png")
                else "svg size 1000,560 dynamic font 'sans,11' background rgb 'white'")
    with open(script, "w") as f:
        f.write(f"""# Written by bench/report.py: the ratio zctor time / CAF time of each benchmark (bars grow
# from 1.0: down, green = zctor faster or smaller; up, red = zctor slower or larger).
set terminal {terminal}
set output '{os.path.basename(path)}'
set title "{title}" noenhanced
set ylabel 'zctor / CAF (log scale; below 1.0 = zctor better)'
set logscale y
set yrange [{lo:.4g}:{hi:.4g}]
set xrange [-0.6:{len(points) - 0.4}]
set ytics (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
set grid ytics lc rgb '#dddddd'
set xtics rotate by -35 noenhanced
set key off
set style fill solid 0.85 border -1
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb 'black' front
plot '{os.path.basename(dat)}' using 1:3:($1-0.35):($1+0.35):(1):3:4:xtic(2) with boxxyerror lc rgb variable, \\
     '' using 1:($3 < 1 ? $3 / 1.2 : $3 * 1.2):(sprintf('%.3g', $3)) with labels font ',9'
""")
    if gnuplot is None:
        print(f"report.py: gnuplot not found (apt-get install gnuplot-nox); skipping the plot "
              f"({script} is ready)", file=sys.stderr)
        return True
    r = subprocess.run([gnuplot, os.path.basename(script)], cwd=os.path.dirname(os.path.abspath(path)),
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(f"report.py: gnuplot failed on {script}:\n{r.stderr}", file=sys.stderr)
        return False
    print(f"plot: {path}")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="?",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "latest.jsonl"))
    ap.add_argument("--csv", help="write the table as CSV to this file")
    ap.add_argument("--plot", help="draw the ratios to this .svg or .png with gnuplot")
    ap.add_argument("--title", default="zctor vs CAF 0.17: ratio of medians (zctor / CAF)")
    args = ap.parse_args()

    runs, failures, order = load(args.results)
    summary = summarize(runs, failures, order)
    print_table(summary)
    ok = True
    if args.csv:
        write_csv(summary, args.csv)
        print(f"\ntable as CSV: {args.csv}")
    if args.plot:
        ok = plot(summary, args.plot, args.title)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
