// Package conform checks OTLP Profiles data against the conformance rules of
// the OpenTelemetry sig-profiling "profcheck" tool.
//
// Why it exists: the profcheck Go module is not served by the Go module proxy
// that CI can reach, so the interop suite cannot import it. This package is an
// independent implementation of profcheck's rule list. It works on the same
// generated protobuf types that profcheck works on (from the "slim" OTLP proto
// module, which the proxy does serve: same messages, same Go field names, same
// wire format), decodes with the same Go protobuf runtime, and reproduces
// profcheck's error texts and their order, so that its verdicts can be compared
// line by line with pprotel's own validator. It is still not the reference:
// interop/README.md lists where its messages differ.
package conform

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	profiles "go.opentelemetry.io/proto/slim/otlp/profiles/v1development"
)

// Checker selects the optional rule groups, like profcheck's
// ConformanceChecker fields. The zero value runs only the mandatory rules;
// CLIDefaults mirrors the profcheck command line.
type Checker struct {
	// Duplicates flags repeated strings in string_table and repeated mappings.
	Duplicates bool
	// SampleShapes enforces the values/timestamps shape rules per sample and
	// one shape per profile.
	SampleShapes bool
	// Orphans flags dictionary entries (other than index 0) that nothing references.
	Orphans bool
}

// CLIDefaults returns the rule selection of the profcheck command line
// (-check-dupes=false, -check-sample-shapes=true, -check-orphans=false), which
// is what the interop checks use unless told otherwise.
func CLIDefaults() Checker {
	return Checker{SampleShapes: true}
}

// Decode reads a binary ProfilesData (an ExportProfilesServiceRequest body has
// the same fields) with the Go protobuf runtime, as the profcheck command does.
// Like profcheck it therefore rejects, for example, strings that are not valid
// UTF-8.
func Decode(data []byte) (*profiles.ProfilesData, error) {
	var pd profiles.ProfilesData
	if err := proto.Unmarshal(data, &pd); err != nil {
		return nil, fmt.Errorf("cannot read as ProfilesData: %v", err)
	}
	return &pd, nil
}

// Check returns nil when pd conforms, otherwise every problem found, joined
// with errors.Join in profcheck's order, each prefixed with its path
// (e.g. "resource_profiles[0]: scope_profiles[0]: profile[1]: sample[3]: ...").
func (c Checker) Check(pd *profiles.ProfilesData) error {
	problems := c.Problems(pd)
	if len(problems) == 0 {
		return nil
	}
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = errors.New(p)
	}
	return errors.Join(errs...)
}

// Problems is Check as a list of messages, for callers that print them one per line.
func (c Checker) Problems(pd *profiles.ProfilesData) []string {
	found := c.Report(pd)
	msgs := make([]string, len(found))
	for i, p := range found {
		msgs[i] = p.Message
	}
	return msgs
}

// Rule names the rule a problem breaks, in pprotel's vocabulary (the names of
// pprotel's `Rule::name` for which `Rule::is_profcheck_rule` holds). profcheck
// itself only prints messages; the names exist so that the interop suite can
// compare conform's findings with pprotel's validator rule by rule instead of
// by message text, which the two word differently.
type Rule string

// The profcheck rules, one constant per pprotel rule name.
const (
	NoResourceProfiles    Rule = "no-resource-profiles"
	NoScopeProfiles       Rule = "no-scope-profiles"
	NoProfiles            Rule = "no-profiles"
	IndexOutOfRange       Rule = "index-out-of-range"
	StrindexOutOfRange    Rule = "strindex-out-of-range"
	DuplicateAttributeKey Rule = "duplicate-attribute-key"
	TimestampOutOfRange   Rule = "timestamp-out-of-range"
	ZeroEntry             Rule = "zero-entry"
	MappingRange          Rule = "mapping-range"
	NegativeLine          Rule = "negative-line"
	LinkIDLength          Rule = "link-id-length"
	SampleShape           Rule = "sample-shape"
	DuplicateString       Rule = "duplicate-string"
	DuplicateMapping      Rule = "duplicate-mapping"
	Orphan                Rule = "orphan"
)

