#!/usr/bin/env bash
# Synth speed, as BENCHMARKS.md reports it: the app command from cdktf.json (what `cdktf synth` runs),
# against merely loading @cdktf/provider-aws from its package root. Median wall time and peak RSS of
# RUNS runs each, measured with GNU time (Linux). Usage: npm run bench:synth [-- RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
app=$(node -p "require('./cdktf.json').app")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # label, command → "median_seconds max_rss_mb"
  local label=$1 cmd=$2
  for ((i = 0; i < runs; i++)); do
    # Progress on stderr: stdout is the figures, which the caller reads.
    printf '\rbench:synth %s: run %d of %d' "$label" $((i + 1)) "$runs" >&2
    CDKTF_OUTDIR="$out/cdktf.out" /usr/bin/time -a -o "$out/$label" -f '%e %M' bash -c "$cmd" >/dev/null
  done
  printf '\rbench:synth %s: %d runs done\n' "$label" "$runs" >&2
  sort -n "$out/$label" | awk -v n="$runs" '{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "%.3f %.0f\n", t[int((n + 1) / 2)], m / 1024 }'
}

read -r app_s app_mb < <(measure app "$app")
read -r root_s root_mb < <(measure root "node -e \"require('@cdktf/provider-aws')\"")
echo "runs: $runs (median wall, peak RSS)"
echo "synth (cdktf.json app command): ${app_s} s, ${app_mb} MB"
echo "require('@cdktf/provider-aws'):  ${root_s} s, ${root_mb} MB"
awk -v a="$app_s" -v r="$root_s" 'BEGIN { printf "ratio synth / root load: %.2f\n", a / r }'
