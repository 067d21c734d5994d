package conform

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	common "go.opentelemetry.io/proto/slim/otlp/common/v1"
	profiles "go.opentelemetry.io/proto/slim/otlp/profiles/v1development"

	"github.com/pprotel/pprotel/interop/internal/fixture"
)

const p0 = "resource_profiles[0]: scope_profiles[0]: profile[0]: "

func TestValidFixturePassesEveryRuleGroup(t *testing.T) {
	all := Checker{Duplicates: true, SampleShapes: true, Orphans: true}
	if got := all.Problems(fixture.Valid()); len(got) != 0 {
		t.Fatalf("valid fixture: %q", got)
	}
}

// Each case breaks one rule of the valid fixture and names the exact messages
// profcheck prints for it, in profcheck's order.
func TestRuleViolationsGiveProfcheckMessages(t *testing.T) {
	cases := []struct {
		name    string
		checker Checker
		mutate  func(pd *profiles.ProfilesData)
		want    []string
	}{
		{
			name:   "no resource profiles stops everything",
			mutate: func(pd *profiles.ProfilesData) { pd.ResourceProfiles = nil },
			want:   []string{"resource profiles are empty"},
		},
		{
			name: "resource without scopes and scope without profiles",
			mutate: func(pd *profiles.ProfilesData) {
				pd.ResourceProfiles = append(pd.ResourceProfiles,
					&profiles.ResourceProfiles{},
					&profiles.ResourceProfiles{ScopeProfiles: []*profiles.ScopeProfiles{{}}})
			},
			want: []string{
				"resource_profiles[1]: resource profiles has no scope profiles",
				"resource_profiles[2]: scope_profiles[0]: scope profiles has no profiles",
			},
		},
		{
			name: "sample indices out of range, unit checked before type",
			mutate: func(pd *profiles.ProfilesData) {
				p := fixture.Profile(pd)
				p.SampleType.TypeStrindex = 99
				p.PeriodType.UnitStrindex = -1
				p.Samples[1].StackIndex = 2
				p.Samples[1].LinkIndex = 1
				p.Samples[1].AttributeIndices = []int32{7}
			},
			want: []string{
				p0 + "sample_type: type_strindex: index 99 is out of range [0..9)",
				p0 + "period_type: unit_strindex: index -1 is out of range [0..9)",
				p0 + "sample[1]: stack_index: index 2 is out of range [0..2)",
				p0 + "sample[1]: attribute_indices: [0]: index 7 is out of range [0..2)",
				p0 + "sample[1]: link_index: index 1 is out of range [0..1)",
			},
		},
		{
			name: "duplicate attribute key on a sample",
			mutate: func(pd *profiles.ProfilesData) {
				d := pd.Dictionary
				d.AttributeTable = append(d.AttributeTable, &profiles.KeyValueAndUnit{
					KeyStrindex: 8, Value: &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: "other"}},
				})
				fixture.Profile(pd).Samples[0].AttributeIndices = []int32{1, 2}
			},
			want: []string{p0 + `sample[0]: attribute_indices: [1].key_strindex: duplicate key "thread", previously seen at [0].key_strindex`},
		},
		{
			name: "timestamp equal to time+duration is outside the half-open range",
			mutate: func(pd *profiles.ProfilesData) {
				p := fixture.Profile(pd)
				end := p.TimeUnixNano + p.DurationNano
				for _, s := range p.Samples {
					s.TimestampsUnixNano = []uint64{end}
				}
			},
			want: []string{
				p0 + "sample[0]: timestamps_unix_nano[0]=1700000001000000000 is outside profile time range [1700000000000000000, 1700000001000000000)",
				p0 + "sample[1]: timestamps_unix_nano[0]=1700000001000000000 is outside profile time range [1700000000000000000, 1700000001000000000)",
			},
		},
		{
			name:    "several values without timestamps, and mixed shapes",
			checker: CLIDefaults(),
			mutate: func(pd *profiles.ProfilesData) {
				p := fixture.Profile(pd)
				p.Samples[0].Values = []int64{1, 2}
				p.Samples = append(p.Samples,
					&profiles.Sample{StackIndex: 1, TimestampsUnixNano: []uint64{p.TimeUnixNano}},
					&profiles.Sample{StackIndex: 1})
			},
			want: []string{
				p0 + "sample[0]: values (len=2) must contain a single element if timestamps_unix_nano is not set",
				p0 + "sample[2]: sample shape timestamps_only does not match expected sample shape values_only",
				p0 + "sample[3]: sample must have at least one values or timestamps_unix_nano entry",
				p0 + "sample[3]: sample shape unspecified does not match expected sample shape values_only",
			},
		},
		{
			name: "shape rules are off in the zero Checker",
			mutate: func(pd *profiles.ProfilesData) {
				fixture.Profile(pd).Samples[0].Values = []int64{1, 2}
			},
			want: nil,
		},
		{
			name:    "values and timestamps of different lengths",
			checker: CLIDefaults(),
			mutate: func(pd *profiles.ProfilesData) {
				p := fixture.Profile(pd)
				for _, s := range p.Samples {
					s.TimestampsUnixNano = []uint64{p.TimeUnixNano, p.TimeUnixNano + 1}
				}
			},
			want: []string{
				p0 + "sample[0]: values (len=1) and timestamps_unix_nano (len=2) must contain the same number of elements",
				p0 + "sample[1]: values (len=1) and timestamps_unix_nano (len=2) must contain the same number of elements",
			},
		},
		{
			name: "an unknown field makes entry 0 non-zero, as for proto.Equal",
			mutate: func(pd *profiles.ProfilesData) {
				l := &profiles.Location{}
				l.ProtoReflect().SetUnknown([]byte{0x98, 0x06, 0x01}) // field 99, varint 1
				pd.Dictionary.LocationTable[0] = l
			},
			want: []string{"dictionary: location_table: must have zero value Location{} at index 0, got Location{unknown:980601(3 bytes)}"},
		},
		{
			name: "mapping entries after [0] are numbered from 0",
			mutate: func(pd *profiles.ProfilesData) {
				m := pd.Dictionary.MappingTable[1]
				m.MemoryStart, m.MemoryLimit = 0x2000, 0x2000
				m.FilenameStrindex = 40
			},
			want: []string{
				"dictionary: mapping_table: [0].filename_strindex: index 40 is out of range [0..9)",
				"dictionary: mapping_table: [0]: memory_start=0000000000002000, memory_limit=0000000000002000: must be both zero or start < limit",
			},
		},
		{
			name: "table entry 0 must be the zero message",
			mutate: func(pd *profiles.ProfilesData) {
				d := pd.Dictionary
				d.MappingTable[0] = &profiles.Mapping{FilenameStrindex: 7}
				d.FunctionTable[0].StartLine = 1
				d.StackTable[0] = &profiles.Stack{LocationIndices: []int32{1}}
			},
			want: []string{
				`dictionary: mapping_table: must have zero value Mapping{} at index 0, got Mapping{filename_strindex:7}`,
				`dictionary: function_table: must have zero value Function{} at index 0, got Function{start_line:1}`,
				`dictionary: stack_table: must have zero value Stack{} at index 0, got Stack{location_indices:[1]}`,
			},
		},
		{
			name: "link_table[0] with explicit zero bytes is not the zero message",
			mutate: func(pd *profiles.ProfilesData) {
				pd.Dictionary.LinkTable[0] = &profiles.Link{TraceId: make([]byte, 16), SpanId: make([]byte, 8)}
			},
			want: []string{
				"dictionary: link_table: must have zero value Link{} at index 0, got Link{trace_id:00000000000000000000000000000000(16 bytes) span_id:0000000000000000(8 bytes)}",
			},
		},
		{
			name: "link ids of the wrong length, numbered from 0 after [0]",
			mutate: func(pd *profiles.ProfilesData) {
				pd.Dictionary.LinkTable = append(pd.Dictionary.LinkTable, &profiles.Link{TraceId: []byte{1}, SpanId: make([]byte, 8)})
			},
			want: []string{"dictionary: link_table: len([0].trace_id) == 1, want 16"},
		},
		{
			name: "location, line and function fields",
			mutate: func(pd *profiles.ProfilesData) {
				d := pd.Dictionary
				d.LocationTable[1].MappingIndex = 2
				d.LocationTable[1].Lines[0].FunctionIndex = 3
				d.LocationTable[1].Lines[0].Line = -4
				d.FunctionTable[1].SystemNameStrindex = 9
				d.FunctionTable[1].StartLine = -1
				d.StackTable[1].LocationIndices = []int32{1, 5}
			},
			want: []string{
				"dictionary: location_table: [1].mapping_index: index 2 is out of range [0..2)",
				"dictionary: location_table: [1].line[0]: function_index: index 3 is out of range [0..2)",
				"dictionary: location_table: [1].line[0]: line: -4 < 0, must be non-negative",
				"dictionary: function_table: [1].system_name_strindex: index 9 is out of range [0..9)",
				"dictionary: function_table: [1].start_line: -1 < 0, must be non-negative",
				"dictionary: stack_table: [1].location_indices[1]: index 5 is out of range [0..2)",
			},
		},
		{
			name: "string table must start with the empty string",
			mutate: func(pd *profiles.ProfilesData) {
				pd.Dictionary.StringTable[0] = "x"
			},
			want: []string{`dictionary: string_table: must have empty string at index 0, got "x"`},
		},
		{
			name: "attribute_table[0] must have no key, unit or value",
			mutate: func(pd *profiles.ProfilesData) {
				pd.Dictionary.AttributeTable[0] = &profiles.KeyValueAndUnit{
					Value: &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: 3}},
				}
			},
			want: []string{"dictionary: attribute_table: first attribute value must be nil, got AnyValue{int_value:3}"},
		},
		{
			name: "missing dictionary is reported, not a panic",
			mutate: func(pd *profiles.ProfilesData) {
				pd.Dictionary = nil
				fixture.Profile(pd).Samples = nil
				fixture.Profile(pd).SampleType = nil
				fixture.Profile(pd).PeriodType = nil
			},
			want: []string{
				p0 + "sample_type: unit_strindex: index 0 is out of range [0..0)",
				p0 + "sample_type: type_strindex: index 0 is out of range [0..0)",
				p0 + "period_type: unit_strindex: index 0 is out of range [0..0)",
				p0 + "period_type: type_strindex: index 0 is out of range [0..0)",
				"dictionary: mapping_table: empty table, must have at least zero value entry",
				"dictionary: location_table: empty table, must have at least zero value entry",
				"dictionary: function_table: empty table, must have at least zero value entry",
				"dictionary: link_table: empty table, must have at least zero value entry",
				"dictionary: string_table: empty string table, must have at least empty string",
				"dictionary: attribute_table: empty table, must have at least zero value entry",
				"dictionary: stack_table: empty table, must have at least zero value entry",
			},
		},
		{
			name:    "duplicates only when asked",
			checker: Checker{Duplicates: true},
			mutate: func(pd *profiles.ProfilesData) {
				d := pd.Dictionary
				d.StringTable = append(d.StringTable, "main")
				d.MappingTable = append(d.MappingTable, proto.Clone(d.MappingTable[1]).(*profiles.Mapping))
				d.LocationTable[1].MappingIndex = 2 // keep the copy referenced
			},
			want: []string{
				"dictionary: mapping_table: duplicate mapping at index 1: {filename_strindex:7 attribute_indices:\"\" memory_start:0x1000 memory_limit:0x2000 file_offset:0x0}",
				"dictionary: string_table: duplicate string at index 9, orig index 5: main",
			},
		},
		{
			name:    "orphans only when asked; attribute string values are not references",
			checker: Checker{Orphans: true},
			mutate: func(pd *profiles.ProfilesData) {
				d := pd.Dictionary
				d.StringTable = append(d.StringTable, "unused")
				d.AttributeTable[1].Value = &common.AnyValue{Value: &common.AnyValue_StringValueStrindex{StringValueStrindex: 9}}
				d.FunctionTable = append(d.FunctionTable, &profiles.Function{NameStrindex: 5})
				d.LinkTable = append(d.LinkTable, &profiles.Link{TraceId: make([]byte, 16), SpanId: make([]byte, 8)})
			},
			want: []string{
				"dictionary: string_table: unreferenced entry at index 9",
				"dictionary: function_table: unreferenced entry at index 2",
				"dictionary: link_table: unreferenced entry at index 1",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pd := fixture.Valid()
			tc.mutate(pd)
			got := tc.checker.Problems(pd)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if err := tc.checker.Check(pd); (err == nil) != (len(tc.want) == 0) {
				t.Errorf("Check() = %v, but Problems() = %q", err, got)
			} else if err != nil && err.Error() != strings.Join(tc.want, "\n") {
				t.Errorf("Check() text %q is not the problems joined by newlines", err)
			}
		})
	}
}

