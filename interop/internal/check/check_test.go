package check

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/pdata/pprofile"
	"google.golang.org/protobuf/proto"

	"github.com/pprotel/pprotel/interop/internal/fixture"
)

func TestEveryCorpusPprofPassesCheckPprof(t *testing.T) {
	for _, f := range fixture.CorpusFiles(t, "pprof") {
		if _, err := ReadPprof(f); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

func TestReadPprofRefusesNonProtobuf(t *testing.T) {
	// A legacy text heap profile: profile.Parse would accept it, ReadPprof
	// must not, because pprotel's output has to be protobuf.
	legacy := fixture.WriteBytes(t, "legacy.heap", []byte("heap profile: 1: 2 [3: 4] @ heapprofile\n1: 2 [3: 4] @ 0x1000\n"))
	if _, err := profile.ParseData(mustRead(t, legacy)); err != nil {
		t.Fatalf("precondition: google/pprof should parse the legacy heap text: %v", err)
	}
	if _, err := ReadPprof(legacy); err == nil {
		t.Fatal("ReadPprof accepted a legacy text profile")
	}
	if _, err := ReadPprof(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("ReadPprof accepted a missing file")
	}
}

func TestStringEqualAcceptsGooglePprofRewrite(t *testing.T) {
	// google/pprof's own decode -> encode keeps String() (this is what the
	// reference translator's round-trip test relies on), so a rewrite of a
	// corpus file must compare equal to it.
	for _, f := range fixture.CorpusFiles(t, "pprof") {
		p, err := ReadPprof(f)
		if err != nil {
			t.Fatal(err)
		}
		out := rewrite(t, p)
		if err := StringEqual(f, out); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

func TestStringEqualShowsTheChangedSample(t *testing.T) {
	f := corpusFile(t, "parca__pkg_query_testdata_two-stacks.pb.gz")
	p, err := ReadPprof(f)
	if err != nil {
		t.Fatal(err)
	}
	old := p.Sample[1].Value[0]
	p.Sample[1].Value[0] = old + 1000
	err = StringEqual(f, rewrite(t, p))
	if err == nil {
		t.Fatal("a changed sample value compared equal")
	}
	msg := err.Error()
	for _, want := range []string{"@@ -", "\n- ", "\n+ "} {
		if !strings.Contains(msg, want) {
			t.Errorf("excerpt lacks %q:\n%s", want, msg)
		}
	}
	minus, plus := changedLines(msg)
	if len(minus) != 1 || len(plus) != 1 || !strings.Contains(minus[0], strconv.FormatInt(old, 10)) || !strings.Contains(plus[0], strconv.FormatInt(old+1000, 10)) {
		t.Errorf("want exactly the sample line changed from %d to %d, got -%q +%q", old, old+1000, minus, plus)
	}
}

func TestLineDiff(t *testing.T) {
	if d := LineDiff("a\nb\n", "a\nb\n", 3, 5); d != "" {
		t.Fatalf("equal texts gave %q", d)
	}
	got := LineDiff("1\n2\n3\n4\n5\n6\n", "1\n2\n3\nX\nY\n5\n6\n", 2, 5)
	want := "@@ -2,3 +2,4 @@\n  2\n  3\n- 4\n+ X\n+ Y"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	got = LineDiff("a\n", "a\n1\n2\n3\n", 0, 2)
	want = "@@ -2,0 +2,3 @@\n+ 1\n+ 2\n+ ... 1 more lines"
	if got != want {
		t.Fatalf("truncation: got\n%s\nwant\n%s", got, want)
	}
}

func TestFirstJSONDifference(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{`{"x":[1,2,{"y":"a"}]}`, `{"x":[1,2,{"y":"a"}]}`, ""},
		{`{"x":[1,2,{"y":"a"}]}`, `{"x":[1,2,{"y":"b"}]}`, `$.x[2].y: "a" vs "b"`},
		{`{"x":[1,2]}`, `{"x":[1,2,3]}`, `$.x: 2 elements vs 3`},
		{`{"a":1}`, `{"a":1,"b":2}`, `$.b: absent vs 2`},
		{`{"n":"12345678901234567890"}`, `{"n":12345678901234567890}`, `$.n: "12345678901234567890" vs 12345678901234567890`},
	}
	for _, c := range cases {
		if got := FirstJSONDifference([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("FirstJSONDifference(%s, %s) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

// otlpFiles writes the valid fixture as binary OTLP and as pdata's OTLP JSON.
func otlpFiles(t *testing.T) (protoPath, jsonPath string) {
	t.Helper()
	protoPath = fixture.Write(t, "x.pb", fixture.Valid())
	pd, err := ReadOTLP(protoPath)
	if err != nil {
		t.Fatal(err)
	}
	var jm pprofile.JSONMarshaler
	js, err := jm.MarshalProfiles(pd)
	if err != nil {
		t.Fatal(err)
	}
	return protoPath, fixture.WriteBytes(t, "x.json", js)
}

func TestValidOTLPPassesEveryOTLPCheck(t *testing.T) {
	pb, js := otlpFiles(t)
	if err := CheckOTLP(pb); err != nil {
		t.Errorf("CheckOTLP: %v", err)
	}
	if err := CheckOTLPJSON(js); err != nil {
		t.Errorf("CheckOTLPJSON: %v", err)
	}
	if err := JSONAgree(js, pb); err != nil {
		t.Errorf("JSONAgree: %v", err)
	}
}

func TestCheckOTLPReportsConformanceAndDecodeFailures(t *testing.T) {
	bad := fixture.Valid()
	fixture.Profile(bad).Samples[0].Values = []int64{1, 2}
	err := CheckOTLP(fixture.Write(t, "shape.pb", bad))
	if err == nil || !strings.Contains(err.Error(), "conformance: resource_profiles[0]: scope_profiles[0]: profile[0]: sample[0]: values (len=2)") {
		t.Errorf("two values without timestamps: %v", err)
	}
	err = CheckOTLP(fixture.WriteBytes(t, "garbage.pb", []byte{0x0a, 0xff}))
	if err == nil || !strings.Contains(err.Error(), "cannot read as ProfilesData") {
		t.Errorf("truncated protobuf: %v", err)
	}
}

func TestCheckOTLPJSONRefusesUnknownFieldsAndNonconformingData(t *testing.T) {
	_, js := otlpFiles(t)
	data := mustRead(t, js)
	misspelt := bytes.Replace(data, []byte(`"stringTable"`), []byte(`"stringTabel"`), 1)
	if bytes.Equal(misspelt, data) {
		t.Fatalf("fixture JSON has no stringTable key: %s", data)
	}
	if err := CheckOTLPJSON(fixture.WriteBytes(t, "misspelt.json", misspelt)); err == nil || !strings.Contains(err.Error(), "pdata JSONUnmarshaler") {
		t.Errorf("misspelt key: %v", err)
	}
	bad := fixture.Valid()
	fixture.Profile(bad).Samples[1].StackIndex = 9
	pd, err := (&pprofile.ProtoUnmarshaler{}).UnmarshalProfiles(mustMarshal(t, bad))
	if err != nil {
		t.Fatal(err)
	}
	badJSON, err := (&pprofile.JSONMarshaler{}).MarshalProfiles(pd)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckOTLPJSON(fixture.WriteBytes(t, "bad.json", badJSON))
	if err == nil || !strings.Contains(err.Error(), "sample[1]: stack_index: index 9 is out of range [0..2)") {
		t.Errorf("stack index out of range: %v", err)
	}
}

func TestJSONAgreeNamesTheFirstDifference(t *testing.T) {
	pb, js := otlpFiles(t)
	changed := fixture.Valid()
	fixture.Profile(changed).Samples[1].Values = []int64{6}
	err := JSONAgree(js, fixture.Write(t, "changed.pb", changed))
	if err == nil {
		t.Fatal("different sample values agreed")
	}
	if want := `$.resourceProfiles[0].scopeProfiles[0].profiles[0].samples[1].values[0]: "5" vs "6"`; !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to contain %s", err, want)
	}
	if err := JSONAgree(pb, pb); err == nil {
		t.Error("binary file accepted as OTLP JSON")
	}
}

func corpusFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(fixture.CorpusDir(t), "pprof", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func rewrite(t *testing.T, p *profile.Profile) string {
	t.Helper()
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return fixture.WriteBytes(t, "rewritten.pb.gz", buf.Bytes())
}

func changedLines(excerpt string) (minus, plus []string) {
	for _, l := range strings.Split(excerpt, "\n") {
		switch {
		case strings.HasPrefix(l, "- "):
			minus = append(minus, l)
		case strings.HasPrefix(l, "+ "):
			plus = append(plus, l)
		}
	}
	return minus, plus
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestJudgePprofGivesTheStageAndRule(t *testing.T) {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}},
		Sample:     []*profile.Sample{{Value: []int64{1, 2}}},
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data []byte
		want PprofVerdict
	}{
		{buf.Bytes(), PprofVerdict{Stage: "check", Error: "mismatch: sample has 2 values vs. 1 types", Rule: "mismatched-value-count"}},
		{nil, PprofVerdict{Stage: "parse", Error: "empty input file"}},
		{[]byte{0x1f, 0x8b, 0}, PprofVerdict{Stage: "gunzip", Error: "unexpected EOF"}},
		// string_table = ["x"]
		{[]byte{0x32, 1, 'x'}, PprofVerdict{Stage: "parse", Error: "string_table[0] must be ''", Rule: "string-table-first-not-empty"}},
		// string_table = [""], drop_frames = 5
		{[]byte{0x32, 0, 0x38, 5}, PprofVerdict{Stage: "parse", Error: "malformed profile format", Rule: "strindex-out-of-range"}},
		{[]byte{0x32, 0}, PprofVerdict{Valid: true}},
	} {
		if got := JudgePprof(tc.data); got != tc.want {
			t.Errorf("% x: %+v, want %+v", tc.data, got, tc.want)
		}
	}
	if got := JudgePprofFile(filepath.Join(t.TempDir(), "missing.pb")); got.Valid || got.Stage != "read" || !strings.HasSuffix(got.File, "missing.pb") {
		t.Errorf("missing file: %+v", got)
	}
}
