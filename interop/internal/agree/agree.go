// Package agree compares, file by file, what conform (profcheck's rules) and
// pprotel's validator report for the same OTLP files.
//
// Why it exists: pprotel promises that a file it calls conformant is one
// profcheck calls conformant, and the other way round, and that it reports
// the same problems. The two word their messages differently and name paths
// differently (profcheck numbers mapping and link entries from 1 lower), so
// the comparison is by verdict, by number of problems, and by number of
// problems per rule.
package agree

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pprotel/pprotel/interop/internal/conform"
)

// ConformFile is one line of `pprotel-interop conform -json`.
type ConformFile struct {
	File     string            `json:"file"`
	Error    string            `json:"error,omitempty"`
	Problems []conform.Problem `json:"problems"`
}

// PprotelViolation is one violation in `pprotel validate --json` output.
type PprotelViolation struct {
	Path    string `json:"path"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// PprotelFile is one file of `pprotel validate --json` output.
type PprotelFile struct {
	File       string             `json:"file"`
	Error      string             `json:"error"`
	Format     string             `json:"format"`
	Valid      bool               `json:"valid"`
	Violations []PprotelViolation `json:"violations"`
}

// pprotelOnlyRules are pprotel's OTLP rules that profcheck does not check
// (`Rule::is_profcheck_rule` is false): proto MUSTs profcheck leaves out. A
// rule name that is neither one of these nor a conform.Rule is a new pprotel
// rule that this suite must learn to classify, and fails the comparison.
var pprotelOnlyRules = []string{
	"missing-dictionary",
	"function-without-name",
	"profile-id-length",
	"profile-id-all-zero",
	"original-payload-pairing",
	"resource-scope-strindex-out-of-range",
	"attribute-value-strindex-out-of-range",
	"conflicting-key-forms",
}

// ReadConform reads conform -json output: one JSON object per line.
func ReadConform(r io.Reader) ([]ConformFile, error) {
	return readJSONLines[ConformFile](r, "conform output")
}

// readJSONLines reads one JSON value of type T per line until the end of r;
// what names the input in errors.
func readJSONLines[T any](r io.Reader, what string) ([]T, error) {
	dec := json.NewDecoder(r)
	var out []T
	for {
		var v T
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
		out = append(out, v)
	}
}

// ReadPprotel reads pprotel validate --json output: {"files":[...]}.
func ReadPprotel(r io.Reader) ([]PprotelFile, error) {
	var doc struct {
		Files *[]PprotelFile `json:"files"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("pprotel output: %v", err)
	}
	if doc.Files == nil {
		return nil, errors.New(`pprotel output: no "files" list`)
	}
	return *doc.Files, nil
}

// Result is the comparison for one file: Problem is empty when the two agree,
// otherwise a one-line reason with Detail lines below it.
type Result struct {
	File    string
	Problem string
	Detail  []string
}

// Compare matches the two outputs by file name and compares each pair. Files
// named in only one output are failures. Results follow the conform order,
// then the files only pprotel names.
func Compare(c []ConformFile, p []PprotelFile) []Result {
	return matchByFile(c, func(cf ConformFile) string { return cf.File }, "conform's output does not name this file", p, compareFile)
}

// matchByFile pairs each of the reference's entries (named by file) with
// pprotel's report of the same file and compares the pair. A file named on one
// side only is a failure (onlyPprotel is the problem of a file only pprotel
// names). Results follow the reference's order, then the files only pprotel
// names.
func matchByFile[T any](ref []T, file func(T) string, onlyPprotel string, p []PprotelFile, compare func(T, PprotelFile) Result) []Result {
	byName := map[string]PprotelFile{}
	for _, f := range p {
		byName[f.File] = f
	}
	seen := map[string]bool{}
	var out []Result
	for _, r := range ref {
		name := file(r)
		seen[name] = true
		pf, ok := byName[name]
		if !ok {
			out = append(out, Result{File: name, Problem: "pprotel's output does not name this file"})
			continue
		}
		out = append(out, compare(r, pf))
	}
	for _, pf := range p {
		if !seen[pf.File] {
			out = append(out, Result{File: pf.File, Problem: onlyPprotel})
		}
	}
	return out
}