// Rules lists every Rule, so that a consumer can tell a profcheck rule from
// any other name.
var Rules = []Rule{
	NoResourceProfiles, NoScopeProfiles, NoProfiles, IndexOutOfRange, StrindexOutOfRange,
	DuplicateAttributeKey, TimestampOutOfRange, ZeroEntry, MappingRange, NegativeLine,
	LinkIDLength, SampleShape, DuplicateString, DuplicateMapping, Orphan,
}

// Problem is one finding: profcheck's message and the rule it belongs to.
type Problem struct {
	Rule    Rule   `json:"rule"`
	Message string `json:"message"`
}

// Report is Problems with the rule of each problem, for comparing with a
// validator that names its rules.
func (c Checker) Report(pd *profiles.ProfilesData) []Problem {
	r := &report{}
	if len(pd.GetResourceProfiles()) == 0 {
		r.add(NoResourceProfiles, "resource profiles are empty")
		return r.problems
	}
	dict := pd.GetDictionary()
	if dict == nil {
		// profcheck dereferences the missing dictionary and panics; an
		// absent dictionary reads like an empty one for every rule here.
		dict = &profiles.ProfilesDictionary{}
	}
	for i, rp := range pd.GetResourceProfiles() {
		r.in(fmt.Sprintf("resource_profiles[%d]", i), func() { c.checkResourceProfiles(r, rp, dict) })
	}
	r.in("dictionary", func() { c.checkDictionary(r, dict) })
	if c.Orphans {
		r.in("dictionary", func() { checkOrphans(r, pd, dict) })
	}
	return r.problems
}

// report accumulates messages under a stack of path prefixes.
type report struct {
	prefix   []string
	problems []Problem
}

func (r *report) add(rule Rule, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if len(r.prefix) > 0 {
		msg = strings.Join(r.prefix, ": ") + ": " + msg
	}
	r.problems = append(r.problems, Problem{Rule: rule, Message: msg})
}

func (r *report) in(prefix string, f func()) {
	r.prefix = append(r.prefix, prefix)
	f()
	r.prefix = r.prefix[:len(r.prefix)-1]
}

// index reports a table index outside [0, length) and says whether it was in range.
func (r *report) index(what string, length int, idx int32) bool {
	return r.inRange(IndexOutOfRange, what, length, idx)
}

// strindex is index for string_table indices: same message, its own rule.
func (r *report) strindex(what string, length int, idx int32) bool {
	return r.inRange(StrindexOutOfRange, what, length, idx)
}

func (r *report) inRange(rule Rule, what string, length int, idx int32) bool {
	if idx < 0 || int(idx) >= length {
		r.add(rule, "%s: index %d is out of range [0..%d)", what, idx, length)
		return false
	}
	return true
}

func (r *report) nonNegative(what string, n int64) {
	if n < 0 {
		r.add(NegativeLine, "%s: %d < 0, must be non-negative", what, n)
	}
}

// zeroFirst reports a table that is empty or whose entry 0 is not the zero
// message (compared with proto.Equal, so 16 explicit zero bytes in a Link's
// trace_id are not zero, as in profcheck). It says whether the table is non-empty.
func zeroFirst[M proto.Message](r *report, table []M) bool {
	if len(table) == 0 {
		r.add(ZeroEntry, "empty table, must have at least zero value entry")
		return false
	}
	first := table[0]
	zero := first.ProtoReflect().Type().New().Interface()
	if !proto.Equal(first, zero) {
		r.add(ZeroEntry, "must have zero value %s at index 0, got %s", describe(zero), describe(first))
	}
	return true
}

