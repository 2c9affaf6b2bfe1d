#!/usr/bin/env bash
# Turns gemmconv-bench CSV files into PNG figures like the paper's (gnuplot; Debian's
# gnuplot-nox). For each network, thread count, layout and batch found in the CSVs:
#   NET_tT_LAYOUT[_mbN]_time.png       each algorithm's median time divided by the fastest
#                                      patch-building algorithm (im2col-*/im2row-*) of that
#                                      layer, one bar group per layer, and the whole network
#                                      (repeat-weighted) as the last group;
#   NET_tT_LAYOUT[_mbN]_workspace.png  each algorithm's workspace bytes, log scale.
# and, when a network was run at several thread counts,
#   NET_LAYOUT[_mbN]_scaling.png       whole-network speed-up over the lowest thread count.
# Usage: plot_figures.sh [--with-direct] OUTDIR CSV...
#   e.g. gemmconv-bench --shapes bench/shapes/vgg_19 --threads 1 --peer onednn --csv t1.csv
#        gemmconv-bench --shapes bench/shapes/vgg_19 --threads 2 --peer onednn --csv t2.csv
#        bench/plot_figures.sh figures t1.csv t2.csv
# `direct` is left out unless --with-direct (it is far slower and flattens the other bars).
set -euo pipefail

with_direct=0
if [ "${1:-}" = "--with-direct" ]; then
  with_direct=1
  shift
