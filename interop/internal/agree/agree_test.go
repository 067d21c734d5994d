package agree

import (
	"strings"
	"testing"

	"github.com/pprotel/pprotel/interop/internal/check"
	"github.com/pprotel/pprotel/interop/internal/conform"
)

func pv(rule string) PprotelViolation {
	return PprotelViolation{Path: "p", Rule: rule, Message: "m"}
}

func cp(rule conform.Rule) conform.Problem {
	return conform.Problem{Rule: rule, Message: "m"}
}

func otlp(file string, vs ...PprotelViolation) PprotelFile {
	return PprotelFile{File: file, Format: "otlp", Valid: len(vs) == 0, Violations: vs}
}

func TestCompare(t *testing.T) {
	cases := []struct {
		name    string
		c       ConformFile
		p       PprotelFile
		problem string // prefix of Result.Problem; "" means agreement
	}{
		{"both valid", ConformFile{File: "f"}, otlp("f"), ""},
		{"same problems per rule, any order",
			ConformFile{File: "f", Problems: []conform.Problem{cp(conform.Orphan), cp(conform.ZeroEntry), cp(conform.Orphan)}},
			otlp("f", pv("zero-entry"), pv("orphan"), pv("orphan")), ""},
		// pprotel's extra proto MUSTs are not profcheck's: not compared.
		{"pprotel-only rules are left out",
			ConformFile{File: "f"},
			otlp("f", pv("function-without-name"), pv("missing-dictionary")), ""},
		{"both refuse to read it",
			ConformFile{File: "f", Error: "invalid UTF-8"},
			PprotelFile{File: "f", Error: "invalid string"}, ""},
		{"verdicts differ",
			ConformFile{File: "f", Problems: []conform.Problem{cp(conform.ZeroEntry)}},
			otlp("f", pv("function-without-name")),
			"verdicts differ: conform finds 1 problems, pprotel 0 profcheck-rule violations (per rule, conform vs pprotel: zero-entry 1 vs 0)"},
		{"counts differ",
			ConformFile{File: "f", Problems: []conform.Problem{cp(conform.SampleShape), cp(conform.SampleShape)}},
			otlp("f", pv("sample-shape")),
			"counts differ: conform finds 2 problems, pprotel 1"},
		{"same count, other rules",
			ConformFile{File: "f", Problems: []conform.Problem{cp(conform.IndexOutOfRange)}},
			otlp("f", pv("strindex-out-of-range")),
			"same count, different rules (per rule, conform vs pprotel: index-out-of-range 1 vs 0, strindex-out-of-range 0 vs 1)"},
		{"only pprotel cannot read it",
			ConformFile{File: "f", Problems: []conform.Problem{cp(conform.NoResourceProfiles)}},
			PprotelFile{File: "f", Error: "empty input"},
			"pprotel cannot read it (empty input); conform finds 1 problems"},
		{"only conform cannot read it",
			ConformFile{File: "f", Error: "bad wire type"}, otlp("f"),
			"conform cannot read it (bad wire type), pprotel can"},
		{"pprotel read another format",
			ConformFile{File: "f"}, PprotelFile{File: "f", Format: "pprof", Valid: true},
			`pprotel read it as "pprof"`},
		{"a rule nobody classified",
			ConformFile{File: "f"}, otlp("f", pv("brand-new-rule")),
			"pprotel reports rules this suite does not know (brand-new-rule)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Compare([]ConformFile{tc.c}, []PprotelFile{tc.p})
			if len(got) != 1 || got[0].File != "f" {
				t.Fatalf("results %+v", got)
			}
			if tc.problem == "" && got[0].Problem != "" || !strings.HasPrefix(got[0].Problem, tc.problem) {
				t.Errorf("problem %q, want prefix %q", got[0].Problem, tc.problem)
			}
		})
	}
}

func TestCompareShowsTheDifferingRulesOnly(t *testing.T) {
	c := ConformFile{File: "f", Problems: []conform.Problem{
		{Rule: conform.Orphan, Message: "string_table: unreferenced entry at index 4"},
		{Rule: conform.ZeroEntry, Message: "location_table: must have zero value"},
	}}
	p := otlp("f", PprotelViolation{Path: "dictionary.string_table[4]", Rule: "orphan", Message: "referenced by nothing"})
	got := Compare([]ConformFile{c}, []PprotelFile{p})[0]
	want := []string{"conform: [zero-entry] location_table: must have zero value"}
	if strings.Join(got.Detail, "\n") != strings.Join(want, "\n") {
		t.Errorf("detail %q, want %q", got.Detail, want)
	}
}

func TestCompareNamesFilesMissingFromEitherReport(t *testing.T) {
	got := Compare([]ConformFile{{File: "a"}, {File: "b"}}, []PprotelFile{otlp("b"), otlp("c")})
	if len(got) != 3 || got[0].File != "a" || !strings.Contains(got[0].Problem, "pprotel's output does not name") ||
		got[1].Problem != "" || got[2].File != "c" || !strings.Contains(got[2].Problem, "conform's output does not name") {
		t.Errorf("%+v", got)
	}
}

