#!/usr/bin/env python3
"""Turns gemmconv-bench CSV files into the Markdown tables of README 'Performance'.

  readme_tables.py paper  T1.csv T2.csv     per layer: each algorithm at 1 and 2 threads,
                                            workspace and its fraction of im2col's
  readme_tables.py network CSV...           per network and thread count: whole-network time
                                            (repeat-weighted) of the main contestants
  readme_tables.py peers CSV...             per network, layout, thread count and peer: AUTO's
                                            and the peer's whole-network time and AUTO / peer
                                            (the run's closing summary, over several runs)
"""
import csv
import sys
from collections import defaultdict


def rows(paths):
    for p in paths:
        with open(p) as f:
            yield from csv.DictReader(f)


def mib(b):
    b = float(b)
    return f"{b / 2**20:.2f} MiB" if b >= 2**20 else (f"{b / 1024:.0f} KiB" if b else "0")


def paper(t1, t2):
    data = defaultdict(dict)  # layer -> algo -> {threads: row}
    order = []
    for r in rows([t1, t2]):
        if r["status"] != "ok" or r["kind"] != "ours":
            continue
        if r["layer"] not in order:
            order.append(r["layer"])
        data[r["layer"]].setdefault(r["algo"], {})[r["threads"]] = r
    for layer in order:
        algos = data[layer]
        im2col = float(algos["im2col-copy-long"]["1"]["workspace_bytes"])
        patch = {t: min(float(v[t]["median_ms"]) for a, v in algos.items()
                        if a.startswith(("im2col-", "im2row-")) and t in v) for t in ("1", "2")}
        print(f"\n**{layer}** (fastest patch-building: {patch['1']:.2f} ms at 1 thread, "
              f"{patch['2']:.2f} ms at 2)\n")
        print("| algorithm | 1 thread ms | GFLOP/s | vs best im2col | 2 threads ms | GFLOP/s "
              "| vs best im2col | workspace | of im2col's |")
        print("|---|---|---|---|---|---|---|---|---|")
        for a, v in algos.items():
            cells = [f"`{a}`"]
            for t in ("1", "2"):
                if t in v:
                    ms = float(v[t]["median_ms"])
                    cells += [f"{ms:.2f}", v[t]["gflops"], f"{ms / patch[t]:.2f}x"]
                else:
                    cells += ["-", "-", "-"]
            ws = float(v["1"]["workspace_bytes"] or 0)
            cells += [mib(ws), f"{ws / im2col:.3f}"]
            print("| " + " | ".join(cells) + " |")


def network(paths):
    totals = defaultdict(lambda: defaultdict(float))  # (net, threads) -> algo -> ms
    counts = defaultdict(lambda: defaultdict(int))
    layers = defaultdict(set)
    maxws = defaultdict(lambda: defaultdict(int))
    best_patch = defaultdict(float)
    per_layer = defaultdict(dict)
    for r in rows(paths):
        # Whole networks come from --shapes runs only: the paper's layers, given one by one
        # with --layer ("command line"), carry the same network names and would be counted twice.
        if r["file"] == "command line":
            continue
        key = (r["network"], r["threads"])
        layers[key].add(r["layer"])
        if r["status"] != "ok":
            continue
        ms = float(r["median_ms"]) * int(r["repeat"])
        totals[key][r["algo"]] += ms
        counts[key][r["algo"]] += 1
        ws = int(r["scratchpad_bytes"] or r["workspace_bytes"] or 0)
        maxws[key][r["algo"]] = max(maxws[key][r["algo"]], ws)
        if r["algo"].startswith(("im2col-", "im2row-")):
            cur = per_layer[key].get(r["layer"])
            per_layer[key][r["layer"]] = ms if cur is None else min(cur, ms)
    print("| network | threads | tiled ms | AUTO ms | fastest im2col ms | kn2row-aa ms "
          "| kn2row-as ms | oneDNN plain NCHW ms | oneDNN NCHW + reorders ms | oneDNN blocked ms "
          "| tiled / plain | tiled / reorders | tiled max workspace "
          "| oneDNN plain max scratchpad | oneDNN reorders max |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(totals, key=lambda k: (k[0], k[1])):
        t = totals[key]
        n = len(layers[key])
        full = lambda a: a in t and counts[key][a] == n
        cell = lambda a: f"{t[a]:.1f}" if full(a) else "-"
        tiled = "tiled-nchw" if "tiled-nchw" in t else "tiled-nhwc"
        patch = sum(per_layer[key].values()) if len(per_layer[key]) == n else None
        ratio = lambda peer: f"{t[tiled] / t[peer]:.2f}" if full(tiled) and full(peer) else "-"
        print(f"| {key[0]} | {key[1]} | {cell(tiled)} | {cell('auto')} | "
              f"{patch:.1f} | {cell('kn2row-aa')} | {cell('kn2row-as')} | {cell('onednn-plain')} | "
              f"{cell('onednn-nchw')} | {cell('onednn-blocked')} | **{ratio('onednn-plain')}** | "
              f"{ratio('onednn-nchw')} | {mib(maxws[key][tiled])} | "
              f"{mib(maxws[key]['onednn-plain'])} | {mib(maxws[key]['onednn-nchw'])} |")

def peers(paths):
    """AUTO against every peer in the CSVs, over the layers both ran (as the bench's summary)."""
    ms = defaultdict(dict)  # (net, layout, threads) -> (layer, algo) -> repeat-weighted ms
    layers = defaultdict(set)
    names = []
    for r in rows(paths):
        if r["file"] == "command line":
            continue
        key = (r["network"], r["layout"], r["threads"])
        layers[key].add(r["layer"])
        if r["status"] != "ok":
            continue
        ms[key][(r["layer"], r["algo"])] = float(r["median_ms"]) * int(r["repeat"])
        if r["kind"] == "peer" and r["algo"] not in names:
            names.append(r["algo"])
    print("| network | layout | threads | AUTO ms | peer | peer ms | AUTO / peer |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted(ms):
        for p in names:
            both = [l for l in layers[key] if (l, "auto") in ms[key] and (l, p) in ms[key]]
            if not both:
                continue
            ours = sum(ms[key][(l, "auto")] for l in both)
            theirs = sum(ms[key][(l, p)] for l in both)
            partial = "" if len(both) == len(layers[key]) else f" ({len(both)} layers)"
            print(f"| {key[0]} | {key[1]} | {key[2]} | {ours:.2f} | {p} | {theirs:.2f} "
                  f"| **{ours / theirs:.2f}**{partial} |")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "paper":
        paper(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "network":
        network(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "peers":
        peers(sys.argv[2:])
    else:
        sys.exit(__doc__)
