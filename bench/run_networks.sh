#!/usr/bin/env bash
# Races AUTO against the peers on the four dense networks, both layouts, 1 and 2 threads, and
# writes NET_LAYOUT_tT.{txt,csv} into OUTDIR (readme_tables.py dense/ceiling read them).
# Usage: run_networks.sh OUTDIR [--avx2] [gemmconv-bench options...]
#   --avx2  BLIS's haswell kernel, our AVX2 loops and oneDNN limited to AVX2 (on a CPU with
#           AVX-512: the other kernel the library meets in the field)
# e.g. bench/run_networks.sh bench/results/dense_zen5 --reps 5
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out=$1
shift
env=()
if [ "${1:-}" = "--avx2" ]; then
  env=(GEMMCONV_MAX_ISA=avx2 BLIS_ARCH_TYPE=haswell ONEDNN_MAX_CPU_ISA=AVX2)
  shift
fi
bench=${BENCH:-./build/bench/gemmconv-bench}
mkdir -p "$out"
for t in 1 2; do
  for n in vgg_19 resnet_50 googlenet_v1 alexnet; do
    for layout in nchw nhwc; do
      name="$out/${n}_${layout}_t$t"
      env "${env[@]}" "$bench" --shapes "bench/shapes/$n" --layout "$layout" --algo auto \
        --peer onednn,xnnpack --threads "$t" --csv "$name.csv" "$@" >"$name.txt" 2>&1
      tail -n 4 "$name.txt" | grep -E "^#   $n" || true
    done
  done
done
