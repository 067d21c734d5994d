#!/usr/bin/env bash
# Side-by-side wall time and peak RSS of converting one pprof, in one run:
#   pprotel convert FILE --to otlp   (pprof.gz -> OTLP protobuf)
#   pprotel convert FILE --to pprof  (decode + re-encode pprof, the same work as go tool pprof -proto)
#   gzip -dc FILE                    (the floor: just inflating it)
#   go tool pprof -proto FILE        (the Go reference reader and writer)
# Prints medians over RUNS runs and ratios to gzip -dc. Timings on a shared machine are noisy:
# compare the ratios of one run, never absolute times across runs.
# Usage: bench/compare.sh [FILE] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${PPROTEL_CORPUS:-$root/../shared/corpus}
# Default: the largest corpus pprof (by bytes on disk).
# shellcheck disable=SC2012
file=${1:-$(ls -S "$corpus"/pprof/* | head -n 1)}
runs=${2:-21}
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }

(cd "$root" && cargo build --release --quiet)
pprotel=$root/target/release/pprotel
gopprof=$(go env GOROOT)/pkg/tool/$(go env GOOS)_$(go env GOARCH)/pprof
[ -x "$gopprof" ] || gopprof="go tool pprof"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median wall ms and max RSS MiB of a command, over $runs runs (output to /dev/null)
measure() {
  local times=() rss=0 t0 t1 r
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 2; }
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
    r=$(tail -n1 "$tmp/rss"); [ "$r" -gt "$rss" ] && rss=$r
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $rss"
}

printf 'file: %s (%s bytes)\nruns: %s (median)\n\n' "$(basename "$file")" "$(stat -c %s "$file")" "$runs"
# Each result is assigned before it is split, so that a failing command (measure exits 2)
# stops the script under set -e instead of leaving empty numbers.
g=$(measure gzip -dc "$file"); read -r g_us g_rss <<<"$g"
o=$(measure "$pprotel" convert "$file" --to otlp); read -r o_us o_rss <<<"$o"
p=$(measure "$pprotel" convert "$file" --to pprof); read -r p_us p_rss <<<"$p"
# shellcheck disable=SC2086
go=$(measure $gopprof -proto "$file"); read -r go_us go_rss <<<"$go"
row() { awk -v n="$1" -v us="$2" -v rss="$3" -v g="$g_us" -v grss="$g_rss" \
  'BEGIN { printf "%-36s %9.1f ms %6.2fx   %7.1f MiB %6.2fx\n", n, us/1000, us/g, rss/1024, rss/grss }'; }
printf '%-36s %12s %7s   %11s %7s\n' command wall "/gzip" "peak RSS" "/gzip"
row "gzip -dc" "$g_us" "$g_rss"
row "pprotel convert --to otlp" "$o_us" "$o_rss"
row "pprotel convert --to pprof" "$p_us" "$p_rss"
row "go tool pprof -proto" "$go_us" "$go_rss"
awk -v o="$o_us" -v p="$p_us" -v go="$go_us" 'BEGIN {
  printf "\npprotel --to otlp vs go tool pprof -proto: %.2fx faster\n", go/o
  printf "pprotel --to pprof vs go tool pprof -proto: %.2fx faster\n", go/p }'
