// Package pprofbreak derives deliberately broken copies of a valid pprof
// profile, as raw protobuf, one per validity rule of google/pprof
// (profile.CheckValid and the checks its decoder makes), so that google/pprof
// and pprotel's validator can be run on the same broken inputs and their
// verdicts compared.
//
// Why it exists: a corpus of valid files only shows that two validators agree
// on "valid". Agreement on "invalid" needs inputs that are invalid in known
// ways. google/pprof's Profile.Write cannot produce them (it resolves every
// string and id itself), so the variants are written here at the wire level:
// the input is decoded into a model of the raw fields (string indices and
// ids as numbers), a copy is changed, and the copy is encoded field by field,
// the same bytes every time. Unknown fields of the input are not carried over.
//
// Each variant changes the input as little as it can: it mostly appends a
// broken copy of an entry (a sample, mapping, location or function, with a
// new id) rather than editing one in place, so that it breaks the rule it is
// named after and nothing else. Variants named "control-" change the profile
// in ways google/pprof must still accept (an unreferenced mapping, ids that
// are not 1..n, unpacked repeated fields, unknown fields, ...).
package pprofbreak

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/google/pprof/profile"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/pprotel/pprotel/interop/internal/check"
)

// Variant is one broken (or control) copy.
type Variant struct {
	// Name says what is broken; the file is Name + ".pb".
	Name string
	// GoAccepts says that google/pprof reads the variant and CheckValid
	// accepts it: true for the controls and for the variants that only
	// pprotel refuses (Stricter).
	GoAccepts bool
	// GoRule is, for a variant google/pprof refuses, the pprotel rule that
	// google/pprof's error is an instance of (check.PprofRule); empty when
	// the error belongs to the decoder (wire format, empty input,
	// concatenated profiles) rather than to a rule.
	GoRule string
	// Stricter is set for a variant google/pprof accepts but pprotel refuses
	// on purpose: why, as src/pprof/validate.rs documents it.
	Stricter string
	// Data is the raw (not gzipped) protobuf.
	Data []byte
}

// spot is where the mutations work, as indices into the tables: the first
// sample, the first location with a line naming a function, that function,
// and the location's mapping (else the first mapping).
type spot struct {
	sample, loc, fn, mapping int
}

// Variants returns every variant of the raw or gzipped pprof data, in a fixed
// order. data must be a profile google/pprof accepts with a sample type, a
// sample, a location whose line names a function, and a mapping; otherwise
// Variants says what is missing.
func Variants(data []byte) ([]Variant, error) {
	raw, err := gunzip(data)
	if err != nil {
		return nil, err
	}
	if v := check.JudgePprof(raw); !v.Valid {
		return nil, fmt.Errorf("input is not a valid pprof for google/pprof (%s: %s)", v.Stage, v.Error)
	}
	p, err := decode(raw)
	if err != nil {
		return nil, fmt.Errorf("decoding the input: %v", err)
	}
	at, err := find(p)
	if err != nil {
		return nil, err
	}
	var out []Variant
	for _, m := range mutations {
		x := &doc{p: p.clone(), at: at}
		m.apply(x)
		b := x.p.encode(x.enc)
		if x.raw != nil {
			b = x.raw(b)
		}
		out = append(out, Variant{
			Name:      m.name,
			GoAccepts: m.goAccepts || m.stricter != "",
			GoRule:    m.goRule,
			Stricter:  m.stricter,
			Data:      b,
		})
	}
	return out, nil
}

// VariantsOf returns the variants of a google/pprof profile, encoded with
// Profile.WriteUncompressed first.
func VariantsOf(p *profile.Profile) ([]Variant, error) {
	var buf bytes.Buffer
	if err := p.WriteUncompressed(&buf); err != nil {
		return nil, err
	}
	return Variants(buf.Bytes())
}

