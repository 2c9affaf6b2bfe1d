#!/usr/bin/env python3
"""Fails when a file of the library includes one of a layer above its own.

The layers, bottom to top (README "Architecture"); a folder may include its own files and those
of lower layers only."""
import os
import re
import sys

LAYERS = [
    ("lib/base",),
    ("lib/conv", "lib/simd", "lib/parallel"),
    ("lib/blis",),
    ("lib/plan",),
    ("lib/algorithms",),
    ("lib/planner",),
    ("lib/library",),
    ("capi",),
]


def layer_of(path):
    for rank, names in enumerate(LAYERS):
        for name in names:
            if path == name or path.startswith(name + "/") or path.startswith(name + "."):
                return rank, name
    return None, None


def main(root):
    violations = []
    for top in ("lib", "capi"):
        for folder, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if not f.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.relpath(os.path.join(folder, f), root)
                rank, name = layer_of(path)
                if rank is None:
                    violations.append(f"{path}: in no layer")
                    continue
                with open(os.path.join(root, path)) as text:
                    for included in re.findall(r'#include "([^"]+)"', text.read()):
                        target = os.path.normpath(os.path.join(os.path.dirname(path), included))
                        their_rank, their_name = layer_of(target)
                        if their_rank is not None and their_name != name and their_rank >= rank:
                            violations.append(f"{path} includes {target} (layer {their_name})")
    for v in violations:
        print(v)
    print(f"{len(violations)} include(s) against the layering")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
