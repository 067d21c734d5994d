package pprofbreak

import (
	"errors"
	"fmt"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// The pprof schema (perftools.profiles, profile.proto) at the wire level:
// every string is an index into string_table, every reference an id. This
// model holds the raw values, so that it can hold what google/pprof's
// Profile cannot (an index out of range, a dangling id), and its encoder
// writes exactly what it holds. Unknown fields of the input are not kept.

type valueType struct {
	typ, unit int64
}

type label struct {
	key, str, num, numUnit int64
}

type sample struct {
	locationID []uint64
	value      []int64
	label      []label
	// extra is appended to the encoded message as is.
	extra []byte
}

type mapping struct {
	id, memoryStart, memoryLimit, fileOffset                    uint64
	filename, buildID                                           int64
	hasFunctions, hasFilenames, hasLineNumbers, hasInlineFrames bool
}

type line struct {
	functionID   uint64
	line, column int64
}

type location struct {
	id, mappingID, address uint64
	line                   []line
	isFolded               bool
}

type function struct {
	id                                    uint64
	name, systemName, filename, startLine int64
}

type profileMsg struct {
	sampleType        []valueType
	sample            []sample
	mapping           []mapping
	location          []location
	function          []function
	stringTable       []string
	dropFrames        int64
	keepFrames        int64
	timeNanos         int64
	durationNanos     int64
	periodType        *valueType
	period            int64
	comment           []int64
	defaultSampleType int64
	docURL            int64
}

func (p *profileMsg) clone() *profileMsg {
	c := *p
	c.sampleType = slices.Clone(p.sampleType)
	c.sample = make([]sample, len(p.sample))
	for i, s := range p.sample {
		c.sample[i] = s.clone()
	}
	c.mapping = slices.Clone(p.mapping)
	c.location = make([]location, len(p.location))
	for i, l := range p.location {
		c.location[i] = l.clone()
	}
	c.function = slices.Clone(p.function)
	c.stringTable = slices.Clone(p.stringTable)
	if p.periodType != nil {
		pt := *p.periodType
		c.periodType = &pt
	}
	c.comment = slices.Clone(p.comment)
	return &c
}

func (s sample) clone() sample {
	return sample{
		locationID: slices.Clone(s.locationID),
		value:      slices.Clone(s.value),
		label:      slices.Clone(s.label),
		extra:      slices.Clone(s.extra),
	}
}

func (l location) clone() location {
	l.line = slices.Clone(l.line)
	return l
}

// ---- decoding

// fieldReader walks the fields of one message.
type fieldReader struct {
	b   []byte
	err error
	// current field
	num protowire.Number
	typ protowire.Type
	u   uint64
	buf []byte
}

func (r *fieldReader) next() bool {
	if r.err != nil || len(r.b) == 0 {
		return false
	}
	num, typ, n := protowire.ConsumeTag(r.b)
	if n < 0 {
		r.err = protowire.ParseError(n)
		return false
	}
	r.b = r.b[n:]
	r.num, r.typ = num, typ
	switch typ {
	case protowire.VarintType:
		r.u, n = protowire.ConsumeVarint(r.b)
	case protowire.BytesType:
		r.buf, n = protowire.ConsumeBytes(r.b)
	default:
		n = protowire.ConsumeFieldValue(num, typ, r.b)
	}
	if n < 0 {
		r.err = protowire.ParseError(n)
		return false
	}
	r.b = r.b[n:]
	return true
}

func (r *fieldReader) varint(into *uint64) {
	if r.typ != protowire.VarintType {
		r.fail()
	}
	*into = r.u
}

func (r *fieldReader) int64(into *int64) {
	var u uint64
	r.varint(&u)
	*into = int64(u)
}

func (r *fieldReader) bool(into *bool) {
	var u uint64
	r.varint(&u)
	*into = u != 0
}

// varints appends a repeated varint field, packed or not.
func (r *fieldReader) varints(into *[]uint64) {
	if r.typ == protowire.VarintType {
		*into = append(*into, r.u)
		return
	}
	if r.typ != protowire.BytesType {
		r.fail()
		return
	}
	for b := r.buf; len(b) > 0; {
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			r.err = protowire.ParseError(n)
			return
		}
		*into = append(*into, v)
		b = b[n:]
	}
}

func (r *fieldReader) int64s(into *[]int64) {
	var us []uint64
	r.varints(&us)
	for _, u := range us {
		*into = append(*into, int64(u))
	}
}

