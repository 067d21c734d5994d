#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: the third-party profiles of the shared corpus
# ($PPROTEL_CORPUS, else ../shared/corpus beside the repository), their raw and converted forms,
# and the small hand-made seeds in fuzz/seeds/. fuzz/corpus/ is gitignored: third-party data is
# copied at run time, never committed.
#
# Environment: MAX_LEN (default 65536; larger files are skipped, libFuzzer would truncate them),
# PPROTEL_BIN (a built pprotel binary; default: `cargo build` one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
source_corpus=${PPROTEL_CORPUS:-$root/../shared/corpus}
max_len=${MAX_LEN:-65536}

if [ -z "${PPROTEL_BIN:-}" ]; then
    (cd "$root" && cargo build --quiet --bin pprotel)
    PPROTEL_BIN=${CARGO_TARGET_DIR:-$root/target}/debug/pprotel
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/raw" "$work/otlp" "$work/json"

# add TARGET FILE...: copies each file that fits into corpus/TARGET, named after its origin.
add() {
    local target=$1 file
    shift
    mkdir -p "$here/corpus/$target"
    for file in "$@"; do
        [ -f "$file" ] || continue
        [ "$(wc -c <"$file")" -le "$max_len" ] || continue
        # cat, not cp: the shared corpus is read-only and cp would keep that mode.
        cat "$file" >"$here/corpus/$target/seed-$(basename "$file")"
    done
}

pprofs=("$here"/seeds/*.pprof)
if [ -d "$source_corpus/pprof" ]; then
    pprofs+=("$source_corpus"/pprof/*)
else
    echo "seed.sh: no corpus at $source_corpus (set PPROTEL_CORPUS); using the hand-made seeds only" >&2
fi

for f in "${pprofs[@]}"; do
    case $(basename "$f") in PROVENANCE.md) continue ;; esac
    name=$(basename "$f")
    name=${name%.gz}
    name=${name%.pb}
    name=${name%.pprof}
    # Raw protobuf, whatever the file name says (corpus files named .pb.gz may be raw).
    if [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
        gzip -dc "$f" >"$work/raw/$name.pb"
    else
        cp "$f" "$work/raw/$name.pb"
    fi
    "$PPROTEL_BIN" convert "$f" --to otlp -o "$work/otlp/$name.otlp" 2>/dev/null || true
    "$PPROTEL_BIN" convert "$f" --to otlp-json -o "$work/json/$name.json" 2>/dev/null || true
    add pprof_decode "$f"
done
for f in "$here"/seeds/*.json; do
    "$PPROTEL_BIN" convert "$f" --to otlp -o "$work/otlp/$(basename "$f" .json).otlp" 2>/dev/null || true
done

add pprof_decode "$work"/raw/* "$work"/otlp/* "$work"/json/* "$here"/seeds/*.json
add pprof_roundtrip "$work"/raw/*
add otlp_protobuf_decode "$work"/otlp/* "$source_corpus"/otlp-v1.8/*
add otlp_roundtrip "$work"/otlp/* "$source_corpus"/otlp-v1.8/*
add otlp_json_decode "$work"/json/* "$here"/seeds/*.json

for target in pprof_decode pprof_roundtrip otlp_protobuf_decode otlp_roundtrip otlp_json_decode; do
    echo "seed.sh: corpus/$target: $(find "$here/corpus/$target" -type f | wc -l) files"
done
