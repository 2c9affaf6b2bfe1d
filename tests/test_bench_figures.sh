#!/usr/bin/env bash
# gemmconv-bench's CSV and bench/plot_figures.sh stay in step: two tiny layers at 1 and 2
# threads (with the oneDNN peer when built in) become the three figures per network.
# Usage: test_bench_figures.sh BENCH PLOT_SCRIPT
set -euo pipefail
bench=$1
plot=$2
dir=$(mktemp -d /tmp/gemmconv-figures.XXXX)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/net" <<'LAYERS'
mb8ic8ih12oc16oh12kh3ph1n"tiny:conv1"
ic16ih12iw12oc8oh6ow6kh1kw1sh2sw2ph0pw0n"tiny:down*2"
LAYERS
peer=()
"$bench" --info | grep -q '^oneDNN  .*runtime' && peer=(--peer onednn)
for t in 1 2; do
  "$bench" --shapes "$dir/net" --threads "$t" --reps 1 "${peer[@]}" --csv "$dir/t$t.csv" \
    >"$dir/t$t.txt" 2>/dev/null
done
grep -q '^file,network,layer,repeat,mb,threads,layout,algo,kind,' "$dir/t1.csv"
[ "$(grep -c ',tiny:down,2,1,2,nchw,' "$dir/t2.csv")" -ge 2 ]
bash "$plot" "$dir/figures" "$dir/t1.csv" "$dir/t2.csv" >/dev/null
for f in tiny_t1_nchw_time tiny_t1_nchw_workspace tiny_t2_nchw_time tiny_nchw_scaling; do
  [ -s "$dir/figures/$f.png" ] || {
    echo "missing $f.png"
    exit 1
  }
done
echo "figures ok"