func (r *fieldReader) message(decode func(*fieldReader)) {
	if r.typ != protowire.BytesType {
		r.fail()
		return
	}
	inner := &fieldReader{b: r.buf}
	for inner.next() {
		decode(inner)
	}
	if inner.err != nil && r.err == nil {
		r.err = inner.err
	}
}

func (r *fieldReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("field %d: unexpected wire type %d", r.num, r.typ)
	}
}

// decode reads a raw (not gzipped) pprof protobuf.
func decode(data []byte) (*profileMsg, error) {
	p := &profileMsg{}
	r := &fieldReader{b: data}
	for r.next() {
		switch r.num {
		case 1:
			var vt valueType
			r.message(vt.decode)
			p.sampleType = append(p.sampleType, vt)
		case 2:
			var s sample
			r.message(s.decode)
			p.sample = append(p.sample, s)
		case 3:
			var m mapping
			r.message(m.decode)
			p.mapping = append(p.mapping, m)
		case 4:
			var l location
			r.message(l.decode)
			p.location = append(p.location, l)
		case 5:
			var f function
			r.message(f.decode)
			p.function = append(p.function, f)
		case 6:
			if r.typ != protowire.BytesType {
				r.fail()
			}
			p.stringTable = append(p.stringTable, string(r.buf))
		case 7:
			r.int64(&p.dropFrames)
		case 8:
			r.int64(&p.keepFrames)
		case 9:
			r.int64(&p.timeNanos)
		case 10:
			r.int64(&p.durationNanos)
		case 11:
			vt := valueType{}
			r.message(vt.decode)
			p.periodType = &vt
		case 12:
			r.int64(&p.period)
		case 13:
			r.int64s(&p.comment)
		case 14:
			r.int64(&p.defaultSampleType)
		case 15:
			r.int64(&p.docURL)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(p.stringTable) == 0 {
		return nil, errors.New("no string table")
	}
	return p, nil
}

func (v *valueType) decode(r *fieldReader) {
	switch r.num {
	case 1:
		r.int64(&v.typ)
	case 2:
		r.int64(&v.unit)
	}
}

func (s *sample) decode(r *fieldReader) {
	switch r.num {
	case 1:
		r.varints(&s.locationID)
	case 2:
		r.int64s(&s.value)
	case 3:
		var l label
		r.message(func(r *fieldReader) {
			switch r.num {
			case 1:
				r.int64(&l.key)
			case 2:
				r.int64(&l.str)
			case 3:
				r.int64(&l.num)
			case 4:
				r.int64(&l.numUnit)
			}
		})
		s.label = append(s.label, l)
	}
}

func (m *mapping) decode(r *fieldReader) {
	switch r.num {
	case 1:
		r.varint(&m.id)
	case 2:
		r.varint(&m.memoryStart)
	case 3:
		r.varint(&m.memoryLimit)
	case 4:
		r.varint(&m.fileOffset)
	case 5:
		r.int64(&m.filename)
	case 6:
		r.int64(&m.buildID)
	case 7:
		r.bool(&m.hasFunctions)
	case 8:
		r.bool(&m.hasFilenames)
	case 9:
		r.bool(&m.hasLineNumbers)
	case 10:
		r.bool(&m.hasInlineFrames)
	}
}

func (l *location) decode(r *fieldReader) {
	switch r.num {
	case 1:
		r.varint(&l.id)
	case 2:
		r.varint(&l.mappingID)
	case 3:
		r.varint(&l.address)
	case 4:
		var ln line
		r.message(func(r *fieldReader) {
			switch r.num {
			case 1:
				r.varint(&ln.functionID)
			case 2:
				r.int64(&ln.line)
			case 3:
				r.int64(&ln.column)
			}
		})
		l.line = append(l.line, ln)
	case 5:
		r.bool(&l.isFolded)
	}
}

func (f *function) decode(r *fieldReader) {
	switch r.num {
	case 1:
		r.varint(&f.id)
	case 2:
		r.int64(&f.name)
	case 3:
		r.int64(&f.systemName)
	case 4:
		r.int64(&f.filename)
	case 5:
		r.int64(&f.startLine)
	}
}

// ---- encoding

// encoding says how to lay out the fields; the zero value is google/pprof's
// layout (field order, packed repeated scalars, zero scalars left out).
type encoding struct {
	// unpacked writes repeated scalars one field per element.
	unpacked bool
	// stringsFirst writes string_table before every other field.
	stringsFirst bool
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// appendOpt writes a scalar field unless it is zero.
func appendOpt(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return appendVarint(b, num, v)
}

func appendBool(b []byte, num protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	return appendVarint(b, num, 1)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func (e encoding) appendVarints(b []byte, num protowire.Number, vs []uint64) []byte {
	if len(vs) == 0 {
		return b
	}
	if e.unpacked {
		for _, v := range vs {
			b = appendVarint(b, num, v)
		}
		return b
	}
	var packed []byte
	for _, v := range vs {
		packed = protowire.AppendVarint(packed, v)
	}
	return appendBytes(b, num, packed)
}

func (e encoding) appendInt64s(b []byte, num protowire.Number, vs []int64) []byte {
	us := make([]uint64, len(vs))
	for i, v := range vs {
		us[i] = uint64(v)
	}
	return e.appendVarints(b, num, us)
}

func (v valueType) encode() []byte {
	var b []byte
	b = appendOpt(b, 1, uint64(v.typ))
	return appendOpt(b, 2, uint64(v.unit))
}

func (l label) encode() []byte {
	var b []byte
	b = appendOpt(b, 1, uint64(l.key))
	b = appendOpt(b, 2, uint64(l.str))
	b = appendOpt(b, 3, uint64(l.num))
	return appendOpt(b, 4, uint64(l.numUnit))
}

func (s sample) encode(e encoding) []byte {
	var b []byte
	b = e.appendVarints(b, 1, s.locationID)
	b = e.appendInt64s(b, 2, s.value)
	for _, l := range s.label {
		b = appendBytes(b, 3, l.encode())
	}
	return append(b, s.extra...)
}

func (m mapping) encode() []byte {
	var b []byte
	b = appendOpt(b, 1, m.id)
	b = appendOpt(b, 2, m.memoryStart)
	b = appendOpt(b, 3, m.memoryLimit)
	b = appendOpt(b, 4, m.fileOffset)
	b = appendOpt(b, 5, uint64(m.filename))
	b = appendOpt(b, 6, uint64(m.buildID))
	b = appendBool(b, 7, m.hasFunctions)
	b = appendBool(b, 8, m.hasFilenames)
	b = appendBool(b, 9, m.hasLineNumbers)
	return appendBool(b, 10, m.hasInlineFrames)
}

func (l line) encode() []byte {
	var b []byte
	b = appendOpt(b, 1, l.functionID)
	b = appendOpt(b, 2, uint64(l.line))
	return appendOpt(b, 3, uint64(l.column))
}

func (l location) encode() []byte {
	var b []byte
	b = appendOpt(b, 1, l.id)
	b = appendOpt(b, 2, l.mappingID)
	b = appendOpt(b, 3, l.address)
	for _, ln := range l.line {
		b = appendBytes(b, 4, ln.encode())
	}
	return appendBool(b, 5, l.isFolded)
}

func (f function) encode() []byte {
	var b []byte
	b = appendOpt(b, 1, f.id)
	b = appendOpt(b, 2, uint64(f.name))
	b = appendOpt(b, 3, uint64(f.systemName))
	b = appendOpt(b, 4, uint64(f.filename))
	return appendOpt(b, 5, uint64(f.startLine))
}

// encode writes the profile as raw protobuf, the same bytes every time.
func (p *profileMsg) encode(e encoding) []byte {
	var b []byte
	strs := func(b []byte) []byte {
		for _, s := range p.stringTable {
			b = appendBytes(b, 6, []byte(s))
		}
		return b
	}
	if e.stringsFirst {
		b = strs(b)
	}
	for _, v := range p.sampleType {
		b = appendBytes(b, 1, v.encode())
	}
	for _, s := range p.sample {
		b = appendBytes(b, 2, s.encode(e))
	}
	for _, m := range p.mapping {
		b = appendBytes(b, 3, m.encode())
	}
	for _, l := range p.location {
		b = appendBytes(b, 4, l.encode())
	}
	for _, f := range p.function {
		b = appendBytes(b, 5, f.encode())
	}
	if !e.stringsFirst {
		b = strs(b)
	}
	b = appendOpt(b, 7, uint64(p.dropFrames))
	b = appendOpt(b, 8, uint64(p.keepFrames))
	b = appendOpt(b, 9, uint64(p.timeNanos))
	b = appendOpt(b, 10, uint64(p.durationNanos))
	if p.periodType != nil {
		b = appendBytes(b, 11, p.periodType.encode())
	}
	b = appendOpt(b, 12, uint64(p.period))
	b = e.appendInt64s(b, 13, p.comment)
	b = appendOpt(b, 14, uint64(p.defaultSampleType))
	return appendOpt(b, 15, uint64(p.docURL))
}
