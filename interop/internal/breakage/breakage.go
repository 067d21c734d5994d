// Package breakage derives deliberately broken copies of a valid OTLP
// ProfilesData, one per way of breaking a profcheck rule, so that two
// validators (conform and pprotel's) can be run on the same broken inputs and
// their findings compared.
//
// Why it exists: a corpus of valid files only shows that two validators agree
// on "valid". Agreement on what is wrong, and on how many times, needs inputs
// that are wrong in known ways, each in one place, plus a few that are wrong
// in many places at once.
//
// Each variant changes the input as little as it can: instead of changing an
// entry in place (which could leave the entry it pointed at unreferenced, an
// orphan), it usually appends a broken copy and references that copy, so the
// variant breaks the rule it is named after and, on a document that was
// valid, nothing else. Breaks lists what it breaks on such a document.
package breakage

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/pprotel/pprotel/interop/internal/conform"
	common "go.opentelemetry.io/proto/slim/otlp/common/v1"
	profiles "go.opentelemetry.io/proto/slim/otlp/profiles/v1development"
	resource "go.opentelemetry.io/proto/slim/otlp/resource/v1"
)

// Variant is one broken copy.
type Variant struct {
	// Name says what is broken; the file is Name + ".pb".
	Name string
	// Breaks is the set of rules conform reports for this variant when it is
	// derived from a document that passes every rule group (sample shapes,
	// duplicates and orphans on). Empty for the controls, which must stay
	// valid, and for inputs that cannot be decoded at all (see Undecodable).
	Breaks []conform.Rule
	// Undecodable marks bytes that are not a ProfilesData the Go protobuf
	// runtime accepts (invalid UTF-8): a validator must refuse to read them.
	Undecodable bool
	// Data is the encoded ProfilesData.
	Data []byte
}

// spot is where the mutations work: the first profile with a sample, a stack
// that sample uses, a location with a line, its function and a mapping.
type spot struct {
	rp, sp, p      int // resource, scope, profile
	stack          int32
	loc, fn, mapIx int32
}

// Variants returns every broken copy of pd, in a fixed order. pd itself is
// not changed. It needs a dictionary, a profile with a sample whose stack
// (index >= 1) holds a location (index >= 1) with a line whose function has
// index >= 1, and a mapping with index >= 1; otherwise it returns an error
// saying what is missing.
func Variants(pd *profiles.ProfilesData) ([]Variant, error) {
	at, err := find(pd)
	if err != nil {
		return nil, err
	}
	var out []Variant
	for _, m := range mutations {
		c := proto.Clone(pd).(*profiles.ProfilesData)
		x := &doc{pd: c, at: at}
		m.apply(x)
		data, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", m.name, err)
		}
		data = append(data, x.trailer...)
		out = append(out, Variant{Name: m.name, Breaks: m.breaks, Undecodable: x.trailer != nil, Data: data})
	}
	return out, nil
}

// Write writes every variant of pd into dir (created if missing) as
// <name>.pb and returns the variants.
func Write(pd *profiles.ProfilesData, dir string) ([]Variant, error) {
	vs, err := Variants(pd)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, v := range vs {
		if err := os.WriteFile(filepath.Join(dir, v.Name+".pb"), v.Data, 0o644); err != nil {
			return nil, err
		}
	}
	return vs, nil
}

func find(pd *profiles.ProfilesData) (spot, error) {
	d := pd.GetDictionary()
	if d == nil {
		return spot{}, errors.New("input has no dictionary")
	}
	var at spot
	found := false
	for ri, rp := range pd.GetResourceProfiles() {
		for si, sp := range rp.GetScopeProfiles() {
			for pi, p := range sp.GetProfiles() {
				if !found && len(p.GetSamples()) > 0 {
					at.rp, at.sp, at.p, found = ri, si, pi, true
				}
			}
		}
	}
	if !found {
		return spot{}, errors.New("input has no profile with a sample")
	}
	usable := func(si int32) bool {
		if si < 1 || int(si) >= len(d.GetStackTable()) {
			return false
		}
		for _, li := range d.GetStackTable()[si].GetLocationIndices() {
			if locWithLine(d, li) {
				return true
			}
		}
		return false
	}
	p := pd.ResourceProfiles[at.rp].ScopeProfiles[at.sp].Profiles[at.p]
	at.stack = -1
	if s := p.Samples[0].GetStackIndex(); usable(s) {
		at.stack = s
	}
	for si := range d.GetStackTable() {
		if at.stack < 0 && usable(int32(si)) {
			at.stack = int32(si)
		}
	}
	if at.stack < 0 {
		return spot{}, errors.New("input has no stack (index >= 1) with a location (index >= 1) whose first line names a function (index >= 1)")
	}
	for _, li := range d.StackTable[at.stack].LocationIndices {
		if locWithLine(d, li) {
			at.loc = li
			break
		}
	}
	at.fn = d.LocationTable[at.loc].Lines[0].FunctionIndex
	at.mapIx = d.LocationTable[at.loc].MappingIndex
	for mi := range d.GetMappingTable() {
		if at.mapIx < 1 && mi >= 1 {
			at.mapIx = int32(mi)
		}
	}
	if at.mapIx < 1 || int(at.mapIx) >= len(d.GetMappingTable()) {
		return spot{}, errors.New("input has no mapping with index >= 1")
	}
	return at, nil
}

