#!/usr/bin/env bash
# CPU time (perf stat task-clock, mean of RUNS runs) and instruction count (callgrind Ir) of
# gzip -dc FILE and of `BIN convert FILE --to otlp` for each BIN given, measured in one run so
# the numbers are comparable. Task-clock is steadier than wall time on a shared machine; Ir is
# deterministic. Used for the step-by-step numbers in docs/performance.md.
# Usage: bench/perfstat.sh [FILE] [RUNS] -- BIN...   (default BIN: target/release/pprotel)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${PPROTEL_CORPUS:-$root/../shared/corpus}
file=$corpus/pprof/google-pprof__internal_proftest_testdata_large.cpu.pb.gz
runs=20
if [ $# -gt 0 ] && [ "$1" != "--" ]; then file=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then runs=$1; shift; fi
[ "${1:-}" = "--" ] && shift
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$root/target/release/pprotel")

taskclock() { perf stat -x, -r "$runs" -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {printf "%.2f", $1}'; }
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ {print $4}'; }

printf '%-40s %14s %14s\n' command "task-clock ms" "Ir"
g_tc=$(taskclock gzip -dc "$file"); g_ir=$(ir gzip -dc "$file")
printf '%-40s %14s %14s\n' "gzip -dc" "$g_tc" "$g_ir"
for bin in "${bins[@]}"; do
  tc=$(taskclock "$bin" convert "$file" --to otlp); n=$(ir "$bin" convert "$file" --to otlp)
  awk -v b="$(basename "$bin") --to otlp" -v tc="$tc" -v n="$n" -v gtc="$g_tc" -v gir="$g_ir" \
    'BEGIN { printf "%-40s %14s %14s   (%.2fx gzip task-clock, %.2fx gzip Ir)\n", b, tc, n, tc/gtc, n/gir }'
done
