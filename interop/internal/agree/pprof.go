package agree

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pprotel/pprotel/interop/internal/check"
)

// PprofRules are pprotel's pprof rules (src/validate.rs, "pprof (google/pprof
// CheckValid and decode)"). A rule name outside this list in pprotel's
// report on a pprof file fails the comparison: the suite must learn what the
// new rule corresponds to in google/pprof first.
var PprofRules = []string{
	"missing-sample-type",
	"mismatched-value-count",
	"reserved-id",
	"duplicate-id",
	"unknown-id",
	"string-table-first-not-empty",
	"strindex-out-of-range",
}

// ReadPprofVerdicts reads `pprotel-interop check-pprof -json` output: one
// JSON object per line.
func ReadPprofVerdicts(r io.Reader) ([]check.PprofVerdict, error) {
	return readJSONLines[check.PprofVerdict](r, "check-pprof output")
}

// ComparePprof matches google/pprof's verdicts with pprotel's report by file
// name and compares each pair (see comparePprofFile). Files named in only
// one of them are failures. Results follow the google/pprof order, then the
// files only pprotel names.
func ComparePprof(g []check.PprofVerdict, p []PprotelFile) []Result {
	return matchByFile(g, func(v check.PprofVerdict) string { return v.File }, "google/pprof's verdicts do not name this file", p, comparePprofFile)
}

// comparePprofFile applies the criterion of run.sh's pprof-validate-agrees:
//
//  1. google/pprof refuses the file (decoding or CheckValid) exactly when
//     pprotel does (an "error": it cannot decode the file; or violations);
//  2. a file pprotel reads, it reads as pprof (not as OTLP by content
//     detection);
//  3. every rule pprotel names is a pprof rule the suite knows;
//  4. when both refuse and pprotel decoded the file, google/pprof's error
//     (the first problem it met) is an instance of a rule pprotel reports,
//     if it is an instance of a rule at all (check.PprofRule): the two
//     refuse it for the same reason, not for two different ones.
func comparePprofFile(g check.PprofVerdict, p PprotelFile) Result {
	r := Result{File: g.File}
	goSays := "google/pprof accepts it"
	if !g.Valid {
		goSays = fmt.Sprintf("google/pprof refuses it (%s: %s)", g.Stage, g.Error)
	}
	if p.Error != "" {
		if g.Valid {
			r.Problem = fmt.Sprintf("pprotel cannot read it (%s); %s", p.Error, goSays)
		}
		return r
	}
	if p.Format != "pprof" {
		r.Problem = fmt.Sprintf("pprotel read it as %q, not as pprof", p.Format)
		return r
	}
	var rules, unknown []string
	for _, v := range p.Violations {
		if !slices.Contains(rules, v.Rule) {
			rules = append(rules, v.Rule)
		}
		if !slices.Contains(PprofRules, v.Rule) && !slices.Contains(unknown, v.Rule) {
			unknown = append(unknown, v.Rule)
		}
	}
	if len(unknown) > 0 {
		r.Problem = fmt.Sprintf("pprotel reports rules this suite does not know for pprof (%s); add them to PprofRules", strings.Join(unknown, ", "))
		return r
	}
	switch {
	case g.Valid && len(p.Violations) > 0:
		r.Problem = fmt.Sprintf("verdicts differ: %s, pprotel reports %d violations (%s)", goSays, len(p.Violations), strings.Join(rules, ", "))
	case !g.Valid && len(p.Violations) == 0:
		r.Problem = fmt.Sprintf("verdicts differ: %s, pprotel finds it valid", goSays)
	case !g.Valid && g.Rule != "" && !slices.Contains(rules, g.Rule):
		r.Problem = fmt.Sprintf("reasons differ: %s, which is %s; pprotel reports only %s", goSays, g.Rule, strings.Join(rules, ", "))
	default:
		return r
	}
	n := 0
	for _, v := range p.Violations {
		if n++; n <= maxDetail {
			r.Detail = append(r.Detail, fmt.Sprintf("pprotel: [%s] %s: %s", v.Rule, v.Path, v.Message))
		}
	}
	if n > maxDetail {
		r.Detail = append(r.Detail, fmt.Sprintf("pprotel: ... %d more", n-maxDetail))
	}
	return r
}
