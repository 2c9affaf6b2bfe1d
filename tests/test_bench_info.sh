#!/usr/bin/env bash
# gemmconv-bench --info names what runs: BLIS's version and configuration, the sgemm
# micro-kernel's MR x NR and block sizes (all positive), and the CPU's vector extensions, which
# must include the target's baseline when one is given (sse2 on x86-64, asimd on arm64). In a
# cross build meson sets MESON_EXE_WRAPPER (qemu), which runs the bench.
# Usage: test_bench_info.sh BENCH [BASELINE_FEATURE]
set -euo pipefail
bench=$1
baseline=${2:-}
# MESON_EXE_WRAPPER is a command line (its words split on purpose).
# shellcheck disable=SC2086
info=$(${MESON_EXE_WRAPPER:-} "$bench" --info)
echo "$info"
fail() {
  echo "FAILED: $*"
  exit 1
}
grep -Eq '^BLIS +[0-9]+\.[0-9]+(\.[0-9]+)?, architecture [a-z0-9]+$' <<<"$info" ||
  fail "no BLIS version and configuration"
kernel='^sgemm ukernel +MR x NR = [1-9][0-9]* x [1-9][0-9]*, KC [1-9][0-9]*, MC [1-9][0-9]*, NC [1-9][0-9]*,'
grep -Eq "$kernel" <<<"$info" || fail "no micro-kernel shape and block sizes"
grep -Eq '^CPU +[^ ]' <<<"$info" || fail "no CPU"
flags=$(sed -n 's/^CPU flags *//p' <<<"$info")
[ -z "$baseline" ] || grep -qw "$baseline" <<<"$flags" || fail "CPU flags '$flags' lack $baseline"
echo "bench --info ok"