func TestDecodeRefusesInvalidUTF8LikeProfcheck(t *testing.T) {
	// proto.Marshal refuses to write invalid UTF-8, so the bad entry is
	// appended to valid bytes by hand.
	data, err := proto.Marshal(fixture.Valid())
	if err != nil {
		t.Fatal(err)
	}
	// ProfilesData.dictionary (field 2) is a nested message; append a second
	// dictionary fragment carrying string_table (field 5) = "bad\xff"; the
	// decoder merges it into the first.
	frag := []byte{0x2a, 4, 'b', 'a', 'd', 0xff}
	data = append(data, 0x12, byte(len(frag)))
	data = append(data, frag...)
	_, err = Decode(data)
	if err == nil || !strings.Contains(err.Error(), "invalid UTF-8") {
		t.Fatalf("Decode of a string_table entry with invalid UTF-8: err = %v, want an invalid UTF-8 error", err)
	}
	good, err := proto.Marshal(fixture.Valid())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(good); err != nil {
		t.Fatalf("Decode(valid) = %v", err)
	}
}

// Report gives each problem the pprotel rule name it is compared under; an
// index into string_table is a strindex problem, any other index is not.
func TestReportNamesTheRuleOfEachProblem(t *testing.T) {
	pd := fixture.Valid()
	d := pd.Dictionary
	d.AttributeTable = append(d.AttributeTable, &profiles.KeyValueAndUnit{KeyStrindex: 50})
	s := fixture.Profile(pd).Samples[0]
	s.AttributeIndices = []int32{2, 9}
	s.StackIndex = 5
	d.FunctionTable[1].StartLine = -1
	got := Checker{}.Report(pd)
	want := []Problem{
		{StrindexOutOfRange, p0 + "sample[0]: attribute_indices: [0].key_strindex: index 50 is out of range [0..9)"},
		{IndexOutOfRange, p0 + "sample[0]: stack_index: index 5 is out of range [0..2)"},
		{IndexOutOfRange, p0 + "sample[0]: attribute_indices: [1]: index 9 is out of range [0..3)"},
		{NegativeLine, "dictionary: function_table: [1].start_line: -1 < 0, must be non-negative"},
		{StrindexOutOfRange, "dictionary: attribute_table: [2].key_strindex: index 50 is out of range [0..9)"},
	}
	slices.SortStableFunc(got, func(a, b Problem) int { return strings.Compare(a.Message, b.Message) })
	slices.SortStableFunc(want, func(a, b Problem) int { return strings.Compare(a.Message, b.Message) })
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