func locWithLine(d *profiles.ProfilesDictionary, li int32) bool {
	if li < 1 || int(li) >= len(d.GetLocationTable()) {
		return false
	}
	lines := d.LocationTable[li].GetLines()
	return len(lines) > 0 && lines[0].GetFunctionIndex() >= 1 && int(lines[0].GetFunctionIndex()) < len(d.GetFunctionTable())
}

// doc is one copy being broken.
type doc struct {
	pd *profiles.ProfilesData
	at spot
	// trailer is appended to the encoding: bytes that no Go message can hold.
	trailer []byte
}

func (x *doc) dict() *profiles.ProfilesDictionary { return x.pd.Dictionary }
func (x *doc) profile() *profiles.Profile {
	return x.pd.ResourceProfiles[x.at.rp].ScopeProfiles[x.at.sp].Profiles[x.at.p]
}
func (x *doc) sample() *profiles.Sample     { return x.profile().Samples[0] }
func (x *doc) stack() *profiles.Stack       { return x.dict().StackTable[x.at.stack] }
func (x *doc) location() *profiles.Location { return x.dict().LocationTable[x.at.loc] }
func (x *doc) function() *profiles.Function { return x.dict().FunctionTable[x.at.fn] }
func (x *doc) mapping() *profiles.Mapping   { return x.dict().MappingTable[x.at.mapIx] }

// str returns the index of s in the string table, appending it if missing.
func (x *doc) str(s string) int32 {
	d := x.dict()
	if i := slices.Index(d.StringTable, s); i >= 0 {
		return int32(i)
	}
	d.StringTable = append(d.StringTable, s)
	return int32(len(d.StringTable) - 1)
}

// addSample appends a copy of the first sample, changed by f, to the profile.
func (x *doc) addSample(f func(s *profiles.Sample)) *profiles.Sample {
	s := proto.Clone(x.sample()).(*profiles.Sample)
	f(s)
	p := x.profile()
	p.Samples = append(p.Samples, s)
	return s
}

// addProfile appends to the scope a copy of the profile holding only a copy
// of its first sample, changed by f.
func (x *doc) addProfile(f func(p *profiles.Profile)) {
	p := proto.Clone(x.profile()).(*profiles.Profile)
	p.Samples = p.Samples[:1]
	f(p)
	sp := x.pd.ResourceProfiles[x.at.rp].ScopeProfiles[x.at.sp]
	sp.Profiles = append(sp.Profiles, p)
}

// addLocation appends a copy of the location, changed by f, and references it
// from the stack.
func (x *doc) addLocation(f func(l *profiles.Location)) int32 {
	l := proto.Clone(x.location()).(*profiles.Location)
	f(l)
	d := x.dict()
	d.LocationTable = append(d.LocationTable, l)
	i := int32(len(d.LocationTable) - 1)
	x.stack().LocationIndices = append(x.stack().LocationIndices, i)
	return i
}

// addMapping appends a copy of the mapping, changed by f, and a location that
// references it.
func (x *doc) addMapping(f func(m *profiles.Mapping)) int32 {
	m := proto.Clone(x.mapping()).(*profiles.Mapping)
	f(m)
	d := x.dict()
	d.MappingTable = append(d.MappingTable, m)
	i := int32(len(d.MappingTable) - 1)
	x.addLocation(func(l *profiles.Location) { l.MappingIndex = i })
	return i
}

// addFunction appends a copy of the function, changed by f, and a line of the
// location that references it.
func (x *doc) addFunction(f func(fn *profiles.Function)) {
	fn := proto.Clone(x.function()).(*profiles.Function)
	f(fn)
	d := x.dict()
	d.FunctionTable = append(d.FunctionTable, fn)
	x.addLine(&profiles.Line{FunctionIndex: int32(len(d.FunctionTable) - 1), Line: 1})
}

func (x *doc) addLine(l *profiles.Line) {
	x.location().Lines = append(x.location().Lines, l)
}

// addAttribute appends an attribute with the given key and an int value; it
// is not referenced yet.
func (x *doc) addAttribute(key string, value int64) int32 {
	d := x.dict()
	d.AttributeTable = append(d.AttributeTable, &profiles.KeyValueAndUnit{
		KeyStrindex: x.str(key),
		Value:       &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: value}},
	})
	return int32(len(d.AttributeTable) - 1)
}

