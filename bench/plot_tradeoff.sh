#!/usr/bin/env bash
# The speed/memory trade-off on one layer: each algorithm's time against its workspace (from a
# bench CSV, converted to bench/results/tradeoff_*_algos.dat), and what AUTO chose and ran at
# each options.workspace_limit (bench/results/tradeoff_*.csv, from --workspace-limit runs).
# Usage: plot_tradeoff.sh ALGOS.dat AUTO.csv OUT.png TITLE
set -euo pipefail
algos=$1 auto=$2 out=$3 title=$4
tail -n +2 "$auto" | awk -F, '{ l = $1 < 1024 ? 1024 : $1; print l, $4, $3 }' >"${out%.png}.auto.dat"
gnuplot <<GP
set terminal pngcairo size 1100,600 font ",10" noenhanced
set output "$out"
set title "$title"
set logscale x 2
set xlabel "workspace bytes (0 drawn at 1 KiB)"
set ylabel "time, ms (lower is better)"
set grid
set key top left
plot "$algos" using 2:3 with points pt 7 ps 1.2 title "each algorithm", \
     "" using 2:3:1 with labels offset 0,1 font ",8" notitle, \
     "${out%.png}.auto.dat" using 1:2 with linespoints lw 2 title "AUTO at workspace_limit = x"
GP
rm -f "${out%.png}.auto.dat"
