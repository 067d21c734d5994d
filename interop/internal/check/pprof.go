// Package check holds the interop checks that the pprotel-interop command
// runs: each one feeds a file produced by pprotel to a reference Go
// implementation (google/pprof, collector pdata) and says whether the
// reference accepts it and reads the same data out of it.
package check

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/pprof/profile"
)

// ReadPprof reads a pprof file the way pprof tooling reads pprotel's output:
// gunzip when the gzip magic is present, then protobuf decoding with
// google/pprof, then google/pprof's CheckValid. Unlike profile.Parse it does
// not fall back to the legacy text formats, because pprotel must write
// protobuf.
func ReadPprof(path string) (*profile.Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %v", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("gunzip: %v", err)
		}
	}
	p, err := profile.ParseUncompressed(data)
	if err != nil {
		return nil, fmt.Errorf("google/pprof ParseUncompressed: %v", err)
	}
	if err := p.CheckValid(); err != nil {
		return nil, fmt.Errorf("google/pprof CheckValid: %v", err)
	}
	return p, nil
}

// StringEqual reads both pprof files and compares google/pprof's String()
// dumps, which is how the collector's reference translator tests its own
// round trip. On a mismatch the error carries a unified-style excerpt of the
// first differing region (A lines prefixed "-", B lines "+").
func StringEqual(a, b string) error {
	pa, err := ReadPprof(a)
	if err != nil {
		return fmt.Errorf("%s: %v", a, err)
	}
	pb, err := ReadPprof(b)
	if err != nil {
		return fmt.Errorf("%s: %v", b, err)
	}
	if excerpt := LineDiff(pa.String(), pb.String(), 3, 12); excerpt != "" {
		return fmt.Errorf("profile.String() differs:\n%s", excerpt)
	}
	return nil
}

// PprofVerdict is google/pprof's verdict on one pprof file: Valid, or the
// stage at which it refused the file and its error. Go stops at the first
// problem, so there is one error at most.
type PprofVerdict struct {
	File  string `json:"file"`
	Valid bool   `json:"valid"`
	// Stage is "read" (the file cannot be read), "gunzip", "parse"
	// (profile.ParseUncompressed: the wire format and the decode-time
	// checks) or "check" (Profile.CheckValid); empty when valid.
	Stage string `json:"stage,omitempty"`
	Error string `json:"error,omitempty"`
	// Rule is the pprotel rule that google/pprof's error is an instance of,
	// when it is one (see PprofRule); empty otherwise.
	Rule string `json:"rule,omitempty"`
}

// JudgePprof gives google/pprof's verdict on the bytes of a pprof file,
// gzip or not, read as ReadPprof reads it: ParseUncompressed, then
// CheckValid. File is left empty.
func JudgePprof(data []byte) PprofVerdict {
	refuse := func(stage string, err error) PprofVerdict {
		msg := OneLine(err.Error())
		return PprofVerdict{Stage: stage, Error: msg, Rule: PprofRule(stage, msg)}
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			data, err = io.ReadAll(zr)
		}
		if err != nil {
			return refuse("gunzip", err)
		}
	}
	p, err := profile.ParseUncompressed(data)
	if err != nil {
		return refuse("parse", err)
	}
	if err := p.CheckValid(); err != nil {
		return refuse("check", err)
	}
	return PprofVerdict{Valid: true}
}

// JudgePprofFile is JudgePprof on the file at path, with File set to path.
func JudgePprofFile(path string) PprofVerdict {
	data, err := os.ReadFile(path)
	v := PprofVerdict{Stage: "read", Error: fmt.Sprint(err)}
	if err == nil {
		v = JudgePprof(data)
	}
	v.File = path
	return v
}

// PprofRule names the pprotel pprof rule (src/validate.rs) that a
// google/pprof error at the given stage is an instance of, or "" when it is
// none: wire-format errors ("type mismatch", "bad varint", ...), "empty
// input file" and "concatenated profiles detected" belong to the decoder, not
// to a rule. The texts are those of google/pprof's profile package
// (postDecode's getString, the string_table decoder, CheckValid).
func PprofRule(stage, msg string) string {
	switch stage {
	case "parse":
		switch msg {
		case "malformed profile format":
			// getString: a string index outside string_table (or an empty
			// string_table, which pprotel refuses to decode).
			return "strindex-out-of-range"
		case "string_table[0] must be ''":
			return "string-table-first-not-empty"
		}
	case "check":
		for _, r := range []struct{ text, rule string }{
			{"missing sample type information", "missing-sample-type"},
			{"mismatch: sample has ", "mismatched-value-count"},
			{"found mapping with reserved ID=0", "reserved-id"},
			{"found function with reserved ID=0", "reserved-id"},
			{"found location with reserved id=0", "reserved-id"},
			{"multiple mappings with same id", "duplicate-id"},
			{"multiple functions with same id", "duplicate-id"},
			{"multiple locations with same id", "duplicate-id"},
			// postDecode resolves ids to pointers and leaves nil for an id
			// that names nothing; CheckValid reports the nil.
			{"sample has nil location", "unknown-id"},
			{"has a line with nil function", "unknown-id"},
			{"inconsistent mapping", "unknown-id"},
			{"inconsistent function", "unknown-id"},
		} {
			if strings.Contains(msg, r.text) {
				return r.rule
			}
		}
	}
	return ""
}
