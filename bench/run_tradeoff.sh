#!/usr/bin/env bash
# Runs the trade-off measurement drawn by plot_tradeoff.sh for one layer at 1 thread: every
# algorithm once, interleaved (time against workspace), then AUTO at each workspace_limit from
# 0 up to im2col's workspace (one --workspace-limit run each).
# Usage: run_tradeoff.sh BENCH 'LAYER_DESC' OUT_PREFIX   (writes OUT_PREFIX.csv, OUT_PREFIX_algos.dat)
set -euo pipefail
bench=$1 layer=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" --layer "$layer" --algo all --threads 1 --reps 7 --hide-unsupported --csv "$tmp/all.csv" >/dev/null
name=$(tail -n 1 "$tmp/all.csv" | cut -d, -f3)
{
  echo "# algorithm workspace_bytes(0 shown as 1024) median_ms  ($name, 1 thread, one interleaved run)"
  awk -F, 'NR > 1 && $11 == "ok" && $8 != "direct" { w = $15 == 0 ? 1024 : $15; print $8, w, $12 }' "$tmp/all.csv"
} >"${out}_algos.dat"
im2col=$(awk -F, 'NR > 1 && $8 == "im2col-copy-long" { print $15 }' "$tmp/all.csv")
echo "workspace_limit,algo,chosen,median_ms,workspace_bytes" >"$out.csv"
for limit in 0 65536 131072 163840 262144 1048576 3211264 6422528 13000000 "$im2col"; do
  "$bench" --layer "$layer" --algo auto --threads 1 --reps 7 --workspace-limit "$limit" \
    --csv "$tmp/auto.csv" >/dev/null
  awk -F, -v l="$limit" 'NR > 1 { print l "," $8 "," $10 "," $12 "," $15 }' "$tmp/auto.csv" >>"$out.csv"
done
