package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pprotel/pprotel/interop/internal/fixture"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"no-such-command"},
		{"check-pprof"},
		{"string-equal", "only-one"},
		{"json-agree", "a", "b", "c"},
		{"conform"},
		{"conform", "-no-such-flag", "x"},
		{"conform", "-json"},
		{"break", "in.pb"},
		{"break", "no-such-file.pb", "out"},
		{"agree", "only-one.json"},
		{"agree", "no-such.json", "no-such-either.json"},
		{"check-pprof", "-json"},
		{"pprof-break", "in.pb"},
		{"pprof-break", "no-such-file.pb", "out"},
		{"pprof-agree", "only-one.json"},
		{"pprof-agree", "no-such.json", "no-such-either.json"},
	} {
		if code, _, _ := runCLI(args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

func TestUnavailableCommandsSayWhy(t *testing.T) {
	for _, cmd := range []string{"profcheck", "ref-to-otlp", "ref-to-pprof", "bench-ref"} {
		code, out, errs := runCLI(cmd, "x")
		if code != 2 || out != "" || !strings.Contains(errs, "not served by the Go module proxy") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", cmd, code, out, errs)
		}
	}
}

func TestOneLinePerFileAndExitOneOnAnyFailure(t *testing.T) {
	good := fixture.Write(t, "good.pb", fixture.Valid())
	badPD := fixture.Valid()
	fixture.Profile(badPD).Samples[0].StackIndex = 7
	fixture.Profile(badPD).Samples[1].StackIndex = 8
	bad := fixture.Write(t, "bad.pb", badPD)

	code, out, _ := runCLI("check-otlp", good, bad)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 1 || len(lines) != 2 || lines[0] != "PASS "+good ||
		!strings.HasPrefix(lines[1], "FAIL "+bad+": conformance: ") || !strings.HasSuffix(lines[1], "(and 1 more)") {
		t.Errorf("check-otlp good bad: exit %d, output:\n%s", code, out)
	}
	if code, out, _ := runCLI("check-otlp", good); code != 0 || out != "PASS "+good+"\n" {
		t.Errorf("check-otlp good: exit %d, output %q", code, out)
	}
}

func TestConformPrintsEveryProblemAndTakesProfcheckFlags(t *testing.T) {
	pd := fixture.Valid()
	fixture.Profile(pd).Samples[0].StackIndex = 7
	fixture.Profile(pd).Samples[1].Values = []int64{1, 2}
	path := fixture.Write(t, "bad.pb", pd)
	const p0 = "    resource_profiles[0]: scope_profiles[0]: profile[0]: "

	code, out, _ := runCLI("conform", path)
	want := "FAIL " + path + ": 2 conformance problems\n" +
		p0 + "sample[0]: stack_index: index 7 is out of range [0..2)\n" +
		p0 + "sample[1]: values (len=2) must contain a single element if timestamps_unix_nano is not set\n"
	if code != 1 || out != want {
		t.Errorf("conform: exit %d, got\n%s\nwant\n%s", code, out, want)
	}
	code, out, _ = runCLI("conform", "-check-sample-shapes=false", path)
	if code != 1 || strings.Contains(out, "values (len=2)") || !strings.Contains(out, "1 conformance problems") {
		t.Errorf("conform -check-sample-shapes=false: exit %d, output:\n%s", code, out)
	}
}

func TestConformJSONGivesEachProblemWithItsRule(t *testing.T) {
	good := fixture.Write(t, "good.pb", fixture.Valid())
	pd := fixture.Valid()
	fixture.Profile(pd).Samples[0].StackIndex = 7
	bad := fixture.Write(t, "bad.pb", pd)
	unreadable := fixture.WriteBytes(t, "junk.pb", []byte{0xff, 0xff})

	code, out, _ := runCLI("conform", "-json", good, bad, unreadable)
	want := `{"file":"` + good + `","problems":[]}
{"file":"` + bad + `","problems":[{"rule":"index-out-of-range","message":"resource_profiles[0]: scope_profiles[0]: profile[0]: sample[0]: stack_index: index 7 is out of range [0..2)"}]}
`
	if code != 1 || !strings.HasPrefix(out, want) || !strings.HasPrefix(strings.TrimPrefix(out, want), `{"file":"`+unreadable+`","error":"cannot read as ProfilesData: `) {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	if code, out, _ := runCLI("conform", "-json", good); code != 0 || out != `{"file":"`+good+`","problems":[]}`+"\n" {
		t.Errorf("valid file: exit %d, output %q", code, out)
	}
}

// break writes files that conform then finds broken, and agree compares
// conform's report with a pprotel-format report of the same files.
func TestBreakThenAgree(t *testing.T) {
	in := fixture.Write(t, "in.pb", fixture.Valid())
	dir := filepath.Join(t.TempDir(), "broken")
	if code, out, errs := runCLI("break", in, dir); code != 0 || !strings.HasPrefix(out, "wrote ") {
		t.Fatalf("break: exit %d, %q %q", code, out, errs)
	}
	neg := filepath.Join(dir, "negative-line.pb")
	ctl := filepath.Join(dir, "control-link-valid.pb")
	code, out, _ := runCLI("conform", "-json", neg, ctl)
	if code != 1 {
		t.Fatalf("conform: exit %d, %s", code, out)
	}
	cJSON := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(cJSON, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	report := func(negRule string) string {
		p := filepath.Join(t.TempDir(), "p.json")
		doc := `{"files":[{"file":"` + neg + `","format":"otlp","valid":false,"violations":[{"path":"x","rule":"` + negRule + `","message":"m"}]},` +
			`{"file":"` + ctl + `","format":"otlp","valid":true,"violations":[]}]}`
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if code, out, _ := runCLI("agree", cJSON, report("negative-line")); code != 0 || out != "PASS "+neg+"\nPASS "+ctl+"\n" {
		t.Errorf("agree, same findings: exit %d, output:\n%s", code, out)
	}
	code, out, _ = runCLI("agree", cJSON, report("mapping-range"))
	if code != 1 || !strings.HasPrefix(out, "FAIL "+neg+": same count, different rules") || !strings.Contains(out, "\n    conform: [negative-line] ") {
		t.Errorf("agree, other rule: exit %d, output:\n%s", code, out)
	}
}

// pprof-break writes files google/pprof refuses (or, for the controls,
// accepts), check-pprof -json gives its verdicts, and pprof-agree compares
// them with a pprotel-format report of the same files.
func TestPprofBreakThenAgree(t *testing.T) {
	in := filepath.Join(fixture.CorpusDir(t), "pprof", "parca__pkg_query_testdata_two-stacks.pb.gz")
	dir := filepath.Join(t.TempDir(), "pprof-broken")
	if code, out, errs := runCLI("pprof-break", in, dir); code != 0 || !strings.HasPrefix(out, "wrote ") {
		t.Fatalf("pprof-break: exit %d, %q %q", code, out, errs)
	}
	dup := filepath.Join(dir, "duplicate-id-function.pb")
	ctl := filepath.Join(dir, "control-unreferenced-mapping.pb")
	empty := filepath.Join(dir, "empty-file.pb")
	code, out, _ := runCLI("check-pprof", "-json", dup, ctl, empty)
	want := `{"file":"` + dup + `","valid":false,"stage":"check","error":"multiple functions with same id: 1","rule":"duplicate-id"}
{"file":"` + ctl + `","valid":true}
{"file":"` + empty + `","valid":false,"stage":"parse","error":"empty input file"}
`
	if code != 1 || out != want {
		t.Fatalf("check-pprof -json: exit %d, got\n%s\nwant\n%s", code, out, want)
	}
	gJSON := filepath.Join(t.TempDir(), "g.json")
	if err := os.WriteFile(gJSON, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	report := func(dupRule string) string {
		p := filepath.Join(t.TempDir(), "p.json")
		doc := `{"files":[{"file":"` + dup + `","format":"pprof","valid":false,"violations":[{"path":"x","rule":"` + dupRule + `","message":"m"}]},` +
			`{"file":"` + ctl + `","format":"pprof","valid":true,"violations":[]},` +
			`{"file":"` + empty + `","error":"empty input"}]}`
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if code, out, _ := runCLI("pprof-agree", gJSON, report("duplicate-id")); code != 0 || out != "PASS "+dup+"\nPASS "+ctl+"\nPASS "+empty+"\n" {
		t.Errorf("pprof-agree, same findings: exit %d, output:\n%s", code, out)
	}
	code, out, _ = runCLI("pprof-agree", gJSON, report("unknown-id"))
	if code != 1 || !strings.HasPrefix(out, "FAIL "+dup+": reasons differ: ") || !strings.Contains(out, "\n    pprotel: [unknown-id] x: m\n") {
		t.Errorf("pprof-agree, other rule: exit %d, output:\n%s", code, out)
	}
	if code, out, _ := runCLI("check-pprof", ctl); code != 0 || out != "PASS "+ctl+"\n" {
		t.Errorf("check-pprof without -json: exit %d, output %q", code, out)
	}
}