func (c Checker) checkResourceProfiles(r *report, rp *profiles.ResourceProfiles, dict *profiles.ProfilesDictionary) {
	if len(rp.GetScopeProfiles()) == 0 {
		r.add(NoScopeProfiles, "resource profiles has no scope profiles")
	}
	for i, sp := range rp.GetScopeProfiles() {
		r.in(fmt.Sprintf("scope_profiles[%d]", i), func() {
			if len(sp.GetProfiles()) == 0 {
				r.add(NoProfiles, "scope profiles has no profiles")
			}
			for k, p := range sp.GetProfiles() {
				r.in(fmt.Sprintf("profile[%d]", k), func() { c.checkProfile(r, p, dict) })
			}
		})
	}
}

// shape is the values/timestamps combination of one sample.
type shape int

const (
	shapeUnset shape = iota
	shapeValuesOnly
	shapeTimestampsOnly
	shapeBoth
	shapeNeither
)

// String uses profcheck's names; a sample with neither values nor timestamps
// prints as "unspecified", as profcheck does.
func (s shape) String() string {
	switch s {
	case shapeValuesOnly:
		return "values_only"
	case shapeTimestampsOnly:
		return "timestamps_only"
	case shapeBoth:
		return "both_values_and_timestamps"
	default:
		return "unspecified"
	}
}

func (c Checker) checkProfile(r *report, p *profiles.Profile, dict *profiles.ProfilesDictionary) {
	r.in("attribute_indices", func() { checkAttributeIndices(r, p.GetAttributeIndices(), dict) })
	nStr := len(dict.GetStringTable())
	for _, vt := range []struct {
		name string
		v    *profiles.ValueType
	}{{"sample_type", p.GetSampleType()}, {"period_type", p.GetPeriodType()}} {
		r.in(vt.name, func() {
			r.strindex("unit_strindex", nStr, vt.v.GetUnitStrindex())
			r.strindex("type_strindex", nStr, vt.v.GetTypeStrindex())
		})
	}
	start := p.GetTimeUnixNano()
	end := start + p.GetDurationNano()
	expected := shapeUnset
	for i, s := range p.GetSamples() {
		r.in(fmt.Sprintf("sample[%d]", i), func() {
			r.index("stack_index", len(dict.GetStackTable()), s.GetStackIndex())
			r.in("attribute_indices", func() { checkAttributeIndices(r, s.GetAttributeIndices(), dict) })
			r.index("link_index", len(dict.GetLinkTable()), s.GetLinkIndex())
			for j, t := range s.GetTimestampsUnixNano() {
				if t < start || t >= end {
					r.add(TimestampOutOfRange, "timestamps_unix_nano[%d]=%d is outside profile time range [%d, %d)", j, t, start, end)
				}
			}
			if c.SampleShapes {
				checkShape(r, s, &expected)
			}
		})
	}
}

func checkShape(r *report, s *profiles.Sample, expected *shape) {
	nv, nt := len(s.GetValues()), len(s.GetTimestampsUnixNano())
	var got shape
	switch {
	case nv > 0 && nt > 0:
		if nv != nt {
			r.add(SampleShape, "values (len=%d) and timestamps_unix_nano (len=%d) must contain the same number of elements", nv, nt)
		}
		got = shapeBoth
	case nv > 0:
		if nv != 1 {
			r.add(SampleShape, "values (len=%d) must contain a single element if timestamps_unix_nano is not set", nv)
		}
		got = shapeValuesOnly
	case nt > 0:
		got = shapeTimestampsOnly
	default:
		r.add(SampleShape, "sample must have at least one values or timestamps_unix_nano entry")
		got = shapeNeither
	}
	if *expected == shapeUnset {
		*expected = got
	} else if got != *expected {
		r.add(SampleShape, "sample shape %s does not match expected sample shape %s", got, *expected)
	}
}

