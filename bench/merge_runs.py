#!/usr/bin/env python3
"""Merges several run_networks.sh output directories into one, layer by layer.

  merge_runs.py OUTDIR RUNDIR...

For every CSV file of the first run directory, and every (layer, contestant) row in it, keeps
the row of the run with the lowest median: on a shared machine whose load changes from minute
to minute, each contestant's quietest run of each layer. Ours and the peers are treated alike,
and the vs_<peer> columns are recomputed from the kept rows. The bench's printed output X.txt
of the first run is copied beside each X.csv (readme_tables.py reads the machine from it)."""
import csv
import shutil
import sys
from pathlib import Path


def median(row):
    return float(row["median_ms"]) if row["median_ms"] else float("inf")


def merge(name, runs, out):
    kept, order, fields = {}, [], None
    for run in runs:
        with open(run / name) as f:
            reader = csv.DictReader(f)
            fields = reader.fieldnames
            for row in reader:
                key = (row["layer"], row["algo"])
                if key not in kept:
                    order.append(key)
                    kept[key] = row
                elif median(row) < median(kept[key]):
                    kept[key] = row
    vs_columns = [c for c in fields if c.startswith("vs_")]
    for layer, algo in order:
        row = kept[(layer, algo)]
        for column in vs_columns:
            peer = kept.get((layer, column[len("vs_"):]))
            if peer and row["median_ms"] and peer["median_ms"]:
                row[column] = "%.4f" % (float(row["median_ms"]) / float(peer["median_ms"]))
    with open(out / name, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for key in order:
            writer.writerow(kept[key])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, runs = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    out.mkdir(parents=True, exist_ok=True)
    for csv_path in sorted(runs[0].glob("*.csv")):
        merge(csv_path.name, runs, out)
        shutil.copy(csv_path.with_suffix(".txt"), out / csv_path.with_suffix(".txt").name)


if __name__ == "__main__":
    main()
