package pprofbreak

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/pprotel/pprotel/interop/internal/check"
	"github.com/pprotel/pprotel/interop/internal/fixture"
)

// valid is a small profile google/pprof accepts: two sample types, two
// samples (one with a string and a numeric label), two mappings, three
// locations (one without a mapping), two functions.
func valid() *profile.Profile {
	m1 := &profile.Mapping{ID: 1, Start: 0x1000, Limit: 0x2000, File: "/bin/app", BuildID: "abc", HasFunctions: true}
	m2 := &profile.Mapping{ID: 2, Start: 0x7000, Limit: 0x9000, File: "/lib/libc.so"}
	f1 := &profile.Function{ID: 1, Name: "main", SystemName: "main", Filename: "main.go", StartLine: 10}
	f2 := &profile.Function{ID: 2, Name: "work", Filename: "work.go"}
	l1 := &profile.Location{ID: 1, Mapping: m1, Address: 0x1234, Line: []profile.Line{{Function: f2, Line: 3}, {Function: f1, Line: 12}}}
	l2 := &profile.Location{ID: 2, Mapping: m2, Address: 0x7100}
	l3 := &profile.Location{ID: 3, Address: 0x42, Line: []profile.Line{{Function: f1, Line: 14, Column: 2}}}
	return &profile.Profile{
		SampleType:        []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		DefaultSampleType: "cpu",
		Sample: []*profile.Sample{
			{Location: []*profile.Location{l1, l3}, Value: []int64{1, 10}, Label: map[string][]string{"thread": {"main"}},
				NumLabel: map[string][]int64{"bytes": {64}}, NumUnit: map[string][]string{"bytes": {"bytes"}}},
			{Location: []*profile.Location{l2, l3}, Value: []int64{2, 20}},
		},
		Mapping:       []*profile.Mapping{m1, m2},
		Location:      []*profile.Location{l1, l2, l3},
		Function:      []*profile.Function{f1, f2},
		TimeNanos:     1_700_000_000_000_000_000,
		DurationNanos: 1_000_000_000,
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        10_000_000,
		Comments:      []string{"a comment"},
		DocURL:        "https://example.com/doc",
	}
}

func variants(t *testing.T) []Variant {
	t.Helper()
	vs, err := VariantsOf(valid())
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// judge checks google/pprof's verdicts on v: ParseUncompressed then
// CheckValid (check.JudgePprof), and ParseData, which also tries the legacy
// text formats and then runs CheckValid; both must be as v declares.
func judge(t *testing.T, v Variant) check.PprofVerdict {
	t.Helper()
	got := check.JudgePprof(v.Data)
	if got.Valid != v.GoAccepts {
		t.Errorf("%s: google/pprof valid=%v (%s: %s), declared %v", v.Name, got.Valid, got.Stage, got.Error, v.GoAccepts)
	}
	if !got.Valid && got.Rule != v.GoRule {
		t.Errorf("%s: google/pprof's error %q (%s) is rule %q, declared %q", v.Name, got.Error, got.Stage, got.Rule, v.GoRule)
	}
	if _, err := profile.ParseData(v.Data); (err == nil) != v.GoAccepts {
		t.Errorf("%s: ParseData error %v, declared accepted=%v", v.Name, err, v.GoAccepts)
	}
	return got
}

// On the fixture, google/pprof refuses every broken variant, for the declared
// reason, and accepts every control and every variant only pprotel refuses.
func TestGooglePprofJudgesEachVariantAsDeclared(t *testing.T) {
	var seen []string
	for _, v := range variants(t) {
		got := judge(t, v)
		seen = append(seen, got.Error)
		isControl := strings.HasPrefix(v.Name, "control-")
		if isControl != (v.GoAccepts && v.Stricter == "") {
			t.Errorf("%s: a control is a variant google/pprof accepts and pprotel must accept too, and only a control may be", v.Name)
		}
		if v.Stricter != "" && v.GoRule != "" {
			t.Errorf("%s: declares a rule for a variant google/pprof accepts", v.Name)
		}
	}
	// Every check google/pprof makes is hit by some variant.
	for _, want := range []string{
		"empty input file", "concatenated profiles detected", "too much data", "bad varint",
		"type mismatch", "unknown wire type: 6", "unknown wire type: 3",
		"malformed profile format", "string_table[0] must be ''",
		"missing sample type information", "mismatch: sample has 1 values vs. 2 types",
		"mismatch: sample has 3 values vs. 2 types", "mismatch: sample has 0 values vs. 2 types",
		"found mapping with reserved ID=0", "found function with reserved ID=0", "found location with reserved id=0",
		"multiple mappings with same id: ", "multiple functions with same id: ", "multiple locations with same id: ",
		"sample has nil location", "location id: 1 has a line with nil function",
	} {
		if !slices.ContainsFunc(seen, func(e string) bool { return strings.HasPrefix(e, want) }) {
			t.Errorf("no variant makes google/pprof say %q", want)
		}
	}
}

func TestVariantsAreDeterministic(t *testing.T) {
	a, b := variants(t), variants(t)
	if len(a) != len(b) {
		t.Fatalf("%d then %d variants", len(a), len(b))
	}
	names := map[string]bool{}
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("variant %d differs between runs: %s / %s", i, a[i].Name, b[i].Name)
		}
		if names[a[i].Name] {
			t.Errorf("two variants named %s", a[i].Name)
		}
		names[a[i].Name] = true
	}
}