// checkAttributeIndices checks a list of attribute_table references: each in
// range, its key string in range, and no key named twice.
func checkAttributeIndices(r *report, idxs []int32, dict *profiles.ProfilesDictionary) {
	attrs := dict.GetAttributeTable()
	strs := dict.GetStringTable()
	seen := map[string]int{}
	for pos, ai := range idxs {
		if !r.index(fmt.Sprintf("[%d]", pos), len(attrs), ai) {
			continue
		}
		ki := attrs[ai].GetKeyStrindex()
		if !r.strindex(fmt.Sprintf("[%d].key_strindex", pos), len(strs), ki) {
			continue
		}
		key := strs[ki]
		if prev, dup := seen[key]; dup {
			r.add(DuplicateAttributeKey, "[%d].key_strindex: duplicate key %q, previously seen at [%d].key_strindex", pos, key, prev)
		} else {
			seen[key] = pos
		}
	}
}

func (c Checker) checkDictionary(r *report, dict *profiles.ProfilesDictionary) {
	nStr := len(dict.GetStringTable())
	r.in("mapping_table", func() { c.checkMappings(r, dict) })
	r.in("location_table", func() {
		locs := dict.GetLocationTable()
		zeroFirst(r, locs)
		for i, l := range locs {
			r.index(fmt.Sprintf("[%d].mapping_index", i), len(dict.GetMappingTable()), l.GetMappingIndex())
			r.in(fmt.Sprintf("[%d].attribute_indices", i), func() { checkAttributeIndices(r, l.GetAttributeIndices(), dict) })
			for j, ln := range l.GetLines() {
				r.in(fmt.Sprintf("[%d].line[%d]", i, j), func() {
					r.index("function_index", len(dict.GetFunctionTable()), ln.GetFunctionIndex())
					r.nonNegative("line", ln.GetLine())
					r.nonNegative("column", ln.GetColumn())
				})
			}
		}
	})
	r.in("function_table", func() {
		fns := dict.GetFunctionTable()
		zeroFirst(r, fns)
		for i, f := range fns {
			r.strindex(fmt.Sprintf("[%d].name_strindex", i), nStr, f.GetNameStrindex())
			r.strindex(fmt.Sprintf("[%d].system_name_strindex", i), nStr, f.GetSystemNameStrindex())
			r.strindex(fmt.Sprintf("[%d].filename_strindex", i), nStr, f.GetFilenameStrindex())
			r.nonNegative(fmt.Sprintf("[%d].start_line", i), f.GetStartLine())
		}
	})
	r.in("link_table", func() {
		links := dict.GetLinkTable()
		if !zeroFirst(r, links) {
			return
		}
		// Like profcheck, the entries after [0] are numbered from 0: the
		// "[i]" in these messages is link_table[i+1].
		for i, l := range links[1:] {
			if n := len(l.GetTraceId()); n != 16 {
				r.add(LinkIDLength, "len([%d].trace_id) == %d, want 16", i, n)
			}
			if n := len(l.GetSpanId()); n != 8 {
				r.add(LinkIDLength, "len([%d].span_id) == %d, want 8", i, n)
			}
		}
	})
	r.in("string_table", func() {
		strs := dict.GetStringTable()
		switch {
		case len(strs) == 0:
			r.add(ZeroEntry, "empty string table, must have at least empty string")
		case strs[0] != "":
			r.add(ZeroEntry, "must have empty string at index 0, got %q", strs[0])
		case c.Duplicates:
			first := map[string]int{}
			for i, s := range strs {
				if orig, dup := first[s]; dup {
					r.add(DuplicateString, "duplicate string at index %d, orig index %d: %s", i, orig, s)
					continue
				}
				first[s] = i
			}
		}
	})
	r.in("attribute_table", func() {
		attrs := dict.GetAttributeTable()
		if len(attrs) == 0 {
			r.add(ZeroEntry, "empty table, must have at least zero value entry")
		} else if a := attrs[0]; a.GetKeyStrindex() != 0 || a.GetUnitStrindex() != 0 {
			r.add(ZeroEntry, "first attribute must have zero key/unit indices, got KeyStrindex=%d, UnitStrindex=%d", a.GetKeyStrindex(), a.GetUnitStrindex())
		} else if v := a.GetValue(); v != nil && v.GetValue() != nil {
			r.add(ZeroEntry, "first attribute value must be nil, got %s", describe(v))
		}
		for i, a := range attrs {
			r.strindex(fmt.Sprintf("[%d].key_strindex", i), nStr, a.GetKeyStrindex())
			r.strindex(fmt.Sprintf("[%d].unit_strindex", i), nStr, a.GetUnitStrindex())
		}
	})
	r.in("stack_table", func() {
		stacks := dict.GetStackTable()
		zeroFirst(r, stacks)
		for i, s := range stacks {
			for j, li := range s.GetLocationIndices() {
				r.index(fmt.Sprintf("[%d].location_indices[%d]", i, j), len(dict.GetLocationTable()), li)
			}
		}
	})
}

