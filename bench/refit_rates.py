#!/usr/bin/env python3
"""Refits AUTO's measured rates (lib/planner/measured_model.cpp) from gemmconv-bench CSV files.

  refit_rates.py [--write] [--keep NAME]... CSV...

Per algorithm: the median, over the rows of the given files where it ran (ok, not AUTO), of its
GFLOP/s per thread, in percent of the model's 100 GFLOP/s reference (depthwise-* run only on
depthwise layers, so they are fitted there). Give the files the model is fitted to: every
layer of the four dense networks and MobileNet v1, both layouts, 1 and 2 threads. Prints the
table against the current one; --write rewrites the table between its markers. --keep leaves
an algorithm's current rate (grouped-nhwc: fitted by hand with its shape factor against
tiled-nhwc)."""
import argparse
import csv
import re
import statistics
import sys
from pathlib import Path

MODEL = Path(__file__).resolve().parent.parent / "lib/planner/measured_model.cpp"
ROW = re.compile(r'\{"([a-z0-9-]+)", (\d+)\},')


def current_table(text):
    begin, end = text.index("// BEGIN MEASURED RATES"), text.index("// END MEASURED RATES")
    return begin, end, [(m.group(1), int(m.group(2))) for m in ROW.finditer(text[begin:end])]


def measured(paths):
    per_algo = {}
    for path in paths:
        with open(path) as f:
            for r in csv.DictReader(f):
                if r["kind"] != "ours" or r["status"] != "ok" or r["algo"].startswith("auto"):
                    continue
                per_algo.setdefault(r["algo"], []).append(float(r["gflops"]) / int(r["threads"]))
    return {a: statistics.median(v) for a, v in per_algo.items()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--write", action="store_true")
    p.add_argument("--keep", action="append", default=[])
    p.add_argument("csv", nargs="+")
    args = p.parse_args()
    text = MODEL.read_text()
    begin, end, table = current_table(text)
    rates = measured(args.csv)
    rows = []
    for name, old in table:
        new = old if name in args.keep or name not in rates else max(1, round(rates[name]))
        print(f"{name:20s} {old:4d} -> {new:4d}")
        rows.append(f'    {{"{name}", {new}}},')
    if args.write:
        body = "// BEGIN MEASURED RATES\nconst MeasuredRate kRates[] = {\n" + "\n".join(rows) + "\n};\n"
        MODEL.write_text(text[:begin] + body + text[end:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
