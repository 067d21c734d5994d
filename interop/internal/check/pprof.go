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
