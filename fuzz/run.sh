#!/usr/bin/env bash
# Builds every fuzz target and runs each for a fixed number of iterations; exits non-zero if any
# target crashes (panic, timeout, or memory over the limit). Meant for CI and for longer runs.
#
#   fuzz/run.sh [ITERATIONS]     default 100000 per target; -1: no limit (use FUZZ_SECONDS)
#
# Environment:
#   MAX_LEN          largest input libFuzzer generates (default 65536)
#   FUZZ_SEED        libFuzzer's random seed (default 1, so CI runs repeat; 0 = random)
#   FUZZ_TOOLCHAIN   rustup toolchain (default: the active one; stable works, see README)
#   FUZZ_SANITIZER   none (default, works on stable) or address (needs nightly)
#   FUZZ_TARGETS     space-separated subset of targets (default: all)
#   FUZZ_SECONDS     also stop each target after this many seconds (long runs)
#   PPROTEL_CORPUS   the shared third-party corpus to seed from (default ../shared/corpus)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-100000}
max_len=${MAX_LEN:-65536}
seed=${FUZZ_SEED:-1}
sanitizer=${FUZZ_SANITIZER:-none}
toolchain=()
[ -n "${FUZZ_TOOLCHAIN:-}" ] && toolchain=("+$FUZZ_TOOLCHAIN")
cargo_fuzz_version=0.13.2

if ! cargo fuzz --version 2>/dev/null | grep -qF "$cargo_fuzz_version"; then
    echo "run.sh: installing cargo-fuzz $cargo_fuzz_version"
    cargo install --locked cargo-fuzz --version "$cargo_fuzz_version"
fi

"$here/seed.sh"

cd "$here"
# --debug-assertions: integer overflow and debug_assert! become crashes instead of silent wraps.
flags=(--sanitizer "$sanitizer" --debug-assertions)
started=$(date +%s)
cargo "${toolchain[@]}" fuzz build "${flags[@]}"
echo "run.sh: built in $(($(date +%s) - started))s"

targets=${FUZZ_TARGETS:-$(cargo "${toolchain[@]}" fuzz list)}
failed=()
mkdir -p "$here/artifacts"
for target in $targets; do
    options=(-runs="$runs" -max_len="$max_len" -seed="$seed" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1)
    [ -n "${FUZZ_SECONDS:-}" ] && options+=(-max_total_time="$FUZZ_SECONDS")
    case $target in
        otlp_json_decode) options+=(-dict="$here/otlp_json.dict") ;;
    esac
    log="$here/artifacts/$target.log"
    t0=$(date +%s)
    if cargo "${toolchain[@]}" fuzz run "${flags[@]}" "$target" -- "${options[@]}" >"$log" 2>&1; then
        printf 'run.sh: %-22s ok   %s runs in %ss (%s)\n' "$target" \
            "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" "$(($(date +%s) - t0))" \
            "$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | sed 's/.*\(cov: [0-9]*\).*/\1/')"
    else
        failed+=("$target")
        echo "run.sh: $target FAILED; last lines of its log ($log):"
        tail -n 60 "$log"
        for crash in "$here"/artifacts/"$target"/*; do
            [ -f "$crash" ] || continue
            echo "run.sh: input $crash ($(wc -c <"$crash") bytes), base64:"
            head -c 8192 "$crash" | base64 -w 0
            echo
        done
    fi
done
echo "run.sh: total $(($(date +%s) - started))s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "run.sh: crashes in: ${failed[*]} (reproduce: cd fuzz && cargo fuzz run ${flags[*]} TARGET artifacts/TARGET/FILE)"
    exit 1
fi
