#!/usr/bin/env python3
"""Turns gemmconv-bench CSV files into the Markdown tables of README 'Performance'.

  readme_tables.py paper  T1.csv T2.csv     per layer: each algorithm at 1 and 2 threads,
                                            workspace and its fraction of im2col's
  readme_tables.py network CSV...           per network and thread count: whole-network time
                                            (repeat-weighted) of the main contestants
  readme_tables.py peers CSV...             per network, layout, thread count and peer: AUTO's
                                            and the peer's whole-network time and AUTO / peer
                                            (the run's closing summary, over several runs)
  readme_tables.py dense CSV...             per machine kind (CPU, BLIS kernel: read from the
                                            bench's printed output X.txt beside X.csv),
                                            network, layout and thread count: AUTO's time, its
                                            share of the micro-kernel's in-process ceiling, a
                                            column per peer, the 1 -> 2 thread speed-up
  readme_tables.py ceiling CSV...           1-thread runs: each layer's share of the ceiling,
                                            the layers under 75% (90% for M' >= 64 with at
                                            least 784 output pixels)
"""
import csv
import os
import re
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


def machine(path):
    """(label, ceiling GFLOP/s per core) from the printed output beside a CSV."""
    txt = os.path.splitext(path)[0] + ".txt"
    kernel, cpu, ceilings = "?", "?", []
    with open(txt) as f:
        for line in f:
            m = re.match(r"# libgemmconv \S+, BLIS ([^,]+),", line)
            kernel = m.group(1) if m else kernel
            m = re.match(r"# CPU: (.*)", line)
            cpu = m.group(1).strip() if m else cpu
            m = re.search(r"ceiling.*?: ([0-9.]+) GFLOP/s per core", line)
            if m:
                ceilings.append(float(m.group(1)))
            m = re.search(r"measured again after the run: ([0-9.]+)", line)
            if m:
                ceilings.append(float(m.group(1)))
    # Runs from before the header named the CPU, or named it without its family and model: the
    # --info saved beside them, where it says more.
    saved = info_cpu(os.path.join(os.path.dirname(path), "info.txt"))
    if saved and (cpu == "?" or ("family" in saved and "family" not in cpu)):
        cpu = saved
    return f"{cpu}, BLIS {kernel}", max(ceilings) if ceilings else float("nan")


def info_cpu(info):
    """The CPU and its widest vector extension as a saved `gemmconv-bench --info` names them."""
    if not os.path.exists(info):
        return None
    fields = {}
    with open(info) as f:
        for line in f:
            key, _, value = line.partition("  ")
            fields[key.strip()] = value.strip()
    flags = fields.get("CPU flags", "").split()
    widest = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
    return f"{fields.get('CPU', '?')} ({widest})"


# The peer that runs on the same tensors as AUTO, per layout.
SAME_TENSORS = {"nchw": "onednn-plain", "nhwc": "onednn-nhwc"}


def dense(paths):
    ms = defaultdict(dict)  # (machine, net, layout, threads) -> (layer, algo) -> weighted ms
    flops = defaultdict(float)  # same key -> AUTO's GFLOP (weighted)
    layers = defaultdict(set)
    ceiling = {}
    names = []
    for p in paths:
        label, top = machine(p)
        ceiling[label] = max(ceiling.get(label, 0.0), top)
        for r in rows([p]):
            if r["file"] == "command line":
                continue
            key = (label, r["network"], r["layout"], r["threads"])
            layers[key].add(r["layer"])
            if r["status"] != "ok":
                continue
            t = float(r["median_ms"]) * int(r["repeat"])
            ms[key][(r["layer"], r["algo"])] = t
            if r["algo"] == "auto":
                flops[key] += float(r["gflops"]) * t / 1000.0
            if r["kind"] == "peer" and r["algo"] not in names:
                names.append(r["algo"])
    total = lambda key, algo: sum(v for (l, a), v in ms[key].items() if a == algo)
    print("| machine (ceiling per core) | network | layout | threads | AUTO ms | of ceiling | "
          + " | ".join(f"{n} ms" for n in names)
          + " | AUTO / oneDNN same tensors | AUTO / xnnpack | 2 threads / 1 |")
    print("|" + "---|" * (9 + len(names)))
    for key in sorted(ms):
        label, net, layout, threads = key
        if not all((l, "auto") in ms[key] for l in layers[key]):
            continue
        auto = total(key, "auto")
        share = flops[key] / (auto / 1000.0) / (ceiling[label] * int(threads))
        cells = []
        for n in names:
            full = all((l, n) in ms[key] for l in layers[key])
            cells.append(f"{total(key, n):.1f}" if full else "")
        ratio = lambda n: (f"**{auto / total(key, n):.2f}**"
                           if all((l, n) in ms[key] for l in layers[key]) else "")
        one = (label, net, layout, "1")
        scaling = (f"{total(one, 'auto') / auto:.2f}x"
                   if threads == "2" and one in ms else "")
        print(f"| {label} ({ceiling[label]:.0f} GFLOP/s) | {net} | {layout.upper()} | {threads} "
              f"| {auto:.1f} | {share:.0%} | " + " | ".join(cells)
              + f" | {ratio(SAME_TENSORS[layout])} | {ratio('xnnpack')} | {scaling} |")


def layer_shapes(path):
    """layer name -> (M', output pixels) from a benchdnn shapes file."""
    shapes = {}
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].strip()
            name = re.search(r'n"([^"*]+)', line)
            if not name:
                continue
            field = lambda k, d=None: (int(re.search(k + r"(\d+)", line).group(1))
                                       if re.search(k + r"(\d+)", line) else d)
            g, oc, oh = field("g", 1), field("oc"), field("oh")
            shapes[name.group(1)] = (oc // g, oh * field("ow", oh))
    return shapes


def ceiling_shares(paths):
    for p in paths:
        label, top = machine(p)
        below = []
        count = 0
        for r in rows([p]):
            if r["algo"] != "auto" or r["threads"] != "1" or r["status"] != "ok":
                continue
            mg, pixels = layer_shapes(r["file"]).get(r["layer"], (0, 0))
            share = float(r["gflops"]) / top
            goal = 0.90 if mg >= 64 and pixels >= 784 else 0.75
            count += 1
            if share < goal:
                below.append(f"{r['layer']} {share:.0%} ({r['chosen']}, M' {mg}, {pixels} px)")
        print(f"{p} ({label}, {top:.0f} GFLOP/s): {count - len(below)} of {count} layers at "
              f"their goal; under it: " + ("; ".join(below) or "none"))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "paper":
        paper(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "network":
        network(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "peers":
        peers(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "dense":
        dense(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "ceiling":
        ceiling_shares(sys.argv[2:])
    else:
        sys.exit(__doc__)