// sameKeyPair appends two attributes that share a key: together in one
// attribute_indices list they break the duplicate-key rule.
func (x *doc) sameKeyPair() []int32 {
	return []int32{x.addAttribute(breakKey, 1), x.addAttribute(breakKey, 2)}
}

// addLink appends a link and a sample that references it.
func (x *doc) addLink(trace, span int) {
	d := x.dict()
	d.LinkTable = append(d.LinkTable, &profiles.Link{TraceId: ids(trace, 0x11), SpanId: ids(span, 0x22)})
	i := int32(len(d.LinkTable) - 1)
	x.addSample(func(s *profiles.Sample) { s.LinkIndex = i })
}

func ids(n int, b byte) []byte {
	if n == 0 {
		return nil
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}

// timeRange gives the profile a time range that can hold timestamps: the
// corpus has profiles with time 0 and duration 0.
func (x *doc) timeRange() {
	p := x.profile()
	if p.TimeUnixNano == 0 {
		p.TimeUnixNano = 1_700_000_000_000_000_000
	}
	if p.DurationNano < 1_000_000_000 {
		p.DurationNano = 1_000_000_000
	}
}

// withTimestamps gives every sample of the profile one timestamp per value,
// inside the time range: every sample has both values and timestamps, a
// valid shape.
func (x *doc) withTimestamps() {
	x.timeRange()
	p := x.profile()
	for i, s := range p.Samples {
		s.TimestampsUnixNano = nil
		for j := range s.Values {
			s.TimestampsUnixNano = append(s.TimestampsUnixNano, p.TimeUnixNano+uint64(i+j)%p.DurationNano)
		}
		if len(s.Values) == 0 {
			s.TimestampsUnixNano = []uint64{p.TimeUnixNano}
		}
	}
}

// A key string no producer uses, so that new attributes with it cannot clash
// with the input's own keys.
const (
	breakKey   = "pprotel.break.key"
	breakOther = "pprotel.break.other"
)

type mutation struct {
	name   string
	breaks []conform.Rule
	apply  func(x *doc)
}

// Shorthands for Breaks lists.
var (
	noRP     = conform.NoResourceProfiles
	noSP     = conform.NoScopeProfiles
	noP      = conform.NoProfiles
	idx      = conform.IndexOutOfRange
	stridx   = conform.StrindexOutOfRange
	dupKey   = conform.DuplicateAttributeKey
	ts       = conform.TimestampOutOfRange
	zero     = conform.ZeroEntry
	mrange   = conform.MappingRange
	neg      = conform.NegativeLine
	linkLen  = conform.LinkIDLength
	shape    = conform.SampleShape
	dupStr   = conform.DuplicateString
	dupMap   = conform.DuplicateMapping
	orphan   = conform.Orphan
	rules    = func(r ...conform.Rule) []conform.Rule { return r }
	controls = []conform.Rule(nil)
)

// both applies several mutations to one copy.
func both(fs ...func(x *doc)) func(x *doc) {
	return func(x *doc) {
		for _, f := range fs {
			f(x)
		}
	}
}

func badStackIndex(x *doc) {
	x.addSample(func(s *profiles.Sample) { s.StackIndex = int32(len(x.dict().StackTable)) })
}

func twoValues(x *doc) {
	x.addSample(func(s *profiles.Sample) { s.Values = []int64{1, 2}; s.TimestampsUnixNano = nil })
}

func negativeLine(x *doc) {
	x.addLine(&profiles.Line{FunctionIndex: x.at.fn, Line: -1})
}

func badMappingRange(x *doc) {
	x.addMapping(func(m *profiles.Mapping) { m.MemoryStart, m.MemoryLimit = 0x7000_0000, 0x6000_0000 })
}

func zeroEntries(x *doc) {
	d := x.dict()
	d.MappingTable[0] = &profiles.Mapping{MemoryStart: 0x1000, MemoryLimit: 0x2000}
	d.LocationTable[0] = &profiles.Location{Address: 0x1234}
	d.FunctionTable[0] = &profiles.Function{StartLine: 1}
	d.LinkTable[0] = &profiles.Link{TraceId: make([]byte, 16), SpanId: make([]byte, 8)}
	d.StackTable[0] = &profiles.Stack{LocationIndices: []int32{x.at.loc}}
	d.AttributeTable[0] = &profiles.KeyValueAndUnit{Value: &common.AnyValue{Value: &common.AnyValue_BoolValue{BoolValue: true}}}
}

// The mutations, grouped by the rule they break. The controls (prefix
// "control-") change the document in a way that must stay valid.
var mutations = []mutation{
	// ---- envelope
	{"no-resource-profiles", rules(noRP), func(x *doc) { x.pd.ResourceProfiles = nil }},
	{"no-resource-profiles-no-dictionary", rules(noRP), func(x *doc) { x.pd.ResourceProfiles, x.pd.Dictionary = nil, nil }},
	{"no-scope-profiles", rules(noSP), func(x *doc) {
		x.pd.ResourceProfiles = append(x.pd.ResourceProfiles, &profiles.ResourceProfiles{})
	}},
	{"no-profiles", rules(noP), func(x *doc) {
		rp := x.pd.ResourceProfiles[x.at.rp]
		rp.ScopeProfiles = append(rp.ScopeProfiles, &profiles.ScopeProfiles{})
	}},
	{"missing-dictionary", rules(zero, idx, stridx), func(x *doc) { x.pd.Dictionary = nil }},

	// ---- index out of range, one per kind of reference
	{"index-stack-of-sample", rules(idx), badStackIndex},
	{"index-stack-of-sample-negative", rules(idx), func(x *doc) { x.addSample(func(s *profiles.Sample) { s.StackIndex = -1 }) }},
	{"index-link-of-sample", rules(idx), func(x *doc) {
		x.addSample(func(s *profiles.Sample) { s.LinkIndex = int32(len(x.dict().LinkTable)) })
	}},
	{"index-attribute-of-sample", rules(idx), func(x *doc) {
		x.addSample(func(s *profiles.Sample) {
			s.AttributeIndices = append(s.AttributeIndices, int32(len(x.dict().AttributeTable)))
		})
	}},
	{"index-attribute-of-profile", rules(idx), func(x *doc) {
		x.profile().AttributeIndices = append(x.profile().AttributeIndices, int32(len(x.dict().AttributeTable)))
	}},
	{"index-attribute-of-location", rules(idx), func(x *doc) {
		x.location().AttributeIndices = append(x.location().AttributeIndices, int32(len(x.dict().AttributeTable)))
	}},
	{"index-attribute-of-mapping", rules(idx), func(x *doc) {
		x.mapping().AttributeIndices = append(x.mapping().AttributeIndices, -1)
	}},
	{"index-mapping-of-location", rules(idx), func(x *doc) {
		x.addLocation(func(l *profiles.Location) { l.MappingIndex = int32(len(x.dict().MappingTable)) })
	}},
	{"index-function-of-line", rules(idx), func(x *doc) {
		x.addLine(&profiles.Line{FunctionIndex: int32(len(x.dict().FunctionTable)), Line: 1})
	}},
	{"index-location-of-stack", rules(idx), func(x *doc) {
		x.stack().LocationIndices = append(x.stack().LocationIndices, int32(len(x.dict().LocationTable)))
	}},

	// ---- string index out of range, one per checked *_strindex field
	{"strindex-sample-type-type", rules(stridx), func(x *doc) {
		x.addProfile(func(p *profiles.Profile) {
			p.SampleType = &profiles.ValueType{TypeStrindex: int32(len(x.dict().StringTable)), UnitStrindex: p.GetSampleType().GetUnitStrindex()}
		})
	}},
	{"strindex-sample-type-unit", rules(stridx), func(x *doc) {
		x.addProfile(func(p *profiles.Profile) {
			p.SampleType = &profiles.ValueType{TypeStrindex: p.GetSampleType().GetTypeStrindex(), UnitStrindex: -1}
		})
	}},
	{"strindex-period-type-type", rules(stridx), func(x *doc) {
		x.addProfile(func(p *profiles.Profile) {
			p.PeriodType = &profiles.ValueType{TypeStrindex: int32(len(x.dict().StringTable)), UnitStrindex: p.GetPeriodType().GetUnitStrindex()}
		})
	}},
	{"strindex-period-type-unit", rules(stridx), func(x *doc) {
		x.addProfile(func(p *profiles.Profile) {
			p.PeriodType = &profiles.ValueType{TypeStrindex: p.GetPeriodType().GetTypeStrindex(), UnitStrindex: int32(len(x.dict().StringTable)) + 7}
		})
	}},
	{"strindex-mapping-filename", rules(stridx), func(x *doc) {
		x.addMapping(func(m *profiles.Mapping) { m.FilenameStrindex = int32(len(x.dict().StringTable)) })
	}},
	{"strindex-function-name", rules(stridx), func(x *doc) {
		x.addFunction(func(f *profiles.Function) { f.NameStrindex = int32(len(x.dict().StringTable)) })
	}},
	{"strindex-function-name-negative", rules(stridx), func(x *doc) {
		x.addFunction(func(f *profiles.Function) { f.NameStrindex = math.MinInt32 })
	}},
	{"strindex-function-system-name", rules(stridx), func(x *doc) {
		x.addFunction(func(f *profiles.Function) { f.SystemNameStrindex = int32(len(x.dict().StringTable)) })
	}},
	{"strindex-function-filename", rules(stridx), func(x *doc) {
		x.addFunction(func(f *profiles.Function) { f.FilenameStrindex = int32(len(x.dict().StringTable)) })
	}},
	// The attribute's key is checked in the table and again at every
	// attribute_indices entry that references it: two problems.
	{"strindex-attribute-key", rules(stridx), func(x *doc) {
		d := x.dict()
		d.AttributeTable = append(d.AttributeTable, &profiles.KeyValueAndUnit{KeyStrindex: int32(len(d.StringTable))})
		i := int32(len(d.AttributeTable) - 1)
		x.profile().AttributeIndices = append(x.profile().AttributeIndices, i)
	}},
	{"strindex-attribute-unit", rules(stridx), func(x *doc) {
		i := x.addAttribute(breakKey, 1)
		x.dict().AttributeTable[i].UnitStrindex = int32(len(x.dict().StringTable))
		x.profile().AttributeIndices = append(x.profile().AttributeIndices, i)
	}},

	// ---- duplicate attribute keys, in each kind of attribute_indices list
	{"duplicate-attribute-key-sample", rules(dupKey), func(x *doc) {
		pair := x.sameKeyPair()
		x.addSample(func(s *profiles.Sample) { s.AttributeIndices = append(s.AttributeIndices, pair...) })
	}},
	{"duplicate-attribute-key-profile", rules(dupKey), func(x *doc) {
		x.profile().AttributeIndices = append(x.profile().AttributeIndices, x.sameKeyPair()...)
	}},
	{"duplicate-attribute-key-location", rules(dupKey), func(x *doc) {
		x.location().AttributeIndices = append(x.location().AttributeIndices, x.sameKeyPair()...)
	}},
	{"duplicate-attribute-key-mapping", rules(dupKey), func(x *doc) {
		x.mapping().AttributeIndices = append(x.mapping().AttributeIndices, x.sameKeyPair()...)
	}},
	{"duplicate-attribute-key-same-entry-twice", rules(dupKey), func(x *doc) {
		a := x.addAttribute(breakKey, 1)
		x.profile().AttributeIndices = append(x.profile().AttributeIndices, a, a, a)
	}},

	// ---- sample timestamps outside [time, time + duration)
	{"timestamp-before-start", rules(ts), func(x *doc) {
		x.withTimestamps()
		x.addSample(func(s *profiles.Sample) { s.TimestampsUnixNano[0] = x.profile().TimeUnixNano - 1 })
	}},
	{"timestamp-at-end", rules(ts), func(x *doc) {
		x.withTimestamps()
		p := x.profile()
		x.addSample(func(s *profiles.Sample) { s.TimestampsUnixNano[0] = p.TimeUnixNano + p.DurationNano })
	}},
	{"timestamp-zero-duration", rules(ts), func(x *doc) {
		x.withTimestamps()
		x.profile().DurationNano = 0
	}},
	{"timestamp-range-end-overflows", rules(ts), func(x *doc) {
		x.withTimestamps()
		p := x.profile()
		p.TimeUnixNano = math.MaxUint64 - 10
		for _, s := range p.Samples {
			for j := range s.TimestampsUnixNano {
				s.TimestampsUnixNano[j] = p.TimeUnixNano + 1
			}
		}
	}},
	{"control-timestamps-in-range", controls, func(x *doc) { x.withTimestamps() }},

	// ---- entry 0 of each table not the zero value, or the table empty
	{"zero-entry-mapping", rules(zero), func(x *doc) {
		x.dict().MappingTable[0] = &profiles.Mapping{MemoryStart: 0x1000, MemoryLimit: 0x2000}
	}},
	{"zero-entry-location", rules(zero), func(x *doc) { x.dict().LocationTable[0] = &profiles.Location{Address: 0x1234} }},
	{"zero-entry-function", rules(zero), func(x *doc) { x.dict().FunctionTable[0] = &profiles.Function{StartLine: 1} }},
	{"zero-entry-link", rules(zero), func(x *doc) {
		x.dict().LinkTable[0] = &profiles.Link{TraceId: ids(16, 1), SpanId: ids(8, 1)}
	}},
	// The proto recommends 16 and 8 zero bytes here; profcheck's proto.Equal
	// sees set fields.
	{"zero-entry-link-zero-bytes", rules(zero), func(x *doc) {
		x.dict().LinkTable[0] = &profiles.Link{TraceId: make([]byte, 16), SpanId: make([]byte, 8)}
	}},
	{"zero-entry-stack", rules(zero), func(x *doc) {
		x.dict().StackTable[0] = &profiles.Stack{LocationIndices: []int32{x.at.loc}}
	}},
	{"zero-entry-string", rules(zero), func(x *doc) { x.dict().StringTable[0] = breakOther }},
	// A string table without "" first is not searched for duplicates.
	{"zero-entry-string-hides-duplicates", rules(zero), func(x *doc) {
		d := x.dict()
		d.StringTable[0] = d.StringTable[1]
		d.StringTable = append(d.StringTable, d.StringTable[1])
		x.addFunction(func(f *profiles.Function) { f.FilenameStrindex = int32(len(d.StringTable) - 1) })
	}},
	{"zero-entry-attribute-key", rules(zero), func(x *doc) {
		x.dict().AttributeTable[0] = &profiles.KeyValueAndUnit{KeyStrindex: x.str(breakKey)}
	}},
	{"zero-entry-attribute-unit", rules(zero), func(x *doc) {
		x.dict().AttributeTable[0] = &profiles.KeyValueAndUnit{UnitStrindex: x.str(breakKey)}
	}},
	{"zero-entry-attribute-value", rules(zero), func(x *doc) {
		x.dict().AttributeTable[0] = &profiles.KeyValueAndUnit{Value: &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: 1}}}
	}},
	// An AnyValue without a value is no value for profcheck.
	{"control-zero-attribute-with-empty-value", controls, func(x *doc) {
		x.dict().AttributeTable[0] = &profiles.KeyValueAndUnit{Value: &common.AnyValue{}}
	}},
	// Go's proto.Equal compares unknown fields, so a field from a newer
	// schema in location_table[0] makes it non-zero for profcheck.
	{"zero-entry-location-unknown-field", rules(zero), func(x *doc) {
		l := &profiles.Location{}
		l.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1))
		x.dict().LocationTable[0] = l
	}},
	// Emptying a table leaves every reference to its entry 0 out of range and
	// the strings only it referenced unreferenced.
	{"empty-mapping-table", rules(zero, idx, orphan), func(x *doc) { x.dict().MappingTable = nil }},
	{"empty-location-table", rules(zero, idx, orphan), func(x *doc) { x.dict().LocationTable = nil }},
	{"empty-function-table", rules(zero, idx, orphan), func(x *doc) { x.dict().FunctionTable = nil }},
	{"empty-link-table", rules(zero, idx), func(x *doc) { x.dict().LinkTable = nil }},
	{"empty-stack-table", rules(zero, idx, orphan), func(x *doc) { x.dict().StackTable = nil }},
	{"empty-string-table", rules(zero, stridx), func(x *doc) { x.dict().StringTable = nil }},
	{"empty-attribute-table", rules(zero, idx, orphan), func(x *doc) {
		x.dict().AttributeTable = nil
		// The table must exist for the other lists to point into it.
		x.profile().AttributeIndices = append(x.profile().AttributeIndices, 0)
	}},

	// ---- mapping ranges
	{"mapping-range-start-equals-limit", rules(mrange), func(x *doc) {
		x.addMapping(func(m *profiles.Mapping) { m.MemoryStart, m.MemoryLimit = 0x5000_0000, 0x5000_0000 })
	}},
	{"mapping-range-start-above-limit", rules(mrange), badMappingRange},
	{"mapping-range-limit-zero", rules(mrange), func(x *doc) {
		x.addMapping(func(m *profiles.Mapping) { m.MemoryStart, m.MemoryLimit = 0x5000_0000, 0 })
	}},
	{"control-mapping-range-both-zero", controls, func(x *doc) {
		x.addMapping(func(m *profiles.Mapping) {
			m.MemoryStart, m.MemoryLimit, m.FilenameStrindex = 0, 0, x.str("/pprotel/break/zero-range.so")
		})
	}},

	// ---- negative line numbers
	{"negative-line", rules(neg), negativeLine},
	{"negative-column", rules(neg), func(x *doc) { x.addLine(&profiles.Line{FunctionIndex: x.at.fn, Line: 1, Column: -3}) }},
	{"negative-start-line", rules(neg), func(x *doc) { x.addFunction(func(f *profiles.Function) { f.StartLine = -1 }) }},

	// ---- link id lengths (entries after 0)
	{"link-trace-id-short", rules(linkLen), func(x *doc) { x.addLink(15, 8) }},
	{"link-span-id-long", rules(linkLen), func(x *doc) { x.addLink(16, 9) }},
	{"link-ids-empty", rules(linkLen), func(x *doc) { x.addLink(0, 0) }},
	{"control-link-valid", controls, func(x *doc) { x.addLink(16, 8) }},

	// ---- sample shapes
	{"sample-shape-neither", rules(shape), func(x *doc) {
		x.addSample(func(s *profiles.Sample) { s.Values, s.TimestampsUnixNano = nil, nil })
	}},
	{"sample-shape-two-values-no-timestamps", rules(shape), twoValues},
	{"sample-shape-values-timestamps-count-differ", rules(shape), func(x *doc) {
		x.withTimestamps()
		x.addSample(func(s *profiles.Sample) { s.Values = append(s.Values, 1) })
	}},
	{"sample-shape-mixed", rules(shape), func(x *doc) {
		x.timeRange()
		t := x.profile().TimeUnixNano
		x.addSample(func(s *profiles.Sample) { s.Values, s.TimestampsUnixNano = nil, []uint64{t} })
	}},
	// The first sample sets the shape even when broken: every later sample
	// then disagrees with it.
	{"sample-shape-first-sample-neither", rules(shape), func(x *doc) {
		p := x.profile()
		p.Samples = append([]*profiles.Sample{{StackIndex: x.at.stack}}, p.Samples...)
	}},
	// The shape is per profile: a second profile may use another.
	{"control-second-profile-with-other-shape", controls, func(x *doc) {
		x.timeRange()
		t := x.profile().TimeUnixNano
		x.addProfile(func(p *profiles.Profile) {
			p.Samples[0].Values, p.Samples[0].TimestampsUnixNano = nil, []uint64{t, t + 1}
		})
	}},
	{"control-sample-shape-timestamps-only", controls, func(x *doc) {
		x.withTimestamps()
		for _, s := range x.profile().Samples {
			s.Values = nil
		}
	}},

	// ---- duplicates (profcheck -check-dupes)
	// The copy is the file name of a new function, so it is referenced.
	{"duplicate-string", rules(dupStr), func(x *doc) {
		d := x.dict()
		d.StringTable = append(d.StringTable, d.StringTable[x.function().NameStrindex])
		x.addFunction(func(f *profiles.Function) { f.FilenameStrindex = int32(len(d.StringTable) - 1) })
	}},
	// A copy that nothing references is also an orphan.
	{"duplicate-string-unreferenced", rules(dupStr, orphan), func(x *doc) {
		d := x.dict()
		d.StringTable = append(d.StringTable, d.StringTable[len(d.StringTable)-1])
	}},
	{"duplicate-string-empty", rules(dupStr, orphan), func(x *doc) {
		x.dict().StringTable = append(x.dict().StringTable, "")
	}},
	{"duplicate-mapping", rules(dupMap), func(x *doc) { x.addMapping(func(*profiles.Mapping) {}) }},
	// Attribute order does not matter to the mapping's identity.
	{"duplicate-mapping-attributes-reordered", rules(dupMap), func(x *doc) {
		a, b := x.addAttribute(breakKey, 1), x.addAttribute(breakOther, 2)
		x.mapping().AttributeIndices = append(x.mapping().AttributeIndices, a, b)
		x.addMapping(func(m *profiles.Mapping) {
			n := len(m.AttributeIndices)
			m.AttributeIndices[n-2], m.AttributeIndices[n-1] = b, a
		})
	}},
	{"control-mapping-copy-with-other-offset", controls, func(x *doc) {
		x.addMapping(func(m *profiles.Mapping) { m.FileOffset += 0x1000 })
	}},

	// ---- orphans (profcheck -check-orphans)
	{"orphan-string", rules(orphan), func(x *doc) { x.str("pprotel.break.orphan") }},
	{"orphan-attribute", rules(orphan), func(x *doc) { x.addAttribute(breakKey, 1) }},
	{"orphan-mapping", rules(orphan), func(x *doc) {
		d := x.dict()
		m := proto.Clone(x.mapping()).(*profiles.Mapping)
		m.MemoryStart, m.MemoryLimit = 0x7f00_0000_0000, 0x7f00_0001_0000
		d.MappingTable = append(d.MappingTable, m)
	}},
	{"orphan-function", rules(orphan), func(x *doc) {
		x.dict().FunctionTable = append(x.dict().FunctionTable, proto.Clone(x.function()).(*profiles.Function))
	}},
	{"orphan-location", rules(orphan), func(x *doc) {
		x.dict().LocationTable = append(x.dict().LocationTable, proto.Clone(x.location()).(*profiles.Location))
	}},
	{"orphan-stack", rules(orphan), func(x *doc) {
		x.dict().StackTable = append(x.dict().StackTable, proto.Clone(x.stack()).(*profiles.Stack))
	}},
	{"orphan-link", rules(orphan), func(x *doc) {
		x.dict().LinkTable = append(x.dict().LinkTable, &profiles.Link{TraceId: ids(16, 3), SpanId: ids(8, 3)})
	}},
	// References are counted, not followed: an unreferenced stack still
	// references its new location, which references its new function. Only
	// the stack is an orphan.
	{"orphan-stack-holding-new-location-and-function", rules(orphan), func(x *doc) {
		d := x.dict()
		d.FunctionTable = append(d.FunctionTable, proto.Clone(x.function()).(*profiles.Function))
		l := proto.Clone(x.location()).(*profiles.Location)
		l.Lines = []*profiles.Line{{FunctionIndex: int32(len(d.FunctionTable) - 1)}}
		d.LocationTable = append(d.LocationTable, l)
		d.StackTable = append(d.StackTable, &profiles.Stack{LocationIndices: []int32{int32(len(d.LocationTable) - 1)}})
	}},
	// profcheck does not count resource attribute keys as references.
	{"orphan-string-used-by-resource-attribute", rules(orphan), func(x *doc) {
		rp := x.pd.ResourceProfiles[x.at.rp]
		if rp.Resource == nil {
			rp.Resource = &resource.Resource{}
		}
		rp.Resource.Attributes = append(rp.Resource.Attributes, &common.KeyValue{
			KeyStrindex: x.str("pprotel.break.resource.key"),
			Value:       &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: "v"}},
		})
	}},
	// ... nor attribute string values given by string_value_strindex.
	{"orphan-string-used-by-attribute-value", rules(orphan), func(x *doc) {
		d := x.dict()
		d.AttributeTable = append(d.AttributeTable, &profiles.KeyValueAndUnit{
			KeyStrindex: x.str(breakKey),
			Value:       &common.AnyValue{Value: &common.AnyValue_StringValueStrindex{StringValueStrindex: x.str("pprotel.break.value")}},
		})
		x.profile().AttributeIndices = append(x.profile().AttributeIndices, int32(len(d.AttributeTable)-1))
	}},

	// Broken only for pprotel's extra rules, which profcheck lacks: a resource
	// attribute key outside the string table.
	{"control-resource-attribute-strindex-out-of-range", controls, func(x *doc) {
		rp := x.pd.ResourceProfiles[x.at.rp]
		if rp.Resource == nil {
			rp.Resource = &resource.Resource{}
		}
		rp.Resource.Attributes = append(rp.Resource.Attributes, &common.KeyValue{KeyStrindex: int32(len(x.dict().StringTable))})
	}},

	// ---- several breakages at once
	{"multi-index-shape-negative-range", rules(idx, shape, neg, mrange), both(badStackIndex, twoValues, negativeLine, badMappingRange)},
	{"multi-zero-entries", rules(zero), zeroEntries},
	// Entry 0 of mapping_table and link_table is only compared with the zero
	// value; entry 0 of the other tables is also checked like any entry.
	{"multi-zero-entries-with-bad-references", rules(zero, idx, stridx, neg), func(x *doc) {
		d := x.dict()
		nStr := int32(len(d.StringTable))
		d.MappingTable[0] = &profiles.Mapping{MemoryStart: 5, MemoryLimit: 1, FilenameStrindex: nStr, AttributeIndices: []int32{-1}}
		d.LinkTable[0] = &profiles.Link{TraceId: ids(3, 1)}
		d.LocationTable[0] = &profiles.Location{MappingIndex: int32(len(d.MappingTable)), AttributeIndices: []int32{-1},
			Lines: []*profiles.Line{{FunctionIndex: -1, Line: -1}}}
		d.FunctionTable[0] = &profiles.Function{NameStrindex: nStr, StartLine: -1}
		d.StackTable[0] = &profiles.Stack{LocationIndices: []int32{int32(len(d.LocationTable))}}
		d.AttributeTable[0] = &profiles.KeyValueAndUnit{KeyStrindex: nStr, UnitStrindex: -1}
	}},
	{"multi-zero-entries-and-broken-samples", rules(zero, idx, shape, ts, orphan), both(zeroEntries, func(x *doc) {
		x.withTimestamps()
		p := x.profile()
		for _, s := range p.Samples {
			s.StackIndex = -2
			s.TimestampsUnixNano = append(s.TimestampsUnixNano, p.TimeUnixNano+p.DurationNano)
		}
	})},
	// Every resource of the document loses its scopes: everything the
	// profiles referenced is an orphan.
	{"multi-no-scopes-anywhere", rules(noSP, orphan), func(x *doc) {
		for _, rp := range x.pd.ResourceProfiles {
			rp.ScopeProfiles = nil
		}
	}},
	// Invalid UTF-8 in string_table: the Go protobuf runtime refuses the file
	// before any rule runs. A second dictionary field is merged into the
	// first by every protobuf decoder, appending the string.
	{"invalid-utf8-string", controls, func(x *doc) {
		var dict []byte
		dict = protowire.AppendTag(dict, stringTableField, protowire.BytesType)
		dict = protowire.AppendBytes(dict, []byte{'b', 'a', 'd', 0xff})
		x.trailer = protowire.AppendTag(nil, dictionaryField, protowire.BytesType)
		x.trailer = protowire.AppendBytes(x.trailer, dict)
	}},
}

var (
	dictionaryField  = (&profiles.ProfilesData{}).ProtoReflect().Descriptor().Fields().ByName("dictionary").Number()
	stringTableField = (&profiles.ProfilesDictionary{}).ProtoReflect().Descriptor().Fields().ByName("string_table").Number()
)
