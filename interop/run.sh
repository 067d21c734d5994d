#!/usr/bin/env bash
# Interop suite: converts every corpus pprof with pprotel and has Go reference
# implementations (google/pprof, collector pdata, the profcheck rules) check
# the results, and checks that pprotel's validator agrees with the profcheck
# rules on those results and with google/pprof on the corpus pprofs, and both
# on broken copies of them. See interop/README.md for what each check proves.
#
# Usage: interop/run.sh [PPROTEL_BIN]
#   PPROTEL_BIN       pprotel binary to test (default: cargo build --release at
#                     the repository root, then target/release/pprotel)
# Environment:
#   PPROTEL_CORPUS    corpus root (default: ../shared/corpus beside the repository)
#   PPROTEL_INTEROP_KNOWN    known-differences file (default: interop/known-differences.txt)
#   PPROTEL_INTEROP_TIMEOUT  seconds allowed per command (default: 300)
#   PPROTEL_INTEROP_BREAK    corpus file names broken on purpose, as OTLP for
#                            case d and as pprof for case e (default: two
#                            files named below)
# Exit: 0 all checks passed, 1 some check failed, 2 usage or setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

die() { echo "run.sh: $*" >&2; exit 2; }

[ $# -le 1 ] || die "usage: interop/run.sh [PPROTEL_BIN]"
if [ $# -eq 1 ]; then
    pprotel="$1"
    case "$pprotel" in /*) ;; *) pprotel="$PWD/$pprotel" ;; esac
else
    (cd "$root" && cargo build --release --quiet) || die "cargo build --release failed"
    pprotel="${CARGO_TARGET_DIR:-$root/target}/release/pprotel"
fi
[ -x "$pprotel" ] || die "$pprotel is not an executable file"

corpus="${PPROTEL_CORPUS:-$root/../shared/corpus}"
[ -d "$corpus/pprof" ] || die "no corpus at $corpus/pprof (set PPROTEL_CORPUS)"
known_file="${PPROTEL_INTEROP_KNOWN:-$here/known-differences.txt}"
limit="${PPROTEL_INTEROP_TIMEOUT:-300}"
# Cases d and e break these on purpose (d their OTLP, e the pprof itself): one
# with string labels, kernel and user frames and three mappings; one with four
# sample types (four OTLP profiles) and numeric labels with units.
break_inputs="${PPROTEL_INTEROP_BREAK-parca__pkg_query_testdata_profile-with-labels.pb.gz parca__pkg_query_testdata_many_1644509272337470000.pb.gz}"
for b in $break_inputs; do
    [ -f "$corpus/pprof/$b" ] || die "PPROTEL_INTEROP_BREAK names $b, which is not in $corpus/pprof"
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$here" && go build -buildvcs=false -o "$tmp/pprotel-interop" ./cmd/pprotel-interop) || die "building pprotel-interop failed"
tool="$tmp/pprotel-interop"

# The checks this script runs, in order; known-differences.txt may name only these.
checks="convert-otlp convert-pprof check-pprof string-equal check-otlp convert-otlp-json check-otlp-json json-agree pdata-json-agrees validate-agrees pprof-validate-agrees"

declare -A known=()
if [ -f "$known_file" ]; then
    n=0
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        case "$line" in '' | '#'*) continue ;; esac
        read -r check file reason <<<"$line"
        [ -n "${reason:-}" ] || die "$known_file:$n: want '<check> <corpus file name> <reason>'"
        case " $checks " in *" $check "*) ;; *) die "$known_file:$n: unknown check '$check' (one of: $checks)" ;; esac
        # (pprof-)validate-agrees name a broken variant <corpus file>/<variant>.pb
        [ -e "$corpus/pprof/${file%%/*}" ] || echo "NOTE $known_file:$n names $file, which is not in $corpus/pprof"
        known["$check $file"]="$reason"
    done <"$known_file"
fi

passed=0
failed=0
expected=0
skipped=0

# outcome CHECK FILE SUFFIX OK REASON DETAIL: counts one result and prints its
# line ("PASS CHECK FILE SUFFIX", or FAIL/KNOWN with REASON); a FAIL is
# followed by up to 40 lines of the file DETAIL, indented. known-differences.txt
# is looked up by "CHECK FILE". Returns 0 for a pass.
outcome() {
    local check="$1" file="$2" suffix="$3" ok="$4" reason="$5" detail="$6"
    local key="$check $file"
    if [ "$ok" -eq 1 ]; then
        passed=$((passed + 1))
        echo "PASS $check $file$suffix"
        if [ -n "${known[$key]+x}" ]; then
            echo "NOTE $check $file$suffix passed but is listed in known-differences.txt (${known[$key]}); remove the entry"
        fi
        return 0
    fi
    if [ -n "${known[$key]+x}" ]; then
        expected=$((expected + 1))
        echo "KNOWN $check $file$suffix: ${known[$key]} [$reason]"
    else
        failed=$((failed + 1))
        echo "FAIL $check $file$suffix: $reason"
        if [ -n "$detail" ]; then
            head -n 40 "$detail" | sed 's/^    //; s/^/    /'
        fi
    fi
    return 1
}

# attempt CHECK FILE CMD...: runs CMD, counts the outcome, prints one line (and,
# for a failure, the command's further output indented). Returns 0 when the
# step's output can be used by later steps.
attempt() {
    local check="$1" file="$2"
    shift 2
    local status=0 reason=""
    timeout "$limit" "$@" >"$tmp/out" 2>&1 || status=$?
    if [ "$status" -eq 124 ]; then
        reason="timed out after ${limit}s"
    elif [ "$status" -ne 0 ]; then
        reason="$(grep -m1 . "$tmp/out" || true)"
        reason="${reason:-exit $status, no output}"
        reason="${reason#FAIL }"
    fi
    tail -n +2 "$tmp/out" >"$tmp/detail"
    outcome "$check" "$file" "" "$([ "$status" -eq 0 ] && echo 1 || echo 0)" "$reason" "$tmp/detail"
}

# validate_agrees DIR LABEL FILE...: case d for FILEs (names inside DIR). For
# each of profcheck's option sets, runs conform -json and pprotel validate
# --json with the matching flags over all FILEs, then `agree` on the two
# reports, and counts one result per file and option set. A FILE's result is
# printed as LABEL when LABEL does not end in "/", else as LABEL + FILE.
validate_agrees() {
    local dir="$1" label="$2"
    shift 2
    local set status reason
    for set in defaults -check-dupes -check-orphans; do
        local cflags=() pflags=()
        case "$set" in
            -check-dupes) cflags=(-check-dupes) pflags=(--check-dupes) ;;
            -check-orphans) cflags=(-check-orphans) pflags=(--check-orphans) ;;
        esac
        # conform exits 1 and pprotel 1 (violations) or 2 (a file it cannot
        # read) with a complete report; anything else is a broken run.
        status=0
        (cd "$dir" && timeout "$limit" "$tool" conform -json "${cflags[@]}" "$@") >"$tmp/conform.json" 2>"$tmp/detail" || status=$?
        if [ "$status" -gt 1 ] || [ ! -s "$tmp/conform.json" ]; then
            outcome validate-agrees "${label%/}" " [$set]" 0 "conform exited $status without a complete report" "$tmp/detail" || true
            continue
        fi
        status=0
        (cd "$dir" && timeout "$limit" "$pprotel" validate --json "${pflags[@]}" "$@") >"$tmp/pprotel.json" 2>"$tmp/detail" || status=$?
        if [ "$status" -gt 2 ] || [ ! -s "$tmp/pprotel.json" ]; then
            outcome validate-agrees "${label%/}" " [$set]" 0 "pprotel validate exited $status without a report" "$tmp/detail" || true
            continue
        fi
        status=0
        timeout "$limit" "$tool" agree "$tmp/conform.json" "$tmp/pprotel.json" >"$tmp/agree.out" 2>&1 || status=$?
        if [ "$status" -gt 1 ]; then
            reason="$(grep -m1 . "$tmp/agree.out" || true)"
            outcome validate-agrees "${label%/}" " [$set]" 0 "agree exited $status: ${reason:-no output}" "" || true
            continue
        fi
        agreed validate-agrees "$label" " [$set]" "$tmp/agree.out"
    done
}

# agreed CHECK LABEL SUFFIX OUT: counts the results of an agree or pprof-agree
# run, whose output OUT holds "PASS F" or "FAIL F: REASON" per file with
# details indented below. A file's result is printed as LABEL when LABEL does
# not end in "/", else as LABEL + F; SUFFIX follows it.
agreed() {
    local check="$1" label="$2" suffix="$3" out="$4"
    local line file="" ok reason rest
    : >"$tmp/detail"
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            "PASS "* | "FAIL "*)
                [ -z "$file" ] || agreed_one "$check" "$label" "$file" "$suffix" "$ok" "$reason"
                : >"$tmp/detail"
                rest="${line#* }"
                if [ "${line%% *}" = PASS ]; then
                    file="$rest" ok=1 reason=""
                else
                    file="${rest%%: *}" ok=0 reason="${rest#*: }"
                fi
                ;;
            *) echo "$line" >>"$tmp/detail" ;;
        esac
    done <"$out"
    [ -z "$file" ] || agreed_one "$check" "$label" "$file" "$suffix" "$ok" "$reason"
}

agreed_one() {
    local check="$1" label="$2" file="$3" suffix="$4" ok="$5" reason="$6"
    case "$label" in */) label="$label$file" ;; esac
    outcome "$check" "$label" "$suffix" "$ok" "$reason" "$tmp/detail" || true
}

