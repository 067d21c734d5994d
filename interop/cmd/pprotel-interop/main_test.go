package main

import (
	"bytes"
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