// mappingKey is what profcheck treats as a mapping's identity in the
// duplicates rule.
type mappingKey struct {
	filename   int32
	attrs      string
	start      uint64
	limit      uint64
	fileOffset uint64
}

func (c Checker) checkMappings(r *report, dict *profiles.ProfilesDictionary) {
	maps := dict.GetMappingTable()
	if !zeroFirst(r, maps) {
		// profcheck reports this and then panics slicing the empty table.
		return
	}
	seen := map[mappingKey]bool{}
	// Like profcheck, the entries after [0] are numbered from 0: the "[i]"
	// in these messages is mapping_table[i+1].
	for i, m := range maps[1:] {
		r.strindex(fmt.Sprintf("[%d].filename_strindex", i), len(dict.GetStringTable()), m.GetFilenameStrindex())
		r.in(fmt.Sprintf("[%d].attribute_indices", i), func() { checkAttributeIndices(r, m.GetAttributeIndices(), dict) })
		start, limit := m.GetMemoryStart(), m.GetMemoryLimit()
		if !(start == 0 && limit == 0) && start >= limit {
			r.add(MappingRange, "[%d]: memory_start=%016x, memory_limit=%016x: must be both zero or start < limit", i, start, limit)
		}
		if !c.Duplicates {
			continue
		}
		k := mappingKey{m.GetFilenameStrindex(), "", start, limit, m.GetFileOffset()}
		if attrs := slices.Clone(m.GetAttributeIndices()); len(attrs) > 0 {
			slices.Sort(attrs)
			k.attrs = fmt.Sprint(attrs)
		}
		if seen[k] {
			r.add(DuplicateMapping, "duplicate mapping at index %d: {filename_strindex:%d attribute_indices:%q memory_start:%#x memory_limit:%#x file_offset:%#x}",
				i, k.filename, k.attrs, k.start, k.limit, k.fileOffset)
			continue
		}
		seen[k] = true
	}
}