// Write writes every variant of data into dir (created if missing) as
// <name>.pb and returns the variants.
func Write(data []byte, dir string) ([]Variant, error) {
	vs, err := Variants(data)
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

func gunzip(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err == nil {
		data, err = io.ReadAll(zr)
	}
	if err != nil {
		return nil, fmt.Errorf("gunzip: %v", err)
	}
	return data, nil
}

func find(p *profileMsg) (spot, error) {
	if len(p.sampleType) == 0 || len(p.sample) == 0 {
		return spot{}, errors.New("input has no sample (or no sample type)")
	}
	fnIx := map[uint64]int{}
	for i, f := range p.function {
		fnIx[f.id] = i
	}
	at := spot{loc: -1, mapping: -1}
	for i, l := range p.location {
		if len(l.line) == 0 {
			continue
		}
		if fi, ok := fnIx[l.line[0].functionID]; ok && l.line[0].functionID != 0 {
			at.loc, at.fn = i, fi
			break
		}
	}
	if at.loc < 0 {
		return spot{}, errors.New("input has no location whose first line names a function (unsymbolized profiles cannot be broken)")
	}
	for i, m := range p.mapping {
		if m.id == p.location[at.loc].mappingID {
			at.mapping = i
		}
	}
	if at.mapping < 0 && len(p.mapping) > 0 {
		at.mapping = 0
	}
	if at.mapping < 0 {
		return spot{}, errors.New("input has no mapping")
	}
	return at, nil
}

// doc is one copy being broken.
type doc struct {
	p   *profileMsg
	at  spot
	enc encoding
	// raw, when set, rewrites the encoded bytes: for what the model cannot
	// hold (a repeated scalar field, wire-format errors).
	raw func([]byte) []byte
}

func (x *doc) sample() *sample     { return &x.p.sample[x.at.sample] }
func (x *doc) location() *location { return &x.p.location[x.at.loc] }
func (x *doc) function() *function { return &x.p.function[x.at.fn] }
func (x *doc) mapping() *mapping   { return &x.p.mapping[x.at.mapping] }

// nStr is the first string index out of range.
func (x *doc) nStr() int64 { return int64(len(x.p.stringTable)) }

// str returns the index of s in the string table, appending it if missing.
func (x *doc) str(s string) int64 {
	if i := slices.Index(x.p.stringTable, s); i >= 0 {
		return int64(i)
	}
	x.p.stringTable = append(x.p.stringTable, s)
	return x.nStr() - 1
}

func maxID[T any](entries []T, id func(T) uint64) uint64 {
	var m uint64
	for _, e := range entries {
		m = max(m, id(e))
	}
	return m
}

func (x *doc) newMappingID() uint64 {
	return maxID(x.p.mapping, func(m mapping) uint64 { return m.id }) + 1
}
func (x *doc) newLocationID() uint64 {
	return maxID(x.p.location, func(l location) uint64 { return l.id }) + 1
}
func (x *doc) newFunctionID() uint64 {
	return maxID(x.p.function, func(f function) uint64 { return f.id }) + 1
}

// addSample appends a copy of the first sample, changed by f.
func (x *doc) addSample(f func(s *sample)) {
	s := x.sample().clone()
	f(&s)
	x.p.sample = append(x.p.sample, s)
}

// addLabel appends a copy of the first sample with one more label.
func (x *doc) addLabel(l label) {
	x.addSample(func(s *sample) { s.label = append(s.label, l) })
}

// addLocation appends a copy of the location with a new id, changed by f,
// and a sample that references it.
func (x *doc) addLocation(f func(l *location)) uint64 {
	l := x.location().clone()
	l.id = x.newLocationID()
	f(&l)
	x.p.location = append(x.p.location, l)
	x.addSample(func(s *sample) { s.locationID = append([]uint64{l.id}, s.locationID...) })
	return l.id
}

// addMapping appends a copy of the mapping with a new id, changed by f, and a
// location (and sample) that references it.
func (x *doc) addMapping(f func(m *mapping)) {
	m := *x.mapping()
	m.id = x.newMappingID()
	f(&m)
	x.p.mapping = append(x.p.mapping, m)
	x.addLocation(func(l *location) { l.mappingID = m.id })
}

// addFunction appends a copy of the function with a new id, changed by f, and
// a line of the location that references it.
func (x *doc) addFunction(f func(fn *function)) {
	fn := *x.function()
	fn.id = x.newFunctionID()
	f(&fn)
	x.p.function = append(x.p.function, fn)
	x.addLine(line{functionID: fn.id, line: 1})
}

func (x *doc) addLine(l line) {
	x.location().line = append(x.location().line, l)
}

// timeNanos makes sure the profile has a time, so that a second time_nanos
// field is one google/pprof notices.
func (x *doc) timeNanos() int64 {
	if x.p.timeNanos == 0 {
		x.p.timeNanos = 1_700_000_000_000_000_000
	}
	return x.p.timeNanos
}

func (x *doc) periodType() *valueType {
	if x.p.periodType == nil {
		x.p.periodType = &valueType{typ: x.str("cpu"), unit: x.str("nanoseconds")}
	}
	return x.p.periodType
}

// appendRaw adds bytes after the encoded profile.
func (x *doc) appendRaw(tail []byte) {
	x.raw = func(b []byte) []byte { return append(b, tail...) }
}

// renumber gives every mapping, location and function a new id, far from
// 1..n and in reverse order of the old ones, and updates every reference.
func (x *doc) renumber() {
	const base = 1 << 40
	remap := func(ids []uint64) map[uint64]uint64 {
		m := map[uint64]uint64{}
		for i, id := range ids {
			m[id] = base + uint64(len(ids)-i)*7919
		}
		return m
	}
	var mids, lids, fids []uint64
	for _, m := range x.p.mapping {
		mids = append(mids, m.id)
	}
	for _, l := range x.p.location {
		lids = append(lids, l.id)
	}
	for _, f := range x.p.function {
		fids = append(fids, f.id)
	}
	mm, lm, fm := remap(mids), remap(lids), remap(fids)
	for i := range x.p.mapping {
		x.p.mapping[i].id = mm[x.p.mapping[i].id]
	}
	for i := range x.p.function {
		x.p.function[i].id = fm[x.p.function[i].id]
	}
	for i := range x.p.location {
		l := &x.p.location[i]
		l.id = lm[l.id]
		if l.mappingID != 0 {
			l.mappingID = mm[l.mappingID]
		}
		for k := range l.line {
			l.line[k].functionID = fm[l.line[k].functionID]
		}
	}
	for i := range x.p.sample {
		for k, id := range x.p.sample[i].locationID {
			x.p.sample[i].locationID[k] = lm[id]
		}
	}
}

type mutation struct {
	name string
	// goRule: the rule of google/pprof's error (see Variant.GoRule).
	goRule string
	// goAccepts: a control.
	goAccepts bool
	// stricter: google/pprof accepts it, pprotel refuses it on purpose.
	stricter string
	apply    func(x *doc)
}

// Rule names (pprotel's, src/validate.rs).
const (
	strindex      = "strindex-out-of-range"
	firstString   = "string-table-first-not-empty"
	missingType   = "missing-sample-type"
	valueCount    = "mismatched-value-count"
	reservedID    = "reserved-id"
	duplicateID   = "duplicate-id"
	unknownID     = "unknown-id"
	wire          = "" // a decoder error without a rule
	breakString   = "pprotel.break.string"
	breakKey      = "pprotel.break.key"
	breakUnit     = "pprotel.break.unit"
	danglingWhy   = "pprotel reports a location's mapping_id that names no mapping (unknown-id); google/pprof's decoder silently reads it as no mapping (src/pprof/validate.rs)"
	stringNumUnit = "pprotel checks every string index, also num_unit of a string label; google/pprof resolves num_unit only for numeric labels (src/pprof/validate.rs)"
)

// Field numbers used for the raw edits (profile.proto).
const (
	fieldSampleType protowire.Number = 1
	fieldStrings    protowire.Number = 6
	fieldTimeNanos  protowire.Number = 9
	fieldPeriod     protowire.Number = 12
	fieldUnknown    protowire.Number = 99
	fieldLocationID protowire.Number = 1 // in Sample
)

func control(name string, apply func(x *doc)) mutation {
	return mutation{name: name, goAccepts: true, apply: apply}
}

func broken(name, rule string, apply func(x *doc)) mutation {
	return mutation{name: name, goRule: rule, apply: apply}
}

// The mutations, grouped by the check they exercise.
var mutations = []mutation{
	// ---- decoding: the wire format, empty input, concatenated profiles
	broken("empty-file", wire, func(x *doc) { x.raw = func([]byte) []byte { return []byte{} } }),
	// google/pprof's decoder refuses a second time_nanos field once the
	// first set a time: `cat a.pb b.pb` is not a profile.
	broken("concatenated-profiles-time-nanos-twice", wire, func(x *doc) {
		t := x.timeNanos()
		x.appendRaw(appendVarint(nil, fieldTimeNanos, uint64(t+1)))
	}),
	broken("concatenated-profiles-whole-file", wire, func(x *doc) {
		x.timeNanos()
		x.raw = func(b []byte) []byte { return append(slices.Clone(b), b...) }
	}),
	// ... but only when the time already read is not 0.
	control("control-time-nanos-zero-then-set", func(x *doc) {
		t := x.timeNanos()
		x.p.timeNanos = 0
		x.appendRaw(appendVarint(appendVarint(nil, fieldTimeNanos, 0), fieldTimeNanos, uint64(t)))
	}),
	broken("wire-length-past-end", wire, func(x *doc) {
		x.appendRaw(append(protowire.AppendVarint(protowire.AppendTag(nil, fieldStrings, protowire.BytesType), 100), "abc"...))
	}),
	broken("wire-bad-varint", wire, func(x *doc) {
		x.appendRaw(append(protowire.AppendTag(nil, fieldPeriod, protowire.VarintType),
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))
	}),
	broken("wire-type-mismatch-scalar", wire, func(x *doc) {
		x.appendRaw(appendBytes(nil, fieldPeriod, []byte{1}))
	}),
	broken("wire-type-mismatch-message", wire, func(x *doc) {
		x.appendRaw(appendVarint(nil, fieldSampleType, 5))
	}),
	broken("wire-type-mismatch-in-sample", wire, func(x *doc) {
		x.addSample(func(s *sample) {
			s.extra = protowire.AppendFixed64(protowire.AppendTag(nil, fieldLocationID, protowire.Fixed64Type), 1)
		})
	}),
	broken("wire-unknown-wire-type", wire, func(x *doc) {
		x.appendRaw(append(protowire.AppendTag(nil, fieldUnknown, 6), 0))
	}),
	// google/pprof's decoder knows no groups (wire types 3 and 4), not even
	// in a field it does not know.
	broken("wire-group-in-unknown-field", wire, func(x *doc) {
		b := protowire.AppendTag(nil, fieldUnknown, protowire.StartGroupType)
		x.appendRaw(protowire.AppendTag(b, fieldUnknown, protowire.EndGroupType))
	}),
	// Unknown fields are skipped, whatever their (known) wire type, at the
	// top level and inside a message.
	control("control-unknown-fields", func(x *doc) {
		x.addSample(func(s *sample) { s.extra = appendVarint(nil, fieldUnknown, 1) })
		b := appendVarint(nil, fieldUnknown, 7)
		b = protowire.AppendFixed32(protowire.AppendTag(b, fieldUnknown+1, protowire.Fixed32Type), 7)
		b = protowire.AppendFixed64(protowire.AppendTag(b, fieldUnknown+2, protowire.Fixed64Type), 7)
		x.appendRaw(appendBytes(b, fieldUnknown+3, []byte("x")))
	}),
	// Field number 0 is not valid protobuf, but google/pprof's decoder skips
	// it like any field it does not know.
	control("control-unknown-field-number-zero", func(x *doc) {
		x.appendRaw(appendVarint(nil, 0, 1))
	}),
	control("control-unpacked-repeated-fields", func(x *doc) {
		x.p.comment = append(x.p.comment, x.str(breakString), x.str(breakString+".2"))
		x.enc.unpacked = true
	}),
	control("control-string-table-first-in-file", func(x *doc) { x.enc.stringsFirst = true }),
	// google/pprof's strings are byte strings.
	control("control-invalid-utf8-string", func(x *doc) {
		x.p.comment = append(x.p.comment, x.str("bad \xff utf-8"))
	}),

	// ---- decoding: the string table
	broken("string-table-empty", strindex, func(x *doc) { x.p.stringTable = nil }),
	broken("string-table-first-not-empty", firstString, func(x *doc) { x.p.stringTable[0] = breakString }),
	control("control-duplicate-strings", func(x *doc) {
		x.p.stringTable = append(x.p.stringTable, x.p.stringTable[x.function().name])
		x.p.comment = append(x.p.comment, x.nStr()-1)
	}),

	// ---- decoding: every string index, out of range or negative
	broken("strindex-sample-type-type", strindex, func(x *doc) { x.p.sampleType[0].typ = x.nStr() }),
	broken("strindex-sample-type-unit", strindex, func(x *doc) { x.p.sampleType[0].unit = -1 }),
	broken("strindex-label-key", strindex, func(x *doc) {
		str := x.str(breakString)
		x.addLabel(label{key: x.nStr(), str: str})
	}),
	broken("strindex-label-key-negative", strindex, func(x *doc) { x.addLabel(label{key: -1, num: 1}) }),
	broken("strindex-label-str", strindex, func(x *doc) { x.addLabel(label{key: x.str(breakKey), str: x.nStr() + 1}) }),
	broken("strindex-label-num-unit", strindex, func(x *doc) {
		x.addLabel(label{key: x.str(breakKey), num: 1, numUnit: x.nStr() + 1})
	}),
	// A label with neither str nor num is numeric for google/pprof when it
	// has a unit.
	broken("strindex-label-num-unit-without-num", strindex, func(x *doc) {
		x.addLabel(label{key: x.str(breakKey), numUnit: x.nStr() + 1})
	}),
	{name: "num-unit-of-string-label-out-of-range", stricter: stringNumUnit, apply: func(x *doc) {
		x.addLabel(label{key: x.str(breakKey), str: x.str(breakString), numUnit: x.nStr() + 1})
	}},
	broken("strindex-mapping-filename", strindex, func(x *doc) { x.addMapping(func(m *mapping) { m.filename = x.nStr() }) }),
	broken("strindex-mapping-build-id", strindex, func(x *doc) { x.addMapping(func(m *mapping) { m.buildID = -1 }) }),
	broken("strindex-function-name", strindex, func(x *doc) { x.addFunction(func(f *function) { f.name = x.nStr() }) }),
	broken("strindex-function-name-huge", strindex, func(x *doc) { x.addFunction(func(f *function) { f.name = math.MaxInt64 }) }),
	broken("strindex-function-system-name", strindex, func(x *doc) {
		x.addFunction(func(f *function) { f.systemName = x.nStr() })
	}),
	broken("strindex-function-filename", strindex, func(x *doc) {
		x.addFunction(func(f *function) { f.filename = math.MinInt64 })
	}),
	broken("strindex-drop-frames", strindex, func(x *doc) { x.p.dropFrames = x.nStr() }),
	broken("strindex-keep-frames", strindex, func(x *doc) { x.p.keepFrames = -3 }),
	broken("strindex-period-type-type", strindex, func(x *doc) { x.periodType().typ = x.nStr() }),
	broken("strindex-period-type-unit", strindex, func(x *doc) { x.periodType().unit = x.nStr() + 5 }),
	broken("strindex-comment", strindex, func(x *doc) { x.p.comment = append(x.p.comment, x.str(breakString), x.nStr()+1) }),
	broken("strindex-default-sample-type", strindex, func(x *doc) { x.p.defaultSampleType = x.nStr() }),
	broken("strindex-doc-url", strindex, func(x *doc) { x.p.docURL = x.nStr() }),
	control("control-label-with-str-and-num", func(x *doc) {
		x.addLabel(label{key: x.str(breakKey), str: x.str(breakString), num: 5})
	}),
	control("control-label-with-key-only", func(x *doc) { x.addLabel(label{key: x.str(breakKey)}) }),
	control("control-numeric-label-with-unit", func(x *doc) {
		x.addLabel(label{key: x.str(breakKey), num: 5, numUnit: x.str(breakUnit)})
	}),
	control("control-default-sample-type-names-no-sample-type", func(x *doc) {
		x.p.defaultSampleType = x.str("pprotel.break.no-such-type")
	}),

	// ---- CheckValid: sample types and values
	broken("missing-sample-type", missingType, func(x *doc) { x.p.sampleType = nil }),
	broken("value-count-fewer", valueCount, func(x *doc) {
		x.addSample(func(s *sample) { s.value = s.value[:len(s.value)-1] })
	}),
	broken("value-count-more", valueCount, func(x *doc) { x.addSample(func(s *sample) { s.value = append(s.value, 1) }) }),
	broken("value-count-none", valueCount, func(x *doc) { x.addSample(func(s *sample) { s.value = nil }) }),
	control("control-no-samples", func(x *doc) { x.p.sample = nil }),
	control("control-no-samples-no-sample-types", func(x *doc) { x.p.sample, x.p.sampleType = nil, nil }),
	control("control-sample-without-locations", func(x *doc) { x.addSample(func(s *sample) { s.locationID = nil }) }),

	// ---- CheckValid: ids
	broken("reserved-id-mapping", reservedID, func(x *doc) {
		m := *x.mapping()
		m.id = 0
		x.p.mapping = append(x.p.mapping, m)
	}),
	broken("reserved-id-location", reservedID, func(x *doc) {
		l := x.location().clone()
		l.id = 0
		x.p.location = append(x.p.location, l)
	}),
	broken("reserved-id-function", reservedID, func(x *doc) {
		f := *x.function()
		f.id = 0
		x.p.function = append(x.p.function, f)
	}),
	broken("duplicate-id-mapping", duplicateID, func(x *doc) {
		m := *x.mapping()
		m.memoryStart, m.memoryLimit = m.memoryLimit, m.memoryLimit+0x1000
		x.p.mapping = append(x.p.mapping, m)
	}),
	broken("duplicate-id-location", duplicateID, func(x *doc) {
		l := x.location().clone()
		l.address++
		x.p.location = append(x.p.location, l)
	}),
	broken("duplicate-id-function", duplicateID, func(x *doc) {
		f := *x.function()
		f.startLine++
		x.p.function = append(x.p.function, f)
	}),

	// ---- CheckValid: references
	broken("unknown-location-of-sample", unknownID, func(x *doc) {
		id := x.newLocationID()
		x.addSample(func(s *sample) { s.locationID = append(s.locationID, id) })
	}),
	broken("unknown-location-of-sample-zero", unknownID, func(x *doc) {
		x.addSample(func(s *sample) { s.locationID = append(s.locationID, 0) })
	}),
	broken("unknown-function-of-line", unknownID, func(x *doc) { x.addLine(line{functionID: x.newFunctionID(), line: 1}) }),
	// A line with function id 0 has no function: google/pprof refuses it.
	broken("unknown-function-of-line-zero", unknownID, func(x *doc) { x.addLine(line{line: 1}) }),
	{name: "unknown-mapping-of-location", stricter: danglingWhy, apply: func(x *doc) {
		id := x.newMappingID()
		x.addLocation(func(l *location) { l.mappingID = id })
	}},
	control("control-location-without-mapping", func(x *doc) { x.addLocation(func(l *location) { l.mappingID = 0 }) }),
	control("control-location-without-lines", func(x *doc) { x.addLocation(func(l *location) { l.line = nil }) }),

	// ---- controls: what google/pprof does not check
	control("control-unreferenced-mapping", func(x *doc) {
		m := *x.mapping()
		m.id = x.newMappingID()
		m.memoryStart, m.memoryLimit = 0x7f00_0000_0000, 0x7f00_0001_0000
		x.p.mapping = append(x.p.mapping, m)
	}),
	control("control-unreferenced-location", func(x *doc) {
		l := x.location().clone()
		l.id = x.newLocationID()
		x.p.location = append(x.p.location, l)
	}),
	control("control-unreferenced-function", func(x *doc) {
		f := *x.function()
		f.id = x.newFunctionID()
		x.p.function = append(x.p.function, f)
	}),
	// Ids far from 1..n and in reverse order: google/pprof looks such ids
	// up in a map instead of a slice.
	control("control-non-sequential-ids", func(x *doc) { x.renumber() }),
	control("control-mapping-range-inverted", func(x *doc) {
		x.addMapping(func(m *mapping) { m.memoryStart, m.memoryLimit = 0x7000_0000, 0x6000_0000 })
	}),
	control("control-negative-line-column-start-line", func(x *doc) {
		x.addLine(line{functionID: x.function().id, line: -1, column: -2})
		x.addFunction(func(f *function) { f.startLine = -5 })
	}),
	control("control-minimal-profile", func(x *doc) { *x.p = profileMsg{stringTable: []string{""}} }),

	// ---- several problems at once; google/pprof stops at the first
	broken("multi-every-string-index-out-of-range", strindex, func(x *doc) {
		n := x.nStr()
		p := x.p
		for i := range p.sampleType {
			p.sampleType[i] = valueType{typ: n, unit: n + 1}
		}
		for i := range p.mapping {
			p.mapping[i].filename, p.mapping[i].buildID = n+2, -n
		}
		for i := range p.function {
			p.function[i].name, p.function[i].systemName, p.function[i].filename = n+3, n+4, -1
		}
		p.dropFrames, p.keepFrames, p.defaultSampleType, p.docURL = n+5, n+6, n+7, n+8
		p.periodType = &valueType{typ: n + 9, unit: n + 10}
		p.comment = append(p.comment, n+11)
		x.addLabel(label{key: n + 12, str: n + 13})
	}),
	// Every id 0: samples and lines point at nothing, and the ids are
	// reserved and repeated.
	broken("multi-every-id-zero", unknownID, func(x *doc) {
		p := x.p
		for i := range p.mapping {
			p.mapping[i].id = 0
		}
		for i := range p.location {
			p.location[i].id = 0
		}
		for i := range p.function {
			p.function[i].id = 0
		}
	}),
	// Decoding fails before CheckValid runs.
	broken("multi-strindex-and-duplicate-id", strindex, func(x *doc) {
		x.addFunction(func(f *function) { f.name = x.nStr() })
		f := *x.function()
		x.p.function = append(x.p.function, f)
	}),
	// CheckValid looks at the samples first.
	broken("multi-value-count-and-reserved-id", valueCount, func(x *doc) {
		x.addSample(func(s *sample) { s.value = append(s.value, 1) })
		m := *x.mapping()
		m.id = 0
		x.p.mapping = append(x.p.mapping, m)
	}),
}
