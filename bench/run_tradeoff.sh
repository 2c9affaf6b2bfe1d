#!/usr/bin/env bash
# Runs the trade-off measurement drawn by plot_tradeoff.sh for one NCHW layer at 1 thread, in one
# interleaved run so that every point sees the same machine: each algorithm (time against its
# workspace), and AUTO and tiled-nchw each at every workspace_limit from 0 up to im2col's
# workspace (--algo NAME@BYTES).
# Usage: run_tradeoff.sh BENCH 'LAYER_DESC' OUT_PREFIX   (writes OUT_PREFIX.csv, OUT_PREFIX_algos.dat)
set -euo pipefail
bench=$1 layer=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# im2col's workspace, the top of the limits.
"$bench" --layer "$layer" --algo im2col-copy-long --threads 1 --reps 1 --no-check --csv "$tmp/im2col.csv" >/dev/null
im2col=$(awk -F, 'NR > 1 { print $15 }' "$tmp/im2col.csv")
# Dense where the tiled blocks shrink (up to its default of at most 256 KiB), sparse above.
limited=""
for limit in 0 4096 8192 12288 16384 24576 32768 49152 65536 98304 131072 163840 196608 262144 \
  1048576 3211264 6422528 13000000 "$im2col"; do
  limited="$limited,auto@$limit,tiled-nchw@$limit"
done
# Every algorithm but `direct` (far slower, it would stretch the time axis) and the limited
# plans, all in one interleaved run.
"$bench" --layer "$layer" --algo "gemm-1x1,im2*,mec-*,kn2*,tiled-*,auto$limited" --threads 1 \
  --reps 7 --hide-unsupported --csv "$tmp/all.csv" >/dev/null
name=$(tail -n 1 "$tmp/all.csv" | cut -d, -f3)
{
  echo "# algorithm workspace_bytes(0 shown as 1024) median_ms  ($name, 1 thread, one interleaved run)"
  awk -F, 'NR > 1 && $11 == "ok" && $8 !~ /@/ { w = $15 == 0 ? 1024 : $15; print $8, w, $12 }' "$tmp/all.csv"
} >"${out}_algos.dat"
# One row per (limit, algorithm): what ran (the tiled plan is over budget below its floor).
echo "workspace_limit,algo,chosen,median_ms,workspace_bytes" >"$out.csv"
awk -F, 'NR > 1 && $11 == "ok" && $8 ~ /@/ { split($8, a, "@"); print a[2] "," a[1] "," $10 "," $12 "," $15 }' \
  "$tmp/all.csv" >>"$out.csv"