// checkOrphans flags table entries that nothing references. Like profcheck,
// strings used only by resource or scope attributes, or as attribute string
// values, do not count as references.
func checkOrphans(r *report, pd *profiles.ProfilesData, dict *profiles.ProfilesDictionary) {
	strRef := map[int32]bool{0: true}
	attrRef := map[int32]bool{0: true}
	mapRef := map[int32]bool{0: true}
	fnRef := map[int32]bool{0: true}
	locRef := map[int32]bool{0: true}
	stackRef := map[int32]bool{0: true}
	linkRef := map[int32]bool{0: true}
	markAll := func(set map[int32]bool, idxs []int32) {
		for _, v := range idxs {
			set[v] = true
		}
	}
	for _, rp := range pd.GetResourceProfiles() {
		for _, sp := range rp.GetScopeProfiles() {
			for _, p := range sp.GetProfiles() {
				strRef[p.GetSampleType().GetTypeStrindex()] = true
				strRef[p.GetSampleType().GetUnitStrindex()] = true
				strRef[p.GetPeriodType().GetTypeStrindex()] = true
				strRef[p.GetPeriodType().GetUnitStrindex()] = true
				markAll(attrRef, p.GetAttributeIndices())
				for _, s := range p.GetSamples() {
					stackRef[s.GetStackIndex()] = true
					linkRef[s.GetLinkIndex()] = true
					markAll(attrRef, s.GetAttributeIndices())
				}
			}
		}
	}
	for _, s := range dict.GetStackTable() {
		markAll(locRef, s.GetLocationIndices())
	}
	for _, l := range dict.GetLocationTable() {
		mapRef[l.GetMappingIndex()] = true
		markAll(attrRef, l.GetAttributeIndices())
		for _, ln := range l.GetLines() {
			fnRef[ln.GetFunctionIndex()] = true
		}
	}
	for _, m := range dict.GetMappingTable() {
		strRef[m.GetFilenameStrindex()] = true
		markAll(attrRef, m.GetAttributeIndices())
	}
	for _, f := range dict.GetFunctionTable() {
		strRef[f.GetNameStrindex()] = true
		strRef[f.GetSystemNameStrindex()] = true
		strRef[f.GetFilenameStrindex()] = true
	}
	for _, a := range dict.GetAttributeTable() {
		strRef[a.GetKeyStrindex()] = true
		strRef[a.GetUnitStrindex()] = true
	}
	for _, t := range []struct {
		name string
		n    int
		refs map[int32]bool
	}{
		{"string_table", len(dict.GetStringTable()), strRef},
		{"attribute_table", len(dict.GetAttributeTable()), attrRef},
		{"mapping_table", len(dict.GetMappingTable()), mapRef},
		{"function_table", len(dict.GetFunctionTable()), fnRef},
		{"location_table", len(dict.GetLocationTable()), locRef},
		{"stack_table", len(dict.GetStackTable()), stackRef},
		{"link_table", len(dict.GetLinkTable()), linkRef},
	} {
		for i := 0; i < t.n; i++ {
			if !t.refs[int32(i)] {
				r.add(Orphan, "%s: unreferenced entry at index %d", t.name, i)
			}
		}
	}
}

// describe renders a message as Name{field:value ...} with its populated
// fields in field-number order, then its unknown fields, if any. profcheck prints Go's %#v here, which includes
// pointer addresses; this rendering is deterministic instead.
func describe(m proto.Message) string {
	pr := m.ProtoReflect()
	type field struct {
		fd protoreflect.FieldDescriptor
		v  protoreflect.Value
	}
	var fields []field
	pr.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		fields = append(fields, field{fd, v})
		return true
	})
	sort.Slice(fields, func(i, j int) bool { return fields[i].fd.Number() < fields[j].fd.Number() })
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fmt.Sprintf("%s:%s", f.fd.Name(), describeValue(f.fd, f.v))
	}
	// Unknown fields make a message non-zero for proto.Equal; show them, or
	// "Location{}" would be reported as differing from "Location{}".
	if u := pr.GetUnknown(); len(u) > 0 {
		parts = append(parts, fmt.Sprintf("unknown:%x(%d bytes)", []byte(u), len(u)))
	}
	return fmt.Sprintf("%s{%s}", pr.Descriptor().Name(), strings.Join(parts, " "))
}

func describeValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch {
	case fd.IsList():
		l := v.List()
		items := make([]string, l.Len())
		for i := range items {
			items[i] = describeScalar(fd, l.Get(i))
		}
		return "[" + strings.Join(items, " ") + "]"
	case fd.IsMap():
		return fmt.Sprintf("map(%d entries)", v.Map().Len())
	}
	return describeScalar(fd, v)
}

func describeScalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return describe(v.Message().Interface())
	case protoreflect.BytesKind:
		return fmt.Sprintf("%x(%d bytes)", v.Bytes(), len(v.Bytes()))
	case protoreflect.StringKind:
		return fmt.Sprintf("%q", v.String())
	}
	return v.String()
}