func TestReadBothFormats(t *testing.T) {
	cs, err := ReadConform(strings.NewReader(`{"file":"a","problems":[{"rule":"orphan","message":"m"}]}` + "\n" + `{"file":"b","error":"e","problems":[]}` + "\n"))
	if err != nil || len(cs) != 2 || cs[0].Problems[0].Rule != conform.Orphan || cs[1].Error != "e" {
		t.Errorf("ReadConform: %+v, %v", cs, err)
	}
	if _, err := ReadConform(strings.NewReader(`{"file":`)); err == nil {
		t.Error("ReadConform accepted truncated JSON")
	}
	ps, err := ReadPprotel(strings.NewReader(`{"files":[{"file":"a","format":"otlp","valid":false,"violations":[{"path":"p","rule":"orphan","message":"m"}]},{"file":"b","error":"x"}]}`))
	if err != nil || len(ps) != 2 || ps[0].Violations[0].Rule != "orphan" || ps[1].Error != "x" {
		t.Errorf("ReadPprotel: %+v, %v", ps, err)
	}
	if _, err := ReadPprotel(strings.NewReader(`{"other":1}`)); err == nil {
		t.Error(`ReadPprotel accepted a document without "files"`)
	}
}

func pprofFile(file string, vs ...PprotelViolation) PprotelFile {
	return PprotelFile{File: file, Format: "pprof", Valid: len(vs) == 0, Violations: vs}
}

func TestComparePprof(t *testing.T) {
	valid := check.PprofVerdict{File: "f", Valid: true}
	dup := check.PprofVerdict{File: "f", Stage: "check", Error: "multiple functions with same id: 3", Rule: "duplicate-id"}
	concat := check.PprofVerdict{File: "f", Stage: "parse", Error: "concatenated profiles detected"}
	cases := []struct {
		name    string
		g       check.PprofVerdict
		p       PprotelFile
		problem string // prefix of Result.Problem; "" means agreement
	}{
		{"both accept", valid, pprofFile("f"), ""},
		{"both refuse, same rule", dup, pprofFile("f", pv("unknown-id"), pv("duplicate-id")), ""},
		{"both refuse, pprotel cannot decode", dup, PprotelFile{File: "f", Error: "malformed"}, ""},
		// The decoder's errors have no rule: any refusal agrees.
		{"decoder error, pprotel reports a rule", concat, pprofFile("f", pv("duplicate-id")), ""},
		{"only pprotel refuses", valid, pprofFile("f", pv("unknown-id")),
			"verdicts differ: google/pprof accepts it, pprotel reports 1 violations (unknown-id)"},
		{"only google/pprof refuses", concat, pprofFile("f"),
			"verdicts differ: google/pprof refuses it (parse: concatenated profiles detected), pprotel finds it valid"},
		{"pprotel cannot read what google/pprof accepts", valid, PprotelFile{File: "f", Error: "invalid tag"},
			"pprotel cannot read it (invalid tag); google/pprof accepts it"},
		{"refused for another reason", dup, pprofFile("f", pv("strindex-out-of-range")),
			"reasons differ: google/pprof refuses it (check: multiple functions with same id: 3), which is duplicate-id; pprotel reports only strindex-out-of-range"},
		{"read as OTLP", valid, otlp("f"), `pprotel read it as "otlp", not as pprof`},
		{"a rule nobody classified", dup, pprofFile("f", pv("duplicate-id"), pv("orphan")),
			"pprotel reports rules this suite does not know for pprof (orphan)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ComparePprof([]check.PprofVerdict{tc.g}, []PprotelFile{tc.p})
			if len(got) != 1 || got[0].File != "f" {
				t.Fatalf("results %+v", got)
			}
			if tc.problem == "" && got[0].Problem != "" || !strings.HasPrefix(got[0].Problem, tc.problem) {
				t.Errorf("problem %q, want prefix %q", got[0].Problem, tc.problem)
			}
		})
	}
}

func TestComparePprofNamesFilesMissingFromEitherReport(t *testing.T) {
	got := ComparePprof([]check.PprofVerdict{{File: "a", Valid: true}, {File: "b", Valid: true}}, []PprotelFile{pprofFile("b"), pprofFile("c")})
	if len(got) != 3 || !strings.Contains(got[0].Problem, "pprotel's output does not name") ||
		got[1].Problem != "" || got[2].File != "c" || !strings.Contains(got[2].Problem, "google/pprof's verdicts do not name") {
		t.Errorf("%+v", got)
	}
}

func TestReadPprofVerdicts(t *testing.T) {
	vs, err := ReadPprofVerdicts(strings.NewReader(`{"file":"a","valid":true}` + "\n" + `{"file":"b","valid":false,"stage":"check","error":"e","rule":"reserved-id"}` + "\n"))
	if err != nil || len(vs) != 2 || !vs[0].Valid || vs[1].Rule != "reserved-id" || vs[1].Stage != "check" {
		t.Errorf("%+v, %v", vs, err)
	}
	if _, err := ReadPprofVerdicts(strings.NewReader(`{"file":`)); err == nil {
		t.Error("accepted truncated JSON")
	}
}
