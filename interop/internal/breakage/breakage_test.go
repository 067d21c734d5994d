package breakage

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pprotel/pprotel/interop/internal/conform"
	"github.com/pprotel/pprotel/interop/internal/fixture"
	profiles "go.opentelemetry.io/proto/slim/otlp/profiles/v1development"
)

var everyRule = conform.Checker{Duplicates: true, SampleShapes: true, Orphans: true}

func ruleSet(ps []conform.Problem) []conform.Rule {
	var out []conform.Rule
	for _, p := range ps {
		if !slices.Contains(out, p.Rule) {
			out = append(out, p.Rule)
		}
	}
	slices.Sort(out)
	return out
}

// On a document that passes every rule, each variant breaks exactly the rules
// it declares, and the controls break none.
func TestEachVariantBreaksExactlyWhatItDeclares(t *testing.T) {
	vs, err := Variants(fixture.Valid())
	if err != nil {
		t.Fatal(err)
	}
	covered := map[conform.Rule]bool{}
	for _, v := range vs {
		pd, err := conform.Decode(v.Data)
		if v.Undecodable {
			if err == nil {
				t.Errorf("%s: decodes, want a decode error", v.Name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		problems := everyRule.Report(pd)
		want := slices.Clone(v.Breaks)
		slices.Sort(want)
		if got := ruleSet(problems); !slices.Equal(got, want) {
			t.Errorf("%s: breaks %v, declares %v; problems:\n%s", v.Name, got, want, messages(problems))
		}
		if strings.HasPrefix(v.Name, "control-") != (len(v.Breaks) == 0) {
			t.Errorf("%s: a control must break nothing, and only a control may", v.Name)
		}
		if len(v.Breaks) == 1 {
			covered[v.Breaks[0]] = true
		}
	}
	for _, r := range conform.Rules {
		if !covered[r] {
			t.Errorf("no variant breaks %s alone", r)
		}
	}
}

func messages(ps []conform.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("    " + string(p.Rule) + ": " + p.Message + "\n")
	}
	return b.String()
}

// The quirks that the variants exist to pin down produce profcheck's counts.
func TestQuirkVariantsCountLikeProfcheck(t *testing.T) {
	vs, err := Variants(fixture.Valid())
	if err != nil {
		t.Fatal(err)
	}
	count := func(name string) int {
		i := slices.IndexFunc(vs, func(v Variant) bool { return v.Name == name })
		if i < 0 {
			t.Fatalf("no variant %s", name)
		}
		pd, err := conform.Decode(vs[i].Data)
		if err != nil {
			t.Fatal(err)
		}
		return len(everyRule.Report(pd))
	}
	for name, want := range map[string]int{
		// the fixture has 2 samples: the broken first one, then 2 that disagree with it
		"sample-shape-first-sample-neither": 3,
		// key out of range in the table and at the one reference
		"strindex-attribute-key": 2,
		// entries 2 and 3 repeat the key of entry 1
		"duplicate-attribute-key-same-entry-twice": 2,
		// only the stack; its location and function count as referenced
		"orphan-stack-holding-new-location-and-function": 1,
		"link-ids-empty": 2,
		// every timestamp of both samples is outside an empty range
		"timestamp-zero-duration": 2,
		// six tables with a non-zero entry 0
		"multi-zero-entries": 6,
		// zero-entry for all six tables; mapping and link entry 0 nothing
		// more; location 0: mapping, attribute and function index, line;
		// function 0: name, start line; stack 0: location index; attribute 0:
		// key and unit
		"multi-zero-entries-with-bad-references": 6 + 4 + 2 + 1 + 2,
		// only the zero entry, not the two duplicates
		"zero-entry-string-hides-duplicates": 1,
	} {
		if got := count(name); got != want {
			t.Errorf("%s: %d problems, want %d", name, got, want)
		}
	}
}

func TestVariantsAreDeterministicAndLeaveTheInputAlone(t *testing.T) {
	pd := fixture.Valid()
	before := proto.Clone(pd)
	a, err := Variants(pd)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Variants(pd)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(pd, before) {
		t.Error("Variants changed its input")
	}
	if len(a) != len(b) {
		t.Fatalf("%d then %d variants", len(a), len(b))
	}
	names := map[string]bool{}
	for i := range a {
		if a[i].Name != b[i].Name || string(a[i].Data) != string(b[i].Data) {
			t.Errorf("variant %d differs between runs: %s / %s", i, a[i].Name, b[i].Name)
		}
		if names[a[i].Name] {
			t.Errorf("two variants named %s", a[i].Name)
		}
		names[a[i].Name] = true
	}
}

func TestWriteNamesEachFileAfterItsVariant(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	vs, err := Write(fixture.Valid(), dir)
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
	data, err := os.ReadFile(filepath.Join(dir, "negative-line.pb"))
	if err != nil {
		t.Fatal(err)
	}
	pd, err := conform.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := conform.CLIDefaults().Report(pd); len(got) != 1 || got[0].Rule != conform.NegativeLine {
		t.Errorf("negative-line.pb: %v", got)
	}
}

func TestVariantsSayWhatTheInputLacks(t *testing.T) {
	noDict := fixture.Valid()
	noDict.Dictionary = nil
	noSamples := fixture.Valid()
	fixture.Profile(noSamples).Samples = nil
	noMapping := fixture.Valid()
	noMapping.Dictionary.MappingTable = noMapping.Dictionary.MappingTable[:1]
	noMapping.Dictionary.LocationTable[1].MappingIndex = 0
	for name, pd := range map[string]*profiles.ProfilesData{
		"no dictionary": noDict, "no sample": noSamples, "no mapping": noMapping,
	} {
		if _, err := Variants(pd); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The variants of real pprotel output decode (except the undecodable one) and
// are all found broken, or not, as declared.
func TestVariantsOfACorpusProfileDecode(t *testing.T) {
	pd := corpusOTLP(t)
	vs, err := Variants(pd)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		got, err := conform.Decode(v.Data)
		if (err != nil) != v.Undecodable {
			t.Errorf("%s: decode error %v", v.Name, err)
			continue
		}
		if err == nil && len(v.Breaks) > 0 && len(everyRule.Report(got)) == 0 {
			t.Errorf("%s: no problem found", v.Name)
		}
	}
}

// corpusOTLP builds a rich OTLP document the way pprotel would lay it out,
// from the valid fixture extended with a second mapping, attributes on a
// location and a profile, and a link. It stands in for a converted corpus file
// without needing pprotel here.
func corpusOTLP(t *testing.T) *profiles.ProfilesData {
	t.Helper()
	pd := fixture.Valid()
	d := pd.Dictionary
	d.StringTable = append(d.StringTable, "/lib/libc.so")
	d.MappingTable = append(d.MappingTable, &profiles.Mapping{MemoryStart: 0x7000, MemoryLimit: 0x9000, FilenameStrindex: int32(len(d.StringTable) - 1)})
	d.LocationTable = append(d.LocationTable, &profiles.Location{MappingIndex: 2, Address: 0x7100, Lines: []*profiles.Line{{FunctionIndex: 1, Line: 3}}, AttributeIndices: []int32{1}})
	d.StackTable[1].LocationIndices = append(d.StackTable[1].LocationIndices, 2)
	d.LinkTable = append(d.LinkTable, &profiles.Link{TraceId: make([]byte, 16), SpanId: make([]byte, 8)})
	fixture.Profile(pd).Samples[1].LinkIndex = 1
	fixture.Profile(pd).AttributeIndices = []int32{1}
	if got := everyRule.Report(pd); len(got) != 0 {
		t.Fatalf("extended fixture is not valid: %v", got)
	}
	return pd
}