# pprof_validate_agrees DIR LABEL FILE...: case e for FILEs (names inside
# DIR): google/pprof's verdicts (check-pprof -json) and pprotel validate
# --json over all FILEs, then pprof-agree on the two reports; one result per
# file, named as validate_agrees names them.
pprof_validate_agrees() {
    local dir="$1" label="$2"
    shift 2
    local status reason
    # check-pprof exits 1 and pprotel 1 (violations) or 2 (a file it cannot
    # read) with a complete report; anything else is a broken run.
    status=0
    (cd "$dir" && timeout "$limit" "$tool" check-pprof -json "$@") >"$tmp/google.json" 2>"$tmp/detail" || status=$?
    if [ "$status" -gt 1 ] || [ ! -s "$tmp/google.json" ]; then
        outcome pprof-validate-agrees "${label%/}" "" 0 "check-pprof exited $status without a complete report" "$tmp/detail" || true
        return
    fi
    status=0
    (cd "$dir" && timeout "$limit" "$pprotel" validate --json "$@") >"$tmp/pprotel.json" 2>"$tmp/detail" || status=$?
    if [ "$status" -gt 2 ] || [ ! -s "$tmp/pprotel.json" ]; then
        outcome pprof-validate-agrees "${label%/}" "" 0 "pprotel validate exited $status without a report" "$tmp/detail" || true
        return
    fi
    status=0
    timeout "$limit" "$tool" pprof-agree "$tmp/google.json" "$tmp/pprotel.json" >"$tmp/agree.out" 2>&1 || status=$?
    if [ "$status" -gt 1 ]; then
        reason="$(grep -m1 . "$tmp/agree.out" || true)"
        outcome pprof-validate-agrees "${label%/}" "" 0 "pprof-agree exited $status: ${reason:-no output}" "" || true
        return
    fi
    agreed pprof-validate-agrees "$label" "" "$tmp/agree.out"
}