fi
if [ $# -lt 2 ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
command -v gnuplot >/dev/null || {
  echo "plot_figures.sh: needs gnuplot (apt-get install gnuplot-nox)" >&2
  exit 2
}
outdir=$1
shift
mkdir -p "$outdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# All rows of all files, each header dropped; columns (see gemmconv-bench's CSV header):
# 1 file 2 network 3 layer 4 repeat 5 mb 6 threads 7 layout 8 algo 9 kind 10 chosen 11 status
# 12 median_ms 13 min_ms 14 gflops 15 workspace_bytes 16 persistent_bytes 17 scratchpad_bytes
for f in "$@"; do
  head -n 1 "$f" | grep -q '^file,network,layer,repeat,mb,threads,layout,algo,kind,' || {
    echo "plot_figures.sh: $f is not a gemmconv-bench CSV" >&2
    exit 2
  }
  tail -n +2 "$f"
done | awk -F, -v direct="$with_direct" '$8 != "direct" || direct' >"$tmp/rows.csv"

# Writes time.dat and workspace.dat for the rows of one group (stdin). Rows: layers in the
# order first seen (name without the "network:" prefix), then "network"; columns: algorithms
# in the order first seen. NaN marks what did not run (unsupported, WRONG, failed).
tables() {
  awk -F, -v dir="$1" '
    function patch(a) { return a ~ /^(im2col|im2row)-/ }
    {
      layer = $3; sub(/^[^:]*:/, "", layer)
      if (!(layer in seen_layer)) { seen_layer[layer] = 1; layers[++nl] = layer; rep[layer] = $4 }
      # Only algorithms that ran somewhere in the group get a column (and a legend entry).
      if ($11 == "ok" && !($8 in seen_algo)) { seen_algo[$8] = 1; algos[++na] = $8 }
      if ($11 == "ok") {
        t[layer, $8] = $12; ws[layer, $8] = $15
        if ($9 == "ours" && patch($8) && (!((layer) in base) || $12 < base[layer])) base[layer] = $12
      }
    }
    END {
      tf = dir "/time.dat"; wf = dir "/workspace.dat"
      printf "layer" > tf; printf "layer" > wf
      for (a = 1; a <= na; ++a) { printf " %s", algos[a] > tf; printf " %s", algos[a] > wf }
      printf "\n" > tf; printf "\n" > wf
      max = 0
      for (l = 1; l <= nl; ++l) {
        L = layers[l]; printf "%s", L > tf; printf "%s", L > wf
        for (a = 1; a <= na; ++a) {
          A = algos[a]
          if ((L, A) in t && (L in base)) {
            r = t[L, A] / base[L]; printf " %.4f", r > tf; if (r > max) max = r
          } else printf " NaN" > tf
          # 0 B is drawn as 1 B, below the axis: no bar, but the colours stay those of the
          # time figure.
          if ((L, A) in ws) printf " %s", (ws[L, A] > 0 ? ws[L, A] : 1) > wf; else printf " NaN" > wf
        }
        printf "\n" > tf; printf "\n" > wf
      }
      # The whole network, each layer weighted by its repeat count; only for algorithms that
      # ran every layer that has a patch-building baseline.
      printf "network" > tf
      for (a = 1; a <= na; ++a) {
        A = algos[a]; num = den = 0; complete = 1
        for (l = 1; l <= nl; ++l) {
          L = layers[l]
          if (!(L in base)) continue
          if (!((L, A) in t)) { complete = 0; break }
          num += t[L, A] * rep[L]; den += base[L] * rep[L]
        }
        if (complete && den > 0) printf " %.4f", num / den > tf; else printf " NaN" > tf
      }
      printf "\n" > tf
      print nl, na, max > (dir "/shape")
    }'
}

# Whole-network time per algorithm and thread count, for the scaling figure (stdin: one
# network, layout and batch; all thread counts).
scaling() {
  awk -F, -v dir="$1" '
    {
      if ($11 == "ok" && !($8 in seen_algo)) { seen_algo[$8] = 1; algos[++na] = $8 }
      if (!($6 in seen_t)) { seen_t[$6] = 1; threads[++nt] = $6 }
      if (!($3 in seen_l)) { seen_l[$3] = 1; layers[++nl] = $3 }
      if ($11 == "ok") { t[$3, $8, $6] = $12 * $4 }
    }
    END {
      # Thread counts ascending.
      for (i = 1; i <= nt; ++i) for (j = i + 1; j <= nt; ++j)
        if (threads[j] + 0 < threads[i] + 0) { x = threads[i]; threads[i] = threads[j]; threads[j] = x }
      f = dir "/scaling.dat"; printf "algorithm" > f
      for (i = 2; i <= nt; ++i) printf " %s_threads", threads[i] > f
      printf "\n" > f
      for (a = 1; a <= na; ++a) {
        A = algos[a]; printf "%s", A > f
        for (i = 1; i <= nt; ++i) {
          total[i] = 0; complete[i] = 1
          for (l = 1; l <= nl; ++l)
            if ((layers[l], A, threads[i]) in t) total[i] += t[layers[l], A, threads[i]]
            else complete[i] = 0
        }
        for (i = 2; i <= nt; ++i)
          if (complete[1] && complete[i] && total[i] > 0) printf " %.3f", total[1] / total[i] > f
          else printf " NaN" > f
        printf "\n" > f
      }
      print nt, threads[1] > (dir "/scaling_shape")
    }'
}

# What every figure here shares: clustered bars, one cluster a layer, the key outside.
histogram_style='set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key outside right top vertical
set xtics rotate by -35 scale 0
set grid ytics'

made=0
while IFS='|' read -r net threads layout mb; do
  dir="$tmp/g$made"
  mkdir -p "$dir"
  awk -F, -v n="$net" -v t="$threads" -v l="$layout" -v m="$mb" \
    '$2 == n && $6 == t && $7 == l && $5 == m' "$tmp/rows.csv" | tables "$dir"
  read -r nl na max <"$dir/shape"
  name=${net:-layers}_t${threads}_${layout}
  [ "$mb" = 1 ] || name+="_mb$mb"
  title="${net:-layers}, $threads thread(s), $layout, mb=$mb"
  width=$(((nl + 1) * (na * 14 + 24) + 360))
  [ "$width" -ge 900 ] || width=900
  [ "$width" -le 6000 ] || width=6000
  ymax=$(awk -v m="$max" 'BEGIN { print (m > 4 ? 4 : (m < 1.2 ? 1.2 : m * 1.05)) }')
  clipped=$(awk -v m="$max" 'BEGIN { print (m > 4 ? " (bars above 4 clipped)" : "") }')
  gnuplot <<EOF
set terminal pngcairo size $width,560 noenhanced font ",10"
$histogram_style
set xrange [-0.6:$nl + 0.6]

set output "$outdir/${name}_time.png"
set title "$title\ntime / the fastest im2col-* or im2row-* algorithm of the layer (lower is better)$clipped"
set ylabel "normalised time"
set yrange [0:$ymax]
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5
plot for [i=2:$((na + 1))] "$dir/time.dat" using i:xtic(1) title columnheader(i)

set output "$outdir/${name}_workspace.png"
unset arrow 1
set title "$title\nworkspace bytes, log scale (no bar: none needed, or did not run)"
set ylabel "workspace bytes"
set logscale y 10
set format y "%.0s %cB"
set yrange [1000:*]
set xrange [-0.6:$nl - 0.4]
plot for [i=2:$((na + 1))] "$dir/workspace.dat" using i:xtic(1) title columnheader(i)
EOF
  echo "$outdir/${name}_time.png $outdir/${name}_workspace.png"
  made=$((made + 1))
done < <(awk -F, '{ print $2 "|" $6 "|" $7 "|" $5 }' "$tmp/rows.csv" | sort -u)

while IFS='|' read -r net layout mb; do
  dir="$tmp/s$made"
  mkdir -p "$dir"
  awk -F, -v n="$net" -v l="$layout" -v m="$mb" '$2 == n && $7 == l && $5 == m' \
    "$tmp/rows.csv" | scaling "$dir"
  read -r nt lowest <"$dir/scaling_shape"
  [ "$nt" -ge 2 ] || continue
  name=${net:-layers}_${layout}
  [ "$mb" = 1 ] || name+="_mb$mb"
  gnuplot <<EOF
set terminal pngcairo size 1000,520 noenhanced font ",10"
$histogram_style
set yrange [0:*]
set output "$outdir/${name}_scaling.png"
set title "${net:-layers}, $layout, mb=$mb\nwhole-network speed-up over $lowest thread(s), each layer weighted by its repeat count (higher is better)"
set ylabel "speed-up"
plot for [i=2:$nt] "$dir/scaling.dat" using i:xtic(1) title columnheader(i)
EOF
  echo "$outdir/${name}_scaling.png"
  made=$((made + 1))
done < <(awk -F, '{ print $2 "|" $7 "|" $5 }' "$tmp/rows.csv" | sort -u)

[ "$made" -gt 0 ] || {
  echo "plot_figures.sh: no rows in the CSV files" >&2
  exit 1
}
