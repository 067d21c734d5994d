package check

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/pdata/pprofile"

	"github.com/pprotel/pprotel/interop/internal/conform"
)

// ReadOTLP decodes a binary ProfilesData (or ExportProfilesServiceRequest,
// which has the same fields) with the collector's pdata ProtoUnmarshaler. The
// result is marked read-only so that marshalling it never rewrites it.
func ReadOTLP(path string) (pprofile.Profiles, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return pprofile.Profiles{}, err
	}
	var u pprofile.ProtoUnmarshaler
	pd, err := u.UnmarshalProfiles(data)
	if err != nil {
		return pprofile.Profiles{}, fmt.Errorf("pdata ProtoUnmarshaler: %v", err)
	}
	pd.MarkReadOnly()
	return pd, nil
}

// ReadOTLPJSON decodes OTLP JSON with the collector's pdata JSONUnmarshaler.
// Unknown fields are refused: pprotel writes the JSON, so a field pdata does
// not know is a misspelt key whose data every OTLP receiver would drop.
func ReadOTLPJSON(path string) (pprofile.Profiles, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return pprofile.Profiles{}, err
	}
	u := pprofile.JSONUnmarshaler{DisallowUnknownFields: true}
	pd, err := u.UnmarshalProfiles(data)
	if err != nil {
		return pprofile.Profiles{}, fmt.Errorf("pdata JSONUnmarshaler: %v", err)
	}
	pd.MarkReadOnly()
	return pd, nil
}

// Conformance applies the profcheck rules with the profcheck CLI defaults to
// binary OTLP bytes, decoded as profcheck decodes them, and condenses the
// result to one line.
func Conformance(data []byte) error {
	pd, err := conform.Decode(data)
	if err != nil {
		return fmt.Errorf("conformance: %v", err)
	}
	problems := conform.CLIDefaults().Problems(pd)
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("conformance: %s", problems[0])
	default:
		return fmt.Errorf("conformance: %s (and %d more)", problems[0], len(problems)-1)
	}
}

// CheckOTLP checks a binary OTLP file: pdata decodes it, it passes the
// profcheck rules (CLI defaults), and pdata's JSON codec carries it unchanged
// (proto -> pdata -> JSON -> pdata -> proto gives the same bytes as
// proto -> pdata -> proto).
func CheckOTLP(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := Conformance(data); err != nil {
		return err
	}
	pd, err := ReadOTLP(path)
	if err != nil {
		return err
	}
	var jm pprofile.JSONMarshaler
	js, err := jm.MarshalProfiles(pd)
	if err != nil {
		return fmt.Errorf("pdata JSONMarshaler: %v", err)
	}
	ju := pprofile.JSONUnmarshaler{DisallowUnknownFields: true}
	back, err := ju.UnmarshalProfiles(js)
	if err != nil {
		return fmt.Errorf("pdata JSONUnmarshaler on pdata's own JSON: %v", err)
	}
	back.MarkReadOnly()
	if err := sameData(pd, back); err != nil {
		return fmt.Errorf("pdata JSON round trip changed the data: %v", err)
	}
	return nil
}

// CheckOTLPJSON checks an OTLP JSON file: pdata decodes it (refusing unknown
// fields) and encodes it as protobuf, and that passes the profcheck rules
// (CLI defaults).
func CheckOTLPJSON(path string) error {
	pd, err := ReadOTLPJSON(path)
	if err != nil {
		return err
	}
	var pm pprofile.ProtoMarshaler
	bin, err := pm.MarshalProfiles(pd)
	if err != nil {
		return fmt.Errorf("pdata ProtoMarshaler: %v", err)
	}
	return Conformance(bin)
}

// JSONAgree checks that an OTLP JSON file and a binary OTLP file hold the same
// data as pdata reads them.
func JSONAgree(jsonPath, protoPath string) error {
	pj, err := ReadOTLPJSON(jsonPath)
	if err != nil {
		return fmt.Errorf("%s: %v", jsonPath, err)
	}
	pp, err := ReadOTLP(protoPath)
	if err != nil {
		return fmt.Errorf("%s: %v", protoPath, err)
	}
	if err := sameData(pj, pp); err != nil {
		return fmt.Errorf("JSON and protobuf differ (JSON vs protobuf): %v", err)
	}
	return nil
}

// sameData compares two pdata values by their pdata protobuf encodings (pdata
// has no deep equality for Profiles). When they differ, it names the first
// differing JSON path.
func sameData(a, b pprofile.Profiles) error {
	var pm pprofile.ProtoMarshaler
	ba, err := pm.MarshalProfiles(a)
	if err != nil {
		return fmt.Errorf("pdata ProtoMarshaler: %v", err)
	}
	bb, err := pm.MarshalProfiles(b)
	if err != nil {
		return fmt.Errorf("pdata ProtoMarshaler: %v", err)
	}
	if bytes.Equal(ba, bb) {
		return nil
	}
	var jm pprofile.JSONMarshaler
	ja, errA := jm.MarshalProfiles(a)
	jb, errB := jm.MarshalProfiles(b)
	if errA != nil || errB != nil {
		return fmt.Errorf("protobuf encodings differ (%d vs %d bytes) and JSON encoding failed", len(ba), len(bb))
	}
	if d := FirstJSONDifference(ja, jb); d != "" {
		return fmt.Errorf("%s", d)
	}
	return fmt.Errorf("protobuf encodings differ (%d vs %d bytes, first at byte %d) but their JSON is the same", len(ba), len(bb), firstByteDiff(ba, bb))
}

func firstByteDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// OneLine joins a multi-line message for the one-line FAIL reports.
func OneLine(s string) string {
	return strings.ReplaceAll(s, "\n", "; ")
}

// WritePdataJSON reads a binary ProfilesData with pdata and writes pdata's own
// OTLP JSON of it to out, so that pprotel can be asked to read JSON it did not
// write (pdata moves resource and scope strings into string-table references,
// for one).
func WritePdataJSON(in, out string) error {
	pd, err := ReadOTLP(in)
	if err != nil {
		return err
	}
	var jm pprofile.JSONMarshaler
	data, err := jm.MarshalProfiles(pd)
	if err != nil {
		return fmt.Errorf("pdata JSONMarshaler: %v", err)
	}
	return os.WriteFile(out, data, 0o644)
}