skip() {
    skipped=$((skipped + 1))
    echo "SKIP $1 $2: needs $3"
}

for f in "$corpus"/pprof/*; do
    [ -f "$f" ] || continue
    name="$(basename "$f")"
    d="$tmp/$name.d"
    mkdir -p "$d"

    # a. pprotel's own round trip, judged by google/pprof.
    have_otlp=0 have_back=0 have_json=0
    attempt convert-otlp "$name" "$pprotel" convert "$f" -o "$d/x.pb" --to otlp && have_otlp=1
    if [ $have_otlp -eq 1 ]; then
        attempt convert-pprof "$name" "$pprotel" convert "$d/x.pb" -o "$d/back.pb.gz" --to pprof && have_back=1
    else
        skip convert-pprof "$name" convert-otlp
    fi
    if [ $have_back -eq 1 ]; then
        attempt check-pprof "$name" "$tool" check-pprof "$d/back.pb.gz" || true
        attempt string-equal "$name" "$tool" string-equal "$f" "$d/back.pb.gz" || true
    else
        skip check-pprof "$name" convert-pprof
        skip string-equal "$name" convert-pprof
    fi

    # b. pprotel's OTLP, binary and JSON, judged by pdata and the profcheck rules.
    if [ $have_otlp -eq 1 ]; then
        attempt check-otlp "$name" "$tool" check-otlp "$d/x.pb" || true
    else
        skip check-otlp "$name" convert-otlp
    fi
    attempt convert-otlp-json "$name" "$pprotel" convert "$f" -o "$d/x.json" --to otlp-json && have_json=1
    if [ $have_json -eq 1 ]; then
        attempt check-otlp-json "$name" "$tool" check-otlp-json "$d/x.json" || true
    else
        skip check-otlp-json "$name" convert-otlp-json
    fi
    if [ $have_json -eq 1 ] && [ $have_otlp -eq 1 ]; then
        attempt json-agree "$name" "$tool" json-agree "$d/x.json" "$d/x.pb" || true
    else
        skip json-agree "$name" "convert-otlp and convert-otlp-json"
    fi
    # pdata's JSON of pprotel's OTLP reads back in pprotel as the same data.
    if [ $have_otlp -eq 1 ] && timeout "$limit" "$tool" pdata-json "$d/x.pb" "$d/pdata.json" >/dev/null 2>&1; then
        attempt pdata-json-agrees "$name" "$pprotel" diff "$d/x.pb" "$d/pdata.json" || true
    else
        skip pdata-json-agrees "$name" "convert-otlp or pdata-json"
    fi

    # d. pprotel's validator against the profcheck rules, on pprotel's OTLP and,
    # for the break inputs, on every broken variant of it.
    if [ $have_otlp -eq 1 ]; then
        validate_agrees "$d" "$name" x.pb
        case " $break_inputs " in
            *" $name "*)
                if timeout "$limit" "$tool" break "$d/x.pb" "$d/broken" >"$tmp/out" 2>&1; then
                    variants=()
                    for v in "$d"/broken/*.pb; do variants+=("$(basename "$v")"); done
                    validate_agrees "$d/broken" "$name/" "${variants[@]}"
                else
                    cp "$tmp/out" "$tmp/detail"
                    outcome validate-agrees "$name/" " [break]" 0 "pprotel-interop break failed" "$tmp/detail" || true
                fi
                ;;
        esac
    else
        skip validate-agrees "$name" convert-otlp
    fi

    # e. pprotel's pprof validator against google/pprof, on the corpus file
    # itself and, for the break inputs, on every broken variant of it.
    pprof_validate_agrees "$corpus/pprof" "$name" "$name"
    case " $break_inputs " in
        *" $name "*)
            if timeout "$limit" "$tool" pprof-break "$f" "$d/pprof-broken" >"$tmp/out" 2>&1; then
                variants=()
                for v in "$d"/pprof-broken/*.pb; do variants+=("$(basename "$v")"); done
                pprof_validate_agrees "$d/pprof-broken" "$name/" "${variants[@]}"
            else
                cp "$tmp/out" "$tmp/detail"
                outcome pprof-validate-agrees "$name/" " [break]" 0 "pprotel-interop pprof-break failed" "$tmp/detail" || true
            fi
            ;;
    esac

    rm -rf "$d"
done

echo "NOTE case c (round trips through the collector-contrib reference translator) not run: its Go module is not served by the Go module proxy (see interop/README.md)"
[ $expected -eq 0 ] || echo "$expected known differences (listed in $(basename "$known_file"))"
[ $skipped -eq 0 ] || echo "$skipped checks skipped because an earlier step failed"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