// maxDetail caps the problems listed per side under a failure.
const maxDetail = 12

func compareFile(c ConformFile, p PprotelFile) Result {
	r := Result{File: c.File}
	switch {
	case c.Error != "" && p.Error != "":
		// Neither reads it: they agree that it is not conformant data.
		return r
	case c.Error != "":
		r.Problem = fmt.Sprintf("conform cannot read it (%s), pprotel can", c.Error)
		return r
	case p.Error != "":
		r.Problem = fmt.Sprintf("pprotel cannot read it (%s); conform finds %d problems", p.Error, len(c.Problems))
		r.Detail = conformLines(c.Problems, nil)
		return r
	case p.Format != "otlp":
		r.Problem = fmt.Sprintf("pprotel read it as %q, not as binary OTLP", p.Format)
		return r
	}
	var mine []PprotelViolation
	var unknown []string
	for _, v := range p.Violations {
		switch {
		case slices.Contains(conform.Rules, conform.Rule(v.Rule)):
			mine = append(mine, v)
		case !slices.Contains(pprotelOnlyRules, v.Rule) && !slices.Contains(unknown, v.Rule):
			unknown = append(unknown, v.Rule)
		}
	}
	if len(unknown) > 0 {
		r.Problem = fmt.Sprintf("pprotel reports rules this suite does not know (%s); add them to conform.Rules or pprotelOnlyRules", strings.Join(unknown, ", "))
		return r
	}
	cc, pc := map[conform.Rule]int{}, map[conform.Rule]int{}
	for _, pr := range c.Problems {
		cc[pr.Rule]++
	}
	for _, v := range mine {
		pc[conform.Rule(v.Rule)]++
	}
	var differ []conform.Rule
	var parts []string
	for _, rule := range conform.Rules {
		if cc[rule] != pc[rule] {
			differ = append(differ, rule)
			parts = append(parts, fmt.Sprintf("%s %d vs %d", rule, cc[rule], pc[rule]))
		}
	}
	switch {
	case (len(c.Problems) == 0) != (len(mine) == 0):
		r.Problem = fmt.Sprintf("verdicts differ: conform finds %d problems, pprotel %d profcheck-rule violations", len(c.Problems), len(mine))
	case len(c.Problems) != len(mine):
		r.Problem = fmt.Sprintf("counts differ: conform finds %d problems, pprotel %d profcheck-rule violations", len(c.Problems), len(mine))
	case len(differ) > 0:
		r.Problem = "same count, different rules"
	default:
		return r
	}
	r.Problem += " (per rule, conform vs pprotel: " + strings.Join(parts, ", ") + ")"
	r.Detail = append(conformLines(c.Problems, differ), pprotelLines(mine, differ)...)
	return r
}

func conformLines(ps []conform.Problem, only []conform.Rule) []string {
	var out []string
	n := 0
	for _, p := range ps {
		if only != nil && !slices.Contains(only, p.Rule) {
			continue
		}
		if n++; n <= maxDetail {
			out = append(out, fmt.Sprintf("conform: [%s] %s", p.Rule, p.Message))
		}
	}
	if n > maxDetail {
		out = append(out, fmt.Sprintf("conform: ... %d more", n-maxDetail))
	}
	return out
}

func pprotelLines(vs []PprotelViolation, only []conform.Rule) []string {
	var out []string
	n := 0
	for _, v := range vs {
		if !slices.Contains(only, conform.Rule(v.Rule)) {
			continue
		}
		if n++; n <= maxDetail {
			out = append(out, fmt.Sprintf("pprotel: [%s] %s: %s", v.Rule, v.Path, v.Message))
		}
	}
	if n > maxDetail {
		out = append(out, fmt.Sprintf("pprotel: ... %d more", n-maxDetail))
	}
	return out
}
