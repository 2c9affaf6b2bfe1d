#!/usr/bin/env bash
# The speed/memory trade-off on one layer: each algorithm's time against its workspace (from a
# bench CSV, converted to bench/results/tradeoff_*_algos.dat), and the time of AUTO and of the
# tiled algorithm at each options.workspace_limit (bench/results/tradeoff_*.csv, from
# run_tradeoff.sh's NAME@BYTES runs).
# Usage: plot_tradeoff.sh ALGOS.dat LIMITS.csv OUT.png TITLE
set -euo pipefail
algos=$1 limits=$2 out=$3 title=$4
base=${out%.png}
tail -n +2 "$limits" | awk -F, '$2 == "auto" { l = $1 < 1024 ? 1024 : $1; print l, $4, $3 }' >"$base.auto.dat"
tail -n +2 "$limits" | awk -F, '$2 ~ /^tiled-/ { l = $1 < 1024 ? 1024 : $1; print l, $4, $5 }' >"$base.tiled.dat"
tiled=$(tail -n +2 "$limits" | awk -F, '$2 ~ /^tiled-/ { print $2; exit }')
gnuplot <<GP
set terminal pngcairo size 1100,600 font ",10" noenhanced
set output "$out"
set title "$title"
set logscale x 2
set xlabel "workspace bytes (0 drawn at 1 KiB)"
set ylabel "time, ms (lower is better)"
set grid
set key top center
set format x "%.0b %BB"
plot "$algos" using 2:3 with points pt 7 ps 1.2 title "each algorithm at its workspace", \
     "" using 2:3:1 with labels offset 0,1 font ",8" notitle, \
     "$base.auto.dat" using 1:2 with linespoints lw 2 title "AUTO at workspace_limit = x", \
     "$base.tiled.dat" using 1:2 with linespoints lw 2 dt 2 title "$tiled at workspace_limit = x"
GP
rm -f "$base.auto.dat" "$base.tiled.dat"