// The model carries a profile unchanged: re-encoding the input without a
// mutation gives what google/pprof reads as the same profile.
func TestReencodingKeepsTheProfile(t *testing.T) {
	var buf bytes.Buffer
	if err := valid().WriteUncompressed(&buf); err != nil {
		t.Fatal(err)
	}
	sameProfile(t, "fixture", buf.Bytes())
}

func sameProfile(t *testing.T, name string, data []byte) {
	t.Helper()
	raw, err := gunzip(data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := decode(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	want, err := profile.ParseUncompressed(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := profile.ParseUncompressed(p.encode(encoding{}))
	if err != nil {
		t.Fatalf("%s: re-encoding: %v", name, err)
	}
	if excerpt := check.LineDiff(want.String(), got.String(), 3, 12); excerpt != "" {
		t.Errorf("%s: re-encoding changed the profile:\n%s", name, excerpt)
	}
}

func TestWriteNamesEachFileAfterItsVariant(t *testing.T) {
	var buf bytes.Buffer
	if err := valid().Write(&buf); err != nil { // gzip input
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	vs, err := Write(buf.Bytes(), dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(vs) {
		t.Fatalf("%d files for %d variants", len(entries), len(vs))
	}
	v := check.JudgePprofFile(filepath.Join(dir, "duplicate-id-function.pb"))
	if v.Valid || v.Rule != "duplicate-id" {
		t.Errorf("duplicate-id-function.pb: %+v", v)
	}
}

func TestVariantsSayWhatTheInputLacks(t *testing.T) {
	noSamples := valid()
	noSamples.Sample = nil
	unsymbolized := valid()
	unsymbolized.Function = nil
	for _, l := range unsymbolized.Location {
		l.Line = nil
	}
	noMapping := valid()
	noMapping.Mapping = nil
	for _, l := range noMapping.Location {
		l.Mapping = nil
	}
	for name, p := range map[string]*profile.Profile{"no sample": noSamples, "unsymbolized": unsymbolized, "no mapping": noMapping} {
		if _, err := VariantsOf(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Variants([]byte("not a profile")); err == nil || !strings.Contains(err.Error(), "not a valid pprof") {
		t.Errorf("invalid input: %v", err)
	}
}

// Every corpus profile that can be broken survives the model unchanged, and
// its variants are judged by google/pprof as declared.
func TestVariantsOfTheCorpus(t *testing.T) {
	broken := 0
	for _, f := range fixture.CorpusFiles(t, "pprof") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		sameProfile(t, name, data)
		vs, err := Variants(data)
		if err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		broken++
		for _, v := range vs {
			v.Name = name + "/" + v.Name
			judge(t, v)
		}
	}
	if broken == 0 {
		t.Error("no corpus profile could be broken")
	}
	for _, name := range []string{"parca__pkg_query_testdata_profile-with-labels.pb.gz", "parca__pkg_query_testdata_many_1644509272337470000.pb.gz"} {
		data, err := os.ReadFile(filepath.Join(fixture.CorpusDir(t), "pprof", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Variants(data); err != nil {
			t.Errorf("run.sh's break input %s cannot be broken: %v", name, err)
		}
	}
}
